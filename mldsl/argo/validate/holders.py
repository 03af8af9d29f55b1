"""Template holders (``templateresolution``), template kinds, and the helpers of the step and DAG checks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mldsl.argo import depends as dep
from mldsl.argo.validate.fields import _TYPES, _d, _l, _ProblemError, _str
from mldsl.argo.validate.placeholders import _field_name_errors

# -- template bases (templateresolution.TemplateContext) ------------------------------------------


@dataclass(frozen=True)
class _Base:
    """A TemplateHolder: the object whose ``templates`` a plain ``template:`` name refers to."""

    kind: str  # Workflow | WorkflowTemplate | ClusterWorkflowTemplate
    name: str
    spec: Mapping[str, Any]
    path: str  # field path of ``spec``, e.g. "spec" or "WorkflowTemplate/x.spec"

    @property
    def scope(self) -> str:  # GetTemplateScope, templateresolution/context.go l. 172-174
        resource = {"Workflow": "local", "WorkflowTemplate": "namespaced"}.get(self.kind, "cluster")
        return f"{resource}/{self.name}"

    def template(self, name: str) -> tuple[str, Mapping[str, Any]] | None:
        """GetTemplateByName: the first template of that name (workflow_template_types.go l. 45-52)."""
        for i, t in enumerate(_l(self.spec.get("templates"))):
            if isinstance(t, Mapping) and t.get("name") == name:
                return f"{self.path}.templates[{i}]", t
        return None


def _template_type(tmpl: Mapping[str, Any]) -> str | None:
    for key, kind in _TYPES:
        if tmpl.get(key) is not None:
            return kind
    return None


def _has_output(tmpl: Mapping[str, Any]) -> bool:
    """Template.HasOutput (workflow_types.go l. 3564-3566)."""
    if any(tmpl.get(k) is not None for k in ("container", "script", "data", "http", "plugin")):
        return True
    return _container_set_has(tmpl, "main")


def _container_set_has(tmpl: Mapping[str, Any], name: str) -> bool:
    return any(_d(c).get("name") == name for c in _l(_d(tmpl.get("containerSet")).get("containers")))


def _exit_hook(holder: Mapping[str, Any]) -> bool:
    """HasExitHook (workflow_types.go l. 1860-1862, 3696-3698): ``onExit`` or a hook named ``exit``."""
    return bool(_str(holder.get("onExit"))) or "exit" in _d(holder.get("hooks"))


class _FakeArgs:
    """validate.go FakeArguments (l. 110-121): every parameter and artifact is supplied."""


_Args = Mapping[str, Any] | _FakeArgs


def _task_kinds(task: Mapping[str, Any]) -> dict[str, str]:
    """GetTaskDependencies for validation (validate.go l. 1419-1427): the names a task's ``depends``
    (or ``dependencies``) mentions; the continueOn a bare name expands with adds no name."""
    logic = dep.depends_logic(_str(task.get("depends")), [_str(d) for d in _l(task.get("dependencies"))])
    return dep.dependency_kinds(logic)


def _loops(task: Mapping[str, Any]) -> bool:
    return bool(_l(task.get("withItems"))) or bool(_str(task.get("withParam"))) or task.get("withSequence") is not None


def _sort_tasks(
    tasks: list[Mapping[str, Any]], kinds: Mapping[str, Mapping[str, str]], tp: Callable[[Mapping[str, Any]], str]
) -> list[Mapping[str, Any]]:
    """sortDAGTasks / sorting.TopologicalSorting (util/sorting/topological_sorting.go l. 12-59):
    a repeated name, a dependency that is not a task, or a cycle fails; ties keep the written order
    (Go takes the roots in map order)."""
    names: dict[str, Mapping[str, Any]] = {}
    for t in tasks:
        name = _str(t.get("name"))
        if name in names:  # l. 17-19
            raise _ProblemError(f"{tp(t)}.name", f"sorting failed: duplicated nodeName {name}")
        names[name] = t
    for t in tasks:  # l. 23-30
        for d in kinds[_str(t.get("name"))]:
            if d not in names:
                raise _ProblemError(tp(t), f"sorting failed: invalid dependency {d} (dependency '{d}' not defined)")
    pending = {n: len(kinds[n]) for n in names}
    nexts: dict[str, list[str]] = {}
    for n in names:
        for d in kinds[n]:
            nexts.setdefault(d, []).append(n)
    queue = [n for n in names if pending[n] == 0]
    head = 0
    while head < len(queue):
        for nxt in nexts.get(queue[head], []):
            pending[nxt] -= 1
            if pending[nxt] == 0:
                queue.append(nxt)
        head += 1
    if len(queue) < len(names):  # l. 43-45
        stuck = [n for n in names if n not in queue]
        raise _ProblemError(tp(names[stuck[0]]), f"sorting failed: graph with cycle (through {', '.join(stuck)})")
    return [names[n] for n in queue]


def _ancestry(name: str, kinds: Mapping[str, Mapping[str, str]]) -> list[str]:
    """GetTaskAncestry (common/ancestry.go l. 141-167): every task ``name`` transitively waits for."""
    seen: list[str] = []

    def visit(n: str) -> None:
        if n in seen:
            return
        for d in kinds.get(n, {}):
            visit(d)
        if n != name and n not in seen:
            seen.append(n)

    visit(name)
    return seen


def _by_name(arguments: Mapping[str, Any], kind: str, name: str) -> Mapping[str, Any] | None:
    """Arguments.GetParameterByName / GetArtifactByName (workflow_types.go l. 3806-3818): the first."""
    for x in _l(arguments.get(kind)):
        if isinstance(x, Mapping) and _str(x.get("name")) == name:
            return x
    return None


def _item_type(item: Any) -> str:
    """Item.GetType (pkg/apis/workflow/v1alpha1/item.go l. 35-55) on the item's JSON."""
    if isinstance(item, Mapping):
        return "map"
    if isinstance(item, list) or item is None:  # "null" unmarshals into a list
        return "list"
    return "scalar"


def _reserved(name: str) -> bool:
    """common.IsArgoSidecar (workflow/common/common.go l. 316-322, names l. 17-21)."""
    return name in ("wait", "supervisor") or name.startswith("artifact-plugin-")


def _container_set_error(cs: Mapping[str, Any]) -> str | None:
    """ContainerSetTemplate.Validate (container_set_template_types.go l. 90-137)."""
    containers = [_d(c) for c in _l(cs.get("containers"))]
    if not containers:
        return "containers must have at least one container"
    seen: set[str] = set()
    for i, c in enumerate(containers):  # validation_utils.go l. 49-72
        name = _str(c.get("name"))
        if not name:
            return f"containers[{i}].name is required"
        why = _field_name_errors(name, params=False)
        if why:
            return f"containers[{i}].name: '{name}' is invalid: {why}"
        if name in seen:
            return f"containers[{i}].name '{name}' is not unique"
        seen.add(name)
    mounts: dict[str, str] = {}
    for i, vm in enumerate(_l(cs.get("volumeMounts"))):
        mp = _str(_d(vm).get("mountPath"))
        if mp in mounts:
            return f"volumeMounts[{i}].mountPath '{mp}' already mounted in {mounts[mp]}"
        mounts[mp] = f"volumeMounts.{_str(_d(vm).get('name'))}"
    graph = {_str(c.get("name")): [_str(d) for d in _l(c.get("dependencies"))] for c in containers}
    for c in containers:
        for d in _l(c.get("dependencies")):
            if _str(d) not in graph:
                return f"containers.{_str(c.get('name'))} dependency '{_str(d)}' not defined"
    visited: set[str] = set()

    def cycle(n: str, path: list[str]) -> str | None:  # validation_utils.go l. 76-118
        if n in visited:
            return None
        for d in graph.get(n, []):
            if d in path:
                return f"containers dependency cycle detected: {'->'.join(path)}->{d}"
            found = cycle(d, [*path, d])
            if found:
                return found
        visited.add(n)
        return None

    for n in sorted(graph):
        found = cycle(n, [])
        if found:
            return found
    return None


def _hooks_problem(hooks: Any, path: str) -> None:
    """validateHooks (validate.go l. 143-150): every hook but ``exit`` needs an ``expression``."""
    for name, hook in _d(hooks).items():
        if name != "exit" and not _str(_d(hook).get("expression")):
            raise _ProblemError(f"{path}.hooks.{name}", f"{name} Expression required")


def _pod_resources(path: str, r: Any) -> None:
    """validatePodResources (validate.go l. 703-718)."""
    res = _d(r)
    if _l(res.get("claims")):
        raise _ProblemError(f"{path}.claims", "claims is not supported for pod-level resources")
    for kind in ("limits", "requests"):
        for name in _d(res.get(kind)):
            if name not in ("cpu", "memory") and not _str(name).startswith("hugepages-"):
                raise _ProblemError(
                    path, f"{_str(name)!r} is not a valid pod-level resource, only cpu, memory and hugepages-* are supported"
                )


def _yaml_ok(text: str) -> bool:
    """sigs.k8s.io/yaml Unmarshal accepts the text (its first document)."""
    import yaml  # PyYAML: a pure parser; imported here so the module loads without it

    try:
        for _ in yaml.safe_load_all(text):
            break
    except yaml.YAMLError:
        return False
    return True
