"""The mldsl type system (SPEC §1.2).

A :class:`MType` is a type; :func:`parse_type` reads the short form
(``list[str]``) with the ``grammar/type.lark`` grammar; :func:`assignable`
is the one place that decides what converts: ``int`` to ``float`` and
nothing else silently.

>>> str(parse_type("dict[str, list[int]]"))
'dict[str, list[int]]'
>>> assignable(parse_type("int"), parse_type("float")), assignable(parse_type("float"), parse_type("int"))
(True, False)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

SCALARS = ("str", "int", "float", "bool")
SIMPLE = (*SCALARS, "enum", "artifact", "secret")
TYPE_NAMES = (*SIMPLE, "list", "dict")


class TypeSyntaxError(ValueError):
    """A type annotation that does not parse."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class MType:
    kind: str  # str int float bool enum list dict artifact secret | any null
    item: MType | None = None  # list / dict element
    values: tuple[Any, ...] | None = None  # enum
    format: str | None = None  # artifact

    def __str__(self) -> str:
        if self.kind == "list":
            return f"list[{self.item}]"
        if self.kind == "dict":
            return f"dict[str, {self.item}]"
        if self.kind == "enum" and self.values is not None:
            return "enum[" + ", ".join(repr(v) for v in self.values) + "]"
        if self.kind == "artifact" and self.format:
            return f"artifact({self.format})"
        return self.kind

    @property
    def is_numeric(self) -> bool:
        return self.kind in ("int", "float") or (
            self.kind == "enum" and bool(self.values) and all(is_number(v) for v in self.values or ())
        )


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


STR = MType("str")
INT = MType("int")
FLOAT = MType("float")
BOOL = MType("bool")
#: an instant, as RFC 3339 text on the wire (``workflow.creation_timestamp``, ``workflow.scheduled_time``)
TIMESTAMP = MType("timestamp")
ANY = MType("any")
NULL = MType("null")
SECRET = MType("secret")


def list_of(t: MType) -> MType:
    return MType("list", item=t)


_SIMPLE_TYPE = re.compile(r"\s*(str|int|float|bool|enum|artifact|secret)\s*\Z")


def parse_type(text: str) -> MType:
    """Parse a short-form type annotation; raises :class:`TypeSyntaxError`."""
    simple = _SIMPLE_TYPE.match(text)
    if simple is not None:  # the common case, without building the parser
        return MType(simple.group(1))
    from lark.exceptions import LarkError

    from mldsl.lang.grammars import parser

    try:
        tree = parser("type").parse(text)
    except LarkError:
        raise TypeSyntaxError(
            f"invalid type {text!r}",
            hint="types are str, int, float, bool, enum, artifact, secret, list[T] or dict[str, T]",
        ) from None
    return _from_tree(tree)


def _from_tree(tree: Any) -> MType:
    name = str(tree.children[0])
    args = tree.children[1:]
    if tree.data == "named":
        return _named(name)
    if name == "list" and len(args) == 1:
        return list_of(_from_tree(args[0]))
    if name == "dict" and len(args) == 2:
        key = _from_tree(args[0])
        if key.kind != "str":
            raise TypeSyntaxError(f"dict keys must be str, not {key}", hint="write dict[str, T]")
        return MType("dict", item=_from_tree(args[1]))
    raise TypeSyntaxError(
        f"{name}[...] takes " + ("one type" if name == "list" else "str and a type" if name == "dict" else "no parameters"),
        hint="write list[T] or dict[str, T]",
    )


_SYNONYMS = {
    "number": "float",
    "double": "float",
    "decimal": "float",
    "integer": "int",
    "long": "int",
    "string": "str",
    "text": "str",
    "boolean": "bool",
    "file": "artifact",
    "path": "artifact",
    "array": "list[T]",
    "map": "dict[str, T]",
    "object": "dict[str, T]",
    "password": "secret",
}


def _named(name: str) -> MType:
    if name in ("list", "dict"):
        raise TypeSyntaxError(
            f"{name} needs an element type", hint="write list[str]" if name == "list" else "write dict[str, str]"
        )
    if name not in SIMPLE:
        import difflib

        close = [_SYNONYMS[name]] if name in _SYNONYMS else difflib.get_close_matches(name, TYPE_NAMES, n=1)
        raise TypeSyntaxError(
            f"unknown type {name!r}",
            hint=f"did you mean {close[0]!r}?" if close else "types are " + ", ".join(TYPE_NAMES),
        )
    return MType(name)


def assignable(src: MType, dst: MType) -> bool:
    """Whether a value of type ``src`` may be bound where ``dst`` is expected."""
    if src.kind == "any" or dst.kind == "any":
        return True
    if src.kind == "null":
        return False
    if dst.kind == "float" and src.kind == "int":
        return True
    if dst.kind in ("list", "dict"):
        return src.kind == dst.kind and src.item is not None and dst.item is not None and assignable(src.item, dst.item)
    if dst.kind == "enum":
        if src.kind == "enum" and src.values is not None and dst.values is not None:
            return set(src.values) <= set(dst.values)
        return False
    if src.kind == "enum":  # an enum's values widen to their own scalar type
        vals = src.values or ()
        if dst.kind == "str":
            return all(isinstance(v, str) for v in vals)
        if dst.kind in ("int", "float"):
            return all(is_number(v) and (dst.kind == "float" or isinstance(v, int)) for v in vals)
        return False
    if dst.kind == "artifact":
        return src.kind == "artifact" and (not src.format or not dst.format or src.format == dst.format)
    if src.kind == "timestamp" and dst.kind == "str":  # passed on as its RFC 3339 text
        return True
    return src.kind == dst.kind


def type_of_literal(value: Any) -> MType:
    """The type a YAML literal has (lists of mixed types are ``list[any]``)."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return FLOAT
    if isinstance(value, str):
        return STR
    if isinstance(value, list):
        items = {type_of_literal(v) for v in value}
        if len(items) == 1:
            return list_of(items.pop())
        if items and items <= {INT, FLOAT}:
            return list_of(FLOAT)
        return list_of(ANY)
    if isinstance(value, dict):
        items = {type_of_literal(v) for v in value.values()}
        return MType("dict", item=items.pop() if len(items) == 1 else ANY)
    return ANY
