"""Go's ``time.Duration``, ``time.Month``, ``time.Weekday`` and ``*time.Location`` as expr-lang's values."""

from __future__ import annotations

import datetime
import math

from mldsl.argo.exprlang.clock import _DAYS, _MONTHS, _NS, _UTC, _frac_text
from mldsl.argo.exprlang.tokens import _RunError, _wrap


class GoDuration:
    """A Go ``time.Duration`` (nanoseconds), with the methods expressions call."""

    __slots__ = ("ns",)

    def __init__(self, ns: int):
        self.ns = _wrap(int(ns))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoDuration) and other.ns == self.ns

    def __hash__(self) -> int:
        return hash(("duration", self.ns))

    def __repr__(self) -> str:
        return f"GoDuration({self.String()})"

    def Hours(self) -> float:  # noqa: N802 - Go's method names, as expressions call them
        return self.ns / (3600 * _NS)

    def Minutes(self) -> float:  # noqa: N802
        return self.ns / (60 * _NS)

    def Seconds(self) -> float:  # noqa: N802
        whole, frac = divmod(abs(self.ns), _NS)
        return math.copysign(whole + frac / 1e9, self.ns) if self.ns else 0.0

    def Milliseconds(self) -> int:  # noqa: N802
        return int(self.ns / 1_000_000)

    def Microseconds(self) -> int:  # noqa: N802
        return int(self.ns / 1000)

    def Nanoseconds(self) -> int:  # noqa: N802
        return self.ns

    def Abs(self) -> GoDuration:  # noqa: N802
        return GoDuration(abs(self.ns)) if self.ns != -(1 << 63) else GoDuration((1 << 63) - 1)

    def Truncate(self, m: GoDuration) -> GoDuration:  # noqa: N802
        return self if m.ns <= 0 else GoDuration(self.ns - int(math.fmod(self.ns, m.ns)))

    def String(self) -> str:  # noqa: N802 - time.Duration.String (time/time.go)
        d = self.ns
        if d == 0:
            return "0s"
        neg = d < 0
        u = abs(d)
        if u < _NS:
            for unit, size in (("ns", 1), ("µs", 1000), ("ms", 1_000_000)):
                if u < size * 1000:
                    return ("-" if neg else "") + _frac_text(u, size) + unit
        secs, frac = divmod(u, _NS)
        h, rest = divmod(secs, 3600)
        m, s = divmod(rest, 60)
        text = _frac_text(s * _NS + frac, _NS) + "s"
        if h or m:
            text = f"{m}m" + text
        if h:
            text = f"{h}h" + text
        return ("-" if neg else "") + text


class _GoEnum(int):
    """``time.Month`` / ``time.Weekday``: an int that prints as its name (``%v``)."""

    names: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.names[int(self) - (1 if self.names is _MONTHS else 0)]


class _GoMonth(_GoEnum):
    names = _MONTHS


class _GoWeekday(_GoEnum):
    names = _DAYS


class _Location:
    """A ``*time.Location``: a name and a tzinfo."""

    def __init__(self, name: str, tz: datetime.tzinfo):
        self.name, self.tz = name, tz

    def String(self) -> str:  # noqa: N802
        return self.name


def _load_location(name: str) -> _Location:
    """time.LoadLocation: "" and "UTC" are UTC, "Local" is taken as UTC (Argo's controller image)."""
    if name in ("", "UTC"):
        return _Location("UTC", _UTC)
    if name == "Local":
        return _Location("Local", _UTC)
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return _Location(name, ZoneInfo(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise _RunError(f"unknown time zone {name}") from None
