"""Argo's additions to expr's environment (``util/expr/env/env.go`` GetFuncMap).

``asInt``, ``asFloat``, ``jsonpath``, ``toJson`` and ``sprig``.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable
from typing import Any

from mldsl.argo.errors import ExprError
from mldsl.argo.exprlang.clock import _NS, _UTC
from mldsl.argo.exprlang.goduration import _load_location, _Location
from mldsl.argo.exprlang.gotime import GoTime
from mldsl.argo.exprlang.jsonpath import _JsonPath
from mldsl.argo.exprlang.lib import _float_builtin, _int_builtin, _json_bad, _now, _trim_space
from mldsl.argo.exprlang.operators import _go_div, _go_mod
from mldsl.argo.exprlang.sigs import _A, _S, _Func, _go_float_to_int, _Sig
from mldsl.argo.exprlang.tokens import _digest, _is_int, _is_num, _RunError, _wrap
from mldsl.argo.exprlang.values import _json_string, go_string, to_json
from mldsl.argo.gostrconv import NumError, atoi, parse_float, parse_int

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


#: GetFuncMap's additions, as functions of known type (``asInt`` is ``builtin.Int``: ``func(any) any``)
_ARGO_FUNCS: dict[str, Any] = {
    "asInt": _Func("asInt", _int_builtin, _Sig((_A,), _A)),
    "asFloat": _Func("asFloat", _float_builtin, _Sig((_A,), _A)),
    "jsonpath": _Func("jsonpath", _argo_jsonpath, _Sig((_S, _S), _A)),
    "toJson": _Func("toJson", _argo_to_json, _Sig((_A,), _S)),
    "sprig": _SPRIG,
}
