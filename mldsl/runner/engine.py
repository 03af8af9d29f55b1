"""Execute a compiled Argo workflow on this machine, with the controller's rules.

Each rule cites the argo-workflows v4.1.2 source it follows:

* a task runs when its ``depends`` expression holds over its dependencies' results
  (``workflow/controller/dag.go`` evaluateDependsLogic l. 971-1025); when it does
  not, the task is ``Omitted`` (l. 595-598); a bare name means
  ``(X.Succeeded || X.Skipped || X.Daemoned)`` (``workflow/common/ancestry.go`` l. 115-127);
* ``when`` is evaluated per expanded task after substitution; false gives ``Skipped``;
* a DAG fails fast: once a task fails, no new task starts and the DAG fails
  unless the task's ``continueOn`` covers it (``dag.go`` assessDAGPhase l. 214-246);
* a fan-out's outputs are aggregated over its succeeded items, in item order, as a
  JSON list of strings, or of values when every value is a JSON list or map
  (``workflow/controller/operator.go`` processAggregateNodeOutputs l. 3743-3800,
  aggregatedJSONValueList/tryJSONUnmarshal l. 3841-3880);
* retries follow ``retryStrategy``: the policy (default OnFailure: Failed, not Error),
  ``limit``, and backoff ``duration * factor^(n-1)``, capped by ``cap`` and bounded by
  ``maxDuration`` from the first attempt (``operator.go`` processNodeRetries l. 1030-1170);
* ``activeDeadlineSeconds`` bounds each attempt of a pod;
* ``memoize`` reuses a Succeeded node's outputs under its key while younger than
  ``maxAge`` (``workflow/controller/cache``);
* a ``suspend`` node waits until resumed, or until its ``duration`` passes, and then
  *succeeds*, its ``supplied`` outputs taking their defaults (``operator.go`` executeSuspend
  l. 3986-4030, ``workflow/util/util.go`` OverrideOutputParametersWithDefault l. 503-517);
  ``argo stop`` fails it and stops the run (``operator.go`` l. 1397-1402);
* the exit handler runs after the entrypoint with ``workflow.status``; when it fails,
  a workflow that had succeeded is Failed (``operator.go`` l. 551-563).
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mldsl.argo.template import UnresolvedError, replace
from mldsl.runner.base import (
    APPROVAL_LABEL,
    CTX,
    NO_OBJECTS,
    ExecutionBase,
    Options,
    StepError,
    _Scope,
    aggregate,
    go_value_text,
    template_locals,
)
from mldsl.runner.cache import StepCache
from mldsl.runner.flows import Flows
from mldsl.runner.inputs import TemplateInputs
from mldsl.runner.leaves import Leaves
from mldsl.runner.mounts import Mounts
from mldsl.runner.nodes import Artifact, Node
from mldsl.runner.plainpods import PlainPods
from mldsl.runner.processes import Processes
from mldsl.runner.suspend import Suspends

__all__ = ["APPROVAL_LABEL", "Execution", "Options", "StepError", "aggregate"]


class Execution(Flows, Leaves, PlainPods, TemplateInputs, Suspends, ExecutionBase):
    """One run of a workflow: its nodes, its scope and the processes it started."""

    def __init__(
        self,
        spec: dict[str, Any],
        workflow: dict[str, str],
        folder: Path,
        mounts: Mounts,
        cache: StepCache,
        options: Options,
        on_change: Callable[[Node], None] = lambda n: None,
        lookup: Callable[[str, str, bool], dict[str, Any]] | None = None,
        config_maps: dict[str, dict[str, str]] | None = None,
    ):
        self.spec = spec
        #: a ``templateRef``'s template: (WorkflowTemplate name, template name, cluster scope) -> template
        self.lookup = lookup
        self.templates = {t["name"]: t for t in spec.get("templates", [])}
        self.workflow = workflow  # workflow.* values (name, uid, namespace, ...)
        self.folder = folder
        self.mounts = mounts
        self.cache = cache
        self.options = options
        self.on_change = on_change
        self.procs = Processes()
        limit = min(options.parallel, int(spec["parallelism"])) if spec.get("parallelism") else options.parallel
        self.pods = threading.BoundedSemaphore(max(1, limit))
        #: ConfigMaps the run created (a semaphore's limit), and the semaphores read from them
        self.config_maps: dict[str, dict[str, str]] = dict(config_maps or {})
        self.semaphores: dict[tuple[str, str], threading.BoundedSemaphore] = {}
        self.ids = 0
        self.lock = threading.Lock()
        self.main = Node("main", "main", spec.get("entrypoint", "main"))
        self.exit = Node("exit", "exit-handler", spec.get("onExit", ""))
        self.status, self.message = "Running", ""
        self.outputs: dict[str, Any] = {}
        #: why an approval was refused: the run stops as with ``argo stop``, which still runs the exit handler
        self.rejected = ""
        #: why the run would wait for ever on a cluster (a reference that never resolves): it ends Error at once
        self.hang = ""
        #: why the run cannot go on (the disk is full): it stops and ends Error, without the exit handler
        self.fatal = ""
        #: ``Stop`` (Ctrl-C) or ``Terminate`` (a second Ctrl-C, SIGTERM): Argo's shutdown strategy, "" while none
        self.shutdown = ""
        #: ``globalName`` outputs: ``workflow.outputs.parameters.*`` and ``...artifacts.*``
        self.global_params: dict[str, str] = {}
        self.global_artifacts: dict[str, Artifact] = {}
        #: the flat ``workflow.outputs.*`` keys every scope sees (see _Scope.shared)
        self.shared: dict[str, Any] = {}
        #: a plain workflow's cluster objects: its pods, itself, and what its resource steps made (objects.py);
        #: an mldsl project's run has none (its operator jobs run here), and does not import the module
        self.objects: Any = _object_store(spec, workflow) if options.pod_roots else NO_OBJECTS

    def run(self, params: dict[str, str], artifacts: dict[str, Artifact] | None = None) -> str:
        """Run the entrypoint, then the exit handler; the workflow's phase. ``artifacts``: given instead of the defaults."""
        scope = _Scope({f"workflow.{k}": v for k, v in self.workflow.items()}, {}, self.shared)
        for name, value in params.items():
            scope.set_global(f"workflow.parameters.{name}", value)
        args = self.spec.get("arguments") or {}
        art_args: dict[str, Artifact | None] = dict(artifacts or {})
        for a in args.get("artifacts", []):
            if a["name"] not in art_args:
                art_args[a["name"]] = self._artifact_ref(a, scope)
        in_params: dict[str, Any] = {}
        self.main.start()
        self._notify(self.main)
        try:
            entry = self._resolve({"template": self.spec["entrypoint"]})
            self.main.spec = entry
            # the entrypoint takes the workflow's arguments by name; its own values apply to the rest
            # the spec's arguments were substituted once with the globals when the workflow started (operator.go
            # substituteGlobalVariables l. 4694-4716, templates excluded); workflow.parameters.* keep the raw values
            g = {**self._runtime_globals(), **scope.globals()}
            in_params = {
                p["name"]: None if params.get(p["name"]) is None else replace(str(params[p["name"]]), g, strict=False)
                for p in (entry.get("inputs") or {}).get("parameters", [])
            }
            phase, msg, out_params, out_arts = self._template(self.main, entry, in_params, art_args, scope)
        except StepError as exc:
            phase, msg, out_params, out_arts = "Error", str(exc), {}, {}
        if self.hang or self.fatal:
            phase, msg = "Error", self.hang or self.fatal
        self.main.params, self.main.artifacts = out_params, out_arts
        self.main.end(phase, msg)
        self._notify(self.main)
        stopped = self.procs.stopping.is_set() or self.shutdown
        status = "Failed" if stopped and not (self.hang or self.fatal) else phase
        if self.shutdown and not (self.hang or self.fatal or self.rejected):
            msg = f"Stopped with strategy '{self.shutdown}'"  # operator.go l. 543
        self.status, self.message = status, self.rejected or msg
        self._exit_handler(scope, status)
        return self.status

    def _exit_handler(self, scope: _Scope, status: str) -> None:
        """The exit handler: ``spec.onExit``, or the workflow's exit hook (workflow_types.go GetExitHook), with
        ``workflow.status``, ``failures`` and ``duration`` in scope; its failure fails a run that succeeded."""
        exit_hook = (self.spec.get("hooks") or {}).get("exit") or {}
        exit_holder = {"template": self.spec["onExit"]} if self.spec.get("onExit") else exit_hook
        if not exit_holder or self.hang or self.fatal or self.shutdown == "Terminate":
            return
        with self.lock:
            # Stop, not Terminate: exit handlers run (workflow_types.go ShouldExecute l. 634-643, operator.go
            # l. 505); a Terminate from here on stops them too
            if self.shutdown != "Terminate":
                self.procs.stopping.clear()
        exit_scope = scope.copy()
        exit_scope.set_global("workflow.status", status)
        exit_scope.set_global("workflow.failures", json.dumps(self._failures()))
        exit_scope.set_global("workflow.duration", f"{time.time() - (self.main.started or time.time()):f}")
        self.exit.start()
        self._notify(self.exit)
        try:
            args = (exit_holder.get("arguments") or {}).get("parameters") or []
            exit_params = {a["name"]: replace(go_value_text(a.get("value", "")), exit_scope.params) for a in args}
            ephase, emsg, _, _ = self._template(self.exit, self._resolve(exit_holder), exit_params, {}, exit_scope)
        except (StepError, UnresolvedError) as exc:
            ephase, emsg = "Error", str(exc)
        self.exit.end(ephase, emsg)
        self._notify(self.exit)
        if status == "Succeeded" and ephase in ("Failed", "Error"):
            self.status, self.message = ("Failed" if ephase == "Failed" else "Error"), emsg

    def _runtime_globals(self) -> dict[str, str]:
        """``workflow.status`` and ``workflow.duration`` while the workflow runs (``operator.go``
        setGlobalRuntimeParameters l. 4559-4562: the phase, and the seconds as ``%f``)."""
        return {"workflow.status": "Running", "workflow.duration": f"{time.time() - (self.main.started or time.time()):f}"}

    def stop(self, strategy: str = "Stop") -> None:
        """End every process the run started; the run ends Failed. ``Stop`` (a Ctrl-C) still runs the exit handler,
        ``Terminate`` (a second Ctrl-C, SIGTERM) does not, as ``argo stop`` and ``argo terminate``
        (``workflow/util/util.go`` StopWorkflow/TerminateWorkflow l. 1519-1530 set the shutdown strategy;
        ``workflow_types.go`` ShouldExecute l. 634-643 lets only exit-handler nodes run under ``Stop``)."""
        with self.lock:
            if self.shutdown != "Terminate":
                self.shutdown = strategy
        self.procs.stop_all()

    def failed_disk(self, exc: OSError, node: Node | None = None) -> str:
        """A write failed because the disk is full: the run stops and ends ``Error`` saying so; the node's message."""
        where = f" writing {exc.filename}" if exc.filename else f" writing under {self.folder}"
        text = f"disk full{where}: {exc.strerror or exc}; free some space and run again"
        first = False
        with self.lock:
            if not self.fatal:
                self.fatal, first = text, True
        if first:
            threading.Thread(target=self.procs.stop_all, daemon=True).start()
        return text

    def _failures(self) -> list[dict[str, str]]:
        return [
            {"displayName": n.id, "message": n.message, "phase": n.phase, "templateName": n.template}
            for n in self.all_nodes()
            if n.phase in ("Failed", "Error") and not n.inner and n.total is None
        ]

    def all_nodes(self) -> list[Node]:
        out: list[Node] = []

        def walk(n: Node) -> None:
            out.append(n)
            for c in n.inner.values():
                walk(c)
            for c in n.children:
                walk(c)

        walk(self.main)
        walk(self.exit)
        return out

    def _notify(self, node: Node) -> None:
        with contextlib.suppress(Exception):  # a broken view never breaks a run
            self.on_change(node)

    def _new_id(self, base: str) -> str:
        with self.lock:
            self.ids += 1
            return f"{self.ids:03d}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', base)[:60]}"

    def _template(
        self,
        node: Node,
        tpl: dict[str, Any],
        params: dict[str, Any],
        artifacts: dict[str, Artifact | None],
        outer: _Scope,
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        """Run ``tpl`` with its arguments: (phase, message, output params, output artifacts).

        Inputs as ``common/util.go`` ProcessArgs takes them (l. 197-250): the argument, else the input's own
        ``value`` or ``default``, else its ``valueFrom.configMapKeyRef``; an input with none is an error.
        """
        inputs = tpl.get("inputs") or {}  # as written: the artifacts' locations are substituted with `own` below
        values = self._input_values(inputs, params, outer)
        try:
            tpl, values = self._argo_passes(node, tpl, values, outer)
        except UnresolvedError as exc:
            raise StepError(f"failed to resolve {exc}") from None
        arts = self._input_artifacts(inputs, artifacts, outer, values)
        if "dag" in tpl or "steps" in tpl:
            try:
                if "dag" in tpl:
                    return self._dag(node, tpl, values, arts, outer)
                return self._steps(node, tpl, values, arts, outer)
            finally:
                self._end_daemons(node)
        if "suspend" in tpl:
            return self._suspend(node, tpl, values, outer)
        return self._leaf(node, tpl, values, arts, outer)

    def _argo_passes(
        self, node: Node, tpl: dict[str, Any], values: dict[str, str], outer: _Scope
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """The template as ``executeTemplate`` substitutes it before anything runs (``operator.go`` l. 2240-2256,
        ``common/util.go`` SubstituteParams l. 262-320): the whole template's JSON with the globals and the
        node's locals (``pod.name`` for a pod without a retryStrategy, ``tasks.name``/``steps.name``,
        ``node.name``), then with its inputs and paths; a tag that does not resolve yet is left for later."""
        body = {k: v for k, v in tpl.items() if k != CTX}
        if values and body.get("inputs"):
            body["inputs"] = {
                **body["inputs"],
                "parameters": [{**p, "value": values.get(p["name"], "")} for p in body["inputs"].get("parameters", [])],
            }
        # the entrypoint and the exit handler are called through a nameless WorkflowStep (operator.go l. 422)
        holder = "" if node is self.main or node is self.exit else node.task
        local = {f"{'steps' if holder == '' else node.kind}.name": holder, "node.name": node.id}
        pod = any(k in tpl for k in ("container", "script", "containerSet", "resource", "data", "http"))
        if pod and not tpl.get("retryStrategy"):
            local["pod.name"] = self._pod_name(node)
        flat = {**self._runtime_globals(), **outer.globals(), **local}
        first = json.loads(replace(json.dumps(body, ensure_ascii=False), flat, strict=False, json_escaped=True))
        done = {p["name"]: go_value_text(p.get("value", "")) for p in (first.get("inputs") or {}).get("parameters", [])}
        flat.update(template_locals(first, done))
        second = json.loads(replace(json.dumps(first, ensure_ascii=False), flat, strict=False, json_escaped=True))
        if CTX in tpl:
            second[CTX] = tpl[CTX]
        # what later scans read as the inputs: the processed template's (the pod pass, substitutePodParams l. 1007)
        after = {p["name"]: go_value_text(p.get("value", "")) for p in (second.get("inputs") or {}).get("parameters", [])}
        return second, {**values, **after} if values else after

    def _retry_pass(self, node: Node, tpl: dict[str, Any], flat: dict[str, Any]) -> dict[str, Any]:
        """A retried template's own substitution per attempt: SubstituteParams with the globals and the attempt's
        locals (``pod.name``, ``retries``, ``lastRetry.*``), then its inputs (``operator.go`` l. 2513-2539)."""
        local = {k: v for k, v in flat.items() if k in ("retries", "pod.name") or k.startswith("lastRetry.")}
        local["pod.name"] = self._pod_name(node)
        first = {**self._runtime_globals(), **self._globals_of(flat), **local}
        once = json.loads(replace(json.dumps(tpl, ensure_ascii=False), first, strict=False, json_escaped=True))
        second = {**first, **{k: v for k, v in flat.items() if k.startswith(("inputs.", "outputs."))}}
        return dict(json.loads(replace(json.dumps(once, ensure_ascii=False), second, strict=False, json_escaped=True)))

    def _pod_pass(self, node: Node, body: dict[str, Any], flat: dict[str, Any]) -> dict[str, Any]:
        """The pod's last substitution, when the controller creates it: the globals, the inputs and ``pod.name``,
        unresolved tags left as written (``workflowpod.go`` substitutePodParams l. 1005-1025)."""
        podflat = {**self._runtime_globals(), **self._globals_of(flat)}
        podflat.update({k: v for k, v in flat.items() if k.startswith("inputs.parameters.")})
        podflat["pod.name"] = self._pod_name(node)
        return dict(json.loads(replace(json.dumps(body, ensure_ascii=False), podflat, strict=False, json_escaped=True)))

    @staticmethod
    def _globals_of(flat: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in flat.items() if k.startswith("workflow.")}

    def _pod_name(self, node: Node) -> str:
        return f"{self.workflow.get('name', 'run')}-{node.id}"

    def _end_daemons(self, node: Node) -> None:
        """Its steps or DAG has ended: every daemon it started is killed and Succeeded (``exec_control.go``
        killDaemonedChildren l. 106-125)."""
        for child in [*node.inner.values(), *(c for n in node.inner.values() for c in n.children)]:
            if child.daemoned:
                child.stop_daemon(self.procs)
                child.daemoned = False
                child.end("Succeeded", "")
                self._notify(child)

    def _resolve(self, holder: dict[str, Any], ctx: tuple[str, bool] | None = None) -> dict[str, Any]:
        """The template a task, step or hook calls: by name, by ``templateRef``, or ``inline``, with the
        workflow's ``templateDefaults`` merged in (``templateresolution/context.go``; ``operator.go``
        mergedTemplateDefaultsInto)."""
        if "inline" in holder:
            tpl = {"name": holder.get("name", "inline"), **holder["inline"]}
        elif "templateRef" in holder:
            ref = holder["templateRef"]
            if self.lookup is None:
                raise StepError(f"templateRef {ref.get('name')}/{ref.get('template')}: no WorkflowTemplates here")
            try:
                tpl = self.lookup(str(ref["name"]), str(ref["template"]), bool(ref.get("clusterScope")))
            except LookupError as exc:
                raise StepError(str(exc)) from None
            # its own templates resolve in its WorkflowTemplate (templateresolution/context.go WithTemplateHolder)
            tpl = {**tpl, CTX: [str(ref["name"]), bool(ref.get("clusterScope"))]}
        elif ctx is not None and self.lookup is not None:
            try:
                tpl = {**self.lookup(ctx[0], str(holder.get("template", "")), ctx[1]), CTX: list(ctx)}
            except LookupError as exc:
                raise StepError(str(exc)) from None
        else:
            name = holder.get("template", "")
            if name not in self.templates:
                raise StepError(f"template {name} not found")
            tpl = self.templates[name]
        defaults = self.spec.get("templateDefaults")
        if not defaults:
            return tpl
        from mldsl.runner.argomerge import with_defaults  # only a workflow with templateDefaults needs it

        return with_defaults(tpl, defaults)


def _object_store(spec: dict[str, Any], workflow: dict[str, str]) -> Any:
    """A plain workflow's cluster objects, starting with the Workflow itself (``objects.py``)."""
    from mldsl.runner.objects import ObjectStore

    store = ObjectStore(workflow.get("namespace", "default"))
    meta = {"name": workflow.get("name", ""), "namespace": workflow.get("namespace", "default"), "uid": workflow.get("uid", "")}
    store.add({"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": meta, "spec": spec})
    return store
