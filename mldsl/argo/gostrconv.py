"""Go's ``strconv`` number parsing and float formatting, as Argo's expressions and outputs see numbers.

Argo's ``asInt``/``asFloat`` are expr-lang's ``int``/``float`` built-ins (argo-workflows v4.1.2
``util/expr/env/env.go`` l. 22-25), which parse a string with ``strconv.Atoi`` and
``strconv.ParseFloat(s, 64)`` (expr-lang v1.17.8 ``builtin/lib.go`` l. 180-185, 221-226). These follow
Go 1.2x ``strconv/atoi.go`` (ParseUint, ParseInt, Atoi, underscoreOK) and ``strconv/atof.go``
(special, readFloat, ParseFloat): no surrounding spaces, a sign, ``_`` only between digits and only where
a base prefix is allowed (base 0 integers, every float), ``inf``/``infinity``/``nan`` in any case,
hexadecimal floats only with a ``p`` exponent. Out-of-range values are errors, as in Go.

>>> parse_int("-42"), atoi("+7"), parse_int("0x_1F", 0)
(-42, 7, 31)
>>> parse_float("1_000.5"), parse_float("-Inf"), parse_float("0x1p-2")
(1000.5, -inf, 0.25)
>>> atoi(" 42")
Traceback (most recent call last):
...
mldsl.argo.gostrconv.NumError: strconv.Atoi: parsing " 42": invalid syntax
>>> format_float_v(1e6), format_float_v(123456.0), format_float_json(1e6), format_float_json(1e-7)
('1e+06', '123456', '1000000', '1e-7')
"""

from __future__ import annotations

import math

__all__ = ["NumError", "atoi", "format_float_json", "format_float_v", "parse_float", "parse_int", "parse_uint"]

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


class NumError(ValueError):
    """Go's ``*strconv.NumError``: ``strconv.<Func>: parsing "<num>": <invalid syntax | value out of range>``."""

    def __init__(self, func: str, num: str, reason: str):
        self.func, self.num, self.reason = func, num, reason
        super().__init__(f'strconv.{func}: parsing "{_go_quote_body(num)}": {reason}')

    @property
    def out_of_range(self) -> bool:
        return self.reason == "value out of range"


def _go_quote_body(s: str) -> str:
    # NumError.Error quotes Num with strconv.Quote; printable text stays as it is
    out = []
    for c in s:
        if c == '"' or c == "\\":
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif not c.isprintable():
            out.append(f"\\x{ord(c):02x}" if ord(c) < 0x80 else f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return "".join(out)


_SYNTAX, _RANGE = "invalid syntax", "value out of range"


def _underscore_ok(s: str) -> bool:
    """strconv/atoi.go underscoreOK: ``_`` only between digits, or between a base prefix and a digit."""
    saw = "^"
    i = 0
    if s[:1] in ("+", "-"):
        s = s[1:]
    hexa = False
    if len(s) >= 2 and s[0] == "0" and s[1].lower() in "box":
        i = 2
        saw = "0"
        hexa = s[1].lower() == "x"
    while i < len(s):
        c = s[i]
        if "0" <= c <= "9" or (hexa and "a" <= c.lower() <= "f"):
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        else:
            if saw == "_":
                return False
            saw = "!"
        i += 1
    return saw != "_"


def parse_uint(s: str, base: int = 10, bit_size: int = 64, *, func: str = "ParseUint") -> int:
    """strconv.ParseUint (atoi.go): base 0 reads a ``0b``/``0o``/``0x``/``0`` prefix and allows ``_``."""
    if s == "":
        raise NumError(func, s, _SYNTAX)
    base0 = base == 0
    s0 = s
    if base == 0:
        base = 10
        if s[0] == "0":
            if len(s) >= 3 and s[1].lower() == "b":
                base, s = 2, s[2:]
            elif len(s) >= 3 and s[1].lower() == "o":
                base, s = 8, s[2:]
            elif len(s) >= 3 and s[1].lower() == "x":
                base, s = 16, s[2:]
            else:
                base, s = 8, s[1:]
    elif not 2 <= base <= 36:
        raise NumError(func, s0, f"invalid base {base}")
    max_val = (1 << bit_size) - 1
    n = 0
    underscores = False
    for c in s:
        if c == "_" and base0:
            underscores = True
            continue
        if "0" <= c <= "9":
            d = ord(c) - 48
        elif "a" <= c.lower() <= "z" and c.isascii():
            d = ord(c.lower()) - 87
        else:
            raise NumError(func, s0, _SYNTAX)
        if d >= base:
            raise NumError(func, s0, _SYNTAX)
        n = n * base + d
        if n > max_val:
            raise NumError(func, s0, _RANGE)
    if underscores and not _underscore_ok(s0):
        raise NumError(func, s0, _SYNTAX)
    return n


def parse_int(s: str, base: int = 10, bit_size: int = 64, *, func: str = "ParseInt") -> int:
    """strconv.ParseInt (atoi.go): an optional sign, then :func:`parse_uint`; ±2^(bits-1) bounds."""
    if s == "":
        raise NumError(func, s, _SYNTAX)
    neg = s[0] == "-"
    body = s[1:] if s[0] in "+-" else s
    try:
        un = parse_uint(body, base, bit_size, func=func)
    except NumError as exc:
        raise NumError(func, s, exc.reason) from None
    cutoff = 1 << (bit_size - 1)
    if (not neg and un >= cutoff) or (neg and un > cutoff):
        raise NumError(func, s, _RANGE)
    return -un if neg else un


def atoi(s: str) -> int:
    """strconv.Atoi: base 10, no ``_``, no spaces, 64-bit ``int``."""
    return parse_int(s, 10, 64, func="Atoi")


def _special(s: str) -> tuple[float, int] | None:
    """strconv/atof.go special: ``[+-]inf``, ``[+-]infinity``, ``nan`` (no sign), any case."""
    if not s:
        return None
    sign, nsign = 1.0, 0
    if s[0] in "+-":
        sign, nsign, s = (-1.0 if s[0] == "-" else 1.0), 1, s[1:]
    elif s[0] in "nN":
        return (math.nan, 3) if s[:3].lower() == "nan" else None
    if s[:1] not in ("i", "I"):
        return None
    n = 0
    while n < min(len(s), 8) and s[n].lower() == "infinity"[n]:
        n += 1
    if 3 < n < 8:
        n = 3
    return (math.copysign(math.inf, sign), nsign + n) if n in (3, 8) else None


def _read_float(s: str) -> tuple[int, bool]:
    """strconv/atof.go readFloat: how much of ``s`` is a float literal (0 when none) and whether hex."""
    i, n = 0, len(s)
    underscores = False
    if i < n and s[i] in "+-":
        i += 1
    base = 10
    hexa = False
    if i + 2 < n and s[i] == "0" and s[i + 1].lower() == "x":
        base, hexa = 16, True
        i += 2
    sawdot = sawdigits = False
    while i < n:
        c = s[i]
        if c == "_":
            underscores = True
        elif c == ".":
            if sawdot:
                break
            sawdot = True
        elif "0" <= c <= "9" or (base == 16 and "a" <= c.lower() <= "f" and c.isascii()):
            sawdigits = True
        else:
            break
        i += 1
    if not sawdigits:
        return 0, hexa
    exp_char = "p" if base == 16 else "e"
    if i < n and s[i].lower() == exp_char:
        i += 1
        if i >= n:
            return 0, hexa
        if s[i] in "+-":
            i += 1
        if i >= n or not "0" <= s[i] <= "9":
            return 0, hexa
        while i < n and ("0" <= s[i] <= "9" or s[i] == "_"):
            if s[i] == "_":
                underscores = True
            i += 1
    elif base == 16:
        return 0, hexa  # a hexadecimal mantissa must have a 'p' exponent
    if underscores and not _underscore_ok(s[:i]):
        return 0, hexa
    return i, hexa


def parse_float(s: str) -> float:
    """strconv.ParseFloat(s, 64): the whole string must be a float literal; overflow is an error."""
    special = _special(s)
    if special is not None:
        if special[1] != len(s):
            raise NumError("ParseFloat", s, _SYNTAX)
        return special[0]
    n, hexa = _read_float(s)
    if n == 0 or n != len(s):
        raise NumError("ParseFloat", s, _SYNTAX)
    text = s.replace("_", "")
    try:
        value = float.fromhex(text) if hexa else float(text)
    except OverflowError:
        raise NumError("ParseFloat", s, _RANGE) from None
    if math.isinf(value):
        raise NumError("ParseFloat", s, _RANGE)  # atof.go: ±Inf with ErrRange
    return value


# --- formatting ------------------------------------------------------------------------------------


def _shortest(f: float) -> tuple[str, int]:
    """The shortest digits that read back as ``abs(f)`` (Go's and Python's repr agree) and the decimal
    point's position: ``0.0123`` -> ("123", -1)."""
    mant, _, exp = repr(abs(f)).partition("e")
    whole, _, frac = mant.partition(".")
    digits = (whole + frac).lstrip("0")
    point = len(whole) + (int(exp) if exp else 0) - (len(whole + frac) - len((whole + frac).lstrip("0")))
    digits = digits.rstrip("0") or "0"
    return digits, point


def _fmt_e(sign: str, digits: str, point: int, min_exp_digits: int) -> str:
    exp = point - 1
    body = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{body}e{'-' if exp < 0 else '+'}{abs(exp):0{min_exp_digits}d}"


def _fmt_f(sign: str, digits: str, point: int) -> str:
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def format_float_v(f: float) -> str:
    """``fmt.Sprint(float64)`` (``%v``): strconv 'g' with the shortest digits, so exponent form when
    the exponent is below -4 or at least 6 (strconv/ftoa.go ``eprec = 6`` when shortest): ``1e+06``."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, f) < 0 else ""
    if f == 0:
        return sign + "0"
    digits, point = _shortest(f)
    exp = point - 1
    if exp < -4 or exp >= 6:
        return _fmt_e(sign, digits, point, 2)
    return _fmt_f(sign, digits, point)


def format_float_json(f: float) -> str:
    """``encoding/json`` floatEncoder: 'f' unless below 1e-6 or from 1e21, then 'e' with ``e-7`` not
    ``e-07``; NaN and ±Inf are errors (json: unsupported value)."""
    if math.isnan(f) or math.isinf(f):
        raise ValueError(f"json: unsupported value: {format_float_v(f)}")
    sign = "-" if math.copysign(1.0, f) < 0 else ""
    if f == 0:
        return sign + "0"
    digits, point = _shortest(f)
    if abs(f) < 1e-6 or abs(f) >= 1e21:
        return _fmt_e(sign, digits, point, 1)
    return _fmt_f(sign, digits, point)
