"""expr-lang's operator tables and the tree nodes built from tokens (``parser/operator/operator.go``, ``parser/parser.go``)."""

from __future__ import annotations

from typing import Any

from mldsl.argo.exprlang.lexer import _is_alnum, _is_alpha, _unescape
from mldsl.argo.exprlang.tokens import Token, Tree

#: parser/operator/operator.go l. 32-65
_UNARY = {"not": 50, "!": 50, "-": 90, "+": 90}
_BINARY: dict[str, tuple[int, str]] = {
    "|": (0, "L"), "or": (10, "L"), "||": (10, "L"), "and": (15, "L"), "&&": (15, "L"),
    "==": (20, "L"), "!=": (20, "L"), "<": (20, "L"), ">": (20, "L"), ">=": (20, "L"), "<=": (20, "L"),
    "in": (20, "L"), "matches": (20, "L"), "contains": (20, "L"), "startsWith": (20, "L"), "endsWith": (20, "L"),
    "..": (25, "L"), "+": (30, "L"), "-": (30, "L"), "*": (60, "L"), "/": (60, "L"), "%": (60, "L"),
    "**": (100, "R"), "^": (100, "R"), "??": (500, "L"),
}  # fmt: skip
_COMPARISON = {"<", ">", ">=", "<="}  # operator.go IsComparison l. 67-69
_NEGATABLE = {"contains", "matches", "startsWith", "endsWith", "in"}  # AllowedNegateSuffix l. 23-30
#: parser.go l. 29-47: built-ins whose arguments are (expression, predicate[, expression])
_PREDICATES: dict[str, tuple[str, ...]] = {
    "all": ("e", "p"), "none": ("e", "p"), "any": ("e", "p"), "one": ("e", "p"), "filter": ("e", "p"),
    "map": ("e", "p"), "count": ("e", "p?"), "sum": ("e", "p?"), "find": ("e", "p"), "findIndex": ("e", "p"),
    "findLast": ("e", "p"), "findLastIndex": ("e", "p"), "groupBy": ("e", "p"), "sortBy": ("e", "p", "e?"),
    "reduce": ("e", "p", "e?"),
}  # fmt: skip


def _tree(data: str, *children: Any) -> Tree[Token]:
    return Tree(data, list(children))


def _valid_identifier(s: str) -> bool:  # parser/utils/utils.go IsValidIdentifier
    return bool(s) and _is_alpha(s[0]) and all(_is_alnum(c) for c in s[1:])


def _string_value(t: Tree[Token]) -> str:
    tok = t.children[0]
    raw = str(tok)
    if t.data == "key":
        return raw
    if raw.startswith("`"):
        return raw[1:-1].replace("``", "`")
    return _unescape(raw)
