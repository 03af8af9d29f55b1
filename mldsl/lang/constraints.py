"""Parameters and the value rules they impose (SPEC §1.2).

One rule set serves the compiler (literals in ``with``, defaults, wired
outputs) and, later, generated forms, so the CLI and a form never disagree.

>>> p = Param("depth", parse_type("int"), minimum=1, maximum=32)
>>> check_value(p, 0), check_value(p, 6), check_value(p, "6")
(['0 is below the minimum 1'], [], ["expected int, got '6' (str)"])
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from mldsl.lang.buckets import bucket_problem
from mldsl.lang.mtypes import MType, parse_type, type_of_literal

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()

#: Regex syntax that Python and JavaScript read differently (or only one of them reads): patterns are
#: checked by the CLI (Python) and by generated forms (JavaScript), so both must mean the same.
_NOT_PORTABLE = (
    (r"\(\?P[<=]", "named groups (?P<...>) are Python-only; JavaScript writes (?<name>...)"),
    (r"\(\?<[=!]", "lookbehind differs between engines"),
    (r"\(\?[aiLmsux]+[:)]", "inline flags such as (?i) are Python-only"),
    (r"\\[AZz]", "\\A and \\Z are Python-only anchors; use ^ and $"),
    (r"\(\?>|[*+?}][+]", "atomic groups and possessive quantifiers are not portable"),
    (r"\\[pP]\{", "Unicode property classes need flags that differ between engines"),
)

#: what JavaScript's ``\s`` matches (ECMA-262 §22.2.2.9 CharacterClassEscape: WhiteSpace and LineTerminator)
JS_SPACE = r"\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def js_pattern(pattern: str) -> str:
    """``pattern`` for Python's ``re`` with JavaScript's ``$``: the end of the text only.

    Python's ``$`` also matches before a final newline, so ``^ab$`` would accept
    ``"ab\\n"`` where the form (``RegExp.test``) refuses it; ``\\Z`` is JavaScript's ``$``.
    """
    out: list[str] = []
    escaped, in_class = False, False
    for ch in pattern:
        if escaped and ch in "sS" and not (in_class and ch == "S"):
            # JavaScript's \s is Unicode's white space even without the u flag (ECMA-262 WhiteSpace and
            # LineTerminator), Python's with re.ASCII only ASCII's: spelt out, "   " is judged alike
            out[-1] = JS_SPACE if in_class else f"[{'^' if ch == 'S' else ''}{JS_SPACE}]"
            escaped = False
            continue
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        elif ch == "$" and not in_class:
            out.append("\\Z")
            continue
        out.append(ch)
    return "".join(out)


def portable_pattern(pattern: str) -> str | None:
    """Why ``pattern`` is not read the same by Python and JavaScript, or ``None`` when it is."""
    for bad, why in _NOT_PORTABLE:
        if re.search(bad, pattern):
            return why
    return None


__all__ = ["ARTIFACT_URI", "MISSING", "Param", "check_value", "parse_type"]

#: what an artifact given as text must be: a scheme mldsl can read from and a bucket or host (the CLI, `submit`
#: and the forms' JavaScript, `backends/forms/form.js` ARTIFACT_URI, use this one rule; a test compares them)
ARTIFACT_URI = re.compile(r"^(s3|gs|gcs|https?|oss|hdfs|az)://[^/\s]+(/\S*)?$")
#: a Kubernetes Secret's name (a DNS subdomain) and a key of its data (apimachinery IsConfigMapKey), at most 253
SECRET_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
#: text that is only whitespace: what Python's str.isspace and JavaScript's \s both call whitespace (spelt out,
#: as the two differ at the edges; form.js BLANK is the same class)
BLANK = re.compile(r"[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+")
#: how check_value's message about a blank value begins (the compiler gives it its own code and hint)
BLANK_MESSAGE = "only whitespace"


def secret_problems(name: str, key: str) -> list[str]:
    """Why ``secret(name, key)`` could not name a Kubernetes Secret's key (empty when it can)."""
    out = []
    if len(name) > 253 or not SECRET_NAME.match(name):
        out.append(f"{name!r} is not a Secret name (lowercase letters, digits, '-' and '.')")
    if len(key) > 253 or not SECRET_KEY.match(key):
        out.append(f"{key!r} is not a key of a Secret (letters, digits, '-', '_' and '.')")
    return out


@dataclass(frozen=True)
class Param:
    """A declared input, output or pipeline param with its constraints."""

    name: str
    type: MType
    default: Any = MISSING
    optional: bool = False
    minimum: float | int | None = None
    maximum: float | int | None = None
    exclusive_min: bool = False
    exclusive_max: bool = False
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    description: str | None = None

    @property
    def required(self) -> bool:
        return self.default is MISSING and not self.optional

    @property
    def has_default(self) -> bool:
        return self.default is not MISSING


def _fmt(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)


def check_value(param: Param, value: Any, _t: MType | None = None) -> list[str]:
    """Problems with a literal ``value`` for ``param`` (empty when it is fine)."""
    t = _t or param.type
    if value is None:
        return [] if param.optional else ["null is not allowed here (the input is not optional)"]
    kind = t.kind
    if kind == "any":
        return []
    if kind == "secret":
        return ["a secret needs a secret reference, not a literal"]
    if kind == "artifact":
        if isinstance(value, str) and ARTIFACT_URI.match(value):
            bucket = bucket_problem(value)
            return [bucket] if bucket else []  # a URI the step downloads, from a bucket its store accepts
        return [f"expected an artifact URI (s3://bucket/key, gs://, https://...), got {_fmt(value)} ({type_of_literal(value)})"]
    if kind == "enum":
        values = t.values or ()
        if value not in values or isinstance(value, bool):
            return [f"{_fmt(value)} is not one of " + ", ".join(_fmt(v) for v in values)]
        return []
    if kind == "bool":
        return [] if isinstance(value, bool) else [f"expected bool, got {_fmt(value)} ({type_of_literal(value)})"]
    if kind in ("int", "float"):
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (kind == "float" and isinstance(value, float))
        if not ok:
            return [f"expected {kind}, got {_fmt(value)} ({type_of_literal(value)})"]
        if isinstance(value, float) and math.isnan(value):
            return ["NaN is not a value a param can take (it passes no min or max)"]
        return _range(param, value)
    if kind == "str":
        return _check_str(param, value)
    if kind in ("list", "dict"):
        return _check_items(param, t, value)
    return []  # pragma: no cover - every kind is handled above


def _check_str(param: Param, value: Any) -> list[str]:
    """A literal for a str param: its type, its length and its pattern."""
    if not isinstance(value, str):
        return [f"expected str, got {_fmt(value)} ({type_of_literal(value)})"]
    if param.required and param.pattern is None and BLANK.fullmatch(value):
        # SPEC §1.2 is silent on blanks: a required str given only spaces is a mistake; a pattern may allow it
        return [f"{value!r} is {BLANK_MESSAGE}: a required string needs text"]
    out = _length(param, value)
    if param.pattern is not None:
        try:
            # \d, \w, \s and $ as in JavaScript (no u flag): the form checks with RegExp.test
            if not re.search(js_pattern(param.pattern), value, re.ASCII):
                out.append(f"{value!r} does not match the pattern {param.pattern!r}")
        except re.error:
            pass  # reported where the pattern is declared
    return out


def _check_items(param: Param, t: MType, value: Any) -> list[str]:
    """A literal for a list or dict param: its type, its length, and each item against the item type."""
    kind = t.kind
    if kind == "list" and not isinstance(value, list):
        return [f"expected {t}, got {_fmt(value)} ({type_of_literal(value)})"]
    if kind == "dict" and not isinstance(value, dict):
        return [f"expected {t}, got {_fmt(value)} ({type_of_literal(value)})"]
    out = _length(param, value)
    items = value if isinstance(value, list) else list(value.values())
    inner = Param(param.name, t.item or MType("any"))
    for i, item in enumerate(items):
        where = f"item {i}" if isinstance(value, list) else f"key {list(value)[i]!r}"
        out.extend(f"{where}: {p}" for p in check_value(inner, item))
    return out


def _range(p: Param, value: float) -> list[str]:
    out = []
    if p.minimum is not None:
        if p.exclusive_min and value <= p.minimum:
            out.append(f"{value} must be greater than {p.minimum}")
        elif not p.exclusive_min and value < p.minimum:
            out.append(f"{value} is below the minimum {p.minimum}")
    if p.maximum is not None:
        if p.exclusive_max and value >= p.maximum:
            out.append(f"{value} must be less than {p.maximum}")
        elif not p.exclusive_max and value > p.maximum:
            out.append(f"{value} is above the maximum {p.maximum}")
    return out


def _length(p: Param, value: Any) -> list[str]:
    out = []
    if p.min_length is not None and len(value) < p.min_length:
        out.append(f"length {len(value)} is below the minimum length {p.min_length}")
    if p.max_length is not None and len(value) > p.max_length:
        out.append(f"length {len(value)} is above the maximum length {p.max_length}")
    return out


def range_within(src: Param, dst: Param) -> bool:
    """Whether every value ``src`` can take satisfies ``dst``'s numeric range."""
    low_ok = dst.minimum is None or (
        src.minimum is not None
        and (src.minimum > dst.minimum or (src.minimum == dst.minimum and (src.exclusive_min or not dst.exclusive_min)))
    )
    high_ok = dst.maximum is None or (
        src.maximum is not None
        and (src.maximum < dst.maximum or (src.maximum == dst.maximum and (src.exclusive_max or not dst.exclusive_max)))
    )
    return low_ok and high_ok
