"""Print typed IR values back as mldsl source (``${{ steps.train.outputs.auc >= 0.8 }}``).

Used where people read the IR: semantic diffs and graph labels. The output
re-parses to the same IR (a property the tests check).

>>> from mldsl.lang.mtypes import FLOAT, BOOL
>>> expr(ir.IBinary(">=", ir.IStepOutput("train", "auc", FLOAT), ir.ILit(0.8, FLOAT), BOOL))
'steps.train.outputs.auc >= 0.8'
"""

from __future__ import annotations

import json
from typing import Any

from mldsl.compiler import ir

_PRECEDENCE = {
    "or": 1,
    "and": 2,
    "not": 3,
    "==": 4,
    "!=": 4,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "in": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
}


def literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return json.dumps(value)


def expr(e: ir.IExpr, parent: int = 0) -> str:
    """The source text of one expression (without ``${{ }}``)."""
    if isinstance(e, ir.ILit):
        return literal(e.value)
    if isinstance(e, ir.IParam):
        return f"params.{e.name}"
    if isinstance(e, ir.IStepOutput):
        return f"steps.{e.step}.outputs.{e.output}" + (f".{e.field}" if e.field else "")
    if isinstance(e, ir.IItem):
        return "item" + "".join(f".{p}" for p in e.path)
    if isinstance(e, ir.IWorkflow):
        return f"workflow.{e.field}"
    if isinstance(e, ir.IInput):
        return f"inputs.{e.name}" + (f".{e.field}" if e.field else "")
    if isinstance(e, ir.IOutput):
        return f"outputs.{e.name}.path"
    if isinstance(e, ir.ISecret):
        return f"secret({literal(e.name)}, {literal(e.key)})"
    if isinstance(e, ir.IUnary):
        if e.op == "not":
            text = f"not {expr(e.operand, _PRECEDENCE['not'])}"
            return f"({text})" if parent > _PRECEDENCE["not"] else text
        return f"-{expr(e.operand, 7)}"
    if isinstance(e, ir.IBinary):
        prec = _PRECEDENCE[e.op]
        text = f"{expr(e.left, prec)} {e.op} {expr(e.right, prec + 1)}"
        return f"({text})" if parent > prec else text
    if isinstance(e, ir.ICall):
        return f"{e.func}(" + ", ".join(expr(a) for a in e.args) + ")"
    if isinstance(e, ir.IList):
        return "[" + ", ".join(expr(i) for i in e.items) + "]"
    if isinstance(e, ir.IIndex):
        return f"{expr(e.target, 8)}[{expr(e.key)}]"
    raise TypeError(e)  # pragma: no cover


def value(v: ir.IValue) -> Any:
    """A bound value as the user would write it: literals stay values, expressions become strings."""
    if isinstance(v, ir.ILit):
        return v.value
    if isinstance(v, ir.IInterp):
        return "".join(p if isinstance(p, str) else "${{ " + expr(p) + " }}" for p in v.parts)
    return "${{ " + expr(v) + " }}"
