"""The IR's values: literals, typed references, operators and interpolations, with a walk and a rebuild.

No ``from __future__ import annotations`` here (see ``ir/__init__.py``): only forward references are strings.
"""

from typing import Any, NamedTuple

from mldsl.lang.mtypes import MType

# --- expressions -----------------------------------------------------------


class ILit(NamedTuple):
    value: Any
    type: MType


class IParam(NamedTuple):
    """``params.<name>``: a pipeline parameter."""

    name: str
    type: MType


class IStepOutput(NamedTuple):
    """``steps.<step>.outputs.<name>`` (``field='uri'`` for an artifact's URI)."""

    step: str
    output: str
    type: MType
    artifact: bool = False
    field: str | None = None
    fanout: bool = False


class IItem(NamedTuple):
    """``item`` (or ``item.key``) inside a ``for_each`` step."""

    path: tuple[str | int, ...]
    type: MType


class IWorkflow(NamedTuple):
    """``workflow.<field>``: facts of the running workflow."""

    field: str
    type: MType


class IInput(NamedTuple):
    """``inputs.<name>`` or ``inputs.<name>.path`` inside a module's run."""

    name: str
    type: MType
    field: str | None = None


class IOutput(NamedTuple):
    """``outputs.<name>.path`` inside a module's run: where to write an artifact output."""

    name: str
    type: MType


class ISecret(NamedTuple):
    """``secret('name', 'key')``: a Kubernetes secret key reference."""

    name: str
    key: str
    type: MType


class IUnary(NamedTuple):
    op: str
    operand: "IExpr"
    type: MType


class IBinary(NamedTuple):
    op: str
    left: "IExpr"
    right: "IExpr"
    type: MType


class ICall(NamedTuple):
    func: str
    args: "tuple[IExpr, ...]"
    type: MType


class IList(NamedTuple):
    items: "tuple[IExpr, ...]"
    type: MType


class IIndex(NamedTuple):
    target: "IExpr"
    key: "IExpr"
    type: MType


IExpr = ILit | IParam | IStepOutput | IItem | IWorkflow | IInput | IOutput | ISecret | IUnary | IBinary | ICall | IList | IIndex


class IInterp(NamedTuple):
    """A string with ``${{ }}`` parts: literal text and typed expressions, in order."""

    parts: tuple[str | IExpr, ...]
    type: MType


#: A bound value: a plain YAML literal, one typed expression, or an interpolated string.
IValue = ILit | IExpr | IInterp


def walk(value: Any) -> Any:
    """Every expression node under ``value``, depth first."""
    stack = [value]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, IInterp):
            stack.extend(p for p in node.parts if not isinstance(p, str))
        elif isinstance(node, (IUnary,)):
            stack.append(node.operand)
        elif isinstance(node, IBinary):
            stack.extend((node.left, node.right))
        elif isinstance(node, (ICall, IList)):
            stack.extend(node.args if isinstance(node, ICall) else node.items)
        elif isinstance(node, IIndex):
            stack.extend((node.target, node.key))


def rebuild(value: Any, f: Any) -> Any:
    """``value`` with ``f`` applied to each of its direct sub-expressions (the children :func:`walk` visits)."""
    if isinstance(value, IInterp):
        return value._replace(parts=tuple(p if isinstance(p, str) else f(p) for p in value.parts))
    if isinstance(value, IUnary):
        return value._replace(operand=f(value.operand))
    if isinstance(value, IBinary):
        return value._replace(left=f(value.left), right=f(value.right))
    if isinstance(value, ICall):
        return value._replace(args=tuple(f(a) for a in value.args))
    if isinstance(value, IList):
        return value._replace(items=tuple(f(i) for i in value.items))
    if isinstance(value, IIndex):
        return value._replace(target=f(value.target), key=f(value.key))
    return value
