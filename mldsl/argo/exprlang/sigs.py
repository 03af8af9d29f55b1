"""Function signatures the checker reads, and Go's conversions of arguments to them."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mldsl.argo.exprlang.goduration import GoDuration, _Location
from mldsl.argo.exprlang.gotime import GoTime, _go_type
from mldsl.argo.exprlang.tokens import _is_int, _is_num, _RunError


@dataclass(frozen=True)
class _Sig:
    """A Go function's parameter kinds (``any string int float bool time duration []any []string map
    location``), its variadic element kind, and its result kind."""

    params: tuple[str, ...]
    out: str = "any"
    variadic: str | None = None


class _Func:
    """A Go function value: called through reflection (``vm/vm.go`` OpCall l. 368-417)."""

    def __init__(self, name: str, impl: Callable[..., Any], sig: _Sig | None = None):
        self.name, self.impl, self.sig = name, impl, sig

    def __call__(self, *args: Any) -> Any:
        sig = self.sig
        if sig is not None:
            n = len(sig.params)
            if sig.variadic is None and len(args) != n:
                raise _RunError(f"invalid number of arguments: expected {n}, got {len(args)}")
            if sig.variadic is not None and len(args) < n:
                raise _RunError(f"invalid number of arguments: expected at least {n}, got {len(args)}")
            args = tuple(_go_arg(a, sig.params[i] if i < n else sig.variadic or "any") for i, a in enumerate(args))
        return self.impl(*args)


_ZERO = {"string": "", "int": 0, "float": 0.0, "bool": False}
_KIND_TYPE = {"string": "string", "int": "int", "float": "float64", "bool": "bool", "time": "time.Time",
              "duration": "time.Duration", "[]any": "[]interface {}", "[]string": "[]string",
              "map": "map[string]interface {}", "location": "*time.Location", "any": "interface {}"}  # fmt: skip


def _go_arg(v: Any, kind: str) -> Any:
    """reflect.Value.Call's conversions: nil becomes the zero value, other types must match."""
    if kind == "any":
        return v
    if v is None:
        return _ZERO.get(kind)
    ok = {
        "string": isinstance(v, str), "int": _is_int(v), "float": isinstance(v, float), "bool": isinstance(v, bool),
        "time": isinstance(v, GoTime), "duration": isinstance(v, GoDuration), "[]any": isinstance(v, list),
        "[]string": isinstance(v, list) and all(isinstance(x, str) for x in v), "map": isinstance(v, dict),
        "location": isinstance(v, _Location),
    }.get(kind, True)  # fmt: skip
    if not ok:
        raise _RunError(f"reflect: Call using {_go_type(v)} as type {_KIND_TYPE.get(kind, kind)}")
    return v


def _to_int(v: Any, what: str = "int") -> int:
    """runtime.ToInt (``vm/runtime/runtime.go`` l. 323-352): numbers only, floats truncated."""
    if _is_int(v):
        return int(v)
    if isinstance(v, float):
        return _go_float_to_int(v)
    raise _RunError(f"invalid operation: {what}({_go_type(v)})")


def _go_float_to_int(f: float) -> int:
    """Go's ``int(f)`` on amd64: truncation; NaN and out-of-range give the minimum int64."""
    if math.isnan(f) or math.isinf(f) or not -(2.0**63) <= f < 2.0**63:
        return -(1 << 63)
    return int(f)


def _to_float(v: Any) -> float:
    if _is_num(v):
        return float(v)
    raise _RunError(f"invalid operation: float({_go_type(v)})")


_S, _A = "string", "any"
