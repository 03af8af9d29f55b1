"""The pieces every stage shares: the parse tree's :class:`Token` and :class:`Tree`, the reserved words,
the run-time error, and Go's int64 wrap-around."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, TypeVar

from mldsl.argo.errors import ExprError
from mldsl.argo.gostrconv import format_float_v

_T = TypeVar("_T")


class Token(str):
    """A leaf of the parse tree: its text, and its ``type`` (lark's Token shape, without importing lark at start-up:
    ``mldsl run`` evaluates expressions before its first step)."""

    __slots__ = ("type",)
    type: str

    def __new__(cls, type_: str, value: Any) -> Token:
        obj = super().__new__(cls, value)
        obj.type = type_
        return obj

    @property
    def value(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {str(self)!r})"


class Tree(Generic[_T]):
    """A node of the parse tree: ``data`` (the node's name, below) and ``children`` (lark's Tree shape)."""

    __slots__ = ("children", "data")

    def __init__(self, data: str, children: list[Any]) -> None:
        self.data = data
        self.children = children

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tree) and (self.data, self.children) == (other.data, other.children)

    def __hash__(self) -> int:
        return hash((self.data, len(self.children)))

    def __repr__(self) -> str:
        return f"Tree({self.data!r}, {self.children!r})"

    def iter_subtrees_topdown(self) -> Iterator[Tree[_T]]:
        """Every subtree, this one first, depth first (lark's order)."""
        stack: list[Tree[_T]] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(c for c in reversed(node.children) if isinstance(c, Tree))


#: The words expr-lang v1.17.8's lexer turns into operators, never identifiers
#: (``parser/lexer/state.go`` l. 137-147: ``not``; ``in or and matches contains startsWith endsWith
#: let``; ``if else`` unless DisableIfOperator, which Argo does not set).
KEYWORDS: frozenset[str] = frozenset(
    {"not", "in", "or", "and", "matches", "contains", "startsWith", "endsWith", "let", "if", "else"}
)
#: Names that cannot be read as a variable: the keywords, and the identifiers the parser turns into
#: literals (``parser/parser.go`` l. 455-473: ``true``, ``false``, ``nil``).
RESERVED_NAMES: frozenset[str] = KEYWORDS | {"true", "false", "nil"}


class _RunError(ExprError):
    """A run-time failure (the VM recovers a Go panic into an error: ``vm/vm.go`` l. 55-70)."""


def _digest(name: str, text: str) -> str:
    """sprig's sha256sum/sha1sum; hashlib is imported when one is called (not at every start of ``mldsl run``)."""
    import hashlib

    return hashlib.new(name, text.encode()).hexdigest()


def go_float(f: float) -> str:
    """``%v`` of a float64 (``fmt``; strconv 'g' shortest): ``3``, ``0.1``, ``1e+06``, ``1e-05``."""
    return format_float_v(f)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _wrap(i: int) -> int:
    """Go's int (64-bit) overflow wraps around."""
    return ((i + (1 << 63)) % (1 << 64)) - (1 << 63)


class _NilList(list):  # type: ignore[type-arg]
    """A nil slice: prints as ``[]``, marshals as ``null``."""


class _AnyKeyMap(dict):  # type: ignore[type-arg]
    """groupBy's ``map[interface {}][]interface {}``: any comparable key."""
