"""Argo ``resource:`` templates run against an in-memory object store standing for the cluster.

On a cluster a resource step's pod runs ``argoexec resource ACTION``: the executor runs kubectl
in-process against the API server, waits for the template's success/failure condition, then reads
its output parameters with ``kubectl get``. Here the "cluster" is an :class:`ObjectStore` holding
the run's own pods (the engine adds one :func:`pod_object` per pod it starts), whatever the run
creates, and any neighbours the caller adds. Oracle: Argo v4.1.2 and the Kubernetes v0.35.4
libraries it vendors (apimachinery, apiserver, kubectl, client-go, gojq v0.12.19); file:line
references below are to those trees.

What is reproduced: the controller's ``setOwnerReference`` (operator.go:3938-3951), the executor's
kubectl command line (executor/resource.go:113-174) and what kubectl and the API server do with it
for the six actions, the condition syntax (labels.Parse, selector.go:616-927) over gjson paths
(resource.go:176-197) and its matching (resource.go:278-305), output parameters
(resource.go:307-389), and the wording of every error along the way.

What is not (and is refused or said so): nothing changes an object once it is written, since there
is no controller, scheduler, kubelet or garbage collector: a created Job never runs, a Pod created
by a manifest stays Pending, deleting an owner leaves its dependents. :func:`needs_controller`
names templates that would wait for such a change. Server-side defaulting and most validation are
not reproduced (an object is stored as written, plus the metadata the API server sets). Strategic
merge patches follow the ``patchStrategy`` tags of the few built-in types listed in ``_SCHEMAS``;
``$patch``-style directives are refused. jq filters are paths only (``.``, ``.a.b``, ``.a[0]``,
``.["a"]``); JSONPath lacks filters, recursive descent and ``range``. :func:`unsupported` names
these before a run.
"""

from __future__ import annotations

import ast
import copy
import datetime as _dt
import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml

from mldsl.runner.argomerge import Schema, strategic_merge

try:  # the C parser is several times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

__all__ = [
    "MANIFEST_PATH",
    "ObjectStore",
    "Requirement",
    "ResourceError",
    "ResourceResult",
    "SelectorError",
    "jq_filter",
    "json_patch",
    "jsonpath",
    "match_conditions",
    "merge_patch",
    "needs_controller",
    "parse_selector",
    "pod_object",
    "unsupported",
]

#: common.ExecutorResourceManifestPath (workflow/common/common.go:145): where the executor stages
#: the manifest, and so the source kubectl names in its errors
MANIFEST_PATH = "/tmp/manifest.yaml"
#: argoexec's exit code for any error it returns (cmd/argoexec/main.go:41-43)
_EXIT = 64
_GO_MAP = "Go value of type map[string]interface {}"
_ACTIONS = ("get", "create", "apply", "delete", "replace", "patch")


class ResourceError(Exception):
    """A step's failure while reading its outputs: ``message`` is the node's message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _KubectlError(Exception):
    """What kubectl printed before exiting non-zero (cmd/util/helpers.go:128-213 formats it)."""


class _RefusedError(Exception):
    """Something this module does not reproduce: the caller should have refused it before the run."""


def _failed(text: str) -> str:
    """The node message of a resource pod whose executor returned an error: its only container,
    ``main``, exits 64 with the error as termination message (cmd/argoexec/main.go:41-43,
    executor.go:230-241) and the controller words it (operator.go:1864-1874)."""
    return f"main: Error (exit code {_EXIT}): {text.strip()}"


# --------------------------------------------------------------------------- Go's text for values


def _digits(x: float) -> tuple[str, int]:
    """The shortest decimal digits that read back as ``abs(x)`` and the decimal point's position
    (strconv's shortest formatting, which Python's repr shares)."""
    _, digits, exp = Decimal(repr(abs(x))).normalize().as_tuple()
    assert isinstance(exp, int)
    text = "".join(map(str, digits))
    return text, len(text) + exp


def _go_float_f(x: float) -> str:
    """strconv.FormatFloat(x, 'f', -1, 64): shortest digits, never an exponent."""
    if x == 0:
        return "-0" if repr(x).startswith("-") else "0"
    digits, point = _digits(x)
    sign = "-" if x < 0 else ""
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def _go_float_e(x: float) -> str:
    """strconv.FormatFloat(x, 'e', -1, 64): ``1.5e+07``, at least two exponent digits."""
    digits, point = _digits(x)
    exp = point - 1
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{'-' if x < 0 else ''}{mantissa}e{'+' if exp >= 0 else '-'}{abs(exp):02d}"


def _go_float_json(x: float) -> str:
    """encoding/json's float64: 'f' inside [1e-6, 1e21), else 'e' with ``e-07`` cut to ``e-7``."""
    if x == 0 or 1e-6 <= abs(x) < 1e21:
        return _go_float_f(x)
    return re.sub(r"e-0(\d)$", r"e-\1", _go_float_e(x))


def _go_float_v(x: float) -> str:
    """fmt's %v of a float64: strconv 'g' at shortest precision, which switches to an exponent
    below 1e-4 or from 1e6 up (ftoa.go: eprec is 6 when shortest)."""
    if x == 0:
        return _go_float_f(x)
    _, point = _digits(x)
    return _go_float_e(x) if not -4 <= point - 1 < 6 else _go_float_f(x)


def _go_json(value: Any, *, html: bool = True) -> str:
    """encoding/json.Marshal's text: compact, map keys sorted, floats as Go writes them, and (with
    ``html``) <, > and & escaped as json.Marshal does."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float_json(value)
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        if html:
            for raw, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
                text = text.replace(raw, esc)
        return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if isinstance(value, Mapping):
        items = sorted((str(k), v) for k, v in value.items())
        return "{" + ",".join(f"{_go_json(k, html=html)}:{_go_json(v, html=html)}" for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_go_json(v, html=html) for v in value) + "]"
    return _go_json(str(value), html=html)


def _json_number_float(value: Any) -> Any:
    """A value as Go's json.Unmarshal into ``any`` holds it: every number a float64."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): _json_number_float(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_number_float(v) for v in value]
    return value


# --------------------------------------------------------------------------- YAML


class _Loader(_BaseLoader):
    """YAML 1.1 like sigs.k8s.io/yaml, except that timestamps stay text (go-yaml decodes them into
    ``interface{}`` as strings)."""


def _timestamp_as_text(loader: yaml.BaseLoader, node: yaml.Node) -> str:
    return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def _yaml_docs(text: str) -> list[Any]:
    """The documents of a manifest, empty ones dropped (kubectl's YAML decoder skips them)."""
    return [d for d in yaml.load_all(text, Loader=_Loader) if d is not None]


# --------------------------------------------------------------------------- label selectors
# A port of k8s.io/apimachinery/pkg/labels/selector.go (v0.35.4): Argo parses successCondition and
# failureCondition with labels.Parse (resource.go:207, 217) and matches each requirement against
# the object through gjson paths (resource.go:176-197, 279-305).

_SPECIAL = frozenset("=!(),><")
_WHITE = frozenset(" \t\r\n")
_TOKEN = {")": "CLOSE", ",": "COMMA", "!": "NOT", "==": "EQEQ", "=": "EQ", ">": "GT", "in": "IN", "<": "LT",
          "!=": "NEQ", "notin": "NOTIN", "(": "OPEN"}  # fmt: skip  # selector.go:493-505
#: token -> selection.Operator (selection/operator.go:23-33; selector.go:775-797)
_OPERATOR = {"IN": "in", "EQ": "=", "EQEQ": "==", "GT": "gt", "LT": "lt", "NOTIN": "notin", "NEQ": "!="}
_BINARY = "in, notin, =, ==, !=, gt, lt"  # selector.go:39-43, joined as parseOperator's error does

_LABEL_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"  # content/kube.go:26-28
_LABEL_KEY_RE = re.compile(_LABEL_KEY_FMT)
_LABEL_KEY_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
_LABEL_VALUE_FMT = f"({_LABEL_KEY_FMT})?"  # kube.go:79-80
_LABEL_VALUE_RE = re.compile(_LABEL_VALUE_FMT)
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
_DNS_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"  # content/dns.go:23
_DNS_SUBDOMAIN_FMT = _DNS_LABEL_FMT + "(\\." + _DNS_LABEL_FMT + ")*"  # dns.go:51
_DNS_SUBDOMAIN_RE = re.compile(_DNS_SUBDOMAIN_FMT)
_DNS_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character"
)


class SelectorError(ValueError):
    """labels.Parse's error, worded as Go prints it."""


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    """content.RegexError (content/errors.go:44-57), its doubled space included."""
    return msg + " (e.g. " + " or ".join(f"'{e}', " for e in examples) + f"regex used for validation is '{fmt}')"


def _dns_subdomain_errors(value: str) -> list[str]:
    """content.IsDNS1123Subdomain (dns.go:64-101)."""
    errs = []
    if len(value.encode()) > 253:
        errs.append("must be no more than 253 bytes")
    if not _DNS_SUBDOMAIN_RE.fullmatch(value):
        errs.append(_regex_error(_DNS_SUBDOMAIN_MSG, _DNS_SUBDOMAIN_FMT, "example.com"))
    return errs


def _label_key_errors(value: str) -> list[str]:
    """content.IsLabelKey (kube.go:44-74)."""
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) > 2:
        return [
            "a valid label key "
            + _regex_error(_LABEL_KEY_MSG, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    name = parts[-1]
    if len(parts) == 2:
        if not parts[0]:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + m for m in _dns_subdomain_errors(parts[0]))
    if not name:
        errs.append("name part must be non-empty")
    elif len(name.encode()) > 63:
        errs.append("name part must be no more than 63 bytes")
    if not _LABEL_KEY_RE.fullmatch(name):
        errs.append("name part " + _regex_error(_LABEL_KEY_MSG, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc"))
    return errs


def _label_value_errors(value: str) -> list[str]:
    """content.IsLabelValue (kube.go:85-94)."""
    errs = []
    if len(value.encode()) > 63:
        errs.append("must be no more than 63 bytes")
    if not _LABEL_VALUE_RE.fullmatch(value):
        errs.append(_regex_error(_LABEL_VALUE_MSG, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def _invalid(path: str, value: str, detail: str) -> str:
    """field.Invalid(...).Error() for a string value (field/errors.go:63-126)."""
    return f"{path}: Invalid value: {json.dumps(value, ensure_ascii=False)}: {detail}"


_INT64 = re.compile(r"[+-]?[0-9]+")


def _parse_int64(text: str) -> int | None:
    """strconv.ParseInt(text, 10, 64), None where it errors."""
    if not _INT64.fullmatch(text):
        return None
    value = int(text)
    return value if -(2**63) <= value < 2**63 else None


@dataclass(frozen=True)
class Requirement:
    """labels.Requirement (selector.go:165-172): the values sorted and unique, as parseRequirement
    hands them over (``values.List()``, :744)."""

    key: str
    operator: str
    values: tuple[str, ...]

    def __str__(self) -> str:
        """Go's ``%s`` of the struct *value*: String() has a pointer receiver (selector.go:347), so
        Argo's ``fmt.Sprintf("failure condition '%s' ...", req)`` (resource.go:284) prints the
        fields, ``{status.phase == [Failed]}`` (resource_test.go:146)."""
        return "{%s %s [%s]}" % (self.key, self.operator, " ".join(self.values))

    def matches(self, lookup: Callable[[str], tuple[bool, str]]) -> bool:
        """Requirement.Matches (selector.go:247-297); ``lookup`` answers (exists, value)."""
        exists, val = lookup(self.key)
        if self.operator in ("in", "=", "=="):
            return exists and val in self.values
        if self.operator in ("notin", "!="):
            return not exists or val not in self.values
        if self.operator == "exists":
            return exists
        if self.operator == "!":
            return not exists
        if self.operator in ("gt", "lt"):
            mine = _parse_int64(val) if exists else None
            if mine is None or len(self.values) != 1:
                return False
            theirs = _parse_int64(self.values[0])
            if theirs is None:
                return False
            return mine > theirs if self.operator == "gt" else mine < theirs
        return False


def _lex(text: str) -> list[tuple[str, str]]:
    """Lexer.Lex until the end (selector.go:538-627, 677-685)."""
    out: list[tuple[str, str]] = []
    pos, n = 0, len(text)
    while True:
        while pos < n and text[pos] in _WHITE:
            pos += 1
        if pos >= n or text[pos] == "\0":  # read() answers 0 at the end (:538-545)
            out.append(("EOS", ""))
            return out
        if text[pos] in _SPECIAL:  # scanSpecialSymbol (:576-601): the longest token, then stop
            buf, last = "", None
            while pos < n and text[pos] in _SPECIAL:
                if buf + text[pos] in _TOKEN:
                    buf += text[pos]
                    last = (_TOKEN[buf], buf)
                    pos += 1
                elif last is not None:
                    break
                else:
                    buf += text[pos]
                    pos += 1
            out.append(last if last is not None else ("ERROR", f"error expected: keyword found '{buf}'"))
            continue
        start = pos  # scanIDOrKeyword (:553-572)
        while pos < n and text[pos] not in _SPECIAL and text[pos] not in _WHITE and text[pos] != "\0":
            pos += 1
        word = text[start:pos]
        out.append((_TOKEN[word], word) if word in _TOKEN else ("IDENT", word))


class _SelectorParser:
    """Parser (selector.go:630-874): a recursive descent over the scanned tokens."""

    def __init__(self, text: str) -> None:
        self.items = _lex(text)
        self.pos = 0

    def _look(self, values: bool) -> tuple[str, str]:
        tok, lit = self.items[self.pos]
        if values and tok in ("IN", "NOTIN"):  # :651-660: 'in' can be a value
            tok = "IDENT"
        return tok, lit

    def _take(self, values: bool) -> tuple[str, str]:
        tok, lit = self._look(values)
        self.pos += 1
        return tok, lit

    def parse(self) -> list[Requirement]:
        """parse (:689-720)."""
        reqs: list[Requirement] = []
        while True:
            tok, lit = self._look(True)
            if tok in ("IDENT", "NOT"):
                try:
                    reqs.append(self._requirement())
                except SelectorError as exc:
                    raise SelectorError(f"unable to parse requirement: {exc}") from None
                t, lit2 = self._take(True)
                if t == "EOS":
                    return reqs
                if t == "COMMA":
                    t2, l2 = self._look(True)
                    if t2 not in ("IDENT", "NOT"):
                        raise SelectorError(f"found '{l2}', expected: identifier after ','")
                    continue
                raise SelectorError(f"found '{lit2}', expected: ',' or 'end of string'")
            if tok == "EOS":
                return reqs
            raise SelectorError(f"found '{lit}', expected: !, identifier, or 'end of string'")

    def _requirement(self) -> Requirement:
        """parseRequirement (:722-746) with parseKeyAndInferOperator (:751-771)."""
        op = ""
        tok, key = self._take(True)
        if tok == "NOT":
            op = "!"
            tok, key = self._take(True)
        if tok != "IDENT":
            raise SelectorError(f"found '{key}', expected: identifier")
        errs = _label_key_errors(key)
        if errs:
            raise SelectorError(_invalid("<nil>", key, "; ".join(errs)))  # p.path is nil (:762)
        if self._look(True)[0] in ("EOS", "COMMA"):
            op = op or "exists"
        if op in ("exists", "!"):
            return _new_requirement(key, op, [])
        tok, lit = self._take(False)  # parseOperator (:775-797)
        if tok not in _OPERATOR:
            raise SelectorError(f"found '{lit}', expected: {_BINARY}")
        op = _OPERATOR[tok]
        values = self._set_values() if op in ("in", "notin") else self._exact_value()
        return _new_requirement(key, op, sorted(values))

    def _set_values(self) -> set[str]:
        """parseValues and parseIdentifiersList (:800-858)."""
        tok, lit = self._take(True)
        if tok != "OPEN":
            raise SelectorError(f"found '{lit}' expected: '('")
        tok, lit = self._look(True)
        if tok == "CLOSE":
            self._take(True)
            return {""}
        if tok not in ("IDENT", "COMMA"):
            raise SelectorError(f"found '{lit}', expected: ',', ')' or identifier")
        out: set[str] = set()
        while True:
            t, item = self._take(True)
            if t == "IDENT":
                out.add(item)
                t2, l2 = self._look(True)
                if t2 == "COMMA":
                    continue
                if t2 == "CLOSE":
                    break
                raise SelectorError(f"found '{l2}', expected: ',' or ')'")
            if t == "COMMA":
                if not out:
                    out.add("")
                t2 = self._look(True)[0]
                if t2 == "CLOSE":
                    out.add("")
                    break
                if t2 == "COMMA":
                    out.add("")
                continue
            raise SelectorError(f"found '{item}', expected: ',', or identifier")
        if self._take(True)[0] != "CLOSE":
            raise SelectorError(f"found '{lit}', expected: ')'")
        return out

    def _exact_value(self) -> set[str]:
        """parseExactValue (:861-874)."""
        tok = self._look(True)[0]
        if tok in ("EOS", "COMMA"):
            return {""}
        tok, lit = self._take(True)
        if tok == "IDENT":
            return {lit}
        raise SelectorError(f"found '{lit}', expected: identifier")


def _new_requirement(key: str, op: str, values: list[str]) -> Requirement:
    """NewRequirement's checks (selector.go:185-225) that parsing can reach, as one aggregate
    (field/errors.go:353-370, util/errors/errors.go:70-96)."""
    errs: list[str] = []
    if op in ("gt", "lt"):
        for i, v in enumerate(values):
            if _parse_int64(v) is None:
                errs.append(_invalid(f"values[{i}]", v, "for 'Gt', 'Lt' operators, the value must be an integer"))
    for i, v in enumerate(values):
        verrs = _label_value_errors(v)
        if verrs:
            errs.append(_invalid(f"values[{i}][{key}]", v, "; ".join(verrs)))
    errs = list(dict.fromkeys(errs))
    if len(errs) == 1:
        raise SelectorError(errs[0])
    if errs:
        raise SelectorError("[" + ", ".join(errs) + "]")
    return Requirement(key, op, tuple(values))


def parse_selector(text: str) -> list[Requirement]:
    """labels.Parse(text).Requirements(): sorted by key (selector.go:919-927)."""
    return sorted(_SelectorParser(text).parse(), key=lambda r: r.key)


# --------------------------------------------------------------------------- gjson paths


def _gjson_text(value: Any) -> str:
    """gjson Result.String() of a value as the API server wrote it: strings bare, numbers as
    written (a float in 'f' form), true/false, null as "", objects and arrays as raw JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float_f(value)
    if isinstance(value, str):
        return value
    return _go_json(value)


def _gjson_lookup(obj: Any, path: str) -> tuple[bool, str]:
    """gjson.GetBytes(json, path): Exists() and String() (resource.go:184-197). A label key cannot
    hold gjson's special characters (``* ? # @ | \\``), so a key is a dot-separated walk: a
    component names a member of an object or, in digits, an element of an array. An explicit null
    exists (its Raw is ``null``) and reads as ""."""
    cur = obj
    for part in path.split("."):
        if isinstance(cur, Mapping):
            if part not in cur:
                return False, ""
            cur = cur[part]
        elif isinstance(cur, list) and part.isascii() and part.isdigit():
            i = int(part)
            if i >= len(cur):
                return False, ""
            cur = cur[i]
        else:
            return False, ""
    return True, _gjson_text(cur)


def match_conditions(
    obj: Mapping[str, Any], success: Sequence[Requirement], failure: Sequence[Requirement]
) -> tuple[bool, str | None]:
    """matchConditions (resource.go:279-305): (retry, error). Any failure requirement that matches
    fails the step; all success requirements matching (or none given) succeed; else retry."""

    def lookup(key: str) -> tuple[bool, str]:
        return _gjson_lookup(obj, key)

    for req in failure:
        if req.matches(lookup):
            return False, f"failure condition '{req}' evaluated true"
    if sum(1 for req in success if req.matches(lookup)) >= len(success):
        return False, None
    return True, "Neither success condition nor the failure condition has been matched. Retrying..."


# --------------------------------------------------------------------------- patches


class _PatchError(Exception):
    pass


def _json_equal(a: Any, b: Any) -> bool:
    """Equality of decoded JSON: numbers by value, but a boolean is never a number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


def _pointer(path: Any) -> list[str]:
    """RFC 6901: ``/a/b~1c`` -> [a, b/c]."""
    if not isinstance(path, str) or (path and not path.startswith("/")):
        raise _PatchError(f"invalid JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]] if path else []


def _index(container: list[Any], token: str, *, insert: bool) -> int:
    """An array index as evanphx/json-patch v4 reads it: negative counts from the end."""
    if not re.fullmatch(r"-?[0-9]+", token):
        raise _PatchError(f"invalid array index {token!r}")
    i = int(token)
    size = len(container) + (1 if insert else 0)
    if i < -len(container) or i >= size:
        raise _PatchError(f"array index {i} out of bounds")
    return i + len(container) if i < 0 else i


def _parent(doc: Any, tokens: list[str]) -> Any:
    cur = doc
    for t in tokens[:-1]:
        if isinstance(cur, dict) and t in cur:
            cur = cur[t]
        elif isinstance(cur, list):
            cur = cur[_index(cur, t, insert=False)]
        else:
            raise _PatchError("doc is missing path")
    return cur


def _get(doc: Any, tokens: list[str]) -> Any:
    if not tokens:
        return doc
    parent = _parent(doc, tokens)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise _PatchError("doc is missing key")
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(parent, last, insert=False)]
    raise _PatchError("doc is missing path")


def _add(doc: Any, tokens: list[str], value: Any) -> Any:
    if not tokens:
        return value
    parent = _parent(doc, tokens)
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(len(parent) if last == "-" else _index(parent, last, insert=True), value)
    else:
        raise _PatchError("doc is missing path")
    return doc


def _remove(doc: Any, tokens: list[str]) -> Any:
    if not tokens:
        raise _PatchError("cannot remove the whole document")
    parent = _parent(doc, tokens)
    last = tokens[-1]
    if isinstance(parent, dict) and last in parent:
        del parent[last]
    elif isinstance(parent, list):
        del parent[_index(parent, last, insert=False)]
    else:
        raise _PatchError("doc is missing key")
    return doc


def json_patch(doc: Any, operations: Any) -> Any:
    """RFC 6902 (``mergeStrategy: json``) on a copy of ``doc``: add, remove, replace, move, copy
    and test, with evanphx/json-patch v4's readings (replace needs the key to exist, negative array
    indexes count from the end). Raises ValueError on any failing operation."""
    if not isinstance(operations, list):
        raise ValueError("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    out = copy.deepcopy(doc)
    for op in operations:
        if not isinstance(op, Mapping):
            raise ValueError("json: cannot unmarshal into Go value of type jsonpatch.Operation")
        kind = op.get("op")
        try:
            path = _pointer(op.get("path", ""))
            if kind == "add":
                out = _add(out, path, copy.deepcopy(op.get("value")))
            elif kind == "remove":
                out = _remove(out, path)
            elif kind == "replace":
                _get(out, path)
                out = _add(out, path, copy.deepcopy(op.get("value"))) if path else copy.deepcopy(op.get("value"))
            elif kind in ("move", "copy"):
                src = _pointer(op.get("from", ""))
                value = copy.deepcopy(_get(out, src))
                if kind == "move":
                    out = _remove(out, src)
                out = _add(out, path, value)
            elif kind == "test":
                if not _json_equal(_get(out, path), op.get("value")):
                    raise _PatchError(f"testing value {op.get('path')} failed")
            else:
                raise _PatchError(f"Unexpected kind: {kind}")
        except _PatchError as exc:
            raise ValueError(f"{kind} operation does not apply: {exc}") from None
    return out


def _prune_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _prune_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune_nulls(v) for v in value]
    return value


def merge_patch(doc: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch (``mergeStrategy: merge``): null deletes, objects merge, anything
    else replaces; nulls inside a new value are dropped (evanphx/json-patch mergeDocs)."""
    if not isinstance(patch, Mapping):
        return _prune_nulls(copy.deepcopy(patch))
    out = dict(doc) if isinstance(doc, Mapping) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, Mapping):
            out[k] = merge_patch(out.get(k) if isinstance(out.get(k), Mapping) else {}, v)
        else:
            out[k] = _prune_nulls(copy.deepcopy(v))
    return out


#: The ``patchStrategy:"merge"`` lists of the built-in types kept here (kubernetes/api v0.35.4
#: core/v1/types.go:2953, 2970, 3021, 3028, 4126, 4135, 4145, 4240, 4267, 4330, 4397, 5924, 6303;
#: apimachinery meta/v1/types.go:241, 259). Lists not named are replaced, maps merge.
_C: Schema = {"ports": ("containerPort", {}), "env": ("name", {}), "volumeMounts": ("mountPath", {}),
              "volumeDevices": ("devicePath", {})}  # fmt: skip
_POD_SPEC: Schema = {
    "containers": ("name", _C), "initContainers": ("name", _C), "ephemeralContainers": ("name", _C),
    "volumes": ("name", {}), "imagePullSecrets": ("name", {}), "hostAliases": ("ip", {}),
    "topologySpreadConstraints": ("topologyKey", {}), "schedulingGates": ("name", {}),
}  # fmt: skip
_META: Schema = {"ownerReferences": ("uid", {}), "finalizers": ("", {})}
_TEMPLATE_S: Schema = {"metadata": (None, _META), "spec": (None, _POD_SPEC)}
_WORKLOAD: Schema = {"metadata": (None, _META), "spec": (None, {"template": (None, _TEMPLATE_S)})}
_SCHEMAS: dict[str, Schema] = {
    "Pod": {"metadata": (None, _META), "spec": (None, _POD_SPEC)},
    "PodTemplate": {"metadata": (None, _META), "template": (None, _TEMPLATE_S)},
    "Job": _WORKLOAD, "Deployment": _WORKLOAD, "StatefulSet": _WORKLOAD, "DaemonSet": _WORKLOAD,
    "ReplicaSet": _WORKLOAD, "ReplicationController": _WORKLOAD,
    "CronJob": {"metadata": (None, _META), "spec": (None, {"jobTemplate": (None, {"spec": (None, _WORKLOAD["spec"][1])})})},
    "Service": {"metadata": (None, _META), "spec": (None, {"ports": ("port", {})})},
    "ServiceAccount": {"metadata": (None, _META), "secrets": ("name", {})},
}  # fmt: skip


def _directives(value: Any) -> list[str]:
    """Strategic-merge directives (``$patch``, ``$retainKeys``, ``$setElementOrder/...``): refused."""
    if isinstance(value, Mapping):
        found = [k for k in value if isinstance(k, str) and k.startswith("$")]
        return found + [d for v in value.values() for d in _directives(v)]
    if isinstance(value, list):
        return [d for v in value for d in _directives(v)]
    return []


def _strategic(doc: Mapping[str, Any], patch: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """strategicpatch.StrategicMergePatch for the tags in ``_SCHEMAS`` (argomerge.strategic_merge)."""
    return strategic_merge(doc, patch, _SCHEMAS.get(kind, {"metadata": (None, _META)}))


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


# --------------------------------------------------------------------------- resource types


@dataclass(frozen=True)
class _Type:
    """A resource type as API discovery describes it to kubectl's REST mapper."""

    group: str
    version: str
    kind: str
    plural: str
    short: tuple[str, ...] = ()
    namespaced: bool = True
    builtin: bool = True  # compiled into the API server: strategic merge patches are accepted
    status: bool = False  # a status subresource: writes to the object keep the live status

    @property
    def resource(self) -> str:
        """GroupResource.String(): ``jobs.batch``, ``pods``."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def names(self) -> set[str]:
        return {self.plural, self.kind.lower(), *self.short}


def _t(group: str, version: str, kind: str, plural: str, *short: str, ns: bool = True, status: bool = False) -> _Type:
    return _Type(group, version, kind, plural, tuple(short), ns, group != _ARGO, status)


_ARGO = "argoproj.io"
_BUILTIN_TYPES = (
    _t("", "v1", "Pod", "pods", "po", status=True),
    _t("", "v1", "ConfigMap", "configmaps", "cm"),
    _t("", "v1", "Secret", "secrets"),
    _t("", "v1", "Service", "services", "svc", status=True),
    _t("", "v1", "ServiceAccount", "serviceaccounts", "sa"),
    _t("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "pvc", status=True),
    _t("", "v1", "PersistentVolume", "persistentvolumes", "pv", ns=False, status=True),
    _t("", "v1", "Event", "events", "ev"),
    _t("", "v1", "Endpoints", "endpoints", "ep"),
    _t("", "v1", "Namespace", "namespaces", "ns", ns=False, status=True),
    _t("", "v1", "Node", "nodes", "no", ns=False, status=True),
    _t("", "v1", "ResourceQuota", "resourcequotas", "quota", status=True),
    _t("", "v1", "LimitRange", "limitranges", "limits"),
    _t("", "v1", "ReplicationController", "replicationcontrollers", "rc", status=True),
    _t("", "v1", "PodTemplate", "podtemplates"),
    _t("apps", "v1", "Deployment", "deployments", "deploy", status=True),
    _t("apps", "v1", "StatefulSet", "statefulsets", "sts", status=True),
    _t("apps", "v1", "DaemonSet", "daemonsets", "ds", status=True),
    _t("apps", "v1", "ReplicaSet", "replicasets", "rs", status=True),
    _t("batch", "v1", "Job", "jobs", status=True),
    _t("batch", "v1", "CronJob", "cronjobs", "cj", status=True),
    _t("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", "hpa", status=True),
    _t("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", "pdb", status=True),
    _t("networking.k8s.io", "v1", "Ingress", "ingresses", "ing", status=True),
    _t("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", "netpol"),
    _t("rbac.authorization.k8s.io", "v1", "Role", "roles"),
    _t("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"),
    _t("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", ns=False),
    _t("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", ns=False),
    _t("coordination.k8s.io", "v1", "Lease", "leases"),
    _t("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", "crd", "crds", ns=False),
    # Argo's CRDs (manifests/base/crds/minimal): only the task sets and GC tasks have a status subresource
    _t(_ARGO, "v1alpha1", "Workflow", "workflows", "wf"),
    _t(_ARGO, "v1alpha1", "WorkflowTemplate", "workflowtemplates", "wftmpl"),
    _t(_ARGO, "v1alpha1", "ClusterWorkflowTemplate", "clusterworkflowtemplates", "clusterwftmpl", "cwft", ns=False),
    _t(_ARGO, "v1alpha1", "CronWorkflow", "cronworkflows", "cwf", "cronwf"),
    _t(_ARGO, "v1alpha1", "WorkflowEventBinding", "workfloweventbindings", "wfeb"),
    _t(_ARGO, "v1alpha1", "WorkflowTaskResult", "workflowtaskresults"),
    _t(_ARGO, "v1alpha1", "WorkflowTaskSet", "workflowtasksets", "wfts", status=True),
    _t(_ARGO, "v1alpha1", "WorkflowArtifactGCTask", "workflowartifactgctasks", "wfat", status=True),
)


def _plural(kind: str) -> str:
    """gengo's lowercase plural namer, as Argo infers a self link (resource.go:87-111)."""
    low = kind.lower()
    if low.endswith(("s", "x", "z", "ch", "sh")):
        return low + "es"
    if low.endswith("y") and len(low) > 1 and low[-2] not in "aeiou":
        return low[:-1] + "ies"
    return low + "s"


def _split_api_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


def _find_type(types: Iterable[_Type], api_version: str, kind: str) -> _Type | None:
    """The type of a manifest's apiVersion and kind (any version of the group maps)."""
    group, _ = _split_api_version(api_version)
    return next((t for t in types if t.group == group and t.kind == kind), None)


# --------------------------------------------------------------------------- kubectl's command line


@dataclass
class _Cmd:
    """A parsed ``kubectl ACTION ...`` command line."""

    action: str
    args: list[str] = field(default_factory=list)
    namespace: str | None = None
    selector: str | None = None
    ignore_not_found: bool = False
    all: bool = False
    files: list[str] = field(default_factory=list)
    output: str = ""
    patch_type: str = "strategic"
    patch_file: str | None = None
    patch: str | None = None


#: flags taking a value: long name -> field (None: accepted, no effect here)
_VALUE_FLAGS: dict[str, str | None] = {
    "namespace": "namespace", "selector": "selector", "filename": "files", "output": "output", "type": "patch_type",
    "patch-file": "patch_file", "patch": "patch", "field-manager": None, "grace-period": None, "timeout": None,
}  # fmt: skip
_SHORT = {"n": "namespace", "l": "selector", "f": "filename", "o": "output", "p": "patch"}
#: boolean flags: long name -> field (None: accepted, no effect on an object store)
_BOOL_FLAGS: dict[str, str | None] = {
    "ignore-not-found": "ignore_not_found", "all": "all", "force": None, "wait": None, "save-config": None,
    "record": None, "overwrite": None,
}  # fmt: skip
#: flags with an optional value (``--validate``, ``--validate=false``): accepted, no effect here,
#: since the store does not validate against an OpenAPI schema
_OPTIONAL_VALUE = {"validate"}
#: pflag's accepted boolean spellings (strconv.ParseBool)
_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def _parse_cmd(argv: Sequence[str]) -> _Cmd:
    """pflag's reading of ``kubectl ACTION ...`` for the flags listed above: interspersed
    arguments, ``--flag=value``, ``--flag value``, ``-n value``, ``-nvalue``; the last value wins."""
    cmd = _Cmd(action=argv[1])
    i = 2
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "--":
            cmd.args.extend(argv[i:])
            break
        if not arg.startswith("-") or arg == "-":
            cmd.args.append(arg)
            continue
        if arg.startswith("--"):
            name, eq, value = arg[2:].partition("=")
        else:
            name, value = _SHORT.get(arg[1:2], "-" + arg[1:2]), arg[2:]
            eq = "=" if value else ""
            value = value.removeprefix("=")
        if name in _BOOL_FLAGS or name in _OPTIONAL_VALUE:
            if eq and value not in _TRUE | _FALSE and name not in _OPTIONAL_VALUE:
                raise _KubectlError(
                    f'error: invalid argument "{value}" for "--{name}" flag: strconv.ParseBool: parsing "{value}": invalid syntax'
                )
            attr = _BOOL_FLAGS.get(name)
            if attr:
                setattr(cmd, attr, not eq or value in _TRUE)
            continue
        if name not in _VALUE_FLAGS:
            raise _RefusedError(f"kubectl flag {arg.partition('=')[0]} is not reproduced here")
        if not eq:
            if i >= len(argv):
                raise _KubectlError(f"error: flag needs an argument: --{name}")
            value = argv[i]
            i += 1
        attr = _VALUE_FLAGS[name]
        if attr == "files":
            cmd.files.append(value)
        elif attr:
            setattr(cmd, attr, value)
    return cmd


_MISSING = object()
_MISSING_RESOURCE = (
    "error: You must provide one or more resources by argument or filename.\n"
    "Example resource specifications include:\n"
    "   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'"
)  # cli-runtime resource/builder.go missingResourceError
_STRATEGIC_MEDIA = "application/strategic-merge-patch+json"
_CRD_MEDIA = "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_SUFFIX_CHARS = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery/pkg/util/rand alphanums


def _from_server(reason: str, message: str) -> _KubectlError:
    """kubectl's line for an API status error (cmd/util/helpers.go:245-250)."""
    return _KubectlError(f"Error from server ({reason}): {message}")


def _invalid_object(kind: str, name: str, causes: list[str]) -> _KubectlError:
    """kubectl's wording of the server's Invalid status (helpers.go:152-181, MultilineError)."""
    head = f"The {kind} {json.dumps(name)} is invalid: "
    if len(causes) == 1:
        return _KubectlError(head + causes[0])
    return _KubectlError(head + "\n" + "".join(f"* {c}\n" for c in causes))


def _not_found(t: _Type, name: str) -> str:
    """apierrors.NewNotFound's message (api/errors/errors.go)."""
    return f'{t.resource} "{name}" not found'


@dataclass
class _Target:
    """One object a command acts on: its type, namespace and name, and the manifest's document."""

    type: _Type
    namespace: str
    name: str
    doc: dict[str, Any] | None = None


# --------------------------------------------------------------------------- the store


@dataclass
class ResourceResult:
    """What a resource step came to.

    ``phase`` is ``Succeeded``, ``Failed`` (the executor returned an error: the node's message is
    Argo's), ``Error`` (the controller could not build the pod, operator.go:2576-2577), or
    ``Running``: neither condition has matched yet. Argo keeps polling then (resource.go:224-239);
    nothing here changes an object by itself, so only another step can make it match: call
    :meth:`ObjectStore.poll` after one has, and fail the step if none can.
    """

    phase: str
    message: str
    object: dict[str, Any] | None
    #: output parameters, when ``resource()`` was given the template's
    parameters: dict[str, str] = field(default_factory=dict)
    #: the executor's log: the kubectl command lines it ran (resource.go:392)
    log: list[str] = field(default_factory=list)
    _store: ObjectStore | None = field(default=None, repr=False)
    _ref: _Target | None = field(default=None, repr=False)
    _success: tuple[Requirement, ...] = field(default=(), repr=False)
    _failure: tuple[Requirement, ...] = field(default=(), repr=False)
    _parameters: Sequence[Mapping[str, Any]] | None = field(default=None, repr=False)

    def outputs(self, parameters: Iterable[Mapping[str, Any]]) -> dict[str, str]:
        """SaveResourceParameters (resource.go:308-356): each ``valueFrom.jsonPath`` or
        ``valueFrom.jqFilter`` read from the object as it is now in the store (Argo runs
        ``kubectl get`` after the wait). No default outputs: a resource template has no
        ``outputs.result`` (validate.go:1227-1237). When the action named no object (``get``
        with ``--ignore-not-found`` finding nothing) each parameter takes its ``default``
        (resource.go:319-326). Raises :class:`ResourceError` with the node's message."""
        out: dict[str, str] = {}
        for p in parameters:
            vf = p.get("valueFrom")
            if not isinstance(vf, Mapping):
                continue
            name = str(p.get("name", ""))
            if self._ref is None:
                out[name] = "" if vf.get("default") is None else str(vf.get("default"))
                continue
            if not vf.get("jsonPath") and not vf.get("jqFilter"):
                continue
            obj = self._store._read(self._ref) if self._store is not None else self.object
            if obj is None:
                raise ResourceError(_failed(f"Error from server (NotFound): {_not_found(self._ref.type, self._ref.name)}"))
            try:
                if vf.get("jsonPath"):
                    out[name] = jsonpath(obj, str(vf["jsonPath"]))
                else:
                    out[name] = jq_filter(obj, str(vf["jqFilter"]))
            except ValueError as exc:
                raise ResourceError(_failed(str(exc))) from None
            except _RefusedError as exc:
                raise ResourceError(f"cannot run here: {exc}") from None
        return out


def _now_text(clock: Callable[[], float]) -> str:
    return _dt.datetime.fromtimestamp(int(clock()), _dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ObjectStore:
    """The cluster of one run: objects keyed by (API group, kind, namespace, name).

    ``namespace`` is the run's namespace, where its pods run and where kubectl, run by the
    executor inside a pod, acts unless told otherwise. Writes get the metadata the API server sets
    (uid, resourceVersion, creationTimestamp, a generated name); names, uids and generated
    suffixes are deterministic for a given sequence of writes.
    """

    def __init__(self, namespace: str, *, clock: Callable[[], float] = time.time) -> None:
        self.namespace = namespace
        self._clock = clock
        self._objects: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        self._types: list[_Type] = list(_BUILTIN_TYPES)
        self._version = 0

    # ------------------------------------------------------------------ types

    def _type_of(self, api_version: str, kind: str) -> _Type | None:
        return _find_type(self._types, api_version, kind)

    def _register(self, obj: Mapping[str, Any]) -> _Type:
        """The type of an object added from outside, learnt from it (a CRD adds its kind)."""
        api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
        if kind == "CustomResourceDefinition":
            spec = obj.get("spec") or {}
            names = spec.get("names") or {}
            versions = [v.get("name") for v in spec.get("versions") or [] if isinstance(v, Mapping)] or ["v1"]
            subs = [v.get("subresources") or {} for v in spec.get("versions") or [] if isinstance(v, Mapping)]
            crd = _Type(
                str(spec.get("group", "")), str(versions[0]), str(names.get("kind", "")), str(names.get("plural", "")),
                tuple(names.get("shortNames") or ()) + ((str(names["singular"]),) if names.get("singular") else ()),
                spec.get("scope", "Namespaced") != "Cluster", False, any("status" in s for s in subs),
            )  # fmt: skip
            if crd.kind and self._type_of(crd.api_version, crd.kind) is None:
                self._types.append(crd)
        known = self._type_of(api_version, kind)
        if known is not None:
            return known
        group, version = _split_api_version(api_version)
        new = _Type(group, version, kind, _plural(kind), (), True, False, False)
        self._types.append(new)
        return new

    def _resolve(self, arg: str) -> _Type:
        """The REST mapper's reading of a resource argument: ``pod``, ``pods``, ``po``,
        ``jobs.batch``, ``Job``, ``workflows.v1alpha1.argoproj.io``."""
        low = arg.lower()
        name, _, qual = low.partition(".")
        for t in self._types:
            if name in t.names() and (not qual or qual in (t.group, f"{t.version}.{t.group}", f"{t.version}.")):
                return t
        raise _KubectlError(f'error: the server doesn\'t have a resource type "{name}"')

    # ------------------------------------------------------------------ objects

    def _key(self, t: _Type, namespace: str, name: str) -> tuple[str, str, str, str]:
        return (t.group, t.kind, namespace if t.namespaced else "", name)

    def _stamp(self, obj: dict[str, Any], t: _Type, namespace: str) -> None:
        """What the API server sets on a new object."""
        meta = obj.setdefault("metadata", {})
        if t.namespaced:
            meta["namespace"] = namespace
        self._version += 1
        meta.setdefault(
            "uid",
            str(uuid.UUID(bytes=hashlib.sha256(f"uid/{self._version}/{meta.get('name')}".encode()).digest()[:16], version=4)),
        )
        meta["resourceVersion"] = str(self._version)
        meta.setdefault("creationTimestamp", _now_text(self._clock))

    def add(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        """Put an object in the store as it is (status included: this is how the engine, standing
        for kubelet and controllers, writes), with the metadata the server would set. A
        CustomResourceDefinition makes its kind known; any other unknown kind is learnt too."""
        new = copy.deepcopy(dict(obj))
        meta = new.get("metadata")
        if not isinstance(meta, dict) or not meta.get("name") or not new.get("kind"):
            raise ValueError("an object needs kind and metadata.name")
        t = self._register(new)
        new.setdefault("apiVersion", t.api_version)
        namespace = str(meta.get("namespace") or self.namespace)
        self._stamp(new, t, namespace)
        self._objects[self._key(t, namespace, str(meta["name"]))] = new
        return copy.deepcopy(new)

    def get(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        """An object by kind (``Pod``, ``pod``, ``jobs.batch``...) and name, or None."""
        try:
            t = self._resolve(kind)
        except _KubectlError:
            return None
        found = self._objects.get(self._key(t, namespace or self.namespace, name))
        return copy.deepcopy(found) if found is not None else None

    def objects(self) -> list[dict[str, Any]]:
        """Every object, in the order they were first written."""
        return [copy.deepcopy(o) for o in self._objects.values()]

    def update_status(self, kind: str, name: str, status: Mapping[str, Any], namespace: str | None = None) -> None:
        """Set an object's status, as its controller would (the engine marks its pods' phases)."""
        t = self._resolve(kind)
        obj = self._objects[self._key(t, namespace or self.namespace, name)]
        obj["status"] = copy.deepcopy(dict(status))
        self._version += 1
        obj["metadata"]["resourceVersion"] = str(self._version)

    def _read(self, target: _Target) -> dict[str, Any] | None:
        found = self._objects.get(self._key(target.type, target.namespace, target.name))
        return copy.deepcopy(found) if found is not None else None

    def _write(self, t: _Type, namespace: str, name: str, new: dict[str, Any], old: Mapping[str, Any]) -> dict[str, Any]:
        """An update: server-set metadata kept, the live status kept for a status subresource."""
        meta = new.setdefault("metadata", {})
        old_meta = old.get("metadata") or {}
        for k in ("uid", "creationTimestamp"):
            if k in old_meta:
                meta[k] = old_meta[k]
        if t.namespaced:
            meta["namespace"] = namespace
        if t.status:
            new.pop("status", None)
            if "status" in old:
                new["status"] = copy.deepcopy(old["status"])
        if new != old:
            self._version += 1
            meta["resourceVersion"] = str(self._version)
        self._objects[self._key(t, namespace, name)] = new
        return copy.deepcopy(new)

    def _generate_name(self, t: _Type, namespace: str, base: str) -> str:
        """names.SimpleNameGenerator: the prefix cut to 58 characters and five random characters;
        here the characters come from a hash of the store's state, so a run repeats itself."""
        base = base[:58]
        n = 0
        while True:
            digest = hashlib.sha256(f"{namespace}/{t.resource}/{base}/{self._version}/{n}".encode()).digest()
            name = base + "".join(_SUFFIX_CHARS[b % len(_SUFFIX_CHARS)] for b in digest[:5])
            if self._key(t, namespace, name) not in self._objects:
                return name
            n += 1

    # ------------------------------------------------------------------ kubectl

    def _targets_from_file(self, text: str, source: str, cmd: _Cmd) -> list[_Target]:
        """The objects a manifest names (the builder's FilenameParam, mapped by kind)."""
        out = []
        for doc in _yaml_docs(text):
            if not isinstance(doc, dict):
                raise _KubectlError(f"error: error parsing {source}: json: cannot unmarshal {_json_kind(doc)} into {_GO_MAP}")
            items = doc.get("items")
            docs: list[Any] = items if str(doc.get("kind", "")).endswith("List") and isinstance(items, list) else [doc]
            for d in docs:
                if not isinstance(d, dict) or not d.get("kind"):
                    raise _KubectlError(f"error: unable to decode \"{source}\": Object 'Kind' is missing in '{_go_json(d)}'")
                meta: dict[str, Any] = d["metadata"] if isinstance(d.get("metadata"), dict) else {}
                name = str(meta.get("name") or "")
                t = self._type_of(str(d.get("apiVersion", "")), str(d["kind"]))
                if t is None:
                    raise _KubectlError(
                        f'error: resource mapping not found for name: "{name}" namespace: "{meta.get("namespace") or ""}" '
                        f'from "{source}": no matches for kind "{d["kind"]}" in version "{d.get("apiVersion", "")}"\n'
                        "ensure CRDs are installed first"
                    )
                ns = str(meta.get("namespace") or cmd.namespace or self.namespace) if t.namespaced else ""
                if t.namespaced and cmd.namespace and meta.get("namespace") and meta["namespace"] != cmd.namespace:
                    raise _KubectlError(
                        f'error: the namespace from the provided object "{meta["namespace"]}" does not match the namespace '
                        f"\"{cmd.namespace}\". You must pass '--namespace={meta['namespace']}' to perform this operation."
                    )
                out.append(_Target(t, ns, name, d))
        return out

    def _targets(self, cmd: _Cmd, manifest: str, *, allow_empty: bool) -> tuple[list[_Target], bool]:
        """What the builder visits (resource/builder.go): the manifest's objects, or TYPE NAME...
        / TYPE/NAME arguments, or every object of a type matching ``--selector``; and whether
        a single item is implied (the output is then that object, not a List)."""
        ns = cmd.namespace or self.namespace
        if cmd.files:
            if cmd.args:
                raise _KubectlError(
                    "error: when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well"
                )
            if any(f != MANIFEST_PATH for f in cmd.files):
                raise _RefusedError("kubectl -f naming a file other than the staged manifest")
            targets = self._targets_from_file(manifest, MANIFEST_PATH, cmd)
            return targets, len(targets) == 1
        if not cmd.args:
            raise _KubectlError(_MISSING_RESOURCE)
        if all("/" in a for a in cmd.args):
            out = []
            for a in cmd.args:
                kind, _, name = a.partition("/")
                t = self._resolve(kind)
                out.append(_Target(t, ns if t.namespaced else "", name))
            return out, len(out) == 1
        if any("/" in a for a in cmd.args):
            raise _KubectlError(
                "error: there is no need to specify a resource type as a separate argument when passing arguments in "
                "resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of "
                "'kubectl get resource resource/<resource_name>'"
            )
        types = [self._resolve(k) for k in cmd.args[0].split(",")]
        names = cmd.args[1:]
        if names:
            if cmd.selector:
                raise _KubectlError("error: name cannot be provided when a selector is specified")
            return [_Target(t, ns if t.namespaced else "", n) for t in types for n in names], len(types) == 1 and len(names) == 1
        if not (cmd.selector is not None or cmd.all or allow_empty):
            raise _KubectlError("error: resource(s) were provided, but no name was specified")
        reqs = parse_selector(cmd.selector) if cmd.selector else []
        out = []
        for (group, kind, ons, name), obj in self._objects.items():
            for t in types:
                if (t.group, t.kind) == (group, kind) and (not t.namespaced or ons == ns):
                    labels: dict[str, Any] = (obj.get("metadata") or {}).get("labels") or {}

                    def lookup(key: str, lab: dict[str, Any] = labels) -> tuple[bool, str]:
                        return key in lab, str(lab.get(key, ""))

                    if all(r.matches(lookup) for r in reqs):
                        out.append(_Target(t, ons, name))
        return out, False

    def _kubectl(self, argv: list[str], manifest: str) -> dict[str, Any] | None:
        """Run ``kubectl ACTION ...`` against the store; the object printed with ``-o json``
        (a List when several), None when nothing was printed. Raises _KubectlError."""
        cmd = _parse_cmd(argv)
        if cmd.action == "create":
            return self._create(cmd, manifest)
        if cmd.action == "apply":
            return self._apply(cmd, manifest)
        if cmd.action == "replace":
            return self._replace(cmd, manifest)
        if cmd.action == "patch":
            return self._patch(cmd, manifest)
        if cmd.action == "delete":
            self._delete(cmd, manifest)
            return None
        return self._get(cmd, manifest)

    def _single(self, cmd: _Cmd, manifest: str) -> _Target:
        if cmd.args and not cmd.files:
            raise _RefusedError(f"kubectl {cmd.action} with resource arguments (a generator such as 'kubectl create configmap')")
        targets, _ = self._targets(cmd, manifest, allow_empty=False)
        if len(targets) != 1:
            raise _RefusedError(
                f"kubectl {cmd.action} of {len(targets)} objects at once (kubectl prints each, which Argo cannot read)"
            )
        return targets[0]

    def _new_object(self, target: _Target, verb: str) -> dict[str, Any]:
        """An object about to be created: generated name, status reset where the server resets it
        (Pod PrepareForCreate sets phase Pending; a status subresource starts empty)."""
        assert target.doc is not None
        obj = copy.deepcopy(target.doc)
        meta = obj.setdefault("metadata", {})
        if not meta.get("name"):
            if not meta.get("generateName"):
                raise _invalid_object(target.type.kind, "", ["metadata.name: Required value: name or generateName is required"])
            meta["name"] = self._generate_name(target.type, target.namespace, str(meta["generateName"]))
        errs = _dns_subdomain_errors(str(meta["name"]))  # most kinds' names are DNS subdomains
        if errs:
            raise _invalid_object(
                target.type.kind, str(meta["name"]), [_invalid("metadata.name", str(meta["name"]), e) for e in errs]
            )
        if target.type.status:
            obj.pop("status", None)
            if target.type.kind == "Pod":
                obj["status"] = {"phase": "Pending", "qosClass": "BestEffort"}
        target.name = str(meta["name"])
        if self._key(target.type, target.namespace, target.name) in self._objects:
            raise _from_server(
                "AlreadyExists", f'error when {verb} "{MANIFEST_PATH}": {target.type.resource} "{target.name}" already exists'
            )
        return obj

    def _create(self, cmd: _Cmd, manifest: str) -> dict[str, Any]:
        """kubectl create -f (create.go:240-290): AlreadyExists if the name is taken."""
        target = self._single(cmd, manifest)
        obj = self._new_object(target, "creating")
        self._stamp(obj, target.type, target.namespace)
        self._objects[self._key(target.type, target.namespace, target.name)] = obj
        return copy.deepcopy(obj)

    def _apply(self, cmd: _Cmd, manifest: str) -> dict[str, Any]:
        """kubectl apply -f, client-side (apply.go:560-745): create with the last-applied
        annotation, or a three-way patch from it: what the last apply set and this one drops is
        deleted, the rest merged (strategic for built-in types, JSON merge for the others)."""
        target = self._single(cmd, manifest)
        assert target.doc is not None
        meta = target.doc.get("metadata") or {}
        if not meta.get("name") and meta.get("generateName"):
            raise _KubectlError(f"error: from {meta['generateName']}: cannot use generate name with apply")
        applied = copy.deepcopy(target.doc)
        applied.setdefault("metadata", {}).setdefault("annotations", {}).pop(_LAST_APPLIED, None)
        last_text = _go_json(applied) + "\n"
        live = self._read(target)
        if live is None:
            obj = self._new_object(target, "creating")
            obj.setdefault("metadata", {}).setdefault("annotations", {})[_LAST_APPLIED] = last_text
            self._stamp(obj, target.type, target.namespace)
            self._objects[self._key(target.type, target.namespace, target.name)] = obj
            return copy.deepcopy(obj)
        try:
            last = json.loads(((live.get("metadata") or {}).get("annotations") or {}).get(_LAST_APPLIED) or "{}")
        except ValueError:
            last = {}
        patch = _three_way(last if isinstance(last, dict) else {}, applied)
        patch.setdefault("metadata", {}).setdefault("annotations", {})[_LAST_APPLIED] = last_text
        new = _strategic(live, patch, target.type.kind) if target.type.builtin else merge_patch(live, patch)
        return self._write(target.type, target.namespace, target.name, new, live)

    def _replace(self, cmd: _Cmd, manifest: str) -> dict[str, Any]:
        """kubectl replace -f (replace.go:280-310): the manifest becomes the object."""
        target = self._single(cmd, manifest)
        assert target.doc is not None
        if not target.name:
            raise _KubectlError(f'error: error when replacing "{MANIFEST_PATH}": resource name may not be empty')
        live = self._read(target)
        if live is None:
            raise _from_server("NotFound", f'error when replacing "{MANIFEST_PATH}": {_not_found(target.type, target.name)}')
        return self._write(target.type, target.namespace, target.name, copy.deepcopy(target.doc), live)

    def _patch(self, cmd: _Cmd, manifest: str) -> dict[str, Any]:
        """kubectl patch (patch.go:202-316) and the API server's patcher (handlers/patch.go)."""
        kind = cmd.patch_type.lower()
        if kind not in ("json", "merge", "strategic"):
            raise _KubectlError(f'error: --type must be one of [json merge strategic], not "{cmd.patch_type}"')
        if cmd.patch_file is not None and cmd.patch is not None:
            raise _KubectlError("error: cannot specify --patch and --patch-file together")
        if cmd.patch_file is not None and cmd.patch_file != MANIFEST_PATH:
            raise _RefusedError("kubectl --patch-file naming a file other than the staged manifest")
        body_text = manifest if cmd.patch is None else cmd.patch
        docs = _yaml_docs(body_text)
        body = docs[0] if docs else None
        targets, _ = self._targets(cmd, manifest, allow_empty=False)
        if len(targets) != 1:
            if not targets:
                raise _KubectlError("error: no objects passed to patch")
            raise _RefusedError(f"kubectl patch of {len(targets)} objects at once (kubectl prints each, which Argo cannot read)")
        target = targets[0]
        live = self._read(target)
        if live is None:
            raise _from_server("NotFound", _not_found(target.type, target.name))
        if kind == "json":
            ops = [] if body is None else body  # an empty file: "null", a patch of no operations
            if not isinstance(ops, list):  # handlers/patch.go:403-406: jsonpatch.DecodePatch fails
                raise _from_server(
                    "BadRequest", f"json: cannot unmarshal {_json_kind(ops)} into Go value of type jsonpatch.Patch"
                )
            bad = next((op for op in ops if not isinstance(op, Mapping)), _MISSING)
            if bad is not _MISSING:
                raise _from_server(
                    "BadRequest", f"json: cannot unmarshal {_json_kind(bad)} into Go value of type jsonpatch.Operation"
                )
            try:
                new = json_patch(live, ops)
            except ValueError:
                # handlers/patch.go:411-414: a failing operation is a bare 422, which kubectl prints
                # as "The request is invalid" with the server's generic message (helpers.go:163-181)
                raise _KubectlError(
                    "The request is invalid: the server rejected our request due to an error in our request"
                ) from None
        elif not isinstance(body, Mapping):
            raise _from_server("BadRequest", "Invalid JSON Patch")
        elif kind == "merge":
            new = merge_patch(live, body)
        else:
            if not target.type.builtin:  # a CRD takes no strategic merge patch (patch.go:259-263)
                gvk = f"{target.type.api_version}, Kind={target.type.kind}"
                raise _KubectlError(
                    f"error: {_STRATEGIC_MEDIA} is not supported by {gvk}: the body of the request was in an unknown "
                    f"format - accepted media types include: {_CRD_MEDIA}"
                )
            if _directives(body):
                raise _RefusedError(f"the strategic merge patch directive {_directives(body)[0]}")
            new = _strategic(live, body, target.type.kind)
        if not isinstance(new, dict):
            raise _from_server("BadRequest", "Invalid JSON Patch")
        name = str((new.get("metadata") or {}).get("name", ""))
        if name != target.name:  # handlers/rest.go:272-290
            raise _from_server(
                "BadRequest", f"the name of the object ({name}) does not match the name on the URL ({target.name})"
            )
        return self._write(target.type, target.namespace, target.name, new, live)

    def _delete(self, cmd: _Cmd, manifest: str) -> None:
        """kubectl delete (delete.go): NotFound is an error unless --ignore-not-found, which
        Argo always passes (resource.go:128-131)."""
        targets, _ = self._targets(cmd, manifest, allow_empty=False)
        for target in targets:
            if (
                self._objects.pop(self._key(target.type, target.namespace, target.name), None) is None
                and not cmd.ignore_not_found
            ):
                raise _from_server(
                    "NotFound",
                    f'error when deleting "{MANIFEST_PATH}": {_not_found(target.type, target.name)}'
                    if cmd.files
                    else _not_found(target.type, target.name),
                )

    def _get(self, cmd: _Cmd, manifest: str) -> dict[str, Any] | None:
        """kubectl get -o json (get.go:700-760): one object, or a List; NotFound unless
        --ignore-not-found, and then nothing at all."""
        targets, single = self._targets(cmd, manifest, allow_empty=True)
        found = []
        for target in targets:
            obj = self._read(target)
            if obj is None:
                if cmd.ignore_not_found:
                    continue
                raise _from_server("NotFound", _not_found(target.type, target.name))
            found.append(obj)
        if single and len(found) == 1:
            return found[0]
        if not found and cmd.ignore_not_found:
            return None
        return {"apiVersion": "v1", "items": found, "kind": "List", "metadata": {"resourceVersion": ""}}

    # ------------------------------------------------------------------ the step

    def resource(
        self,
        template_resource: Mapping[str, Any],
        *,
        owner: Mapping[str, Any] | None,
        pod_name: str,
        parameters: Sequence[Mapping[str, Any]] | None = None,
        manifest_file: tuple[str, str] | None = None,
    ) -> ResourceResult:
        """Run a resource step: ``template_resource`` is the template's ``resource:`` after Argo
        substituted its tags; ``owner`` the Workflow's metadata (name, uid; apiVersion and kind
        default to Argo's) for ``setOwnerReference``; ``pod_name`` the step's pod, which is in
        the store while the step runs (added here if the engine has not). ``parameters`` are the
        template's output parameters, read into ``result.parameters`` (a failure to read them
        fails the step, as in Argo); ``manifest_file`` the (path, text) of the ``manifestFrom``
        artifact as staged in the pod."""
        if self.get("Pod", pod_name) is None:
            self.add(pod_object(pod_name, self.namespace, {}))
        res = dict(template_resource)
        action = str(res.get("action", ""))
        manifest = str(res.get("manifest") or "")
        if res.get("setOwnerReference"):  # the controller, before the pod exists (operator.go:3938-3951)
            if owner is None:
                raise ValueError("setOwnerReference needs the Workflow's metadata")
            try:
                manifest = _with_owner(manifest, owner)
            except ValueError as exc:
                return ResourceResult("Error", str(exc), None)
        try:
            return self._execute(res, action, manifest, parameters, manifest_file)
        except _RefusedError as exc:
            return ResourceResult("Error", f"cannot run here: {exc}", None)

    def _execute(
        self,
        res: Mapping[str, Any],
        action: str,
        manifest: str,
        parameters: Sequence[Mapping[str, Any]] | None,
        manifest_file: tuple[str, str] | None,
    ) -> ResourceResult:
        """execResource (cmd/argoexec/commands/resource.go:33-94)."""
        success_text = str(res.get("successCondition") or "")
        failure_text = str(res.get("failureCondition") or "")
        if action == "delete" and (success_text or failure_text or parameters):  # :58-63
            return ResourceResult(
                "Failed", _failed("successCondition, failureCondition and outputs are not supported for delete action"), None
            )
        path = MANIFEST_PATH
        if res.get("manifestFrom"):  # :64-73: the artifact's file instead of the inline manifest
            if manifest_file is None:
                raise _RefusedError("manifestFrom needs the staged artifact's text")
            path, manifest = manifest_file
            if path != MANIFEST_PATH:
                raise _RefusedError("manifestFrom: a manifest staged elsewhere than /tmp/manifest.yaml")
        flags = [str(f) for f in res.get("flags") or []]
        if not manifest and not flags:  # resource.go:118-120
            return ResourceResult("Failed", _failed("Must provide at least one of flags or manifest."), None)
        if action not in _ACTIONS:  # validate.go:919-926 rejects it before a run; kubectl's own words otherwise
            return ResourceResult("Failed", _failed(f'no more retries error: unknown command "{action}" for "kubectl"'), None)
        argv = ["kubectl", action]
        if action == "delete":  # resource.go:128-131
            argv.append("--ignore-not-found")
        file_flag = True
        if action == "patch":  # resource.go:134-160
            strategy = str(res.get("mergeStrategy") or "strategic")
            argv += ["--type", strategy, "--patch-file", path]
            if strategy == "json":
                file_flag = False
            else:
                try:
                    docs = _yaml_docs(manifest)
                except yaml.YAMLError as exc:
                    return ResourceResult("Failed", _failed(f"error converting YAML to JSON: {exc}"), None)
                first = docs[0] if docs else None
                if first is not None and not isinstance(first, dict):
                    return ResourceResult("Failed", _failed(_not_a_map(first)), None)
                if flags and (first or {}).get("kind") is None:
                    file_flag = False
        argv += flags
        if manifest and file_flag:
            argv += ["-f", path]
        argv += ["-o", "name" if action == "delete" else "json"]
        log = [" ".join(argv)]
        try:
            printed = self._kubectl(argv, manifest)
        except _KubectlError as exc:
            return ResourceResult("Failed", _failed(f"no more retries {exc}"), None, log=log)  # resource.go:52-61
        except yaml.YAMLError as exc:
            return ResourceResult("Failed", _failed(f"no more retries error: error parsing {path}: {exc}"), None, log=log)
        except SelectorError as exc:
            return ResourceResult("Failed", _failed(f"no more retries error: {exc}"), None, log=log)
        if action == "delete":
            return ResourceResult("Succeeded", "", None, log=log)
        result = ResourceResult("Succeeded", "", printed, log=log, _store=self, _parameters=parameters)
        if printed is not None:  # resource.go:69-84
            meta = printed.get("metadata") or {}
            if not meta.get("name") or not printed.get("kind"):
                return ResourceResult(
                    "Failed",
                    _failed("Kind and name are both required but at least one of them is missing from the manifest"),
                    printed,
                    log=log,
                )
            t = self._type_of(str(printed.get("apiVersion", "")), str(printed["kind"]))
            assert t is not None
            result._ref = _Target(t, str(meta.get("namespace") or ""), str(meta["name"]))
        if success_text or failure_text:  # WaitResource (resource.go:200-249)
            try:
                result._success = tuple(parse_selector(success_text)) if success_text else ()
            except SelectorError as exc:
                return ResourceResult(
                    "Failed", _failed(f"success condition '{success_text}' failed to parse: {exc}"), printed, log=log
                )
            try:
                result._failure = tuple(parse_selector(failure_text)) if failure_text else ()
            except SelectorError as exc:
                return ResourceResult(
                    "Failed", _failed(f"fail condition '{failure_text}' failed to parse: {exc}"), printed, log=log
                )
            result = self._check(result)
        elif parameters is not None:
            result = self._with_outputs(result, parameters)
        return result

    def poll(self, result: ResourceResult) -> ResourceResult:
        """Check a ``Running`` step again, after another step changed the store: the object read
        again, the conditions matched again, the outputs read once they have. Any other result is
        returned as it is."""
        return self._check(result) if result.phase == "Running" else result

    def _check(self, result: ResourceResult) -> ResourceResult:
        """checkResourceState (resource.go:253-276) once: the object read by its self link (none
        when ``get`` printed nothing: then an empty object, where Argo would read the API root)."""
        obj = self._read(result._ref) if result._ref is not None else {}
        if obj is None:
            assert result._ref is not None
            gone = _not_found(result._ref.type, result._ref.name)
            return ResourceResult(
                "Failed",
                _failed(f"The resource has been deleted while its status was still being checked. Will not be retried: {gone}"),
                None,
                log=result.log,
            )
        retry, error = match_conditions(obj, result._success, result._failure)
        nxt = ResourceResult(
            result.phase,
            "",
            obj,
            log=result.log,
            _store=self,
            _ref=result._ref,
            _success=result._success,
            _failure=result._failure,
            _parameters=result._parameters,
        )
        if retry:
            nxt.phase, nxt.message = "Running", error or ""
            return nxt
        if error is not None:
            nxt.phase, nxt.message = "Failed", _failed(error)
            return nxt
        nxt.phase = "Succeeded"
        return self._with_outputs(nxt, nxt._parameters) if nxt._parameters is not None else nxt

    def _with_outputs(self, result: ResourceResult, parameters: Sequence[Mapping[str, Any]]) -> ResourceResult:
        try:
            result.parameters = result.outputs(parameters)
        except ResourceError as exc:
            result.phase = "Error" if exc.message.startswith("cannot run here") else "Failed"
            result.message = exc.message
        return result


def _json_kind(value: Any) -> str:
    """The JSON type name Go's unmarshal errors use."""
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "string"


def _not_a_map(value: Any) -> str:
    """sigs.k8s.io/yaml's error for a document that is not a mapping."""
    return f"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {_json_kind(value)} into {_GO_MAP}"


def _three_way(last: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """A patch from the last applied configuration to the new one: dropped keys are null."""
    patch: dict[str, Any] = {k: None for k in last if k not in new}
    for k, v in new.items():
        prev = last.get(k)
        patch[k] = _three_way(prev, v) if isinstance(v, Mapping) and isinstance(prev, Mapping) else copy.deepcopy(v)
    return patch


def _with_owner(manifest: str, owner: Mapping[str, Any]) -> str:
    """The controller's setOwnerReference (operator.go:3938-3951): the manifest read as an
    unstructured object (its kind required), the Workflow appended to its ownerReferences as
    metav1.NewControllerRef makes it. Raises ValueError with sigs.k8s.io/yaml's wording."""
    try:
        docs = _yaml_docs(manifest)
    except yaml.YAMLError as exc:
        raise ValueError(f"error converting YAML to JSON: {exc}") from None
    obj = docs[0] if docs else None
    if obj is None:  # an empty manifest (manifestFrom): nothing to decode, the reference is kept nowhere
        obj = {}
    elif not isinstance(obj, dict):
        raise ValueError(_not_a_map(obj))
    elif not obj.get("kind"):
        raise ValueError(f"error unmarshaling JSON: while decoding JSON: Object 'Kind' is missing in '{_go_json(obj)}'")
    meta = obj.setdefault("metadata", {})
    refs = list(meta.get("ownerReferences") or [])
    refs.append({
        "apiVersion": str(owner.get("apiVersion") or "argoproj.io/v1alpha1"),
        "kind": str(owner.get("kind") or "Workflow"),
        "name": str(owner.get("name", "")),
        "uid": str(owner.get("uid", "")),
        "controller": True,
        "blockOwnerDeletion": True,
    })  # fmt: skip
    meta["ownerReferences"] = refs
    return yaml.safe_dump(obj, sort_keys=True)


def pod_object(
    name: str,
    namespace: str,
    metadata: Mapping[str, Any] | None,
    *,
    workflow: str = "",
    node_name: str = "",
    node_id: str = "",
    owner: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A step's pod as the controller creates it (workflowpod.go:477-491, 562, 1326-1334): Argo's
    labels and annotations, then the template's ``metadata`` over them; status Running. The
    annotations map always exists, as on a cluster, so a JSON patch can add to it."""
    meta = metadata or {}
    labels = {"workflows.argoproj.io/completed": "false"}
    annotations = {"kubectl.kubernetes.io/default-container": "main"}
    if workflow:
        labels["workflows.argoproj.io/workflow"] = workflow
    if node_name:
        annotations["workflows.argoproj.io/node-name"] = node_name
    if node_id:
        annotations["workflows.argoproj.io/node-id"] = node_id
    labels.update({str(k): str(v) for k, v in (meta.get("labels") or {}).items()})
    annotations.update({str(k): str(v) for k, v in (meta.get("annotations") or {}).items()})
    pod: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels, "annotations": annotations},
        "spec": {"restartPolicy": "Never", "containers": [{"name": "main"}]},
        "status": {"phase": "Running"},
    }
    if owner is not None:
        pod["metadata"]["ownerReferences"] = [{
            "apiVersion": str(owner.get("apiVersion") or "argoproj.io/v1alpha1"), "kind": str(owner.get("kind") or "Workflow"),
            "name": str(owner.get("name", "")), "uid": str(owner.get("uid", "")), "controller": True, "blockOwnerDeletion": True,
        }]  # fmt: skip
    return pod


# --------------------------------------------------------------------------- before the run


def _manifest_doc(template_resource: Mapping[str, Any]) -> dict[str, Any] | None:
    """The inline manifest's single object, or None when it has none, several, or Argo tags
    not yet substituted."""
    text = str(template_resource.get("manifest") or "")
    if not text or "{{" in text:
        return None
    try:
        docs = _yaml_docs(text)
    except yaml.YAMLError:
        return None
    return docs[0] if len(docs) == 1 and isinstance(docs[0], dict) else None


def needs_controller(template_resource: Mapping[str, Any]) -> str | None:
    """Why the step would wait for a change no one here makes, or None.

    Argo polls the object until a failure requirement matches or every success requirement does
    (resource.go:224-305). Here nothing changes an object by itself. So a template whose
    ``successCondition`` reads ``status`` (which only controllers write) waits forever, unless
    the object as created already decides it: ``create``/``apply``/``replace`` of an inline
    manifest are evaluated on the manifest as the API server would store it (a status
    subresource's status dropped, a Pod Pending). Conditions over other fields can be met by
    another step's patch, so they are left to run. No success requirement means no wait: a
    failure condition that does not match is success (resource.go:300-302). A condition that
    does not parse is left to fail the run with Argo's own message."""
    success = str(template_resource.get("successCondition") or "")
    failure = str(template_resource.get("failureCondition") or "")
    action = str(template_resource.get("action") or "")
    if not success or action == "delete":
        return None
    try:
        sreq = parse_selector(success)
        freq = parse_selector(failure) if failure else []
    except SelectorError:
        return None
    if not sreq:
        return None
    doc = _manifest_doc(template_resource)
    written = re.search(r"^kind:[ \t]*([A-Za-z0-9]+)[ \t]*$", str(template_resource.get("manifest") or ""), re.MULTILINE)
    kind = str((doc or {}).get("kind") or (written.group(1) if written else "object"))
    if doc is not None and action in ("create", "apply", "replace") and not template_resource.get("manifestFrom"):
        t = _find_type(_BUILTIN_TYPES, str(doc.get("apiVersion", "")), kind)
        if t is None:
            return None  # kubectl fails on the unknown kind before anything waits
        as_created = copy.deepcopy(doc)
        if t.status:
            as_created.pop("status", None)
            if t.kind == "Pod":
                as_created["status"] = {"phase": "Pending", "qosClass": "BestEffort"}
        retry, _ = match_conditions(as_created, sreq, freq)
        if not retry:
            return None
    elif doc is None and action in ("get", "patch"):
        flags = [str(f) for f in template_resource.get("flags") or [] if not str(f).startswith("-")]
        kind = flags[0].partition("/")[0] if flags else kind
    waits = [r.key for r in sreq if r.key == "status" or r.key.startswith("status.")]
    if not waits:
        return None
    return (
        f"it waits for a cluster's controller to set {waits[0]} of the {kind} (successCondition '{success}'); "
        "nothing here changes an object's status after it is written"
    )


def unsupported(template_resource: Mapping[str, Any], parameters: Sequence[Mapping[str, Any]] | None = None) -> str | None:
    """Why this module would not reproduce the step, or None: kubectl flags it does not know, a
    create/apply/replace of several objects at once, strategic-merge directives, and output
    parameters beyond the jq and JSONPath subsets. Tags left in flags or the manifest are
    tolerated (they are checked again after substitution, at run time)."""
    res = template_resource
    flags = [str(f) for f in res.get("flags") or []]
    try:
        cmd = _parse_cmd(["kubectl", str(res.get("action") or "get"), *flags])
    except _RefusedError as exc:
        return str(exc)
    except _KubectlError:
        return None  # kubectl itself fails the step
    if cmd.action == "create" and cmd.args:
        return "kubectl create with resource arguments (a generator such as 'kubectl create configmap')"
    text = str(res.get("manifest") or "")
    if text and "{{" not in text:
        try:
            docs = _yaml_docs(text)
        except yaml.YAMLError:
            docs = []
        if cmd.action in ("create", "apply", "replace") and len(docs) > 1:
            return f"kubectl {cmd.action} of {len(docs)} objects at once (kubectl prints each, which Argo cannot read)"
        if (
            cmd.action == "patch"
            and str(res.get("mergeStrategy") or "strategic") == "strategic"
            and docs
            and _directives(docs[0])
        ):
            return f"the strategic merge patch directive {_directives(docs[0])[0]}"
    for p in parameters or []:
        vf = p.get("valueFrom") or {}
        try:
            if vf.get("jqFilter"):
                _jq_steps(str(vf["jqFilter"]))
            elif vf.get("jsonPath") and "{{" not in str(vf["jsonPath"]):
                _JSONPathParser(str(vf["jsonPath"])).parse()
        except _RefusedError as exc:
            return f"output parameter {p.get('name')}: {exc} is not evaluated here"
        except _JSONPathError:
            pass  # kubectl's parse error fails the step
    return None
