"""What every part of a local run shares: its errors, options, scopes and the small rules of values."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mldsl.argo.depends import TaskResult, depends_names
from mldsl.argo.gostrconv import format_float_json
from mldsl.runner.cache import StepCache
from mldsl.runner.mounts import Mounts
from mldsl.runner.nodes import Artifact, Node
from mldsl.runner.processes import LocalCode, Processes

#: the label of an approval's suspend template: the step it belongs to (``mldsl run --approve STEP``)
APPROVAL_LABEL = "mldsl.io/approval"


class StepError(Exception):
    """The node errors (Argo's ``Error`` phase): a reference that does not resolve, a missing input."""


class Clock:
    """The executor's time: what it reads to back off, bound attempts and report durations, and how it waits.
    Injected (``Options.clock``) so that a test can make an hour's backoff instant; the scheduler reads none."""

    def now(self) -> float:
        return time.time()

    def wait(self, stop: threading.Event, seconds: float) -> bool:
        """Wait ``seconds`` unless ``stop`` is set first; whether it was."""
        return stop.wait(seconds)


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
    #: the executor's time (a test's own clock; the scheduler needs none)
    clock: Clock = field(default_factory=Clock)


@dataclass
class _Scope:
    """A DAG's scope: flat parameters (Argo's ``wfScope.scope``) and artifacts."""

    params: dict[str, Any]
    artifacts: dict[str, Artifact | None]
    #: the workflow's global outputs (``globalName``), one map shared by every scope of a run
    shared: dict[str, Any] = field(default_factory=dict)
    #: the WorkflowTemplate whose templates the names in this scope's template resolve in (a ``templateRef``)
    ctx: tuple[str, bool] | None = None

    #: the ``workflow.*`` values among ``params``, kept apart so that a step's call does not scan the scope
    wf: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.params.update(self.shared)
        if not self.wf:
            self.wf = {k: v for k, v in self.params.items() if k.startswith("workflow.")}

    def copy(self) -> _Scope:
        return _Scope(dict(self.params), dict(self.artifacts), self.shared, self.ctx, dict(self.wf))

    def set_global(self, key: str, value: Any) -> None:
        """A ``workflow.*`` value of this scope (the exit handler's ``workflow.status``)."""
        self.params[key] = value
        self.wf[key] = value

    def globals(self) -> dict[str, Any]:
        """The ``workflow.*`` values: the only part of a caller's scope a called template sees."""
        return {**self.wf, **self.shared}


def _expr() -> Any:
    """The expr-lang evaluator, imported when a value first needs it (a run without expressions starts sooner)."""
    from mldsl.argo import exprlang

    return exprlang


def task_dependencies(task: dict[str, Any]) -> list[str]:
    """The tasks a DAG task waits for: named in ``depends``, or listed in ``dependencies`` (ancestry.go)."""
    return depends_names(str(task.get("depends") or ""), [str(d) for d in task.get("dependencies") or []])


def _duration(text: str | int | None) -> float:
    from mldsl.lang.durations import parse_duration

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
    return item if isinstance(item, str) else _expr().to_json(item)


#: the node every pod runs on here (``{{steps.X.hostNodeName}}``)
HOST_NODE = os.uname().nodename

#: how long a resource step polls a condition another step may yet meet
RESOURCE_WAIT = 60.0

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
        return ",".join(sorted(f"{k}:{_expr().go_string(v)}" for k, v in item.items()))
    if isinstance(item, str):
        return item
    return str(_expr().go_string(item))


def template_locals(tpl: dict[str, Any], params: dict[str, str]) -> dict[str, str]:
    """What SubstituteParams adds to the globals for a template (argo-workflows v4.1.2 ``workflow/common/util.go``
    l. 289-316): each input parameter, all of them as JSON, and the paths of its artifacts and output parameters
    that have one."""
    flat = {f"inputs.parameters.{k}": v for k, v in params.items()}
    flat["inputs.parameters"] = json.dumps(
        [{"name": k, "value": v} for k, v in params.items()], separators=(",", ":"), ensure_ascii=False
    )
    for a in (tpl.get("inputs") or {}).get("artifacts", []):
        if a.get("path"):
            flat[f"inputs.artifacts.{a['name']}.path"] = a["path"]
    outs = tpl.get("outputs") or {}
    for a in outs.get("artifacts", []):
        if a.get("path"):
            flat[f"outputs.artifacts.{a['name']}.path"] = a["path"]
    for p in outs.get("parameters", []):
        if (p.get("valueFrom") or {}).get("path"):
            flat[f"outputs.parameters.{p['name']}.path"] = p["valueFrom"]["path"]
    return flat


def go_value_text(v: Any) -> str:
    """A YAML value as Argo's ``AnyString`` keeps it: strings as they are, numbers and booleans as written,
    lists and maps as JSON (``workflow_types.go`` AnyString UnmarshalJSON)."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, dict)):
        return str(_expr().to_json(v))
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
    from mldsl.argo.govaluate import WhenError, should_execute

    try:
        return should_execute(when)
    except WhenError as exc:
        raise StepError(str(exc)) from None


def go_sprintf_int(fmt: str, i: int) -> str:
    """Go's ``fmt.Sprintf(format, i)`` for the integer verbs a ``withSequence.format`` uses."""
    try:
        return fmt.replace("%v", "%d") % i
    except (TypeError, ValueError):
        return f"%!(EXTRA int={i})" if "%" not in fmt else fmt


class _NoObjects:
    """The object store of a run that has none (an mldsl project's): nothing is in it."""

    def get(self, kind: str, name: str, namespace: str | None = None) -> None:
        return None


NO_OBJECTS = _NoObjects()


class ExecutionBase:
    """What the parts of an :class:`~mldsl.runner.engine.Execution` share: its state, and the steps one part
    asks of another (each defined once, in the part that owns it)."""

    spec: dict[str, Any]
    lookup: Callable[[str, str, bool], dict[str, Any]] | None
    templates: dict[str, dict[str, Any]]
    workflow: dict[str, str]
    folder: Path
    mounts: Mounts
    cache: StepCache
    options: Options
    on_change: Callable[[Node], None]
    procs: Processes
    pods: threading.BoundedSemaphore
    config_maps: dict[str, dict[str, str]]
    semaphores: dict[tuple[str, str], threading.BoundedSemaphore]
    ids: int
    lock: threading.Lock
    main: Node
    exit: Node
    status: str
    message: str
    outputs: dict[str, Any]
    rejected: str
    hang: str
    fatal: str
    shutdown: str
    global_params: dict[str, str]
    global_artifacts: dict[str, Artifact]
    shared: dict[str, Any]
    objects: Any

    def _pod_name(self, node: Node) -> str:
        raise NotImplementedError

    def failed_disk(self, exc: OSError, node: Node | None = None) -> str:
        raise NotImplementedError

    def _retry_pass(self, node: Node, tpl: dict[str, Any], flat: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _pod_pass(self, node: Node, body: dict[str, Any], flat: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _artifact_ref(self, a: dict[str, Any], scope: _Scope, extra: dict[str, Any] | None = None) -> Artifact | None:
        raise NotImplementedError

    def _new_id(self, base: str) -> str:
        raise NotImplementedError

    def _notify(self, node: Node) -> None:
        raise NotImplementedError

    def _resolve(self, holder: dict[str, Any], ctx: tuple[str, bool] | None = None) -> dict[str, Any]:
        raise NotImplementedError

    def _runtime_globals(self) -> dict[str, str]:
        raise NotImplementedError

    def _template(
        self,
        node: Node,
        tpl: dict[str, Any],
        params: dict[str, Any],
        artifacts: dict[str, Artifact | None],
        outer: _Scope,
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        raise NotImplementedError

    def _pod_attempt(
        self,
        node: Node,
        tpl: dict[str, Any],
        artifacts: dict[str, Artifact | None],
        step_dir: Path,
        deadline: float | None,
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        raise NotImplementedError

    def _dag(
        self,
        node: Node,
        tpl: dict[str, Any],
        params: dict[str, str],
        artifacts: dict[str, Artifact | None],
        outer: _Scope,
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        raise NotImplementedError

    def _leaf(
        self,
        node: Node,
        tpl: dict[str, Any],
        params: dict[str, str],
        artifacts: dict[str, Artifact | None],
        outer: _Scope,
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        raise NotImplementedError

    def _steps(
        self,
        node: Node,
        tpl: dict[str, Any],
        params: dict[str, str],
        artifacts: dict[str, Artifact | None],
        outer: _Scope,
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        raise NotImplementedError
