"""govaluate's stage planner (``stagePlanner.go``): tokens to a tree of stages, by precedence."""

from __future__ import annotations

from typing import Any

from mldsl.argo.govaluate.lexer import _check_balance, _check_syntax, _optimize, _parse_tokens
from mldsl.argo.govaluate.operators import _make_stage
from mldsl.argo.govaluate.symbols import (
    _ADDITIVE,
    _BITWISE,
    _COMPARATORS,
    _EXPONENTIAL,
    _KIND_NAMES,
    _MULTIPLICATIVE,
    _PREFIXES,
    _SEPARATORS,
    _SHIFTS,
    _TERNARIES,
    ACCESS,
    ACCESSOR,
    AND,
    BOOLEAN,
    CLAUSE,
    CLAUSE_CLOSE,
    COMPARATOR,
    LITERAL,
    LOGICALOP,
    MODIFIER,
    NOOP,
    NUMERIC,
    OR,
    PATTERN,
    PREFIX,
    SEPARATOR,
    STRING,
    TERNARY,
    TIME,
    VALUE,
    VARIABLE,
    _precedence,
    _Stage,
    _Token,
)
from mldsl.argo.govaluate.values import WhenPanicError, _GoError, _index_panic, _v


def _parse(expression: str) -> list[_Token]:
    """NewEvaluableExpression (EvaluableExpression.go l. 44-126) up to its tokens: lexed, checked,
    optimized, and planned (planning errors are parse errors too)."""
    tokens = _parse_tokens(expression)
    _from_tokens(tokens)
    return tokens


def _from_tokens(tokens: list[_Token]) -> _Stage | None:
    """NewEvaluableExpressionFromTokens (l. 54-84): check, optimize, plan."""
    _check_balance(tokens)
    _check_syntax(tokens)
    _optimize(tokens)
    return _plan_stages(tokens)


_LOGICAL_FORMAT = "Value '{}' cannot be used with the logical operator '{}', it is not a bool"
_MODIFIER_FORMAT = "Value '{}' cannot be used with the modifier '{}', it is not a number"
_COMPARATOR_FORMAT = "Value '{}' cannot be used with the comparator '{}', it is not a number"
_TERNARY_FORMAT = "Value '{}' cannot be used with the ternary operator '{}', it is not a bool"
_PREFIX_FORMAT = "Value '{}' cannot be used with the prefix '{}'"

# stagePlanner.go init (l. 75-145): level -> (symbols, token kind, type-error format, nextRight, next)
_LEVELS: dict[str, tuple[dict[str, int], int, str, str | None, str | None]] = {
    "prefix": (_PREFIXES, PREFIX, _PREFIX_FORMAT, "function", None),
    "exponential": (_EXPONENTIAL, MODIFIER, _MODIFIER_FORMAT, None, "function"),
    "multiplicative": (_MULTIPLICATIVE, MODIFIER, _MODIFIER_FORMAT, None, "exponential"),
    "additive": (_ADDITIVE, MODIFIER, _MODIFIER_FORMAT, None, "multiplicative"),
    "shift": (_SHIFTS, MODIFIER, _MODIFIER_FORMAT, None, "additive"),
    "bitwise": (_BITWISE, MODIFIER, _MODIFIER_FORMAT, None, "shift"),
    "comparator": (_COMPARATORS, COMPARATOR, _COMPARATOR_FORMAT, None, "bitwise"),
    "and": ({"&&": AND}, LOGICALOP, _LOGICAL_FORMAT, None, "comparator"),
    "or": ({"||": OR}, LOGICALOP, _LOGICAL_FORMAT, None, "and"),
    "ternary": (_TERNARIES, TERNARY, _TERNARY_FORMAT, None, "or"),
    "separator": (_SEPARATORS, SEPARATOR, "", None, "ternary"),
}


class _Planner:
    """The precedents over a tokenStream (tokenStream.go), ported as they are: right-recursive within a
    level, a rewind even when the stream ran out, nothing checking that every token was used."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.index = 0

    def has_next(self) -> bool:
        return self.index < len(self.tokens)

    def next(self) -> _Token:
        if not 0 <= self.index < len(self.tokens):
            raise _index_panic(self.index, len(self.tokens))
        self.index += 1
        return self.tokens[self.index - 1]

    def plan(self, level: str) -> _Stage | None:
        if level == "function":
            return self.plan_function()
        symbols, kind, error_format, next_right, next_left = _LEVELS[level]
        # planPrecedenceLevel (l. 211-290)
        left = self.plan(next_left) if next_left else None
        while self.has_next():
            token = self.next()
            if token.kind != kind or not isinstance(token.value, str) or token.value not in symbols:
                break
            right = self.plan(next_right or level)
            return _make_stage(symbols[token.value], left, right, error_format)
        self.index -= 1
        return left

    def plan_tokens(self) -> _Stage | None:
        return self.plan("separator") if self.has_next() else None

    def plan_function(self) -> _Stage | None:
        """planFunction (l. 295-320): there are no functions, so straight to planAccessor (l. 322-365)."""
        self.next()
        self.index -= 1
        if not self.has_next():
            return None
        token = self.next()
        if token.kind != ACCESSOR:
            self.index -= 1
            return self.plan_value()
        right = None
        if self.has_next():
            if self.next().kind == CLAUSE:
                self.index -= 1
                right = self.plan_tokens()
            else:
                self.index -= 1
        name = token.value[0]

        def access(left: Any, right: Any) -> Any:
            raise _GoError(f"No parameter '{name}' found.")  # Evaluate(nil): DUMMY_PARAMETERS (parameters.go)

        return _Stage(ACCESS, access, right=right)

    def plan_value(self) -> _Stage | None:
        """planValue (l. 371-445)."""
        if not self.has_next():
            return None
        token = self.next()
        if token.kind == CLAUSE:
            inner = self.plan_tokens()
            self.next()  # "We know that it's a CLAUSE_CLOSE": it need not be
            return _Stage(NOOP, lambda left, right: right, right=inner)
        if token.kind == CLAUSE_CLOSE:
            self.index -= 1
            return None
        if token.kind == PREFIX:
            self.index -= 1
            return self.plan("prefix")
        if token.kind == VARIABLE:
            name = token.value

            def parameter(left: Any, right: Any) -> Any:
                raise _GoError(f"No parameter '{name}' found.")

            return _Stage(VALUE, parameter)
        if token.kind in (NUMERIC, STRING, PATTERN, BOOLEAN, TIME):
            value = float(token.value.unix) if token.kind == TIME else token.value
            return _Stage(LITERAL, lambda left, right: value)
        raise _GoError(f"Unable to plan token kind: '{_KIND_NAMES[token.kind]}', value: '{_v(token.value)}'")


def _plan_stages(tokens: list[_Token]) -> _Stage | None:
    """planStages (l. 181-196); elideLiterals is left out: it only precomputes what evaluation gives."""
    stage = _Planner(tokens).plan_tokens()
    if stage is None:
        raise WhenPanicError("runtime error: invalid memory address or nil pointer dereference")  # reorderStages(nil)
    _reorder(stage)
    return stage


def _reorder(root: _Stage) -> None:
    """reorderStages (l. 556-596): runs of one precedence down the right side are mirrored, which makes
    the right-recursive plan left-associative (a - b - c is (a - b) - c)."""
    identical: list[_Stage] = []
    following: _Stage | None = root
    precedence = _precedence(root.symbol)
    while following is not None:
        current = following
        following = current.right
        if current.left is not None:
            _reorder(current.left)
        if _precedence(current.symbol) == precedence:
            identical.append(current)
            continue
        if len(identical) > 1:
            _mirror(identical)
        identical = [current]
        precedence = _precedence(current.symbol)
    if len(identical) > 1:
        _mirror(identical)


def _mirror(stages: list[_Stage]) -> None:
    """mirrorStageSubtree (l. 603-643)."""
    n = len(stages)
    for stage in stages:
        stage.left, stage.right = stage.right, stage.left
    root, front = stages[0], stages[-1]
    front.left, root.right = root.right, front.left
    for i in range((n - 2) // 2 + 1):
        front, inverse = stages[i + 1], stages[n - i - 1]
        front.right, inverse.right = inverse.right, front.right
    for i in range(n // 2):
        stages[i].swap_with(stages[n - i - 1])
