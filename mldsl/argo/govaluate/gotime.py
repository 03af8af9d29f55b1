"""Go's ``time.Parse`` for the layouts govaluate tries on a string literal (``parsing.go`` tryParseTime, l. 473-517)."""

from __future__ import annotations

from dataclasses import dataclass

from mldsl.argo.govaluate.values import _Time

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
    p = _Parsed()
    for i, std in enumerate(layout):
        if isinstance(std, bytes):
            rest = _skip(value, std)
        elif std in (_PM, _ISOTZ, _ISOCOLONTZ, _NUMTZ, _NUMCOLONTZ, _TZNAME):
            rest = _zone_chunk(std, value, p)
        else:
            rest = _date_chunk(std, value, p, layout[i + 1 : i + 2])
        if rest is None:
            return None
        value = rest
    if value:
        return None  # "extra text"
    return _parsed_time(p)


@dataclass
class _Parsed:
    """What time.parse has read so far."""

    year: int = 0
    month: int = -1
    day: int = -1
    hour: int = 0
    minute: int = 0
    sec: int = 0
    nsec: int = 0
    utc: bool = False
    offset: int = -1
    zone: bytes = b""
    am: bool = False
    pm: bool = False


def _date_chunk(std: int, value: bytes, p: _Parsed, nxt: tuple[bytes | int, ...]) -> bytes | None:
    """One date or clock element of the layout read off ``value``: the rest, or None where Go errs."""
    if std == _LONGYEAR:
        if len(value) < 4 or not value[:4].isdigit():
            return None
        p.year, value = int(value[:4]), value[4:]
    elif std in (_MONTH, _WEEKDAY):
        got = _lookup(_MONTHS if std == _MONTH else _DAYS, value)
        if got is None:
            return None
        if std == _MONTH:
            p.month = got[0] + 1
        value = got[1]
    elif std == _ZEROMONTH:
        got = _getnum(value, True)
        if got is None or not 1 <= got[0] <= 12:
            return None
        p.month, value = got
    elif std in (_UNDERDAY, _ZERODAY):
        if std == _UNDERDAY and value[:1] == b" ":
            value = value[1:]
        got = _getnum(value, std == _ZERODAY)
        if got is None:
            return None
        p.day, value = got
    elif std in (_HOUR, _HOUR12, _ZEROMIN):
        got = _getnum(value, std == _ZEROMIN)
        if got is None or got[0] >= (24 if std == _HOUR else 13 if std == _HOUR12 else 60):
            return None
        if std == _ZEROMIN:
            p.minute, value = got
        else:
            p.hour, value = got
    elif std == _ZEROSEC:
        got = _getnum(value, True)
        if got is None or got[0] >= 60:
            return None
        p.sec, value = got
        # a fraction the layout does not ask for is still read (format.go "Special case")
        if len(value) >= 2 and value[:1] in (b".", b",") and _digit(value, 1) and _FRAC9 not in nxt:
            n = 2
            while _digit(value, n):
                n += 1
            p.nsec, value = int(value[1:n][:9].ljust(9, b"0")), value[n:]
    elif std == _FRAC9 and len(value) >= 2 and value[:1] in (b".", b",") and _digit(value, 1):
        n = 1
        while _digit(value, n + 1):
            n += 1
        p.nsec, value = int(value[1 : n + 1][:9].ljust(9, b"0")), value[n + 1 :]
    return value


def _zone_chunk(std: int, value: bytes, p: _Parsed) -> bytes | None:
    """The AM/PM or zone element of the layout read off ``value``: the rest, or None where Go errs."""
    if std == _PM:
        if value[:2] not in (b"AM", b"PM"):
            return None
        p.am, p.pm, value = value[:2] == b"AM", value[:2] == b"PM", value[2:]
    elif std in (_ISOTZ, _ISOCOLONTZ) and value[:1] == b"Z":
        p.utc, value = True, value[1:]
    elif std in (_ISOTZ, _ISOCOLONTZ, _NUMTZ, _NUMCOLONTZ):
        colon = std in (_ISOCOLONTZ, _NUMCOLONTZ)
        if len(value) < (6 if colon else 5) or (colon and value[3] != ord(":")):
            return None
        sign, hh, mm = value[:1], value[1:3], value[4:6] if colon else value[3:5]
        value = value[6:] if colon else value[5:]
        h, m = _getnum(hh, True), _getnum(mm, True)
        if h is None or m is None or h[0] > 24 or m[0] > 60 or sign not in (b"+", b"-"):
            return None
        p.offset = (h[0] * 60 + m[0]) * 60 * (-1 if sign == b"-" else 1)
    elif std == _TZNAME:
        if value[:3] == b"UTC":
            p.utc, value = True, value[3:]
        else:
            n = _zone_name_len(value)
            if n == 0:
                return None
            p.zone, value = value[:n], value[n:]
    return value


def _parsed_time(p: _Parsed) -> _Time | None:
    """time.parse's tail: the 12-hour clock, the day checked against the month, the zone applied."""
    if p.pm and p.hour < 12:
        p.hour += 12
    elif p.am and p.hour == 12:
        p.hour = 0
    p.month, p.day = (1 if p.month < 0 else p.month), (1 if p.day < 0 else p.day)
    leap = p.year % 4 == 0 and (p.year % 100 != 0 or p.year % 400 == 0)
    if p.day < 1 or p.day > (29 if p.month == 2 and leap else (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[p.month - 1]):
        return None
    wall = _days_from_civil(p.year, p.month, p.day) * 86400 + p.hour * 3600 + p.minute * 60 + p.sec
    shown, name = 0, "UTC"  # Local (UTC) shows as +0000 UTC
    if not p.utc and p.offset != -1:
        wall -= p.offset
        if p.offset != 0:
            shown, name = p.offset, ""  # FixedZone("", offset)
    elif not p.utc and p.zone:
        # no such zone in Local: a fake zone named so, at the offset GMT+n gives, instant unchanged
        shown = int(p.zone[3:]) * 3600 if len(p.zone) > 3 and p.zone[:3] == b"GMT" else 0
        name = p.zone.decode()
    return _Time(wall, _time_string(wall, p.nsec, shown, name))


def _time_string(unix: int, nsec: int, offset: int, name: str) -> str:
    """Time.String: "2006-01-02 15:04:05.999999999 -0700 MST" (an unnamed zone prints its offset twice)."""
    local = unix + offset
    y, m, d = _civil_from_days(local // 86400)
    s = local % 86400
    frac = f".{nsec:09d}".rstrip("0") if nsec else ""
    zone = f"{'-' if offset < 0 else '+'}{abs(offset) // 3600:02d}{abs(offset) // 60 % 60:02d}"
    year = f"-{-y:04d}" if y < 0 else f"{y:04d}"
    return f"{year}-{m:02d}-{d:02d} {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}{frac} {zone} {name or zone}"
