"""The ``${{ expr }}`` expression language: templates, AST and parser.

Strings are split into literal text and expressions; each expression is
parsed with the LALR grammar in ``grammar/expression.lark`` into a small,
immutable AST whose nodes know their offset in the source string, so that
type errors point at the right column.

>>> t = parse_template("run-${{ params.date }}")
>>> [type(p).__name__ for p in t.parts], t.single
(['str', 'ExprPart'], None)
>>> parse_template("${{ steps.train.outputs.auc >= 0.8 }}").single
Binary(offset=4, op='>=', left=Ref(offset=4, parts=('steps', 'train', 'outputs', 'auc')), right=Literal(offset=31, value=0.8))
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

OPEN = "${{"
CLOSE = "}}"
FUNCTIONS = ("len", "str", "int", "float", "lower", "upper", "join", "default", "format_time", "secret")


class ExprError(ValueError):
    """A malformed template or expression; ``offset`` is 0-based in the whole string."""

    def __init__(self, code: str, message: str, offset: int, hint: str | None = None):
        super().__init__(message)
        self.code = code
        self.offset = offset
        self.hint = hint


class Literal(NamedTuple):
    offset: int
    value: Any


class Ref(NamedTuple):
    """A dotted reference such as ``steps.train.outputs.auc``."""

    offset: int
    parts: tuple[str, ...]

    @property
    def text(self) -> str:
        return ".".join(self.parts)


class Index(NamedTuple):
    offset: int
    target: Expr
    key: Expr


class Unary(NamedTuple):
    offset: int
    op: str  # "-" | "not"
    operand: Expr


class Binary(NamedTuple):
    offset: int
    op: str  # or and == != < <= > >= in + - * / %
    left: Expr
    right: Expr


class Call(NamedTuple):
    offset: int
    func: str
    args: tuple[Expr, ...]


class ListExpr(NamedTuple):
    offset: int
    items: tuple[Expr, ...]


Expr = Literal | Ref | Index | Unary | Binary | Call | ListExpr


class ExprPart(NamedTuple):
    """One ``${{ }}`` occurrence: its AST and the offset of its text."""

    expr: Expr
    source: str
    offset: int


class Template(NamedTuple):
    parts: tuple[str | ExprPart, ...]

    @property
    def single(self) -> Expr | None:
        """The expression when the string is exactly one ``${{ }}`` (it keeps its type)."""
        exprs = [p for p in self.parts if isinstance(p, ExprPart)]
        if len(exprs) == 1 and all(isinstance(p, ExprPart) or not p.strip() for p in self.parts):
            return exprs[0].expr
        return None

    @property
    def exprs(self) -> list[ExprPart]:
        return [p for p in self.parts if isinstance(p, ExprPart)]

    @property
    def is_literal(self) -> bool:
        return not self.exprs


def has_expression(text: str) -> bool:
    return OPEN in text


def parse_template(text: str) -> Template:
    """Split ``text`` into literal strings and parsed expressions; raises :class:`ExprError`."""
    parts: list[str | ExprPart] = []
    pos = 0
    while True:
        start = text.find(OPEN, pos)
        if start < 0:
            if pos < len(text):
                parts.append(text[pos:])
            break
        if start > pos:
            parts.append(text[pos:start])
        body_start = start + len(OPEN)
        end = _find_close(text, body_start)
        if end < 0:
            raise ExprError("MLD311", "unterminated '${{': no closing '}}'", start, hint="close the expression with '}}'")
        body = text[body_start:end]
        if not body.strip():
            raise ExprError("MLD300", "empty expression '${{ }}'", start)
        parts.append(ExprPart(parse_expression(body, body_start), body.strip(), body_start))
        pos = end + len(CLOSE)
    return Template(tuple(parts))


def _find_close(text: str, pos: int) -> int:
    end = text.find(CLOSE, pos)
    if end < 0 or ("'" not in text[pos:end] and '"' not in text[pos:end]):
        return end  # no string literal before the first '}}': it is the end
    quote: str | None = None
    i = pos
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif text.startswith(CLOSE, i):
            return i
        i += 1
    return -1


#: A plain dotted reference (``steps.train.outputs.auc``): most expressions are one, and the
#: grammar would parse it to exactly this Ref, so it skips the LALR parser (a 10x saving).
_PLAIN_REF = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\Z")
_KEYWORDS = frozenset({"or", "and", "not", "in", "true", "false", "null"})


def parse_expression(source: str, base: int = 0) -> Expr:
    """Parse one expression; offsets are shifted by ``base``."""
    plain = _PLAIN_REF.match(source)
    if plain is not None:
        parts = tuple(plain.group(1).split("."))
        if parts[0] not in _KEYWORDS:
            return Ref(base + plain.start(1), parts)
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

    from mldsl.lang.grammars import parser

    try:
        tree = parser("expression").parse(source)
    except UnexpectedEOF:
        raise _incomplete(source, base) from None
    except UnexpectedCharacters as exc:
        pos = exc.pos_in_stream or 0
        ch = source[pos] if pos < len(source) else ""
        hint = "strings are quoted with ' or \"; names are letters, digits and _"
        if ch == "=":
            hint = "compare with '=='"
        elif ch == ":" and "[" in source[:pos]:
            hint = "slices are not supported; a date is format_time(workflow.scheduled_time, '%Y-%m-%d')"
        elif ch in "&|!":
            hint = "use 'and', 'or' and 'not'"
        raise ExprError("MLD300", f"unexpected character {ch!r} in expression", base + pos, hint=hint) from None
    except UnexpectedToken as exc:
        tok = exc.token
        offset = base + (tok.start_pos if tok.start_pos is not None else len(source))
        what = repr(str(tok))
        if tok.type == "$END":
            raise _incomplete(source, base) from None
        raise ExprError("MLD300", f"unexpected {what} in expression", offset) from None
    except UnexpectedInput as exc:  # pragma: no cover - the three above cover lark's cases
        raise ExprError("MLD300", f"invalid expression: {exc}", base) from None
    if _depth(tree) > MAX_EXPR_DEPTH:  # the builder, the checker and the lowering recurse once per level
        raise ExprError(
            "MLD300",
            f"expression nests more than {MAX_EXPR_DEPTH} levels deep",
            base + len(source) - len(source.lstrip()),
            hint="split it: compute part of it in a step, or simplify 'not not ...' and long chains",
        )
    return _Builder(base).build(tree)


#: deeper than any expression people write; far below Python's recursion limit
MAX_EXPR_DEPTH = 100


def _depth(tree: Any) -> int:
    """The parse tree's depth, counted without recursion (3,000 'not's must not overflow the stack here)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_EXPR_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in getattr(node, "children", ()) if hasattr(child, "children"))
    return deepest


def _incomplete(source: str, base: int) -> ExprError:
    return ExprError(
        "MLD300",
        f"incomplete expression {source.strip()!r}",
        base + len(source.rstrip()),
        hint="an operand or closing bracket is missing",
    )


class _Builder:
    def __init__(self, base: int):
        self.base = base

    def off(self, node: Any) -> int:
        from lark import Token

        if isinstance(node, Token):
            return self.base + (node.start_pos or 0)
        meta = getattr(node, "meta", None)
        if meta is not None and not getattr(meta, "empty", True):
            return self.base + int(meta.start_pos)
        return self.base

    def build(self, node: Any) -> Expr:
        from lark import Token

        if isinstance(node, Token):  # pragma: no cover - grammar wraps tokens in rules
            raise ExprError("MLD300", f"unexpected {node!s}", self.off(node))
        kind = node.data
        ch = node.children
        off = self.off(node)
        if kind == "name":
            return Ref(off, (str(ch[0]),))
        if kind == "attr":
            target = self.build(ch[0])
            if not isinstance(target, Ref):
                raise ExprError("MLD300", f"'.{ch[1]}' can only follow a reference", self.off(ch[1]))
            return Ref(target.offset, (*target.parts, str(ch[1])))
        if kind == "number":
            return self.number(off, str(ch[0]))
        if kind == "string":
            return Literal(off, _unquote(str(ch[0])))
        if kind in ("true", "false", "null"):
            return Literal(off, {"true": True, "false": False, "null": None}[kind])
        if kind == "list_":
            return ListExpr(off, self.args(ch[0]))
        if kind == "call":
            return self.call(off, str(ch[0]), ch[1])
        if kind == "index":
            return Index(off, self.build(ch[0]), self.build(ch[1]))
        if kind == "neg":
            operand = self.build(ch[0])
            if isinstance(operand, Literal) and isinstance(operand.value, (int, float)) and not isinstance(operand.value, bool):
                return Literal(off, -operand.value)
            return Unary(off, "-", operand)
        if kind == "not_":
            return Unary(off, "not", self.build(ch[0]))
        if kind in ("or_", "and_", "in_"):
            return Binary(off, kind.rstrip("_"), self.build(ch[0]), self.build(ch[1]))
        if kind in ("compare", "binop"):
            return Binary(off, str(ch[1]), self.build(ch[0]), self.build(ch[2]))
        raise ExprError("MLD300", f"unsupported expression {kind!r}", off)  # pragma: no cover

    def number(self, off: int, text: str) -> Literal:
        try:
            return Literal(off, float(text) if any(c in text for c in ".eE") else int(text))
        except ValueError:  # Python reads no int of more than 4,300 digits
            raise ExprError("MLD300", f"number of {len(text)} digits is too long", off, "write it as a string") from None

    def call(self, off: int, name: str, args: Any) -> Call:
        if name not in FUNCTIONS:
            import difflib

            close = difflib.get_close_matches(name, FUNCTIONS, n=1)
            raise ExprError(
                "MLD305",
                f"unknown function {name!r}",
                off,
                hint=f"did you mean {close[0]!r}?" if close else "functions are " + ", ".join(FUNCTIONS),
            )
        return Call(off, name, self.args(args))

    def args(self, node: Any) -> tuple[Expr, ...]:
        if node is None:
            return ()
        return tuple(self.build(c) for c in node.children)


def _unquote(token: str) -> str:
    body = token[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)
