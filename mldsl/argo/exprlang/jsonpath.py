"""The JSONPath of Argo's ``jsonpath()`` helper (k8s.io/client-go's ``util/jsonpath``, as ``util/expr/env/env.go`` uses it)."""

from __future__ import annotations

import re
from typing import Any

from mldsl.argo.exprlang.gotime import _go_type
from mldsl.argo.exprlang.tokens import _is_num, _RunError


class _JsonPath:
    """The JSONPath subset of evilmonkeyinc/jsonpath v0.8.1 that workflows use: ``$``, ``.key``,
    ``['key']``, ``[n]`` (negative from the end), ``[a:b]``, ``[*]``/``.*``, ``[a,b]``, ``..key``,
    ``[?(@.x > 1 && @.y == 'z')]`` and ``.length``. A definite path yields one value, a missing key
    is an error; any wildcard, slice, union, recursion or filter yields a list."""

    def __init__(self, path: str):
        self.path, self.i = path, 0
        if not path.startswith("$"):
            raise _RunError(f"invalid JSONPath selector '{path}' unexpected token '{path[:1]}' at index 0")
        self.i = 1

    def error(self, what: str) -> _RunError:
        return _RunError(f"invalid JSONPath selector '{self.path}' {what}")

    def query(self, data: Any) -> Any:
        values, many = [data], False
        p = self.path
        while self.i < len(p):
            c = p[self.i]
            if p.startswith("..", self.i):
                self.i += 2
                name = self._name()
                found: list[Any] = []
                for v in values:
                    found += _json_descend(v, name)
                values, many = found, True
            elif c == ".":
                self.i += 1
                if p[self.i : self.i + 1] == "*":
                    self.i += 1
                    values, many = [x for v in values for x in _json_children(v)], True
                else:
                    name = self._name()
                    values = [self._key(v, name) for v in values]
            elif c == "[":
                close = self._bracket_end()
                inner = p[self.i + 1 : close].strip()
                self.i = close + 1
                values, more = self._bracket(values, inner)
                many = many or more
            else:
                raise self.error(f"unexpected token '{c}' at index {self.i}")
        return values if many else values[0]

    def _name(self) -> str:
        m = re.compile(r"[^.\[\]]+").match(self.path, self.i)
        if m is None:
            raise self.error(f"unexpected token at index {self.i}")
        self.i = m.end()
        return m.group(0)

    def _bracket_end(self) -> int:
        depth, quote = 0, ""
        for j in range(self.i, len(self.path)):
            c = self.path[j]
            if quote:
                quote = "" if c == quote else quote
            elif c in "'\"":
                quote = c
            elif c == "[":
                depth += 1
            elif c == "]":
                depth -= 1
                if depth == 0:
                    return j
        raise self.error("missing ']'")

    def _key(self, v: Any, name: str) -> Any:
        if isinstance(v, dict):
            if name in v:
                return v[name]
            raise _RunError(f"key: invalid token key '{name}' not found")
        if name == "length" and isinstance(v, (list, str)):
            return len(v)
        raise _RunError(f"key: invalid token target. expected [map] got [{_json_kind(v)}]")

    def _bracket(self, values: list[Any], inner: str) -> tuple[list[Any], bool]:
        if inner == "*":
            return [x for v in values for x in _json_children(v)], True
        if inner.startswith("?(") and inner.endswith(")"):
            cond = inner[2:-1]
            return [x for v in values for x in _json_children(v) if _json_truthy(_JsonFilter(cond).eval(x))], True
        parts = _split_top(inner, ",")
        if len(parts) > 1:
            return [self._one(v, part.strip()) for v in values for part in parts], True
        if ":" in inner and inner[:1] not in "'\"":
            return [x for v in values for x in self._slice(v, inner)], True
        return [self._one(v, inner) for v in values], False

    def _one(self, v: Any, sel: str) -> Any:
        if sel[:1] in "'\"":
            return self._key(v, sel[1:-1])
        try:
            n = int(sel)
        except ValueError:
            raise self.error(f"unexpected token '{sel}'") from None
        if not isinstance(v, list):
            raise _RunError(f"index: invalid token target. expected [array slice] got [{_json_kind(v)}]")
        if n < 0:
            n += len(v)
        if not 0 <= n < len(v):
            raise _RunError("index: invalid token out of range")
        return v[n]

    def _slice(self, v: Any, inner: str) -> list[Any]:
        if not isinstance(v, list):
            raise _RunError(f"range: invalid token target. expected [array slice] got [{_json_kind(v)}]")
        bounds = [b.strip() for b in inner.split(":")]
        start = int(bounds[0]) if bounds[0] else 0
        stop = int(bounds[1]) if len(bounds) > 1 and bounds[1] else len(v)
        step = int(bounds[2]) if len(bounds) > 2 and bounds[2] else 1
        return v[start:stop:step]


def _json_kind(v: Any) -> str:
    return {"map[string]interface {}": "map", "[]interface {}": "slice", "<nil>": "nil"}.get(_go_type(v), _go_type(v))


def _json_children(v: Any) -> list[Any]:
    if isinstance(v, dict):
        return [x for _, x in sorted(v.items())]
    if isinstance(v, list):
        return list(v)
    return []


def _json_descend(v: Any, name: str) -> list[Any]:
    out = []
    if isinstance(v, dict):
        if name == "*":
            out += _json_children(v)
        elif name in v:
            out.append(v[name])
        for _, x in sorted(v.items()):
            out += _json_descend(x, name)
    elif isinstance(v, list):
        for x in v:
            out += _json_descend(x, name)
    return out


def _json_truthy(v: Any) -> bool:
    return bool(v) if isinstance(v, bool) else v is not None


def _split_top(s: str, sep: str) -> list[str]:
    parts: list[str] = []
    cur: list[str] = []
    depth, quote = 0, ""
    for c in s:
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(c)
    parts.append("".join(cur))
    return parts


class _JsonFilter:
    """A filter's script: ``@`` paths, literals, ``! == != < <= > >= =~ && ||`` and parentheses."""

    _TOKEN = re.compile(
        r"\s*(@[\w.\[\]'\"*-]*|'[^']*'|\"[^\"]*\"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|&&|\|\||==|!=|<=|>=|=~|[<>!()]|true|false|null|/(?:[^/\\]|\\.)*/)"
    )

    def __init__(self, text: str):
        self.toks: list[str] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = self._TOKEN.match(text, pos)
            if m is None:
                raise _RunError(f"invalid JSONPath filter '{text}'")
            self.toks.append(m.group(1))
            pos = m.end()
        self.k = 0

    def eval(self, item: Any) -> Any:
        self.k = 0
        self.item = item
        return self._or()

    def _peek(self) -> str:
        return self.toks[self.k] if self.k < len(self.toks) else ""

    def _or(self) -> Any:
        v = self._and()
        while self._peek() == "||":
            self.k += 1
            r = self._and()
            v = _json_truthy(v) or _json_truthy(r)
        return v

    def _and(self) -> Any:
        v = self._cmp()
        while self._peek() == "&&":
            self.k += 1
            r = self._cmp()
            v = _json_truthy(v) and _json_truthy(r)
        return v

    def _cmp(self) -> Any:
        a = self._unary()
        op = self._peek()
        if op in ("==", "!=", "<", "<=", ">", ">=", "=~"):
            self.k += 1
            b = self._unary()
            if op == "=~":
                return isinstance(a, str) and isinstance(b, str) and re.search(b, a) is not None
            if op in ("==", "!="):
                eq = (_is_num(a) and _is_num(b) and float(a) == float(b)) or (type(a) is type(b) and a == b)
                return eq if op == "==" else not eq
            if (_is_num(a) and _is_num(b)) or (isinstance(a, str) and isinstance(b, str)):
                return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
            return False
        return a

    def _unary(self) -> Any:
        t = self._peek()
        self.k += 1
        if t == "!":
            return not _json_truthy(self._unary())
        if t == "(":
            v = self._or()
            self.k += 1
            return v
        if t.startswith("@"):
            try:
                return _JsonPath("$" + t[1:]).query(self.item)
            except _RunError:
                return None
        if t[:1] in "'\"":
            return t[1:-1]
        if t.startswith("/"):
            return t[1:-1]
        if t in ("true", "false"):
            return t == "true"
        if t == "null":
            return None
        try:
            return float(t)
        except ValueError:
            raise _RunError(f"invalid JSONPath filter token '{t}'") from None
