"""Go's ``time`` package basics: nanoseconds, month and day names, zones as ``-07:00`` and layout elements."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

_UTC = datetime.UTC
_NS = 1_000_000_000


def _frac_text(v: int, unit: int) -> str:
    whole, frac = divmod(v, unit)
    if not frac:
        return str(whole)
    digits = str(frac).rjust(len(str(unit)) - 1, "0").rstrip("0")
    return f"{whole}.{digits}"


_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


#: time.Time{} (0001-01-01 00:00:00 UTC) in nanoseconds from the Unix epoch
_ZERO_TIME_NS = -62135596800 * _NS


def _datetime_ns(when: datetime.datetime) -> int:
    if when.tzinfo is None:
        when = when.replace(tzinfo=_UTC)
    delta = when - datetime.datetime(1970, 1, 1, tzinfo=_UTC)
    return (delta.days * 86400 + delta.seconds) * _NS + delta.microseconds * 1000


def _numeric_zone(offset: int, style: str) -> str:
    sign = "-" if offset < 0 else "+"
    h, m = divmod(abs(offset) // 60, 60)
    s = abs(offset) % 60
    if style in ("-07:00", "Z07:00"):
        return f"{sign}{h:02d}:{m:02d}"
    if style in ("-07", "Z07"):
        return f"{sign}{h:02d}"
    if style in ("-07:00:00", "Z07:00:00"):
        return f"{sign}{h:02d}:{m:02d}:{s:02d}"
    if style in ("-070000", "Z070000"):
        return f"{sign}{h:02d}{m:02d}{s:02d}"
    return f"{sign}{h:02d}{m:02d}"


#: Go's reference-time layout elements (time/format.go nextStdChunk), longest first
_LAYOUT_TOKENS = [
    "January", "Monday", "Z07:00:00", "-07:00:00", "Z070000", "-070000", "Z07:00", "-07:00", "Z0700", "-0700",
    "2006", "Jan", "Mon", "MST", "Z07", "-07", "002", "__2", "_2", "01", "02", "03", "04", "05", "06", "15",
    "PM", "pm", "1", "2", "3", "4", "5",
]  # fmt: skip
_FRACTION = re.compile(r"[.,](0+|9+)(?!\d)")


def _layout_chunks(layout: str) -> Iterator[tuple[str, str]]:
    """(kind, text): kind "lit" for literal text, else the element."""
    i = 0
    lit: list[str] = []
    while i < len(layout):
        m = _FRACTION.match(layout, i)
        if m and i > 0 and layout[i - 1].isdigit():  # a fractional second follows a seconds element
            if lit:
                yield "lit", "".join(lit)
                lit = []
            yield "frac", m.group(0)
            i = m.end()
            continue
        for tok in _LAYOUT_TOKENS:
            if layout.startswith(tok, i):
                if tok in ("Jan", "Mon") and layout[i + len(tok) : i + len(tok) + 1].islower():
                    continue  # "Janet" is literal (format.go startsWithLowerCase)
                if lit:
                    yield "lit", "".join(lit)
                    lit = []
                yield "tok", tok
                i += len(tok)
                break
        else:
            lit.append(layout[i])
            i += 1
    if lit:
        yield "lit", "".join(lit)
