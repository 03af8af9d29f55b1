"""``{{...}}`` tags: finding them, replacing resolved ones, and naming the ones left unresolved
(``validate.go``, ``common.go``)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from mldsl.argo.validate.fields import (
    _ANY_ITEM,
    _ANY_WF_OUT_ART,
    _ANY_WF_OUT_PARAM,
    _CHECKED_ROOTS,
    _FIELD_NAME,
    _FIELD_NAME_MSG,
    _MAX_FIELD_NAME,
    _PARAM_NAME_MSG,
    _PARAM_OR_ARTIFACT_NAME,
    _PARAM_RE,
    _d,
    _str,
)

# -- {{...}} tags: github.com/valyala/fasttemplate as util/template uses it --------------------------


class _TagError(Exception):
    pass


def _tags(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, tag) of each ``{{tag}}``: the first ``}}`` after each ``{{`` closes it; a ``{{``
    without one is an error (fasttemplate NewTemplate)."""
    pos = 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            return
        close = text.find("}}", start + 2)
        if close < 0:
            raise _TagError(f'Cannot find end tag="}}}}" in the template starting from {text[start + 2 :][:40]!r}')
        yield start, close + 2, text[start + 2 : close]
        pos = close + 2


def _replace(text: str, values: Mapping[str, str]) -> str:
    """template.Replace(..., allowUnresolved=true) (util/template/template.go l. 37-58,
    simple_template.go l. 17-75); expression tags stay as written (validation resolves none)."""
    out: list[str] = []
    pos = 0
    for start, end, tag in _tags(text):
        out.append(text[pos:start])
        pos = end
        if tag.startswith("="):  # kind.go l. 22-29: an expression
            out.append("{{" + tag + "}}")
            continue
        key = tag.strip()
        if key in values:
            out.append(json.dumps(values[key], ensure_ascii=False)[1:-1])
            continue
        nested = tag.rfind("{{")  # simple_template.go l. 21-38: {{a.{{b}}...
        if nested > 0 and tag[nested + 2 :] in values:
            out.append("{{" + tag[:nested] + json.dumps(values[tag[nested + 2 :]], ensure_ascii=False)[1:-1])
            continue
        out.append("{{" + tag + "}}")
    out.append(text[pos:])
    return "".join(out)


def _needs_resolution(text: str) -> bool:
    """VerifyResolvedVariables (validate.go l. 631-639) fails: a simple tag is left, or a ``{{`` is unclosed."""
    try:
        return any(not tag.startswith("=") for _, _, tag in _tags(text))
    except _TagError:
        return True


def _unresolved(scope: set[str], globals_: Mapping[str, str], text: str, wft: bool) -> str | None:
    """resolveAllVariables (validate.go l. 797-836): the first simple tag under a checked root
    (common.go l. 303) that is neither in scope nor global nor one of the runtime-only prefixes."""
    any_item = _ANY_ITEM in scope
    any_param = _ANY_WF_OUT_PARAM in scope
    any_art = _ANY_WF_OUT_ART in scope
    try:
        tags = [tag for _, _, tag in _tags(text)]
    except _TagError as exc:
        return str(exc)
    for tag in tags:
        if tag.startswith("="):
            continue  # util/template/validate.go l. 17-18: expressions are not validated
        t = tag.strip()
        if not t.startswith(_CHECKED_ROOTS) or t in scope or t in globals_:
            continue
        if (t == "item" or t.startswith("item.")) and any_item:  # l. 812
            continue
        if t.startswith("workflow.outputs.parameters.") and any_param:  # l. 815
            continue
        if t.startswith("workflow.outputs.artifacts.") and any_art:  # l. 817
            continue
        if t.startswith(
            # l. 819-827: self-reference for metrics, and values only known at run time
            (
                "outputs.",
                "workflow.creationTimestamp",
                "workflow.scheduledTime",
                "workflow.duration",
                "tasks.name",
                "steps.name",
                "node.name",
            )
        ):
            continue
        if t.startswith("workflow.parameters") and wft:  # l. 828: a template alone may get them later
            continue
        return f"failed to resolve {{{{{tag}}}}}"  # l. 831
    return None


# -- names ----------------------------------------------------------------------------------------


def _field_name_errors(name: str, params: bool) -> str | None:
    """isValidWorkflowFieldName / isValidParamOrArtifactName (validate.go l. 1702-1727)."""
    if params:
        return None if _PARAM_OR_ARTIFACT_NAME.fullmatch(name) else _PARAM_NAME_MSG
    errs = []
    if len(name) > _MAX_FIELD_NAME:
        errs.append(f"must be no more than {_MAX_FIELD_NAME} characters")
    if not _FIELD_NAME.fullmatch(name):
        errs.append(_FIELD_NAME_MSG)
    return ";".join(errs) or None


def _names_problem(items: list[Any], params: bool) -> tuple[int, str] | None:
    """validateWorkflowFieldNames (validate.go l. 1350-1396): (index, message) of the first
    missing, invalid or repeated ``name``."""
    seen: set[str] = set()
    for i, item in enumerate(items):
        name = _str(_d(item).get("name"))
        if not name:
            return i, "name is required"  # l. 1377
        why = _field_name_errors(name, params)
        if why:
            return i, f"name '{name}' is invalid: {why}"  # l. 1387
        if name in seen:
            return i, f"name '{name}' is not unique"  # l. 1391
        seen.add(name)
    return None


def _is_parameter(s: str) -> bool:
    return _PARAM_RE.search(s) is not None  # validate.go l. 1698-1700
