"""Label selectors as k8s.io/apimachinery parses and matches them (``labels/selector.go``)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

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
