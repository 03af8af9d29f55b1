"""The errors a ``when`` ends in, and Go's values as govaluate holds them (regexps, times, ``%v``)."""

from __future__ import annotations

import math
import re
from typing import Any


class WhenError(Exception):
    """Argo would error the node: ``message`` is the text Argo puts on it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WhenPanicError(WhenError):
    """Go itself would panic here (an index out of range); Argo's operate() recovers it and errors the
    whole workflow with this message (``workflow/controller/operator.go`` l. 219-229)."""


class _GoError(Exception):
    """An ``error`` returned inside govaluate: the message only."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _index_panic(index: int, length: int) -> WhenPanicError:
    return WhenPanicError(f"runtime error: index out of range [{index}] with length {length}")


class _Regexp:
    """A compiled ``*regexp.Regexp``: %v prints its source (regexp.go String)."""

    def __init__(self, source: str, compiled: re.Pattern[str]) -> None:
        self.source = source
        self.compiled = compiled


class _Time:
    """A ``time.Time`` from tryParseTime: the Unix seconds planning uses, and what %v prints."""

    def __init__(self, unix: int, text: str) -> None:
        self.unix = unix
        self.text = text


def _v(value: Any) -> str:
    """``fmt.Sprintf("%v", value)`` for the values govaluate handles."""
    if value is None:
        return "<nil>"
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) is float:
        return _format_float(value)
    if isinstance(value, list):
        return "[" + " ".join(_v(x) for x in value) + "]"
    if isinstance(value, _Regexp):
        return value.source
    if isinstance(value, _Time):
        return value.text
    return str(value)  # str, and the int a rune token (CLAUSE) holds


def _format_float(f: float) -> str:
    """Go's %v of a float64: strconv 'g' with the shortest digits, %e when the exponent is < -4 or >= 6
    (strconv/ftoa.go: "if precision was the shortest possible, use precision 6 for this decision")."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    sign = "-" if f < 0 else ""
    text = repr(abs(f))  # the shortest digits that round-trip, as Go's shortest
    mant, _, e = text.partition("e")
    whole, _, frac = mant.partition(".")
    digits = whole + frac
    point = len(whole) + (int(e) if e else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    exp = point - 1
    if exp < -4 or exp >= 6:
        body = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{body}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"
