"""expr-lang's precedence-climbing parser (``parser/parser.go``): text to a :class:`Tree`."""

from __future__ import annotations

from mldsl.argo.errors import ExprError
from mldsl.argo.exprlang.lexer import _Lexer, _Tok
from mldsl.argo.exprlang.syntax import _BINARY, _COMPARISON, _NEGATABLE, _PREDICATES, _UNARY, _tree, _valid_identifier
from mldsl.argo.exprlang.tokens import Token, Tree
from mldsl.argo.gostrconv import NumError, parse_float, parse_int


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
