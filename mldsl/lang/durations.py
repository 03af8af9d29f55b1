"""Durations such as ``30s``, ``2h``, ``1h30m`` or ``7d``.

>>> parse_duration("1h30m"), parse_duration("7d"), parse_duration("90")
(5400, 604800, 90)
>>> format_duration(5400), format_duration(86400), format_duration(45)
('1h30m', '1d', '45s')
"""

from __future__ import annotations

import re

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+)([smhdw])")


def parse_duration(text: str | int) -> int:
    """Seconds in ``text``; raises ``ValueError`` with a readable message."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    s = str(text).strip()
    if s.isdigit():
        return int(s)
    pos = 0
    total = 0
    for m in _PART.finditer(s):
        if m.start() != pos:
            break
        total += int(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if pos != len(s) or not s:
        raise ValueError(f"invalid duration {text!r}")
    return total


def format_duration(seconds: int) -> str:
    """``seconds`` the way people write them (``1h30m``), the inverse of :func:`parse_duration`."""
    if seconds <= 0:
        return "0s"
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            out.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(out)
