"""govaluate's token kinds (``TokenKind.go``, ``lexerState.go``), operator symbols and precedences
(``OperatorSymbol.go``), and an evaluation stage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

(UNKNOWN, PREFIX, NUMERIC, BOOLEAN, STRING, PATTERN, TIME, VARIABLE, FUNCTION, SEPARATOR, ACCESSOR) = range(11)
(COMPARATOR, LOGICALOP, MODIFIER, CLAUSE, CLAUSE_CLOSE, TERNARY) = range(11, 17)
_KIND_NAMES = (
    *("UNKNOWN", "PREFIX", "NUMERIC", "BOOLEAN", "STRING", "PATTERN", "TIME", "VARIABLE", "FUNCTION", "SEPARATOR"),
    *("ACCESSOR", "COMPARATOR", "LOGICALOP", "MODIFIER", "CLAUSE", "CLAUSE_CLOSE", "TERNARY"),
)


class _Token:
    __slots__ = ("kind", "value")

    def __init__(self, kind: int, value: Any) -> None:
        self.kind = kind
        self.value = value


_VALUES = frozenset({NUMERIC, BOOLEAN, VARIABLE, PATTERN, FUNCTION, ACCESSOR, STRING, TIME})
_AFTER_OPERAND = frozenset({MODIFIER, COMPARATOR, LOGICALOP, CLAUSE_CLOSE, TERNARY, SEPARATOR})
# lexerState.go l. 17-305: kind -> (isEOF, the kinds that may follow)
_STATES: dict[int, tuple[bool, frozenset[int]]] = {
    UNKNOWN: (False, _VALUES | {PREFIX, CLAUSE}),
    CLAUSE: (False, _VALUES | {PREFIX, CLAUSE, CLAUSE_CLOSE}),
    CLAUSE_CLOSE: (True, frozenset(_AFTER_OPERAND | {NUMERIC, BOOLEAN, VARIABLE, STRING, PATTERN, TIME, CLAUSE})),
    NUMERIC: (True, _AFTER_OPERAND),
    BOOLEAN: (True, _AFTER_OPERAND),
    STRING: (True, _AFTER_OPERAND),
    TIME: (True, _AFTER_OPERAND - {TERNARY}),
    PATTERN: (True, _AFTER_OPERAND - {TERNARY}),
    VARIABLE: (True, _AFTER_OPERAND),
    MODIFIER: (False, frozenset({PREFIX, NUMERIC, VARIABLE, FUNCTION, ACCESSOR, STRING, BOOLEAN, CLAUSE, CLAUSE_CLOSE})),
    COMPARATOR: (False, _VALUES | {PREFIX, CLAUSE, CLAUSE_CLOSE}),
    LOGICALOP: (False, _VALUES - {PATTERN} | {PREFIX, CLAUSE, CLAUSE_CLOSE}),
    PREFIX: (False, frozenset({NUMERIC, BOOLEAN, VARIABLE, FUNCTION, ACCESSOR, CLAUSE, CLAUSE_CLOSE})),
    TERNARY: (False, _VALUES - {PATTERN} | {PREFIX, CLAUSE, SEPARATOR}),
    FUNCTION: (False, frozenset({CLAUSE})),
    ACCESSOR: (True, frozenset(_AFTER_OPERAND | {CLAUSE})),
    SEPARATOR: (False, _VALUES - {PATTERN} | {PREFIX, CLAUSE}),
}

# OperatorSymbol.go l. 9-49, in order: the ints also index precedence below
(VALUE, LITERAL, NOOP, EQ, NEQ, GT, LT, GTE, LTE, REQ, NREQ, IN, AND, OR) = range(14)
(PLUS, MINUS, BITWISE_AND, BITWISE_OR, BITWISE_XOR, BITWISE_LSHIFT, BITWISE_RSHIFT) = range(14, 21)
(MULTIPLY, DIVIDE, MODULUS, EXPONENT, NEGATE, INVERT, BITWISE_NOT) = range(21, 28)
(TERNARY_TRUE, TERNARY_FALSE, COALESCE, FUNCTIONAL, ACCESS, SEPARATE) = range(28, 34)
# OperatorSymbol.String (l. 244-309): note EQ prints "="
_SYMBOL_NAMES = {
    NOOP: "NOOP", VALUE: "VALUE", EQ: "=", NEQ: "!=", GT: ">", LT: "<", GTE: ">=", LTE: "<=", REQ: "=~", NREQ: "!~",
    AND: "&&", OR: "||", IN: "in", BITWISE_AND: "&", BITWISE_OR: "|", BITWISE_XOR: "^", BITWISE_LSHIFT: "<<",
    BITWISE_RSHIFT: ">>", PLUS: "+", MINUS: "-", MULTIPLY: "*", DIVIDE: "/", MODULUS: "%", EXPONENT: "**",
    NEGATE: "-", INVERT: "!", BITWISE_NOT: "~", TERNARY_TRUE: "?", TERNARY_FALSE: ":", COALESCE: "??",
}  # fmt: skip
_COMPARATORS = {"==": EQ, "!=": NEQ, ">": GT, ">=": GTE, "<": LT, "<=": LTE, "=~": REQ, "!~": NREQ, "in": IN}
_LOGICALS = {"&&": AND, "||": OR}
_BITWISE = {"^": BITWISE_XOR, "&": BITWISE_AND, "|": BITWISE_OR}
_SHIFTS = {">>": BITWISE_RSHIFT, "<<": BITWISE_LSHIFT}
_ADDITIVE = {"+": PLUS, "-": MINUS}
_MULTIPLICATIVE = {"*": MULTIPLY, "/": DIVIDE, "%": MODULUS}
_EXPONENTIAL = {"**": EXPONENT}
_PREFIXES = {"-": NEGATE, "!": INVERT, "~": BITWISE_NOT}
_TERNARIES = {"?": TERNARY_TRUE, ":": TERNARY_FALSE, "??": COALESCE}
_MODIFIERS = {**_ADDITIVE, **_MULTIPLICATIVE, **_EXPONENTIAL, **_BITWISE, **_SHIFTS}
_SEPARATORS = {",": SEPARATE}


def _precedence(symbol: int) -> int:
    """findOperatorPrecedenceForSymbol (OperatorSymbol.go l. 70-142); only equality matters (reorderStages)."""
    if symbol in (EQ, NEQ, GT, LT, GTE, LTE, REQ, NREQ, IN):
        return 9
    table = {NOOP: 0, VALUE: 1, AND: 11, OR: 12, BITWISE_AND: 6, BITWISE_OR: 6, BITWISE_XOR: 6, BITWISE_LSHIFT: 7,
             BITWISE_RSHIFT: 7, PLUS: 5, MINUS: 5, MULTIPLY: 8, DIVIDE: 8, MODULUS: 8, EXPONENT: 4, BITWISE_NOT: 3,
             NEGATE: 3, INVERT: 3, COALESCE: 10, TERNARY_TRUE: 10, TERNARY_FALSE: 10, ACCESS: 2, FUNCTIONAL: 2,
             SEPARATE: 13}  # fmt: skip
    return table.get(symbol, 1)


_Operator = Callable[[Any, Any], Any]
_Check = Callable[[Any], bool]
_CombinedCheck = Callable[[Any, Any], bool]


class _Stage:
    """evaluationStage (evaluationStage.go l. 24-43)."""

    __slots__ = ("check", "error_format", "left", "left_check", "operator", "right", "right_check", "symbol")

    def __init__(self, symbol: int, operator: _Operator, left: _Stage | None = None, right: _Stage | None = None) -> None:
        self.symbol, self.operator, self.left, self.right = symbol, operator, left, right
        self.left_check: _Check | None = None
        self.right_check: _Check | None = None
        self.check: _CombinedCheck | None = None
        self.error_format = ""

    def swap_with(self, other: _Stage) -> None:
        """swapWith: everything but the two sub-stages."""
        for name in ("symbol", "operator", "left_check", "right_check", "check", "error_format"):
            mine, theirs = getattr(self, name), getattr(other, name)
            setattr(self, name, theirs)
            setattr(other, name, mine)
