"""Counts and sizes that may come from values (SPEC §1.10): workers, GPUs, executors, cpu and memory.

In a module they read an int input (``"${{ inputs.workers }}"``), on a step a param; the value is
type-checked here and lowered by each backend to a field of the right JSON type.
"""

from __future__ import annotations

from typing import Any

from mldsl.compiler import ir
from mldsl.compiler.context import Context, Loc
from mldsl.compiler.exprscope import Scope
from mldsl.compiler.values import compile_value
from mldsl.lang.loader import Loaded

#: what a size may be besides an int: a quantity such as 500m, 8Gi
QUANTITY_KINDS = ("int", "float", "str", "any")


def count(ctx: Context, doc: Loaded, loc: Loc, raw: Any, scope: Scope, what: str) -> int | ir.IExpr | None:
    """An int, or one expression of an int type; ``None`` after reporting why not."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    v = _one_expression(ctx, doc, loc, raw, scope, what, "an int")
    if v is None:
        return None
    if v.type.kind not in ("int", "any"):
        ctx.error(
            doc,
            loc,
            "MLD303",
            f"{what} is a count: expected an int, got {v.type}",
            "declare the input or param it reads as type: int",
        )
        return None
    return v


def size(ctx: Context, doc: Loaded, loc: Loc, raw: Any, scope: Scope, what: str) -> str | ir.IExpr | None:
    """A quantity (``2``, ``500m``, ``8Gi``), or one expression giving one."""
    if raw is None:
        return None
    if not (isinstance(raw, str) and "${{" in raw):
        return str(raw)
    v = _one_expression(ctx, doc, loc, raw, scope, what, "a quantity")
    if v is None:
        return None
    if v.type.kind not in QUANTITY_KINDS:
        ctx.error(doc, loc, "MLD303", f"{what} is a quantity: expected an int, float or str, got {v.type}")
        return None
    return v


def _one_expression(ctx: Context, doc: Loaded, loc: Loc, raw: Any, scope: Scope, what: str, kind: str) -> ir.IExpr | None:
    if not (isinstance(raw, str) and "${{" in raw):
        ctx.error(
            doc, loc, "MLD104", f"{what}: expected {kind}, got {raw!r}", 'give a number, or one reference: "${{ inputs.n }}"'
        )
        return None
    v = compile_value(ctx, doc, loc, raw, scope)
    if v is None:
        return None
    if isinstance(v, (ir.ILit, ir.IInterp)):
        ctx.error(doc, loc, "MLD303", f"{what} must be one expression", 'for example "${{ inputs.workers }}"')
        return None
    return v
