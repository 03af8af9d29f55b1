"""The evaluator with the VM's runtime rules, constant folding as expr's optimizer does, and :func:`evaluate`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from mldsl.argo.errors import ExprError
from mldsl.argo.exprlang.argofuncs import _ARGO_FUNCS
from mldsl.argo.exprlang.builtin import _PREDICATE_NAMES, BUILTINS, _go_kind, _hashable, _stable_sort
from mldsl.argo.exprlang.checkcalls import _CheckError
from mldsl.argo.exprlang.checker import _Checker
from mldsl.argo.exprlang.goduration import GoDuration
from mldsl.argo.exprlang.gotime import _go_type
from mldsl.argo.exprlang.lib import _need_str
from mldsl.argo.exprlang.operators import _arith, _equal, _fetch, _go_mod, _in, _less, _order, _slice, _to_regex
from mldsl.argo.exprlang.parser import parse
from mldsl.argo.exprlang.sigs import _Func, _to_int
from mldsl.argo.exprlang.syntax import _string_value, _tree
from mldsl.argo.exprlang.tokens import Token, Tree, _AnyKeyMap, _is_int, _is_num, _RunError, _wrap
from mldsl.argo.exprlang.values import _as_bool, _iface_type, go_string


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
        coll = _predicate_collection(self.run(argv[0]))
        pred = argv[1].children[0] if len(argv) > 1 else None
        scope: dict[str, Any] = {"item": None, "index": 0, "acc": None}
        self.scopes.append(scope)

        def each(i: int, item: Any) -> Any:
            scope["item"], scope["index"] = item, i
            return self.run(pred) if pred is not None else item

        try:
            return self._reduce_or_test(name, argv, coll, each, scope)
        finally:
            self.scopes.pop()

    def _reduce_or_test(
        self, name: str, argv: list[Any], coll: list[Any], each: Callable[[int, Any], Any], scope: dict[str, Any]
    ) -> Any:
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
        return self._find_or_order(name, argv, coll, each)

    def _find_or_order(self, name: str, argv: list[Any], coll: list[Any], each: Callable[[int, Any], Any]) -> Any:
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
        raise ExprError(f"unknown builtin {name}")


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


def _predicate_collection(coll: Any) -> Any:
    """What a predicate built-in walks over, or the VM's reflect panic."""
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
    return coll
