"""The checker's state and dispatch, and its checks of calls (``checker/checker.go`` callNode, builtinNode, checkArguments)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mldsl.argo.errors import ExprError
from mldsl.argo.exprlang.builtin import _ALL_BUILTINS, _PREDICATE_NAMES
from mldsl.argo.exprlang.goduration import GoDuration, _Location
from mldsl.argo.exprlang.gotime import GoTime
from mldsl.argo.exprlang.natures import (
    _ARRAY,
    _BOOL,
    _BUILTIN_TYPES,
    _DUR,
    _FLOAT,
    _INT,
    _KIND_NATURE,
    _LOC,
    _MAP,
    _N,
    _NIL,
    _STR,
    _TIME,
    _U,
    _arr,
    _func_nature,
)
from mldsl.argo.exprlang.sigs import _A, _KIND_TYPE, _Func, _Sig
from mldsl.argo.exprlang.tokens import Token, Tree, _is_int


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


class _CheckCalls:
    """The base of :class:`_Checker`: its state, the dispatch, and the checks of calls (callNode, builtinNode)."""

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
        arity, kind = self._arity(args), _kinds(args)
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
        return self._validate_more(name, args)

    def _validate_more(self, name: str, args: list[_N]) -> _N:
        """:meth:`_validate` of the element and collection builtins."""
        count = len(args)
        arity, kind = self._arity(args), _kinds(args)
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

    def _arity(self, args: list[_N]) -> Callable[[int], None]:
        def arity(n: int) -> None:
            if len(args) != n:
                raise self.fail(f"invalid number of arguments (expected {n}, got {len(args)})")

        return arity

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


def _kinds(args: list[_N]) -> Callable[[int], str]:
    def kind(i: int) -> str:
        return "any" if args[i].unknown else args[i].kind

    return kind
