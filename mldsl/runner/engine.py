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
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mldsl.argo.depends import DependsError, TaskResult, depends_names, evaluate_depends
from mldsl.argo.exprlang import ExprError, evaluate, go_string, to_json
from mldsl.argo.gostrconv import format_float_json
from mldsl.argo.template import UnresolvedError, expand, replace, substitute
from mldsl.runner.cache import KEY as CACHE_KEY
from mldsl.runner.cache import StepCache
from mldsl.runner.mounts import MountError, Mounts, pod_volumes, s3_uri
from mldsl.runner.nodes import Artifact, Node
from mldsl.runner.operators import LOCAL_KINDS, JobError, Localizer, run_spark, run_training
from mldsl.runner.processes import LocalCode, Processes, docker_argv, pod_spec, run_process
from mldsl.runner.schedule import DagSchedule
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
    #: a workflow mldsl did not write: each pod gets a filesystem of its own and its image's commands (pods.py)
    pod_roots: bool = False
    #: the default artifact repository's bucket (``artifact-repositories``), for key-only artifacts
    default_bucket: str = "default"


@dataclass
class _Scope:
    """A DAG's scope: flat parameters (Argo's ``wfScope.scope``) and artifacts."""

    params: dict[str, Any]
    artifacts: dict[str, Artifact | None]
    #: the workflow's global outputs (``globalName``), one map shared by every scope of a run
    shared: dict[str, Any] = field(default_factory=dict)
    #: the WorkflowTemplate whose templates the names in this scope's template resolve in (a ``templateRef``)
    ctx: tuple[str, bool] | None = None

    def __post_init__(self) -> None:
        self.params.update(self.shared)

    def copy(self) -> _Scope:
        return _Scope(dict(self.params), dict(self.artifacts), self.shared)

    def globals(self) -> dict[str, Any]:
        """The ``workflow.*`` values: the only part of a caller's scope a called template sees."""
        out = {k: v for k, v in self.params.items() if k.startswith("workflow.")}
        out.update(self.shared)
        return out


def task_dependencies(task: dict[str, Any]) -> list[str]:
    """The tasks a DAG task waits for: named in ``depends``, or listed in ``dependencies`` (ancestry.go)."""
    return depends_names(str(task.get("depends") or ""), [str(d) for d in task.get("dependencies") or []])


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


#: the node every pod runs on here (``{{steps.X.hostNodeName}}``)
HOST_NODE = socket.gethostname()

#: how long a daemon may take to become ready before the run says it would wait for ever
DAEMON_READY_WAIT = 60.0

#: an argument that refers to an absent optional (``common.AbsentOptionalArgumentValue``)
ABSENT = "\x00mldsl-absent-optional\x00"

#: the key a template resolved through ``templateRef`` carries: its WorkflowTemplate, for its own references
CTX = "mldsl-template-context"


class WouldHangError(StepError):
    """A reference Argo would wait for for ever (it requeues the workflow): the local run ends Error at once."""


def _continues(task: dict[str, Any], phase: str) -> bool:
    """Whether the task's ``continueOn`` covers this phase (``workflow_types.go`` ContinuesOn)."""
    cont = task.get("continueOn") or {}
    return bool((phase == "Failed" and cont.get("failed")) or (phase == "Error" and cont.get("error")))


def _template_name(holder: dict[str, Any]) -> str:
    if "templateRef" in holder:
        return str(holder["templateRef"].get("template", ""))
    return str(holder.get("template", holder.get("name", "")))


def _result(node: Node) -> TaskResult:
    return TaskResult(node.phase, tuple(c.phase for c in node.children) if node.group else None, node.daemoned)


def _rfc3339(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _json_item(text: str) -> Any:
    """One item's result in an aggregate: its JSON value, or the text itself when it is not JSON."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _item_name(item: Any) -> str:
    """How Argo names an expanded node: ``name(index:item)``, a map as its sorted ``key:value`` pairs
    (``operator.go`` processItem l. 4100-4130)."""
    if isinstance(item, dict):
        return ",".join(sorted(f"{k}:{go_string(v)}" for k, v in item.items()))
    if isinstance(item, str):
        return item
    return go_string(item)


def go_value_text(v: Any) -> str:
    """A YAML value as Argo's ``AnyString`` keeps it: strings as they are, numbers and booleans as written,
    lists and maps as JSON (``workflow_types.go`` AnyString UnmarshalJSON)."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, dict)):
        return to_json(v)
    if isinstance(v, float):
        return format_float_json(v)
    return str(v)


def _trim_newline(text: str) -> str:
    """An output parameter's file as Argo keeps it: ``strings.TrimSuffix(out, "\\n")`` (executor.go)."""
    return text[:-1] if text.endswith("\n") else text


def _place_text(root: Any, step_dir: Path, pod_path: str, text: str, mode: int = 0o644) -> None:
    """A file written at ``pod_path`` before the pod starts (a raw artifact, a script's source)."""
    staged = step_dir / "staging" / pod_path.strip("/").replace("/", "__")
    staged.parent.mkdir(parents=True, exist_ok=True)
    staged.write_text(text, encoding="utf-8")
    staged.chmod(mode)
    root.place(pod_path, staged)


def _should_execute(when: str) -> bool:
    """A ``when`` after substitution, as govaluate reads it (``steps.go`` shouldExecute l. 384-420)."""
    try:
        from mldsl.argo.govaluate import WhenError, should_execute
    except ImportError:  # interim
        return when.lower() == "true" if when.lower() in ("true", "false") else bool(evaluate(when, {}))
    try:
        return should_execute(when)
    except WhenError as exc:
        raise StepError(str(exc)) from None


def merge_defaults(tpl: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """``templateDefaults`` under a template: the template's own fields win, maps merge (``workflow_types.go``
    Template.MergeTemplateDefault: a strategic merge of the defaults' JSON under the template's)."""

    def merge(base: Any, over: Any) -> Any:
        if isinstance(base, dict) and isinstance(over, dict):
            out = dict(base)
            for k, v in over.items():
                out[k] = merge(base.get(k), v) if k in base else v
            return out
        return over

    kind = next((k for k in ("container", "script", "containerSet", "dag", "steps", "resource", "suspend") if k in tpl), "")
    base = {k: v for k, v in defaults.items() if (k in ("container", "script") and kind == k) or k not in ("container", "script")}
    return dict(merge(base, tpl))


def go_sprintf_int(fmt: str, i: int) -> str:
    """Go's ``fmt.Sprintf(format, i)`` for the integer verbs a ``withSequence.format`` uses."""
    try:
        return fmt.replace("%v", "%d") % i
    except (TypeError, ValueError):
        return f"%!(EXTRA int={i})" if "%" not in fmt else fmt


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
        self.status = "Running"
        self.message = ""
        self.outputs: dict[str, Any] = {}
        #: why an approval was refused: the run stops as with ``argo stop``, which still runs the exit handler
        self.rejected = ""
        #: why the run would wait for ever on a cluster (a reference that never resolves): it ends Error at once
        self.hang = ""
        #: ``globalName`` outputs: ``workflow.outputs.parameters.*`` and ``...artifacts.*``
        self.global_params: dict[str, str] = {}
        self.global_artifacts: dict[str, Artifact] = {}
        #: the flat ``workflow.outputs.*`` keys every scope sees (see _Scope.shared)
        self.shared: dict[str, Any] = {}

    # --- the workflow ------------------------------------------------------

    def run(self, params: dict[str, str], artifacts: dict[str, Artifact] | None = None) -> str:
        """Run the entrypoint, then the exit handler; the workflow's phase. ``artifacts``: given instead of the defaults."""
        scope = _Scope({f"workflow.{k}": v for k, v in self.workflow.items()}, {}, self.shared)
        for name, value in params.items():
            scope.params[f"workflow.parameters.{name}"] = value
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
            in_params = {p["name"]: params.get(p["name"]) for p in (entry.get("inputs") or {}).get("parameters", [])}
            phase, msg, out_params, out_arts = self._template(self.main, entry, in_params, art_args, scope)
        except StepError as exc:
            phase, msg, out_params, out_arts = "Error", str(exc), {}, {}
        if self.hang:
            phase, msg = "Error", self.hang
        self.main.params, self.main.artifacts = out_params, out_arts
        self.main.end(phase, msg)
        self._notify(self.main)
        status = "Failed" if self.procs.stopping.is_set() and not self.hang else phase
        self.status, self.message = status, self.rejected or msg
        # the exit handler: spec.onExit, or the workflow's exit hook (workflow_types.go GetExitHook)
        exit_hook = (self.spec.get("hooks") or {}).get("exit") or {}
        exit_holder = {"template": self.spec["onExit"]} if self.spec.get("onExit") else exit_hook
        if exit_holder and not self.hang:
            if self.rejected:  # Stop, not Terminate: exit handlers run (operator.go ShouldExecute)
                self.procs.stopping.clear()
            exit_scope = scope.copy()
            exit_scope.params["workflow.status"] = status
            exit_scope.params["workflow.failures"] = json.dumps(self._failures())
            exit_scope.params["workflow.duration"] = f"{time.time() - (self.main.started or time.time()):f}"
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
        return self.status

    def _runtime_globals(self) -> dict[str, str]:
        """``workflow.status`` and ``workflow.duration`` while the workflow runs (``operator.go``
        setGlobalRuntimeParameters l. 4559-4562: the phase, and the seconds as ``%f``)."""
        return {"workflow.status": "Running", "workflow.duration": f"{time.time() - (self.main.started or time.time()):f}"}

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
        """Run ``tpl`` with its arguments: (phase, message, output params, output artifacts).

        Inputs as ``common/util.go`` ProcessArgs takes them (l. 197-250): the argument, else the input's own
        ``value`` or ``default``, else its ``valueFrom.configMapKeyRef``; an input with none is an error.
        """
        inputs = tpl.get("inputs") or {}
        values: dict[str, str] = {}
        for p in inputs.get("parameters", []):
            vf = p.get("valueFrom") or {}
            if params.get(p["name"]) == ABSENT:
                if "value" not in p and "default" not in p and not vf:
                    raise StepError(
                        f"inputs.parameters.{p['name']}: argument references an absent optional"
                        " (skipped/omitted node output with no default)"
                    )
                params = {k: v for k, v in params.items() if k != p["name"]}
            if params.get(p["name"]) is not None:
                values[p["name"]] = str(params[p["name"]])
            elif "value" in p or "default" in p:
                # the template's own value is substituted with the globals in the first pass, before inputs are
                # known (common/util.go SubstituteParams l. 273-283)
                own_value = go_value_text(p["value"] if "value" in p else p["default"])
                values[p["name"]] = replace(own_value, outer.globals(), strict=False) if "{{" in own_value else own_value
            elif "configMapKeyRef" in vf:
                values[p["name"]] = self._config_map_value(vf["configMapKeyRef"], outer, vf)
            elif "default" in vf:
                values[p["name"]] = go_value_text(vf["default"])
            else:
                raise StepError(f"inputs.parameters.{p['name']} was not supplied")
        try:
            tpl, values = self._argo_passes(node, tpl, values, outer)
        except UnresolvedError as exc:
            raise StepError(f"failed to resolve {exc}") from None
        arts: dict[str, Artifact | None] = {}
        # a location may use the template's own inputs: Argo substitutes the whole template (common/util.go ProcessArgs)
        own = {f"inputs.parameters.{k}": v for k, v in values.items()}
        for a in inputs.get("artifacts", []):
            given = artifacts.get(a["name"])
            if "raw" in a and given is None:  # written at its path when the pod starts
                arts[a["name"]] = None
                continue
            if given is None and "s3" in a:
                given = self._artifact_ref(a, outer, own)
            if given is None and not a.get("optional"):
                raise StepError(f"inputs.artifacts.{a['name']} was not supplied")
            arts[a["name"]] = given
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
        flat.update({f"inputs.parameters.{k}": v for k, v in done.items()})
        flat["inputs.parameters"] = json.dumps(
            [{"name": k, "value": v} for k, v in done.items()], separators=(",", ":"), ensure_ascii=False
        )
        for a in (first.get("inputs") or {}).get("artifacts", []):
            if a.get("path"):
                flat[f"inputs.artifacts.{a['name']}.path"] = a["path"]
        outs = first.get("outputs") or {}
        for a in outs.get("artifacts", []):
            if a.get("path"):
                flat[f"outputs.artifacts.{a['name']}.path"] = a["path"]
        for p in outs.get("parameters", []):
            if (p.get("valueFrom") or {}).get("path"):
                flat[f"outputs.parameters.{p['name']}.path"] = p["valueFrom"]["path"]
        second = json.loads(replace(json.dumps(first, ensure_ascii=False), flat, strict=False, json_escaped=True))
        if CTX in tpl:
            second[CTX] = tpl[CTX]
        return second, {**values, **done} if values else done

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
        return merge_defaults(tpl, defaults) if defaults else tpl

    def _config_map_value(self, ref: dict[str, Any], scope: _Scope, vf: dict[str, Any]) -> str:
        """A ``configMapKeyRef`` value, from the ConfigMaps beside the workflow (as applied to the cluster)."""
        name, key = replace(str(ref.get("name", "")), scope.params), str(ref.get("key", ""))
        data = self.config_maps.get(name)
        if data is None or key not in data:
            if "default" in vf:
                return go_value_text(vf["default"])
            if ref.get("optional"):
                return ""
            raise StepError(
                f'configmaps "{name}" not found' if data is None else f"ConfigMap '{name}' does not have the key '{key}'"
            )
        return str(data[key])

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
            if key.startswith("workflow.outputs.artifacts.") and key not in scope.artifacts:
                got = self.global_artifacts.get(key.removeprefix("workflow.outputs.artifacts."))
                if got is not None:
                    return got
            if key not in scope.artifacts:
                if a.get("optional"):
                    return None
                raise StepError(f"Unable to resolve: {ref}")
            found = scope.artifacts[key]
            if found is not None and a.get("subPath"):  # a path inside the artifact (artifacts.go subPath)
                inner = found.path / replace(str(a["subPath"]), flat)
                if not inner.exists():
                    raise StepError(f"artifact {a['name']}: subPath {a['subPath']} is not in {ref}")
                return Artifact(inner, None)
            return found
        if "raw" in a:  # its data, as a file the pod finds at its path
            dest = self.folder / "artifacts" / "raw" / re.sub(r"[^A-Za-z0-9_.-]", "-", str(a["name"]))
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(replace(str(a["raw"].get("data", "")), flat, strict=False), encoding="utf-8")
            return Artifact(dest, None)
        if "s3" in a:
            try:
                loc = {k: replace(str(v), flat) for k, v in a["s3"].items()}
            except UnresolvedError as exc:
                raise StepError(f"artifact {a['name']}: {exc}") from None
            uri = s3_uri({"bucket": self.options.default_bucket, **loc})
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
        """Drive one DAG with :class:`~mldsl.runner.schedule.DagSchedule`: start what it decides, report what ended."""
        scope = self._inner_scope(outer, params, artifacts, tpl)
        tasks = {t["name"]: t for t in tpl["dag"]["tasks"]}
        deps = {n: [d for d in task_dependencies(t) if d in tasks] for n, t in tasks.items()}

        def depends(name: str, results: Mapping[str, object]) -> bool:
            task = tasks[name]
            try:
                return evaluate_depends(
                    str(task.get("depends") or ""),
                    {d: r for d, r in results.items() if isinstance(r, TaskResult)},
                    tasks=tasks,
                    dependencies=[str(d) for d in task.get("dependencies") or []],
                )
            except (DependsError, LookupError) as exc:
                raise ValueError(str(exc)) from None

        plan = DagSchedule(
            deps,
            {n: bool(t.get("depends") or t.get("dependencies")) for n, t in tasks.items()},
            depends,
            lambda n, phase: _continues(tasks[n], phase),
            target=str(tpl["dag"].get("target") or "").split(),
            fail_fast=tpl["dag"].get("failFast", True) is not False,
        )
        slots = threading.BoundedSemaphore(int(tpl["parallelism"])) if tpl.get("parallelism") else None
        cond = threading.Condition()
        running: set[str] = set()
        errors: list[BaseException] = []
        ended: list[tuple[str, Node]] = []

        def work(name: str, child: Node) -> None:
            try:
                self._task(child, tasks[name], scope, slots)
            except BaseException as exc:  # surfaced below; the DAG must not hang
                errors.append(exc)
                child.end("Error", str(exc))
            self._notify(child)
            with cond:
                ended.append((name, child))
                running.discard(name)
                cond.notify_all()

        def child_of(name: str) -> Node:
            child = node.inner.get(name) or Node(self._new_id(name), name, _template_name(tasks[name]))
            node.inner[name] = child
            return child

        pending = plan.start()
        with cond:
            while True:
                while pending:
                    d = pending.pop(0)
                    child = child_of(d.task)
                    if d.action != "run":
                        child.end("Omitted" if d.action == "omit" else "Error", d.message)
                        self._record_task(scope, d.task, child)
                        self._notify(child)
                        pending.extend(plan.finish(d.task, child.phase, _result(child)))
                        continue
                    if plan.halted or self.procs.stopping.is_set():
                        continue  # fail fast: a task whose turn comes after the DAG failed never starts
                    running.add(d.task)
                    threading.Thread(target=work, args=(d.task, child), daemon=True).start()
                while ended:
                    name, child = ended.pop(0)
                    self._record_task(scope, name, child)
                    pending.extend(plan.finish(name, child.phase, _result(child)))
                if pending:
                    continue
                if not running:
                    break
                cond.wait()
        if errors and not isinstance(errors[0], StepError):
            raise errors[0]
        for name in plan.never_started():
            child_of(name).end("Omitted", "not run: the DAG failed before its turn")
        if self.procs.stopping.is_set():
            return "Failed", "Stopped with strategy 'Stop'", {}, {}
        phase, culprit = plan.phase()
        if phase != "Succeeded":
            return phase, f"child '{node.inner[culprit].id}' failed", {}, {}
        out_params, out_arts = self._dag_outputs(tpl, scope)
        only = next(iter(node.inner.values())) if len(tasks) == 1 and node.inner else None
        if only is not None and only.phase in ("Failed", "Error"):
            # a step wrapped for continue_on_failure: Argo shows the wrapper Succeeded, the record says what happened
            node.continued = True
            return "Succeeded", "failed; the run continued (continue_on_failure)", out_params, out_arts
        return "Succeeded", "", out_params, out_arts

    def _steps(
        self,
        node: Node,
        tpl: dict[str, Any],
        params: dict[str, str],
        artifacts: dict[str, Artifact | None],
        outer: _Scope,
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        """A steps template: each group's steps run in parallel after the previous group succeeded (``steps.go``
        executeSteps l. 69-130: a group that failed or errored fails the template with its message)."""
        scope = self._inner_scope(outer, params, artifacts, tpl)
        slots = threading.BoundedSemaphore(int(tpl["parallelism"])) if tpl.get("parallelism") else None
        for i, group in enumerate(tpl.get("steps") or []):
            steps = group if isinstance(group, list) else (group or {}).get("steps", [])
            children = []
            for step in steps:
                child = Node(self._new_id(step["name"]), step["name"], _template_name(step), kind="steps")
                node.inner[f"{i}.{step['name']}"] = child
                children.append((step, child))
            threads = [
                threading.Thread(target=self._step_work, args=(child, step, scope, slots), daemon=True)
                for step, child in children
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            for step, child in children:
                self._record_task(scope, step["name"], child, prefix="steps")
            if self.procs.stopping.is_set():
                return "Failed", "Stopped with strategy 'Stop'", {}, {}
            # a group fails when a child failed or errored without continueOn (steps.go executeStepGroup l. 362-372)
            bad = next(((s, c) for s, c in children if c.phase in ("Failed", "Error") and not _continues(s, c.phase)), None)
            if bad is not None:
                return "Failed", f"child '{bad[1].id}' failed", {}, {}
        out_params, out_arts = self._dag_outputs(tpl, scope)
        return "Succeeded", "", out_params, out_arts

    def _step_work(self, child: Node, step: dict[str, Any], scope: _Scope, slots: threading.BoundedSemaphore | None) -> None:
        try:
            self._task(child, step, scope, slots, prefix="steps")
        except StepError as exc:
            child.end("Error", str(exc))
        self._notify(child)

    def _inner_scope(
        self, outer: _Scope, params: dict[str, str], artifacts: dict[str, Artifact | None], tpl: dict[str, Any]
    ) -> _Scope:
        ctx = tpl.get(CTX)
        scope = _Scope(outer.globals(), {}, outer.shared, (str(ctx[0]), bool(ctx[1])) if ctx else None)
        for k, v in params.items():
            scope.params[f"inputs.parameters.{k}"] = v
        for k, art in artifacts.items():
            scope.artifacts[f"inputs.artifacts.{k}"] = art
        return scope

    def _record_task(self, scope: _Scope, name: str, child: Node, prefix: str = "tasks") -> None:
        """A finished task's status and outputs into its DAG's or steps' scope.

        Outputs are kept whatever the phase: a step that wrote them and then failed keeps them (the wait
        container saves them, ``cmd/argoexec/commands/postmain``; ``operator.go`` buildLocalScope l. 3632-3685).
        A fan-out's aggregates are made from its succeeded items only; a group none of whose items
        succeeded has no per-output aggregate, so a reference to one never resolves (``operator.go``
        processAggregateNodeOutputs l. 3743-3806). A skipped or omitted task's declared outputs take their
        ``default``, or are absent (``scope.go`` addSkippedNodeOutputsToScope l. 117-151).
        """
        key = f"{prefix}.{name}"
        scope.params[f"{key}.status"] = child.phase
        scope.params[f"{key}.id"] = child.id
        if child.started is not None:
            scope.params[f"{key}.startedAt"] = _rfc3339(child.started)
        if child.finished is not None:
            scope.params[f"{key}.finishedAt"] = _rfc3339(child.finished)
        if child.exit_code is not None:
            scope.params[f"{key}.exitCode"] = child.exit_code
        if child.daemoned:  # a daemon's pod IP: pods share this machine's network
            scope.params[f"{key}.ip"] = "127.0.0.1"
        if child.started is not None and any(k in (child.spec or {}) for k in ("container", "script", "containerSet")):
            scope.params[f"{key}.hostNodeName"] = HOST_NODE
        if child.result is not None:
            scope.params[f"{key}.outputs.result"] = child.result
        for k, v in child.params.items():
            scope.params[f"{key}.outputs.parameters.{k}"] = v
        for k, art in child.artifacts.items():
            scope.artifacts[f"{key}.outputs.artifacts.{k}"] = art
        if child.group and child.children:  # a fan-out: withItems/withParam/withSequence expanded
            values: dict[str, list[str]] = {}
            maps = []
            results = []
            for item in child.children:
                if item.phase != "Succeeded":
                    continue
                if item.params:
                    maps.append(dict(item.params))
                    for k, v in item.params.items():
                        values.setdefault(k, []).append(v)
                if item.result is not None:
                    results.append(_json_item(item.result))
            scope.params[f"{key}.outputs.parameters"] = json.dumps(maps, separators=(",", ":"))
            scope.params[f"{key}.outputs.result"] = json.dumps(results, separators=(",", ":"))
            for k, vs in values.items():
                scope.params[f"{key}.outputs.parameters.{k}"] = aggregate(vs)
        elif child.phase in ("Skipped", "Omitted") and not child.params:
            tpl = child.spec
            for p in ((tpl or {}).get("outputs") or {}).get("parameters", []):
                vf = p.get("valueFrom") or {}
                scope.params[f"{key}.outputs.parameters.{p['name']}"] = str(vf["default"]) if "default" in vf else None

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

    def _task(
        self,
        node: Node,
        task: dict[str, Any],
        scope: _Scope,
        slots: threading.BoundedSemaphore | None,
        prefix: str = "tasks",
    ) -> None:
        """One DAG task or step: its template, its items (``withItems``/``withParam``/``withSequence``), each run."""
        tpl = self._resolve(task, scope.ctx)
        node.spec = tpl
        try:
            items = self._items(task, scope)
        except StepError as exc:
            node.end("Error", str(exc))
            return
        if items is None:
            self._expanded(node, task, tpl, scope, None, slots)
            return
        if not items:  # an empty list skips the task (dag.go l. 631-635; steps.go expandStepGroup l. 581-590)
            node.end("Skipped", "Skipped, empty params")
            return
        node.total = len(items)
        node.group = True
        node.start()
        self._notify(node)
        for i, item in enumerate(items):
            node.children.append(
                Node(
                    self._new_id(f"{task['name']}({i}:{_item_name(item)})"),
                    task["name"],
                    tpl["name"],
                    item=item,
                    is_item=True,
                    kind=node.kind,
                )
            )
        threads = [
            threading.Thread(target=self._expanded, args=(child, task, tpl, scope, child.item, slots), daemon=True)
            for child in node.children
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # a task group is Succeeded unless an item failed or errored, even when every item was skipped
        # (dag.go executeDAGTask l. 704-714)
        bad = next((c for c in node.children if c.phase in ("Failed", "Error")), None)
        if bad is not None:
            node.end(bad.phase, f"child '{bad.id}' failed")
        else:
            node.end("Succeeded")

    def _items(self, task: dict[str, Any], scope: _Scope) -> list[Any] | None:
        """A task's items, or None when it does not loop (``operator.go`` expandSequence l. 4170-4220)."""
        if "withItems" in task:
            return list(task["withItems"])
        if "withParam" in task:
            text = self._strict(task["withParam"], scope.params)
            try:
                loaded = json.loads(text)
            except ValueError:
                loaded = None
            if not isinstance(loaded, list):
                raise StepError(f"withParam value could not be parsed as a JSON list: {text.strip()}")
            return loaded
        if "withSequence" in task:
            seq = {k: self._strict(str(v), scope.params) for k, v in task["withSequence"].items()}
            try:
                start = int(seq.get("start", "0"))
                if "end" in seq:
                    end = int(seq["end"])
                elif "count" in seq:
                    count = int(seq["count"])
                    if count == 0:
                        return []
                    end = start + count - 1
                else:
                    raise StepError("neither end nor count was specified in withSequence")
            except ValueError as exc:
                raise StepError(f"withSequence: {exc}") from None
            fmt = seq.get("format") or "%d"
            step = 1 if start <= end else -1
            return [go_sprintf_int(fmt, i) for i in range(start, end + step, step)]
        return None

    def _argument(self, text: str, flat: dict[str, Any]) -> str:
        """An argument's value; a pure reference to a skipped or omitted task's output with no default is
        marked absent, so the called template's own default applies (``scope.go`` markAbsentOptionalArgs
        l. 83-106, ``common/util.go`` ProcessArgs l. 210-222)."""
        body = text.strip()
        if body.startswith("{{") and body.endswith("}}") and body.count("{{") == 1:
            key = body[2:-2].strip()
            if key in flat and flat[key] is None:
                return ABSENT
        return self._strict(text, flat)

    def _strict(self, text: str, flat: dict[str, Any]) -> str:
        """Substitute references to other tasks or steps strictly: a missing one is requeued by Argo for ever
        (``dag.go`` resolveDependencyReferences l. 790-800, 838-846; ``steps.go`` resolveReferences)."""
        try:
            return replace(text, flat)
        except UnresolvedError as exc:
            if exc.tag.strip().split(".")[0] in ("tasks", "steps") and "not in scope" in str(exc):
                raise WouldHangError(
                    f"{{{{{exc.tag.strip()}}}}} never resolves: on a cluster the workflow would wait for it for ever"
                ) from None
            raise StepError(str(exc)) from None

    def _expanded(
        self,
        node: Node,
        task: dict[str, Any],
        tpl: dict[str, Any],
        scope: _Scope,
        item: Any,
        slots: threading.BoundedSemaphore | None,
    ) -> None:
        local = {**self._runtime_globals(), **scope.params, **scope.shared}
        if item is not None or node.is_item:
            local["item"] = _item_text(item)
            if isinstance(item, dict):
                for k, v in item.items():
                    local[f"item.{k}"] = go_value_text(v)
        try:
            if "when" in task:
                cond = self._strict(task["when"], local).strip()
                run = _should_execute(cond)
                if not run:
                    node.end("Skipped", f"when '{cond}' evaluated false")
                    self._notify(node)
                    return
            args = task.get("arguments") or {}
            params = {p["name"]: self._argument(go_value_text(p.get("value", "")), local) for p in args.get("parameters", [])}
            arts = {
                a["name"]: self._artifact_ref(a, scope, {"item": local.get("item")} if "item" in local else None)
                for a in args.get("artifacts", [])
            }
        except WouldHangError as exc:
            self.hang = self.hang or str(exc)
            node.end("Error", str(exc))
            self._notify(node)
            self.procs.stop_all()
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
            if "dag" in tpl or "steps" in tpl:  # a pod's node stays Pending until it gets a slot (_leaf)
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
        self._exit_hook(node, task, scope)

    def _exit_hook(self, node: Node, task: dict[str, Any], scope: _Scope) -> None:
        """A step's or task's exit hook (``onExit``, or ``hooks.exit``): run once the node has completed, with
        its status and outputs in scope; its ``expression`` decides whether it runs (``exit_handler.go``
        runOnExitNode l. 17-56, resolveExitTmplArgument l. 58-100). Its result does not change the node's."""
        hook = dict((task.get("hooks") or {}).get("exit") or {})
        if task.get("onExit"):
            hook = {"template": task["onExit"]}
        if not hook or node.phase not in ("Succeeded", "Failed", "Error"):
            return
        hscope = scope.copy()
        self._record_task(hscope, str(task["name"]), node, prefix=node.kind)
        name = f"{task['name']}.onExit"
        child = Node(self._new_id(name), name, _template_name(hook), kind=node.kind)
        node.inner[name] = child
        if hook.get("expression"):
            try:
                run = evaluate(str(hook["expression"]), expand({**hscope.params, **hscope.shared}))
            except ExprError as exc:
                child.end("Error", str(exc))
                self._notify(child)
                return
            if run is not True:
                node.inner.pop(name)
                return
        holder = {k: v for k, v in hook.items() if k in ("template", "templateRef", "arguments")}
        try:
            self._task(child, {"name": name, **holder}, hscope, None, prefix=node.kind)
        except StepError as exc:
            child.end("Error", str(exc))
        self._notify(child)

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
        flat = {**self._runtime_globals(), **outer.globals()}
        for k, v in params.items():
            flat[f"inputs.parameters.{k}"] = v
        for a in (tpl.get("inputs") or {}).get("artifacts", []):
            if "path" in a:
                flat[f"inputs.artifacts.{a['name']}.path"] = a["path"]
        # the rest of SubstituteParams' map (common/util.go l. 288-316)
        flat["inputs.parameters"] = json.dumps(
            [{"name": k, "value": v} for k, v in params.items()], separators=(",", ":"), ensure_ascii=False
        )
        outs = tpl.get("outputs") or {}
        for a in outs.get("artifacts", []):
            if a.get("path"):
                flat[f"outputs.artifacts.{a['name']}.path"] = a["path"]
        for p in outs.get("parameters", []):
            if (p.get("valueFrom") or {}).get("path"):
                flat[f"outputs.parameters.{p['name']}.path"] = p["valueFrom"]["path"]
        flat["pod.name"] = f"{self.workflow.get('name', 'run')}-{node.id}" if self.options.pod_roots else node.id
        flat["node.name"] = node.id
        flat[f"{node.kind}.name"] = node.task
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
        last: tuple[str, str, str, float] | None = None  # the previous attempt: phase, message, exit code, seconds
        while True:
            node.attempts += 1
            flat["retries"] = str(node.attempts - 1)
            if retry:  # lastRetry.* for a retried template, defaults on the first attempt (operator.go l. 2519-2539)
                flat["lastRetry.exitCode"] = last[2] if last else "0"
                flat["lastRetry.status"] = last[0] if last else ""
                flat["lastRetry.duration"] = go_string(last[3]) if last else "0"
                flat["lastRetry.message"] = last[1] if last else ""
            with self.pods:
                if self.procs.stopping.is_set():
                    return "Failed", "Stopped with strategy 'Stop'", {}, {}
                node.start()
                self._notify(node)
                first_start = first_start or time.time()
                attempt_start = time.time()
                phase, msg, out_p, out_a = self._attempt(node, tpl, flat, artifacts)
                last = (phase, msg, node.exit_code or "0", time.time() - attempt_start)
            if phase == "Succeeded" or node.daemoned or self.procs.stopping.is_set():
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
        # metrics are the controller's, substituted when the node has completed (operator.go computeMetrics)
        body = {k: v for k, v in tpl.items() if k not in ("memoize", "metrics")}
        try:
            # with the pod's own pass, as Argo makes it when it creates the pod
            resolved = substitute(body, flat, pod_name=f"{self.workflow.get('name', 'run')}-{node.id}")
        except UnresolvedError as exc:
            return "Error", f"failed to resolve {exc}", {}, {}
        if self.options.pod_roots:
            deadline = time.time() + int(tpl["activeDeadlineSeconds"]) if tpl.get("activeDeadlineSeconds") else None
            return self._pod_attempt(node, resolved, artifacts, step_dir, deadline)
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

    def _pod_attempt(
        self,
        node: Node,
        tpl: dict[str, Any],
        artifacts: dict[str, Artifact | None],
        step_dir: Path,
        deadline: float | None,
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        """One attempt of a plain Argo pod (``pods.py`` says what is done around its containers)."""
        from mldsl.runner import pods
        from mldsl.runner.images import runtime
        from mldsl.runner.podroot import Mount, PodRoot

        assert node.log is not None
        root = PodRoot(step_dir)
        mounts = [Mount(host, path, ro) for host, path, ro in self._pod_volumes(tpl, step_dir)]
        for a in (tpl.get("inputs") or {}).get("artifacts", []):
            art = artifacts.get(a["name"])
            if "raw" in a:
                _place_text(root, step_dir, a["path"], str(a["raw"].get("data", "")))
            elif art is not None and "path" in a:
                root.place(a["path"], art.path)
        pod = f"{self.workflow.get('name')}-{node.id}"
        # what a container's environment holds on a cluster: its own env, and the executor's variables
        base_env = {"HOME": "/root", "HOSTNAME": pod, "ARGO_POD_NAME": pod, "ARGO_CONTAINER_NAME": "main"}
        if "containerSet" in tpl:
            return self._container_set(node, tpl, root, mounts, base_env, deadline)
        main = dict(tpl.get("container") or tpl.get("script") or {})
        if "script" in tpl and main.get("source"):
            # appended to the args (operator.go l. 3604-3609), mode 0755 (executor.go l. 423-429)
            _place_text(root, step_dir, pods.SCRIPT_PATH, str(main["source"]), 0o755)
            main["args"] = [*(main.get("args") or []), pods.SCRIPT_PATH]
        sidecars = []
        for sc in tpl.get("initContainers") or []:
            ended = self._run_container(node, sc, root, mounts, base_env, deadline, capture=False)
            if ended.phase != "Succeeded":
                return "Failed", f"init container {sc.get('name')} failed: {ended.message}", {}, {}
        for sc in tpl.get("sidecars") or []:
            image = runtime(str(sc.get("image", "")))
            argv = root.argv(
                image.command(sc.get("command"), sc.get("args")), workdir=sc.get("workingDir"), mounts=mounts, image=image
            )
            proc = pods.start_sidecar(argv, pods.container_env(sc, {**dict(image.env), **base_env}), node.log, self.procs)
            if proc is not None:
                sidecars.append(proc)
        if tpl.get("daemon"):
            for proc in sidecars:
                node.daemon_procs.append(proc)
            return self._daemon(node, main, root, mounts, base_env)
        try:
            ended = self._run_container(node, main, root, mounts, base_env, deadline, capture=True)
        finally:
            for proc in sidecars:
                pods.stop_sidecar(proc, self.procs)
        node.exit_code = None if ended.code is None else str(ended.code)
        node.result = pods.trim_output(ended.stdout) if ended.code is not None else None
        params, arts, why = self._pod_outputs(node, tpl, root)
        if ended.phase == "Succeeded" and why:
            return "Error", why, params, arts
        return ended.phase, ended.message, params, arts

    def _daemon(
        self, node: Node, main: dict[str, Any], root: Any, mounts: list[Any], base_env: dict[str, str]
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        """A daemon: its pod keeps running; once its container is ready the node is daemoned (Running, fulfilled
        for its dependents) until its steps or DAG ends, which kills it and marks it Succeeded; a daemon that
        exits by itself failed (``operator.go`` l. 1489-1504, 1534-1550; ``exec_control.go`` killDaemonedChildren)."""
        from mldsl.runner import pods
        from mldsl.runner.images import runtime

        assert node.log is not None
        image = runtime(str(main.get("image", "")))
        argv = root.argv(
            image.command(main.get("command"), main.get("args")), workdir=main.get("workingDir"), mounts=mounts, image=image
        )
        proc = pods.start_sidecar(argv, pods.container_env(main, {**dict(image.env), **base_env}), node.log, self.procs)
        if proc is None:
            return "Error", f"cannot start the daemon's command {argv[-1]!r}", {}, {}
        node.daemon_procs.append(proc)
        probe = main.get("readinessProbe") or {}
        delay = float(probe.get("initialDelaySeconds") or 0)
        started = time.time()
        while True:
            if proc.poll() is not None:
                node.stop_daemon(self.procs)
                return "Failed", f"the daemon exited with code {proc.returncode}: a daemon should run until its steps end", {}, {}
            if self.procs.stopping.is_set():
                node.stop_daemon(self.procs)
                return "Failed", "Stopped with strategy 'Stop'", {}, {}
            if time.time() - started >= delay and pods.ready(probe, root):
                break
            if time.time() - started > DAEMON_READY_WAIT:
                node.stop_daemon(self.procs)
                raise WouldHangError(
                    f"the daemon {node.task} was not ready after {DAEMON_READY_WAIT:.0f} s: on a cluster the workflow would wait for it"
                )
            time.sleep(0.05)
        node.daemoned = True
        return "Running", "daemoned", {}, {}

    def _run_container(
        self,
        node: Node,
        container: dict[str, Any],
        root: Any,
        mounts: list[Any],
        base_env: dict[str, str],
        deadline: float | None,
        capture: bool,
    ) -> Any:
        from mldsl.runner import pods
        from mldsl.runner.images import runtime

        assert node.log is not None
        image = runtime(str(container.get("image", "")))
        command = image.command(container.get("command"), container.get("args"))
        argv = root.argv(command, workdir=container.get("workingDir"), mounts=mounts, image=image)
        env = pods.container_env(container, {**dict(image.env), **base_env})
        return pods.run_container(argv, env, node.log, deadline, self.procs, capture)

    def _container_set(
        self,
        node: Node,
        tpl: dict[str, Any],
        root: Any,
        mounts: list[Any],
        base_env: dict[str, str],
        deadline: float | None,
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        """A container set: its containers in one pod, each after those it depends on; ``main`` (or the only
        one) gives the outputs (``workflow_types.go`` ContainerSetTemplate)."""
        cset = tpl["containerSet"]
        containers = {c["name"]: c for c in cset.get("containers", [])}
        for m in cset.get("volumeMounts") or []:
            vol = next((v for v in tpl.get("volumes") or [] if v.get("name") == m.get("name")), None)
            if vol is not None and "emptyDir" in vol:
                pass
        done: dict[str, str] = {}
        order = list(containers)
        main_name = "main" if "main" in containers else order[-1]
        result: Any = None
        while len(done) < len(containers):
            progressed = False
            for name in order:
                if name in done:
                    continue
                deps = containers[name].get("dependencies") or []
                if any(d not in done for d in deps):
                    continue
                progressed = True
                if any(done[d] != "Succeeded" for d in deps):
                    done[name] = "Omitted"
                    continue
                ended = self._run_container(node, containers[name], root, mounts, base_env, deadline, capture=name == main_name)
                done[name] = ended.phase
                if name == main_name:
                    result = ended
            if not progressed:
                return "Error", "containerSet: circular dependencies", {}, {}
        from mldsl.runner import pods

        if result is not None:
            node.exit_code = None if result.code is None else str(result.code)
            node.result = pods.trim_output(result.stdout)
        bad = next((n for n in order if done[n] in ("Failed", "Error")), None)
        params, arts, why = self._pod_outputs(node, tpl, root)
        if bad is not None:
            return "Failed", f"container {bad} failed", params, arts
        if why:
            return "Error", why, params, arts
        return "Succeeded", "", params, arts

    def _pod_volumes(self, tpl: dict[str, Any], step_dir: Path) -> list[tuple[Path, str, bool]]:
        """The pod's volume mounts as host folders: an ``emptyDir`` per pod, a claim per run (volumeClaimTemplates)
        or per store (an existing claim), a ConfigMap's keys as files."""
        volumes = {v["name"]: v for v in [*(self.spec.get("volumes") or []), *(tpl.get("volumes") or [])]}
        claims = {str((c.get("metadata") or {}).get("name")) for c in self.spec.get("volumeClaimTemplates") or []}
        out: list[tuple[Path, str, bool]] = []
        containers = [tpl.get("container") or tpl.get("script") or {}, *((tpl.get("containerSet") or {}).get("containers") or [])]
        mounts_seen: dict[str, tuple[str, bool]] = {}
        for c in [*containers, *(tpl.get("initContainers") or []), *(tpl.get("sidecars") or [])]:
            for m in c.get("volumeMounts") or []:
                mounts_seen.setdefault(str(m["mountPath"]), (str(m["name"]), bool(m.get("readOnly"))))
        for m in (tpl.get("containerSet") or {}).get("volumeMounts") or []:
            mounts_seen.setdefault(str(m["mountPath"]), (str(m["name"]), bool(m.get("readOnly"))))
        for path, (name, ro) in mounts_seen.items():
            vol = volumes.get(name)
            if name in claims or (vol and "persistentVolumeClaim" in vol and name in claims):
                host = self.folder / "volumes" / name
            elif vol is not None and "persistentVolumeClaim" in vol:
                host = self.folder.parent.parent / "volumes" / str(vol["persistentVolumeClaim"].get("claimName"))
            elif vol is not None and "configMap" in vol:
                host = step_dir / "configmaps" / name
                data = self.config_maps.get(str(vol["configMap"].get("name")), {})
                host.mkdir(parents=True, exist_ok=True)
                for k, v in data.items():
                    (host / k).write_text(v, encoding="utf-8")
            else:  # emptyDir, or a volume this run keeps per pod
                host = step_dir / "volumes" / name
            host.mkdir(parents=True, exist_ok=True)
            out.append((host, path, ro))
        return out

    def _pod_outputs(self, node: Node, tpl: dict[str, Any], root: Any) -> tuple[dict[str, str], dict[str, Artifact], str]:
        """What the wait container saves, even after the main container failed (``postmain``): output parameters
        and artifacts, and the first reason one could not be saved."""
        from mldsl.runner import pods

        outputs = tpl.get("outputs") or {}
        params: dict[str, str] = {}
        why = ""
        for p in outputs.get("parameters", []):
            vf = p.get("valueFrom") or {}
            got = root.read(vf["path"]) if vf.get("path") else None
            if got is not None and got.is_file():
                params[p["name"]] = pods.trim_output(got.read_bytes().decode("utf-8", "replace"))  # no newline translation
            elif "default" in vf:
                params[p["name"]] = go_value_text(vf["default"])
            elif "value" in p:
                params[p["name"]] = go_value_text(p["value"])
            elif "supplied" in vf or "expression" in vf or "parameter" in vf:
                continue
            else:
                why = why or f"failed to get output parameter {p['name']}: open {vf.get('path', '')}: no such file or directory"
                continue
            if p.get("globalName"):
                self._set_global_param(str(p["globalName"]), params[p["name"]])
        arts: dict[str, Artifact] = {}
        for a in outputs.get("artifacts", []):
            got = root.read(a["path"]) if a.get("path") else None
            if got is None or not got.exists():
                if not a.get("optional"):
                    why = why or f"failed to save outputs: path {a.get('path')} does not exist in the pod"
                continue
            dest = self._artifact_place(node, a)
            if dest.exists() or dest.is_symlink():
                shutil.rmtree(dest) if dest.is_dir() and not dest.is_symlink() else dest.unlink()
            pods.copy_into(got, dest)
            arts[a["name"]] = Artifact(dest, None)
            if a.get("globalName"):
                self.global_artifacts[str(a["globalName"])] = arts[a["name"]]
        return params, arts, why

    def _artifact_place(self, node: Node, a: dict[str, Any]) -> Path:
        """Where an output artifact is kept: at its key in the local repository, or in the run folder."""
        key = str((a.get("s3") or {}).get("key") or "")
        if key:
            bucket = str((a.get("s3") or {}).get("bucket") or self.options.default_bucket)
            return self.mounts.local(f"s3://{bucket}/{key}")
        return self.folder / "artifacts" / node.id / a["name"]

    def _set_global_param(self, name: str, value: str) -> None:
        with self.lock:
            self.global_params[name] = value
            self.shared[f"workflow.outputs.parameters.{name}"] = value

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
                # one trailing newline trimmed, as Argo's wait container does (executor.go saveParameters)
                params[p["name"]] = _trim_newline(local.read_bytes().decode("utf-8", "replace"))
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
