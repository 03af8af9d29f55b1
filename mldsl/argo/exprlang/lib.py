"""expr-lang's builtins over numbers, strings and JSON (``builtin/builtin.go``, ``builtin/lib.go``)."""

from __future__ import annotations

import base64
import json
import math
import re
import time
from collections.abc import Callable
from typing import Any

from mldsl.argo.exprlang.clock import _UTC
from mldsl.argo.exprlang.goduration import GoDuration, _Location
from mldsl.argo.exprlang.gotime import GoTime, _go_type
from mldsl.argo.exprlang.lexer import _is_space
from mldsl.argo.exprlang.operators import _less
from mldsl.argo.exprlang.sigs import _go_float_to_int, _to_int
from mldsl.argo.exprlang.tokens import _is_int, _is_num, _NilList, _RunError, _wrap
from mldsl.argo.exprlang.values import _iface_type, to_json
from mldsl.argo.gostrconv import NumError, atoi, parse_float


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


def _b64decode(s: str) -> str:
    try:
        return base64.b64decode(s, validate=True).decode("utf-8", "replace")
    except ValueError as exc:
        raise _RunError(f"illegal base64 data: {exc}") from None
