"""Plain Argo files for ``mldsl run``: load a Workflow, WorkflowTemplate, CronWorkflow or
ClusterWorkflowTemplate and resolve what it refers to, as a cluster would after
``kubectl apply -f folder/``.

Pure: this module reads files and nothing else (no threads, no processes, no cluster).
The rules follow Argo Workflows v4.1.2 (argoproj/argo-workflows, commit f016ad89eb); each rule
cites the Go file and line it mirrors. Kubernetes rules cite kubernetes/apimachinery at eed236ce
(strategic merge patch; Argo vendors v0.35.4, same algorithm), kubernetes/api at 10b39a39b (patch
strategies of core/v1 types) and k8s.io/apiserver (generated names).

**Which objects exist ("the cluster").** Argo's example test applies every ConfigMap,
PersistentVolumeClaim, WorkflowTemplate and ClusterWorkflowTemplate found anywhere under
``examples/`` before it submits a workflow (test/e2e/examples_test.go:58-63, 65-117, walking the
folder recursively with util/file/fileutil.go:226 WalkManifests). ``kubectl apply -f folder/`` alone
would not recurse (it needs ``-R``), but real projects, and Argo's own examples, keep the
referenced objects in sibling files and subfolders. So the rule here is the example test's:

* the objects are every document of every ``.yaml``/``.yml``/``.json`` file (fileutil.go:28-32)
  under the folder of ``path`` (or ``path`` itself when it is a folder), read recursively, plus
  every such file under each folder of ``search``, also recursively (a file in ``search`` is read alone);
* folders whose name starts with ``.`` are skipped (``.git``, ``.venv``: never manifests);
* files are applied in ``filepath.Walk`` order (lexical, depth-first), the ``search`` folders
  first, then the file's own folder, then the file itself; a later ``kubectl apply`` of the same
  kind and name replaces the earlier object, so the file's own objects win over its folder's, and
  its folder's over the search folders';
* namespaces are ignored: everything lives in one namespace, as in the example test, which applies
  every object to its one test namespace (examples_test.go:95);
* a file other than ``path`` that is not valid YAML is skipped, as the example test skips
  documents it cannot unmarshal (examples_test.go:71-74); it is listed in ``Loaded.skipped``.
  ``path`` itself must be valid.

**Which object runs.** ``argo submit FILE`` submits the Workflows of the file and ignores every
other kind (cmd/argo/commands/submit.go:122-133, workflow/common/parse.go:122-138). So when
``path`` holds Workflows, they are the candidates; otherwise its CronWorkflows, WorkflowTemplates
and ClusterWorkflowTemplates are, each run as ``argo submit --from kind/name`` would
(server/workflow/workflow_server.go:814-829). ``name`` (``NAME`` or ``kind/NAME``, kinds as the
server accepts them, workflow_server.go:815-823) picks one among all runnable objects; without it,
more than one candidate is an error.
"""

from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from mldsl.lang.suggest import close_matches

try:  # the C composer is several times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

__all__ = [
    "ArgoFileError",
    "Loaded",
    "join_workflow_spec",
    "load",
    "parse_parameters",
    "strategic_merge",
    "with_defaults",
]

API_VERSION = "argoproj.io/v1alpha1"
WORKFLOW = "Workflow"
WORKFLOW_TEMPLATE = "WorkflowTemplate"
CLUSTER_WORKFLOW_TEMPLATE = "ClusterWorkflowTemplate"
CRON_WORKFLOW = "CronWorkflow"
RUNNABLE = (WORKFLOW, CRON_WORKFLOW, WORKFLOW_TEMPLATE, CLUSTER_WORKFLOW_TEMPLATE)

#: kind aliases accepted in ``kind/name`` (pkg/apis/workflow/register.go:8-28, as used by
#: server/workflow/workflow_server.go:815-823 for ``argo submit --from``)
KIND_ALIASES = {
    **dict.fromkeys(("Workflow", "workflow", "workflows", "wf"), WORKFLOW),
    **dict.fromkeys(("CronWorkflow", "cronworkflow", "cronworkflows", "cronwf"), CRON_WORKFLOW),
    **dict.fromkeys(("WorkflowTemplate", "workflowtemplate", "workflowtemplates", "wftmpl"), WORKFLOW_TEMPLATE),
    **dict.fromkeys(
        ("ClusterWorkflowTemplate", "clusterworkflowtemplate", "clusterworkflowtemplates", "cwftmpl"),
        CLUSTER_WORKFLOW_TEMPLATE,
    ),
}

#: Every kind of the ``argoproj.io`` group that is not a mistake: Argo Workflows'
#: (pkg/apis/workflow/register.go:8-40) and its sibling projects' (Events, CD, Rollouts),
#: which share the group. Any other kind with an ``argoproj.io`` apiVersion is refused.
KNOWN_ARGO_KINDS = frozenset(
    {
        *RUNNABLE,
        "WorkflowEventBinding",
        "WorkflowTaskSet",
        "WorkflowTaskResult",
        "WorkflowArtifactGCTask",
        "EventSource",
        "Sensor",
        "EventBus",
        "Application",
        "ApplicationSet",
        "AppProject",
        "Rollout",
        "AnalysisTemplate",
        "ClusterAnalysisTemplate",
        "AnalysisRun",
        "Experiment",
    }
)

#: Labels and annotations Argo sets (workflow/common/common.go:48, 79, 110, 112, 116, 225, 229)
ANNOTATION_SCHEDULED_TIME = "workflows.argoproj.io/scheduled-time"
LABEL_CONTROLLER_INSTANCE_ID = "workflows.argoproj.io/controller-instanceid"
LABEL_CRON_WORKFLOW = "workflows.argoproj.io/cron-workflow"
LABEL_WORKFLOW_TEMPLATE = "workflows.argoproj.io/workflow-template"
LABEL_CLUSTER_WORKFLOW_TEMPLATE = "workflows.argoproj.io/cluster-workflow-template"
LABEL_CONFIGMAP_TYPE = "workflows.argoproj.io/configmap-type"
CONFIGMAP_TYPE_PARAMETER = "Parameter"
#: workflow/artifactrepositories/artifactrepositories.go:87, 96
ARTIFACT_REPOSITORIES_CONFIGMAP = "artifact-repositories"
ANNOTATION_DEFAULT_ARTIFACT_REPOSITORY = "workflows.argoproj.io/default-artifact-repository"

#: k8s.io/apiserver pkg/storage/names/generate.go:43-47 (maxNameLength 63, randomLength 5) and
#: kubernetes/apimachinery pkg/util/rand/rand.go:83 (the alphabet of generated suffixes)
_MAX_GENERATED_NAME_LENGTH = 63 - 5
_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"

#: util/file/fileutil.go:28-32 (manifestExt)
_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


# --------------------------------------------------------------------------- errors


class ArgoFileError(Exception):
    """A problem with an Argo file, at a position when one is known (1-based line and column)."""

    def __init__(
        self,
        message: str,
        path: Path | str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ):
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column
        self.hint = hint
        super().__init__(self.render())

    @property
    def where(self) -> str:
        if self.path is None:
            return ""
        if self.line is None:
            return str(self.path)
        return f"{self.path}:{self.line}:{self.column or 1}"

    def render(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def __str__(self) -> str:
        return self.render()


# --------------------------------------------------------------------------- YAML with positions


class _Loader(_BaseLoader):
    """PyYAML's safe loader, YAML 1.1 like sigs.k8s.io/yaml (go-yaml v2), except that timestamps
    stay the text that was written: go-yaml decodes ``2024-01-01`` into an interface{} as a string."""


def _timestamp_as_text(loader: yaml.BaseLoader, node: yaml.Node) -> str:
    return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class _Doc:
    """One document of a manifest file: its value and its node (for positions)."""

    path: Path
    index: int
    node: yaml.Node
    data: Any

    @property
    def kind(self) -> str:
        return str(self.data.get("kind") or "") if isinstance(self.data, dict) else ""

    @property
    def api_version(self) -> str:
        return str(self.data.get("apiVersion") or "") if isinstance(self.data, dict) else ""

    @property
    def metadata(self) -> dict[str, Any]:
        md = self.data.get("metadata") if isinstance(self.data, dict) else None
        return md if isinstance(md, dict) else {}

    @property
    def name(self) -> str:
        return str(self.metadata.get("name") or "")

    @property
    def label(self) -> str:
        """``Kind/name`` (``Kind/generateName`` for a Workflow without a name)."""
        return f"{self.kind}/{self.name or self.metadata.get('generateName') or '?'}"

    def position(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at ``loc`` (of its key with ``key``), else of its
        nearest ancestor that exists."""
        node = self.node
        mark = node.start_mark
        for part in loc:
            child: yaml.Node | None = None
            key_node: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == part:
                        key_node, child = k, v
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                child = node.value[part]
            if child is None:
                break
            node = child
            mark = key_node.start_mark if key and key_node is not None and part == loc[-1] else child.start_mark
        return mark.line + 1, mark.column + 1

    def error(self, message: str, loc: Loc = (), *, hint: str | None = None, key: bool = False) -> ArgoFileError:
        line, column = self.position(loc, key=key)
        return ArgoFileError(message, self.path, line, column, hint)


def _duplicate_key(node: yaml.Node) -> tuple[yaml.Node, yaml.Node] | None:
    """The first repeated key of any mapping under ``node`` (and the key it repeats), in document
    order: ``argo submit`` reads strictly (cmd/argo/commands/submit.go:100, ``--strict`` defaults to
    true; workflow/common/parse.go:88-89 YAMLToJSONStrict, go-yaml v2's UnmarshalStrict) and refuses
    a repeated key where PyYAML would silently keep the last value."""
    stack = [node]
    seen_nodes: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen_nodes:
            continue
        seen_nodes.add(id(current))
        if isinstance(current, yaml.MappingNode):
            keys: dict[str, yaml.Node] = {}
            for k, _ in current.value:
                if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                    if k.value in keys:
                        return k, keys[k.value]
                    keys[k.value] = k
            stack.extend(v for _, v in reversed(current.value))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(reversed(current.value))
    return None


def _parse(path: Path, text: str) -> list[_Doc]:
    docs: list[_Doc] = []
    loader = _Loader(text)
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            if node is None:  # pragma: no cover - check_node guards this
                break
            dup = _duplicate_key(node)
            if dup is not None:
                again, first = dup
                raise ArgoFileError(
                    f'key "{again.value}" already set in map (first at line {first.start_mark.line + 1})',
                    path,
                    again.start_mark.line + 1,
                    again.start_mark.column + 1,
                    "argo submit and kubectl apply refuse a repeated key (YAML would keep only the last value): merge the two",
                )
            data = loader.construct_document(node)
            if data is not None:
                docs.append(_Doc(path, index, node, data))
            index += 1
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        problem = exc.problem or exc.context or "invalid YAML"
        raise ArgoFileError(f"invalid YAML: {problem}", path, line, column) from None
    except yaml.YAMLError as exc:
        raise ArgoFileError(f"invalid YAML: {exc}", path) from None
    finally:
        loader.dispose()
    return docs


@lru_cache(maxsize=1024)
def _read_cached(path: str, mtime_ns: int, size: int) -> tuple[_Doc, ...]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ArgoFileError(f"not UTF-8 text: {exc.reason}", p) from None
    return tuple(_parse(p, text))


def _read(path: Path) -> tuple[_Doc, ...]:
    """The documents of one file (cached by modification time; callers never mutate them)."""
    try:
        st = path.stat()
    except OSError as exc:
        raise ArgoFileError(f"cannot read: {exc.strerror or exc}", path) from None
    return _read_cached(str(path), st.st_mtime_ns, st.st_size)


_APPLIED_KIND = re.compile(
    rb"""kind["']?\s*:\s*["']?(ConfigMap|PersistentVolumeClaim|WorkflowTemplate|ClusterWorkflowTemplate)\b"""
)


def _may_hold_objects(path: Path) -> bool:
    """Whether a file may hold an object the run can refer to (a cheap scan before the YAML parse)."""
    try:
        return _APPLIED_KIND.search(path.read_bytes()) is not None
    except OSError:
        return True  # let the parse report it


def _walk(root: Path) -> list[Path]:
    """Manifest files under ``root`` in ``filepath.Walk`` order (lexical, depth-first), as
    util/file/fileutil.go:226-259 WalkManifests visits them; hidden folders are skipped."""
    out: list[Path] = []
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return out
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if not entry.name.startswith("."):
                out.extend(_walk(Path(entry.path)))
        elif entry.name.endswith(_MANIFEST_SUFFIXES) and entry.is_file():
            out.append(Path(entry.path))
    return out


# --------------------------------------------------------------------------- values as Argo reads them


def anystring(value: Any) -> str:
    """A YAML scalar as Argo's AnyString holds it (pkg/apis/workflow/v1alpha1/anystring.go:23-43):
    numbers pass through JSON as float64 and print with ``FormatFloat(v, 'f', -1, 64)`` (``1.0`` is
    ``"1"``, ``1e21`` is ``"1000000000000000000000"``), booleans as ``true``/``false``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            return str(value)
        text = format(Decimal(repr(number)).normalize(), "f")
        return "0" if text in ("-0", "0") and number == 0 else text
    if value is None:
        return ""
    return str(value)


def _go_json(value: Any, *, sort_keys: bool = False) -> str:
    """``encoding/json.Marshal``'s text: compact, HTML characters escaped (\\u003c, \\u003e, \\u0026)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def _mapping(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping, else an empty one (for reading optional fields)."""
    return value if isinstance(value, dict) else {}


def _params(spec: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    args = spec.get("arguments") if isinstance(spec, Mapping) else None
    params = args.get("parameters") if isinstance(args, Mapping) else None
    return [p for p in params if isinstance(p, dict)] if isinstance(params, list) else []


def _artifacts(spec: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    args = spec.get("arguments") if isinstance(spec, Mapping) else None
    arts = args.get("artifacts") if isinstance(args, Mapping) else None
    return [a for a in arts if isinstance(a, dict)] if isinstance(arts, list) else []


def _has_value(param: Mapping[str, Any]) -> bool:
    """Parameter.HasValue (pkg/apis/workflow/v1alpha1/workflow_types.go:1137-1139)."""
    return param.get("value") is not None or param.get("default") is not None or param.get("valueFrom") is not None


# --------------------------------------------------------------------------- strategic merge patch

#: A schema names, per field, its patch merge key (None: a struct or map, merged field by field)
#: and the schema of its value or items. Fields not named merge as maps (recursively) or are
#: replaced (lists and scalars), which is what the strategic merge patch does for fields without a
#: ``patchStrategy`` tag.
Schema = Mapping[str, tuple[str | None, "Schema"]]

#: core/v1 Container (kubernetes/api core/v1/types.go:3175, 3192, 3243, 3250): ports, env,
#: volumeMounts and volumeDevices merge by key; also ScriptTemplate and UserContainer, which inline it
#: (workflow_types.go:3405-3406, 2174-2175).
_CONTAINER: Schema = {
    "ports": ("containerPort", {}),
    "env": ("name", {}),
    "volumeMounts": ("mountPath", {}),
    "volumeDevices": ("devicePath", {}),
}
#: Arguments, Inputs, Outputs: parameters and artifacts by name (workflow_types.go:1060, 1065,
#: 1728, 1733, 1984, 1989)
_ARGUMENTS: Schema = {"parameters": ("name", {}), "artifacts": ("name", {})}
#: Template (workflow_types.go:769, 774, 780, 809, 833) and DAGTemplate.tasks (:3596)
_TEMPLATE: Schema = {
    "inputs": (None, _ARGUMENTS),
    "outputs": (None, _ARGUMENTS),
    "container": (None, _CONTAINER),
    "script": (None, _CONTAINER),
    "initContainers": ("name", _CONTAINER),
    "sidecars": ("name", _CONTAINER),
    "volumes": ("name", {}),
    "tolerations": ("key", {}),
    "hostAliases": ("ip", {}),
    "dag": (None, {"tasks": ("name", {"arguments": (None, _ARGUMENTS)})}),
}
#: WorkflowSpec (workflow_types.go:308, 331, 360, 368, 418)
WORKFLOW_SPEC_SCHEMA: Schema = {
    "templates": ("name", _TEMPLATE),
    "volumes": ("name", {}),
    "tolerations": ("key", {}),
    "imagePullSecrets": ("name", {}),
    "hostAliases": ("ip", {}),
    "arguments": (None, _ARGUMENTS),
    "templateDefaults": (None, _TEMPLATE),
}
TEMPLATE_SCHEMA: Schema = _TEMPLATE

_KEEP_EMPTY = frozenset({"value", "default", "description"})


def _prune(value: Any, key: str | None = None) -> Any:
    """What survives Go's JSON round trip of a typed object: ``omitempty`` drops null, ``""`` and
    ``[]`` (Argo's fields are nearly all ``omitempty``), except the ``*AnyString`` pointers ``value``,
    ``default`` and ``description``, where an empty string is a value (workflow_types.go:1085-1103).
    Merging works on what Argo marshalled (workflow/util/merge.go:206-221,
    workflow/controller/operator.go:4671-4688), so both sides are pruned first."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if v is None or (isinstance(v, list) and not v) or (v == "" and k not in _KEEP_EMPTY):
                continue
            out[k] = _prune(v, k)
        return out
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _key_index(items: Sequence[Any], key: str, value: Any) -> int:
    for i, item in enumerate(items):
        if isinstance(item, dict) and key in item and item[key] == value:
            return i
    return -1


def _merge_list(original: list[Any], patch: list[Any], key: str, schema: Schema) -> list[Any]:
    """mergeSlice for a list of maps with a merge key (kubernetes/apimachinery
    pkg/util/strategicpatch/patch.go:1495-1545, 1606-1637): each patch item merges into the original
    item with the same key, or is appended; then the order is normalised (:404-468): patch items in
    patch order, original-only items inserted where they stood in the original."""
    if not original and not patch:
        return original
    if not all(isinstance(x, dict) for x in [*original, *patch]):
        # patch.go:1508-1517: scalars merge as a de-duplicated union
        merged_scalars: list[Any] = []
        for x in [*original, *patch]:
            if x not in merged_scalars:
                merged_scalars.append(x)
        return merged_scalars
    merged = list(original)
    for item in patch:
        if key not in item:  # patch.go:1610-1612 (ErrNoMergeKey); keep the item rather than fail
            merged.append(item)
            continue
        at = _key_index(merged, key, item[key])
        if at >= 0:
            merged[at] = _merge_map(merged[at], item, schema)
        else:
            merged.append(item)
    patch_keys = [p.get(key) for p in patch]
    in_patch = [m for m in merged if m.get(key) in patch_keys]
    server_only = [m for m in merged if m.get(key) not in patch_keys]
    in_patch.sort(key=lambda m: patch_keys.index(m.get(key)))  # normalizeSliceOrder (:521-545)
    original_keys = [o.get(key) for o in original]

    def where(item: dict[str, Any]) -> int:
        k = item.get(key)
        return original_keys.index(k) if k in original_keys else -1

    server_only.sort(key=where)
    out: list[Any] = []
    i = j = 0
    while i < len(server_only) or j < len(in_patch):  # mergeSortedSlice (:427-468)
        if i >= len(server_only):
            out.append(in_patch[j])
            j += 1
        elif j >= len(in_patch):
            out.append(server_only[i])
            i += 1
        else:
            li, ri = where(server_only[i]), where(in_patch[j])
            if li >= 0 and ri >= 0 and li < ri:
                out.append(server_only[i])
                i += 1
            else:
                out.append(in_patch[j])
                j += 1
    return out


def _merge_map(original: dict[str, Any], patch: Mapping[str, Any], schema: Schema) -> dict[str, Any]:
    """mergeMap (patch.go:1322-1439): null deletes, a new key or a change of type takes the patch's
    value, maps merge recursively, lists merge by key when their field has a merge key and are
    replaced otherwise, scalars are replaced."""
    out = dict(original)
    for k, pv in patch.items():
        if pv is None:
            out.pop(k, None)
            continue
        if k not in out or type(out[k]) is not type(pv):
            out[k] = copy.deepcopy(pv)
            continue
        merge_key, sub = schema.get(k, (None, {}))
        ov = out[k]
        if isinstance(pv, dict):
            out[k] = _merge_map(ov, pv, sub)
        elif isinstance(pv, list) and merge_key is not None:
            out[k] = _merge_list(list(ov), copy.deepcopy(pv), merge_key, sub)
        else:
            out[k] = copy.deepcopy(pv)
    return out


def strategic_merge(original: Mapping[str, Any], patch: Mapping[str, Any], schema: Schema) -> dict[str, Any]:
    """Kubernetes' ``StrategicMergePatch(original, patch, type)`` (patch.go:812-819) for the
    patch strategies in ``schema``: ``patch`` wins, lists with a merge key merge item by item.
    The inputs are not changed."""
    return _merge_map(copy.deepcopy(dict(original)), patch, schema)


# --------------------------------------------------------------------------- templateDefaults

#: Template.GetType's order (workflow_types.go:3457-3489)
_TYPE_FIELDS = ("container", "containerSet", "steps", "dag", "script", "resource", "data", "suspend", "http", "plugin")
#: Template fields that are pointers to structs named after a TemplateType (workflow_types.go:48-57,
#: 62-77): ``steps`` is a slice, so the defaults' ``steps`` is never cleared
_TYPE_POINTERS = ("container", "containerSet", "script", "resource", "dag", "suspend", "data", "http", "plugin")
#: Template.SetType resets these (workflow_types.go:883-910); ContainerSet, HTTP and Plugin keep all
_SET_TYPE_FIELDS = ("steps", "dag", "container", "script", "resource", "data", "suspend")


def template_type(template: Mapping[str, Any]) -> str | None:
    """The field that gives a template its type (Template.GetType, workflow_types.go:3457-3489)."""
    for key in _TYPE_FIELDS:
        if template.get(key) is not None:
            return key
    return None


def with_defaults(template: Mapping[str, Any], defaults: Mapping[str, Any] | None) -> dict[str, Any]:
    """``spec.templateDefaults`` merged into ``template`` as the controller does before it runs a
    template (workflow/controller/operator.go:2233-2234 calls mergedTemplateDefaultsInto, :4649-4692):
    the defaults' type fields other than the template's own type are dropped (:4657-4670), the
    template is strategically merged over the defaults (:4671-4688), and the template's type is set
    again (:4690, Template.SetType)."""
    if not defaults:
        return copy.deepcopy(dict(template))
    own = template_type(template)
    applicable = _prune(copy.deepcopy(dict(defaults)))
    for key in _TYPE_POINTERS:
        if key != own:
            applicable.pop(key, None)
    merged = strategic_merge(applicable, _prune(copy.deepcopy(dict(template))), TEMPLATE_SCHEMA)
    if own in _SET_TYPE_FIELDS:
        for key in _SET_TYPE_FIELDS:
            if key != own:
                merged.pop(key, None)
    return merged


# --------------------------------------------------------------------------- workflowTemplateRef

#: ArtifactLocation's fields (workflow_types.go:1387-1417), and the order ArtifactLocation.Get
#: tries them in (:1420-1447)
_LOCATION_FIELDS = ("archiveLogs", "s3", "git", "http", "artifactory", "hdfs", "raw", "oss", "gcs", "azure", "plugin")
_LOCATION_ORDER = ("artifactory", "azure", "git", "gcs", "hdfs", "http", "oss", "raw", "s3", "plugin")


def _location_type(artifact: Mapping[str, Any]) -> str | None:
    for key in _LOCATION_ORDER:
        if artifact.get(key) is not None:
            return key
    return None


def _merge_artifact_override(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """mergeArtifactOverride (workflow/util/merge.go:344-373): the override wins; when both name the
    same storage, the base's location fields the override leaves out are kept."""
    base_type, over_type = _location_type(base), _location_type(override)
    if base_type is None or over_type is None or base_type != over_type:
        return copy.deepcopy(dict(override))
    base_loc = {k: base[k] for k in _LOCATION_FIELDS if k in base}
    over_loc = {k: override[k] for k in _LOCATION_FIELDS if k in override}
    merged = {k: copy.deepcopy(v) for k, v in override.items() if k not in _LOCATION_FIELDS}
    merged.update(strategic_merge(base_loc, over_loc, {}))
    return merged


def join_workflow_spec(wf_spec: Mapping[str, Any], wft_spec: Mapping[str, Any] | None) -> dict[str, Any]:
    """JoinWorkflowSpec (workflow/util/merge.go:274-335) without controller workflowDefaults: the
    Workflow's spec wins over the WorkflowTemplate's.

    * MergeTo (:192-253): the template's spec is the original, the Workflow's the patch of a
      strategic merge; the template's ``hooks`` and ``workflowMetadata.labelsFrom`` do not merge, they
      are added only where the Workflow has no entry of that name;
    * ``suspend`` is always the Workflow's own (:294-296);
    * a parameter with a value (value, default or valueFrom) is taken whole from the Workflow, else
      whole from the template, never field by field (:300-311);
    * an artifact is the Workflow's, else the template's, over the merged one (:315-332, 344-373).
    """
    target: dict[str, Any] = _prune(copy.deepcopy(dict(wf_spec)))
    if wft_spec is None:
        return target
    patch = _prune(copy.deepcopy(dict(wft_spec)))
    hooks = patch.pop("hooks", None)
    labels_from = None
    md = patch.get("workflowMetadata")
    if isinstance(md, dict):
        labels_from = md.pop("labelsFrom", None)
    merged = strategic_merge(patch, target, WORKFLOW_SPEC_SCHEMA)
    if isinstance(hooks, dict) and hooks:
        merged_hooks = merged.setdefault("hooks", {})
        if isinstance(merged_hooks, dict):
            for event, hook in hooks.items():
                merged_hooks.setdefault(event, hook)
    if isinstance(labels_from, dict) and labels_from:
        merged_md = merged.setdefault("workflowMetadata", {})
        if isinstance(merged_md, dict):
            merged_lf = merged_md.setdefault("labelsFrom", {})
            if isinstance(merged_lf, dict):
                for k, v in labels_from.items():
                    merged_lf.setdefault(k, v)
    if wf_spec.get("suspend") is None:
        merged.pop("suspend", None)
    else:
        merged["suspend"] = wf_spec["suspend"]
    wf_values = {p.get("name"): p for p in _params(wf_spec) if _has_value(p)}
    wft_values = {p.get("name"): p for p in _params(wft_spec) if _has_value(p)}
    params = _params(merged)
    for i, param in enumerate(params):
        if _has_value(param):
            chosen = wf_values.get(param.get("name"), wft_values.get(param.get("name")))
            if chosen is not None:
                params[i] = copy.deepcopy(chosen)
    wf_arts = {a.get("name"): a for a in _artifacts(wf_spec)}
    wft_arts = {a.get("name"): a for a in _artifacts(wft_spec)}
    arts = _artifacts(merged)
    for i, art in enumerate(arts):
        override = wf_arts.get(art.get("name"), wft_arts.get(art.get("name")))
        if override is not None:
            arts[i] = _merge_artifact_override(art, override)
    if params or arts:
        args = merged.setdefault("arguments", {})
        if params:
            args["parameters"] = params
        if arts:
            args["artifacts"] = arts
    return merged


# --------------------------------------------------------------------------- parameters


def parse_parameters(items: Iterable[str]) -> dict[str, str]:
    """``-p NAME=VALUE`` options as ``argo submit`` splits them (workflow/util/util.go:316-322):
    at the first ``=``; a later repeat of a name wins, as the last global parameter set does."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise ArgoFileError(f"expected parameter of the form: NAME=VALUE. Received: {item}")
        out[name] = value
    return out


def _override_parameters(params: list[dict[str, Any]], given: Mapping[str, str]) -> list[dict[str, Any]]:
    """overrideParameters (workflow/util/util.go:312-339): the given parameters first, as
    ``{name, value}`` (nothing else of the declared parameter survives), then the declared ones that
    were not given. A name that is not declared is not refused: it becomes a new parameter."""
    if not given:
        return params
    out: list[dict[str, Any]] = [{"name": k, "value": v} for k, v in given.items()]
    out.extend(copy.deepcopy(p) for p in params if p.get("name") not in given)
    return out


def _merge_parameters(*lists: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """MergeParameters (util/util.go:61-73): by name, the first list wins, whole parameters."""
    seen: set[Any] = set()
    out: list[Mapping[str, Any]] = []
    for params in lists:
        for p in params:
            if p.get("name") in seen:
                continue
            seen.add(p.get("name"))
            out.append(p)
    return out


_PARAM_FIELDS = ("name", "default", "value", "valueFrom", "globalName", "enum", "description")
_VALUE_FROM_FIELDS = (
    "path",
    "jsonPath",
    "jqFilter",
    "event",
    "parameter",
    "supplied",
    "configMapKeyRef",
    "default",
    "expression",
)


def _param_for_json(param: Mapping[str, Any]) -> dict[str, Any]:
    """A Parameter as Go marshals it: its fields in struct order (workflow_types.go:1082-1103,
    ValueFrom :1109-1134, core/v1 ConfigMapKeySelector name, key, optional), AnyStrings as strings."""
    out: dict[str, Any] = {"name": anystring(param.get("name"))}
    for key in _PARAM_FIELDS[1:]:
        v = param.get(key)
        if v is None or (key == "globalName" and v == "") or (key == "enum" and not v):
            continue
        if key in ("default", "value", "description"):
            out[key] = anystring(v)
        elif key == "enum":
            out[key] = [anystring(e) for e in v] if isinstance(v, list) else v
        elif key == "valueFrom" and isinstance(v, dict):
            vf: dict[str, Any] = {}
            for vk in _VALUE_FROM_FIELDS:
                x = v.get(vk)
                if x is None or x == "":
                    continue
                if vk == "default":
                    vf[vk] = anystring(x)
                elif vk == "configMapKeyRef" and isinstance(x, dict):
                    ref = {k: x[k] for k in ("name", "key", "optional") if x.get(k) not in (None, "") or k == "key"}
                    vf[vk] = {k: (anystring(val) if k != "optional" else val) for k, val in ref.items()}
                else:
                    vf[vk] = x
            out[key] = vf
        else:
            out[key] = anystring(v)
    return out


# --------------------------------------------------------------------------- time

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def rfc3339(moment: _dt.datetime) -> str:
    """Go's ``time.RFC3339`` layout: seconds, ``Z`` for UTC, else ``+hh:mm``."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    text = moment.replace(microsecond=0).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _strftime_chars(moment: _dt.datetime) -> dict[str, str]:
    """util/strftime/strftime.go:12-29 FormatChars, each as Go's layout prints it."""
    offset = moment.utcoffset() or _dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    zone = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    hour12 = moment.hour % 12 or 12
    return {
        "B": _MONTHS[moment.month - 1],
        "b": _MONTHS[moment.month - 1][:3],
        "m": f"{moment.month:02d}",
        "A": _DAYS[moment.weekday()],
        "a": _DAYS[moment.weekday()][:3],
        "d": f"{moment.day:02d}",
        "H": f"{moment.hour:02d}",
        "I": f"{hour12:02d}",
        "M": f"{moment.minute:02d}",
        "S": f"{moment.second:02d}",
        "Y": f"{moment.year:04d}",
        "y": f"{moment.year % 100:02d}",
        "p": "PM" if moment.hour >= 12 else "AM",
        "Z": moment.tzname() or zone,
        "z": zone,
        "L": f".{moment.microsecond // 1000:03d}",
    }


# --------------------------------------------------------------------------- the cluster


@dataclass
class _Cluster:
    """The objects a cluster would hold after applying the folders (last applied wins)."""

    workflow_templates: dict[str, _Doc] = field(default_factory=dict)
    cluster_workflow_templates: dict[str, _Doc] = field(default_factory=dict)
    config_maps: dict[str, _Doc] = field(default_factory=dict)
    pvcs: dict[str, _Doc] = field(default_factory=dict)
    skipped: list[ArgoFileError] = field(default_factory=list)

    def apply(self, doc: _Doc) -> None:
        # test/e2e/examples_test.go:58-63: the kinds applied before the workflows run
        table = {
            WORKFLOW_TEMPLATE: self.workflow_templates,
            CLUSTER_WORKFLOW_TEMPLATE: self.cluster_workflow_templates,
            "ConfigMap": self.config_maps,
            "PersistentVolumeClaim": self.pvcs,
        }.get(doc.kind)
        if table is not None and doc.name:
            table[doc.name] = doc

    def templates(self, cluster_scope: bool) -> dict[str, _Doc]:
        return self.cluster_workflow_templates if cluster_scope else self.workflow_templates


def _spec_templates(doc: _Doc, spec_loc: Loc) -> list[Any]:
    spec: Any = doc.data
    for part in spec_loc:
        spec = spec.get(part) if isinstance(spec, dict) else None
    templates = spec.get("templates") if isinstance(spec, dict) else None
    return templates if isinstance(templates, list) else []


def _find_template(templates: Sequence[Any], name: str) -> int:
    """GetTemplateByName: the first template of that name (workflow_template_types.go:45-52)."""
    for i, t in enumerate(templates):
        if isinstance(t, dict) and t.get("name") == name:
            return i
    return -1


def _add_pod_metadata(template: dict[str, Any], pod_metadata: Any) -> None:
    """addPodMetadata (workflow/templateresolution/context.go:295-319): the template holder's
    ``podMetadata`` labels and annotations, where the template has none of that key."""
    if not isinstance(pod_metadata, dict):
        return
    for kind in ("annotations", "labels"):
        extra = pod_metadata.get(kind)
        if isinstance(extra, dict) and extra:
            md = template.setdefault("metadata", {})
            if not isinstance(md, dict):
                continue
            own = md.setdefault(kind, {})
            if isinstance(own, dict):
                for k, v in extra.items():
                    own.setdefault(k, v)


# --------------------------------------------------------------------------- Loaded


@dataclass
class Loaded:
    """A runnable object, turned into the Workflow a cluster would run, and what it can refer to."""

    #: the Workflow object to run: metadata (with a name) and the effective spec, joined with its
    #: workflowTemplateRef (templateDefaults not yet applied: see :func:`with_defaults`)
    workflow: dict[str, Any]
    #: the kind of the object in the file (Workflow, CronWorkflow, WorkflowTemplate, ...)
    kind: str
    #: the file the object came from
    source: Path
    #: every ConfigMap available: name -> data
    config_maps: dict[str, dict[str, str]]
    #: every PersistentVolumeClaim available: name -> object
    pvcs: dict[str, dict[str, Any]]
    #: files that could not be read (and were left out of the objects available)
    skipped: list[ArgoFileError] = field(default_factory=list)
    _cluster: _Cluster = field(default_factory=_Cluster, repr=False)
    _doc: _Doc | None = field(default=None, repr=False)
    _spec_loc: Loc = field(default=("spec",), repr=False)
    #: the Workflow as submitted, before the join (its spec keeps the workflowTemplateRef)
    _submitted: dict[str, Any] = field(default_factory=dict, repr=False)
    _wft: _Doc | None = field(default=None, repr=False)

    @property
    def submitted(self) -> dict[str, Any]:
        """The Workflow as submitted, before the join: what the controller validates (validate.go)."""
        return self._submitted or self.workflow

    # ---------------------------------------------------------------- references

    def template_ref(self, name: str, template: str, cluster_scope: bool = False) -> dict[str, Any]:
        """The template a ``templateRef`` names, with its holder's ``podMetadata`` added
        (GetTemplateFromRef, workflow/templateresolution/context.go:124-152)."""
        doc = self._cluster.templates(cluster_scope).get(name)
        if doc is None:
            kind = CLUSTER_WORKFLOW_TEMPLATE if cluster_scope else WORKFLOW_TEMPLATE
            raise ArgoFileError(
                f"workflow template {name} not found",  # context.go:136-137
                self.source,
                hint=self._missing_hint(kind, name),
            )
        templates = _spec_templates(doc, ("spec",))
        at = _find_template(templates, template)
        if at < 0:
            raise doc.error(
                f"template {template} not found in workflow template {name}",  # context.go:144-146
                ("spec", "templates"),
                hint=_choices("templates", [t.get("name") for t in templates if isinstance(t, dict)], template),
            )
        out: dict[str, Any] = copy.deepcopy(templates[at])
        spec = doc.data.get("spec")
        _add_pod_metadata(out, spec.get("podMetadata") if isinstance(spec, dict) else None)
        return out

    def workflow_template(self, name: str, cluster_scope: bool = False) -> dict[str, Any]:
        """The whole WorkflowTemplate (or ClusterWorkflowTemplate) object of that name."""
        doc = self._cluster.templates(cluster_scope).get(name)
        if doc is None:
            kind = CLUSTER_WORKFLOW_TEMPLATE if cluster_scope else WORKFLOW_TEMPLATE
            raise ArgoFileError(
                f"{kind.lower()}s.argoproj.io {json.dumps(name)} not found", self.source, hint=self._missing_hint(kind, name)
            )
        return copy.deepcopy(doc.data)

    def _missing_hint(self, kind: str, name: str) -> str:
        known = sorted(self._cluster.templates(kind == CLUSTER_WORKFLOW_TEMPLATE))
        text = f"no {kind} named {name!r} in {self.source.parent} (read recursively) or the search folders"
        if self.skipped:
            text += f"; {len(self.skipped)} file(s) there could not be read ({self.skipped[0].where})"
        matches = close_matches(name, known)
        if matches:
            text += f"; did you mean {matches[0]!r}?"
        elif kind == WORKFLOW_TEMPLATE and name in self._cluster.cluster_workflow_templates:
            text += "; a ClusterWorkflowTemplate has that name: add clusterScope: true"
        elif kind == CLUSTER_WORKFLOW_TEMPLATE and name in self._cluster.workflow_templates:
            text += "; a WorkflowTemplate has that name: remove clusterScope: true"
        return text

    def config_map_value(self, name: str, key: str) -> str:
        """A ConfigMap value for a parameter's ``valueFrom.configMapKeyRef`` (GetConfigMapValue,
        workflow/common/configmap.go:16-39). The controller only sees ConfigMaps that carry the
        label ``workflows.argoproj.io/configmap-type`` (workflow/controller/controller.go:1427), and
        only reads those whose value is ``Parameter`` (configmap.go:26-30)."""
        doc = self._cluster.config_maps.get(name)
        labels = doc.metadata.get("labels") if doc is not None else None
        labels = labels if isinstance(labels, dict) else {}
        if doc is None or LABEL_CONFIGMAP_TYPE not in labels:
            hint = (
                f"the ConfigMap {name!r} ({doc.path}) has no label {LABEL_CONFIGMAP_TYPE}"
                if doc is not None
                else f"no ConfigMap named {name!r} in the folders read"
            )
            message = (
                f"ConfigMap '{name}' does not exist. Please make sure it has the label "
                f"{LABEL_CONFIGMAP_TYPE}: {CONFIGMAP_TYPE_PARAMETER} to be detectable by the controller"
            )
            if doc is None:
                raise ArgoFileError(message, hint=hint)
            raise doc.error(message, ("metadata",), hint=hint)
        if labels.get(LABEL_CONFIGMAP_TYPE) != CONFIGMAP_TYPE_PARAMETER:
            raise doc.error(
                f"ConfigMap '{name}' needs to have the label {LABEL_CONFIGMAP_TYPE}: "
                f"{CONFIGMAP_TYPE_PARAMETER} to load parameters",
                ("metadata", "labels", LABEL_CONFIGMAP_TYPE),
            )
        data = self.config_maps.get(name, {})
        if key not in data:
            raise doc.error(
                f"ConfigMap '{name}' does not have the key '{key}'",
                ("data",),
                hint=_choices("keys", list(data), key),
            )
        return data[key]

    def artifact_repository(
        self, ref: Mapping[str, Any] | None, default: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """The artifact repository for ``spec.artifactRepositoryRef`` (Resolve and get,
        workflow/artifactrepositories/artifactrepositories.go:38-113): with a ref, its ConfigMap
        (default ``artifact-repositories``) and key (default: the ConfigMap's
        ``workflows.argoproj.io/default-artifact-repository`` annotation); a missing ConfigMap or key
        is an error. Without a ref, the ConfigMap ``artifact-repositories`` if it has the annotated
        key, else ``default`` (the controller's configured repository; None when there is none)."""
        config_map = ARTIFACT_REPOSITORIES_CONFIGMAP
        key_given = ""
        if ref is not None:
            config_map = str(ref.get("configMap") or "") or config_map  # GetConfigMapOr (workflow_types.go:1549-1554)
            key_given = str(ref.get("key") or "")
        doc = self._cluster.config_maps.get(config_map)
        if doc is not None:
            annotations = doc.metadata.get("annotations")
            annotated = annotations.get(ANNOTATION_DEFAULT_ARTIFACT_REPOSITORY) if isinstance(annotations, dict) else None
            key = key_given or str(annotated or "")  # GetKeyOr (workflow_types.go:1556-1561)
            data = self.config_maps.get(config_map, {})
            if key in data:
                try:
                    repo = yaml.load(data[key], Loader=_Loader)
                except yaml.YAMLError as exc:
                    raise doc.error(
                        f'failed to unmarshall config map key "{key}" for artifact repository ref: {exc}',
                        ("data", key),
                    ) from None
                return repo if isinstance(repo, dict) else {}
        if ref is None:
            return dict(default) if default is not None else None  # artifactrepositories.go:45-49, 77-84
        ref_text = f"{ref.get('configMap') or ''}#{ref.get('key') or ''}"  # ArtifactRepositoryRef.String (:1563-1568)
        if doc is None:
            hint = f"no ConfigMap named {config_map!r} in the folders read"
        else:
            hint = f"the ConfigMap {config_map!r} ({doc.path}) has no key {key_given or '(annotated default)'!r}"
        raise self._doc_error(
            f'failed to find any artifact repository for artifact repository ref "{ref_text}"',  # :62
            ("artifactRepositoryRef",),
            hint=hint,
        )

    # ---------------------------------------------------------------- parameters

    def _doc_error(self, message: str, loc: Loc, hint: str | None = None) -> ArgoFileError:
        if self._doc is None:
            return ArgoFileError(message, self.source, hint=hint)
        return self._doc.error(message, (*self._spec_loc, *loc), hint=hint)

    def _param_site(self, name: str) -> tuple[_Doc | None, Loc]:
        """Where parameter ``name`` is declared: the object's own spec, else its WorkflowTemplate's."""
        sites: list[tuple[_Doc | None, Loc]] = [(self._doc, self._spec_loc)]
        if self._wft is not None:
            sites.append((self._wft, ("spec",)))
        for doc, spec_loc in sites:
            if doc is None:
                continue
            spec: Any = doc.data
            for part in spec_loc:
                spec = spec.get(part) if isinstance(spec, dict) else None
            params = (spec.get("arguments") or {}).get("parameters") if isinstance(spec, dict) else None
            if isinstance(params, list):
                for i, p in enumerate(params):
                    if isinstance(p, dict) and p.get("name") == name:
                        return doc, (*spec_loc, "arguments", "parameters", i)
        return None, ()

    def _param_error(self, name: str, message: str, sub: Loc = (), hint: str | None = None) -> ArgoFileError:
        doc, loc = self._param_site(name)
        if doc is None:
            return ArgoFileError(message, self.source, hint=hint)
        return doc.error(message, (*loc, *sub), hint=hint)

    def declared_parameters(self) -> list[dict[str, Any]]:
        """The workflow's parameters before any ``-p``: the effective spec's."""
        return copy.deepcopy(_params(self.workflow.get("spec")))

    def workflow_for(self, given: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The Workflow after ``-p`` overrides: overrideParameters on the submitted Workflow
        (workflow/util/util.go:292, 312-339), then the join with its WorkflowTemplate again
        (operator.go:4622), so that ``spec.arguments.parameters`` is what the controller holds."""
        wf = copy.deepcopy(self.workflow)
        if not given:
            return wf
        submitted_spec = copy.deepcopy(self._submitted.get("spec") or {})
        params = _override_parameters(_params(submitted_spec), given)
        submitted_spec.setdefault("arguments", {})["parameters"] = params
        wft_spec = self._wft.data.get("spec") if self._wft is not None else None
        if self._wft is not None:
            spec = join_workflow_spec(submitted_spec, wft_spec if isinstance(wft_spec, dict) else {})
            wf["spec"].setdefault("arguments", {})["parameters"] = _params(spec)
        else:
            wf["spec"].setdefault("arguments", {})["parameters"] = params
        return wf

    def arguments(self, given: Mapping[str, str] | None = None, *, strict: bool = False) -> dict[str, str]:
        """The workflow parameters' values (``workflow.parameters.NAME``) after ``-p`` overrides.

        * ``-p`` replaces a declared parameter by ``{name, value}``; an undeclared name is *not*
          refused by ``argo submit``, it becomes a new parameter (workflow/util/util.go:312-339).
          With ``strict``, an undeclared name is refused instead (mldsl's choice, off by default).
        * Submission validates the arguments (workflow/validate/validate.go:190-206, 1016-1056):
          for a workflowTemplateRef, over MergeParameters(the Workflow's, the template's)
          (util/util.go:61-73); each needs a ``value`` or ``valueFrom`` (:1019-1022, ``default``
          alone is not enough); ``valueFrom`` allows only configMapKeyRef, event, supplied and
          default (:1024-1033); a parameter with ``enum`` needs a value in the list (:1035-1048).
        * A ``-p`` value is checked against the declared ``enum`` too. Argo v4.1.2 does not do this,
          because the ``-p`` parameter replaces the declared one and its enum with it (util.go:322);
          mldsl refuses such a value, as the Argo UI's drop-down does.
        * The values are set as setGlobalParameters does (workflow/controller/operator.go:707-725):
          ``value``; else the ConfigMap value, falling back to ``valueFrom.default``; else an error.
        """
        given = dict(given or {})
        declared = {p.get("name") for p in _params(self.workflow.get("spec"))}
        if strict:
            unknown = [name for name in given if name not in declared]
            if unknown:
                names = sorted(str(n) for n in declared)
                raise ArgoFileError(
                    f"unknown parameter {unknown[0]!r}",
                    self.source,
                    hint=_choices("parameters", names, unknown[0]) if names else "the workflow declares no parameters",
                )
        # enum of -p values: from the declaration (the object's own, else its template's)
        own = {p.get("name"): p for p in _params(self._submitted_spec_declared())}
        wft = {p.get("name"): p for p in _params(self._wft_spec())}
        for name, value in given.items():
            decl = own.get(name) if own.get(name, {}).get("enum") is not None else wft.get(name)
            enum = decl.get("enum") if decl is not None else None
            if isinstance(enum, list) and enum and value not in [anystring(e) for e in enum]:
                raise self._param_error(
                    name,
                    f"spec.arguments.{name}.value should be present in spec.arguments.{name}.enum list",
                    ("enum",),
                    hint=f"-p {name}={value}: allowed values are " + ", ".join(anystring(e) for e in enum),
                )
        submitted = _override_parameters(_params(self._submitted_spec_declared()), given)
        to_check = _merge_parameters(submitted, _params(self._wft_spec())) if self._wft is not None else submitted
        self._validate_arguments(to_check)
        values: dict[str, str] = {}
        for param in _params(self.workflow_for(given).get("spec")):
            name = str(param.get("name"))
            value_from = param.get("valueFrom")
            if param.get("value") is not None:
                values[name] = anystring(param["value"])
            elif isinstance(value_from, dict) and isinstance(value_from.get("configMapKeyRef"), dict):
                ref = value_from["configMapKeyRef"]
                try:
                    values[name] = self.config_map_value(str(ref.get("name") or ""), str(ref.get("key") or ""))
                except ArgoFileError as exc:
                    if value_from.get("default") is None:
                        raise self._param_error(
                            name,
                            f"failed to set global parameter {name} from configmap with name {ref.get('name')} "
                            f"and key {ref.get('key')}: {exc.message}",
                            ("valueFrom", "configMapKeyRef"),
                            hint=exc.hint or (exc.where and f"see {exc.where}") or None,
                        ) from None
                    values[name] = anystring(value_from["default"])
            else:
                raise self._param_error(
                    name, f"either value or valueFrom must be specified in order to set global parameter {name}"
                )
        return values

    def _submitted_spec_declared(self) -> dict[str, Any]:
        spec = self._submitted.get("spec")
        return spec if isinstance(spec, dict) else {}

    def _wft_spec(self) -> dict[str, Any] | None:
        if self._wft is None:
            return None
        spec = self._wft.data.get("spec")
        return spec if isinstance(spec, dict) else {}

    def _validate_arguments(self, params: Sequence[Mapping[str, Any]]) -> None:
        """validateArgumentsValues (workflow/validate/validate.go:1016-1056) for submission."""
        for param in params:
            name = param.get("name")
            prefix = f"spec.arguments.{name}"
            value_from = param.get("valueFrom")
            hint_p = f"give it a value, or pass -p {name}=VALUE"
            if value_from is None and param.get("value") is None:
                raise self._param_error(str(name), f"{prefix}.value or {prefix}.valueFrom is required", hint=hint_p)  # :1019-1022
            if value_from is not None:
                vf = value_from if isinstance(value_from, dict) else {}
                if (vf.get("configMapKeyRef") is None and not vf.get("event") and vf.get("supplied") is None) or any(
                    vf.get(k) for k in ("path", "jsonPath", "parameter", "expression")
                ):
                    raise self._param_error(
                        str(name), f"{prefix}.valueFrom only allows: default, configMapKeyRef and supplied", ("valueFrom",)
                    )  # :1024-1033
            enum = param.get("enum")
            if enum is not None:
                if not isinstance(enum, list) or not enum:
                    raise self._param_error(str(name), f"{prefix}.enum should contain at least one value", ("enum",))
                if param.get("value") is None:
                    raise self._param_error(str(name), f"{prefix}.value is required", hint=hint_p)  # :1040-1045
                if anystring(param["value"]) not in [anystring(e) for e in enum]:
                    raise self._param_error(
                        str(name),
                        f"{prefix}.value should be present in {prefix}.enum list",
                        ("value",),
                        hint="allowed values are " + ", ".join(anystring(e) for e in enum),
                    )  # :1046-1048

    # ---------------------------------------------------------------- globals

    def globals(
        self,
        given: Mapping[str, str] | None = None,
        *,
        namespace: str = "default",
        uid: str = "",
        created: _dt.datetime | None = None,
    ) -> dict[str, str]:
        """The ``workflow.*`` variables setGlobalParameters sets before the first template runs
        (workflow/controller/operator.go:677-780), for a workflow created at ``created``
        (the API server's creationTimestamp has whole seconds; default: now, in UTC).
        Runtime ones (``workflow.status``, ``workflow.duration``, outputs) are the runner's."""
        wf = self.workflow_for(given)
        spec = wf.get("spec") or {}
        meta = wf.get("metadata") or {}
        moment = (created or _dt.datetime.now(_dt.UTC)).replace(microsecond=0)
        if moment.tzinfo is None:
            moment = moment.astimezone()
        out: dict[str, str] = {
            "workflow.name": str(meta.get("name") or ""),
            "workflow.namespace": namespace,
            "workflow.mainEntrypoint": str(spec.get("entrypoint") or ""),
            "workflow.serviceAccountName": str(spec.get("serviceAccountName") or ""),
            "workflow.uid": uid,
            "workflow.creationTimestamp": rfc3339(moment),
        }
        annotations = _mapping(meta.get("annotations"))
        labels = _mapping(meta.get("labels"))
        if ANNOTATION_SCHEDULED_TIME in annotations:  # :684-689
            out["workflow.scheduledTime"] = str(annotations[ANNOTATION_SCHEDULED_TIME])
        if spec.get("priority") is not None:  # :691-693
            out["workflow.priority"] = anystring(spec["priority"])
        for char, text in _strftime_chars(moment).items():  # :694-697
            out[f"workflow.creationTimestamp.{char}"] = text
        out["workflow.creationTimestamp.s"] = str(int(moment.timestamp()))  # :698-699
        out["workflow.creationTimestamp.RFC3339"] = rfc3339(moment)  # :700-701
        params_json = _go_json([_param_for_json(p) for p in _params(spec)])  # :703-706
        out["workflow.parameters"] = params_json
        out["workflow.parameters.json"] = params_json
        for name, value in self.arguments(given).items():  # :707-725
            out[f"workflow.parameters.{name}"] = value
        md = _mapping(spec.get("workflowMetadata"))
        labels_from = _mapping(md.get("labelsFrom"))
        annotations_json = _go_json({k: anystring(v) for k, v in annotations.items()}, sort_keys=True)
        out["workflow.annotations"] = annotations_json  # :743-749
        out["workflow.annotations.json"] = annotations_json
        for k, v in annotations.items():
            out[f"workflow.annotations.{k}"] = anystring(v)
        labels_json = _go_json({k: anystring(v) for k, v in labels.items()}, sort_keys=True)
        out["workflow.labels"] = labels_json  # :750-753
        out["workflow.labels.json"] = labels_json
        for k, v in labels.items():  # :754-764: a label a labelsFrom expression will set waits for it
            if k not in labels_from:
                out[f"workflow.labels.{k}"] = anystring(v)
        for k, v in _mapping(md.get("labels")).items():  # :766-777
            if k not in labels_from:
                out[f"workflow.labels.{k}"] = anystring(v)
        for k, v in _mapping(md.get("annotations")).items():
            out[f"workflow.annotations.{k}"] = anystring(v)
        return out


def _choices(what: str, names: Sequence[Any], wrong: str) -> str:
    names = [str(n) for n in names if n is not None]
    if not names:
        return f"there are no {what}"
    matches = close_matches(wrong, names)
    text = f"did you mean {matches[0]!r}? " if matches else ""
    return text + f"{what}: " + ", ".join(names[:20]) + (" ..." if len(names) > 20 else "")


# --------------------------------------------------------------------------- load


def _runnable_docs(docs: Iterable[_Doc]) -> list[_Doc]:
    return [d for d in docs if d.kind in RUNNABLE]


def _check_kinds(docs: Sequence[_Doc]) -> None:
    """Refuse what cannot be a mistake-free document of the file to run: a document without a kind,
    a kind of the argoproj.io group that does not exist, or a kind close to a runnable one."""
    for doc in docs:
        if not isinstance(doc.data, dict):
            raise doc.error(
                "a document of this file is not a Kubernetes object (a mapping with apiVersion and kind)",
                hint="remove it, or separate the objects with ---",
            )
        kind = doc.data.get("kind")
        if not kind:
            raise doc.error(
                "a document of this file has no kind",
                hint="write kind: Workflow (or WorkflowTemplate, CronWorkflow, ClusterWorkflowTemplate)",
            )
        if not isinstance(kind, str):
            raise doc.error(f"kind must be a string, not {kind!r}", ("kind",))
        if kind in KNOWN_ARGO_KINDS:
            continue
        close = close_matches(kind, RUNNABLE, cutoff=0.75) or [k for k in RUNNABLE if k.lower() == kind.lower()]
        if doc.api_version.startswith("argoproj.io/") or close:
            hint = f"did you mean {close[0]}?" if close else "runnable kinds: " + ", ".join(RUNNABLE)
            raise doc.error(f"unknown kind {kind!r}", ("kind",), hint=hint)


def _select(candidates: list[_Doc], all_runnable: list[_Doc], name: str | None, where: Path) -> _Doc:
    if name is not None:
        kind = None
        wanted = name
        if "/" in name:
            alias, _, wanted = name.partition("/")
            kind = KIND_ALIASES.get(alias)
            if kind is None:
                raise ArgoFileError(
                    f"Resource kind '{alias}' is not supported for submitting",  # workflow_server.go:825-826
                    where,
                    hint="kinds: workflow, cronwf, wftmpl, cwftmpl (or their full names)",
                )

        def matches(d: _Doc) -> bool:
            generate = str(d.metadata.get("generateName") or "")
            names = {d.name, generate, generate.rstrip("-")} - {""}
            return wanted in names and (kind is None or d.kind == kind)

        found = [d for d in all_runnable if matches(d)]
        if len(found) == 1:
            return found[0]
        if not found:
            idents = [d.name or str(d.metadata.get("generateName") or "") for d in all_runnable]
            close = close_matches(wanted, idents)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ArgoFileError(
                f"no runnable object named {name!r} in {where}",
                where,
                hint=hint + "runnable objects: " + (", ".join(d.label for d in all_runnable) or "none"),
            )
        raise found[1].error(
            f"{len(found)} runnable objects are named {name!r}",
            ("metadata",),
            hint="choose one as kind/name: " + ", ".join(f"{d.kind.lower()}/{wanted}" for d in found),
        )
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise ArgoFileError(
            f"no Workflow, CronWorkflow, WorkflowTemplate or ClusterWorkflowTemplate in {where}",
            where,
            1 if where.is_file() else None,
            1 if where.is_file() else None,
            hint="mldsl run runs an Argo Workflow, or submits a template or CronWorkflow as argo submit --from does",
        )
    raise candidates[1].error(
        f"{len(candidates)} runnable objects in {where}: choose one by name",
        ("kind",),
        hint="runnable: " + ", ".join(d.label for d in candidates),
    )


def _suffix(doc: _Doc) -> str:
    """A deterministic five-character suffix in the alphabet Kubernetes draws from."""
    digest = hashlib.sha256(json.dumps([str(doc.path), doc.index, doc.data], sort_keys=True, default=str).encode()).digest()
    return "".join(_NAME_ALPHABET[b % len(_NAME_ALPHABET)] for b in digest[:5])


def _submitted_workflow(doc: _Doc, scheduled_time: _dt.datetime | None) -> tuple[dict[str, Any], Loc]:
    """The Workflow a runnable object submits, and where its spec is in the document."""
    data = doc.data
    meta = doc.metadata
    if doc.kind == WORKFLOW:
        spec = data.get("spec")
        if not isinstance(spec, dict):
            raise doc.error("a Workflow needs a spec", ("spec",))
        wf = copy.deepcopy({k: v for k, v in data.items() if k != "status"})
        wf["metadata"] = copy.deepcopy(meta)
        return wf, ("spec",)
    if doc.kind in (WORKFLOW_TEMPLATE, CLUSTER_WORKFLOW_TEMPLATE):
        if not doc.name:
            raise doc.error(f"a {doc.kind} needs metadata.name", ("metadata",))
        # NewWorkflowFromWorkflowTemplate (workflow/common/convert.go:59-80)
        cluster = doc.kind == CLUSTER_WORKFLOW_TEMPLATE
        label = LABEL_CLUSTER_WORKFLOW_TEMPLATE if cluster else LABEL_WORKFLOW_TEMPLATE
        ref: dict[str, Any] = {"name": doc.name}
        if cluster:
            ref["clusterScope"] = True
        return {
            "apiVersion": API_VERSION,
            "kind": WORKFLOW,
            "metadata": {"generateName": doc.name + "-", "labels": {label: doc.name}, "annotations": {}},
            "spec": {"workflowTemplateRef": ref},
        }, ("spec",)
    # CronWorkflow: ConvertCronWorkflowToWorkflow (workflow/common/convert.go:23-32, 82-109), as
    # ``argo submit --from cronwf/NAME`` does (workflow_server.go:815-820)
    if not doc.name:
        raise doc.error("a CronWorkflow needs metadata.name", ("metadata",))
    cron_spec = data.get("spec")
    wf_spec = cron_spec.get("workflowSpec") if isinstance(cron_spec, dict) else None
    if not isinstance(wf_spec, dict):
        raise doc.error("a CronWorkflow needs spec.workflowSpec", ("spec",))
    moment = scheduled_time or _dt.datetime.now().astimezone()
    labels: dict[str, Any] = {}
    annotations: dict[str, Any] = {ANNOTATION_SCHEDULED_TIME: rfc3339(moment)}
    own_labels = _mapping(meta.get("labels"))
    if LABEL_CONTROLLER_INSTANCE_ID in own_labels:  # convert.go:92-94
        labels[LABEL_CONTROLLER_INSTANCE_ID] = own_labels[LABEL_CONTROLLER_INSTANCE_ID]
    labels[LABEL_CRON_WORKFLOW] = doc.name  # convert.go:96
    wf_meta: dict[str, Any] = {"generateName": doc.name + "-", "labels": labels, "annotations": annotations}
    cron_md = cron_spec.get("workflowMetadata") if isinstance(cron_spec, dict) else None
    if isinstance(cron_md, dict):  # convert.go:97-105
        labels.update(copy.deepcopy(_mapping(cron_md.get("labels"))))
        annotations.update(copy.deepcopy(_mapping(cron_md.get("annotations"))))
        if cron_md.get("finalizers"):
            wf_meta["finalizers"] = list(cron_md["finalizers"])
    if scheduled_time is not None:  # --scheduled-time (cmd/argo/commands/submit.go:192-198)
        annotations[ANNOTATION_SCHEDULED_TIME] = rfc3339(scheduled_time)
    return {
        "apiVersion": str(data.get("apiVersion") or API_VERSION),
        "kind": WORKFLOW,
        "metadata": wf_meta,
        "spec": copy.deepcopy(wf_spec),
    }, ("spec", "workflowSpec")


def load(
    path: Path,
    *,
    search: Sequence[Path] = (),
    name: str | None = None,
    suffix: str | None = None,
    entrypoint: str | None = None,
    scheduled_time: _dt.datetime | None = None,
) -> Loaded:
    """Load the runnable object of ``path`` (a file or a folder) with the objects it can refer to.

    ``name`` picks the object (``NAME`` or ``kind/NAME``); ``suffix`` completes a ``generateName``
    (default: five characters derived from the object, so a run is reproducible); ``entrypoint``
    overrides ``spec.entrypoint`` as ``argo submit --entrypoint`` does (workflow/util/util.go:
    254-256); ``scheduled_time`` sets a CronWorkflow's ``workflow.scheduledTime`` as
    ``argo submit --scheduled-time`` does (default: now). See the module's docstring for the rules.
    """
    path = Path(path)
    if not path.exists():
        raise ArgoFileError("no such file or folder", path)
    folder = path if path.is_dir() else path.parent
    own_files = _walk(path) if path.is_dir() else [path]
    own_docs: list[_Doc] = []
    for f in own_files:
        try:
            docs = list(_read(f))
        except ArgoFileError:
            if not path.is_dir():
                raise
            continue  # a folder's unreadable files: listed in skipped below
        if not path.is_dir():
            _check_kinds(docs)
        own_docs.extend(docs)

    cluster = _Cluster()
    seen: set[Path] = set()
    order: list[Path] = []
    for root in [*search, folder]:
        root = Path(root)
        for f in _walk(root) if root.is_dir() else [root] if root.is_file() else []:
            resolved = f.resolve()
            if resolved in seen:
                order.remove(resolved)
            seen.add(resolved)
            order.append(resolved)
    if not path.is_dir():
        own_resolved = path.resolve()
        if own_resolved in order:
            order.remove(own_resolved)
        order.append(own_resolved)
    for f in order:
        neighbour = path.is_dir() or f != path.resolve()
        if neighbour and not _may_hold_objects(f):
            continue  # no object a workflow can refer to: not worth parsing (most files of a big folder)
        try:
            docs = list(_read(f)) if neighbour else own_docs
        except ArgoFileError as exc:
            cluster.skipped.append(exc)
            continue
        for doc in docs:
            cluster.apply(doc)

    all_runnable = _runnable_docs(own_docs)
    workflows = [d for d in all_runnable if d.kind == WORKFLOW]
    doc = _select(workflows or all_runnable, all_runnable, name, path)

    submitted, spec_loc = _submitted_workflow(doc, scheduled_time)
    spec = submitted["spec"]
    if entrypoint:
        spec["entrypoint"] = entrypoint
    loaded = Loaded(
        workflow={},
        kind=doc.kind,
        source=doc.path,
        config_maps={n: _config_map_data(d) for n, d in cluster.config_maps.items()},
        pvcs={n: copy.deepcopy(d.data) for n, d in cluster.pvcs.items()},
        skipped=list(cluster.skipped),
        _cluster=cluster,
        _doc=doc,
        _spec_loc=spec_loc,
        _submitted=submitted,
    )
    ref = spec.get("workflowTemplateRef")
    wft_doc: _Doc | None = None
    if ref is not None:
        ref_loc: Loc = ("workflowTemplateRef",) if doc.kind in (WORKFLOW, CRON_WORKFLOW) else ()
        if not isinstance(ref, dict) or not ref.get("name"):
            raise loaded._doc_error("workflowTemplateRef needs a name", ref_loc)
        if spec.get("templates"):  # workflow/validate/validate.go:382-386
            raise loaded._doc_error(
                "Templates is invalid field in spec if workflow referred WorkflowTemplate reference",
                ("templates",),
                hint="a Workflow with a workflowTemplateRef takes its templates from the WorkflowTemplate",
            )
        cluster_scope = bool(ref.get("clusterScope"))
        ref_name = str(ref["name"])
        wft_doc = cluster.templates(cluster_scope).get(ref_name)
        if wft_doc is None:  # validate.go:174-180: the API's NotFound error
            kind = CLUSTER_WORKFLOW_TEMPLATE if cluster_scope else WORKFLOW_TEMPLATE
            raise loaded._doc_error(
                f"{kind.lower()}s.argoproj.io {json.dumps(ref_name)} not found",
                (*ref_loc, "name"),
                hint=loaded._missing_hint(kind, ref_name),
            )
        wft_spec = wft_doc.data.get("spec")
        effective = join_workflow_spec(spec, wft_spec if isinstance(wft_spec, dict) else {})
    else:
        effective = copy.deepcopy(spec)
    loaded._wft = wft_doc

    metadata = copy.deepcopy(submitted.get("metadata") or {})
    if ref is not None:  # setWfTemplateLabel (operator.go:4501, 4748-4762)
        labels = metadata.setdefault("labels", {})
        label = LABEL_CLUSTER_WORKFLOW_TEMPLATE if ref.get("clusterScope") else LABEL_WORKFLOW_TEMPLATE
        labels[label] = str(ref["name"])
    if not metadata.get("name"):
        generate = str(metadata.get("generateName") or "")
        if not generate:
            raise doc.error(
                "metadata.name: Required value: name or generateName is required",  # the API server's validation
                ("metadata",),
            )
        # k8s.io/apiserver pkg/storage/names/generate.go:49-54
        metadata["name"] = generate[:_MAX_GENERATED_NAME_LENGTH] + (suffix if suffix is not None else _suffix(doc))
    loaded.workflow = {"apiVersion": API_VERSION, "kind": WORKFLOW, "metadata": metadata, "spec": effective}
    _check_references(loaded, doc, spec_loc, wft_doc, entrypoint)
    return loaded


def _config_map_data(doc: _Doc) -> dict[str, str]:
    data = doc.data.get("data")
    return {str(k): anystring(v) for k, v in data.items()} if isinstance(data, dict) else {}


# --------------------------------------------------------------------------- reference checks


def _check_references(loaded: Loaded, doc: _Doc, spec_loc: Loc, wft_doc: _Doc | None, entrypoint: str | None) -> None:
    """What submission validates before a workflow runs (workflow/validate/validate.go:259-368):
    an entrypoint (:259-261) that names a template, and every template of the workflow (or of its
    WorkflowTemplate, :350-358) with every ``template``/``templateRef`` it reaches resolvable
    (GetTemplateByName and GetTemplateFromRef, workflow/templateresolution/context.go:102-152)."""
    spec = loaded.workflow["spec"]
    base_doc, base_loc = (wft_doc, ("spec",)) if wft_doc is not None else (doc, spec_loc)
    names = [t.get("name") for t in _spec_templates(base_doc, base_loc) if isinstance(t, dict)]
    entry = spec.get("entrypoint")
    if not entry:
        raise doc.error(
            "spec.entrypoint is required",  # validate.go:259-261
            spec_loc,
            hint=("pass an entrypoint (argo submit --entrypoint), one of: " + ", ".join(str(n) for n in names))
            if names
            else None,
        )
    checker = _RefChecker(loaded)
    if entrypoint:  # given by the caller: no position in a file
        if _find_template(_spec_templates(base_doc, base_loc), entrypoint) < 0:
            raise ArgoFileError(f"template {entrypoint} not found", loaded.source, hint=_choices("templates", names, entrypoint))
    elif (loaded._submitted.get("spec") or {}).get("entrypoint") or wft_doc is None:
        checker.name_in_base(str(entry), base_doc, base_loc, doc, (*spec_loc, "entrypoint"))
    else:
        checker.name_in_base(str(entry), base_doc, base_loc, wft_doc, ("spec", "entrypoint"))
    on_exit = spec.get("onExit")
    if on_exit:
        own_exit = _mapping(loaded._submitted.get("spec")).get("onExit")
        on_exit_doc, on_exit_loc = (doc, spec_loc) if own_exit else (base_doc, base_loc)
        checker.name_in_base(str(on_exit), base_doc, base_loc, on_exit_doc, (*on_exit_loc, "onExit"))
    for site_doc, site_loc in [(doc, spec_loc)] + ([(wft_doc, ("spec",))] if wft_doc is not None else []):
        site_spec: Any = site_doc.data
        for part in site_loc:
            site_spec = site_spec.get(part) if isinstance(site_spec, dict) else None
        hooks = site_spec.get("hooks") if isinstance(site_spec, dict) else None
        if isinstance(hooks, dict):
            for event, hook in hooks.items():
                if isinstance(hook, dict):
                    checker.holder(hook, site_doc, (*site_loc, "hooks", event), base_doc, base_loc)
    for i in range(len(_spec_templates(base_doc, base_loc))):  # every template (validate.go:350-368)
        checker.visit(base_doc, base_loc, i)


class _RefChecker:
    def __init__(self, loaded: Loaded):
        self.loaded = loaded
        self.done: set[tuple[str, int, int]] = set()

    def visit(self, base_doc: _Doc, base_loc: Loc, index: int) -> None:
        """Check the template at ``index`` of a holder once: what it reaches resolves in its holder."""
        key = (str(base_doc.path), base_doc.index, index)
        if key in self.done:
            return
        self.done.add(key)
        template = _spec_templates(base_doc, base_loc)[index]
        if isinstance(template, dict):
            self.template(template, base_doc, (*base_loc, "templates", index), base_doc, base_loc)

    def name_in_base(self, name: str, base_doc: _Doc, base_loc: Loc, at_doc: _Doc, at_loc: Loc) -> None:
        templates = _spec_templates(base_doc, base_loc)
        at = _find_template(templates, name)
        if at >= 0:
            self.visit(base_doc, base_loc, at)
            return
        names = [t.get("name") for t in templates if isinstance(t, dict)]
        if base_doc.kind in (WORKFLOW_TEMPLATE, CLUSTER_WORKFLOW_TEMPLATE) and at_doc is not base_doc:
            message = f"template {name} not found in workflow template {base_doc.name}"  # context.go:144-146
        else:
            message = f"template {name} not found"  # context.go:105-108
        raise at_doc.error(message, at_loc, hint=_choices("templates", names, name))

    def holder(self, holder: Mapping[str, Any], doc: _Doc, loc: Loc, base_doc: _Doc, base_loc: Loc) -> None:
        """A step, task or hook: GetTemplate's order (context.go:155-165): inline, templateRef, template."""
        inline = holder.get("inline")
        ref = holder.get("templateRef")
        name = holder.get("template")
        if isinstance(inline, dict):
            self.template(inline, doc, (*loc, "inline"), base_doc, base_loc)
        elif isinstance(ref, dict):
            ref_name, tmpl_name = str(ref.get("name") or ""), str(ref.get("template") or "")
            cluster_scope = bool(ref.get("clusterScope"))
            target = self.loaded._cluster.templates(cluster_scope).get(ref_name)
            if target is None:
                kind = CLUSTER_WORKFLOW_TEMPLATE if cluster_scope else WORKFLOW_TEMPLATE
                raise doc.error(
                    f"workflow template {ref_name} not found",  # context.go:135-138
                    (*loc, "templateRef", "name"),
                    hint=self.loaded._missing_hint(kind, ref_name),
                )
            templates = _spec_templates(target, ("spec",))
            at = _find_template(templates, tmpl_name)
            if at < 0:
                raise doc.error(
                    f"template {tmpl_name} not found in workflow template {ref_name}",  # context.go:142-146
                    (*loc, "templateRef", "template"),
                    hint=_choices("templates", [t.get("name") for t in templates if isinstance(t, dict)], tmpl_name),
                )
            self.visit(target, ("spec",), at)
        elif isinstance(name, str) and name:
            self.name_in_base(name, base_doc, base_loc, doc, (*loc, "template"))
        hooks = holder.get("hooks")
        if isinstance(hooks, dict):
            for event, hook in hooks.items():
                if isinstance(hook, dict):
                    self.holder(hook, doc, (*loc, "hooks", event), base_doc, base_loc)
        on_exit = holder.get("onExit")
        if isinstance(on_exit, str) and on_exit:
            self.name_in_base(on_exit, base_doc, base_loc, doc, (*loc, "onExit"))

    def template(self, template: Mapping[str, Any], doc: _Doc, loc: Loc, base_doc: _Doc, base_loc: Loc) -> None:
        steps = template.get("steps")
        if isinstance(steps, list):
            for i, group in enumerate(steps):
                if isinstance(group, list):
                    for j, step in enumerate(group):
                        if isinstance(step, dict):
                            self.holder(step, doc, (*loc, "steps", i, j), base_doc, base_loc)
        dag = template.get("dag")
        tasks = dag.get("tasks") if isinstance(dag, dict) else None
        if isinstance(tasks, list):
            for i, task in enumerate(tasks):
                if isinstance(task, dict):
                    self.holder(task, doc, (*loc, "dag", "tasks", i), base_doc, base_loc)
