"""The VM's operators at run time (``vm/runtime/runtime.go``, ``helpers[generated].go``).

Equality, order, arithmetic, fetch, slice, ``in``.
"""

from __future__ import annotations

import math
import re
from typing import Any

from mldsl.argo.errors import ExprError
from mldsl.argo.exprlang.goduration import GoDuration, _Location
from mldsl.argo.exprlang.gotime import GoTime, _go_type
from mldsl.argo.exprlang.sigs import _Func, _to_int
from mldsl.argo.exprlang.tokens import _AnyKeyMap, _is_int, _is_num, _RunError, _wrap
from mldsl.argo.exprlang.values import go_string


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
