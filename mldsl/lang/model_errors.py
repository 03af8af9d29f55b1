"""Turn pydantic validation errors into positioned mldsl diagnostics."""

from __future__ import annotations

import types
import typing
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pydantic is imported by the loader when a document has errors to explain
    from pydantic import BaseModel, ValidationError

from mldsl.lang.diagnostics import Diagnostic, Span
from mldsl.lang.models.checks import UNION_TAGS
from mldsl.lang.suggest import close_matches
from mldsl.lang.yamlsource import Positions

_TYPE_WORDS = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping",
    "list_type": "a list",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "int_from_float": "an integer",
}


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    out = []
    for part in loc:
        if isinstance(part, str) and (part in UNION_TAGS or "[" in part or part in _UNION_NOISE):
            continue
        out.append(part)
    return tuple(out)


_UNION_NOISE = {"str", "int", "float", "bool", "list", "dict", "none", "constrained-int", "Retries", "Cache"}


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names (YAML spelling) of the model reached by following ``loc``."""
    current: Any = model
    for part in loc:
        current = _descend(current, part)
        if current is None:
            return []
    model_cls = _as_model(current)
    if model_cls is None:
        return []
    return [f.alias or name for name, f in model_cls.model_fields.items()]


def _as_model(tp: Any) -> type[BaseModel] | None:
    from pydantic import BaseModel

    for cand in _members(tp):
        if isinstance(cand, type) and issubclass(cand, BaseModel):
            return cand
    return None


def _members(tp: Any) -> list[Any]:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _members(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(tp):
            out.extend(_members(arg))
        return out
    return [tp]


def _descend(tp: Any, part: Any) -> Any:
    from pydantic import BaseModel

    for cand in _members(tp):
        if isinstance(cand, type) and issubclass(cand, BaseModel) and isinstance(part, str):
            for name, f in cand.model_fields.items():
                if (f.alias or name) == part:
                    return f.annotation
        origin = typing.get_origin(cand)
        if origin is dict and isinstance(part, str):
            return typing.get_args(cand)[1]
        if origin is list and isinstance(part, int):
            return typing.get_args(cand)[0]
    return None


def _value_at(data: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def split_by_comma(key: str, value: Any) -> bool:
    """Whether ``key: value`` looks like the tail of a flow-mapping value cut at a comma (``{a: x, then y}``)."""
    return value is None and any(c.isspace() for c in key.strip())


COMMA_HINT = "a comma inside { } ends the value before it: quote a value that holds a comma ('Load it, then ...')"


def _unknown_field(
    model: type[BaseModel], data: Any, loc: tuple[Any, ...], span: Span, hint: str | None, meant: set[tuple[Any, ...]]
) -> Diagnostic:
    """MLD102 for a key the model has not, hinting the field it was likely meant to be (noted in ``meant``)."""
    name = str(loc[-1]) if loc else "?"
    fields = _fields_at(model, loc[:-1])
    close = close_matches(name, fields, n=1, cutoff=0.6)
    if split_by_comma(name, _value_at(data, loc)):
        hint = COMMA_HINT
    elif close:
        hint = f"did you mean {close[0]!r}?"
        meant.add((*loc[:-1], close[0]))
    elif fields:
        hint = "allowed fields here: " + ", ".join(fields)
    return Diagnostic("MLD102", f"unknown field {name!r}", span, hint=hint)


def validation_diagnostics(
    exc: ValidationError, model: type[BaseModel], data: Any, positions: Positions, prefix: tuple[Any, ...] = ()
) -> list[Diagnostic]:
    """One diagnostic per pydantic error, at the key or value it concerns."""
    out: list[Diagnostic] = []
    #: (parent, field) a misspelt key was meant to be, and the "missing" diagnostics: a missing field that a
    #: typo next to it explains is the same mistake, reported once (at the typo, with its hint)
    meant: set[tuple[Any, ...]] = set()
    missing: list[tuple[tuple[Any, ...], Diagnostic]] = []
    for err in exc.errors(include_url=False):
        loc = _clean_loc(tuple(err["loc"]))
        full = prefix + loc
        etype = err["type"]
        ctx = err.get("ctx") or {}
        hint = ctx.get("hint") if isinstance(ctx, dict) else None
        if etype == "extra_forbidden":
            out.append(_unknown_field(model, data, loc, positions.span(full, key=True), hint, meant))
        elif etype == "missing":
            name = str(loc[-1]) if loc else "?"
            parent = ".".join(str(p) for p in loc[:-1]) or "the document"
            d = Diagnostic(
                "MLD103",
                f"missing required field {name!r} in {parent}",
                positions.span(full[:-1], key=True) if len(full) > 1 else positions.span(()),
                hint=hint,
            )
            out.append(d)
            missing.append((loc, d))
        elif etype.startswith("MLD"):
            if etype == "MLD105" and loc and split_by_comma(str(loc[-1]), _value_at(data, loc)):
                hint = COMMA_HINT
            at_key = bool(err["loc"]) and err["loc"][-1] == "[key]"  # a mapping's key, not its value, is wrong
            out.append(Diagnostic(etype, err["msg"], positions.span(full, key=at_key), hint=hint))
        elif etype in _TYPE_WORDS or etype.endswith("_type") or etype.endswith("_parsing"):
            want = _TYPE_WORDS.get(etype, etype.replace("_type", "").replace("_", " "))
            got = _describe(_value_at(data, loc))
            hint = hint or ("quote the value to make it a string" if want == "a string" else None)
            out.append(Diagnostic("MLD104", f"expected {want}, got {got}", positions.span(full), hint=hint))
        elif etype == "literal_error":
            expected = ctx.get("expected", "") if isinstance(ctx, dict) else ""
            got = _value_at(data, loc)
            out.append(Diagnostic("MLD107", f"invalid value {got!r}: expected {expected}", positions.span(full)))
        elif etype in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
            out.append(_out_of_range(model, loc, _value_at(data, loc), positions.span(full), hint))
        else:
            out.append(Diagnostic("MLD107", err["msg"], positions.span(full), hint=hint))
    explained = {id(d) for loc, d in missing if loc in meant}
    return _dedupe_union_noise([d for d in out if id(d) not in explained])


#: what a bounded field means, for the hint of a value out of its range (the field's name alone says the rest)
_MEANINGS = {
    "weight": "the new model's share of traffic, in percent",
    "replicas": "how many copies of the model serve",
    "workers": "pods in all (the coordinator counts)",
    "instances": "Spark executors",
    "parallelism": "how many run at once",
    "retries": "attempts after the first",
    "max_trials": "trials in all",
    "max_failed_trials": "failed trials before the sweep stops",
    "history": "finished runs kept",
}


def _out_of_range(model: type[BaseModel], loc: tuple[Any, ...], value: Any, span: Any, hint: str | None) -> Diagnostic:
    """A number past a field's bound, said with the field, its whole allowed range and what it means (not
    pydantic's ``input should be less than or equal to 100``)."""
    name = str(loc[-1]) if loc and isinstance(loc[-1], str) else "the value"
    allowed = _allowed_range(_bounds(model, loc))
    meaning = _MEANINGS.get(name)
    why = f"{name} is {meaning}: " if meaning else ""
    return Diagnostic(
        "MLD107",
        f"{name} {value!r} is out of range: it must be {allowed}",
        span,
        hint=hint or f"{why}give a whole number {allowed}",
    )


def _bounds(model: type[BaseModel], loc: tuple[Any, ...]) -> dict[str, Any]:
    """The ``ge``/``gt``/``le``/``lt`` a field at ``loc`` declares (``Annotated[int, Field(ge=0, le=100)]``)."""
    from pydantic import BaseModel

    current: Any = model
    for part in loc[:-1]:
        current = _descend(current, part)
        if current is None:
            return {}
    found: dict[str, Any] = {}
    stack: list[Any] = []
    for cand in _members(current):
        if isinstance(cand, type) and issubclass(cand, BaseModel):
            for name, f in cand.model_fields.items():
                if (f.alias or name) == (loc[-1] if loc else None):
                    stack.append(typing.Annotated[f.annotation, *f.metadata] if f.metadata else f.annotation)
    while stack:
        tp = stack.pop()
        if typing.get_origin(tp) is typing.Annotated:
            for meta in typing.get_args(tp)[1:]:
                for item in [meta, *getattr(meta, "metadata", [])]:
                    for key in ("ge", "gt", "le", "lt"):
                        if getattr(item, key, None) is not None:
                            found[key] = getattr(item, key)
            stack.append(typing.get_args(tp)[0])
        elif typing.get_origin(tp) in (typing.Union, types.UnionType):
            stack.extend(typing.get_args(tp))
    return found


def _allowed_range(b: dict[str, Any]) -> str:
    low = f"{b['ge']}" if "ge" in b else f"above {b['gt']}" if "gt" in b else None
    high = f"{b['le']}" if "le" in b else f"below {b['lt']}" if "lt" in b else None
    if low is not None and high is not None and "ge" in b and "le" in b:
        return f"from {low} to {high}"
    if low is not None and high is not None:
        return f"{low} and {high}"
    if "ge" in b:
        return f"{b['ge']} or more"
    if "gt" in b:
        return f"above {b['gt']}"
    if "le" in b:
        return f"{b['le']} or less"
    if "lt" in b:
        return f"below {b['lt']}"
    return "within its range"


def _dedupe_union_noise(diags: list[Diagnostic]) -> list[Diagnostic]:
    """A union field reports one error per member; keep one per position and code."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for d in diags:
        key = (d.span, d.code)
        if key in seen:
            continue
        seen.add(key)
        out.append(d)
    return out
