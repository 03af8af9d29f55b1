"""``checker/checker.go`` over natures: raises where Argo's ``expr.Compile`` fails."""

from __future__ import annotations

from collections.abc import Callable

from mldsl.argo.exprlang.builtin import _ALL_BUILTINS
from mldsl.argo.exprlang.checkcalls import _assignable, _CheckCalls, _nature_of
from mldsl.argo.exprlang.natures import (
    _ARRAY,
    _BOOL,
    _DUR,
    _FLOAT,
    _INT,
    _MAP,
    _METHODS,
    _N,
    _NIL,
    _STR,
    _TIME,
    _U,
    _arr,
    _comparable,
    _func_nature,
    _same_type,
)
from mldsl.argo.exprlang.operators import _to_regex
from mldsl.argo.exprlang.syntax import _string_value
from mldsl.argo.exprlang.tokens import Token, Tree


class _Checker(_CheckCalls):
    """``checker/checker.go`` over natures: raises where Argo's ``expr.Compile`` fails."""

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

        if o in ("-", "*", "/", "**", "^", "%", "+"):
            nature = _arith_nature(o, lt, rt, maybe)
            if nature is not None:
                return nature
        elif o in ("==", "!="):
            if _comparable(lt, rt):
                return _BOOL
        elif o in ("or", "||", "and", "&&"):
            if (lt.kind == "bool" and rt.kind == "bool") or maybe("bool"):
                return _BOOL
        elif o in ("<", ">", "<=", ">="):
            if (lt.number and rt.number) or any(lt.kind == rt.kind == k for k in ("string", "time", "duration")):
                return _BOOL
            if maybe("int", "float", "string", "time", "duration"):
                return _BOOL
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


def _arith_nature(o: str, lt: _N, rt: _N, maybe: Callable[..., bool]) -> _N | None:
    """binaryNode's arithmetic operators (``-``, ``*``, ``/``, ``**``, ``^``, ``%``, ``+``): None where they refuse."""
    num = ("int", "float")
    if o == "-":
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
    return None
