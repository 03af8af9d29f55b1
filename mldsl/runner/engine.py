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
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mldsl.argo.exprlang import ExprError, evaluate, to_json
from mldsl.argo.template import UnresolvedError, expand, replace, substitute
from mldsl.runner.cache import KEY as CACHE_KEY
from mldsl.runner.cache import StepCache
from mldsl.runner.mounts import MountError, Mounts, pod_volumes, s3_uri
from mldsl.runner.nodes import Artifact, Node
from mldsl.runner.operators import LOCAL_KINDS, JobError, Localizer, run_spark, run_training
from mldsl.runner.processes import LocalCode, Processes, docker_argv, pod_spec, run_process
from mldsl.runner.support import DEPLOY_ENV, DEPLOY_KINDS, DEPLOY_LABEL, RUN_KINDS, resource_kind

#: the label of an approval's suspend template: the step it belongs to (``mldsl run --approve STEP``)
APPROVAL_LABEL = "mldsl.io/approval"
_RESULTS = r"Succeeded|Failed|Errored|Skipped|Omitted|Daemoned|AnySucceeded|AllFailed"


class StepError(Exception):
    """The node errors (Argo's ``Error`` phase): a reference that does not resolve, a missing input."""


@dataclass
class Options:
    """How a local run behaves beyond the manifest."""

    parallel: int
    use_cache: bool = True
    executor: str = "process"
    code: dict[tuple[str, str], LocalCode] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    #: approval steps (their ``mldsl.io/approval`` label) approved up front, ``--approve STEP``
    approve: frozenset[str] = frozenset()
    #: asks a person: (step, message, timeout seconds or None) -> "approved" | "rejected" | "expired"
    ask: Callable[[str, str, float | None], str] | None = None


@dataclass
class _Scope:
    """A DAG's scope: flat parameters (Argo's ``wfScope.scope``) and artifacts."""

    params: dict[str, Any]
    artifacts: dict[str, Artifact | None]

    def copy(self) -> _Scope:
        return _Scope(dict(self.params), dict(self.artifacts))

    def globals(self) -> dict[str, Any]:
        """The ``workflow.*`` values: the only part of a caller's scope a called template sees."""
        return {k: v for k, v in self.params.items() if k.startswith("workflow.")}


def _depends_names(depends: str) -> list[str]:
    names = re.findall(r"([A-Za-z0-9][-A-Za-z0-9]*)(?:\.(?:" + _RESULTS + r"))?\b", depends)
    return [n for n in dict.fromkeys(names) if n not in ("Succeeded", "Failed")]


def _expand_bare(depends: str, names: list[str]) -> str:
    """A bare task name means ``(X.Succeeded || X.Skipped || X.Daemoned)`` (``workflow/common/ancestry.go`` l. 115-127)."""
    return re.sub(
        r"\b([A-Za-z0-9][-A-Za-z0-9]*)\b(?!\.)(?![-A-Za-z0-9])",
        lambda m: f"({m[1]}.Succeeded || {m[1]}.Skipped || {m[1]}.Daemoned)" if m[1] in names else m[0],
        depends,
    )


def _depends_env(node: Node) -> dict[str, bool]:
    kids = [c.phase for c in node.children] if node.group else []
    return {
        "Succeeded": node.phase == "Succeeded",
        "Failed": node.phase == "Failed",
        "Errored": node.phase == "Error",
        "Skipped": node.phase == "Skipped",
        "Omitted": node.phase == "Omitted",
        "Daemoned": False,
        "AnySucceeded": any(p == "Succeeded" for p in kids),
        "AllFailed": bool(kids) and all(p == "Failed" for p in kids),
    }


def _duration(text: str | int | None) -> float:
    from mldsl.durations import parse_duration

    if text is None or text == "":
        return 0.0
    if isinstance(text, int):
        return float(text)
    try:
        return float(text)
    except ValueError:
        return float(parse_duration(str(text)))


def aggregate(values: list[str]) -> str:
    """A fan-out's output list, as ``operator.go`` aggregatedJSONValueList makes it."""
    parsed: list[Any] = []
    for v in values:
        try:
            x = json.loads(v)
        except ValueError:
            return json.dumps(values, separators=(",", ":"), ensure_ascii=False)
        if not isinstance(x, (list, dict)):
            return json.dumps(values, separators=(",", ":"), ensure_ascii=False)
        parsed.append(x)
    return json.dumps(parsed, separators=(",", ":"), ensure_ascii=False)


def _in_step(step_dir: Path, path: str) -> Path | None:
    """Where a pod path under ``/mldsl/`` is in the step's folder (other pod paths have no local place)."""
    return Path(str(step_dir) + path) if path.startswith("/mldsl/") else None


def _item_text(item: Any) -> str:
    return item if isinstance(item, str) else to_json(item)


class Execution:
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
    ):
        self.spec = spec
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
        self.config_maps: dict[str, dict[str, str]] = {}
        self.semaphores: dict[tuple[str, str], threading.BoundedSemaphore] = {}
        self.ids = 0
        self.lock = threading.Lock()
        self.main = Node("main", "main", spec.get("entrypoint", "main"))
        self.exit = Node("exit", "exit-handler", spec.get("onExit", ""))
        self.status = "Running"
        self.message = ""
        self.outputs: dict[str, Any] = {}
        #: why an approval was refused: the run stops as with ``argo stop``, which still runs the exit handler
        self.rejected = ""

    # --- the workflow ------------------------------------------------------

    def run(self, params: dict[str, str], artifacts: dict[str, Artifact] | None = None) -> str:
        """Run the entrypoint, then the exit handler; the workflow's phase. ``artifacts``: given instead of the defaults."""
        scope = _Scope({f"workflow.{k}": v for k, v in self.workflow.items()}, {})
        for name, value in params.items():
            scope.params[f"workflow.parameters.{name}"] = value
        args = self.spec.get("arguments") or {}
        art_args: dict[str, Artifact | None] = dict(artifacts or {})
        for a in args.get("artifacts", []):
            if a["name"] not in art_args:
                art_args[a["name"]] = self._artifact_ref(a, scope)
        entry = self.templates[self.spec["entrypoint"]]
        in_params = {p["name"]: params.get(p["name"], p.get("value")) for p in (entry.get("inputs") or {}).get("parameters", [])}
        self.main.start()
        self._notify(self.main)
        try:
            phase, msg, out_params, out_arts = self._template(self.main, entry, in_params, art_args, scope)
        except StepError as exc:
            phase, msg, out_params, out_arts = "Error", str(exc), {}, {}
        self.main.params, self.main.artifacts = out_params, out_arts
        self.main.end(phase, msg)
        self._notify(self.main)
        status = "Failed" if self.procs.stopping.is_set() else phase
        self.status, self.message = status, self.rejected or msg
        if self.spec.get("onExit") and self.spec["onExit"] in self.templates:
            if self.rejected:  # Stop, not Terminate: exit handlers run (operator.go ShouldExecute)
                self.procs.stopping.clear()
            exit_scope = scope.copy()
            exit_scope.params["workflow.status"] = status
            exit_scope.params["workflow.failures"] = json.dumps(self._failures())
            self.exit.start()
            self._notify(self.exit)
            try:
                ephase, emsg, _, _ = self._template(self.exit, self.templates[self.spec["onExit"]], {}, {}, exit_scope)
            except StepError as exc:
                ephase, emsg = "Error", str(exc)
            self.exit.end(ephase, emsg)
            self._notify(self.exit)
            if status == "Succeeded" and ephase in ("Failed", "Error"):
                self.status, self.message = ("Failed" if ephase == "Failed" else "Error"), emsg
        return self.status

    def stop(self) -> None:
        """Ctrl-C: end every process the run started; the run ends Failed (Argo's ``stop``)."""
        self.procs.stop_all()

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

    # --- templates ---------------------------------------------------------

    def _template(
        self,
        node: Node,
        tpl: dict[str, Any],
        params: dict[str, Any],
        artifacts: dict[str, Artifact | None],
        outer: _Scope,
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        """Run ``tpl`` with its arguments: (phase, message, output params, output artifacts)."""
        inputs = tpl.get("inputs") or {}
        values: dict[str, str] = {}
        for p in inputs.get("parameters", []):
            if params.get(p["name"]) is not None:
                values[p["name"]] = str(params[p["name"]])
            elif "value" in p:
                values[p["name"]] = str(p["value"])
            elif "default" in p:
                values[p["name"]] = str(p["default"])
            else:
                raise StepError(f"inputs.parameters.{p['name']} was not supplied")
        arts: dict[str, Artifact | None] = {}
        # a location may use the template's own inputs: Argo substitutes the whole template (common/util.go ProcessArgs)
        own = {f"inputs.parameters.{k}": v for k, v in values.items()}
        for a in inputs.get("artifacts", []):
            given = artifacts.get(a["name"])
            if given is None and "s3" in a:
                given = self._artifact_ref(a, outer, own)
            if given is None and not a.get("optional"):
                raise StepError(f"inputs.artifacts.{a['name']} was not supplied")
            arts[a["name"]] = given
        if "dag" in tpl:
            return self._dag(node, tpl, values, arts, outer)
        if "suspend" in tpl:
            return self._suspend(node, tpl, values, outer)
        return self._leaf(node, tpl, values, arts, outer)

    def _suspend(
        self, node: Node, tpl: dict[str, Any], params: dict[str, str], outer: _Scope
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        """Wait for a person: ``--approve STEP``, an answer on the terminal, or the duration passing."""
        flat = outer.globals()
        for k, v in params.items():
            flat[f"inputs.parameters.{k}"] = v
        try:  # substituted when the node starts, outputs included (workflow/common/util.go SubstituteParams)
            resolved = substitute({k: tpl[k] for k in ("suspend", "outputs") if k in tpl}, flat)
        except UnresolvedError as exc:
            return "Error", f"failed to resolve {exc}", {}, {}
        node.start()
        self._notify(node)
        step = ((tpl.get("metadata") or {}).get("labels") or {}).get(APPROVAL_LABEL, node.task)
        duration = resolved["suspend"].get("duration")
        timeout = _duration(duration) if duration else None
        if step in self.options.approve:
            decision, how = "approved", "approved with --approve"
        elif self.options.ask is not None:
            decision = self.options.ask(step, params.get("message", ""), timeout)
            how = {"approved": "approved on the terminal", "expired": "not approved in time"}.get(decision, "")
        else:
            decision, how = "rejected", f"no terminal to ask for approval: pass --approve {step} to approve it"
        if decision == "rejected":  # argo stop: the suspended node fails and the run stops
            how = how or "rejected on the terminal"
            self.rejected = f"approval {step} refused ({how}): the run stopped"
            self.procs.stop_all()
            return "Failed", how, {}, {}
        out: dict[str, str] = {}
        for p in (resolved.get("outputs") or {}).get("parameters", []):
            vf = p.get("valueFrom") or {}
            if "supplied" in vf:
                if "default" not in vf:
                    why = f"raw output parameter '{p['name']}' has not been set and does not have a default value"
                    return "Error", why, {}, {}
                out[p["name"]] = str(vf["default"])
        return "Succeeded", how, out, {}

    def _artifact_ref(self, a: dict[str, Any], scope: _Scope, extra: dict[str, Any] | None = None) -> Artifact | None:
        """An artifact argument: ``from`` a reference, or a location (``s3``) read from its local copy."""
        flat = {**scope.params, **(extra or {})}
        if "from" in a:
            ref = a["from"].strip()
            if not (ref.startswith("{{") and ref.endswith("}}")):
                raise StepError(f"artifact {a['name']}: from must be one reference, got {ref!r}")
            key = ref[2:-2].strip()
            if key not in scope.artifacts:
                if a.get("optional"):
                    return None
                raise StepError(f"Unable to resolve: {ref}")
            return scope.artifacts[key]
        if "s3" in a:
            try:
                loc = {k: replace(str(v), flat) for k, v in a["s3"].items()}
            except UnresolvedError as exc:
                raise StepError(f"artifact {a['name']}: {exc}") from None
            uri = s3_uri(loc)
            try:
                path = self.mounts.local(uri)
            except MountError:
                raise StepError(f"artifact {a['name']}: no local copy of {uri}: map it in the Project's local.mounts") from None
            if not path.exists():
                if a.get("optional"):
                    return None
                raise StepError(f"artifact {a['name']}: {uri} is mapped to {path}, which does not exist")
            return Artifact(path, uri)
        return None

    # --- DAGs --------------------------------------------------------------

    def _dag(
        self,
        node: Node,
        tpl: dict[str, Any],
        params: dict[str, str],
        artifacts: dict[str, Artifact | None],
        outer: _Scope,
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        scope = _Scope(outer.globals(), {})
        for k, v in params.items():
            scope.params[f"inputs.parameters.{k}"] = v
        for k, art in artifacts.items():
            scope.artifacts[f"inputs.artifacts.{k}"] = art
        tasks = {t["name"]: t for t in tpl["dag"]["tasks"]}
        deps = {n: [d for d in _depends_names(t.get("depends", "")) if d in tasks] for n, t in tasks.items()}
        slots = threading.BoundedSemaphore(int(tpl["parallelism"])) if tpl.get("parallelism") else None
        cond = threading.Condition()
        results: dict[str, Node] = {}
        running: set[str] = set()
        failed: list[str] = []
        errors: list[BaseException] = []

        def finish(name: str, child: Node) -> None:
            with cond:
                self._record_task(scope, name, child)
                results[name] = child
                running.discard(name)
                cont = tasks[name].get("continueOn") or {}
                if (child.phase == "Failed" and not cont.get("failed")) or (child.phase == "Error" and not cont.get("error")):
                    failed.append(name)
                cond.notify_all()

        def settle(name: str, child: Node, phase: str, message: str) -> None:
            """A task that ends without running (dag.go l. 585-598): its result is known at once."""
            child.end(phase, message)
            self._record_task(scope, name, child)
            results[name] = child
            self._notify(child)

        def work(name: str, child: Node) -> None:
            try:
                self._task(child, tasks[name], scope, slots)
            except BaseException as exc:  # surfaced below; the DAG must not hang
                errors.append(exc)
                child.end("Error", str(exc))
            self._notify(child)
            finish(name, child)

        with cond:
            while True:
                halted = bool(failed) or self.procs.stopping.is_set()
                for name in tasks:
                    if name in results or name in running or any(d not in results for d in deps[name]):
                        continue
                    child = node.inner.get(name) or Node(self._new_id(name), name, tasks[name]["template"])
                    node.inner[name] = child
                    depends = tasks[name].get("depends", "")
                    if depends:
                        env = {d.replace("-", "_"): _depends_env(results[d]) for d in deps[name]}
                        logic = _expand_bare(depends, deps[name]).replace("-", "_")
                        try:
                            execute = bool(evaluate(logic, env))
                        except ExprError as exc:
                            settle(name, child, "Error", f"unable to evaluate expression '{logic}': {exc}")
                            failed.append(name)
                            continue
                        if not execute:
                            settle(name, child, "Omitted", "omitted: depends condition not met")
                            continue
                    if halted:  # fail fast: a task whose turn comes after a failure never starts
                        continue
                    running.add(name)
                    threading.Thread(target=work, args=(name, child), daemon=True).start()
                if not running:
                    break
                cond.wait()
        if errors and not isinstance(errors[0], StepError):
            raise errors[0]
        for name in tasks:  # never reached: the DAG failed first, or a dependency upstream never ran
            if name not in results:
                node.inner.setdefault(name, Node(self._new_id(name), name, tasks[name]["template"])).end(
                    "Omitted", "not run: the DAG failed before its turn" if failed else "omitted"
                )
        if self.procs.stopping.is_set():
            return "Failed", "Stopped with strategy 'Stop'", {}, {}
        if failed:
            first = results[failed[0]]
            return first.phase if first.phase in ("Failed", "Error") else "Failed", f"child '{first.id}' failed", {}, {}
        out_params, out_arts = self._dag_outputs(tpl, scope)
        if len(tasks) == 1 and results and next(iter(results.values())).phase in ("Failed", "Error"):
            # a step wrapped for continue_on_failure: Argo shows the wrapper Succeeded, the record says what happened
            node.continued = True
            return "Succeeded", "failed; the run continued (continue_on_failure)", out_params, out_arts
        return "Succeeded", "", out_params, out_arts

    def _record_task(self, scope: _Scope, name: str, child: Node) -> None:
        """A finished task's status and outputs into the DAG's scope (``dag.go`` l. 388-404)."""
        scope.params[f"tasks.{name}.status"] = child.phase
        scope.params[f"tasks.{name}.id"] = child.id
        if child.phase != "Succeeded":
            return
        for k, v in child.params.items():
            scope.params[f"tasks.{name}.outputs.parameters.{k}"] = v
        for k, art in child.artifacts.items():
            scope.artifacts[f"tasks.{name}.outputs.artifacts.{k}"] = art
        if child.group:  # a fan-out: withItems/withParam expanded
            values: dict[str, list[str]] = {}
            maps = []
            for item in child.children:
                if item.phase == "Succeeded" and item.params:
                    maps.append(dict(item.params))
                    for k, v in item.params.items():
                        values.setdefault(k, []).append(v)
            scope.params[f"tasks.{name}.outputs.parameters"] = json.dumps(maps, separators=(",", ":"))
            for k, vs in values.items():
                scope.params[f"tasks.{name}.outputs.parameters.{k}"] = aggregate(vs)

    def _dag_outputs(self, tpl: dict[str, Any], scope: _Scope) -> tuple[dict[str, str], dict[str, Artifact]]:
        outputs = tpl.get("outputs") or {}
        params: dict[str, str] = {}
        for p in outputs.get("parameters", []):
            vf = p.get("valueFrom") or {}
            value: str | None = None
            try:
                if "expression" in vf:
                    # the template's tags are substituted before the expression runs (as Argo resolves a template)
                    got = evaluate(replace(vf["expression"], scope.params, strict=False), expand(scope.params))
                    value = None if got is None else got if isinstance(got, str) else to_json(got)
                elif "parameter" in vf:
                    value = replace(vf["parameter"], scope.params)
            except (ExprError, UnresolvedError):
                value = None
            if value is None:
                if "default" not in vf:
                    raise StepError(f"Unable to resolve outputs.parameters.{p['name']}")
                value = replace(str(vf["default"]), scope.params, strict=False)
            params[p["name"]] = value
        arts: dict[str, Artifact] = {}
        for a in outputs.get("artifacts", []):
            got_art = self._artifact_ref({**a, "optional": a.get("optional", False)}, scope)
            if got_art is not None:
                arts[a["name"]] = got_art
        return params, arts

    # --- tasks and fan-outs ------------------------------------------------

    def _task(self, node: Node, task: dict[str, Any], scope: _Scope, slots: threading.BoundedSemaphore | None) -> None:
        tpl = self.templates.get(task["template"])
        if tpl is None:
            node.end("Error", f"template {task['template']} not found")
            return
        items: list[Any] | None = None
        try:
            if "withItems" in task:
                items = list(task["withItems"])
            elif "withParam" in task:
                text = replace(task["withParam"], scope.params)
                loaded = json.loads(text)
                if not isinstance(loaded, list):
                    raise StepError(f"withParam value could not be parsed as a JSON list: {text}")
                items = loaded
        except (UnresolvedError, ValueError) as exc:
            node.end("Error", f"withParam: {exc}")
            return
        if items is None:
            self._expanded(node, task, tpl, scope, None, slots)
            return
        node.total = len(items)
        node.group = True
        node.start()
        self._notify(node)
        for i, item in enumerate(items):
            node.children.append(
                Node(self._new_id(f"{task['name']}({i}:{_item_text(item)})"), task["name"], tpl["name"], item=item, is_item=True)
            )
        threads = [
            threading.Thread(target=self._expanded, args=(child, task, tpl, scope, child.item, slots), daemon=True)
            for child in node.children
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        phases = [c.phase for c in node.children]
        # a task group fails when an item fails or errors (dag.go completableTaskGroupPhase l. 253-268)
        bad = next((c for c in node.children if c.phase in ("Failed", "Error")), None)
        if bad is not None:
            node.end(bad.phase, f"child '{bad.id}' failed")
        elif phases and all(p == "Skipped" for p in phases):
            node.end("Skipped")
        else:
            node.end("Succeeded")

    def _expanded(
        self,
        node: Node,
        task: dict[str, Any],
        tpl: dict[str, Any],
        scope: _Scope,
        item: Any,
        slots: threading.BoundedSemaphore | None,
    ) -> None:
        local = dict(scope.params)
        if item is not None or node.is_item:
            local["item"] = _item_text(item)
            if isinstance(item, dict):
                for k, v in item.items():
                    local[f"item.{k}"] = _item_text(v)
        try:
            args = task.get("arguments") or {}
            params = {p["name"]: replace(str(p.get("value", "")), local) for p in args.get("parameters", [])}
            arts = {
                a["name"]: self._artifact_ref(a, scope, {"item": local.get("item")} if "item" in local else None)
                for a in args.get("artifacts", [])
            }
            if "when" in task:
                cond = replace(task["when"], local).strip()
                # govaluate over the substituted text: "true"/"false", or the forms expr-lang shares with it
                run = cond.lower() == "true" if cond.lower() in ("true", "false") else bool(evaluate(cond, {}))
                if not run:
                    node.end("Skipped", f"when '{cond}' evaluated false")
                    self._notify(node)
                    return
        except (UnresolvedError, StepError, ExprError) as exc:
            node.end("Error", str(exc))
            self._notify(node)
            return
        try:
            held = self._semaphores(tpl, scope)
        except StepError as exc:
            node.end("Error", str(exc))
            self._notify(node)
            return
        if slots is not None:
            slots.acquire()
        for sem in held:
            sem.acquire()
        try:
            if "dag" in tpl:  # a pod's node stays Pending until it gets a slot (_leaf)
                node.start()
            try:
                phase, msg, out_params, out_arts = self._template(node, tpl, params, arts, scope)
            except StepError as exc:
                phase, msg, out_params, out_arts = "Error", str(exc), {}, {}
            if "dag" in tpl:
                self._lift_fan_out(node)
            node.params, node.artifacts = out_params, out_arts
            node.end(phase, msg)
        finally:
            for sem in held:
                sem.release()
            if slots is not None:
                slots.release()
        self._notify(node)

    def _semaphores(self, tpl: dict[str, Any], scope: _Scope) -> list[threading.BoundedSemaphore]:
        """The semaphores a template takes (``synchronization``), each sized once from its ConfigMap key.

        As Argo's controller: the names are substituted with the template (workflow/common/util.go
        SubstituteParams), the limit is ``strconv.Atoi`` of the key, read when the lock is first taken
        (workflow/controller/controller.go createSynchronizationManager l. 471-492); a missing ConfigMap or
        key, or a limit that is not an integer, errors the node.
        """
        out = []
        for sem in (tpl.get("synchronization") or {}).get("semaphores", []):
            try:
                ref = substitute(sem["configMapKeyRef"], scope.globals())
            except UnresolvedError as exc:
                raise StepError(f"failed to resolve {exc}") from None
            name, key = str(ref["name"]), str(ref["key"])
            with self.lock:
                if (name, key) not in self.semaphores:
                    if name not in self.config_maps:
                        raise StepError(f'configmaps "{name}" not found')
                    text = self.config_maps[name].get(key)
                    if text is None:
                        raise StepError(f"Sync configuration key '{key}' not found in ConfigMap")
                    if not re.fullmatch(r"[+-]?[0-9]+", text):
                        raise StepError(f'strconv.Atoi: parsing "{text}": invalid syntax')
                    self.semaphores[(name, key)] = threading.BoundedSemaphore(max(1, int(text)))
                out.append(self.semaphores[(name, key)])
        return out

    @staticmethod
    def _lift_fan_out(node: Node) -> None:
        """A throttled fan-out is a DAG around one looped task (after the task writing its limit, when that is
        a value): its items are the step's items."""
        looped = [n for n in node.inner.values() if n.total is not None]
        if len(looped) == 1:
            node.total = looped[0].total
            node.children = looped[0].children

    # --- pods --------------------------------------------------------------

    def _leaf(
        self,
        node: Node,
        tpl: dict[str, Any],
        params: dict[str, str],
        artifacts: dict[str, Artifact | None],
        outer: _Scope,
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        flat = outer.globals()
        for k, v in params.items():
            flat[f"inputs.parameters.{k}"] = v
        for a in (tpl.get("inputs") or {}).get("artifacts", []):
            if "path" in a:
                flat[f"inputs.artifacts.{a['name']}.path"] = a["path"]
        flat["pod.name"] = node.id
        flat["node.name"] = node.id
        memo = tpl.get("memoize")
        key = ""
        if memo:
            try:
                key = replace(str(memo["key"]), flat)
            except UnresolvedError as exc:
                return "Error", f"memoize key: {exc}", {}, {}
            if not CACHE_KEY.match(key):  # Argo refuses it: workflow/controller/cache/cache.go l. 25
                return "Error", f"invalid cache key {key!r}", {}, {}
            if self.options.use_cache:
                hit = self.cache.load(memo["cache"]["configMap"]["name"], key, _duration(memo.get("maxAge")))
                if hit is not None:
                    node.cached, node.attempts = True, 0
                    node.start()
                    return "Succeeded", "cached", hit[0], hit[1]
        retry = tpl.get("retryStrategy") or {}
        limit = int(retry.get("limit", 0)) if retry else 0
        policy = retry.get("retryPolicy", "OnFailure")
        backoff = retry.get("backoff") or {}
        first_start: float | None = None
        node.log = self.folder / "logs" / f"{node.id}.log"
        node.log.parent.mkdir(parents=True, exist_ok=True)
        phase, msg = "Error", ""
        out_p: dict[str, str] = {}
        out_a: dict[str, Artifact] = {}
        while True:
            node.attempts += 1
            flat["retries"] = str(node.attempts - 1)
            with self.pods:
                if self.procs.stopping.is_set():
                    return "Failed", "Stopped with strategy 'Stop'", {}, {}
                node.start()
                self._notify(node)
                first_start = first_start or time.time()
                phase, msg, out_p, out_a = self._attempt(node, tpl, flat, artifacts)
            if phase == "Succeeded" or self.procs.stopping.is_set():
                break
            retry_it = (
                policy == "Always" or (policy == "OnFailure" and phase == "Failed") or (policy == "OnError" and phase == "Error")
            )
            if not retry or not retry_it or node.attempts > limit:
                break
            wait = _duration(backoff.get("duration")) if backoff else 0.0
            factor = int(backoff.get("factor", 0) or 0) if backoff else 0
            if factor > 0:
                wait *= factor ** (node.attempts - 1)
            if backoff.get("cap"):
                wait = min(wait, _duration(backoff["cap"]))
            if backoff.get("maxDuration") and time.time() + wait > first_start + _duration(backoff["maxDuration"]):
                msg = "Backoff would exceed max duration limit"
                break
            with open(node.log, "a", encoding="utf-8") as fh:
                fh.write(f"--- mldsl: attempt {node.attempts} {phase}: {msg}; retrying in {wait:g}s ---\n")
            node.message = f"Backoff for {wait:g}s"
            self._notify(node)
            if self.procs.stopping.wait(wait):
                return "Failed", "Stopped with strategy 'Stop'", {}, {}
        if phase == "Succeeded" and memo and key:
            self.cache.save(memo["cache"]["configMap"]["name"], key, out_p, out_a)
        return phase, msg, out_p, out_a

    def _attempt(
        self,
        node: Node,
        tpl: dict[str, Any],
        flat: dict[str, Any],
        artifacts: dict[str, Artifact | None],
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        step_dir = self.folder / "steps" / node.id
        if step_dir.exists():
            shutil.rmtree(step_dir)
        (step_dir / "mldsl" / "outputs").mkdir(parents=True)
        body = {k: v for k, v in tpl.items() if k not in ("memoize",)}
        try:
            # with the pod's own pass, as Argo makes it when it creates the pod
            resolved = substitute(body, flat, pod_name=f"{self.workflow.get('name', 'run')}-{node.id}")
        except UnresolvedError as exc:
            return "Error", f"failed to resolve {exc}", {}, {}
        for a in (tpl.get("inputs") or {}).get("artifacts", []):
            art = artifacts.get(a["name"])
            if art is None or "path" not in a:
                continue
            target = _in_step(step_dir, a["path"])
            if target is None:
                return "Error", f"input artifact {a['name']} at {a['path']}: only /mldsl/ paths map to this machine", {}, {}
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(art.path.resolve(), target_is_directory=art.path.is_dir())
        labels = (tpl.get("metadata") or {}).get("labels", {})
        code = self.options.code.get((labels.get("mldsl.io/module", ""), labels.get("mldsl.io/module-version", "")))
        deadline = time.time() + int(tpl["activeDeadlineSeconds"]) if tpl.get("activeDeadlineSeconds") else None
        if "resource" in resolved:
            return self._resource(node, resolved, step_dir, deadline)
        if DEPLOY_LABEL in labels:  # a deploy step's pod would apply to a cluster: its objects go to the run folder
            return self._deploy(node, resolved)
        try:
            spec = pod_spec(resolved, step_dir, code, self._step_mounts(resolved, step_dir), self.options.secrets)
        except ValueError as exc:
            return "Error", str(exc), {}, {}
        argv = docker_argv(spec, step_dir, code) if self.options.executor == "docker" else spec.argv
        assert node.log is not None
        if node.attempts > 1 or node.log.exists():
            with open(node.log, "a", encoding="utf-8") as fh:
                fh.write(f"--- mldsl: attempt {node.attempts} ---\n")
        phase, msg = run_process(argv, spec.env, spec.cwd, node.log, deadline, self.procs)
        if phase != "Succeeded":
            return phase, msg, {}, {}
        return self._collect(node, tpl, resolved, step_dir, flat)

    def _step_mounts(self, obj: dict[str, Any], step_dir: Path) -> Mounts:
        """The run's mounts, plus the pod's own emptyDir volumes (a RAM disk, a scratch disk) as step folders;
        a claim's mount path is mapped by the Project's ``local.mounts`` (checked before the run)."""
        extra: dict[str, Path] = {}
        for name, vol, path in pod_volumes(obj):
            if "emptyDir" in vol and not path.startswith("/mldsl"):
                folder = step_dir / "volumes" / name
                folder.mkdir(parents=True, exist_ok=True)
                extra[path] = folder
        return self.mounts.with_paths(extra) if extra else self.mounts

    def _collect(
        self, node: Node, tpl: dict[str, Any], resolved: dict[str, Any], step_dir: Path, flat: dict[str, Any]
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        """Output parameters from their files, artifacts into the repository (the wait container's job)."""
        outputs = resolved.get("outputs") or {}
        params: dict[str, str] = {}
        for p in outputs.get("parameters", []):
            vf = p.get("valueFrom") or {}
            path = vf.get("path", "")
            local = _in_step(step_dir, path)
            if local is not None and local.is_file():
                params[p["name"]] = local.read_text(encoding="utf-8").strip()  # argo trims (executor.go saveParameters)
            elif "default" in vf:
                params[p["name"]] = str(vf["default"])
            else:
                return "Error", f"failed to read output parameter {p['name']}: no file at {path}", {}, {}
        arts: dict[str, Artifact] = {}
        for a in outputs.get("artifacts", []):
            path = a.get("path", "")
            local = _in_step(step_dir, path)
            if local is None or not local.exists():
                if a.get("optional"):
                    continue
                return "Error", f"failed to save output artifact {a['name']}: nothing at {path}", {}, {}
            if "s3" in a:
                uri = s3_uri(a["s3"])
                try:
                    dest = self.mounts.local(uri)
                except MountError:
                    return "Error", f"output artifact {a['name']}: no local place for {uri}", {}, {}
            else:
                uri = None
                dest = self.folder / "artifacts" / node.id / a["name"]
            if dest.exists():
                shutil.rmtree(dest) if dest.is_dir() and not dest.is_symlink() else dest.unlink()
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(local), str(dest))
            arts[a["name"]] = Artifact(dest, uri)
        return "Succeeded", "", params, arts

    def _resource(
        self, node: Node, resolved: dict[str, Any], step_dir: Path, deadline: float | None
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        """An operator's object: a Spark or training job run here, or a ``deploy:`` manifest written to the run folder."""
        import yaml

        text = resolved["resource"].get("manifest", "")
        kind = resource_kind(text)
        try:
            obj = json.loads(text)
        except ValueError:
            obj = yaml.safe_load(text)
        assert node.log is not None
        if kind in RUN_KINDS:  # kept for the run (a semaphore's limit); the run folder has it in its record
            name = str((obj.get("metadata") or {}).get("name", ""))
            with self.lock:
                if name in self.config_maps:
                    return "Error", f'configmaps "{name}" already exists', {}, {}
                self.config_maps[name] = {str(k): str(v) for k, v in (obj.get("data") or {}).items()}
            node.log.write_text(f"configmap/{name} created\n")
            return "Succeeded", "", {}, {}
        if kind in LOCAL_KINDS:
            labels = (obj.get("metadata") or {}).get("labels") or {}
            code = self.options.code.get((labels.get("mldsl.io/module", ""), labels.get("mldsl.io/module-version", "")))
            loc = Localizer(code, self._step_mounts(obj, step_dir), self.options.secrets)
            try:
                if kind == "SparkApplication":
                    phase, msg = run_spark(obj, loc, step_dir, node.log, deadline, self.procs)
                else:
                    phase, msg = run_training(obj, loc, step_dir, node.log, deadline, self.procs)
            except JobError as exc:
                return "Error", str(exc), {}, {}
            return phase, msg, {}, {}
        if kind not in DEPLOY_KINDS:
            return "Error", f"{kind} jobs do not run on this machine", {}, {}
        return self._write_deploy(node, [(obj, resolved["resource"].get("action", "apply"))])

    def _deploy(self, node: Node, resolved: dict[str, Any]) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        """A deploy pod (``mldsl.io/deploy``): the objects it would apply, in the order it would apply them."""
        env = {e["name"]: e.get("value", "") for e in resolved["script"].get("env", [])}
        objs = [json.loads(env[k]) for k in DEPLOY_ENV if k in env]
        return self._write_deploy(node, [(o, "apply") for o in objs])

    def _write_deploy(
        self, node: Node, objs: list[tuple[dict[str, Any], str]]
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        import yaml

        assert node.log is not None
        for i, (obj, action) in enumerate(objs):
            kind = obj.get("kind", "object")
            name = (obj.get("metadata") or {}).get("name") or (obj.get("metadata") or {}).get("generateName", "object")
            first = "" if i == len(objs) - 1 else ".first"
            dest = self.folder / "deploy" / f"{node.id}{first}.{kind.lower()}.yaml"
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(yaml.safe_dump(obj, sort_keys=False, allow_unicode=True), encoding="utf-8")
            with open(node.log, "a", encoding="utf-8") as fh:
                fh.write(f"mldsl run: would {action} {kind} {name}; manifest written to {dest}\n")
            node.message = f"{kind} {name} written to {dest.relative_to(self.folder)}"
        return "Succeeded", node.message, {}, {}
