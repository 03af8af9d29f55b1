"""The stages' operators and type checks (``evaluationStage.go``), with Go's arithmetic."""

from __future__ import annotations

import math
from typing import Any

from mldsl.argo.govaluate.regexp import _compile_regexp, _RegexpSyntaxError
from mldsl.argo.govaluate.symbols import (
    AND,
    BITWISE_AND,
    BITWISE_LSHIFT,
    BITWISE_NOT,
    BITWISE_OR,
    BITWISE_RSHIFT,
    BITWISE_XOR,
    COALESCE,
    DIVIDE,
    EQ,
    EXPONENT,
    GT,
    GTE,
    IN,
    INVERT,
    LT,
    LTE,
    MINUS,
    MODULUS,
    MULTIPLY,
    NEGATE,
    NEQ,
    NREQ,
    OR,
    PLUS,
    REQ,
    SEPARATE,
    TERNARY_FALSE,
    TERNARY_TRUE,
    _Check,
    _CombinedCheck,
    _Operator,
    _Stage,
)
from mldsl.argo.govaluate.values import WhenPanicError, _GoError, _Regexp, _v


def _is_string(v: Any) -> bool:
    return type(v) is str


def _is_bool(v: Any) -> bool:
    return type(v) is bool


def _is_float(v: Any) -> bool:
    return type(v) is float


def _is_array(v: Any) -> bool:
    return type(v) is list


def _is_regex_or_string(v: Any) -> bool:
    return type(v) is str or isinstance(v, _Regexp)


def _addition_check(left: Any, right: Any) -> bool:
    return (_is_float(left) and _is_float(right)) or _is_string(left) or _is_string(right)


def _comparator_check(left: Any, right: Any) -> bool:
    """comparatorTypeCheck: two numbers or two strings, never one of each."""
    return (_is_float(left) and _is_float(right)) or (_is_string(left) and _is_string(right))


def _int64(f: float) -> int:
    """Go's int64(f) on amd64 (CVTTSD2SQ): truncation, or -2**63 when NaN or out of range."""
    if math.isnan(f) or not -(2.0**63) <= f < 2.0**63:
        return -(1 << 63)
    return int(f)


def _uint64(f: float) -> int:
    """Go's uint64(f) on amd64: the signed conversion below 2**63, else that of f - 2**63 with the top bit set."""
    if f < 2.0**63:
        return _int64(f) & ((1 << 64) - 1)
    return (_int64(f - 2.0**63) & ((1 << 64) - 1)) | (1 << 63)


def _go_divide(a: float, b: float) -> float:
    if b != 0:
        return a / b
    if a == 0 or math.isnan(a):
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _go_mod(a: float, b: float) -> float:
    """math.Mod: fmod, NaN where C would raise."""
    try:
        return math.fmod(a, b)
    except ValueError:
        return math.nan


def _odd_integer(y: float) -> bool:
    return math.isfinite(y) and y == int(y) and int(y) % 2 == 1


def _ldexp(frac: float, exp: int) -> float:
    try:
        return math.ldexp(frac, exp)
    except OverflowError:
        return math.copysign(math.inf, frac)


def _go_pow(x: float, y: float) -> float:
    """math.Pow (Go's math/pow.go, pure Go on amd64): its special cases, then x**yi by repeated squaring
    of Frexp's fraction (so 1.1 ** 3 rounds as in Go, not as C's pow); the x**yf part uses Python's
    exp and log where Go's are its own assembly (at most an ulp apart)."""
    special = _pow_special(x, y)
    if special is not None:
        return special
    yf, yi = math.modf(abs(y))
    if yf != 0 and x < 0:
        return math.nan
    if yi >= 2.0**63:
        if x == -1:
            return 1.0
        return 0.0 if (abs(x) < 1) == (y > 0) else math.inf
    a1, ae = 1.0, 0
    if yf != 0:
        if yf > 0.5:
            yf -= 1
            yi += 1
        a1 = math.exp(yf * math.log(x))
    x1, xe = math.frexp(x)
    i = int(yi)
    while i != 0:
        if xe < -(1 << 12) or xe > 1 << 12:
            ae += xe  # catastrophic overflow: Ldexp handles it
            break
        if i & 1:
            a1 *= x1
            ae += xe
        x1 *= x1
        xe <<= 1
        if x1 < 0.5:
            x1 += x1
            xe -= 1
        i >>= 1
    if y < 0:
        a1, ae = 1 / a1, -ae
    return _ldexp(a1, ae)


def _deep_equal(a: Any, b: Any) -> bool:
    """reflect.DeepEqual over govaluate's values."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_deep_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, _Regexp):
        return bool(a.source == b.source)
    return bool(a == b)


def _interface_equal(a: Any, b: Any) -> bool:
    """Go's == on two interface{} values (inStage, l. 421-429): a panic for two slices."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        raise WhenPanicError("runtime error: comparing uncomparable type []interface {}")
    if isinstance(a, _Regexp):
        return a is b
    return bool(a == b)


def _regex(left: Any, right: Any) -> bool:
    """regexStage (l. 171-187): a string on the right is compiled at each evaluation."""
    if isinstance(right, str):
        try:
            right = _compile_regexp(right)
        except _RegexpSyntaxError as exc:
            raise _GoError(f"Unable to compile regexp pattern '{right}': {exc.message}") from None
    return bool(right.compiled.search(left) is not None)


def _shift(left: float, right: float, leftwards: bool) -> float:
    value, by = _uint64(left), _uint64(right)
    if by >= 64:
        return 0.0
    return float((value << by) & ((1 << 64) - 1) if leftwards else value >> by)


_OPERATORS: dict[int, _Operator] = {
    EQ: lambda left, right: _deep_equal(left, right),
    NEQ: lambda left, right: not _deep_equal(left, right),
    GT: lambda left, right: left > right,
    LT: lambda left, right: left < right,
    GTE: lambda left, right: left >= right,
    LTE: lambda left, right: left <= right,
    REQ: _regex,
    NREQ: lambda left, right: not _regex(left, right),
    AND: lambda left, right: left and right,
    OR: lambda left, right: left or right,
    IN: lambda left, right: any(_interface_equal(left, value) for value in right),
    BITWISE_OR: lambda left, right: float(_int64(left) | _int64(right)),
    BITWISE_AND: lambda left, right: float(_int64(left) & _int64(right)),
    BITWISE_XOR: lambda left, right: float(_int64(left) ^ _int64(right)),
    BITWISE_LSHIFT: lambda left, right: _shift(left, right, True),
    BITWISE_RSHIFT: lambda left, right: _shift(left, right, False),
    PLUS: lambda left, right: _v(left) + _v(right) if _is_string(left) or _is_string(right) else left + right,
    MINUS: lambda left, right: left - right,
    MULTIPLY: lambda left, right: left * right,
    DIVIDE: _go_divide,
    MODULUS: _go_mod,
    EXPONENT: _go_pow,
    NEGATE: lambda left, right: -right,
    INVERT: lambda left, right: not right,
    BITWISE_NOT: lambda left, right: float(~_int64(right)),
    TERNARY_TRUE: lambda left, right: right if left else None,
    TERNARY_FALSE: lambda left, right: left if left is not None else right,
    COALESCE: lambda left, right: left if left is not None else right,
    SEPARATE: lambda left, right: [*left, right] if isinstance(left, list) else [left, right],
}

# findTypeChecks (stagePlanner.go l. 460-550): symbol -> (left, right, combined)
_TYPE_CHECKS: dict[int, tuple[_Check | None, _Check | None, _CombinedCheck | None]] = {
    **dict.fromkeys((GT, LT, GTE, LTE), (None, None, _comparator_check)),
    **dict.fromkeys((REQ, NREQ), (_is_string, _is_regex_or_string, None)),
    **dict.fromkeys((AND, OR), (_is_bool, _is_bool, None)),
    IN: (None, _is_array, None),
    **dict.fromkeys((BITWISE_LSHIFT, BITWISE_RSHIFT, BITWISE_OR, BITWISE_AND, BITWISE_XOR), (_is_float, _is_float, None)),
    PLUS: (None, None, _addition_check),
    **dict.fromkeys((MINUS, MULTIPLY, DIVIDE, MODULUS, EXPONENT), (_is_float, _is_float, None)),
    NEGATE: (None, _is_float, None),
    INVERT: (None, _is_bool, None),
    BITWISE_NOT: (None, _is_float, None),
    TERNARY_TRUE: (_is_bool, None, None),
}


def _make_stage(symbol: int, left: _Stage | None, right: _Stage | None, error_format: str) -> _Stage:
    stage = _Stage(symbol, _OPERATORS[symbol], left, right)
    stage.left_check, stage.right_check, stage.check = _TYPE_CHECKS.get(symbol, (None, None, None))
    stage.error_format = error_format
    return stage


def _pow_special(x: float, y: float) -> float | None:
    """math.Pow's special cases, or None where the general case applies."""
    if y == 0 or x == 1:
        return 1.0
    if y == 1:
        return x
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if x == 0:
        negative = math.copysign(1.0, x) < 0 and _odd_integer(y)
        if y < 0:
            return -math.inf if negative else math.inf
        return x if negative else 0.0
    if math.isinf(y):
        if x == -1:
            return 1.0
        return 0.0 if (abs(x) < 1) == (y > 0) else math.inf
    if math.isinf(x):
        if x < 0:
            return _go_pow(1 / x, -y)
        return 0.0 if y < 0 else math.inf
    if y == 0.5:
        return math.sqrt(x) if x >= 0 else math.nan
    if y == -0.5:
        return 1 / math.sqrt(x) if x >= 0 else math.nan
    return None
