"""Which types the checker's operators take together: text with text, numbers with numbers."""

from __future__ import annotations

from mldsl.lang.mtypes import MType


def stringy(t: MType) -> bool:
    return t.kind == "str" or (t.kind == "enum" and all(isinstance(v, str) for v in t.values or ()))


def intish(t: MType) -> bool:
    return t.kind == "int" or (t.kind == "enum" and all(isinstance(v, int) for v in t.values or ()))


def comparable(a: MType, b: MType) -> bool:
    if a.is_numeric and b.is_numeric:
        return True
    if stringy(a) and stringy(b):
        return True
    if "null" in (a.kind, b.kind):
        return True
    return a.kind == b.kind and a.kind in ("bool", "list", "dict")
