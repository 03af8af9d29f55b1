"""Turn type declarations (short or long form) into checked :class:`Param` objects."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from mldsl.compiler.context import Context, Loc
from mldsl.lang.buckets import bucket_problem
from mldsl.lang.constraints import MISSING, Param, check_value, portable_pattern
from mldsl.lang.loader import Loaded
from mldsl.lang.mtypes import MType, TypeSyntaxError, list_of, parse_type
from mldsl.lang.value_codes import BUCKET_HINT

if TYPE_CHECKING:  # the document models are read, never built, here (models/fast.py builds them)
    from mldsl.lang.models.typedecl import TypeDecl


def declare(ctx: Context, doc: Loaded, loc: Loc, name: str, decl: str | TypeDecl, *, role: str) -> Param | None:
    """A :class:`Param` for ``decl`` at ``loc``, or ``None`` after reporting why not."""
    if isinstance(decl, str):
        return _declare_short(ctx, doc, loc, name, decl)
    t = _parse(ctx, doc, (*loc, "type"), decl.type)
    if t is None:
        return None
    bad = _Problems(ctx, doc, loc)
    t = _refined_type(decl, t, bad)
    _check_bounds(decl, t, bad)
    _check_role(decl, t, role, bad)
    if not bad.ok:
        return None
    param = Param(
        name,
        t,
        default=decl.default if decl.has_default else MISSING,
        optional=decl.optional,
        minimum=decl.min,
        maximum=decl.max,
        exclusive_min=decl.exclusive_min,
        exclusive_max=decl.exclusive_max,
        pattern=decl.pattern,
        min_length=decl.min_length,
        max_length=decl.max_length,
        description=decl.description,
    )
    return param if _default_fits(ctx, doc, loc, decl, param) else None


def _declare_short(ctx: Context, doc: Loaded, loc: Loc, name: str, decl: str) -> Param | None:
    """``name: int``: the type alone."""
    t = _parse(ctx, doc, loc, decl)
    if t is not None and (t.kind == "enum" or (t.kind == "list" and t.item is not None and t.item.kind == "enum")):
        # the short form cannot list values: such a param could never be given one (a form shows no choice)
        ctx.error(
            doc,
            loc,
            "MLD203",
            f"{'a list of enums' if t.kind == 'list' else 'an enum'} needs 'values'",
            f"use the long form: {{type: {decl}, values: [a, b]}}",
        )
        return None
    return Param(name, t) if t is not None else None


class _Problems:
    """Reports a problem at a field of the declaration (its key), remembering that one was found."""

    def __init__(self, ctx: Context, doc: Loaded, loc: Loc) -> None:
        self.ctx, self.doc, self.loc, self.ok = ctx, doc, loc, True

    def __call__(self, field: str, message: str, hint: str | None = None, code: str = "MLD202") -> None:
        self.ok = False
        self.ctx.error(self.doc, (*self.loc, field), code, message, hint, key=True)


def _refined_type(decl: TypeDecl, t: MType, bad: _Problems) -> MType:
    """The type with its ``values`` (an enum, or the items of a list of enums: SPEC §1.10) and ``format``."""
    enum_list = t.kind == "list" and t.item is not None and t.item.kind == "enum"
    if t.kind == "enum" or enum_list:
        if not decl.values:
            bad(
                "type",
                f"{'a list of enums' if enum_list else 'an enum'} needs 'values'",
                "list the allowed values: values: [a, b]",
                code="MLD203",
            )
        elif len(set(map(repr, decl.values))) != len(decl.values):
            bad("values", "enum values must be unique", code="MLD203")
        else:
            enum = MType("enum", values=tuple(decl.values))
            t = list_of(enum) if enum_list else enum
    elif decl.values is not None:
        bad("values", f"'values' applies to enum and list[enum], not {t}", "write type: enum, or type: 'list[enum]'")
    if decl.format is not None:
        if t.kind != "artifact":
            bad("format", f"'format' applies to artifact, not {t}")
        else:
            t = MType("artifact", format=decl.format)
    return t


def _check_bounds(decl: TypeDecl, t: MType, bad: _Problems) -> None:
    """``min``/``max`` for numbers, ``pattern`` for strings, lengths for strings, lists and dicts."""
    numeric = t.kind in ("int", "float")
    for f in ("min", "max"):
        v = getattr(decl, f)
        if v is not None and not numeric:
            bad(
                f,
                f"'{f}' applies to int and float, not {t}",
                "use min_length/max_length for strings and lists" if t.kind in ("str", "list", "dict") else None,
            )
        elif v is not None and t.kind == "int" and isinstance(v, float) and not v.is_integer():
            bad(f, f"'{f}' of an int must be a whole number")
    for f in ("exclusive_min", "exclusive_max"):
        if getattr(decl, f) and getattr(decl, f[len("exclusive_") :]) is None:
            bad(f, f"'{f}' needs '{f[len('exclusive_') :]}'")
    if decl.pattern is not None:
        _check_pattern(decl.pattern, t, bad)
    for f in ("min_length", "max_length"):
        if getattr(decl, f) is not None and t.kind not in ("str", "list", "dict"):
            bad(f, f"'{f}' applies to str, list and dict, not {t}")
    if decl.min is not None and decl.max is not None and decl.min > decl.max:
        bad("min", f"min {decl.min} is greater than max {decl.max}", code="MLD206")
    if decl.min_length is not None and decl.max_length is not None and decl.min_length > decl.max_length:
        bad("min_length", f"min_length {decl.min_length} is greater than max_length {decl.max_length}", code="MLD206")


def _check_pattern(pattern: str, t: MType, bad: _Problems) -> None:
    if t.kind != "str":
        bad("pattern", f"'pattern' applies to str, not {t}")
        return
    try:
        re.compile(pattern)
    except re.error as exc:
        bad("pattern", f"invalid regular expression: {exc.msg}", code="MLD205")
        return
    why = portable_pattern(pattern)
    if why is not None:
        bad(
            "pattern",
            f"pattern {pattern!r} is not portable: {why}",
            "forms check patterns in JavaScript; use the common syntax: classes, groups, alternation, quantifiers, ^ and $",
            code="MLD207",
        )


def _check_role(decl: TypeDecl, t: MType, role: str, bad: _Problems) -> None:
    if role == "output" and (decl.has_default or decl.optional):
        bad("default" if decl.has_default else "optional", "outputs take no default and are never optional")
    if t.kind == "secret" and decl.has_default:
        bad("default", "a secret cannot have a default", "bind it with secret('name', 'key') where it is used", code="MLD500")


def _default_fits(ctx: Context, doc: Loaded, loc: Loc, decl: TypeDecl, param: Param) -> bool:
    """A default meets its own declaration (an artifact's is a URI); the first problem is reported."""
    if not decl.has_default:
        return True
    if param.type.kind != "artifact":
        for problem in check_value(param, decl.default):
            ctx.error(doc, (*loc, "default"), "MLD204", f"default of {param.name!r}: {problem}")
            return False
        return True
    if not _is_uri(decl.default):
        ctx.error(
            doc,
            (*loc, "default"),
            "MLD204",
            f"default of {param.name!r} must be an artifact URI",
            "for example s3://bucket/path/data.parquet",
        )
        return False
    if (bucket := bucket_problem(decl.default)) is not None:
        ctx.error(doc, (*loc, "default"), "MLD313", f"default of {param.name!r}: {bucket}", BUCKET_HINT)
        return False
    return True


def _is_uri(value: Any) -> bool:
    return isinstance(value, str) and bool(re.match(r"^(s3|gs|gcs|https?|oss|hdfs|az)://.+", value))


def _parse(ctx: Context, doc: Loaded, loc: Loc, text: str) -> MType | None:
    try:
        return parse_type(text)
    except TypeSyntaxError as exc:
        code = "MLD201" if str(exc).startswith("unknown type") else "MLD200"
        ctx.error(doc, loc, code, str(exc), exc.hint)
        return None
