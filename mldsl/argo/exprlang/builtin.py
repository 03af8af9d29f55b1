"""expr-lang's builtins over dates and collections, and the table of all of them (``builtin/builtin.go``)."""

from __future__ import annotations

import base64
import datetime
import math
from collections.abc import Callable
from typing import Any

from mldsl.argo.errors import ExprError
from mldsl.argo.exprlang.clock import _UTC
from mldsl.argo.exprlang.goduration import GoDuration, _load_location, _Location
from mldsl.argo.exprlang.gotime import GoTime, _go_type
from mldsl.argo.exprlang.lib import (
    _abs,
    _b64decode,
    _float_builtin,
    _from_json,
    _go_round,
    _index_of,
    _int_builtin,
    _join,
    _len,
    _mean,
    _median,
    _min_max,
    _need_str,
    _now,
    _repeat,
    _replace,
    _rounder,
    _split,
    _to_json_indent,
    _trim,
    _trim_space,
    _type,
)
from mldsl.argo.exprlang.operators import _equal, _fetch, _less
from mldsl.argo.exprlang.syntax import _PREDICATES
from mldsl.argo.exprlang.timeparse import _parse_duration, _parse_time
from mldsl.argo.exprlang.tokens import _AnyKeyMap, _is_int, _RunError, _wrap
from mldsl.argo.exprlang.values import go_string

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
