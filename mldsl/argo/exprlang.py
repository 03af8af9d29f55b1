"""Evaluate expr-lang as Argo runs it in ``{{=...}}``, ``valueFrom.expression``, hooks and ``depends``.

Argo v4.1.2 pins github.com/expr-lang/expr v1.17.8 (``go.mod``) and always compiles with the
environment given (``expr.Compile(code, expr.Env(env))``: ``util/template/expression_template.go``
l. 241, ``util/expr/argoexpr/eval.go`` l. 10), so an expression is first *checked* against the
environment's types (an unknown name, ``"a" + 1`` or ``"1" == 1`` fail even in a branch that never
runs) and then run. This module follows that pipeline:

* a lexer ported from ``parser/lexer/state.go`` and ``lexer.go`` (the keyword operators are
  :data:`KEYWORDS`; ``nil``, ``true`` and ``false`` are literals, so none of :data:`RESERVED_NAMES`
  can be a variable);
* a precedence-climbing parser ported from ``parser/parser.go`` (expr's precedences are not a
  textbook grammar: ``not a == b`` is ``(not a) == b``, ``a ?? b + c`` is an error, ``a < b < c``
  chains, ``x | f()`` pipes), building a lark :class:`~lark.Tree` (the node names below);
* a checker ported from ``checker/checker.go`` over the types it can know (literals and the
  environment's top-level values; anything read out of a map is ``interface{}``, unchecked);
* an evaluator with the VM's runtime rules (``vm/vm.go``, ``vm/runtime/runtime.go``,
  ``vm/runtime/helpers[generated].go``, ``builtin/builtin.go``, ``builtin/lib.go``): ``/`` gives a
  float, ints wrap at 64 bits, ``==`` across types is false, ``<`` across types is an error, a missing
  map key is nil, ``string(x)`` is Go's ``%v``, and Argo's helpers (``util/expr/env/env.go``
  GetFuncMap: ``asInt``, ``asFloat``, ``jsonpath``, ``toJson``, ``sprig``).

Tree nodes (``Tree.data``): number, string, key, true, false, nil, name, pointer, array, mapping, pair,
closure, member, index, optmember, optindex, chain, slice, call, args, neg, pos, not_, binop, coalesce,
cond, let, seq.

>>> evaluate("asFloat(tasks['eval'].outputs.parameters['auc']) >= 0.8",
...          {"tasks": {"eval": {"outputs": {"parameters": {"auc": "0.91"}}}}})
True
>>> evaluate("toJson('a' + x)", {"x": '"b'})
'"a\\\\"b"'
>>> evaluate("string([1, 2.5, {'a': nil}])", {})
'[1 2.5 map[a:<nil>]]'
"""

from __future__ import annotations

import base64
import datetime
import json
import math
import re
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from mldsl.argo.errors import ExprError
from mldsl.argo.gostrconv import NumError, atoi, format_float_json, format_float_v, parse_float, parse_int

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


__all__ = [
    "BUILTINS",
    "KEYWORDS",
    "RESERVED_NAMES",
    "ExprError",
    "GoDuration",
    "GoTime",
    "evaluate",
    "go_float",
    "go_string",
    "parse",
    "parse_float",
    "parse_int",
    "to_json",
]

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


# ===================================================================================== lexer ==


@dataclass(frozen=True)
class _Tok:
    kind: str  # Identifier Number String Bytes Operator Bracket EOF (parser/lexer/token.go l. 11-19)
    value: str
    pos: int
    raw: str = ""

    def is_(self, kind: str, *values: str) -> bool:
        return self.kind == kind and (not values or self.value in values)

    def __str__(self) -> str:  # token.go l. 27-32
        return self.kind if self.kind == "EOF" else f"{self.kind}({json.dumps(self.value, ensure_ascii=False)})"


def _is_space(c: str) -> bool:  # unicode.IsSpace
    return c in "\t\n\v\f\r \x85\xa0" or (ord(c) > 0xFF and c.isspace())


def _is_alpha(c: str) -> bool:  # parser/utils/utils.go IsAlphabetic: _ $ or a letter
    return c == "_" or c == "$" or (c.isalpha() and unicodedata.category(c).startswith("L"))


def _is_alnum(c: str) -> bool:  # IsAlphaNumeric: IsAlphabetic or unicode.IsDigit (Nd)
    return _is_alpha(c) or unicodedata.category(c) == "Nd"


class _Lexer:
    """A port of ``parser/lexer/state.go`` (states root, number, dot, identifier, not, questionMark,
    slash, pointer) and ``lexer.go`` (scanNumber, scanString, scanEscape, scanRawString)."""

    def __init__(self, src: str):
        self.src = src
        self.start = self.end = 0
        self.toks: list[_Tok] = []

    def error(self, msg: str) -> ExprError:
        return ExprError(f"{msg} (1:{self.end})")

    def next(self) -> str:
        if self.end >= len(self.src):
            self.end += 1  # past the end: backup() undoes it
            return ""
        c = self.src[self.end]
        self.end += 1
        return c

    def backup(self) -> None:
        self.end -= 1

    def peek(self) -> str:
        return self.src[self.end] if self.end < len(self.src) else ""

    def accept(self, valid: str) -> bool:
        if self.peek() and self.peek() in valid:
            self.end += 1
            return True
        return False

    def accept_run(self, valid: str) -> None:
        while self.accept(valid):
            pass

    def word(self) -> str:
        return self.src[self.start : self.end]

    def emit(self, kind: str, value: str | None = None) -> None:
        self.toks.append(_Tok(kind, self.word() if value is None else value, self.start, self.word()))
        self.start = self.end

    def lex(self) -> list[_Tok]:
        while True:
            c = self.next()
            if c == "":
                self.end = len(self.src)
                self.start = self.end
                self.toks.append(_Tok("EOF", "", self.end))
                return self.toks
            if _is_space(c):
                self.start = self.end
            elif c in "'\"":
                self._scan_string(c)
                self.emit("String", _unescape(self.word(), self))
            elif c == "`":
                self._scan_raw_string()
            elif c in "bB" and self.peek() in ("'", '"'):
                raise self.error("bytes literals are not supported")
            elif "0" <= c <= "9":
                self.backup()
                self._number()
            elif c == "?":
                self.accept(".?")
                self.emit("Operator")
            elif c == "/":
                if self.accept("/"):
                    while self.next() not in ("", "\n"):
                        pass
                    self.end = min(self.end, len(self.src))
                    self.start = self.end
                elif self.accept("*"):
                    while True:
                        d = self.next()
                        if d == "":
                            raise self.error("unclosed comment")
                        if d == "*" and self.accept("/"):
                            break
                    self.start = self.end
                else:
                    self.emit("Operator")
            elif c == "#":
                self.accept("#")
                self.emit("Operator")
                while self.peek() and _is_alnum(self.peek()):
                    self.end += 1
                if self.word():
                    self.emit("Identifier")
            elif c == "|":
                self.accept("|")
                self.emit("Operator")
            elif c == ":":
                self.accept(":")
                self.emit("Operator")
            elif c in "([{)]}":
                self.emit("Bracket")
            elif c in ",;%+-^":
                self.emit("Operator")
            elif c in "&!=*<>":
                self.accept("&=*")
                self.emit("Operator")
            elif c == ".":
                if self.peek() and "0" <= self.peek() <= "9":
                    self._number()
                else:
                    self.accept(".")
                    self.emit("Operator")
            elif _is_alnum(c):
                self._identifier()
            else:
                raise self.error(f"unrecognized character: U+{ord(c):04X} {c!r}")

    def _number(self) -> None:  # lexer.go scanNumber l. 80-116
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        end = self.end
        if self.accept("."):
            if self.peek() == ".":  # 1..2 is a range
                self.end = end
                self.emit("Number")
                return
            self.accept_run(digits)
        if self.accept("eE"):
            self.accept("+-")
            self.accept_run(digits)
        if self.peek() and _is_alnum(self.peek()):
            self.end += 1
            raise self.error(f"bad number syntax: {json.dumps(self.word())}")
        self.emit("Number")

    def _identifier(self) -> None:  # state.go identifier l. 129-155 and not l. 157-182
        while self.peek() and _is_alnum(self.peek()):
            self.end += 1
        w = self.word()
        if w == "not":
            self.emit("Operator")
            while self.peek() == " ":
                self.end += 1
            self.start = self.end
            end = self.end
            while self.peek() and _is_alnum(self.peek()):
                self.end += 1
            if self.word() in ("in", "matches", "contains", "startsWith", "endsWith"):
                self.emit("Operator")
            else:
                self.end = end
        elif w in KEYWORDS:
            self.emit("Operator")
        else:
            self.emit("Identifier")

    def _scan_string(self, quote: str) -> None:  # lexer.go scanString l. 254-269, scanEscape l. 203-252
        c = self.next()
        while c != quote:
            if c in ("\n", ""):
                raise self.error("literal not terminated")
            c = self._scan_escape(quote) if c == "\\" else self.next()

    def _scan_escape(self, quote: str) -> str:
        c = self.next()
        if c in ("a", "b", "f", "n", "r", "t", "v", "\\", quote):
            return self.next()
        if c and c in "01234567":
            return self._scan_digits(c, 8, 3)
        if c == "x":
            return self._scan_digits(self.next(), 16, 2)
        if c == "u":
            if self.peek() == "{":
                self.next()
                n = 0
                while self.peek() != "}":
                    if not self.peek() or self.peek() not in "0123456789abcdefABCDEF" or n >= 6:
                        raise self.error("invalid char escape")
                    self.next()
                    n += 1
                if n == 0:
                    raise self.error("invalid char escape")
                self.next()
                return self.next()
            return self._scan_digits(self.next(), 16, 4)
        if c == "U":
            return self._scan_digits(self.next(), 16, 8)
        raise self.error("invalid char escape")

    def _scan_digits(self, c: str, base: int, n: int) -> str:
        while n > 0 and c and _digit_val(c) < base:
            c = self.next()
            n -= 1
        if n > 0:
            raise self.error("invalid char escape")
        return c

    def _scan_raw_string(self) -> None:
        parts = []
        while True:
            c = self.next()
            if c == "":
                raise self.error("literal not terminated")
            if c == "`":
                if self.peek() == "`":  # a doubled backtick is one backtick
                    self.next()
                    parts.append("`")
                    continue
                break
            parts.append(c)
        self.emit("String", "".join(parts))


def _digit_val(c: str) -> int:
    if "0" <= c <= "9":
        return ord(c) - 48
    if "a" <= c.lower() <= "f":
        return ord(c.lower()) - 87
    return 16


def _unescape(raw: str, lexer: _Lexer | None = None) -> str:
    """``parser/lexer/utils.go`` unescape: the quoted text's escapes, with CR LF and CR read as LF."""
    value = raw.replace("\r\n", "\n").replace("\r", "\n")[1:-1]
    out: list[str] = []
    i = 0
    simple = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
    simple.update({c: c for c in "\\'\"`?"})

    def fail(msg: str = "unable to unescape string") -> ExprError:
        return lexer.error(msg) if lexer else ExprError(msg)

    while i < len(value):
        c = value[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(value):
            raise fail("unable to unescape string, found '\\' as last character")
        e = value[i + 1]
        i += 2
        if e in simple:
            out.append(simple[e])
        elif e in "xXuU":
            if e == "u" and value[i : i + 1] == "{":
                close = value.find("}", i)
                hexd = value[i + 1 : close] if close > 0 else ""
                if not hexd or len(hexd) > 6 or any(_digit_val(h) > 15 for h in hexd):
                    raise fail()
                v = int(hexd, 16)
                i = close + 1
            else:
                n = {"x": 2, "X": 2, "u": 4, "U": 8}[e]
                hexd = value[i : i + n]
                if len(hexd) < n or any(_digit_val(h) > 15 for h in hexd):
                    raise fail()
                v = int(hexd, 16)
                i += n
            if v > 0x10FFFF:
                raise fail()
            out.append("\ufffd" if 0xD800 <= v <= 0xDFFF else chr(v))
        elif e in "0123":
            octd = value[i : i + 2]
            if len(octd) < 2 or any(not "0" <= o <= "7" for o in octd):
                raise fail("unable to unescape octal sequence in string")
            out.append(chr(int(e + octd, 8)))
            i += 2
        else:
            raise fail()
    return "".join(out)


# ==================================================================================== parser ==

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


class _Parser:
    """A port of ``parser/parser.go`` (parseExpression l. 220-321 and what it calls)."""

    def __init__(self, code: str):
        self.toks = _Lexer(code).lex()
        self.i = 0
        self.depth = 0  # predicate nesting: ``#`` and ``.field`` are pointers only inside one

    @property
    def cur(self) -> _Tok:
        return self.toks[self.i]

    def next(self) -> None:
        if self.cur.kind == "EOF":
            raise self.error("unexpected end of expression")
        self.i += 1

    def error(self, msg: str, tok: _Tok | None = None) -> ExprError:
        return ExprError(f"{msg} (1:{(tok or self.cur).pos + 1})")

    def expect(self, kind: str, *values: str) -> None:
        if not self.cur.is_(kind, *values):
            raise self.error(f"unexpected token {self.cur}")
        self.next()

    def parse(self) -> Tree[Token]:
        node = self.sequence()
        if self.cur.kind != "EOF":
            raise self.error(f"unexpected token {self.cur}")
        return node

    def sequence(self, *, top: bool = True) -> Tree[Token]:  # l. 199-218
        nodes = [self.expression(0)]
        while self.cur.is_("Operator", ";"):
            self.next()
            if self.cur.kind == "EOF":  # a trailing semicolon
                break
            nodes.append(self.expression(0))
        return nodes[0] if len(nodes) == 1 else _tree("seq", *nodes)

    def expression(self, precedence: int) -> Tree[Token]:  # l. 220-321
        if precedence == 0 and self.cur.is_("Operator", "let"):
            return self.let()
        if precedence == 0 and self.cur.is_("Operator", "if"):
            return self.if_()
        left = self.primary()
        prev = ""
        op = self.cur
        while op.kind == "Operator":
            negate = op.value == "not"
            if negate:
                backup = self.i
                self.next()
                if self.cur.value not in _NEGATABLE:
                    raise self.error(f"unexpected token {self.cur}")
                if _BINARY[self.cur.value][0] < precedence:
                    self.i = backup
                    break
                op = self.cur
            if op.value not in _BINARY or _BINARY[op.value][0] < precedence:
                break
            prec, assoc = _BINARY[op.value]
            self.next()
            if op.value == "|":
                name = self.cur
                self.expect("Identifier")
                left = self.call(name, [left])
            else:
                if prev == "??" and op.value != "??":
                    raise self.error(
                        f"Operator ({op.value}) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.",
                        op,
                    )
                if op.value in _COMPARISON:
                    left = self.comparison(left, op, prec)
                else:
                    right = self.expression(prec + 1 if assoc == "L" else prec)
                    if op.value == "??":
                        left = _tree("coalesce", left, right)
                    else:
                        left = _tree("binop", left, Token("OP", op.value), right)
                    if negate:
                        left = _tree("not_", left, Token("OP", "not"))
            prev = op.value
            op = self.cur
        if precedence == 0:
            left = self.conditional(left)
        return left

    def let(self) -> Tree[Token]:  # l. 323-336
        self.expect("Operator", "let")
        name = self.cur
        self.expect("Identifier")
        self.expect("Operator", "=")
        value = self.expression(0)
        self.expect("Operator", ";")
        return _tree("let", Token("NAME", name.value), value, self.sequence())

    def if_(self) -> Tree[Token]:  # l. 338-364
        self.next()
        test = self.expression(0)
        self.expect("Bracket", "{")
        yes = self.sequence()
        self.expect("Bracket", "}")
        self.expect("Operator", "else")
        if self.cur.is_("Operator", "if"):
            no = self.if_()
        else:
            self.expect("Bracket", "{")
            no = self.sequence()
            self.expect("Bracket", "}")
        return _tree("cond", test, yes, no)

    def conditional(self, node: Tree[Token]) -> Tree[Token]:  # l. 366-392
        while self.cur.is_("Operator", "?"):
            self.next()
            if not self.cur.is_("Operator", ":"):
                yes = self.expression(0)
                self.expect("Operator", ":")
                no = self.expression(0)
            else:
                self.next()
                yes, no = node, self.expression(0)
            node = _tree("cond", node, yes, no)
        return node

    def primary(self) -> Tree[Token]:  # l. 394-445
        tok = self.cur
        if tok.kind == "Operator" and tok.value in _UNARY:
            self.next()
            operand = self.expression(_UNARY[tok.value])
            if tok.value in ("not", "!"):
                node = _tree("not_", operand, Token("OP", tok.value))
            else:
                node = _tree("neg" if tok.value == "-" else "pos", operand)
            return self.postfix(node)
        if tok.is_("Bracket", "("):
            self.next()
            node = self.sequence()
            self.expect("Bracket", ")")
            return self.postfix(node)
        if self.depth > 0 and tok.kind == "Operator" and tok.value in ("#", "."):
            name = None
            if tok.value == "#":
                self.next()
                if self.cur.kind == "Identifier":
                    name = self.cur.value
                    self.next()
            node = _tree("pointer", *([Token("NAME", name)] if name else []))
            return self.postfix(node)
        if tok.is_("Operator", "::"):
            self.next()
            callee = self.cur
            self.expect("Identifier")
            return self.postfix(self.call(callee, []))
        return self.secondary()

    def secondary(self) -> Tree[Token]:  # l. 447-551
        tok = self.cur
        if tok.kind == "Identifier":
            self.next()
            if tok.value in ("true", "false", "nil"):
                return _tree(tok.value)
            node = self.call(tok, []) if self.cur.is_("Bracket", "(") else _tree("name", Token("NAME", tok.value))
        elif tok.kind == "Number":
            self.next()
            return _number_node(tok, self)
        elif tok.kind == "String":
            self.next()
            node = _tree("string", Token("STRING", tok.raw))
        elif tok.is_("Bracket", "["):
            node = self.array()
        elif tok.is_("Bracket", "{"):
            node = self.mapping()
        else:
            raise self.error(f"unexpected token {tok}")
        return self.postfix(node)

    def call(self, name: _Tok, args: list[Tree[Token]]) -> Tree[Token]:  # parseCall l. 569-645
        callee = _tree("name", Token("NAME", name.value))
        spec = _PREDICATES.get(name.value)
        if spec is None:
            return _tree("call", callee, _tree("args", *self.arguments(args)))
        self.expect("Bracket", "(")
        for k, kind in enumerate(spec[len(args) :]):
            if kind.endswith("?"):
                if self.cur.is_("Bracket", ")"):
                    break
            elif self.cur.is_("Bracket", ")"):
                raise self.error(f"expected at least {len(spec) - len(args)} arguments")
            if k > 0:
                self.expect("Operator", ",")
            args.append(self.predicate() if kind.startswith("p") else self.expression(0))
        if self.cur.is_("Operator", ","):
            self.next()
        self.expect("Bracket", ")")
        return _tree("call", callee, _tree("args", *args))

    def arguments(self, args: list[Tree[Token]]) -> list[Tree[Token]]:  # l. 647-666
        offset = len(args)
        self.expect("Bracket", "(")
        while not self.cur.is_("Bracket", ")"):
            if len(args) > offset:
                self.expect("Operator", ",")
            if self.cur.is_("Bracket", ")"):
                break
            args.append(self.expression(0))
        self.expect("Bracket", ")")
        return args

    def predicate(self) -> Tree[Token]:  # l. 668-698
        braces = self.cur.is_("Bracket", "{")
        if braces:
            self.next()
        self.depth += 1
        if braces:
            body = self.sequence()
        else:
            body = self.expression(0)
            if self.cur.is_("Operator", ";"):
                raise self.error("wrap predicate with brackets { and }")
        self.depth -= 1
        if braces:
            self.expect("Bracket", "}")
        return _tree("closure", body)

    def array(self) -> Tree[Token]:  # l. 700-722
        items: list[Tree[Token]] = []
        self.expect("Bracket", "[")
        while not self.cur.is_("Bracket", "]"):
            if items:
                self.expect("Operator", ",")
                if self.cur.is_("Bracket", "]"):
                    break
            items.append(self.expression(0))
        self.expect("Bracket", "]")
        return _tree("array", *items)

    def mapping(self) -> Tree[Token]:  # l. 724-775
        pairs: list[Tree[Token]] = []
        self.expect("Bracket", "{")
        while not self.cur.is_("Bracket", "}"):
            if pairs:
                self.expect("Operator", ",")
                if self.cur.is_("Bracket", "}"):
                    break
                if self.cur.is_("Operator", ","):
                    raise self.error(f"unexpected token {self.cur}")
            if self.cur.kind in ("Number", "Identifier"):
                key = _tree("key", Token("KEY", self.cur.value))
                self.next()
            elif self.cur.kind == "String":
                key = _tree("string", Token("STRING", self.cur.raw))
                self.next()
            elif self.cur.is_("Bracket", "("):
                key = self.expression(0)
            else:
                raise self.error(
                    "a map key must be a quoted string, a number, a identifier, or an expression enclosed in "
                    f"parentheses (unexpected token {self.cur})"
                )
            self.expect("Operator", ":")
            pairs.append(_tree("pair", key, self.expression(0)))
        self.expect("Bracket", "}")
        return _tree("mapping", *pairs)

    def postfix(self, node: Tree[Token]) -> Tree[Token]:  # l. 777-906
        tok = self.cur
        while tok.kind in ("Operator", "Bracket"):
            optional = tok.value == "?."
            if tok.value in (".", "?."):
                self.next()
                prop = self.cur
                if optional and prop.is_("Bracket", "["):
                    node = self._index(node, optional=True)
                    tok = self.cur
                    continue
                self.next()
                if prop.kind != "Identifier" and not (prop.kind == "Operator" and _valid_identifier(prop.value)):
                    raise self.error("expected name", prop)
                chained = node.data == "chain"
                inner = node.children[0] if chained else node
                member = _tree("optmember" if optional else "member", inner, Token("NAME", prop.value))
                if self.cur.is_("Bracket", "("):
                    member = _tree("call", member, _tree("args", *self.arguments([])))
                node = _tree("chain", member) if chained or optional else member
            elif tok.value == "[":
                node = self._index(node, optional=False)
            else:
                break
            tok = self.cur
        return node

    def _index(self, node: Tree[Token], *, optional: bool) -> Tree[Token]:
        self.next()  # [
        if self.cur.is_("Operator", ":"):
            self.next()
            to = None if self.cur.is_("Bracket", "]") else self.expression(0)
            self.expect("Bracket", "]")
            return _tree("slice", node, None, to)
        frm = self.expression(0)
        if self.cur.is_("Operator", ":"):
            self.next()
            to = None if self.cur.is_("Bracket", "]") else self.expression(0)
            self.expect("Bracket", "]")
            return _tree("slice", node, frm, to)
        self.expect("Bracket", "]")
        if optional:
            return _tree("chain", _tree("optindex", node, frm))
        return _tree("index", node, frm)

    def comparison(self, left: Tree[Token], op: _Tok, prec: int) -> Tree[Token]:  # l. 907-940
        root = None
        while True:
            right = self.expression(prec + 1)
            node = _tree("binop", left, Token("OP", op.value), right)
            root = node if root is None else _tree("binop", root, Token("OP", "&&"), node)
            left = right
            op = self.cur
            if not (op.kind == "Operator" and op.value in _COMPARISON):
                break
            self.next()
        return root


def _valid_identifier(s: str) -> bool:  # parser/utils/utils.go IsValidIdentifier
    return bool(s) and _is_alpha(s[0]) and all(_is_alnum(c) for c in s[1:])


def _number_node(tok: _Tok, p: _Parser) -> Tree[Token]:
    """parser.go l. 485-525: ``_`` dropped; hex, binary, octal and decimal ints; ``.``/``e`` floats."""
    value = tok.value.replace("_", "")
    low = value.lower()
    try:
        if low.startswith("0x") or low.startswith("0b") or low.startswith("0o"):
            kind = {"x": "hex", "b": "binary", "o": "octal"}[low[1]]
            number: int | float = parse_int(value, 0, 64)
        elif "." in low or "e" in low:
            kind = "float"
            number = parse_float(value)
        else:
            kind = "integer"
            number = parse_int(value, 10, 64)
    except NumError as exc:
        raise p.error(f"invalid {kind} literal: {exc}", tok) from None
    if isinstance(number, float):
        return _tree("number", Token("FLOAT", repr(number)))
    return _tree("number", Token("INT", str(number)))


def parse(code: str) -> Tree[Token]:
    """The syntax tree of ``code``, or :class:`ExprError` where expr-lang's parser refuses it."""
    try:
        return _Parser(code).parse()
    except ExprError as exc:
        raise ExprError(f"cannot parse {code!r}: {exc}") from None
    except RecursionError:
        raise ExprError(f"cannot parse {code!r}: too deeply nested") from None


# ================================================================================ Go values ==

_UTC = datetime.UTC
_NS = 1_000_000_000


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


#: time.Time{} (0001-01-01 00:00:00 UTC) in nanoseconds from the Unix epoch
_ZERO_TIME_NS = -62135596800 * _NS


def _datetime_ns(when: datetime.datetime) -> int:
    if when.tzinfo is None:
        when = when.replace(tzinfo=_UTC)
    delta = when - datetime.datetime(1970, 1, 1, tzinfo=_UTC)
    return (delta.days * 86400 + delta.seconds) * _NS + delta.microseconds * 1000


def _as_duration(d: Any) -> GoDuration:
    if isinstance(d, GoDuration):
        return d
    if _is_int(d):
        return GoDuration(d)
    raise _RunError(f"reflect: Call using {_go_type(d)} as type time.Duration")


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


def _parse_time(layout: str, text: str, default_tz: datetime.tzinfo = _UTC) -> GoTime:
    """time.Parse / ParseInLocation for the layout elements above; a fractional second may follow the
    seconds even when the layout has none (time/format.go)."""
    pattern = []
    fields: list[str] = []
    chunks = list(_layout_chunks(layout))
    for n, (kind, tok) in enumerate(chunks):
        if kind == "lit":
            pattern.append(re.escape(tok))
            continue
        if kind == "frac":
            pattern.append(r"(?P<f%d>[.,]\d+)" % n if tok[1] == "0" else r"(?P<f%d>(?:[.,]\d+)?)" % n)
            fields.append(f"f{n}:frac")
            continue
        rx = {
            "2006": r"\d{4}",
            "06": r"\d{2}",
            "01": r"\d{2}",
            "1": r"\d{1,2}",
            "Jan": r"[A-Za-z]{3}",
            "January": r"[A-Za-z]+",
            "02": r"\d{2}",
            "2": r"\d{1,2}",
            "_2": r" ?\d{1,2}",
            "002": r"\d{3}",
            "__2": r"[ \d]{3}",
            "15": r"\d{1,2}",
            "03": r"\d{2}",
            "3": r"\d{1,2}",
            "04": r"\d{2}",
            "4": r"\d{1,2}",
            "05": r"\d{2}",
            "5": r"\d{1,2}",
            "PM": r"AM|PM",
            "pm": r"am|pm",
            "Mon": r"[A-Za-z]{3}",
            "Monday": r"[A-Za-z]+",
            "MST": r"[A-Z]{3,5}|[+-]\d{2,4}",
        }.get(tok)
        if rx is None:  # a numeric zone, Z when the layout starts with Z
            rx = (r"Z|" if tok.startswith("Z") else "") + r"[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?"
        pattern.append(f"(?P<t{n}>{rx})")
        fields.append(f"t{n}:{tok}")
        if tok in ("05", "5") and not (n + 1 < len(chunks) and chunks[n + 1][0] == "frac"):
            pattern.append(r"(?P<x%d>[.,]\d+)?" % n)
            fields.append(f"x{n}:frac")
    m = re.fullmatch("".join(pattern), text)
    if m is None:
        raise _RunError(f'parsing time "{text}" as "{layout}": cannot parse')
    year, month, day, hour, minute, sec, nanos, yday = 1, 1, 1, 0, 0, 0, 0, 0
    pm: bool | None = None
    offset: int | None = None
    zone: str | None = None
    for field in fields:
        key, _, tok = field.partition(":")
        v = m.group(key)
        if v is None or v == "":
            continue
        if tok == "frac":
            nanos = int((v[1:] + "000000000")[:9])
        elif tok == "2006":
            year = int(v)
        elif tok == "06":
            year = int(v) + (1900 if int(v) >= 69 else 2000)
        elif tok in ("01", "1"):
            month = int(v)
        elif tok in ("Jan", "January"):
            names = [x[: len(v)] if tok == "Jan" else x for x in _MONTHS]
            if v.title() not in names:
                raise _RunError(f'parsing time "{text}" as "{layout}": cannot parse "{v}" as "{tok}"')
            month = names.index(v.title()) + 1
        elif tok in ("02", "2", "_2"):
            day = int(v)
        elif tok in ("002", "__2"):
            yday = int(v)
        elif tok in ("15", "03", "3"):
            hour = int(v)
        elif tok in ("04", "4"):
            minute = int(v)
        elif tok in ("05", "5"):
            sec = int(v)
        elif tok in ("PM", "pm"):
            pm = v.upper() == "PM"
        elif tok == "MST":
            zone = v
            if v in ("UTC", "GMT"):
                offset = 0
        elif tok not in ("Mon", "Monday"):
            if v == "Z":
                offset = 0
            else:
                sign = -1 if v[0] == "-" else 1
                digits = v[1:].replace(":", "")
                offset = sign * (int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60 + int(digits[4:6] or 0))
    if pm is not None and hour < 12 and pm:
        hour += 12
    elif pm is False and hour == 12:
        hour = 0
    try:
        if yday:
            base = datetime.datetime(year, 1, 1) + datetime.timedelta(days=yday - 1)
            month, day = base.month, base.day
        naive = datetime.datetime(year, month, day, hour, minute, sec)
    except ValueError as exc:
        raise _RunError(f'parsing time "{text}": {exc}') from None
    if offset is not None:
        tz: datetime.tzinfo = (
            _UTC if offset == 0 and zone in (None, "UTC") else datetime.timezone(datetime.timedelta(seconds=offset))
        )
        when = naive.replace(tzinfo=tz)
        shown: str | None = "UTC" if offset == 0 and zone in (None, "UTC") else (zone or "")
    else:
        when = naive.replace(tzinfo=default_tz)
        tz, shown = default_tz, zone
        if zone is not None and zone not in ("UTC",):
            tz, shown = _UTC, zone  # an unknown abbreviation: a fabricated zone with offset 0
    ns = _datetime_ns(when) + nanos
    return GoTime(ns=ns, tz=tz, zone=shown if tz is not _UTC or shown not in (None, "UTC") else None)


def _parse_duration(s: str) -> GoDuration:
    """time.ParseDuration: ``[-+]`` then one or more decimal numbers with units ns us µs ms s m h."""
    orig = s
    units = {"ns": 1, "us": 1000, "µs": 1000, "μs": 1000, "ms": 1_000_000, "s": _NS, "m": 60 * _NS, "h": 3600 * _NS}
    neg = False
    if s[:1] in "-+" and s:
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return GoDuration(0)
    if s == "":
        raise _RunError(f'time: invalid duration "{orig}"')
    total = 0
    for m in re.finditer(r"(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)?", s):
        if m.group(0) == "":
            if m.start() != len(s):
                raise _RunError(f'time: invalid duration "{orig}"')
            continue
        whole, frac, unit = m.group(1), m.group(2), m.group(3)
        if (not whole and not frac) or (whole == "" and frac == ""):
            raise _RunError(f'time: invalid duration "{orig}"')
        if unit is None:
            raise _RunError(f'time: missing unit in duration "{orig}"')
        size = units[unit]
        total += int(whole or 0) * size + (int(frac) * size // 10 ** len(frac) if frac else 0)
        if total > (1 << 63) - (0 if neg else 1):
            raise _RunError(f'time: invalid duration "{orig}"')
    return GoDuration(-total if neg else total)


# ============================================================================== formatting ==


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _wrap(i: int) -> int:
    """Go's int (64-bit) overflow wraps around."""
    return ((i + (1 << 63)) % (1 << 64)) - (1 << 63)


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


def go_string(v: Any) -> str:
    """``v`` formatted like Go's ``fmt.Sprint`` (``%v``; what expr-lang's ``string()`` does:
    ``builtin/lib.go`` l. 232-234): ``[1 2]``, ``map[a:1]`` (keys sorted), ``<nil>``, ``1e+06``."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return format_float_v(v)
    if isinstance(v, str):
        return v
    if isinstance(v, list):
        return "[" + " ".join(go_string(x) for x in v) + "]"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{go_string(k)}:{go_string(x)}" for k, x in _sorted_items(v)) + "]"
    if isinstance(v, (GoTime, GoDuration, _Location)):
        return v.String()
    if isinstance(v, int):
        return str(v)
    if callable(v):
        return "0xc000000000"  # a func prints as its address
    return str(v)


def _sorted_items(d: dict[Any, Any]) -> list[tuple[Any, Any]]:
    """fmt (internal/fmtsort) and encoding/json print a map's keys in order."""

    def key(k: Any) -> tuple[int, Any]:
        if isinstance(k, bool):
            return (0, k)
        if _is_num(k):
            return (1, k)
        if isinstance(k, str):
            return (2, k)
        return (3, go_string(k))

    return sorted(d.items(), key=lambda kv: key(kv[0]))


_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "<": "\\u003c", ">": "\\u003e",
                 "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}  # fmt: skip


def _json_string(s: str) -> str:
    out = ['"']
    for c in s:
        e = _JSON_ESCAPES.get(c)
        if e is not None:
            out.append(e)
        elif ord(c) < 0x20:
            out.append("\\b" if c == "\b" else "\\f" if c == "\f" else f"\\u{ord(c):04x}")
        elif 0xD800 <= ord(c) <= 0xDFFF:
            out.append("\ufffd")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def to_json(v: Any) -> str:
    """Go's ``json.Marshal`` (Argo's ``toJson``, env.go l. 32-38): compact, map keys sorted, ``<``,
    ``>``, ``&`` escaped, floats as encoding/json writes them (``1``, ``1e-7``); NaN and ±Inf are a
    :class:`ValueError` (json: unsupported value)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return format_float_json(v)
    if isinstance(v, int):
        return str(int(v))
    if isinstance(v, str):
        return _json_string(v)
    if isinstance(v, _NilList) and not v:
        return "null"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(to_json(x) for x in v) + "]"
    if isinstance(v, _AnyKeyMap):
        raise ValueError(f"json: unsupported type: {_go_type(v)}")
    if isinstance(v, dict):
        items = []
        for k, x in _sorted_items(v):
            if isinstance(k, str):
                name = k
            elif _is_int(k):
                name = str(k)
            else:
                raise ValueError(f"json: unsupported type: {_go_type(v)}")
            items.append(f"{_json_string(name)}:{to_json(x)}")
        return "{" + ",".join(items) + "}"
    if isinstance(v, GoTime):
        return _json_string(_format_time(v, "2006-01-02T15:04:05.999999999Z07:00"))
    if isinstance(v, GoDuration):
        return str(v.ns)
    if isinstance(v, _Location):
        return "{}"
    raise ValueError(f"json: unsupported type: {_go_type(v)}")


# ================================================================================ functions ==


class _NilList(list):  # type: ignore[type-arg]
    """A nil slice: prints as ``[]``, marshals as ``null``."""


class _AnyKeyMap(dict):  # type: ignore[type-arg]
    """groupBy's ``map[interface {}][]interface {}``: any comparable key."""


@dataclass(frozen=True)
class _Sig:
    """A Go function's parameter kinds (``any string int float bool time duration []any []string map
    location``), its variadic element kind, and its result kind."""

    params: tuple[str, ...]
    out: str = "any"
    variadic: str | None = None


class _Func:
    """A Go function value: called through reflection (``vm/vm.go`` OpCall l. 368-417)."""

    def __init__(self, name: str, impl: Callable[..., Any], sig: _Sig | None = None):
        self.name, self.impl, self.sig = name, impl, sig

    def __call__(self, *args: Any) -> Any:
        sig = self.sig
        if sig is not None:
            n = len(sig.params)
            if sig.variadic is None and len(args) != n:
                raise _RunError(f"invalid number of arguments: expected {n}, got {len(args)}")
            if sig.variadic is not None and len(args) < n:
                raise _RunError(f"invalid number of arguments: expected at least {n}, got {len(args)}")
            args = tuple(_go_arg(a, sig.params[i] if i < n else sig.variadic or "any") for i, a in enumerate(args))
        return self.impl(*args)


_ZERO = {"string": "", "int": 0, "float": 0.0, "bool": False}
_KIND_TYPE = {"string": "string", "int": "int", "float": "float64", "bool": "bool", "time": "time.Time",
              "duration": "time.Duration", "[]any": "[]interface {}", "[]string": "[]string",
              "map": "map[string]interface {}", "location": "*time.Location", "any": "interface {}"}  # fmt: skip


def _go_arg(v: Any, kind: str) -> Any:
    """reflect.Value.Call's conversions: nil becomes the zero value, other types must match."""
    if kind == "any":
        return v
    if v is None:
        return _ZERO.get(kind)
    ok = {
        "string": isinstance(v, str), "int": _is_int(v), "float": isinstance(v, float), "bool": isinstance(v, bool),
        "time": isinstance(v, GoTime), "duration": isinstance(v, GoDuration), "[]any": isinstance(v, list),
        "[]string": isinstance(v, list) and all(isinstance(x, str) for x in v), "map": isinstance(v, dict),
        "location": isinstance(v, _Location),
    }.get(kind, True)  # fmt: skip
    if not ok:
        raise _RunError(f"reflect: Call using {_go_type(v)} as type {_KIND_TYPE.get(kind, kind)}")
    return v


def _to_int(v: Any, what: str = "int") -> int:
    """runtime.ToInt (``vm/runtime/runtime.go`` l. 323-352): numbers only, floats truncated."""
    if _is_int(v):
        return int(v)
    if isinstance(v, float):
        return _go_float_to_int(v)
    raise _RunError(f"invalid operation: {what}({_go_type(v)})")


def _go_float_to_int(f: float) -> int:
    """Go's ``int(f)`` on amd64: truncation; NaN and out-of-range give the minimum int64."""
    if math.isnan(f) or math.isinf(f) or not -(2.0**63) <= f < 2.0**63:
        return -(1 << 63)
    return int(f)


def _to_float(v: Any) -> float:
    if _is_num(v):
        return float(v)
    raise _RunError(f"invalid operation: float({_go_type(v)})")


def _int_builtin(x: Any) -> int:
    """expr's ``int`` (Argo's ``asInt``): ``builtin/lib.go`` Int l. 154-193: strings through
    strconv.Atoi, so ``"42.0"``, ``" 42"``, ``"4_2"``, ``"0x10"`` are refused; floats truncated."""
    if isinstance(x, bool) or x is None:
        raise _RunError(f"invalid operation: int({_go_type(x)})")
    if isinstance(x, str):
        try:
            return atoi(x)
        except NumError:
            raise _RunError(f"invalid operation: int({x})") from None
    if isinstance(x, GoDuration):
        return x.ns
    if _is_int(x):
        return int(x)
    if isinstance(x, float):
        return _go_float_to_int(x)
    raise _RunError(f"invalid operation: int({_go_type(x)})")


def _float_builtin(x: Any) -> float:
    """expr's ``float`` (Argo's ``asFloat``): ``builtin/lib.go`` Float l. 195-230: strings through
    strconv.ParseFloat (``1e3``, ``inf``, ``NaN``, ``1_000`` accepted; spaces and ``0x10`` refused)."""
    if isinstance(x, str):
        try:
            return parse_float(x)
        except NumError:
            raise _RunError(f"invalid operation: float({x})") from None
    if _is_num(x):
        return float(x)
    raise _RunError(f"invalid operation: float({_go_type(x)})")


def _len(x: Any) -> int:  # builtin/lib.go Len l. 14-24
    if isinstance(x, (list, dict)):
        return len(x)
    if isinstance(x, str):
        return len(x)  # utf8.RuneCountInString
    raise _RunError(f"invalid argument for len (type {_go_type(x)})")


def _type(x: Any) -> str:  # builtin/lib.go Type l. 26-58
    if x is None:
        return "nil"
    return {
        "bool": "bool", "int": "int", "float64": "float", "string": "string", "[]interface {}": "array",
        "map[string]interface {}": "map", "map[interface {}][]interface {}": "map", "func": "func",
        "time.Time": "time.Time", "time.Duration": "time.Duration", "time.Month": "time.Month",
    }.get(_go_type(x), "unknown")  # fmt: skip


def _abs(x: Any) -> Any:
    if _is_num(x):
        return abs(x) if isinstance(x, float) else _wrap(abs(x))
    raise _RunError(f"invalid argument for abs (type {_go_type(x)})")


def _rounder(name: str, fn: Callable[[float], float]) -> Callable[[Any], float]:
    def go(x: Any) -> float:
        if isinstance(x, float):
            return fn(x) if math.isfinite(x) else x
        if _is_int(x):
            return float(x)
        raise _RunError(f"invalid argument for {name} (type {_go_type(x)})")

    return go


def _go_round(x: float) -> float:  # math.Round: half away from zero
    return math.copysign(math.floor(abs(x) + 0.5), x)


def _need_str(v: Any) -> str:
    """A type assertion ``args[i].(string)`` in builtin.go: a non-string panics."""
    if not isinstance(v, str):
        raise _RunError(f"interface conversion: interface {{}} is {_iface_type(v)}, not string")
    return v


def _trim(s: Any, cutset: Any = None) -> str:
    s = _need_str(s)
    return str(s.strip() if cutset is None else s.strip(_need_str(cutset)))


def _trim_space(s: str) -> str:  # strings.TrimSpace: Unicode white space
    i, j = 0, len(s)
    while i < j and _is_space(s[i]):
        i += 1
    while j > i and _is_space(s[j - 1]):
        j -= 1
    return s[i:j]


def _split(s: Any, sep: Any, n: Any = -1, *, after: bool = False) -> list[Any]:
    """strings.Split / SplitN / SplitAfter(N): an empty separator splits into characters."""
    s, sep = _need_str(s), _need_str(sep)
    n = _to_int(n)
    if n == 0:
        return _NilList()  # strings.SplitN(s, sep, 0) is a nil slice: JSON null
    if sep == "":
        chars = list(s)
        if n > 0 and len(chars) > n:
            chars = [*chars[: n - 1], "".join(chars[n - 1 :])]
        return chars
    parts = s.split(sep) if n < 0 else s.split(sep, n - 1)
    if after:
        parts = [p + sep for p in parts[:-1]] + parts[-1:]
    return list(parts)


def _replace(s: Any, old: Any, new: Any, n: Any = -1) -> str:
    s, old, new = _need_str(s), _need_str(old), _need_str(new)
    n = _to_int(n)
    if n < 0:
        n = -1
    if old == "":  # strings.Replace with an empty old inserts between runes
        if n == 0:
            return str(s)
        pieces = [new]
        count = 1
        for c in s:
            pieces.append(c)
            if n < 0 or count < n:
                pieces.append(new)
                count += 1
        if s and (n < 0 or count <= n) and pieces[-1] != new:
            pieces.append(new)
        return "".join(pieces)
    return str(s.replace(old, new, n))


def _join(items: Any, glue: Any = "") -> str:
    """builtin.go join l. 327-353: a list whose items are not all strings panics."""
    glue = _need_str(glue)
    if not isinstance(items, list):
        raise _RunError(f"invalid argument for join (type {_go_type(items)})")
    return str(glue).join(_need_str(x) for x in items)


def _index_of(s: Any, sub: Any, *, last: bool = False) -> int:
    s, sub = _need_str(s), _need_str(sub)
    i = s.rfind(sub) if last else s.find(sub)
    return len(s[:i].encode()) if i >= 0 else -1  # strings.Index counts bytes


def _repeat(s: Any, n: Any) -> str:
    n = _to_int(n)
    if n < 0:
        raise _RunError(f"invalid argument for repeat (expected positive integer, got {n})")
    if n > 1_000_000:
        raise _RunError("memory budget exceeded")
    return str(_need_str(s) * n)


def _numbers(name: str, args: tuple[Any, ...], depth: int = 0) -> list[Any]:
    out: list[Any] = []
    for a in args:
        if isinstance(a, list):
            out += _numbers(name, tuple(a), depth + 1)
        elif _is_num(a):
            out.append(a)
        else:
            raise _RunError(f"invalid argument for {name} (type {_go_type(a)})")
    return out


def _min_max(name: str) -> Callable[..., Any]:
    def go(*args: Any) -> Any:  # lib.go minMax l. 236-346
        if len(args) == 1 and not isinstance(args[0], list) and not _is_num(args[0]):
            return args[0]
        vals = _numbers(name, args)
        best = None
        for v in vals:
            if best is None or (_less(best, v) if name == "max" else _less(v, best)):
                best = v
        return best

    return go


def _mean(*args: Any) -> float:
    vals = _numbers("mean", args)
    return sum(float(v) for v in vals) / len(vals) if vals else 0.0


def _median(*args: Any) -> float:
    vals = sorted(float(v) for v in _numbers("median", args))
    n = len(vals)
    if n == 0:
        return 0.0
    return vals[n // 2] if n % 2 else (vals[n // 2 - 1] + vals[n // 2]) / 2


def _to_json_indent(v: Any) -> str:  # builtin toJSON: json.MarshalIndent(v, "", "  ")
    return _indent_json(to_json(v))


def _indent_json(text: str) -> str:
    data = json.loads(text)
    if not isinstance(data, (list, dict)) or not data:
        return text
    out, depth, in_str, esc = [], 0, False, False
    for c in text:
        if in_str:
            out.append(c)
            esc = (not esc) and c == "\\"
            if c == '"' and not esc:
                in_str = False
            continue
        if c == '"':
            in_str, esc = True, False
            out.append(c)
        elif c in "[{":
            depth += 1
            out.append(c + "\n" + "  " * depth)
        elif c in "]}":
            depth -= 1
            out.append("\n" + "  " * depth + c)
        elif c == ",":
            out.append(",\n" + "  " * depth)
        elif c == ":":
            out.append(": ")
        else:
            out.append(c)
    return re.sub(r"([\[{])\n\s*\n\s*([\]}])", r"\1\2", "".join(out))


def _from_json(s: Any) -> Any:
    try:
        return json.loads(_need_str(s), parse_int=float, parse_constant=_json_bad)
    except ValueError as exc:
        raise _RunError(str(exc)) from None


def _json_bad(name: str) -> Any:
    raise ValueError(f"invalid character '{name[0]}' looking for beginning of value")


def _now(*args: Any) -> GoTime:
    if not args:
        return GoTime(ns=time.time_ns(), tz=_UTC)
    if len(args) == 1 and isinstance(args[0], _Location):
        return GoTime(ns=time.time_ns(), tz=args[0].tz)
    raise _RunError(f"invalid number of arguments (expected 0, got {len(args)})")


_DATE_LAYOUTS = ["2006-01-02", "15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04:05Z07:00",
                 "02 Jan 06 15:04 MST", "Monday, 02-Jan-06 15:04:05 MST", "Mon, 02 Jan 2006 15:04:05 MST"]  # fmt: skip


def _date(*args: Any) -> GoTime:
    """builtin.go date l. 512-565: a layout and a zone name, or the seven layouts in turn."""
    tz: datetime.tzinfo | None = None
    if args and isinstance(args[0], _Location):
        tz, args = args[0].tz, args[1:]
    text = _need_str(args[0])
    if len(args) == 2:
        return _parse_time(_need_str(args[1]), text, tz or _UTC)
    if len(args) == 3:
        loc = _load_location(_need_str(args[2]))
        return _parse_time(_need_str(args[1]), text, loc.tz)
    for layout in _DATE_LAYOUTS:
        try:
            return _parse_time(layout, text, tz or _UTC)
        except _RunError:
            continue
    raise _RunError(f"invalid date {text}")


def _duration(s: Any) -> GoDuration:
    return _parse_duration(_need_str(s))


def _first_last(i: int) -> Callable[[Any], Any]:
    def go(x: Any) -> Any:  # builtin.go first/last l. 596-641: a failed fetch is nil
        try:
            return _fetch(x, i)
        except ExprError:
            return None

    return go


def _get(x: Any, key: Any) -> Any:  # lib.go get l. 546-618: like a fetch, but nil instead of a panic
    if x is None:
        return None
    try:
        return _fetch(x, key)
    except ExprError:
        return None


def _take(x: Any, n: Any) -> list[Any]:
    if not isinstance(x, list):
        raise _RunError(f"cannot take from {_go_kind(x)}")
    if not _is_int(n):
        raise _RunError(f"cannot take {_go_kind(n)} elements")
    if n < 0:
        raise _RunError("reflect.Value.Slice: slice index out of bounds")
    return x[:n]


def _go_kind(x: Any) -> str:
    return {"[]interface {}": "slice", "map[string]interface {}": "map", "float64": "float64",
            "<nil>": "invalid"}.get(_go_type(x), _go_type(x))  # fmt: skip


def _keys_values(which: str) -> Callable[[Any], list[Any]]:
    def go(x: Any) -> list[Any]:
        if not isinstance(x, dict):
            raise _RunError(f"cannot get {which} from {_go_kind(x)}")
        return list(x.keys() if which == "keys" else x.values())

    return go


def _to_pairs(x: Any) -> list[Any]:
    if not isinstance(x, dict):
        raise _RunError(f"cannot transform {_go_kind(x)} to pairs")
    return [[k, v] for k, v in x.items()]


def _from_pairs(x: Any) -> dict[Any, Any]:
    if not isinstance(x, list):
        raise _RunError(f"cannot transform {go_string(x)} from pairs")
    out = _AnyKeyMap()
    for pair in x:
        if not isinstance(pair, list):
            raise _RunError(f"invalid pair {go_string(pair)}")
        if len(pair) != 2:
            raise _RunError(f"invalid pair length {go_string(pair)}")
        out[_hashable(pair[0])] = pair[1]
    return out


def _reverse(x: Any) -> list[Any]:
    if not isinstance(x, list):
        raise _RunError(f"cannot reverse {_go_kind(x)}")
    return x[::-1]


def _uniq(x: Any) -> list[Any]:
    if not isinstance(x, list):
        raise _RunError(f"cannot uniq {_go_kind(x)}")
    out: list[Any] = []
    for v in x:
        if not any(_equal(v, r) for r in out):
            out.append(v)
    return out


def _concat(*xs: Any) -> list[Any]:
    if not xs:
        raise _RunError("invalid number of arguments (expected at least 1, got 0)")
    out: list[Any] = []
    for x in xs:
        if not isinstance(x, list):
            raise _RunError(f"cannot concat {_go_kind(x)}")
        out += x
    return out


def _flatten(x: Any) -> list[Any]:
    if not isinstance(x, list):
        raise _RunError(f"cannot flatten {_go_kind(x)}")
    out: list[Any] = []
    for v in x:
        out += _flatten(v) if isinstance(v, list) else [v]
    return out


def _sort(x: Any, order: Any = "asc") -> list[Any]:
    if not isinstance(order, str):
        raise _RunError(f"sort order argument must be a string (got {_go_type(order)})")
    if order not in ("asc", "desc"):
        raise _RunError(f"invalid order {order}, expected asc or desc")
    items = list(x) if isinstance(x, list) else []
    return _stable_sort(items, lambda a, b: _less(b, a) if order == "desc" else _less(a, b))


def _stable_sort(items: list[Any], less: Callable[[Any, Any], bool]) -> list[Any]:
    import functools

    return sorted(items, key=functools.cmp_to_key(lambda a, b: -1 if less(a, b) else (1 if less(b, a) else 0)))


def _bit(name: str, fn: Callable[[int, int], int]) -> Callable[..., int]:
    def go(*args: Any) -> int:
        if len(args) != 2:
            raise _RunError(f"invalid number of arguments for {name} (expected 2, got {len(args)})")
        x, y = (_bit_int(a, name) for a in args)
        if name in ("bitshl", "bitshr", "bitushr") and y < 0:
            raise _RunError(f"invalid operation: negative shift count {y} (type int)")
        return _wrap(fn(x, y))

    return go


def _bit_int(a: Any, name: str) -> int:
    if not _is_int(a):
        raise _RunError(f"cannot use {_go_type(a)} as argument (type int) to call {name}")
    return int(a)


def _hashable(v: Any) -> Any:
    if isinstance(v, (list, dict)):
        raise _RunError(f"runtime error: hash of unhashable type {_go_type(v)}")
    return v


#: expr-lang v1.17.8's built-in functions (``builtin/builtin.go`` l. 35-1081) but the predicate ones,
#: which the evaluator runs itself (all none any one filter map find findIndex findLast findLastIndex
#: count sum groupBy sortBy reduce)
BUILTINS: dict[str, Callable[..., Any]] = {
    "len": _len, "type": _type, "abs": _abs, "ceil": _rounder("ceil", math.ceil), "floor": _rounder("floor", math.floor),
    "round": _rounder("round", _go_round), "int": _int_builtin, "float": _float_builtin, "string": go_string,
    "trim": lambda s, c=None: _trim_space(_need_str(s)) if c is None else _trim(s, c),
    "trimPrefix": lambda s, p=" ": _need_str(s)[len(p):] if _need_str(s).startswith(_need_str(p)) else s,
    "trimSuffix": lambda s, p=" ": _need_str(s)[: len(s) - len(p)] if p and _need_str(s).endswith(_need_str(p)) else s,
    "upper": lambda s: _need_str(s).upper(), "lower": lambda s: _need_str(s).lower(),
    "split": lambda s, sep, n=-1: _split(s, sep, n), "splitAfter": lambda s, sep, n=-1: _split(s, sep, n, after=True),
    "replace": _replace, "repeat": _repeat, "join": _join, "indexOf": _index_of,
    "lastIndexOf": lambda s, sub: _index_of(s, sub, last=True),
    "hasPrefix": lambda s, p: _need_str(s).startswith(_need_str(p)),
    "hasSuffix": lambda s, p: _need_str(s).endswith(_need_str(p)),
    "max": _min_max("max"), "min": _min_max("min"), "mean": _mean, "median": _median,
    "toJSON": _to_json_indent, "fromJSON": _from_json,
    "toBase64": lambda s: base64.b64encode(_need_str(s).encode()).decode(),
    "fromBase64": lambda s: _b64decode(_need_str(s)),
    "now": _now, "duration": _duration, "date": _date, "timezone": lambda s: _load_location(_need_str(s)),
    "first": _first_last(0), "last": _first_last(-1), "get": _get, "take": _take,
    "keys": _keys_values("keys"), "values": _keys_values("values"), "toPairs": _to_pairs, "fromPairs": _from_pairs,
    "reverse": _reverse, "uniq": _uniq, "concat": _concat, "flatten": _flatten, "sort": _sort,
    "bitand": _bit("bitand", lambda x, y: x & y), "bitor": _bit("bitor", lambda x, y: x | y),
    "bitxor": _bit("bitxor", lambda x, y: x ^ y), "bitnand": _bit("bitnand", lambda x, y: x & ~y),
    "bitshl": _bit("bitshl", lambda x, y: x << min(y, 64)), "bitshr": _bit("bitshr", lambda x, y: x >> min(y, 64)),
    "bitushr": _bit("bitushr", lambda x, y: (x % (1 << 64)) >> min(y, 64)),
    "bitnot": lambda x: ~_bit_int(x, "bitnot"),
}  # fmt: skip
_PREDICATE_NAMES = frozenset(_PREDICATES)
_ALL_BUILTINS = frozenset(BUILTINS) | _PREDICATE_NAMES


def _b64decode(s: str) -> str:
    try:
        return base64.b64decode(s, validate=True).decode("utf-8", "replace")
    except ValueError as exc:
        raise _RunError(f"illegal base64 data: {exc}") from None


# --- Argo's helpers (util/expr/env/env.go GetFuncMap l. 20-30) ---------------------------------


def _argo_to_json(v: Any) -> str:
    """env.go toJSON l. 32-38: json.Marshal, a failure panics."""
    try:
        return to_json(v)
    except ValueError as exc:
        raise _RunError(str(exc)) from None


def _argo_jsonpath(text: str, path: str) -> Any:
    """env.go jsonPath l. 40-51: json.Unmarshal (numbers are float64), then evilmonkeyinc/jsonpath
    v0.8.1 Query (a definite path gives one value, a wildcard, slice, union, filter or ``..`` a list)."""
    try:
        data = json.loads(text, parse_int=float, parse_constant=_json_bad)
    except ValueError as exc:
        raise _RunError(_go_json_error(text, exc)) from None
    return _JsonPath(path).query(data)


def _go_json_error(text: str, exc: ValueError) -> str:
    if not text.strip():
        return "unexpected end of JSON input"
    return f"invalid character in JSON: {exc}"


# --- sprig v3.3.0, the functions a workflow is likely to call (functions.go, strings.go, date.go,
# numeric.go, crypto.go); their values are spf13/cast conversions (cast v1.7.0 caste.go) -----------


def _cast_int64(v: Any) -> int:
    """cast.ToInt64 (caste.go ToInt64E l. 267-322), errors as 0: strings in base 0 after ``.0+`` is cut."""
    if v is None:
        return 0
    if isinstance(v, bool):
        return int(v)
    if _is_int(v):
        return int(v)
    if isinstance(v, float):
        return _go_float_to_int(v)
    if isinstance(v, str):
        s = v
        for i in range(len(s), 0, -1):  # trimZeroDecimal l. 1495-1510
            if s[i - 1] == "0":
                continue
            if s[i - 1] == "." and i < len(s):
                s = s[: i - 1]
            break
        try:
            return parse_int(s, 0, 64)
        except NumError:
            return 0
    return 0


def _cast_float(v: Any) -> float:
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return float(v)
    if _is_num(v):
        return float(v)
    if isinstance(v, str):
        try:
            return parse_float(v)
        except NumError:
            return 0.0
    return 0.0


def _sprig_strval(v: Any) -> str:  # strings.go strval l. 174-187
    return v if isinstance(v, str) else go_string(v)


def _sprig_date_in_zone(layout: str, when: Any, zone: str) -> str:  # date.go l. 13-44
    if isinstance(when, GoTime):
        t = when
    elif _is_int(when):
        t = GoTime(ns=int(when) * _NS)
    else:
        t = _now()  # any other value (a string too) is "now"
    try:
        loc = _load_location(zone)
    except _RunError:
        loc = _Location("UTC", _UTC)
    return GoTime(ns=t.ns, tz=loc.tz, zone="UTC" if loc.tz is _UTC else None).Format(layout)


def _sprig_default(d: Any, *given: Any) -> Any:
    return d if not given or _sprig_empty(given[0]) else given[0]


def _sprig_empty(v: Any) -> bool:
    return v is None or v is False or v == 0 or (isinstance(v, (str, list, dict)) and len(v) == 0)


def _sprig_quote(*xs: Any) -> str:
    return " ".join(_json_string(_sprig_strval(x)).replace("\\u003c", "<").replace("\\u003e", ">")
                    .replace("\\u0026", "&") for x in xs if x is not None)  # fmt: skip


def _sprig_b64dec(s: str) -> str:  # strings.go base64decode: an error's text is the result
    try:
        return base64.b64decode(s, validate=True).decode("utf-8", "replace")
    except ValueError:
        return "illegal base64 data at input byte 0"


_S, _A = "string", "any"
_SPRIG_TABLE: list[tuple[str, Callable[..., Any], _Sig]] = [
    ("date", lambda f, d: _sprig_date_in_zone(f, d, "Local"), _Sig((_S, _A), _S)),
    ("dateInZone", _sprig_date_in_zone, _Sig((_S, _A, _S), _S)),
    ("now", lambda: _now(), _Sig((), "time")),
    ("toString", _sprig_strval, _Sig((_A,), _S)),
    ("trim", _trim_space, _Sig((_S,), _S)),
    ("trimAll", lambda c, s: s.strip(c), _Sig((_S, _S), _S)),
    ("trimPrefix", lambda p, s: s[len(p) :] if s.startswith(p) else s, _Sig((_S, _S), _S)),
    ("trimSuffix", lambda p, s: s[: len(s) - len(p)] if p and s.endswith(p) else s, _Sig((_S, _S), _S)),
    ("upper", str.upper, _Sig((_S,), _S)),
    ("lower", str.lower, _Sig((_S,), _S)),
    ("title", str.title, _Sig((_S,), _S)),
    ("replace", lambda old, new, src: src.replace(old, new), _Sig((_S, _S, _S), _S)),
    ("contains", lambda sub, s: sub in s, _Sig((_S, _S), "bool")),
    ("hasPrefix", lambda p, s: s.startswith(p), _Sig((_S, _S), "bool")),
    ("hasSuffix", lambda p, s: s.endswith(p), _Sig((_S, _S), "bool")),
    ("repeat", lambda n, s: s * max(0, n), _Sig(("int", _S), _S)),
    ("quote", _sprig_quote, _Sig((), _S, _A)),
    ("squote", lambda *xs: " ".join(f"'{go_string(x)}'" for x in xs if x is not None), _Sig((), _S, _A)),
    ("sha256sum", lambda s: _digest("sha256", s), _Sig((_S,), _S)),
    ("sha1sum", lambda s: _digest("sha1", s), _Sig((_S,), _S)),
    ("b64enc", lambda s: base64.b64encode(s.encode()).decode(), _Sig((_S,), _S)),
    ("b64dec", _sprig_b64dec, _Sig((_S,), _S)),
    ("add", lambda *xs: _wrap(sum(_cast_int64(x) for x in xs)), _Sig((), "int", _A)),
    ("add1", lambda x: _wrap(_cast_int64(x) + 1), _Sig((_A,), "int")),
    ("sub", lambda a, b: _wrap(_cast_int64(a) - _cast_int64(b)), _Sig((_A, _A), "int")),
    ("mul", lambda a, *xs: _wrap(math.prod([_cast_int64(a), *(_cast_int64(x) for x in xs)])), _Sig((_A,), "int", _A)),
    ("div", lambda a, b: _go_div(_cast_int64(a), _cast_int64(b)), _Sig((_A, _A), "int")),
    ("mod", lambda a, b: _go_mod(_cast_int64(a), _cast_int64(b)), _Sig((_A, _A), "int")),
    ("max", lambda a, *xs: max([_cast_int64(a), *(_cast_int64(x) for x in xs)]), _Sig((_A,), "int", _A)),
    ("min", lambda a, *xs: min([_cast_int64(a), *(_cast_int64(x) for x in xs)]), _Sig((_A,), "int", _A)),
    ("int", _cast_int64, _Sig((_A,), "int")),
    ("int64", _cast_int64, _Sig((_A,), "int")),
    ("float64", _cast_float, _Sig((_A,), "float")),
    ("atoi", lambda s: _atoi_or_zero(s), _Sig((_S,), "int")),
    ("default", _sprig_default, _Sig((_A,), _A, _A)),
    ("empty", _sprig_empty, _Sig((_A,), "bool")),
    ("toJson", lambda v: _try(lambda: to_json(v), ""), _Sig((_A,), _S)),
    ("list", lambda *xs: list(xs), _Sig((), "[]any", _A)),
    (
        "join",
        lambda sep, xs: sep.join(_sprig_strval(x) for x in (xs if isinstance(xs, list) else [xs]) if x is not None),
        _Sig((_S, _A), _S),
    ),
    ("splitList", lambda sep, s: s.split(sep), _Sig((_S, _S), "[]any")),
]
_SPRIG: dict[str, _Func] = {name: _Func(f"sprig.{name}", impl, sig) for name, impl, sig in _SPRIG_TABLE}


def _atoi_or_zero(s: str) -> int:
    try:
        return atoi(s)
    except NumError:
        return 0


def _try(fn: Callable[[], Any], default: Any) -> Any:
    try:
        return fn()
    except (ValueError, ExprError):
        return default


def _go_div(a: int, b: int) -> int:
    if b == 0:
        raise _RunError("runtime error: integer divide by zero")
    q = abs(a) // abs(b)
    return _wrap(q if (a < 0) == (b < 0) else -q)


def _go_mod(a: int, b: int) -> int:
    if b == 0:
        raise _RunError("runtime error: integer divide by zero")
    r = abs(a) % abs(b)
    return -r if a < 0 else r


#: GetFuncMap's additions, as functions of known type (``asInt`` is ``builtin.Int``: ``func(any) any``)
_ARGO_FUNCS: dict[str, Any] = {
    "asInt": _Func("asInt", _int_builtin, _Sig((_A,), _A)),
    "asFloat": _Func("asFloat", _float_builtin, _Sig((_A,), _A)),
    "jsonpath": _Func("jsonpath", _argo_jsonpath, _Sig((_S, _S), _A)),
    "toJson": _Func("toJson", _argo_to_json, _Sig((_A,), _S)),
    "sprig": _SPRIG,
}


# ================================================================================= jsonpath ==


class _JsonPath:
    """The JSONPath subset of evilmonkeyinc/jsonpath v0.8.1 that workflows use: ``$``, ``.key``,
    ``['key']``, ``[n]`` (negative from the end), ``[a:b]``, ``[*]``/``.*``, ``[a,b]``, ``..key``,
    ``[?(@.x > 1 && @.y == 'z')]`` and ``.length``. A definite path yields one value, a missing key
    is an error; any wildcard, slice, union, recursion or filter yields a list."""

    def __init__(self, path: str):
        self.path, self.i = path, 0
        if not path.startswith("$"):
            raise _RunError(f"invalid JSONPath selector '{path}' unexpected token '{path[:1]}' at index 0")
        self.i = 1

    def error(self, what: str) -> _RunError:
        return _RunError(f"invalid JSONPath selector '{self.path}' {what}")

    def query(self, data: Any) -> Any:
        values, many = [data], False
        p = self.path
        while self.i < len(p):
            c = p[self.i]
            if p.startswith("..", self.i):
                self.i += 2
                name = self._name()
                found: list[Any] = []
                for v in values:
                    found += _json_descend(v, name)
                values, many = found, True
            elif c == ".":
                self.i += 1
                if p[self.i : self.i + 1] == "*":
                    self.i += 1
                    values, many = [x for v in values for x in _json_children(v)], True
                else:
                    name = self._name()
                    values = [self._key(v, name) for v in values]
            elif c == "[":
                close = self._bracket_end()
                inner = p[self.i + 1 : close].strip()
                self.i = close + 1
                values, more = self._bracket(values, inner)
                many = many or more
            else:
                raise self.error(f"unexpected token '{c}' at index {self.i}")
        return values if many else values[0]

    def _name(self) -> str:
        m = re.compile(r"[^.\[\]]+").match(self.path, self.i)
        if m is None:
            raise self.error(f"unexpected token at index {self.i}")
        self.i = m.end()
        return m.group(0)

    def _bracket_end(self) -> int:
        depth, quote = 0, ""
        for j in range(self.i, len(self.path)):
            c = self.path[j]
            if quote:
                quote = "" if c == quote else quote
            elif c in "'\"":
                quote = c
            elif c == "[":
                depth += 1
            elif c == "]":
                depth -= 1
                if depth == 0:
                    return j
        raise self.error("missing ']'")

    def _key(self, v: Any, name: str) -> Any:
        if isinstance(v, dict):
            if name in v:
                return v[name]
            raise _RunError(f"key: invalid token key '{name}' not found")
        if name == "length" and isinstance(v, (list, str)):
            return len(v)
        raise _RunError(f"key: invalid token target. expected [map] got [{_json_kind(v)}]")

    def _bracket(self, values: list[Any], inner: str) -> tuple[list[Any], bool]:
        if inner == "*":
            return [x for v in values for x in _json_children(v)], True
        if inner.startswith("?(") and inner.endswith(")"):
            cond = inner[2:-1]
            return [x for v in values for x in _json_children(v) if _json_truthy(_JsonFilter(cond).eval(x))], True
        parts = _split_top(inner, ",")
        if len(parts) > 1:
            return [self._one(v, part.strip()) for v in values for part in parts], True
        if ":" in inner and inner[:1] not in "'\"":
            return [x for v in values for x in self._slice(v, inner)], True
        return [self._one(v, inner) for v in values], False

    def _one(self, v: Any, sel: str) -> Any:
        if sel[:1] in "'\"":
            return self._key(v, sel[1:-1])
        try:
            n = int(sel)
        except ValueError:
            raise self.error(f"unexpected token '{sel}'") from None
        if not isinstance(v, list):
            raise _RunError(f"index: invalid token target. expected [array slice] got [{_json_kind(v)}]")
        if n < 0:
            n += len(v)
        if not 0 <= n < len(v):
            raise _RunError("index: invalid token out of range")
        return v[n]

    def _slice(self, v: Any, inner: str) -> list[Any]:
        if not isinstance(v, list):
            raise _RunError(f"range: invalid token target. expected [array slice] got [{_json_kind(v)}]")
        bounds = [b.strip() for b in inner.split(":")]
        start = int(bounds[0]) if bounds[0] else 0
        stop = int(bounds[1]) if len(bounds) > 1 and bounds[1] else len(v)
        step = int(bounds[2]) if len(bounds) > 2 and bounds[2] else 1
        return v[start:stop:step]


def _json_kind(v: Any) -> str:
    return {"map[string]interface {}": "map", "[]interface {}": "slice", "<nil>": "nil"}.get(_go_type(v), _go_type(v))


def _json_children(v: Any) -> list[Any]:
    if isinstance(v, dict):
        return [x for _, x in sorted(v.items())]
    if isinstance(v, list):
        return list(v)
    return []


def _json_descend(v: Any, name: str) -> list[Any]:
    out = []
    if isinstance(v, dict):
        if name == "*":
            out += _json_children(v)
        elif name in v:
            out.append(v[name])
        for _, x in sorted(v.items()):
            out += _json_descend(x, name)
    elif isinstance(v, list):
        for x in v:
            out += _json_descend(x, name)
    return out


def _json_truthy(v: Any) -> bool:
    return bool(v) if isinstance(v, bool) else v is not None


def _split_top(s: str, sep: str) -> list[str]:
    parts: list[str] = []
    cur: list[str] = []
    depth, quote = 0, ""
    for c in s:
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(c)
    parts.append("".join(cur))
    return parts


class _JsonFilter:
    """A filter's script: ``@`` paths, literals, ``! == != < <= > >= =~ && ||`` and parentheses."""

    _TOKEN = re.compile(
        r"\s*(@[\w.\[\]'\"*-]*|'[^']*'|\"[^\"]*\"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|&&|\|\||==|!=|<=|>=|=~|[<>!()]|true|false|null|/(?:[^/\\]|\\.)*/)"
    )

    def __init__(self, text: str):
        self.toks: list[str] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = self._TOKEN.match(text, pos)
            if m is None:
                raise _RunError(f"invalid JSONPath filter '{text}'")
            self.toks.append(m.group(1))
            pos = m.end()
        self.k = 0

    def eval(self, item: Any) -> Any:
        self.k = 0
        self.item = item
        return self._or()

    def _peek(self) -> str:
        return self.toks[self.k] if self.k < len(self.toks) else ""

    def _or(self) -> Any:
        v = self._and()
        while self._peek() == "||":
            self.k += 1
            r = self._and()
            v = _json_truthy(v) or _json_truthy(r)
        return v

    def _and(self) -> Any:
        v = self._cmp()
        while self._peek() == "&&":
            self.k += 1
            r = self._cmp()
            v = _json_truthy(v) and _json_truthy(r)
        return v

    def _cmp(self) -> Any:
        a = self._unary()
        op = self._peek()
        if op in ("==", "!=", "<", "<=", ">", ">=", "=~"):
            self.k += 1
            b = self._unary()
            if op == "=~":
                return isinstance(a, str) and isinstance(b, str) and re.search(b, a) is not None
            if op in ("==", "!="):
                eq = (_is_num(a) and _is_num(b) and float(a) == float(b)) or (type(a) is type(b) and a == b)
                return eq if op == "==" else not eq
            if (_is_num(a) and _is_num(b)) or (isinstance(a, str) and isinstance(b, str)):
                return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
            return False
        return a

    def _unary(self) -> Any:
        t = self._peek()
        self.k += 1
        if t == "!":
            return not _json_truthy(self._unary())
        if t == "(":
            v = self._or()
            self.k += 1
            return v
        if t.startswith("@"):
            try:
                return _JsonPath("$" + t[1:]).query(self.item)
            except _RunError:
                return None
        if t[:1] in "'\"":
            return t[1:-1]
        if t.startswith("/"):
            return t[1:-1]
        if t in ("true", "false"):
            return t == "true"
        if t == "null":
            return None
        try:
            return float(t)
        except ValueError:
            raise _RunError(f"invalid JSONPath filter token '{t}'") from None


# ========================================================================== runtime helpers ==


def _equal(a: Any, b: Any) -> bool:
    """runtime.Equal (``vm/runtime/helpers[generated].go`` l. 11-700): numbers across int and float,
    strings, bools, times, durations, arrays item by item; nil equals nil; else reflect.DeepEqual
    (so different types are simply unequal, and maps compare strictly)."""
    if _is_num(a) and _is_num(b):
        return a == b if _is_int(a) and _is_int(b) else float(a) == float(b)  # float64(x) == y
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, bool) and isinstance(b, bool):
        return a == b
    if isinstance(a, GoTime) and isinstance(b, GoTime):
        return a.ns == b.ns
    if isinstance(a, GoDuration) and isinstance(b, GoDuration):
        return a.ns == b.ns
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if a is None and b is None:
        return True
    return _deep_equal(a, b)


def _deep_equal(a: Any, b: Any) -> bool:
    """reflect.DeepEqual: same dynamic types all the way down."""
    if _go_type(a) != _go_type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_deep_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return bool(a == b)
    if isinstance(a, _Func):
        return False
    return bool(a == b)


def _order(op: str, a: Any, b: Any) -> bool:
    """runtime.Less/More/LessOrEqual/MoreOrEqual (helpers l. 702-2080): numbers, strings, times,
    durations; anything else panics ``invalid operation: <T> < <T>``."""
    if _is_num(a) and _is_num(b):
        x, y = (a, b) if _is_int(a) and _is_int(b) else (float(a), float(b))
    elif isinstance(a, str) and isinstance(b, str):
        x, y = a.encode(), b.encode()  # Go compares strings bytewise
    elif isinstance(a, (GoTime, GoDuration)) and type(a) is type(b):
        x, y = a.ns, b.ns
    else:
        raise _RunError(f"invalid operation: {_go_type(a)} {op} {_go_type(b)}")
    return bool({"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op])


def _less(a: Any, b: Any) -> bool:
    return _order("<", a, b)


def _arith(op: str, a: Any, b: Any) -> Any:
    """runtime.Add/Subtract/Multiply/Divide/Modulo/Exponent (helpers l. 2082-3718, runtime.go
    l. 307-309): int op int stays an int and wraps at 64 bits; with a float it is a float; ``/`` and
    ``**`` are always floats; ``%`` only on ints."""
    if _is_num(a) and _is_num(b):
        if op == "/":
            return _float_div(float(a), float(b))
        if op in ("**", "^"):
            return _pow(float(a), float(b))
        if op == "%":
            if _is_int(a) and _is_int(b):
                return _go_mod(int(a), int(b))
            raise _RunError(f"invalid operation: {_go_type(a)} % {_go_type(b)}")
        if _is_int(a) and _is_int(b):
            return _wrap({"+": a + b, "-": a - b, "*": a * b}[op])
        x, y = float(a), float(b)
        try:
            return {"+": x + y, "-": x - y, "*": x * y}[op]
        except OverflowError:
            return math.inf
    if op == "+":
        if isinstance(a, str) and isinstance(b, str):
            return a + b
        if isinstance(a, GoTime) and isinstance(b, GoDuration):
            return a.Add(b)
        if isinstance(a, GoDuration) and isinstance(b, GoTime):
            return b.Add(a)
        if isinstance(a, GoDuration) and isinstance(b, GoDuration):
            return GoDuration(a.ns + b.ns)
    if op == "-":
        if isinstance(a, GoTime) and isinstance(b, GoTime):
            return a.Sub(b)
        if isinstance(a, GoTime) and isinstance(b, GoDuration):
            return a._with(a.ns - b.ns)
        if isinstance(a, GoDuration) and isinstance(b, GoDuration):
            return GoDuration(a.ns - b.ns)
    if op == "*":
        if isinstance(a, GoDuration) and _is_int(b):
            return GoDuration(a.ns * b)
        if _is_int(a) and isinstance(b, GoDuration):
            return GoDuration(a * b.ns)
        if isinstance(a, GoDuration) and isinstance(b, GoDuration):
            return GoDuration(a.ns * b.ns)
        if isinstance(a, GoDuration) and isinstance(b, float):
            return float(a.ns) * b
        if isinstance(a, float) and isinstance(b, GoDuration):
            return a * float(b.ns)
    sym = {"**": "**", "^": "**"}.get(op, op)
    raise _RunError(f"invalid operation: {_go_type(a)} {sym} {_go_type(b)}")


def _float_div(x: float, y: float) -> float:
    if y == 0:
        if x == 0 or math.isnan(x):
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def _pow(x: float, y: float) -> float:
    """math.Pow: IEEE results where Python raises (0 ** -1 is +Inf, (-8) ** 0.5 is NaN)."""
    try:
        return math.pow(x, y)
    except OverflowError:
        odd = y.is_integer() and int(y) % 2 == 1
        return -math.inf if x < 0 and odd else math.inf
    except ValueError:
        if x == 0 and y < 0:
            odd = y.is_integer() and int(y) % 2 == 1
            return math.copysign(math.inf, x) if odd else math.inf
        return math.nan


def _fetch(obj: Any, key: Any) -> Any:
    """runtime.Fetch (``vm/runtime/runtime.go`` l. 21-102): methods, then arrays and strings by int
    index (negative from the end, out of range panics; a string gives the byte), maps (a missing key
    is nil), else ``cannot fetch <key> from <type>``."""
    if obj is None:
        raise _RunError(f"cannot fetch {go_string(key)} from <nil>")
    if isinstance(key, str) and isinstance(obj, (GoTime, GoDuration, _Location)):
        method = getattr(obj, key, None)
        if method is not None and key[:1].isupper():
            return method
    if isinstance(obj, (list, str)):
        index = _to_int(key)
        data = obj.encode() if isinstance(obj, str) else obj
        n = len(data)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise _RunError(f"index out of range: {index} (array length is {n})")
        return data[index]
    if isinstance(obj, dict):
        if not isinstance(obj, _AnyKeyMap):
            if key is None:
                key = ""
            if not isinstance(key, str):
                raise _RunError(f"reflect.Value.MapIndex: value of type {_go_type(key)} is not assignable to type string")
        elif isinstance(key, (list, dict)):
            raise _RunError(f"runtime error: hash of unhashable type {_go_type(key)}")
        return obj.get(key)
    raise _RunError(f"cannot fetch {go_string(key)} from {_go_type(obj)}")


def _slice(obj: Any, frm: Any, to: Any) -> Any:
    """runtime.Slice (runtime.go l. 164-207): bounds clamp instead of failing; strings by bytes."""
    if not isinstance(obj, (list, str)):
        raise _RunError(f"cannot slice {go_string(frm)}")
    data = obj.encode() if isinstance(obj, str) else obj
    n = len(data)
    a = _to_int(frm) if frm is not None else 0
    b = _to_int(to) if to is not None else n
    a = max(0, a + n if a < 0 else a)
    b = max(0, b + n if b < 0 else b)
    b = min(b, n)
    a = min(a, b)
    part = data[a:b]
    return part.decode("utf-8", "replace") if isinstance(part, bytes) else part


def _in(needle: Any, coll: Any) -> bool:
    """runtime.In (runtime.go l. 209-264): nil is empty; arrays by Equal; map keys."""
    if coll is None:
        return False
    if isinstance(coll, list):
        return any(_equal(x, needle) for x in coll)
    if isinstance(coll, dict):
        if not isinstance(coll, _AnyKeyMap) and needle is not None and not isinstance(needle, str):
            raise _RunError(f"reflect.Value.MapIndex: value of type {_go_type(needle)} is not assignable to type string")
        return ("" if needle is None and not isinstance(coll, _AnyKeyMap) else needle) in coll
    raise _RunError(f'operator "in" not defined on {_go_type(coll)}')


def _to_regex(pattern: str) -> re.Pattern[str]:
    """Go's RE2 syntax through Python's ``re`` (the common subset: no backreferences or look-arounds
    in RE2; ``\\z`` is ``\\Z``)."""
    try:
        return re.compile(pattern.replace("\\z", "\\Z"))
    except re.error as exc:
        raise ExprError(f"error parsing regexp: {exc}") from None


# ================================================================================== checker ==


@dataclass(frozen=True)
class _N:
    """A checker nature (``checker/nature/nature.go``): what is statically known of a value."""

    kind: str  # unknown nil bool int float string array map time duration location func struct
    gotype: str = ""
    elem: _N | None = None
    sig: _Sig | None = None
    builtin: str | None = None
    method: bool = False

    @property
    def unknown(self) -> bool:  # IsUnknown l. 219-221: no type (and not nil), or interface{}
        return self.kind == "unknown"

    @property
    def number(self) -> bool:
        return self.kind in ("int", "float")

    def __str__(self) -> str:  # String l. 223-228
        return self.gotype or "unknown"


_U = _N("unknown")
_NIL = _N("nil")
_BOOL, _INT, _FLOAT, _STR = _N("bool", "bool"), _N("int", "int"), _N("float", "float64"), _N("string", "string")
_ARRAY = _N("array", "[]interface {}", _U)
_MAP = _N("map", "map[string]interface {}", _U)
_TIME, _DUR = _N("time", "time.Time"), _N("duration", "time.Duration")
_LOC = _N("location", "*time.Location")
_KIND_NATURE = {"any": _U, "string": _STR, "int": _INT, "float": _FLOAT, "bool": _BOOL, "time": _TIME,
                "duration": _DUR, "[]any": _ARRAY, "[]string": _N("array", "[]string", _STR), "map": _MAP,
                "location": _LOC, "month": _N("int", "time.Month"), "weekday": _N("int", "time.Weekday")}  # fmt: skip


def _arr(elem: _N) -> _N:
    return _N("array", "[]interface {}", elem)


def _func_type(sig: _Sig) -> str:
    params = [_KIND_TYPE.get(p, p) for p in sig.params]
    if sig.variadic:
        params.append("..." + _KIND_TYPE.get(sig.variadic, sig.variadic))
    return f"func({', '.join(params)}) {_KIND_TYPE.get(sig.out, sig.out)}"


def _func_nature(sig: _Sig | None, *, method: bool = False) -> _N:
    return _N("func", _func_type(sig) if sig else "func", sig=sig, method=method)


_TIME_METHODS: dict[str, _Sig] = {
    **{m: _Sig((), "int") for m in ("Unix", "UnixMilli", "UnixMicro", "UnixNano", "Year", "Day", "Hour", "Minute",
                                     "Second", "Nanosecond", "YearDay")},
    "Month": _Sig((), "month"), "Weekday": _Sig((), "weekday"), "UTC": _Sig((), "time"), "Local": _Sig((), "time"),
    "In": _Sig(("location",), "time"), "Add": _Sig(("duration",), "time"), "Sub": _Sig(("time",), "duration"),
    "AddDate": _Sig(("int", "int", "int"), "time"), "Before": _Sig(("time",), "bool"),
    "After": _Sig(("time",), "bool"), "Equal": _Sig(("time",), "bool"), "Compare": _Sig(("time",), "int"),
    "IsZero": _Sig((), "bool"), "Truncate": _Sig(("duration",), "time"), "Round": _Sig(("duration",), "time"),
    "Format": _Sig(("string",), "string"), "String": _Sig((), "string"), "Location": _Sig((), "location"),
}  # fmt: skip
_DURATION_METHODS: dict[str, _Sig] = {
    **{m: _Sig((), "float") for m in ("Hours", "Minutes", "Seconds")},
    **{m: _Sig((), "int") for m in ("Milliseconds", "Microseconds", "Nanoseconds")},
    "String": _Sig((), "string"), "Abs": _Sig((), "duration"), "Truncate": _Sig(("duration",), "duration"),
}  # fmt: skip
_METHODS = {"time": _TIME_METHODS, "duration": _DURATION_METHODS, "location": {"String": _Sig((), "string")}}

#: the overloads of the built-ins checked by their Go signatures (``Types`` in builtin.go)
_BUILTIN_TYPES: dict[str, list[_Sig]] = {
    "type": [_Sig((_A,), _S)], "string": [_Sig((_A,), _S)],
    "trim": [_Sig((_S,), _S), _Sig((_S, _S), _S)], "trimPrefix": [_Sig((_S, _S), _S), _Sig((_S,), _S)],
    "trimSuffix": [_Sig((_S, _S), _S), _Sig((_S,), _S)], "upper": [_Sig((_S,), _S)], "lower": [_Sig((_S,), _S)],
    "split": [_Sig((_S, _S), "[]string"), _Sig((_S, _S, "int"), "[]string")],
    "splitAfter": [_Sig((_S, _S), "[]string"), _Sig((_S, _S, "int"), "[]string")],
    "replace": [_Sig((_S, _S, _S, "int"), _S), _Sig((_S, _S, _S), _S)], "repeat": [_Sig((_S, "int"), _S)],
    "join": [_Sig(("[]string", _S), _S), _Sig(("[]any", _S), _S), _Sig(("[]any",), _S), _Sig(("[]string",), _S)],
    "indexOf": [_Sig((_S, _S), "int")], "lastIndexOf": [_Sig((_S, _S), "int")],
    "hasPrefix": [_Sig((_S, _S), "bool")], "hasSuffix": [_Sig((_S, _S), "bool")],
    "toJSON": [_Sig((_A,), _S)], "fromJSON": [_Sig((_S,), _A)], "toBase64": [_Sig((_S,), _S)],
    "fromBase64": [_Sig((_S,), _S)], "duration": [_Sig((_S,), "duration")], "timezone": [_Sig((_S,), "location")],
    "sort": [_Sig(("[]any", _S), "[]any"), _Sig(("[]any",), "[]any")],
    **{b: [_Sig(("int", "int"), "int")] for b in ("bitand", "bitor", "bitxor", "bitnand", "bitshl", "bitshr", "bitushr")},
    "bitnot": [_Sig(("int",), "int")],
}  # fmt: skip


class _CheckError(ExprError):
    pass


def _nature_of(v: Any) -> _N:
    """conf/env.go EnvWithCache l. 41-72: a top-level value's own type (nested values are interface{})."""
    if v is None:
        return _NIL
    if isinstance(v, bool):
        return _BOOL
    if _is_int(v):
        return _INT
    if isinstance(v, float):
        return _FLOAT
    if isinstance(v, str):
        return _STR
    if isinstance(v, list):
        return _ARRAY
    if isinstance(v, dict):
        return _MAP
    if isinstance(v, GoTime):
        return _TIME
    if isinstance(v, GoDuration):
        return _DUR
    if isinstance(v, _Location):
        return _LOC
    if isinstance(v, _Func):
        return _func_nature(v.sig)
    return _U  # a Python callable or anything else: not checked


def _assignable(arg: _N, kind: str) -> bool:
    """Nature.AssignableTo a parameter of ``kind`` (nature.go l. 263-277)."""
    if kind == "any":
        return True
    want = _KIND_NATURE.get(kind, _U)
    return arg.kind == want.kind and arg.gotype == want.gotype


class _Checker:
    """``checker/checker.go`` over natures: raises where Argo's ``expr.Compile`` fails."""

    def __init__(self, env: dict[str, Any]):
        self.env = env
        self.vars: list[tuple[str, _N]] = []
        self.preds: list[tuple[_N, dict[str, _N]]] = []

    def fail(self, msg: str) -> _CheckError:
        return _CheckError(msg)

    def visit(self, t: Any) -> _N:
        if t is None:
            return _U
        nature: _N = getattr(self, "_" + str(t.data))(*t.children)
        return nature

    # -- leaves ----------------------------------------------------------------------------
    def _number(self, tok: Token) -> _N:
        return _INT if tok.type == "INT" else _FLOAT

    def _string(self, tok: Token) -> _N:
        return _STR

    _key = _string

    def _true(self) -> _N:
        return _BOOL

    _false = _true

    def _nil(self) -> _N:
        return _NIL

    def _name(self, tok: Token) -> _N:  # identifierNode l. 249-289
        name = str(tok)
        for n, nt in reversed(self.vars):
            if n == name:
                return nt
        if name == "$env":
            return _U
        if name in self.env:
            return _nature_of(self.env[name])
        if name in _ALL_BUILTINS:
            return _N("func", "func", builtin=name)
        raise self.fail(f"unknown name {name}")

    def _pointer(self, *name: Token) -> _N:  # pointerNode l. 1225-1248
        collection, scope_vars = self.preds[-1]
        if not name:
            if collection.unknown:
                return _U
            if collection.kind == "array":
                return collection.elem or _U
            raise self.fail(f"cannot use {collection} as array")
        if str(name[0]) in scope_vars:
            return scope_vars[str(name[0])]
        raise self.fail(f"unknown pointer #{name[0]}")

    # -- operators ---------------------------------------------------------------------------
    def _neg(self, x: Tree[Token]) -> _N:
        return self._sign("-", x)

    def _pos(self, x: Tree[Token]) -> _N:
        return self._sign("+", x)

    def _sign(self, op: str, x: Tree[Token]) -> _N:  # unaryNode l. 291-318
        nt = self.visit(x)
        if nt.number:
            return nt
        if nt.unknown:
            return _U
        raise self.fail(f"invalid operation: {op} (mismatched type {nt})")

    def _not_(self, x: Tree[Token], *op: Token) -> _N:
        nt = self.visit(x)
        if nt.kind == "bool" or nt.unknown:
            return _BOOL
        raise self.fail(f"invalid operation: {op[0] if op else 'not'} (mismatched type {nt})")

    def _coalesce(self, left: Tree[Token], right: Tree[Token]) -> _N:  # binaryNode "??" l. 488-501
        lt, rt = self.visit(left), self.visit(right)
        if lt.kind == "nil":
            return rt if rt.kind != "nil" else _NIL
        if rt.kind == "nil":
            return lt
        return lt if _same_type(rt, lt) else _U

    def _binop(self, left: Tree[Token], op: Token, right: Tree[Token]) -> _N:  # binaryNode l. 320-509
        lt, rt = self.visit(left), self.visit(right)
        o = str(op)
        unk_l, unk_r = lt.unknown, rt.unknown

        def maybe(*kinds: str) -> bool:  # MaybeCompatible l. 567-573
            return (unk_l and unk_r) or (unk_l and rt.kind in kinds) or (unk_r and lt.kind in kinds)

        num = ("int", "float")
        if o in ("==", "!="):
            if _comparable(lt, rt):
                return _BOOL
        elif o in ("or", "||", "and", "&&"):
            if (lt.kind == "bool" and rt.kind == "bool") or maybe("bool"):
                return _BOOL
        elif o in ("<", ">", "<=", ">="):
            if (lt.number and rt.number) or any(lt.kind == rt.kind == k for k in ("string", "time", "duration")):
                return _BOOL
            if maybe(*num, "string", "time", "duration"):
                return _BOOL
        elif o == "-":
            if lt.number and rt.number:
                return _FLOAT if "float" in (lt.kind, rt.kind) else _INT
            if lt.kind == rt.kind == "time":
                return _DUR
            if lt.kind == "time" and rt.kind == "duration":
                return _TIME
            if lt.kind == rt.kind == "duration":
                return _DUR
            if maybe(*num, "time", "duration"):
                return _U
        elif o == "*":
            if lt.number and rt.number:
                return _FLOAT if "float" in (lt.kind, rt.kind) else _INT
            if {lt.kind, rt.kind} <= {"int", "float", "duration"} and "duration" in (lt.kind, rt.kind):
                return _DUR
            if maybe(*num, "duration"):
                return _U
        elif o in ("/", "**", "^"):
            if (lt.number and rt.number) or maybe(*num):
                return _FLOAT
        elif o == "%":
            if (lt.kind == rt.kind == "int") or maybe("int"):
                return _INT
        elif o == "+":
            if lt.number and rt.number:
                return _FLOAT if "float" in (lt.kind, rt.kind) else _INT
            if lt.kind == rt.kind == "string":
                return _STR
            if {lt.kind, rt.kind} == {"time", "duration"}:
                return _TIME
            if lt.kind == rt.kind == "duration":
                return _DUR
            if maybe(*num, "string", "time", "duration"):
                return _U
        elif o == "in":
            if rt.kind == "map":
                if not unk_l and not _assignable(lt, "string") and lt.kind != "nil":
                    raise self.fail(f"cannot use {lt} as type string in map key")
                return _BOOL
            if rt.kind == "array":
                if not _comparable(lt, rt.elem or _U):
                    raise self.fail(f"cannot use {lt} as type {rt.elem} in array")
                return _BOOL
            if unk_l and rt.kind in ("string", "array", "map"):
                return _BOOL
            if unk_r:
                return _BOOL
        elif o == "matches":
            if right.data == "string":
                _to_regex(_string_value(right))
            if (lt.kind == "string" and rt.kind == "string") or maybe("string"):
                return _BOOL
        elif o in ("contains", "startsWith", "endsWith"):
            if (lt.kind == rt.kind == "string") or maybe("string"):
                return _BOOL
        elif o == ".." and ((lt.kind == rt.kind == "int") or maybe("int")):
            return _arr(_INT)
        raise self.fail(f"invalid operation: {o} (mismatched types {lt} and {rt})")

    def _cond(self, test: Tree[Token], yes: Tree[Token], no: Tree[Token]) -> _N:  # conditionalNode l. 1283-1313
        c = self.visit(test)
        if c.kind != "bool" and not c.unknown:
            raise self.fail(f"non-bool expression (type {c}) used as condition")
        t1, t2 = self.visit(yes), self.visit(no)
        if t1.kind == "nil":
            return t2 if t2.kind != "nil" else _NIL
        if t2.kind == "nil":
            return t1
        return t1 if _same_type(t1, t2) else _U

    # -- access ------------------------------------------------------------------------------
    def _member(self, target: Tree[Token], name: Token, *, method: bool = False) -> _N:
        return self._access(target, _STR, str(name), method=method)

    def _optmember(self, target: Tree[Token], name: Token, *, method: bool = False) -> _N:
        return self._access(target, _STR, str(name), method=method, optional=True)

    def _index(self, target: Tree[Token], key: Tree[Token]) -> _N:
        prop = self.visit(key)
        return self._access(target, prop, _string_value(key) if key.data == "string" else None)

    def _optindex(self, target: Tree[Token], key: Tree[Token]) -> _N:
        prop = self.visit(key)
        return self._access(target, prop, _string_value(key) if key.data == "string" else None, optional=True)

    def _access(self, target: Tree[Token], prop: _N, name: str | None, *, method: bool = False, optional: bool = False) -> _N:
        """memberNode l. 515-603."""
        if target.data == "name" and str(target.children[0]) == "$env":
            if name is None:
                return _U
            if name in self.env:
                return _nature_of(self.env[name])
            if optional:  # memberNode l. 517-530: ``$env?.x`` may be missing
                return _U
            raise self.fail(f"unknown name {name}")
        base = self.visit(target)
        if base.unknown:
            return _U
        if name is not None:
            if base.kind == "nil":
                raise self.fail(f"type nil has no field {name}")
            methods = _METHODS.get(base.kind, {})
            if name in methods:
                return _func_nature(methods[name], method=True)
        if base.kind == "map":
            any_key = base.gotype.startswith("map[interface {}]")
            if not any_key and not _assignable(prop, "string") and not prop.unknown:
                raise self.fail(f"cannot use {prop} to get an element from {base}")
            return base.elem or _U
        if base.kind == "array":
            if prop.kind != "int" and not prop.unknown:
                raise self.fail(f"array elements can only be selected using an integer (got {prop})")
            return base.elem or _U
        if name is not None:
            raise self.fail(f"type {base} has no {'method' if method else 'field'} {name}")
        raise self.fail(f"type {base}[{prop}] is undefined")

    def _chain(self, inner: Tree[Token]) -> _N:
        return self.visit(inner)

    def _slice(self, target: Tree[Token], frm: Tree[Token] | None, to: Tree[Token] | None) -> _N:
        nt = self.visit(target)  # sliceNode l. 605-636
        if nt.unknown:
            return _U
        if nt.kind not in ("string", "array"):
            raise self.fail(f"cannot slice {nt}")
        for bound in (frm, to):
            if bound is not None:
                b = self.visit(bound)
                if b.kind != "int" and not b.unknown:
                    raise self.fail(f"non-integer slice index {b}")
        return nt

    # -- literals ----------------------------------------------------------------------------
    def _array(self, *items: Tree[Token]) -> _N:  # arrayNode l. 1315-1331
        natures = [self.visit(i) for i in items]
        if natures and all(n.kind == natures[0].kind for n in natures):
            return _arr(natures[-1])
        if not natures:
            return _arr(_U)
        return _ARRAY

    def _mapping(self, *pairs: Tree[Token]) -> _N:
        for p in pairs:
            self.visit(p.children[0])
            self.visit(p.children[1])
        return _MAP

    def _let(self, name: Token, value: Tree[Token], body: Tree[Token]) -> _N:  # l. 1250-1270
        n = str(name)
        if n in self.env:
            raise self.fail(f"cannot redeclare {n}")
        if n in _ALL_BUILTINS:
            raise self.fail(f"cannot redeclare builtin {n}")
        if any(v == n for v, _ in self.vars):
            raise self.fail(f"cannot redeclare variable {n}")
        self.vars.append((n, self.visit(value)))
        try:
            return self.visit(body)
        finally:
            self.vars.pop()

    def _seq(self, *nodes: Tree[Token]) -> _N:
        out = _U
        for n in nodes:
            out = self.visit(n)
        return out

    def _closure(self, body: Tree[Token]) -> _N:
        return self.visit(body)

    # -- calls -----------------------------------------------------------------------------
    def _call(self, callee: Tree[Token], args: Tree[Token]) -> _N:  # callNode l. 638-693
        argv = list(args.children)
        if callee.data == "name":
            name = str(callee.children[0])
            if not any(v == name for v, _ in self.vars) and name not in self.env and name in _ALL_BUILTINS:
                return self._builtin(name, argv)
            fn = self.visit(callee)
            label = name
        else:
            if callee.data in ("member", "optmember"):
                fn = getattr(self, "_" + callee.data)(*callee.children, method=True)
            else:
                fn = self.visit(callee)
            label = str(callee.children[1]) if callee.data in ("member", "optmember") else "function"
        if fn.unknown:
            return _U  # the arguments are not even looked at (an unknown name in them passes)
        if fn.kind == "nil":
            raise self.fail(f"{label} is nil; cannot call nil as function")
        if fn.kind != "func":
            raise self.fail(f"{fn} is not callable")
        if fn.sig is None:
            for a in argv:
                self.visit(a)
            return _U
        return self._arguments(label, fn.sig, argv)

    def _arguments(self, name: str, sig: _Sig, argv: list[Any]) -> _N:  # checkArguments l. 1050-1173
        n = len(sig.params)
        err = None
        if sig.variadic is not None:
            if len(argv) < n:
                err = f"not enough arguments to call {name}"
        elif len(argv) > n:
            err = f"too many arguments to call {name}"
        elif len(argv) < n:
            err = f"not enough arguments to call {name}"
        natures = [self.visit(a) for a in argv]
        if err:
            raise self.fail(err)
        for i, nt in enumerate(natures):
            kind = sig.params[i] if i < n else sig.variadic or _A
            want = _KIND_NATURE.get(kind, _U)
            if want.kind == "float" and nt.kind == "int":
                continue
            if want.kind == "int" and nt.kind == "int":
                continue
            if nt.kind == "nil":
                if kind in ("any", "location"):
                    continue
                raise self.fail(f"cannot use nil as argument (type {_KIND_TYPE.get(kind, kind)}) to call {name}")
            if not _assignable(nt, kind) and not nt.unknown:
                raise self.fail(f"cannot use {nt} as argument (type {_KIND_TYPE.get(kind, kind)}) to call {name} ")
        return _KIND_NATURE.get(sig.out, _U)

    def _builtin(self, name: str, argv: list[Any]) -> _N:  # builtinNode l. 695-946
        if name in _PREDICATE_NAMES:
            return self._predicate(name, argv)
        if name == "get":
            if len(argv) != 2:
                raise self.fail(f"invalid number of arguments (expected 2, got {len(argv)})")
            base, prop = self.visit(argv[0]), self.visit(argv[1])
            if base.unknown:
                return _U
            if base.kind == "array":
                if prop.kind != "int" and not prop.unknown:
                    raise self.fail(f"non-integer slice index {prop}")
                return base.elem or _U
            if base.kind == "map":
                if not _assignable(prop, "string") and not prop.unknown:
                    raise self.fail(f"cannot use {prop} to get an element from {base}")
                return base.elem or _U
            raise self.fail(f"type {base} does not support indexing")
        if name in _BUILTIN_TYPES:
            last: ExprError | None = None
            for sig in _BUILTIN_TYPES[name]:
                saved = list(self.vars)
                try:
                    return self._arguments(name, sig, argv)
                except _CheckError as exc:
                    self.vars = saved
                    last = exc
            assert last is not None
            raise last
        return self._validate(name, [self.visit(a) for a in argv])

    def _validate(self, name: str, args: list[_N]) -> _N:
        """The ``Validate`` functions of builtin.go and ``builtin/validation.go``."""
        count = len(args)

        def arity(n: int) -> None:
            if count != n:
                raise self.fail(f"invalid number of arguments (expected {n}, got {count})")

        def kind(i: int) -> str:
            return "any" if args[i].unknown else args[i].kind

        numeric = ("int", "float", "any")
        if name == "len":
            arity(1)
            if kind(0) in ("array", "map", "string", "any"):
                return _INT
            raise self.fail(f"invalid argument for len (type {args[0]})")
        if name == "abs":
            arity(1)
            if kind(0) in numeric:
                return args[0]
            raise self.fail(f"invalid argument for abs (type {args[0]})")
        if name in ("ceil", "floor", "round"):
            arity(1)
            if kind(0) in numeric:
                return _FLOAT
            raise self.fail(f"invalid argument for {name} (type {args[0]})")
        if name in ("int", "float"):
            arity(1)
            if kind(0) in (*numeric, "string") or (args[0].gotype == "time.Duration" and name == "int"):
                return _INT if name == "int" else _FLOAT
            raise self.fail(f"invalid argument for {name} (type {args[0]})")
        if name in ("max", "min", "mean", "median"):
            if count == 0:
                raise self.fail(f"not enough arguments to call {name}")
            for i in range(count):
                if kind(i) in ("any", "array"):
                    return _U
                if kind(i) not in ("int", "float"):
                    raise self.fail(f"invalid argument for {name} (type {args[i]})")
            return args[0] if name in ("max", "min") else _FLOAT
        if name == "now":
            if count == 0 or (count == 1 and kind(0) in ("location",)):
                return _TIME
            raise self.fail(f"invalid number of arguments (expected 0, got {count})")
        if name == "date":
            if count < 1:
                raise self.fail(f"invalid number of arguments (expected at least 1, got {count})")
            if kind(0) == "location":
                count -= 1
            if count > 3:
                raise self.fail(f"invalid number of arguments (expected at most 3, got {count})")
            return _TIME
        if name in ("first", "last"):
            arity(1)
            if kind(0) == "any":
                return _U
            if kind(0) == "array":
                return args[0].elem or _U
            raise self.fail(f"cannot get {name} element from {args[0]}")
        if name == "take":
            arity(2)
            if kind(0) not in ("any", "array"):
                raise self.fail(f"cannot take from {args[0]}")
            if kind(1) not in ("any", "int"):
                raise self.fail(f"cannot take {args[1]} elements")
            return args[0]
        if name in ("keys", "values", "toPairs"):
            arity(1)
            if kind(0) in ("any", "map"):
                return _ARRAY
            what = {"keys": "cannot get keys from", "values": "cannot get values from"}.get(name, "cannot transform")
            raise self.fail(f"{what} {args[0]}" + (" to pairs" if name == "toPairs" else ""))
        if name in ("fromPairs", "reverse", "uniq", "flatten"):
            arity(1)
            if kind(0) in ("any", "array"):
                return _N("map", "map[interface {}]interface {}", _U) if name == "fromPairs" else _ARRAY
            verb = {"fromPairs": "cannot transform", "reverse": "cannot reverse", "uniq": "cannot uniq"}.get(
                name, "cannot flatten"
            )
            raise self.fail(f"{verb} {args[0]}" + (" from pairs" if name == "fromPairs" else ""))
        if name == "concat":
            if count == 0:
                raise self.fail("invalid number of arguments (expected at least 1, got 0)")
            for i in range(count):
                if kind(i) not in ("any", "array"):
                    raise self.fail(f"cannot concat {args[i]}")
            return _ARRAY
        return _U

    def _predicate(self, name: str, argv: list[Any]) -> _N:
        collection = self.visit(argv[0])
        if collection.kind != "array" and not collection.unknown:
            raise self.fail(f"builtin {name} takes only array (got {collection})")
        scope: dict[str, _N] = {}
        if name in ("map", "reduce"):
            scope["index"] = _INT
        if name == "reduce":
            scope["acc"] = _U
        out = _U
        if len(argv) > 1:
            self.preds.append((collection, scope))
            try:
                out = self.visit(argv[1])
            finally:
                self.preds.pop()
        for extra in argv[2:]:
            extra_nt = self.visit(extra)
            if name == "sortBy" and extra_nt.kind != "string" and not extra_nt.unknown:
                raise self.fail(f"sortBy order argument must be a string (got {extra_nt})")
        elem = collection.elem or _U if not collection.unknown else _U
        boolean = ("all", "none", "any", "one", "filter", "count", "find", "findIndex", "findLast", "findLastIndex")
        if name in boolean and len(argv) > 1 and out.kind != "bool" and not out.unknown:
            raise self.fail(f"predicate should return boolean (got {out})")
        if name in ("all", "none", "any", "one"):
            return _BOOL
        if name in ("count", "findIndex", "findLastIndex"):
            return _INT
        if name == "filter":
            return _ARRAY if collection.unknown else _arr(elem)
        if name == "map":
            return _arr(out)
        if name == "sum":
            return out if len(argv) > 1 else elem
        if name in ("find", "findLast"):
            return elem
        if name == "groupBy":
            return _N("map", "map[interface {}][]interface {}", _arr(elem))
        if name == "sortBy":
            return collection
        return out  # reduce


def _same_type(a: _N, b: _N) -> bool:
    return not a.unknown and not b.unknown and a.kind == b.kind and a.gotype == b.gotype


def _comparable(a: _N, b: _N) -> bool:  # Nature.ComparableTo l. 557-565
    return (
        a.unknown or b.unknown or a.kind == "nil" or b.kind == "nil" or (a.number and b.number)
        or a.kind == b.kind == "duration" or a.kind == b.kind == "time" or a.kind == b.kind == "array"
        or _same_type(a, b)
    )  # fmt: skip


def _string_value(t: Tree[Token]) -> str:
    tok = t.children[0]
    raw = str(tok)
    if t.data == "key":
        return raw
    if raw.startswith("`"):
        return raw[1:-1].replace("``", "`")
    return _unescape(raw)


# ================================================================================ evaluator ==


class _NilChainError(Exception):
    """An optional access met nil: the enclosing chain is nil (compiler.go ChainNode l. 660-680)."""


class _Run:
    """Runs a checked tree as the VM would (``vm/vm.go``, ``compiler/compiler.go``)."""

    def __init__(self, env: dict[str, Any]):
        self.env = env
        self.vars: list[tuple[str, Any]] = []
        self.scopes: list[dict[str, Any]] = []  # predicate scopes: item, index, acc

    def run(self, t: Any) -> Any:
        return getattr(self, "_" + str(t.data))(*t.children) if t is not None else None

    def _number(self, tok: Token) -> Any:
        return int(tok) if tok.type == "INT" else float(tok)

    def _string(self, tok: Token) -> str:
        return _string_value(_tree("string", tok))

    def _key(self, tok: Token) -> str:
        return str(tok)

    def _true(self) -> bool:
        return True

    def _false(self) -> bool:
        return False

    def _nil(self) -> None:
        return None

    def _name(self, tok: Token) -> Any:
        name = str(tok)
        for n, v in reversed(self.vars):
            if n == name:
                return v
        if name == "$env":
            return self.env
        if name in self.env:
            return self.env[name]
        if name in BUILTINS:
            return _Func(name, BUILTINS[name])
        return None  # OpLoadFast on a map env: a missing key is nil

    def _pointer(self, *name: Token) -> Any:
        scope = self.scopes[-1]
        return scope["item"] if not name else scope.get(str(name[0]))

    # -- operators ---------------------------------------------------------------------------
    def _neg(self, x: Tree[Token]) -> Any:  # runtime.Negate l. 276-305
        v = self.run(x)
        if isinstance(v, GoDuration):
            return GoDuration(-v.ns)
        if not _is_num(v):
            raise _RunError(f"invalid operation: - {_go_type(v)}")
        return -v if isinstance(v, float) else _wrap(-v)

    def _pos(self, x: Tree[Token]) -> Any:
        return self.run(x)

    def _not_(self, x: Tree[Token], *op: Token) -> bool:  # OpNot: v.(bool)
        return not _as_bool(self.run(x))

    def _coalesce(self, left: Tree[Token], right: Tree[Token]) -> Any:
        v = self.run(left)
        return self.run(right) if v is None else v

    def _cond(self, test: Tree[Token], yes: Tree[Token], no: Tree[Token]) -> Any:
        return self.run(yes) if _as_bool(self.run(test)) else self.run(no)

    def _binop(self, left: Tree[Token], op: Token, right: Tree[Token]) -> Any:
        o = str(op)
        if o in ("and", "&&"):  # OpJumpIfFalse on the left; the right's value is the result
            lv = self.run(left)
            return lv if not _as_bool(lv) else self.run(right)
        if o in ("or", "||"):
            lv = self.run(left)
            return lv if _as_bool(lv) else self.run(right)
        a, b = self.run(left), self.run(right)
        if o == "==":
            return _equal(a, b)
        if o == "!=":
            return not _equal(a, b)
        if o in ("<", ">", "<=", ">="):
            return _order(o, a, b)
        if o == "in":
            return _in(a, b)
        if o in ("matches", "contains", "startsWith", "endsWith"):  # vm.go l. 303-360: nil is false
            if a is None or b is None:
                return False
            if o == "matches":
                return _to_regex(_need_str(b)).search(_need_str(a)) is not None
            a, b = _need_str(a), _need_str(b)
            return b in a if o == "contains" else a.startswith(b) if o == "startsWith" else a.endswith(b)
        if o == "..":
            lo, hi = _to_int(a), _to_int(b)
            if hi - lo + 1 > 1_000_000:
                raise _RunError("memory budget exceeded")
            return list(range(lo, hi + 1))
        return _arith(o, a, b)

    # -- access ------------------------------------------------------------------------------
    def _member(self, target: Tree[Token], name: Token) -> Any:
        return _fetch(self.run(target), str(name))

    def _index(self, target: Tree[Token], key: Tree[Token]) -> Any:
        return _fetch(self.run(target), self.run(key))

    def _optmember(self, target: Tree[Token], name: Token) -> Any:
        obj = self.run(target)
        if obj is None:
            raise _NilChainError
        return _fetch(obj, str(name))

    def _optindex(self, target: Tree[Token], key: Tree[Token]) -> Any:
        obj = self.run(target)
        if obj is None:
            raise _NilChainError
        return _fetch(obj, self.run(key))

    def _chain(self, inner: Tree[Token]) -> Any:
        try:
            return self.run(inner)
        except _NilChainError:
            return None

    def _slice(self, target: Tree[Token], frm: Tree[Token] | None, to: Tree[Token] | None) -> Any:
        obj = self.run(target)
        if to is None and not isinstance(obj, (list, str, dict)):
            raise _RunError(f"invalid argument for len (type {_go_type(obj)})")
        return _slice(obj, self.run(frm) if frm is not None else 0, self.run(to) if to is not None else None)

    # -- literals ----------------------------------------------------------------------------
    def _array(self, *items: Tree[Token]) -> list[Any]:
        return [self.run(i) for i in items]

    def _mapping(self, *pairs: Tree[Token]) -> dict[str, Any]:
        items = [(self.run(p.children[0]), self.run(p.children[1])) for p in pairs]
        out: dict[str, Any] = {}
        for key, value in reversed(items):  # vm.go OpMap l. 487-496: the first of a repeated key wins
            if not isinstance(key, str):  # key.(string)
                raise _RunError(f"interface conversion: interface {{}} is {_iface_type(key)}, not string")
            out[key] = value
        return dict(reversed(out.items()))

    def _let(self, name: Token, value: Tree[Token], body: Tree[Token]) -> Any:
        self.vars.append((str(name), self.run(value)))
        try:
            return self.run(body)
        finally:
            self.vars.pop()

    def _seq(self, *nodes: Tree[Token]) -> Any:
        out = None
        for n in nodes:
            out = self.run(n)
        return out

    # -- calls -----------------------------------------------------------------------------
    def _call(self, callee: Tree[Token], args: Tree[Token]) -> Any:
        argv = list(args.children)
        if callee.data == "name":
            name = str(callee.children[0])
            if not any(v == name for v, _ in self.vars) and name not in self.env:
                if name in _PREDICATE_NAMES:
                    return self._predicate(name, argv)
                if name in BUILTINS:
                    return _call_go(name, BUILTINS[name], [self.run(a) for a in argv])
            fn = self.run(callee)
            label = name
        else:
            fn = self.run(callee)
            label = str(callee.children[1]) if callee.data in ("member", "optmember") else "function"
        values = [self.run(a) for a in argv]
        if fn is None:
            raise _RunError("invalid operation: cannot call nil")
        if not callable(fn):
            raise _RunError(f"invalid operation: cannot call non-function of type {_go_type(fn)}")
        return _call_go(label, fn, values)

    def _predicate(self, name: str, argv: list[Any]) -> Any:
        """The predicate built-ins as compiler.go BuiltinNode l. 840-1147 compiles them."""
        coll = self.run(argv[0])
        if isinstance(coll, str):  # vm.go OpBegin l. 621-623: reflect Len and Index, a string's bytes
            coll = list(coll.encode())
        elif isinstance(coll, dict) and not coll:
            coll = []
        elif not isinstance(coll, list):
            if coll is None:
                raise _RunError("reflect: call of reflect.Value.Len on zero Value")
            if not isinstance(coll, dict):
                raise _RunError(f"reflect: call of reflect.Value.Len on {_go_kind(coll)} Value")
            raise _RunError(f"reflect: call of reflect.Value.Index on {_go_kind(coll)} Value")
        pred = argv[1].children[0] if len(argv) > 1 else None
        scope: dict[str, Any] = {"item": None, "index": 0, "acc": None}
        self.scopes.append(scope)

        def each(i: int, item: Any) -> Any:
            scope["item"], scope["index"] = item, i
            return self.run(pred) if pred is not None else item

        try:
            if name == "reduce":
                if len(argv) == 3:
                    scope["acc"], start = self.run(argv[2]), 0
                elif coll:
                    scope["acc"], start = coll[0], 1
                else:
                    raise _RunError("reduce of empty array with no initial value")
                for i in range(start, len(coll)):
                    scope["acc"] = each(i, coll[i])
                return scope["acc"]
            if name == "map":
                return [each(i, x) for i, x in enumerate(coll)]
            if name == "filter":
                return [x for i, x in enumerate(coll) if _as_bool(each(i, x))]
            if name in ("all", "none", "any"):
                for i, x in enumerate(coll):
                    hit = _as_bool(each(i, x))
                    if name == "all" and not hit:
                        return False
                    if name == "none" and hit:
                        return False
                    if name == "any" and hit:
                        return True
                return name != "any"
            if name in ("one", "count"):
                n = sum(1 for i, x in enumerate(coll) if _as_bool(each(i, x)))
                return n == 1 if name == "one" else n
            if name == "sum":
                acc: Any = 0
                for i, x in enumerate(coll):
                    acc = _arith("+", each(i, x), acc)
                return acc
            if name in ("find", "findIndex"):
                for i, x in enumerate(coll):
                    if _as_bool(each(i, x)):
                        return x if name == "find" else i
                return None  # compiler.go l. 1033: OpNil when nothing matched
            if name in ("findLast", "findLastIndex"):
                for i in range(len(coll) - 1, -1, -1):
                    if _as_bool(each(i, coll[i])):
                        return coll[i] if name == "findLast" else i
                return None  # compiler.go l. 1080
            if name == "groupBy":
                groups = _AnyKeyMap()
                for i, x in enumerate(coll):
                    groups.setdefault(_hashable(each(i, x)), []).append(x)
                return groups
            if name == "sortBy":
                order = self.run(argv[2]) if len(argv) == 3 else "asc"
                if order not in ("asc", "desc"):
                    raise _RunError(f"unknown order, use asc or desc (got {go_string(order)})")
                keyed = [(each(i, x), x) for i, x in enumerate(coll)]
                desc = order == "desc"
                ordered = _stable_sort(keyed, lambda p, q: _less(q[0], p[0]) if desc else _less(p[0], q[0]))
                return [x for _, x in ordered]
        finally:
            self.scopes.pop()
        raise ExprError(f"unknown builtin {name}")


def _as_bool(v: Any) -> bool:
    """A jump on a condition asserts ``.(bool)`` (vm.go OpJumpIfTrue/False, OpNot): anything else panics."""
    if isinstance(v, bool):
        return v
    raise _RunError(f"interface conversion: interface {{}} is {_iface_type(v)}, not bool")


def _iface_type(v: Any) -> str:
    """The dynamic type a failed type assertion names: ``nil`` for a nil interface."""
    return "nil" if v is None else _go_type(v)


def _call_go(name: str, fn: Callable[..., Any], args: list[Any]) -> Any:
    try:
        return fn(*args)
    except TypeError as exc:
        if isinstance(fn, _Func) or "argument" not in str(exc):
            raise
        raise _RunError(f"invalid number of arguments for {name} (got {len(args)})") from None


def _argo_env(env: dict[str, Any]) -> dict[str, Any]:
    """env.go GetFuncMap l. 20-30: the Argo helpers replace any same-named value."""
    full = dict(env)
    full.update(_ARGO_FUNCS)
    return full


def evaluate(code: str, env: dict[str, Any]) -> Any:
    """The value of ``code`` over ``env`` (a nested mapping, as Argo's ``expand.Expand`` makes it),
    compiled against ``env`` and run as Argo v4.1.2 does (``expr.Compile(code, expr.Env(env))``)."""
    tree = parse(code)
    full = _argo_env(env)
    try:
        _Checker(full).visit(tree)
        return _Run(full).run(_fold(tree))
    except ExprError:
        raise
    except RecursionError:
        raise ExprError(f"{code!r}: too deeply nested") from None
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, OverflowError, AttributeError) as exc:
        raise _RunError(f"{type(exc).__name__}: {exc}") from None


def _literal(t: Any) -> tuple[bool, Any]:
    if not isinstance(t, Tree):
        return False, None
    if t.data in ("true", "false"):
        return True, t.data == "true"
    if t.data == "number":
        tok: Any = t.children[0]
        return True, int(tok) if tok.type == "INT" else float(tok)
    if t.data == "string":
        return True, _string_value(t)
    return False, None


def _literal_tree(v: Any) -> Tree[Token]:
    if isinstance(v, bool):
        return _tree("true" if v else "false")
    if isinstance(v, str):
        return _tree("string", Token("STRING", json.dumps(v, ensure_ascii=False)))
    return _tree("number", Token("INT", str(v)) if _is_int(v) else Token("FLOAT", repr(v)))


def _fold(t: Any) -> Any:
    """The optimizer's constant folding (``optimizer/fold.go``), where it changes what a run does:
    ``x && true`` is ``x`` (even when x is not a bool), ``false && x`` never runs x, and ``1 % 0`` is
    a compile error."""
    if not isinstance(t, Tree):
        return t
    t = Tree(t.data, [_fold(c) for c in t.children])  # post-order, as ast.Walk
    if t.data == "not_":
        ok, v = _literal(t.children[0])
        if ok and isinstance(v, bool):
            return _literal_tree(not v)
    elif t.data in ("neg", "pos"):
        ok, v = _literal(t.children[0])
        if ok and _is_num(v):
            return _literal_tree(_wrap(-v) if t.data == "neg" and _is_int(v) else -v if t.data == "neg" else v)
    elif t.data == "binop":
        left, op, right = t.children
        o = str(op)
        lok, a = _literal(left)
        rok, b = _literal(right)
        if o in ("and", "&&", "or", "||"):
            is_and = o in ("and", "&&")
            la = a if lok and isinstance(a, bool) else None
            rb = b if rok and isinstance(b, bool) else None
            if la is is_and:  # true && x, false || x
                return right
            if rb is is_and:  # x && true, x || false
                return left
            if la is (not is_and) or rb is (not is_and):
                return _literal_tree(not is_and)
        elif lok and rok:
            if o == "%" and _is_int(a) and _is_int(b):
                if b == 0:
                    raise _CheckError("integer divide by zero")
                return _literal_tree(_go_mod(a, b))
            if o in ("+", "-", "*", "/", "**", "^") and _is_num(a) and _is_num(b):
                return _literal_tree(_arith(o, a, b))
            if o == "+" and isinstance(a, str) and isinstance(b, str):
                return _literal_tree(a + b)
            if o == "==" and type(a) is type(b) and not isinstance(a, float):
                return _literal_tree(a == b)
    return t
