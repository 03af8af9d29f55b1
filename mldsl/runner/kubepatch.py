"""JSON patch, merge patch and strategic merge patch of objects, as kubectl patch applies them."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from mldsl.runner.argomerge import Schema, strategic_merge

# --------------------------------------------------------------------------- patches


class _PatchError(Exception):
    pass


def _json_equal(a: Any, b: Any) -> bool:
    """Equality of decoded JSON: numbers by value, but a boolean is never a number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


def _pointer(path: Any) -> list[str]:
    """RFC 6901: ``/a/b~1c`` -> [a, b/c]."""
    if not isinstance(path, str) or (path and not path.startswith("/")):
        raise _PatchError(f"invalid JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]] if path else []


def _index(container: list[Any], token: str, *, insert: bool) -> int:
    """An array index as evanphx/json-patch v4 reads it: negative counts from the end."""
    if not re.fullmatch(r"-?[0-9]+", token):
        raise _PatchError(f"invalid array index {token!r}")
    i = int(token)
    size = len(container) + (1 if insert else 0)
    if i < -len(container) or i >= size:
        raise _PatchError(f"array index {i} out of bounds")
    return i + len(container) if i < 0 else i


def _parent(doc: Any, tokens: list[str]) -> Any:
    cur = doc
    for t in tokens[:-1]:
        if isinstance(cur, dict) and t in cur:
            cur = cur[t]
        elif isinstance(cur, list):
            cur = cur[_index(cur, t, insert=False)]
        else:
            raise _PatchError("doc is missing path")
    return cur


def _get(doc: Any, tokens: list[str]) -> Any:
    if not tokens:
        return doc
    parent = _parent(doc, tokens)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise _PatchError("doc is missing key")
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(parent, last, insert=False)]
    raise _PatchError("doc is missing path")


def _add(doc: Any, tokens: list[str], value: Any) -> Any:
    if not tokens:
        return value
    parent = _parent(doc, tokens)
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(len(parent) if last == "-" else _index(parent, last, insert=True), value)
    else:
        raise _PatchError("doc is missing path")
    return doc


def _remove(doc: Any, tokens: list[str]) -> Any:
    if not tokens:
        raise _PatchError("cannot remove the whole document")
    parent = _parent(doc, tokens)
    last = tokens[-1]
    if isinstance(parent, dict) and last in parent:
        del parent[last]
    elif isinstance(parent, list):
        del parent[_index(parent, last, insert=False)]
    else:
        raise _PatchError("doc is missing key")
    return doc


def json_patch(doc: Any, operations: Any) -> Any:
    """RFC 6902 (``mergeStrategy: json``) on a copy of ``doc``: add, remove, replace, move, copy
    and test, with evanphx/json-patch v4's readings (replace needs the key to exist, negative array
    indexes count from the end). Raises ValueError on any failing operation."""
    if not isinstance(operations, list):
        raise ValueError("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    out = copy.deepcopy(doc)
    for op in operations:
        if not isinstance(op, Mapping):
            raise ValueError("json: cannot unmarshal into Go value of type jsonpatch.Operation")
        kind = op.get("op")
        try:
            path = _pointer(op.get("path", ""))
            if kind == "add":
                out = _add(out, path, copy.deepcopy(op.get("value")))
            elif kind == "remove":
                out = _remove(out, path)
            elif kind == "replace":
                _get(out, path)
                out = _add(out, path, copy.deepcopy(op.get("value"))) if path else copy.deepcopy(op.get("value"))
            elif kind in ("move", "copy"):
                src = _pointer(op.get("from", ""))
                value = copy.deepcopy(_get(out, src))
                if kind == "move":
                    out = _remove(out, src)
                out = _add(out, path, value)
            elif kind == "test":
                if not _json_equal(_get(out, path), op.get("value")):
                    raise _PatchError(f"testing value {op.get('path')} failed")
            else:
                raise _PatchError(f"Unexpected kind: {kind}")
        except _PatchError as exc:
            raise ValueError(f"{kind} operation does not apply: {exc}") from None
    return out


def _prune_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _prune_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune_nulls(v) for v in value]
    return value


def merge_patch(doc: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch (``mergeStrategy: merge``): null deletes, objects merge, anything
    else replaces; nulls inside a new value are dropped (evanphx/json-patch mergeDocs)."""
    if not isinstance(patch, Mapping):
        return _prune_nulls(copy.deepcopy(patch))
    out = dict(doc) if isinstance(doc, Mapping) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, Mapping):
            out[k] = merge_patch(out.get(k) if isinstance(out.get(k), Mapping) else {}, v)
        else:
            out[k] = _prune_nulls(copy.deepcopy(v))
    return out


#: The ``patchStrategy:"merge"`` lists of the built-in types kept here (kubernetes/api v0.35.4
#: core/v1/types.go:2953, 2970, 3021, 3028, 4126, 4135, 4145, 4240, 4267, 4330, 4397, 5924, 6303;
#: apimachinery meta/v1/types.go:241, 259). Lists not named are replaced, maps merge.
_C: Schema = {"ports": ("containerPort", {}), "env": ("name", {}), "volumeMounts": ("mountPath", {}),
              "volumeDevices": ("devicePath", {})}  # fmt: skip
_POD_SPEC: Schema = {
    "containers": ("name", _C), "initContainers": ("name", _C), "ephemeralContainers": ("name", _C),
    "volumes": ("name", {}), "imagePullSecrets": ("name", {}), "hostAliases": ("ip", {}),
    "topologySpreadConstraints": ("topologyKey", {}), "schedulingGates": ("name", {}),
}  # fmt: skip
_META: Schema = {"ownerReferences": ("uid", {}), "finalizers": ("", {})}
_TEMPLATE_S: Schema = {"metadata": (None, _META), "spec": (None, _POD_SPEC)}
_WORKLOAD: Schema = {"metadata": (None, _META), "spec": (None, {"template": (None, _TEMPLATE_S)})}
_SCHEMAS: dict[str, Schema] = {
    "Pod": {"metadata": (None, _META), "spec": (None, _POD_SPEC)},
    "PodTemplate": {"metadata": (None, _META), "template": (None, _TEMPLATE_S)},
    "Job": _WORKLOAD, "Deployment": _WORKLOAD, "StatefulSet": _WORKLOAD, "DaemonSet": _WORKLOAD,
    "ReplicaSet": _WORKLOAD, "ReplicationController": _WORKLOAD,
    "CronJob": {"metadata": (None, _META), "spec": (None, {"jobTemplate": (None, {"spec": (None, _WORKLOAD["spec"][1])})})},
    "Service": {"metadata": (None, _META), "spec": (None, {"ports": ("port", {})})},
    "ServiceAccount": {"metadata": (None, _META), "secrets": ("name", {})},
}  # fmt: skip


def _directives(value: Any) -> list[str]:
    """Strategic-merge directives (``$patch``, ``$retainKeys``, ``$setElementOrder/...``): refused."""
    if isinstance(value, Mapping):
        found = [k for k in value if isinstance(k, str) and k.startswith("$")]
        return found + [d for v in value.values() for d in _directives(v)]
    if isinstance(value, list):
        return [d for v in value for d in _directives(v)]
    return []


def _strategic(doc: Mapping[str, Any], patch: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """strategicpatch.StrategicMergePatch for the tags in ``_SCHEMAS`` (argomerge.strategic_merge)."""
    return strategic_merge(doc, patch, _SCHEMAS.get(kind, {"metadata": (None, _META)}))
