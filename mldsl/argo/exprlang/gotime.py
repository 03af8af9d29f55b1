"""Go's ``time.Time`` as expr-lang's value, formatted by Go's layouts, and Go's type name of any value."""

from __future__ import annotations

import datetime
from typing import Any

from mldsl.argo.exprlang.clock import _DAYS, _MONTHS, _NS, _UTC, _ZERO_TIME_NS, _datetime_ns, _layout_chunks, _numeric_zone
from mldsl.argo.exprlang.goduration import GoDuration, _GoMonth, _GoWeekday, _Location
from mldsl.argo.exprlang.tokens import _AnyKeyMap, _is_int, _RunError


class GoTime:
    """A Go ``time.Time``: nanoseconds since the epoch in a location, with the methods expressions call.

    ``GoTime(seconds)`` (a float) is accepted for callers that build one from ``time.time()``.
    """

    __slots__ = ("ns", "tz", "zone")

    def __init__(self, seconds: float | None = None, when: datetime.datetime | None = None, *, ns: int | None = None,
                 tz: datetime.tzinfo | None = None, zone: str | None = None):  # fmt: skip
        if ns is None:
            if when is not None:
                ns = _datetime_ns(when)
                tz = tz or when.tzinfo or _UTC
            else:
                ns = round((seconds or 0.0) * _NS)
        self.ns = ns
        self.tz = tz or _UTC
        self.zone = zone  # the abbreviation printed for MST; None: the tzinfo's own, "" : numeric

    # -- helpers --------------------------------------------------------------------------
    @property
    def when(self) -> datetime.datetime:
        secs, frac = divmod(self.ns, _NS)
        base = datetime.datetime(1970, 1, 1, tzinfo=_UTC) + datetime.timedelta(seconds=secs, microseconds=frac // 1000)
        return base.astimezone(self.tz)

    def _offset(self) -> int:
        off = self.when.utcoffset()
        return int(off.total_seconds()) if off is not None else 0

    def _abbrev(self) -> str:
        if self.zone is not None:
            return self.zone or _numeric_zone(self._offset(), "-0700")
        if self.tz is _UTC:
            return "UTC"
        name = self.when.tzname() or ""
        return name if name and not name.startswith(("UTC+", "UTC-")) else _numeric_zone(self._offset(), "-0700")

    def _with(self, ns: int) -> GoTime:
        return GoTime(ns=ns, tz=self.tz, zone=self.zone)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoTime) and other.ns == self.ns and other.tz == self.tz

    def __hash__(self) -> int:
        return hash(("time", self.ns))

    def __repr__(self) -> str:
        return f"GoTime({self.String()})"

    # -- Go's methods ---------------------------------------------------------------------
    def Unix(self) -> int:  # noqa: N802
        return self.ns // _NS

    def UnixMilli(self) -> int:  # noqa: N802
        return self.ns // 1_000_000

    def UnixMicro(self) -> int:  # noqa: N802
        return self.ns // 1000

    def UnixNano(self) -> int:  # noqa: N802
        return self.ns

    def Year(self) -> int:  # noqa: N802
        return self.when.year

    def Month(self) -> int:  # noqa: N802
        return _GoMonth(self.when.month)

    def Day(self) -> int:  # noqa: N802
        return self.when.day

    def Hour(self) -> int:  # noqa: N802
        return self.when.hour

    def Minute(self) -> int:  # noqa: N802
        return self.when.minute

    def Second(self) -> int:  # noqa: N802
        return self.when.second

    def Nanosecond(self) -> int:  # noqa: N802
        return self.ns % _NS

    def YearDay(self) -> int:  # noqa: N802
        return self.when.timetuple().tm_yday

    def Weekday(self) -> int:  # noqa: N802
        return _GoWeekday((self.when.weekday() + 1) % 7)

    def UTC(self) -> GoTime:  # noqa: N802
        return GoTime(ns=self.ns, tz=_UTC)

    def Local(self) -> GoTime:  # noqa: N802
        return GoTime(ns=self.ns, tz=_UTC)

    def In(self, loc: _Location) -> GoTime:  # noqa: N802
        if not isinstance(loc, _Location):
            raise _RunError("time: missing Location in call to Time.In")
        return GoTime(ns=self.ns, tz=loc.tz, zone="UTC" if loc.tz is _UTC else None)

    def Location(self) -> _Location:  # noqa: N802
        return _Location(self._abbrev() if self.tz is not _UTC else "UTC", self.tz)

    def Add(self, d: GoDuration) -> GoTime:  # noqa: N802
        return self._with(self.ns + _as_duration(d).ns)

    def Sub(self, t: GoTime) -> GoDuration:  # noqa: N802
        diff = self.ns - t.ns
        return GoDuration(max(-(1 << 63), min((1 << 63) - 1, diff)))

    def AddDate(self, years: int, months: int, days: int) -> GoTime:  # noqa: N802
        w = self.when
        month0 = w.month - 1 + months
        year = w.year + years + month0 // 12
        month = month0 % 12 + 1
        # Go normalises an overflowing day (Oct 31 + 1 month = Dec 1)
        first = w.replace(year=year, month=month, day=1)
        moved = first + datetime.timedelta(days=w.day - 1 + days)
        return GoTime(ns=_datetime_ns(moved) + self.ns % 1000, tz=self.tz, zone=self.zone)

    def Before(self, t: GoTime) -> bool:  # noqa: N802
        return self.ns < t.ns

    def After(self, t: GoTime) -> bool:  # noqa: N802
        return self.ns > t.ns

    def Equal(self, t: GoTime) -> bool:  # noqa: N802
        return self.ns == t.ns

    def Compare(self, t: GoTime) -> int:  # noqa: N802
        return (self.ns > t.ns) - (self.ns < t.ns)

    def IsZero(self) -> bool:  # noqa: N802
        return self.ns == _ZERO_TIME_NS

    def Truncate(self, d: GoDuration) -> GoTime:  # noqa: N802
        d = _as_duration(d)
        return self if d.ns <= 0 else self._with(self.ns - (self.ns - _ZERO_TIME_NS) % d.ns)

    def Round(self, d: GoDuration) -> GoTime:  # noqa: N802
        d = _as_duration(d)
        if d.ns <= 0:
            return self
        r = (self.ns - _ZERO_TIME_NS) % d.ns
        return self._with(self.ns - r + (d.ns if r + r >= d.ns else 0))

    def Format(self, layout: str) -> str:  # noqa: N802
        return _format_time(self, str(layout))

    def String(self) -> str:  # noqa: N802 - time.Time.String: "2006-01-02 15:04:05.999999999 -0700 MST"
        return _format_time(self, "2006-01-02 15:04:05.999999999 -0700 MST")


def _as_duration(d: Any) -> GoDuration:
    if isinstance(d, GoDuration):
        return d
    if _is_int(d):
        return GoDuration(d)
    raise _RunError(f"reflect: Call using {_go_type(d)} as type time.Duration")


def _format_time(t: GoTime, layout: str) -> str:
    w = t.when
    out = []
    for kind, tok in _layout_chunks(layout):
        if kind == "lit":
            out.append(tok)
            continue
        if kind == "frac":
            digits = f"{t.ns % _NS:09d}"[: len(tok) - 1]
            if tok[1] == "9":
                digits = digits.rstrip("0")
                out.append(tok[0] + digits if digits else "")
            else:
                out.append(tok[0] + digits)
            continue
        off = t._offset()
        out.append(
            {
                "2006": f"{w.year:04d}",
                "06": f"{w.year % 100:02d}",
                "01": f"{w.month:02d}",
                "1": str(w.month),
                "Jan": _MONTHS[w.month - 1][:3],
                "January": _MONTHS[w.month - 1],
                "02": f"{w.day:02d}",
                "2": str(w.day),
                "_2": f"{w.day:2d}",
                "002": f"{w.timetuple().tm_yday:03d}",
                "__2": f"{w.timetuple().tm_yday:3d}",
                "15": f"{w.hour:02d}",
                "03": f"{(w.hour % 12) or 12:02d}",
                "3": str((w.hour % 12) or 12),
                "04": f"{w.minute:02d}",
                "4": str(w.minute),
                "05": f"{w.second:02d}",
                "5": str(w.second),
                "PM": "PM" if w.hour >= 12 else "AM",
                "pm": "pm" if w.hour >= 12 else "am",
                "Mon": _DAYS[(w.weekday() + 1) % 7][:3],
                "Monday": _DAYS[(w.weekday() + 1) % 7],
                "MST": t._abbrev(),
            }.get(tok)
            or ("Z" if tok.startswith("Z") and off == 0 else _numeric_zone(off, tok))
        )
    return "".join(out)


def _go_type(v: Any) -> str:
    """Go's ``%T`` of a value as expr holds it."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, _GoMonth):
        return "time.Month"
    if isinstance(v, _GoWeekday):
        return "time.Weekday"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, _AnyKeyMap):
        return "map[interface {}][]interface {}"
    if isinstance(v, dict):
        return "map[string]interface {}"
    if isinstance(v, list):
        return "[]interface {}"
    if isinstance(v, GoTime):
        return "time.Time"
    if isinstance(v, GoDuration):
        return "time.Duration"
    if isinstance(v, _Location):
        return "*time.Location"
    if callable(v):
        return "func"
    return type(v).__name__
