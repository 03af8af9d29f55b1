"""A Workflow's spec joined with its WorkflowTemplate's, parameters and artifacts merged as the controller merges
them; Go's time formats for the scheduled time."""

from __future__ import annotations

import copy
import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mldsl.runner.argodocs import ArgoFileError, _artifacts, _has_value, _params, anystring
from mldsl.runner.argomerge import WORKFLOW_SPEC_SCHEMA, _prune, strategic_merge

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
    _take_arguments(merged, wf_spec, wft_spec)
    return merged


# --------------------------------------------------------------------------- parameters


def _take_arguments(merged: dict[str, Any], wf_spec: Mapping[str, Any], wft_spec: Mapping[str, Any]) -> None:
    """A parameter with a value whole from the Workflow, else from the template (merge.go:300-311); an artifact
    the Workflow's, else the template's, over the merged one (:315-332, 344-373)."""
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
