"""Go's ``time.Parse`` and ``time.ParseDuration`` (``time/format.go``), as expr's ``date()`` and ``duration()`` call them."""

from __future__ import annotations

import datetime
import re

from mldsl.argo.exprlang.clock import _MONTHS, _NS, _UTC, _datetime_ns, _layout_chunks
from mldsl.argo.exprlang.goduration import GoDuration
from mldsl.argo.exprlang.gotime import GoTime
from mldsl.argo.exprlang.tokens import _RunError


def _parse_time(layout: str, text: str, default_tz: datetime.tzinfo = _UTC) -> GoTime:
    """time.Parse / ParseInLocation for the layout elements above; a fractional second may follow the
    seconds even when the layout has none (time/format.go)."""
    pattern, fields = _layout_pattern(layout)
    m = re.fullmatch(pattern, text)
    if m is None:
        raise _RunError(f'parsing time "{text}" as "{layout}": cannot parse')
    year, month, day, hour, minute, sec, nanos, yday = 1, 1, 1, 0, 0, 0, 0, 0
    pm: bool | None = None
    offset: int | None = None
    zone: str | None = None
    for field in fields:
        key, _, tok = field.partition(":")
        v = m.group(key)
        if v is None or v == "":
            continue
        if tok == "frac":
            nanos = int((v[1:] + "000000000")[:9])
        elif tok == "2006":
            year = int(v)
        elif tok == "06":
            year = int(v) + (1900 if int(v) >= 69 else 2000)
        elif tok in ("01", "1"):
            month = int(v)
        elif tok in ("Jan", "January"):
            month = _month_number(v, tok, text, layout)
        elif tok in ("02", "2", "_2"):
            day = int(v)
        elif tok in ("002", "__2"):
            yday = int(v)
        elif tok in ("15", "03", "3"):
            hour = int(v)
        elif tok in ("04", "4"):
            minute = int(v)
        elif tok in ("05", "5"):
            sec = int(v)
        elif tok in ("PM", "pm"):
            pm = v.upper() == "PM"
        elif tok == "MST":
            zone = v
            if v in ("UTC", "GMT"):
                offset = 0
        elif tok not in ("Mon", "Monday"):
            offset = _zone_offset(v)
    return _go_time(text, default_tz, (year, month, day, hour, minute, sec, nanos, yday), pm, offset, zone)


def _layout_pattern(layout: str) -> tuple[str, list[str]]:
    """The regular expression of ``layout``, and its groups as ``name:element``."""
    pattern = []
    fields: list[str] = []
    chunks = list(_layout_chunks(layout))
    for n, (kind, tok) in enumerate(chunks):
        if kind == "lit":
            pattern.append(re.escape(tok))
            continue
        if kind == "frac":
            pattern.append(r"(?P<f%d>[.,]\d+)" % n if tok[1] == "0" else r"(?P<f%d>(?:[.,]\d+)?)" % n)
            fields.append(f"f{n}:frac")
            continue
        rx = _ELEMENT_RX.get(tok)
        if rx is None:  # a numeric zone, Z when the layout starts with Z
            rx = (r"Z|" if tok.startswith("Z") else "") + r"[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?"
        pattern.append(f"(?P<t{n}>{rx})")
        fields.append(f"t{n}:{tok}")
        if tok in ("05", "5") and not (n + 1 < len(chunks) and chunks[n + 1][0] == "frac"):
            pattern.append(r"(?P<x%d>[.,]\d+)?" % n)
            fields.append(f"x{n}:frac")
    return "".join(pattern), fields


def _month_number(v: str, tok: str, text: str, layout: str) -> int:
    names = [x[: len(v)] if tok == "Jan" else x for x in _MONTHS]
    if v.title() not in names:
        raise _RunError(f'parsing time "{text}" as "{layout}": cannot parse "{v}" as "{tok}"')
    return names.index(v.title()) + 1


def _zone_offset(v: str) -> int:
    """Seconds east of UTC of ``Z``, ``-07``, ``-0700``, ``-07:00`` or ``-07:00:00``."""
    if v == "Z":
        return 0
    sign = -1 if v[0] == "-" else 1
    digits = v[1:].replace(":", "")
    return sign * (int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60 + int(digits[4:6] or 0))


def _go_time(
    text: str,
    default_tz: datetime.tzinfo,
    fields: tuple[int, int, int, int, int, int, int, int],
    pm: bool | None,
    offset: int | None,
    zone: str | None,
) -> GoTime:
    """The time the parsed fields name, in its zone (time.Parse's tail: 12-hour clock, day of year, zone)."""
    year, month, day, hour, minute, sec, nanos, yday = fields
    if pm is not None and hour < 12 and pm:
        hour += 12
    elif pm is False and hour == 12:
        hour = 0
    try:
        if yday:
            base = datetime.datetime(year, 1, 1) + datetime.timedelta(days=yday - 1)
            month, day = base.month, base.day
        naive = datetime.datetime(year, month, day, hour, minute, sec)
    except ValueError as exc:
        raise _RunError(f'parsing time "{text}": {exc}') from None
    if offset is not None:
        tz: datetime.tzinfo = (
            _UTC if offset == 0 and zone in (None, "UTC") else datetime.timezone(datetime.timedelta(seconds=offset))
        )
        when = naive.replace(tzinfo=tz)
        shown: str | None = "UTC" if offset == 0 and zone in (None, "UTC") else (zone or "")
    else:
        when = naive.replace(tzinfo=default_tz)
        tz, shown = default_tz, zone
        if zone is not None and zone not in ("UTC",):
            tz, shown = _UTC, zone  # an unknown abbreviation: a fabricated zone with offset 0
    ns = _datetime_ns(when) + nanos
    return GoTime(ns=ns, tz=tz, zone=shown if tz is not _UTC or shown not in (None, "UTC") else None)


#: each layout element's pattern as time.Parse reads it
_ELEMENT_RX = {
    "2006": r"\d{4}",
    "06": r"\d{2}",
    "01": r"\d{2}",
    "1": r"\d{1,2}",
    "Jan": r"[A-Za-z]{3}",
    "January": r"[A-Za-z]+",
    "02": r"\d{2}",
    "2": r"\d{1,2}",
    "_2": r" ?\d{1,2}",
    "002": r"\d{3}",
    "__2": r"[ \d]{3}",
    "15": r"\d{1,2}",
    "03": r"\d{2}",
    "3": r"\d{1,2}",
    "04": r"\d{2}",
    "4": r"\d{1,2}",
    "05": r"\d{2}",
    "5": r"\d{1,2}",
    "PM": r"AM|PM",
    "pm": r"am|pm",
    "Mon": r"[A-Za-z]{3}",
    "Monday": r"[A-Za-z]+",
    "MST": r"[A-Z]{3,5}|[+-]\d{2,4}",
}


def _parse_duration(s: str) -> GoDuration:
    """time.ParseDuration: ``[-+]`` then one or more decimal numbers with units ns us µs ms s m h."""
    orig = s
    units = {"ns": 1, "us": 1000, "µs": 1000, "μs": 1000, "ms": 1_000_000, "s": _NS, "m": 60 * _NS, "h": 3600 * _NS}
    neg = False
    if s[:1] in "-+" and s:
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return GoDuration(0)
    if s == "":
        raise _RunError(f'time: invalid duration "{orig}"')
    total = 0
    for m in re.finditer(r"(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)?", s):
        if m.group(0) == "":
            if m.start() != len(s):
                raise _RunError(f'time: invalid duration "{orig}"')
            continue
        whole, frac, unit = m.group(1), m.group(2), m.group(3)
        if (not whole and not frac) or (whole == "" and frac == ""):
            raise _RunError(f'time: invalid duration "{orig}"')
        if unit is None:
            raise _RunError(f'time: missing unit in duration "{orig}"')
        size = units[unit]
        total += int(whole or 0) * size + (int(frac) * size // 10 ** len(frac) if frac else 0)
        if total > (1 << 63) - (0 if neg else 1):
            raise _RunError(f'time: invalid duration "{orig}"')
    return GoDuration(-total if neg else total)
