r"""Decide a step's or task's ``when:`` the way the Argo controller does: with govaluate, not expr-lang.

Argo v4.1.2 (``workflow/controller/steps.go`` shouldExecute, l. 384-420) parses the substituted text
with github.com/Knetic/govaluate (go.mod l. 9 pins v3.0.1-0.20250325060307-7625b7f8c03d, the
archived repository's last commit 7625b7f), turns every VARIABLE token into a STRING token (so
``heads == heads`` compares two strings), rebuilds the expression from those tokens, evaluates it
without parameters and needs a bool. This module is a line-by-line port of the parts of govaluate
that path reaches, quirks included (the precedence planner that re-orders same-level operators, a
bare word with a dot being a struct accessor, ``"2024-01-01"`` being a time), so that ``mldsl run``
skips, runs or errors exactly the steps Argo would. References ``file l. N`` are to govaluate at
7625b7f unless they name Argo or Go.

Where it can still differ from Argo, and why: ``=~`` runs Python's ``re`` on a translation of Go's
RE2 syntax, so Go's Unicode classes (``\pL``) are an error here, case folding is Python's (but for
İ and ı, which Go never folds) and a pathological pattern backtracks where Go's matcher is linear;
``x ** y`` with a fractional ``y`` uses Python's exp and log where Go uses its own (an ulp apart at
most); float-to-int conversions out of range (bitwise operators, shifts) are amd64's; the
controller's time zone is taken to be UTC; Unicode tables (letters, digits) are Python's; and a text
nesting more than about sixty parentheses exhausts Python's recursion (a WhenError) where Go goes on.

>>> should_execute("tails == tails")
True
>>> should_execute("5 > 10")
False
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from typing import Any

__all__ = ["WhenError", "WhenPanicError", "should_execute"]


class WhenError(Exception):
    """Argo would error the node: ``message`` is the text Argo puts on it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WhenPanicError(WhenError):
    """Go itself would panic here (an index out of range); Argo's operate() recovers it and errors the
    whole workflow with this message (``workflow/controller/operator.go`` l. 219-229)."""


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


class _GoError(Exception):
    """An ``error`` returned inside govaluate: the message only."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _index_panic(index: int, length: int) -> WhenPanicError:
    return WhenPanicError(f"runtime error: index out of range [{index}] with length {length}")


# ---------------------------------------------------------------- values as Go prints them (fmt %v)


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


# ---------------------------------------------------------------- dates: parsing.go tryParseTime (l. 473-517)
#
# A quoted string that one of these layouts parses becomes a TIME token, planned as the float64 of its
# Unix seconds (stagePlanner.go l. 427-429), so '2024-01-01' < '2024-02-01' compares instants. The
# layouts are Go's, tokenised by hand into literals (bytes) and the time package's std chunks; the
# parse is Go's time.parse (time/format.go) for those chunks. time.Local is taken to be UTC, as in
# the controller's image (no zoneinfo, no TZ).

_WEEKDAY, _MONTH, _UNDERDAY, _ZERODAY, _HOUR, _HOUR12, _ZEROMIN, _ZEROSEC = range(8)
_LONGYEAR, _ZEROMONTH, _TZNAME, _NUMTZ, _NUMCOLONTZ, _ISOTZ, _ISOCOLONTZ, _PM, _FRAC9 = range(8, 17)

_DATE: tuple[bytes | int, ...] = (_LONGYEAR, b"-", _ZEROMONTH, b"-", _ZERODAY)
_CLOCK: tuple[bytes | int, ...] = (_HOUR, b":", _ZEROMIN, b":", _ZEROSEC)
_LAYOUTS: tuple[tuple[bytes | int, ...], ...] = (
    (_WEEKDAY, b" ", _MONTH, b" ", _UNDERDAY, b" ", *_CLOCK, b" ", _LONGYEAR),  # ANSIC
    (_WEEKDAY, b" ", _MONTH, b" ", _UNDERDAY, b" ", *_CLOCK, b" ", _TZNAME, b" ", _LONGYEAR),  # UnixDate
    (_WEEKDAY, b" ", _MONTH, b" ", _ZERODAY, b" ", *_CLOCK, b" ", _NUMTZ, b" ", _LONGYEAR),  # RubyDate
    (_HOUR12, b":", _ZEROMIN, _PM),  # Kitchen
    (*_DATE, b"T", *_CLOCK, _ISOCOLONTZ),  # RFC3339
    (*_DATE, b"T", *_CLOCK, _FRAC9, _ISOCOLONTZ),  # RFC3339Nano
    _DATE,  # "2006-01-02"
    (*_DATE, b" ", _HOUR, b":", _ZEROMIN),
    (*_DATE, b" ", *_CLOCK),
    (*_DATE, b" ", *_CLOCK, _NUMCOLONTZ),
    (*_DATE, b"T", _HOUR, _ISOTZ),
    (*_DATE, b"T", _HOUR, b":", _ZEROMIN, _ISOTZ),
    (*_DATE, b"T", *_CLOCK, _ISOTZ),
    (*_DATE, b"T", *_CLOCK, _FRAC9, _ISOTZ),
)
_DAYS = (b"Sun", b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat")
_MONTHS = (b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec")


def _try_parse_time(candidate: str) -> _Time | None:
    value = candidate.encode()
    for layout in _LAYOUTS:
        t = _parse_time(layout, value)
        if t is not None:
            return t
    return None


def _digit(b: bytes, i: int) -> bool:
    return i < len(b) and 48 <= b[i] <= 57


def _getnum(b: bytes, fixed: bool) -> tuple[int, bytes] | None:
    if not _digit(b, 0):
        return None
    if not _digit(b, 1):
        return None if fixed else (b[0] - 48, b[1:])
    return (b[0] - 48) * 10 + b[1] - 48, b[2:]


def _skip(value: bytes, prefix: bytes) -> bytes | None:
    """time.skip: a space in the layout matches a run of spaces."""
    while prefix:
        if prefix[0] == 32:
            if value and value[0] != 32:
                return None
            prefix, value = prefix.lstrip(b" "), value.lstrip(b" ")
            continue
        if not value or value[0] != prefix[0]:
            return None
        prefix, value = prefix[1:], value[1:]
    return value


def _lookup(table: tuple[bytes, ...], value: bytes) -> tuple[int, bytes] | None:
    """time.lookup: an ASCII case-insensitive prefix match."""
    for i, name in enumerate(table):
        if len(value) >= len(name) and value[: len(name)].lower() == name.lower() and value[: len(name)].isalpha():
            return i, value[len(name) :]
    return None


def _leading_int(b: bytes) -> tuple[int, bytes] | None:
    i = 0
    while _digit(b, i):
        i += 1
    if i == 0 or int(b[:i]) >= 1 << 63:
        return None
    return int(b[:i]), b[i:]


def _signed_offset_len(value: bytes) -> int:
    """time.parseSignedOffset."""
    if value[:1] not in (b"-", b"+"):
        return 0
    got = _leading_int(value[1:])
    if got is None or got[0] > 23:
        return 0
    return len(value) - len(got[1])


def _zone_name_len(value: bytes) -> int:
    """time.parseTimeZone: the length of a zone abbreviation, 0 if none."""
    if len(value) < 3:
        return 0
    if value[:4] in (b"ChST", b"MeST"):
        return 4
    if value[:3] == b"GMT":
        return 3 + (_signed_offset_len(value[3:]) if len(value) > 3 else 0)
    if value[:1] in (b"+", b"-"):
        return _signed_offset_len(value)
    upper = 0
    while upper < 6 and upper < len(value) and 65 <= value[upper] <= 90:
        upper += 1
    if upper == 5 and value[4] == ord("T"):
        return 5
    if upper == 4 and (value[3] == ord("T") or value[:4] == b"WITA"):
        return 4
    return 3 if upper == 3 else 0


def _days_from_civil(y: int, m: int, d: int) -> int:
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def _civil_from_days(z: int) -> tuple[int, int, int]:
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (m <= 2), m, d


def _parse_time(layout: tuple[bytes | int, ...], value: bytes) -> _Time | None:
    """time.parse (time/format.go) for the chunks above; None where Go returns an error."""
    year, month, day, hour, minute, sec, nsec = 0, -1, -1, 0, 0, 0, 0
    utc, offset, zone, am, pm = False, -1, b"", False, False
    for i, std in enumerate(layout):
        if isinstance(std, bytes):
            rest = _skip(value, std)
            if rest is None:
                return None
            value = rest
            continue
        got: tuple[int, bytes] | None
        if std == _LONGYEAR:
            if len(value) < 4 or not value[:4].isdigit():
                return None
            year, value = int(value[:4]), value[4:]
        elif std in (_MONTH, _WEEKDAY):
            got = _lookup(_MONTHS if std == _MONTH else _DAYS, value)
            if got is None:
                return None
            if std == _MONTH:
                month = got[0] + 1
            value = got[1]
        elif std == _ZEROMONTH:
            got = _getnum(value, True)
            if got is None or not 1 <= got[0] <= 12:
                return None
            month, value = got
        elif std in (_UNDERDAY, _ZERODAY):
            if std == _UNDERDAY and value[:1] == b" ":
                value = value[1:]
            got = _getnum(value, std == _ZERODAY)
            if got is None:
                return None
            day, value = got
        elif std in (_HOUR, _HOUR12, _ZEROMIN):
            got = _getnum(value, std == _ZEROMIN)
            if got is None or got[0] >= (24 if std == _HOUR else 13 if std == _HOUR12 else 60):
                return None
            if std == _ZEROMIN:
                minute, value = got
            else:
                hour, value = got
        elif std == _ZEROSEC:
            got = _getnum(value, True)
            if got is None or got[0] >= 60:
                return None
            sec, value = got
            # a fraction the layout does not ask for is still read (format.go "Special case")
            if len(value) >= 2 and value[:1] in (b".", b",") and _digit(value, 1) and _FRAC9 not in layout[i + 1 : i + 2]:
                n = 2
                while _digit(value, n):
                    n += 1
                nsec, value = int(value[1:n][:9].ljust(9, b"0")), value[n:]
        elif std == _FRAC9:
            if len(value) >= 2 and value[:1] in (b".", b",") and _digit(value, 1):
                n = 1
                while _digit(value, n + 1):
                    n += 1
                nsec, value = int(value[1 : n + 1][:9].ljust(9, b"0")), value[n + 1 :]
        elif std == _PM:
            if value[:2] not in (b"AM", b"PM"):
                return None
            am, pm, value = value[:2] == b"AM", value[:2] == b"PM", value[2:]
        elif std in (_ISOTZ, _ISOCOLONTZ) and value[:1] == b"Z":
            utc, value = True, value[1:]
        elif std in (_ISOTZ, _ISOCOLONTZ, _NUMTZ, _NUMCOLONTZ):
            colon = std in (_ISOCOLONTZ, _NUMCOLONTZ)
            if len(value) < (6 if colon else 5) or (colon and value[3] != ord(":")):
                return None
            sign, hh, mm = value[:1], value[1:3], value[4:6] if colon else value[3:5]
            value = value[6:] if colon else value[5:]
            h, m = _getnum(hh, True), _getnum(mm, True)
            if h is None or m is None or h[0] > 24 or m[0] > 60 or sign not in (b"+", b"-"):
                return None
            offset = (h[0] * 60 + m[0]) * 60 * (-1 if sign == b"-" else 1)
        elif std == _TZNAME:
            if value[:3] == b"UTC":
                utc, value = True, value[3:]
            else:
                n = _zone_name_len(value)
                if n == 0:
                    return None
                zone, value = value[:n], value[n:]
    if value:
        return None  # "extra text"
    if pm and hour < 12:
        hour += 12
    elif am and hour == 12:
        hour = 0
    month, day = (1 if month < 0 else month), (1 if day < 0 else day)
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if day < 1 or day > (29 if month == 2 and leap else (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]):
        return None
    wall = _days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + sec
    shown, name = 0, "UTC"  # Local (UTC) shows as +0000 UTC
    if not utc and offset != -1:
        wall -= offset
        if offset != 0:
            shown, name = offset, ""  # FixedZone("", offset)
    elif not utc and zone:
        # no such zone in Local: a fake zone named so, at the offset GMT+n gives, instant unchanged
        shown = int(zone[3:]) * 3600 if len(zone) > 3 and zone[:3] == b"GMT" else 0
        name = zone.decode()
    return _Time(wall, _time_string(wall, nsec, shown, name))


def _time_string(unix: int, nsec: int, offset: int, name: str) -> str:
    """Time.String: "2006-01-02 15:04:05.999999999 -0700 MST" (an unnamed zone prints its offset twice)."""
    local = unix + offset
    y, m, d = _civil_from_days(local // 86400)
    s = local % 86400
    frac = f".{nsec:09d}".rstrip("0") if nsec else ""
    zone = f"{'-' if offset < 0 else '+'}{abs(offset) // 3600:02d}{abs(offset) // 60 % 60:02d}"
    year = f"-{-y:04d}" if y < 0 else f"{y:04d}"
    return f"{year}-{m:02d}-{d:02d} {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}{frac} {zone} {name or zone}"


# ---------------------------------------------------------------- =~ and !~: Go's regexp, run by Python's re
#
# regexp.Compile parses RE2 syntax (Go's regexp/syntax/parse.go, flags Perl: ^ and $ match only at the
# ends of the text, [^a] matches a newline). This is a port of that parser which, instead of a program,
# writes a Python pattern matching the same strings (\d, \w, \s, \b are ASCII; $ is the very end;
# flags are scoped per group) and raises Go's messages for Go's syntax errors (Go 1.26, which Argo
# v4.1.2 builds with: (?<name>re) is accepted). Go's Unicode classes (\pL, \p{Greek}) are not
# implemented; case folding is Python's.

_WORD = ((48, 57), (65, 90), (95, 95), (97, 122))
_PERL_GROUPS: dict[str, tuple[bool, tuple[tuple[int, int], ...]]] = {
    "d": (False, ((48, 57),)),
    "D": (True, ((48, 57),)),
    "s": (False, ((9, 10), (12, 13), (32, 32))),
    "S": (True, ((9, 10), (12, 13), (32, 32))),
    "w": (False, _WORD),
    "W": (True, _WORD),
}
_POSIX_GROUPS: dict[str, tuple[tuple[int, int], ...]] = {
    "alnum": ((48, 57), (65, 90), (97, 122)),
    "alpha": ((65, 90), (97, 122)),
    "ascii": ((0, 127),),
    "blank": ((9, 9), (32, 32)),
    "cntrl": ((0, 31), (127, 127)),
    "digit": ((48, 57),),
    "graph": ((33, 126),),
    "lower": ((97, 122),),
    "print": ((32, 126),),
    "punct": ((33, 47), (58, 64), (91, 96), (123, 126)),
    "space": ((9, 13), (32, 32)),
    "upper": ((65, 90),),
    "word": _WORD,
    "xdigit": ((48, 57), (65, 70), (97, 102)),
}
_WORD_CLASS = "[0-9A-Za-z_]"
_BOUNDARY = f"(?:(?<={_WORD_CLASS})(?!{_WORD_CLASS})|(?<!{_WORD_CLASS})(?={_WORD_CLASS}))"
_NOT_BOUNDARY = f"(?:(?<={_WORD_CLASS})(?={_WORD_CLASS})|(?<!{_WORD_CLASS})(?!{_WORD_CLASS}))"


class _RegexpSyntaxError(Exception):
    def __init__(self, code: str, expr: str) -> None:
        self.message = f"error parsing regexp: {code}: `{expr}`"  # syntax.Error.Error()
        super().__init__(self.message)


def _compile_regexp(source: str) -> _Regexp:
    """regexp.Compile(source); a syntax error raises _RegexpSyntaxError with Go's message."""
    translated = _RegexpTranslator(source).translate()
    try:
        return _Regexp(source, re.compile(translated))
    except (re.error, RecursionError, OverflowError) as exc:  # a gap in the translation, not Go's verdict
        raise _RegexpSyntaxError(f"mldsl cannot run this with Python's re ({exc})", source) from None


def _negate(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out, nxt = [], 0
    for lo, hi in sorted(ranges):
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = max(nxt, hi + 1)
    if nxt <= 0x10FFFF:
        out.append((nxt, 0x10FFFF))
    return out


def _class_char(c: int) -> str:
    ch = chr(c)
    if ch.isascii() and ch.isalnum():
        return ch
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" if c < 0x10000 else f"\\U{c:08x}"


_TURKISH_I = "\u0130\u0131"


def _class_body(ranges: list[tuple[int, int]]) -> str:
    return "".join(_class_char(lo) if lo == hi else f"{_class_char(lo)}-{_class_char(hi)}" for lo, hi in ranges)


def _without(lo: int, hi: int, first: int, last: int) -> list[tuple[int, int]]:
    """[lo, hi] less [first, last]."""
    return [(a, b) for a, b in ((lo, min(hi, first - 1)), (max(lo, last + 1), hi)) if a <= b]


def _unhex(c: str) -> int:
    return int(c, 16) if len(c) == 1 and c in "0123456789abcdefABCDEF" else -1


class _RegexpTranslator:
    """syntax.parse (parse.go l. 893-1104) writing Python re text. A group frame is (flags at its
    '(', finished alternatives, current concatenation); a concatenation item is (python text, the
    n repeatIsValid needs: the product of the counted repeats nested in it)."""

    def __init__(self, source: str) -> None:
        self.whole = source
        self.fold, self.oneline, self.dotnl, self.ungreedy = False, True, False, False
        self.frames: list[tuple[tuple[bool, bool, bool, bool], list[list[tuple[str, int]]], list[tuple[str, int]]]] = []
        self.alts: list[list[tuple[str, int]]] = []
        self.cur: list[tuple[str, int]] = []

    def flags(self) -> tuple[bool, bool, bool, bool]:
        return self.fold, self.oneline, self.dotnl, self.ungreedy

    def push(self, text: str, need: int = 0) -> None:
        self.cur.append((text, need))

    def literal(self, c: str) -> None:
        text = re.escape(c)
        if self.fold and c in "iI":
            text = "[Ii]"  # Python's (?i) also takes İ and ı; Go's fold orbits leave them alone
        elif self.fold and c not in _TURKISH_I and c.lower() != c.upper():
            text = f"(?i:{text})"
        self.push(text)

    def klass(self, ranges: list[tuple[int, int]], negated: bool) -> None:
        if not self.fold:
            self.push(f"[{'^' if negated else ''}{_class_body(ranges)}]")
            return
        # under (?i) Go folds every rune but İ and ı, which fold to nothing; Python's (?i) relates them to i
        rest = [r for lo, hi in ranges for r in _without(lo, hi, 0x130, 0x131)]
        special = "".join(t for t in _TURKISH_I if any(lo <= ord(t) <= hi for lo, hi in ranges) != negated)
        parts = [f"(?![{_TURKISH_I}])(?i:[{'^' if negated else ''}{_class_body(rest)}])" if rest else ""]
        parts[0] = parts[0] or (f"[^{_TURKISH_I}]" if negated else "")
        parts.append(f"[{special}]" if special else "")
        self.push("(?:" + "|".join(p for p in parts if p) + ")" if any(parts) else "(?!)")

    def group_text(self, alts: list[list[tuple[str, int]]]) -> tuple[str, int]:
        return "(?:" + "|".join("".join(t for t, _ in a) for a in alts) + ")", max((n for a in alts for _, n in a), default=0)

    def translate(self) -> str:
        t = self.whole
        last_repeat = ""
        while t:
            repeat = ""
            c = t[0]
            if c == "(":
                if len(t) >= 2 and t[1] == "?":
                    t = self.perl_flags(t)
                else:
                    self.open_group()
                    t = t[1:]
            elif c == "|":
                self.alts.append(self.cur)
                self.cur = []
                t = t[1:]
            elif c == ")":
                if not self.frames:
                    raise _RegexpSyntaxError("unexpected )", self.whole)
                text, need = self.group_text([*self.alts, self.cur])
                (self.fold, self.oneline, self.dotnl, self.ungreedy), self.alts, self.cur = self.frames.pop()
                self.push(text, need)
                t = t[1:]
            elif c == "^":
                self.push(r"\A" if self.oneline else "(?m:^)")
                t = t[1:]
            elif c == "$":
                self.push(r"\Z" if self.oneline else "(?m:$)")
                t = t[1:]
            elif c == ".":
                self.push("(?s:.)" if self.dotnl else "[^\\n]")
                t = t[1:]
            elif c == "[":
                t = self.parse_class(t)
            elif c in "*+?":
                repeat, t = t, self.repeat(c, 0, 0, t, t[1:], last_repeat)
            elif c == "{":
                parsed = self.parse_repeat(t)
                if parsed is None:
                    self.literal("{")  # "If the repeat cannot be parsed, { is a literal."
                    t = t[1:]
                else:
                    lo, hi, after = parsed
                    if lo > 1000 or hi > 1000 or (hi >= 0 and lo > hi):
                        raise _RegexpSyntaxError("invalid repeat count", t[: len(t) - len(after)])
                    repeat, t = t, self.repeat("{", lo, hi, t, after, last_repeat)
            elif c == "\\":
                t = self.escape(t)
            else:
                self.literal(c)
                t = t[1:]
            last_repeat = repeat
        if self.frames:
            raise _RegexpSyntaxError("missing closing )", self.whole)
        return self.group_text([*self.alts, self.cur])[0]

    def repeat(self, op: str, lo: int, hi: int, before: str, after: str, last_repeat: str) -> str:
        """parser.repeat (parse.go l. 406-440); returns the text after the operator."""
        lazy = self.ungreedy
        if after[:1] == "?":
            after = after[1:]
            lazy = not lazy
        if last_repeat:
            raise _RegexpSyntaxError("invalid nested repetition operator", last_repeat[: len(last_repeat) - len(after)])
        if not self.cur:
            raise _RegexpSyntaxError("missing argument to repetition operator", before[: len(before) - len(after)])
        text, need = self.cur.pop()
        suffix = op
        if op == "{":
            suffix = "{%d}" % lo if lo == hi else "{%d,}" % lo if hi < 0 else "{%d,%d}" % (lo, hi)
            # repeatIsValid (parse.go l. 454-477): nested counts may not multiply past 1000
            m = hi if hi >= 0 else lo
            need = 0 if hi == 0 else m * max(need, 1) if m > 0 else need
            if (lo >= 2 or hi >= 2) and need > 1000:
                raise _RegexpSyntaxError("invalid repeat count", before[: len(before) - len(after)])
        self.push(f"(?:{text}){suffix}{'?' if lazy else ''}", need)
        return after

    def parse_repeat(self, s: str) -> tuple[int, int, str] | None:
        """parser.parseRepeat: {n}, {n,} (max -1), {n,m}, no leading zeros; None when '{' is a literal."""
        m = re.match(r"\{(0|[1-9][0-9]*)(?:(,)(0|[1-9][0-9]*)?)?\}", s)
        if m is None:
            return None
        lo = int(m[1])
        hi = lo if m[2] is None else -1 if m[3] is None else int(m[3])
        return lo, hi, s[m.end() :]

    def open_group(self) -> None:
        self.frames.append((self.flags(), self.alts, self.cur))
        self.alts, self.cur = [], []

    def perl_flags(self, s: str) -> str:
        """parser.parsePerlFlags (Go 1.26): (?P<name>, (?<name>, (?flags) and (?flags:."""
        t = s
        if (len(t) > 4 and t[2] == "P" and t[3] == "<") or (len(t) > 3 and t[2] == "<"):
            start = 4 if t[2] == "P" else 3
            end = t.find(">")
            if end < 0:
                raise _RegexpSyntaxError("invalid named capture", s)
            name = t[start:end]
            if not name or not all(ch == "_" or (ch.isascii() and ch.isalnum()) for ch in name):
                raise _RegexpSyntaxError("invalid named capture", t[: end + 1])
            self.open_group()
            return t[end + 1 :]
        fold, oneline, dotnl, ungreedy = self.flags()
        t = t[2:]
        negate, saw = False, False
        while t:
            c, t = t[0], t[1:]
            if c in "imsU":
                on = not negate
                if c == "i":
                    fold = on
                elif c == "m":
                    oneline = not on
                elif c == "s":
                    dotnl = on
                else:
                    ungreedy = on
                saw = True
            elif c == "-":
                if negate:
                    break
                negate, saw = True, False
            elif c in ":)":
                if negate and not saw:
                    break
                if c == ":":
                    self.open_group()
                self.fold, self.oneline, self.dotnl, self.ungreedy = fold, oneline, dotnl, ungreedy
                return t
            else:
                break
        raise _RegexpSyntaxError("invalid or unsupported Perl syntax", s[: len(s) - len(t)])

    def escape(self, t: str) -> str:
        if len(t) >= 2:
            c = t[1]
            if c == "A":
                self.push(r"\A")
                return t[2:]
            if c in "bB":
                self.push(_BOUNDARY if c == "b" else _NOT_BOUNDARY)
                return t[2:]
            if c == "C":
                raise _RegexpSyntaxError("invalid escape sequence", t[:2])
            if c == "Q":
                lit, _, t = t[2:].partition("\\E")
                for ch in lit:
                    self.literal(ch)
                return t
            if c == "z":
                self.push(r"\Z")
                return t[2:]
            if c in "pP":
                raise _RegexpSyntaxError("Unicode classes (\\p, \\P) are not implemented by mldsl", t[:2])
            if c in _PERL_GROUPS:
                negated, ranges = _PERL_GROUPS[c]
                self.klass(list(ranges), negated)
                return t[2:]
        ch, t = self.parse_escape(t)
        self.literal(ch)
        return t

    def parse_escape(self, s: str) -> tuple[str, str]:
        """parser.parseEscape (parse.go l. 1442-1555): one escaped character."""
        t = s[1:]
        if not t:
            raise _RegexpSyntaxError("trailing backslash at end of expression", "")
        c, t = t[0], t[1:]
        if c.isascii() and not c.isalnum():
            return c, t
        if c in "01234567" and (c == "0" or t[:1] in tuple("01234567")):
            r = int(c)
            for _ in range(2):
                if not t or t[0] not in "01234567":
                    break
                r, t = r * 8 + int(t[0]), t[1:]
            return chr(r), t
        if c == "x" and t:
            c, t = t[0], t[1:]
            if c == "{":
                r, digits = 0, 0
                while t:
                    c, t = t[0], t[1:]
                    if c == "}":
                        if digits:
                            return chr(r), t
                        break
                    v = _unhex(c)
                    if v < 0:
                        break
                    r = r * 16 + v
                    if r > 0x10FFFF:
                        break
                    digits += 1
            else:
                x = _unhex(c)
                y, t = (_unhex(t[0]), t[1:]) if t else (-1, t)
                if x >= 0 and y >= 0:
                    return chr(x * 16 + y), t
        elif c in "afnrtv":
            return "\a\f\n\r\t\v"["afnrtv".index(c)], t
        raise _RegexpSyntaxError("invalid escape sequence", s[: len(s) - len(t)])

    def parse_class(self, s: str) -> str:
        """parser.parseClass (parse.go l. 1730-1824)."""
        t = s[1:]
        negated = t[:1] == "^"
        if negated:
            t = t[1:]
        ranges: list[tuple[int, int]] = []
        first = True
        while not t or t[0] != "]" or first:
            first = False
            if len(t) > 2 and t[0] == "[" and t[1] == ":":
                end = t.find(":]", 2)
                if end >= 0:
                    name = t[: end + 2]
                    inner = name[2:-2]
                    neg = inner.startswith("^")
                    group = _POSIX_GROUPS.get(inner[1:] if neg else inner)
                    if group is None:
                        raise _RegexpSyntaxError("invalid character class range", name)
                    ranges += _negate(list(group)) if neg else group
                    t = t[end + 2 :]
                    continue
            if t[:2] in ("\\p", "\\P"):
                raise _RegexpSyntaxError("Unicode classes (\\p, \\P) are not implemented by mldsl", t[:2])
            if len(t) >= 2 and t[0] == "\\" and t[1] in _PERL_GROUPS:
                neg, group = _PERL_GROUPS[t[1]]
                ranges += _negate(list(group)) if neg else group
                t = t[2:]
                continue
            rng = t
            lo, t = self.class_char(t, s)
            hi = lo
            if len(t) >= 2 and t[0] == "-" and t[1] != "]":
                hi, t = self.class_char(t[1:], s)
                if ord(hi) < ord(lo):
                    raise _RegexpSyntaxError("invalid character class range", rng[: len(rng) - len(t)])
            ranges.append((ord(lo), ord(hi)))
        self.klass(ranges, negated)
        return t[1:]

    def class_char(self, s: str, whole: str) -> tuple[str, str]:
        if not s:
            raise _RegexpSyntaxError("missing closing ]", whole)
        if s[0] == "\\":
            return self.parse_escape(s)
        return s[0], s[1:]


# ---------------------------------------------------------------- tokens (TokenKind.go, lexerState.go)

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


# ---------------------------------------------------------------- lexer (parsing.go l. 14-298)

_GO_SPACES = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _is_space(c: str) -> bool:
    """unicode.IsSpace."""
    return c in _GO_SPACES


def _is_letter(c: str) -> bool:
    """unicode.IsLetter: category L."""
    return unicodedata.category(c)[0] == "L"


def _is_digit(c: str) -> bool:
    """unicode.IsDigit: category Nd."""
    return unicodedata.category(c) == "Nd"


def _is_numeric(c: str) -> bool:
    return _is_digit(c) or c == "."


def _is_not_quote(c: str) -> bool:
    return c not in "'\""


def _is_not_alphanumeric(c: str) -> bool:
    return not (_is_digit(c) or _is_letter(c) or c in "()[]" or not _is_not_quote(c))


def _is_variable_name(c: str) -> bool:
    return _is_letter(c) or _is_digit(c) or c in "_."


def _simple_upper(c: str) -> str:
    """unicode.ToUpper, a one-rune mapping: Python's full mapping where it is one character, else the
    title case where that is (U+1FB3 ᾳ -> U+1FBC), else the rune itself (ß)."""
    for mapped in (c.upper(), c.title()):
        if len(mapped) == 1:
            return mapped
    return c


def _is_hex_digit(c: str) -> bool:
    return _is_digit(c) or c.lower() in ("a", "b", "c", "d", "e", "f")


class _Stream:
    """lexerStream (lexerStream.go): runes, and a position that rewind() may move either way."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.position = 0

    def can_read(self) -> bool:
        return self.position < len(self.source)

    def read(self) -> str:
        if not 0 <= self.position < len(self.source):
            raise _index_panic(self.position, len(self.source))
        self.position += 1
        return self.source[self.position - 1]

    def rewind(self, amount: int) -> None:
        self.position -= amount


def _read_until_false(
    stream: _Stream, include_whitespace: bool, break_whitespace: bool, condition: Callable[[str], bool]
) -> tuple[str, bool]:
    """readUntilFalse (l. 304-345), escaping always allowed: a backslash takes the next rune as is
    (a backslash at the very end reads past the text: Go panics)."""
    buffer: list[str] = []
    while stream.can_read():
        c = stream.read()
        if c == "\\":
            buffer.append(stream.read())
            continue
        if _is_space(c):
            if break_whitespace and buffer:
                return "".join(buffer), True
            if not include_whitespace:
                continue
        if condition(c):
            buffer.append(c)
        else:
            stream.rewind(1)
            return "".join(buffer), True
    return "".join(buffer), False


def _read_token_until_false(stream: _Stream, condition: Callable[[str], bool]) -> str:
    stream.rewind(1)
    return _read_until_false(stream, False, True, condition)[0]


# what strconv.ParseFloat accepts of a text that starts with a digit or '.' (escapes can add the rest)
_FLOAT = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_HEX_FLOAT = re.compile(r"0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+")


def _parse_float(text: str) -> float | None:
    """strconv.ParseFloat(text, 64); None where Go errs (bad syntax, or ErrRange: beyond float64)."""
    try:
        if _FLOAT.fullmatch(text):
            value = float(text)
        elif _HEX_FLOAT.fullmatch(text):
            value = float.fromhex(text)
        else:
            return None
    except OverflowError:
        return None
    return None if math.isinf(value) else value


def _read_token(stream: _Stream, state: int) -> _Token | None:
    """readToken (l. 55-289); None when only whitespace was left."""
    while stream.can_read():
        c = stream.read()
        if _is_space(c):
            continue
        if _is_numeric(c):
            if stream.can_read() and c == "0":
                c = stream.read()
                if stream.can_read() and c == "x":
                    text = _read_until_false(stream, False, True, _is_hex_digit)[0]
                    if not re.fullmatch(r"[0-9a-fA-F]+", text) or int(text, 16) >= 1 << 64:
                        raise _GoError(f"Unable to parse hex value '{text}' to uint64\n")
                    return _Token(NUMERIC, float(int(text, 16)))
                stream.rewind(1)
            text = _read_token_until_false(stream, _is_numeric)
            value = _parse_float(text)
            if value is None:
                raise _GoError(f"Unable to parse numeric value '{text}' to float64\n")
            return _Token(NUMERIC, value)
        if c == ",":
            return _Token(SEPARATOR, ",")
        if c == "[":
            text, completed = _read_until_false(stream, True, False, lambda ch: ch != "]")
            if not completed:
                raise _GoError("Unclosed parameter bracket")
            stream.rewind(-1)
            return _Token(VARIABLE, text)
        if _is_letter(c):
            text = _read_token_until_false(stream, _is_variable_name)
            token = _Token(VARIABLE, text)
            if text in ("true", "false"):
                token = _Token(BOOLEAN, text == "true")
            if text in ("in", "IN"):
                token = _Token(COMPARATOR, "in")
            if text.find(".") > 0:
                if text.endswith("."):
                    raise _GoError(f"Hanging accessor on token '{text}'")
                splits = text.split(".")
                for part in splits[1:]:
                    first = part[:1]
                    if _simple_upper(first) != first:
                        raise _GoError(f"Unable to access unexported field '{part}' in token '{text}'")
                token = _Token(ACCESSOR, splits)
            return token
        if not _is_not_quote(c):
            text, completed = _read_until_false(stream, True, False, _is_not_quote)
            if not completed:
                raise _GoError("Unclosed string literal")
            stream.rewind(-1)
            when = _try_parse_time(text)
            return _Token(TIME, when) if when is not None else _Token(STRING, text)
        if c == "(":
            return _Token(CLAUSE, ord(c))
        if c == ")":
            return _Token(CLAUSE_CLOSE, ord(c))
        text = _read_token_until_false(stream, _is_not_alphanumeric)
        if PREFIX in _STATES[state][1] and text in _PREFIXES:
            return _Token(PREFIX, text)
        for table, kind in ((_MODIFIERS, MODIFIER), (_LOGICALS, LOGICALOP), (_COMPARATORS, COMPARATOR), (_TERNARIES, TERNARY)):
            if text in table:
                return _Token(kind, text)
        raise _GoError(f"Invalid token: '{text}'")
    return None


def _parse_tokens(expression: str) -> list[_Token]:
    """parseTokens (l. 14-53)."""
    tokens: list[_Token] = []
    stream, state = _Stream(expression), UNKNOWN
    while stream.can_read():
        token = _read_token(stream, state)
        if token is None:
            break
        state = token.kind
        tokens.append(token)
    _check_balance(tokens)
    return tokens


def _check_balance(tokens: list[_Token]) -> None:
    """checkBalance (l. 390-415)."""
    depth = sum(1 if t.kind == CLAUSE else -1 if t.kind == CLAUSE_CLOSE else 0 for t in tokens)
    if depth != 0:
        raise _GoError("Unbalanced parenthesis")


def _check_syntax(tokens: list[_Token]) -> None:
    """checkExpressionSyntax (lexerState.go l. 319-360)."""
    state, last = UNKNOWN, _Token(UNKNOWN, None)
    for token in tokens:
        if token.kind not in _STATES[state][1]:
            if last.kind == VARIABLE and token.kind == CLAUSE:
                raise _GoError(f"Undefined function {last.value}")
            raise _GoError(
                f"Cannot transition token types from {_KIND_NAMES[state]} [{_v(last.value)}] "
                f"to {_KIND_NAMES[token.kind]} [{_v(token.value)}]"
            )
        state, last = token.kind, token
    if not _STATES[state][0]:
        raise _GoError("Unexpected end of expression")


def _optimize(tokens: list[_Token]) -> None:
    """optimizeTokens (l. 351-385): a STRING right of =~ or !~ is compiled once, into a PATTERN."""
    for i, token in enumerate(tokens):
        if token.kind != COMPARATOR or _COMPARATORS[token.value] not in (REQ, NREQ):
            continue
        if i + 1 >= len(tokens):
            raise _index_panic(i + 1, len(tokens))
        if tokens[i + 1].kind == STRING:
            try:
                tokens[i + 1] = _Token(PATTERN, _compile_regexp(tokens[i + 1].value))
            except _RegexpSyntaxError as exc:
                raise _GoError(exc.message) from None


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


# ---------------------------------------------------------------- planner (stagePlanner.go)

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


# ---------------------------------------------------------------- evaluation (evaluationStage.go, EvaluableExpression.go)


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
