"""Kubernetes' strategic merge patch over Argo's schema, as the controller merges templateDefaults and
workflowTemplateRef specs."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

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
    item with the same key, or is appended; then the order is normalised (:func:`_normalized_order`)."""
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
    return _normalized_order(original, patch, merged, key)


def _normalized_order(original: list[Any], patch: list[Any], merged: list[Any], key: str) -> list[Any]:
    """normalizeSliceOrder (patch.go:404-468): patch items in patch order, original-only items where they
    stood in the original."""
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
