"""Compile YAML values (literals, ``${{ }}`` expressions, interpolated strings) to typed IR values."""

from __future__ import annotations

import re
from typing import Any

from mldsl.compiler import ir
from mldsl.compiler.context import Context, Loc
from mldsl.compiler.exprcheck import Checker
from mldsl.compiler.exprscope import Scope
from mldsl.lang.constraints import ARTIFACT_URI, Param, check_value, range_within
from mldsl.lang.expressions import ExprError, has_expression, parse_template
from mldsl.lang.loader import Loaded
from mldsl.lang.mtypes import ANY, STR, MType, assignable, type_of_literal
from mldsl.lang.value_codes import code_of

#: Keys that name a credential: a literal value for them is refused (SPEC §1.6).
CREDENTIAL_KEY = re.compile(r"(passw(or)?d|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential)", re.I)
URI_PREFIX = re.compile(r"^(s3|gs|gcs|https?|oss|hdfs|az)://[^/\s{}$]+/")
URI = ARTIFACT_URI


def _contains_expression(value: Any) -> bool:
    if isinstance(value, str):
        return has_expression(value)
    if isinstance(value, list):
        return any(_contains_expression(v) for v in value)
    if isinstance(value, dict):
        return any(_contains_expression(v) for v in value.values())
    return False


def compile_value(ctx: Context, doc: Loaded, loc: Loc, raw: Any, scope: Scope) -> ir.IValue | None:
    """The typed IR of ``raw``; ``None`` after reporting errors."""
    if not isinstance(raw, str):
        if _contains_expression(raw):
            ctx.error(
                doc,
                loc,
                "MLD300",
                "expressions inside lists and mappings are not supported",
                'write the whole value as one expression, e.g. "${{ [params.a, params.b] }}"',
            )
            return None
        return ir.ILit(raw, type_of_literal(raw))
    if not has_expression(raw):
        return ir.ILit(raw, STR)
    try:
        template = parse_template(raw)
    except ExprError as exc:
        ctx.error(doc, loc, exc.code, str(exc), exc.hint, offset=exc.offset)
        return None
    checker = Checker(scope)
    single = template.single
    if single is not None:
        result: ir.IValue = checker.check(single)
    else:
        parts: list[str | ir.IExpr] = []
        for part in template.parts:
            if isinstance(part, str):
                parts.append(part)
                continue
            e = checker.check(part.expr)
            if e.type.kind in ("list", "dict", "artifact", "secret"):
                checker.fail(
                    part.expr,
                    "MLD303",
                    f"cannot put a {e.type} inside a string",
                    "use join() for lists, or make the value the whole string"
                    if e.type.kind == "list"
                    else 'a secret is a whole value only: map it to an env var of its own, env: {NAME: "${{ inputs.x }}"}'
                    if e.type.kind == "secret"
                    else 'use the whole value, e.g. "${{ steps.x.outputs.model }}"',
                )
            parts.append(e)
        result = ir.IInterp(tuple(parts), STR)
    for issue in checker.issues:
        ctx.error(doc, loc, issue.code, issue.message, issue.hint, offset=issue.offset)
    return None if checker.issues else result


def _bind_literal(ctx: Context, doc: Loaded, loc: Loc, value: ir.ILit, param: Param, key: str) -> ir.IValue | None:
    """A literal value of ``param``: no credential in clear, an artifact's URI, within the param's constraints."""
    t = param.type
    if CREDENTIAL_KEY.search(key) and isinstance(value.value, str) and value.value:
        ctx.error(
            doc,
            loc,
            "MLD501",
            f"{key!r} looks like a credential but has a literal value",
            "keep credentials out of git: declare the input as type: secret and pass secret('name', 'key')",
        )
        return None
    if t.kind == "artifact" and not (isinstance(value.value, str) and URI.match(value.value)):
        ctx.error(
            doc,
            loc,
            "MLD308",
            f"input {key!r} is an artifact: expected a URI, got {value.value!r}",
            "for example s3://bucket/data.parquet, gs://..., or https://...",
        )
        return None
    problems = check_value(param, value.value)
    for p in problems:
        code, hint = code_of(p)
        ctx.error(doc, loc, code, f"input {key!r}: {p}", hint)
    return None if problems else value


def _mismatch_hint(code: str, src: MType, t: MType) -> str | None:
    """How to make a value of type ``src`` fit an input of type ``t``."""
    hint = None
    if code == "MLD309":
        hint = "artifact formats must agree (or one side must not declare a format)"
    elif t.kind == "enum" and src.kind in ("str", "int", "float"):
        hint = f"declare the source as an enum with values among {', '.join(map(repr, t.values or ()))}"
    elif t.kind == "int" and src.kind == "float":
        hint = "convert explicitly with int()"
    elif t.kind == "str" and src.kind in ("int", "float", "bool"):
        hint = "convert explicitly with str()"
    elif t.kind == "str" and src.kind == "artifact":
        hint = "an artifact's location is its .uri, e.g. steps.train.outputs.model.uri"
    return hint


def _range_fits(ctx: Context, doc: Loaded, loc: Loc, value: ir.IValue, param: Param, scope: Scope, key: str) -> bool:
    """A value read from a bounded param or input fits the bounds of the param it is given to."""
    source_param = _declared(value, scope)
    bounded = [q for q in (source_param, param) if q is not None and (q.minimum is not None or q.maximum is not None)]
    if source_param is not None and len(bounded) == 2 and not range_within(source_param, param):
        ctx.error(
            doc,
            loc,
            "MLD308",
            f"input {key!r}: the range of {source_param.name!r} ({_range_text(source_param)}) is not within {_range_text(param)}",
            "tighten the source's min/max or widen the input's",
        )
        return False
    return True


def bind(ctx: Context, doc: Loaded, loc: Loc, raw: Any, param: Param, scope: Scope, *, key: str) -> ir.IValue | None:
    """Compile ``raw`` as the value of ``param`` and check that it fits."""
    value = compile_value(ctx, doc, loc, raw, scope)
    if value is None:
        return None
    t = param.type
    if t.kind == "secret":
        if isinstance(value, ir.ISecret) or (isinstance(value, ir.IParam) and value.type.kind == "secret"):
            return value
        ctx.error(
            doc,
            loc,
            "MLD500",
            f"input {key!r} is a secret: it needs a secret reference, not a literal"
            if isinstance(value, ir.ILit)
            else f"input {key!r} is a secret, got {value.type}",
            "write \"${{ secret('secret-name', 'key') }}\"",
        )
        return None
    if isinstance(value, ir.ISecret):
        ctx.error(doc, loc, "MLD502", f"input {key!r} is {t}, not a secret", "declare the input with type: secret")
        return None
    if isinstance(value, ir.ILit):
        return _bind_literal(ctx, doc, loc, value, param, key)
    if t.kind == "artifact" and isinstance(value, ir.IInterp):
        head = value.parts[0] if value.parts and isinstance(value.parts[0], str) else ""
        if URI_PREFIX.match(head):
            return value  # a URI template such as s3://bucket/${{ item }}/data.parquet
        ctx.error(
            doc,
            loc,
            "MLD308",
            f"input {key!r} is an artifact: a string must start with a URI scheme and bucket",
            'for example "s3://bucket/${{ params.day }}/data.parquet"',
        )
        return None
    src = value.type
    if not assignable(src, t):
        code = "MLD309" if src.kind == t.kind == "artifact" else "MLD303"
        hint = _mismatch_hint(code, src, t)
        ctx.error(doc, loc, code, f"input {key!r} expects {t}, got {src}", hint)
        return None
    return value if _range_fits(ctx, doc, loc, value, param, scope, key) else None


def _declared(value: ir.IValue, scope: Scope) -> Param | None:
    if isinstance(value, ir.IParam) and scope.params is not None:
        return scope.params.get(value.name)
    if isinstance(value, ir.IStepOutput) and scope.steps is not None and not value.fanout:
        info = scope.steps.get(value.step)
        return info.outputs.get(value.output) if info and info.outputs else None
    return None


def _range_text(p: Param) -> str:
    lo = "(" if p.exclusive_min else "["
    hi = ")" if p.exclusive_max else "]"
    return f"{lo}{'-inf' if p.minimum is None else p.minimum}, {'inf' if p.maximum is None else p.maximum}{hi}"


def expect_type(ctx: Context, doc: Loaded, loc: Loc, value: ir.IValue, want: MType, what: str, hint: str | None = None) -> bool:
    if value.type.kind == "any" or assignable(value.type, want) or want == ANY:
        return True
    ctx.error(
        doc,
        loc,
        "MLD306" if want.kind == "bool" else "MLD307" if want.kind == "list" else "MLD303",
        f"{what} must be {want if want.kind != 'list' else 'a list'}, got {value.type}",
        hint,
    )
    return False


def check_env(ctx: Context, doc: Loaded, loc: Loc, env: dict[str, Any] | None, scope: Scope) -> tuple[tuple[str, ir.IValue], ...]:
    """Compile an ``env`` mapping: expressions allowed, credentials only as secret()."""
    out: list[tuple[str, ir.IValue]] = []
    for name, raw in (env or {}).items():
        value = compile_value(ctx, doc, (*loc, name), raw, scope)
        if value is None:
            continue
        if isinstance(value, ir.ILit) and CREDENTIAL_KEY.search(name) and value.value not in ("", None):
            ctx.error(
                doc,
                (*loc, name),
                "MLD501",
                f"env {name!r} looks like a credential but has a literal value",
                "write \"${{ secret('secret-name', 'key') }}\" instead",
            )
            continue
        if value.type.kind in ("list", "dict", "artifact"):
            ctx.error(doc, (*loc, name), "MLD303", f"env {name!r} must be a scalar, got {value.type}")
            continue
        out.append((name, value))
    return tuple(out)
