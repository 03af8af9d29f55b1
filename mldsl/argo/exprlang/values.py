"""Go's ``%v`` and ``encoding/json`` output of expr-lang values, and the VM's interface conversions."""

from __future__ import annotations

from typing import Any

from mldsl.argo.exprlang.goduration import GoDuration, _Location
from mldsl.argo.exprlang.gotime import GoTime, _format_time, _go_type
from mldsl.argo.exprlang.tokens import _AnyKeyMap, _is_int, _is_num, _NilList, _RunError
from mldsl.argo.gostrconv import format_float_json, format_float_v


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


def _as_bool(v: Any) -> bool:
    """A jump on a condition asserts ``.(bool)`` (vm.go OpJumpIfTrue/False, OpNot): anything else panics."""
    if isinstance(v, bool):
        return v
    raise _RunError(f"interface conversion: interface {{}} is {_iface_type(v)}, not bool")


def _iface_type(v: Any) -> str:
    """The dynamic type a failed type assertion names: ``nil`` for a nil interface."""
    return "nil" if v is None else _go_type(v)
