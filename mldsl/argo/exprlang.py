"""Evaluate the expr-lang that Argo runs in ``{{=...}}``, ``valueFrom.expression`` and ``when``.

Only the subset mldsl emits (``grammar/exprlang.lark``), with expr-lang's own
rules where they differ from Python's: ``/`` always gives a float, comparing a
string with a number is an error (not ``False``), a missing map key is ``nil``,
``string(x)`` formats like Go's ``%v``, and Argo's helpers (argo-workflows
v4.1.2 ``util/expr/env/env.go`` GetFuncMap: ``asInt``, ``asFloat``,
``jsonpath``, ``toJson``, ``sprig``).

>>> evaluate("asFloat(tasks['eval'].outputs.parameters['auc']) >= 0.8",
...          {"tasks": {"eval": {"outputs": {"parameters": {"auc": "0.91"}}}}})
True
>>> evaluate("toJson('a' + x)", {"x": '"b'})
'"a\\\\"b"'
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import time
from collections.abc import Callable
from typing import Any

from lark import Token, Tree
from lark.exceptions import LarkError


class ExprError(Exception):
    """The expression does not parse, or fails while it runs (Argo would error the node)."""


def parse(code: str) -> Tree[Token]:
    from mldsl.grammars import parser

    try:
        return parser("exprlang").parse(code)
    except LarkError as exc:
        raise ExprError(f"cannot parse {code!r}: {str(exc).splitlines()[0]}") from None


def evaluate(code: str, env: dict[str, Any]) -> Any:
    """The value of ``code`` over ``env`` (a nested mapping, as Argo's ``expand.Expand`` makes it)."""
    try:
        return _Eval(env).run(parse(code))
    except ExprError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, RecursionError) as exc:
        raise ExprError(f"{code!r}: {exc}") from None


def go_string(v: Any) -> str:
    """``v`` formatted like Go's ``fmt.Sprint`` (what expr-lang's ``string()`` does)."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return go_float(v)
    if isinstance(v, (list, dict)):
        return json.dumps(v)  # Go prints [a b]; mldsl never stringifies collections this way
    return str(v)


def go_float(f: float) -> str:
    """``%v`` of a float64: shortest digits, exponent form below 1e-4 or from 1e21."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "0"
    digits = repr(abs(f))
    mantissa, _, exp_text = digits.partition("e")
    exp = int(exp_text) if exp_text else 0
    intpart, _, frac = mantissa.partition(".")
    frac = frac.rstrip("0")
    all_digits = (intpart + frac).lstrip("0")
    point = len(intpart) + exp if intpart != "0" else exp - (len(frac) - len(frac.lstrip("0")))
    decimal_exp = point - 1
    sign = "-" if f < 0 else ""
    if decimal_exp < -4 or decimal_exp >= 21:
        body = all_digits[0] + ("." + all_digits[1:] if len(all_digits) > 1 else "")
        return f"{sign}{body}e{'-' if decimal_exp < 0 else '+'}{abs(decimal_exp):02d}"
    text = repr(abs(f)) if not exp_text else f"{abs(f):.{max(0, len(all_digits) - point)}f}"
    if text.endswith(".0"):
        text = text[:-2]
    return sign + text


def to_json(v: Any) -> str:
    """Go's ``json.Marshal``: compact, and ``<``, ``>``, ``&`` escaped."""
    text = json.dumps(v, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _as_int(v: Any) -> int:
    if isinstance(v, bool):
        raise ValueError(f"cannot convert {v!r} to int")
    if isinstance(v, str):
        return int(v.strip(), 10)
    return int(v)


def _as_float(v: Any) -> float:
    if isinstance(v, str):
        return float(v.strip())
    if isinstance(v, bool):
        raise ValueError(f"cannot convert {v!r} to float")
    return float(v)


def _jsonpath(text: str, path: str) -> Any:
    if path != "$":
        raise ExprError(f"jsonpath {path!r}: only '$' is emitted by mldsl")
    return json.loads(text)


class GoTime:
    """A Go ``time.Time`` (expr-lang's ``now()`` and ``date()``), with the methods mldsl emits."""

    def __init__(self, seconds: float, when: datetime.datetime | None = None):
        self.seconds = seconds
        self.when = when or datetime.datetime.fromtimestamp(seconds, datetime.UTC)

    def Unix(self) -> int:  # noqa: N802 - Go's method name, as expressions call it
        return int(self.seconds)

    def Format(self, layout: str) -> str:  # noqa: N802
        """Go's reference-time layout, for the elements mldsl emits (one element per call)."""
        if layout not in _LAYOUT:
            raise ExprError(f"Format: layout {layout!r} is not one mldsl emits")
        return self.when.strftime(_LAYOUT[layout])


_LAYOUT = {"2006": "%Y", "01": "%m", "02": "%d", "15": "%H", "04": "%M", "05": "%S"}


def _date(text: Any) -> GoTime:
    """expr-lang's ``date(str)`` for RFC 3339 text: the offset is kept, as Go's time.Parse keeps it."""
    try:
        when = datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise ExprError(f"date: cannot parse {text!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return GoTime(when.timestamp(), when)


def _replace(s: Any, old: Any, new: Any) -> str:
    """expr-lang's ``replace(str, old, new)``: strings.ReplaceAll (``builtin/builtin.go``); strings only."""
    if not all(isinstance(a, str) for a in (s, old, new)):
        raise ExprError("replace: arguments must be strings")
    return str(s).replace(old, new)


_SPRIG: dict[str, Callable[..., Any]] = {
    "sha256sum": lambda s: hashlib.sha256(str(s).encode()).hexdigest(),
    "trim": lambda s: str(s).strip(),
    "trimPrefix": lambda prefix, s: str(s)[len(str(prefix)) :] if str(s).startswith(str(prefix)) else str(s),
    "toString": go_string,
}

BUILTINS: dict[str, Any] = {
    "asInt": _as_int,
    "int": _as_int,
    "asFloat": _as_float,
    "float": _as_float,
    "string": go_string,
    "toJson": to_json,
    "jsonpath": _jsonpath,
    "len": len,
    "lower": lambda s: str(s).lower(),
    "upper": lambda s: str(s).upper(),
    "join": lambda items, sep: str(sep).join(str(i) for i in items),
    "replace": _replace,
    "sprig": _SPRIG,
    # an expr-lang builtin (used in Argo's own docs, ``docs/cron-workflows.md``); an env may replace it for tests
    "now": lambda: GoTime(time.time()),
    "date": _date,
}


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class _Eval:
    def __init__(self, env: dict[str, Any], pointer: Any = None):
        self.env = env
        self.pointer = pointer

    def run(self, t: Tree[Token] | Token) -> Any:
        if isinstance(t, Token):  # an unnamed passthrough (parentheses)
            raise ExprError(f"unexpected token {t!r}")
        method = getattr(self, "_" + str(t.data), None)
        if method is None:
            raise ExprError(f"unsupported expression {t.data}")
        return method(*t.children)

    # -- atoms -----------------------------------------------------------------
    def _number(self, tok: Token) -> Any:
        text = str(tok)
        return float(text) if any(c in text for c in ".eE") else int(text)

    def _string(self, tok: Token) -> str:
        text = str(tok)
        body = text[1:-1]
        if text[0] == "'":
            body = body.replace('\\"', '"').replace('"', '\\"').replace("\\'", "'")
        return str(json.loads('"' + body + '"'))

    def _true(self) -> bool:
        return True

    def _false(self) -> bool:
        return False

    def _nil(self) -> None:
        return None

    def _name(self, tok: Token) -> Any:
        name = str(tok)
        if name in self.env:
            return self.env[name]
        if name in BUILTINS:
            return BUILTINS[name]
        raise ExprError(f"unknown name {name!r}")

    def _pointer(self) -> Any:
        return self.pointer

    def _array(self, args: Tree[Token] | None) -> list[Any]:
        return [] if args is None else [self.run(a) for a in args.children]

    def _mapping(self, *pairs: Tree[Token] | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for p in pairs:
            if p is None:
                continue
            key_tok, value = p.children
            key = str(key_tok)
            out[self._string(Token("STRING", key)) if key[:1] in "'\"" else key] = self.run(value)
        return out

    def _closure(self, body: Tree[Token]) -> Callable[[Any], Any]:
        return lambda item: _Eval(self.env, item).run(body)

    # -- access and calls ----------------------------------------------------
    def _member(self, target: Tree[Token], name: Token) -> Any:
        return self._get(self.run(target), str(name))

    def _index(self, target: Tree[Token], key: Tree[Token]) -> Any:
        return self._get(self.run(target), self.run(key))

    @staticmethod
    def _get(obj: Any, key: Any) -> Any:
        if isinstance(obj, dict):
            return obj.get(key)  # a missing key is nil in expr-lang
        if isinstance(obj, (list, str)) and isinstance(key, int) and not isinstance(key, bool):
            return obj[key]
        if isinstance(obj, GoTime) and key in ("Unix", "Format"):
            return getattr(obj, key)
        raise ExprError(f"cannot fetch {key!r} from {type(obj).__name__}")

    def _call(self, target: Tree[Token], args: Tree[Token] | None) -> Any:
        values = [] if args is None else list(args.children)
        if isinstance(target, Tree) and target.data == "name" and str(target.children[0]) == "map":
            items = self.run(values[0])
            fn = self.run(values[1])
            return [fn(i) for i in items]
        fn = self.run(target)
        if not callable(fn):
            raise ExprError(f"{fn!r} is not a function")
        return fn(*[self.run(v) for v in values])

    # -- operators -------------------------------------------------------------
    def _neg(self, operand: Tree[Token]) -> Any:
        v = self.run(operand)
        if not _number(v):
            raise ExprError(f"cannot negate {v!r}")
        return -v

    def _not_(self, operand: Tree[Token]) -> bool:
        v = self.run(operand)
        if not isinstance(v, bool):
            raise ExprError(f"'not' needs a bool, got {v!r}")
        return not v

    def _and_(self, left: Tree[Token], right: Tree[Token]) -> bool:
        lv = self._bool(self.run(left))
        return lv and self._bool(self.run(right))

    def _or_(self, left: Tree[Token], right: Tree[Token]) -> bool:
        lv = self._bool(self.run(left))
        return lv or self._bool(self.run(right))

    @staticmethod
    def _bool(v: Any) -> bool:
        if not isinstance(v, bool):
            raise ExprError(f"expected a bool, got {v!r}")
        return v

    def _cond(self, test: Tree[Token], yes: Tree[Token], no: Tree[Token]) -> Any:
        return self.run(yes) if self._bool(self.run(test)) else self.run(no)

    def _coalesce(self, left: Tree[Token], right: Tree[Token]) -> Any:
        v = self.run(left)
        return self.run(right) if v is None else v

    def _in_(self, item: Tree[Token], coll: Tree[Token]) -> bool:
        v, c = self.run(item), self.run(coll)
        if isinstance(c, dict):
            return v in c
        if isinstance(c, list):
            return any(_equal(v, x) for x in c)
        raise ExprError(f"'in' needs a list or a map, got {c!r}")

    def _contains(self, text: Tree[Token], part: Tree[Token]) -> bool:
        t, p = self.run(text), self.run(part)
        if not isinstance(t, str) or not isinstance(p, str):
            raise ExprError("'contains' works on strings")
        return p in t

    def _binop(self, left: Tree[Token], op: Token, right: Tree[Token]) -> Any:
        a, b = self.run(left), self.run(right)
        o = str(op)
        if o == "==":
            return _equal(a, b)
        if o == "!=":
            return not _equal(a, b)
        if o == "+" and isinstance(a, str) and isinstance(b, str):
            return a + b
        if o in ("<", "<=", ">", ">=") and isinstance(a, str) and isinstance(b, str):
            return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[o]
        if not (_number(a) and _number(b)):
            raise ExprError(f"invalid operation: {a!r} {o} {b!r}")
        if o == "+":
            return a + b
        if o == "-":
            return a - b
        if o == "*":
            return a * b
        if o == "/":
            return a / b
        if o == "%":
            if not (isinstance(a, int) and isinstance(b, int)):
                raise ExprError("'%' needs integers")
            return int(math.fmod(a, b))
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[o]


def _equal(a: Any, b: Any) -> bool:
    if _number(a) and _number(b):
        return bool(a == b)
    if type(a) is not type(b) and not (a is None or b is None):
        return False
    return bool(a == b)
