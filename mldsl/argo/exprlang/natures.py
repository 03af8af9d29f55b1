"""The checker's natures (``checker/nature``): what it knows of a value's type before running."""

from __future__ import annotations

from dataclasses import dataclass

from mldsl.argo.exprlang.sigs import _A, _KIND_TYPE, _S, _Sig


@dataclass(frozen=True)
class _N:
    """A checker nature (``checker/nature/nature.go``): what is statically known of a value."""

    kind: str  # unknown nil bool int float string array map time duration location func struct
    gotype: str = ""
    elem: _N | None = None
    sig: _Sig | None = None
    builtin: str | None = None
    method: bool = False

    @property
    def unknown(self) -> bool:  # IsUnknown l. 219-221: no type (and not nil), or interface{}
        return self.kind == "unknown"

    @property
    def number(self) -> bool:
        return self.kind in ("int", "float")

    def __str__(self) -> str:  # String l. 223-228
        return self.gotype or "unknown"


_U = _N("unknown")
_NIL = _N("nil")
_BOOL, _INT, _FLOAT, _STR = _N("bool", "bool"), _N("int", "int"), _N("float", "float64"), _N("string", "string")
_ARRAY = _N("array", "[]interface {}", _U)
_MAP = _N("map", "map[string]interface {}", _U)
_TIME, _DUR = _N("time", "time.Time"), _N("duration", "time.Duration")
_LOC = _N("location", "*time.Location")
_KIND_NATURE = {"any": _U, "string": _STR, "int": _INT, "float": _FLOAT, "bool": _BOOL, "time": _TIME,
                "duration": _DUR, "[]any": _ARRAY, "[]string": _N("array", "[]string", _STR), "map": _MAP,
                "location": _LOC, "month": _N("int", "time.Month"), "weekday": _N("int", "time.Weekday")}  # fmt: skip


def _arr(elem: _N) -> _N:
    return _N("array", "[]interface {}", elem)


def _func_type(sig: _Sig) -> str:
    params = [_KIND_TYPE.get(p, p) for p in sig.params]
    if sig.variadic:
        params.append("..." + _KIND_TYPE.get(sig.variadic, sig.variadic))
    return f"func({', '.join(params)}) {_KIND_TYPE.get(sig.out, sig.out)}"


def _func_nature(sig: _Sig | None, *, method: bool = False) -> _N:
    return _N("func", _func_type(sig) if sig else "func", sig=sig, method=method)


_TIME_METHODS: dict[str, _Sig] = {
    **{m: _Sig((), "int") for m in ("Unix", "UnixMilli", "UnixMicro", "UnixNano", "Year", "Day", "Hour", "Minute",
                                     "Second", "Nanosecond", "YearDay")},
    "Month": _Sig((), "month"), "Weekday": _Sig((), "weekday"), "UTC": _Sig((), "time"), "Local": _Sig((), "time"),
    "In": _Sig(("location",), "time"), "Add": _Sig(("duration",), "time"), "Sub": _Sig(("time",), "duration"),
    "AddDate": _Sig(("int", "int", "int"), "time"), "Before": _Sig(("time",), "bool"),
    "After": _Sig(("time",), "bool"), "Equal": _Sig(("time",), "bool"), "Compare": _Sig(("time",), "int"),
    "IsZero": _Sig((), "bool"), "Truncate": _Sig(("duration",), "time"), "Round": _Sig(("duration",), "time"),
    "Format": _Sig(("string",), "string"), "String": _Sig((), "string"), "Location": _Sig((), "location"),
}  # fmt: skip
_DURATION_METHODS: dict[str, _Sig] = {
    **{m: _Sig((), "float") for m in ("Hours", "Minutes", "Seconds")},
    **{m: _Sig((), "int") for m in ("Milliseconds", "Microseconds", "Nanoseconds")},
    "String": _Sig((), "string"), "Abs": _Sig((), "duration"), "Truncate": _Sig(("duration",), "duration"),
}  # fmt: skip
_METHODS = {"time": _TIME_METHODS, "duration": _DURATION_METHODS, "location": {"String": _Sig((), "string")}}

#: the overloads of the built-ins checked by their Go signatures (``Types`` in builtin.go)
_BUILTIN_TYPES: dict[str, list[_Sig]] = {
    "type": [_Sig((_A,), _S)], "string": [_Sig((_A,), _S)],
    "trim": [_Sig((_S,), _S), _Sig((_S, _S), _S)], "trimPrefix": [_Sig((_S, _S), _S), _Sig((_S,), _S)],
    "trimSuffix": [_Sig((_S, _S), _S), _Sig((_S,), _S)], "upper": [_Sig((_S,), _S)], "lower": [_Sig((_S,), _S)],
    "split": [_Sig((_S, _S), "[]string"), _Sig((_S, _S, "int"), "[]string")],
    "splitAfter": [_Sig((_S, _S), "[]string"), _Sig((_S, _S, "int"), "[]string")],
    "replace": [_Sig((_S, _S, _S, "int"), _S), _Sig((_S, _S, _S), _S)], "repeat": [_Sig((_S, "int"), _S)],
    "join": [_Sig(("[]string", _S), _S), _Sig(("[]any", _S), _S), _Sig(("[]any",), _S), _Sig(("[]string",), _S)],
    "indexOf": [_Sig((_S, _S), "int")], "lastIndexOf": [_Sig((_S, _S), "int")],
    "hasPrefix": [_Sig((_S, _S), "bool")], "hasSuffix": [_Sig((_S, _S), "bool")],
    "toJSON": [_Sig((_A,), _S)], "fromJSON": [_Sig((_S,), _A)], "toBase64": [_Sig((_S,), _S)],
    "fromBase64": [_Sig((_S,), _S)], "duration": [_Sig((_S,), "duration")], "timezone": [_Sig((_S,), "location")],
    "sort": [_Sig(("[]any", _S), "[]any"), _Sig(("[]any",), "[]any")],
    **{b: [_Sig(("int", "int"), "int")] for b in ("bitand", "bitor", "bitxor", "bitnand", "bitshl", "bitshr", "bitushr")},
    "bitnot": [_Sig(("int",), "int")],
}  # fmt: skip


def _same_type(a: _N, b: _N) -> bool:
    return not a.unknown and not b.unknown and a.kind == b.kind and a.gotype == b.gotype


def _comparable(a: _N, b: _N) -> bool:  # Nature.ComparableTo l. 557-565
    return (
        a.unknown or b.unknown or a.kind == "nil" or b.kind == "nil" or (a.number and b.number)
        or a.kind == b.kind == "duration" or a.kind == b.kind == "time" or a.kind == b.kind == "array"
        or _same_type(a, b)
    )  # fmt: skip
