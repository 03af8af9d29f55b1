"""Running the planned stages (``EvaluableExpression.go`` evaluateStage) and :func:`should_execute`."""

from __future__ import annotations

from typing import Any

from mldsl.argo.govaluate.planner import _from_tokens, _parse
from mldsl.argo.govaluate.symbols import (
    _SYMBOL_NAMES,
    AND,
    COALESCE,
    OR,
    STRING,
    TERNARY_FALSE,
    TERNARY_TRUE,
    VARIABLE,
    _Stage,
    _Token,
)
from mldsl.argo.govaluate.values import WhenError, _GoError, _v


def should_execute(when: str) -> bool:
    """Argo's shouldExecute (``workflow/controller/steps.go`` l. 384-420) on ``when``, already substituted:
    WhenError carries Argo's message, WhenPanicError where Go itself would panic."""
    if when == "":
        return True
    try:
        try:
            tokens = _parse(when)
        except _GoError as exc:
            hint = ' (hint: try wrapping the affected expression in quotes ("))' if "Invalid token" in exc.message else ""
            raise WhenError(f"Invalid 'when' expression '{when}': {exc.message}{hint}") from None
        tokens = [_Token(STRING, t.value) if t.kind == VARIABLE else t for t in tokens]
        try:
            stage = _from_tokens(tokens)
        except _GoError as exc:
            raise WhenError(f"Failed to parse 'when' expression '{when}': {exc.message}") from None
        try:
            result = _evaluate(stage) if stage is not None else None
        except _GoError as exc:
            raise WhenError(f"Failed to evaluate 'when' expresion '{when}': {exc.message}") from None
    except RecursionError:
        raise WhenError(f"'when' expression '{when}' nests too deeply for mldsl's evaluator") from None
    if type(result) is not bool:
        raise WhenError(f"Expected boolean evaluation for '{when}'. Got {_v(result)}")
    return result


_SHORT_CIRCUIT_HOLDER = object()


def _evaluate(stage: _Stage) -> Any:
    """evaluateStage (EvaluableExpression.go l. 166-233)."""
    left: Any = None
    right: Any = None
    if stage.left is not None:
        left = _evaluate(stage.left)
    if stage.symbol == AND and left is False:
        return False
    if stage.symbol == OR and left is True:
        return True
    if stage.symbol == COALESCE and left is not None:
        return left
    if (stage.symbol == TERNARY_TRUE and left is False) or (stage.symbol == TERNARY_FALSE and left is not None):
        right = _SHORT_CIRCUIT_HOLDER
    if right is not _SHORT_CIRCUIT_HOLDER and stage.right is not None:
        right = _evaluate(stage.right)
    symbol = _SYMBOL_NAMES.get(stage.symbol, "")
    if stage.check is None:
        for check, value in ((stage.left_check, left), (stage.right_check, right)):
            if check is not None and not check(value):
                raise _GoError(stage.error_format.format(_v(value), symbol))
    elif not stage.check(left, right):
        raise _GoError(stage.error_format.format(_v(left), symbol))
    return stage.operator(left, right)
