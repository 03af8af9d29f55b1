"""kubectl's JSONPath and the jq subset Argo's resource steps read outputs with."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mldsl.runner.kubejson import _go_float_v, _go_json, _json_number_float, _RefusedError

# --------------------------------------------------------------------------- Kubernetes JSONPath
# A subset of k8s.io/client-go/util/jsonpath (v0.35.4), as ``kubectl get -o jsonpath=...`` runs it
# for an output parameter (resource.go:329-337): missing keys allowed (kubectl's default).


@dataclass(frozen=True)
class _JNode:
    """A parsed node: text, list, field, array (a slice), wildcard, union, const, identifier."""

    kind: str
    value: Any = None
    nodes: tuple[_JNode, ...] = ()


_SLICE = re.compile(r"^(-?[0-9]*)(:-?[0-9]*)?(:-?[0-9]*)?$")  # parser.go:48
_DICT_KEY = re.compile(r"^'([^']*)'$")  # parser.go:47


class _JSONPathError(Exception):
    pass


def _is_terminator(ch: str) -> bool:
    """parser.go:450-459."""
    return ch in ("", " ", "\t", "\r", "\n", ".", ",", "[", "]", "$", "@", "{", "}")


class _JSONPathParser:
    """Parser (parser.go:80-447) for text, fields, ``*``, array slices, ``['key']``, unions,
    quoted text, numbers and identifiers. Filters and recursive descent are refused."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def parse(self) -> list[_JNode]:
        """parseText (:118-135): text outside ``{...}``, one list per action."""
        out: list[_JNode] = []
        while self.pos < len(self.text):
            at = self.text.find("{", self.pos)
            if at < 0:
                out.append(_JNode("text", self.text[self.pos :]))
                break
            if at > self.pos:
                out.append(_JNode("text", self.text[self.pos : at]))
            self.pos = at + 1
            out.append(_JNode("list", nodes=tuple(self._action())))
        return out

    def _action(self) -> list[_JNode]:
        """parseInsideAction (:147-182) until the closing ``}``."""
        nodes: list[_JNode] = []
        t = self.text
        while True:
            rest = t[self.pos :]
            if rest.startswith("}"):
                self.pos += 1
                return nodes
            if rest.startswith("[?("):
                raise _RefusedError("a JSONPath filter [?(...)]")
            if rest.startswith(".."):
                raise _RefusedError("JSONPath recursive descent (..)")
            ch = t[self.pos] if self.pos < len(t) else ""
            self.pos += 1
            if ch == "" or ch in "\r\n":
                raise _JSONPathError("unclosed action")
            if ch in " @$":
                continue
            if ch == "[":
                nodes.append(self._array())
            elif ch in "\"'":
                nodes.append(self._quote(ch))
            elif ch == ".":
                nodes.append(self._field())
            elif ch in "+-" or ch.isdigit():
                nodes.append(self._number(ch))
            elif ch == "_" or ch.isalnum():
                start = self.pos - 1
                while not _is_terminator(t[self.pos : self.pos + 1]):
                    self.pos += 1
                word = t[start : self.pos]
                if word in ("true", "false"):
                    nodes.append(_JNode("const", word == "true"))
                elif word in ("range", "end"):
                    raise _RefusedError("JSONPath {range}...{end}")
                else:
                    nodes.append(_JNode("ident", word))
            else:
                raise _JSONPathError(f"unrecognized character in action: U+{ord(ch):04X} {ch!r}")

    def _field(self) -> _JNode:
        """parseField (:424-447): up to an unescaped terminator; backslashes dropped."""
        start = self.pos
        t = self.text
        while self.pos < len(t):
            if t[self.pos] == "\\":
                self.pos += 2
            elif _is_terminator(t[self.pos]):
                break
            else:
                self.pos += 1
        value = t[start : self.pos]
        return _JNode("wildcard") if value == "*" else _JNode("field", value.replace("\\", ""))

    def _number(self, first: str) -> _JNode:
        """parseNumber (:232-256)."""
        start = self.pos - 1
        while self.pos < len(self.text) and (self.text[self.pos] == "." or self.text[self.pos].isdigit()):
            self.pos += 1
        text = self.text[start : self.pos]
        if re.fullmatch(r"[+-]?[0-9]+", text):
            return _JNode("const", int(text))
        try:
            return _JNode("const", float(text))
        except ValueError:
            raise _JSONPathError(f"cannot parse number {text}") from None

    def _quote(self, end: str) -> _JNode:
        """parseQuote (:401-421)."""
        start = self.pos - 1
        while True:
            if self.pos >= len(self.text) or self.text[self.pos] == "\n":
                raise _JSONPathError("unterminated quoted string")
            ch = self.text[self.pos]
            self.pos += 1
            if ch == end and self.text[self.pos - 2] != "\\":
                break
        raw = self.text[start : self.pos]
        if "\\" not in raw[1:-1]:
            return _JNode("text", raw[1:-1])
        try:  # strconv.UnquoteChar's escapes are Python's, near enough
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            raise _JSONPathError(f"unquote string {raw} error invalid syntax") from None
        return _JNode("text", str(value))

    def _array(self) -> _JNode:
        """parseArray (:259-338): ``[*]``, a union ``[a,b]``, ``['key']``, or a slice."""
        end = self.pos
        while True:
            if end >= len(self.text) or self.text[end] == "\n":
                raise _JSONPathError("unterminated array")
            if self.text[end] == "]":
                break
            end += 1
        inner = self.text[self.pos : end]
        self.pos = end + 1
        if inner == "*":
            inner = ":"
        if "," in inner:
            return _JNode(
                "union", nodes=tuple(_JNode("list", nodes=tuple(_sub_action(f"[{s.strip(' ')}]"))) for s in inner.split(","))
            )
        key = _DICT_KEY.match(inner)
        if key:  # parser.go:291-301: re-parsed as fields, so ['a.b'] is .a.b
            return _JNode("list", nodes=tuple(_sub_action("." + key.group(1))))
        m = _SLICE.match(inner)
        if not m:
            raise _JSONPathError(f"invalid array index {inner}")
        params: list[tuple[bool, int, bool]] = []  # (known, value, derived)
        for i, g in enumerate(m.groups()):
            if g:
                g = g[1:] if i > 0 else g
                if i > 0 and g == "":
                    params.append((False, 0, False))
                elif not re.fullmatch(r"[+-]?[0-9]+", g):
                    raise _JSONPathError(f"array index {g} is not a number")
                else:
                    params.append((True, int(g), False))
            elif i == 1:
                params.append((True, params[0][1] + 1, True))
            else:
                params.append((False, 0, False))
        return _JNode("array", tuple(params))


def _sub_action(text: str) -> list[_JNode]:
    """parseAction (parser.go:70-78): a fragment parsed as if it were ``{text}``."""
    parser = _JSONPathParser(text + "}")
    return parser._action()


def _go_type(value: Any) -> str:
    """reflect Type of an unstructured value, as jsonpath's errors print it."""
    if isinstance(value, Mapping):
        return "map[string]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    return "string"


def _jwalk(values: list[Any], node: _JNode) -> list[Any]:
    """JSONPath.walk (jsonpath.go:199-228) for the parsed subset."""
    if node.kind == "list":
        for sub in node.nodes:
            values = _jwalk(values, sub)
        return values
    if node.kind == "text":
        return [node.value]
    if node.kind == "const":
        return [node.value for _ in values]
    if node.kind == "ident":
        raise _JSONPathError(f"unrecognized identifier {node.value}")
    if node.kind == "field":  # evalField (:393-431), missing keys allowed
        return [v[node.value] for v in values if isinstance(v, Mapping) and node.value in v]
    if node.kind == "wildcard":  # evalWildcard (:434-458); a map's order here is its insertion order
        out: list[Any] = []
        for v in values:
            if isinstance(v, Mapping):
                out.extend(v.values())
            elif isinstance(v, list | str):
                out.extend(v)
        return out
    if node.kind == "union":
        return [x for sub in node.nodes for x in _jwalk(values, sub)]
    if node.kind == "array":
        return _jarray(values, node.value)
    raise _JSONPathError(f"unexpected Node {node.kind}")


def _jarray(values: list[Any], params: tuple[tuple[bool, int, bool], ...]) -> list[Any]:
    """evalArray (jsonpath.go:290-344)."""
    out: list[Any] = []
    for v in values:
        if v is None:
            continue
        if not isinstance(v, list):
            raise _JSONPathError(f"{_go_type(v)} is not array or slice")
        (k0, v0, _), (k1, v1, d1), (k2, v2, _) = params
        n = len(v)
        start = v0 if k0 else 0
        if start < 0:
            start += n
        stop = v1 if k1 else n
        if stop < 0 or (stop == 0 and d1):
            stop += n
        if stop == start:
            return out
        if start >= n or start < 0:
            raise _JSONPathError(f"array index out of bounds: index {start}, length {n}")
        if stop > n or stop < 0:
            raise _JSONPathError(f"array index out of bounds: index {stop - 1}, length {n}")
        if start > stop:
            raise _JSONPathError(f"starting index {start} is greater than ending index {stop}")
        step = 1
        if k2:
            if v2 <= 0:
                raise _JSONPathError("step must be > 0")
            step = v2
        out.extend(v[start:stop:step])
    return out


def _jtext(value: Any) -> str:
    """PrintResults (jsonpath.go:146-196): maps and lists as JSON, the rest as fmt.Fprint does."""
    if isinstance(value, Mapping | list):
        return _go_json(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _go_float_v(value)
    return str(value)


def jsonpath(obj: Any, template: str) -> str:
    """What ``kubectl get -o jsonpath=TEMPLATE`` prints for ``obj``. Raises ValueError with
    kubectl's message on a parse or execution error, :class:`_RefusedError` for unsupported syntax."""
    try:
        nodes = _JSONPathParser(template).parse()
    except _JSONPathError as exc:
        raise ValueError(f"error: error parsing jsonpath {template}, {exc}") from None
    out: list[str] = []
    try:
        for node in nodes:
            out.append(" ".join(_jtext(v) for v in _jwalk([obj], node)))
    except _JSONPathError as exc:  # printers/jsonpath.go: the Go value itself is not reproduced
        raise ValueError(
            f'error: error executing jsonpath "{template}": Error executing template: {exc}. '
            f"Printing more information for debugging the template:\n\ttemplate was:\n\t\t{template}"
        ) from None
    return "".join(out)


# --------------------------------------------------------------------------- jq paths (gojq)

_JQ_STEP = re.compile(
    r"""\s*(?:
        \.(?P<ident>[A-Za-z_][A-Za-z0-9_]*)
      | \.(?P<qkey>"(?:[^"\\]|\\.)*")
      | \.?\[\s*(?P<skey>"(?:[^"\\]|\\.)*")\s*\]
      | \.?\[\s*(?P<index>-?[0-9]+)\s*\]
    )""",
    re.VERBOSE,
)


def _jq_steps(expr: str) -> list[str | int]:
    """The path a jq filter names: ``.`` is [], ``.a[0]`` is ["a", 0]. Anything else is refused."""
    text = expr.strip()
    if text == ".":
        return []
    steps: list[str | int] = []
    pos = 0
    while pos < len(text):
        m = _JQ_STEP.match(text, pos)
        if not m or m.end() == pos:
            raise _RefusedError(f'jq filter {expr!r}: only paths such as ., .a.b, .a[0] and .["a"] are evaluated here')
        if m.group("ident"):
            steps.append(m.group("ident"))
        elif m.group("qkey") or m.group("skey"):
            steps.append(json.loads(m.group("qkey") or m.group("skey")))
        else:
            steps.append(int(m.group("index")))
        pos = m.end()
    if text.startswith("[") or not steps:
        raise _RefusedError(f'jq filter {expr!r}: only paths such as ., .a.b, .a[0] and .["a"] are evaluated here')
    return steps


def _jq_preview(value: Any) -> str:
    """gojq typeErrorPreview (error.go:374-383, preview.go:13-34): type and a 30-byte preview."""
    if value is None:
        return "null"
    kind = {bool: "boolean", str: "string", list: "array", dict: "object"}.get(type(value), "number")
    text = _go_json(value, html=False).encode()
    if len(text) > 30:
        trailing = {"string": b' ..."', "array": b" ...]", "object": b" ...}"}.get(kind, b" ...")
        text = text[:32]
        while len(text) > 30 - len(trailing):
            text = text[:-1]
        text = text.decode(errors="ignore").encode() + trailing
    return f"{kind} ({text.decode(errors='ignore')})"


def jq_filter(obj: Any, expr: str) -> str:
    """Argo's jqFilter (resource.go:358-389) for path filters: the value at the path, a string
    bare and anything else as json.Marshal writes it. Raises ValueError with gojq's message
    (func.go:990-1045) and :class:`_RefusedError` for filters beyond paths."""
    cur = _json_number_float(obj)
    for step in _jq_steps(expr):
        if cur is None:
            continue
        if isinstance(step, str):
            if not isinstance(cur, Mapping):
                raise ValueError("expected an object but got: " + _jq_preview(cur))
            cur = cur.get(step)
        elif isinstance(cur, list):
            i = step + len(cur) if step < 0 else step
            cur = cur[i] if 0 <= i < len(cur) else None
        elif isinstance(cur, str):
            chars = list(cur)
            i = step + len(chars) if step < 0 else step
            cur = chars[i] if 0 <= i < len(chars) else None
        else:
            raise ValueError("expected an array but got: " + _jq_preview(cur))
    return (cur if isinstance(cur, str) else _go_json(cur)).strip()
