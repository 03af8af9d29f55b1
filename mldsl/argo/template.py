"""Argo's template substitution, as the controller does it (argo-workflows v4.1.2).

A tag runs from ``{{`` to the next ``}}`` (fasttemplate, ``util/template/template.go``
l. 26). ``{{=code}}`` is an expression over the scope expanded into nested maps
(``util/expr/env/env.go``); any other tag is looked up whole in the flat scope
(``simple_template.go``). Substitution runs on the *JSON text* of a template,
so each value is JSON-escaped once (``strconv.Quote``, ``simple_template.go``
l. 70-73; an expression's result is JSON-marshalled, and a string's quotes
dropped, ``expression_template.go`` l. 260-278).

>>> replace("--lr={{inputs.parameters.lr}} {{=asInt(inputs.parameters.n) + 1}}",
...         {"inputs.parameters.lr": "0.1", "inputs.parameters.n": "2"})
'--lr=0.1 3'
"""

from __future__ import annotations

import json
import re
from typing import Any

from mldsl.argo.errors import ExprError
from mldsl.argo.tags import split

__all__ = ["UnresolvedError", "expand", "replace", "resolve_tag", "split", "substitute"]


class UnresolvedError(Exception):
    """A tag that cannot be resolved in its scope (Argo: "failed to resolve" / "Unable to resolve")."""

    def __init__(self, tag: str, reason: str):
        super().__init__(f"{{{{{tag}}}}}: {reason}")
        self.tag = tag


def expand(flat: dict[str, Any]) -> dict[str, Any]:
    """``{"a.b": 1}`` -> ``{"a": {"b": 1}}``, as Argo's ``util/expand`` builds an expression's env.

    A key that is also a prefix of the next key in sorted order goes first (``util/expand/expand.go``
    removeConflicts: ``tasks.x.outputs.parameters`` of a fan-out gives way to ``...parameters.out``).
    """
    keys = sorted(flat)
    flat = {k: flat[k] for i, k in enumerate(keys) if not (i + 1 < len(keys) and keys[i + 1].startswith(k + "."))}
    out: dict[str, Any] = {}
    for key in sorted(flat, key=lambda k: k.count(".")):
        node = out
        *path, last = key.split(".")
        ok = True
        for p in path:
            nxt = node.setdefault(p, {})
            if not isinstance(nxt, dict):
                ok = False
                break
            node = nxt
        if ok and not isinstance(node.get(last), dict):
            node[last] = flat[key]
    return out


_POD_NAME = re.compile(r"\bpod\.name\b")
#: expr-lang string literals, which may spell ``pod.name`` without reading it
_STRINGS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def _json_escape(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)[1:-1]


def resolve_tag(tag: str, flat: dict[str, Any], env: dict[str, Any] | None = None) -> str:
    """One tag's text (unescaped); raises :class:`UnresolvedError`."""
    body = tag.strip()
    if body.startswith("="):
        try:
            from mldsl.argo.exprlang import evaluate  # only a text with an expression pays for the evaluator

            value = evaluate(body[1:], env if env is not None else expand(flat))
        except ExprError as exc:
            raise UnresolvedError(tag, str(exc)) from None
        if value is None:
            raise UnresolvedError(tag, "the expression gave nil")
        from mldsl.argo.exprlang import to_json

        return value if isinstance(value, str) else to_json(value)
    if body not in flat:
        raise UnresolvedError(tag, "not in scope")
    value = flat[body]
    if value is None:
        raise UnresolvedError(tag, "an absent optional (a skipped step's output with no default)")
    if not isinstance(value, str):
        raise UnresolvedError(tag, "does not resolve to a string")
    return value


def replace(
    text: str,
    flat: dict[str, Any],
    *,
    strict: bool = True,
    json_escaped: bool = False,
    strict_prefixes: tuple[str, ...] = (),
) -> str:
    """Substitute every tag in ``text``; ``json_escaped`` when ``text`` is JSON (values escaped once).

    ``strict``: a tag that does not resolve is an error (``Replace(..., allowUnresolved=false)``); otherwise it
    stays as written, unless it reads a name under one of ``strict_prefixes`` (``ReplaceStrictAny``,
    ``util/template/replace.go`` l. 52-69, ``simple_template.go`` l. 37-41). A reference to an absent optional
    (a skipped node's output with no default, ``None`` here) is an error in every mode (``simple_template.go``
    l. 48-50).
    """
    env: dict[str, Any] | None = None
    out: list[str] = []
    for is_tag, body in split(text):
        if not is_tag:
            out.append(body)
            continue
        raw = body  # a tag left for a later pass stays exactly as written
        expression = body.strip().startswith("=")
        if expression:
            if env is None:
                env = expand(flat)
            if json_escaped:  # Argo unescapes an expression taken from the template's JSON first
                body = json.loads('"' + body + '"')
            if "pod.name" not in flat and _POD_NAME.search(_STRINGS.sub("", body)) and not strict:
                # known only in a later pass: the tag is kept (expression_template.go expressionReplaceCore)
                out.append("{{" + raw + "}}")
                continue
        try:
            if strict and expression and "$env" in _STRINGS.sub("", body):
                # a strict scan checks each identifier against the map first, and ``$env`` is none of its keys
                # (expression_template.go expressionReplaceStrict l. 80-92, missingVarsInEnv)
                raise UnresolvedError(raw, "failed to evaluate expression: $env is missing")
            value = resolve_tag(body, flat, env)
        except UnresolvedError as exc:
            absent = "absent optional" in str(exc)
            if strict or absent or _reads_strict(body, flat, strict_prefixes, expression):
                raise
            out.append("{{" + raw + "}}")
            continue
        out.append(_json_escape(value) if json_escaped else value)
    return "".join(out)


_NAME = re.compile(r"[A-Za-z_][\w-]*(?:\.[\w-]+)*")


def _reads_strict(body: str, flat: dict[str, Any], prefixes: tuple[str, ...], expression: bool) -> bool:
    """Whether an unresolved tag reads a missing name under a strict prefix (``tasks``, ``steps``)."""
    if not prefixes:
        return False
    if not expression:  # an artifact is resolved apart (allowUnresolvedArtifacts, simple_template.go l. 39)
        return body.strip().split(".")[0] in prefixes and ".outputs.artifacts." not in body
    # ``a['b'].c`` is the member path ``a.b.c`` (getMemberPath); a path left of ``??`` is guarded: never missing
    # (guardVisitor, expression_template.go l. 150-170)
    code = _BRACKET.sub(lambda m: "." + m[1], body.strip()[1:])
    guarded = {m[1] for m in _GUARDED.finditer(code)}
    code = _STRINGS.sub("", code)
    for name in _NAME.findall(code):
        root = name.split(".")[0]
        if root not in prefixes:
            continue
        # a guarded path's members are not checked, its identifier is (identifierVisitor visits it)
        need = root if name in guarded else name
        if not any(k == need or k.startswith(need + ".") for k in flat):
            return True
    return False


_BRACKET = re.compile(r"""\[\s*['"]([^'"\]]*)['"]\s*\]""")
_GUARDED = re.compile(r"([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\?\?")


def substitute(obj: Any, flat: dict[str, Any], *, strict: bool = True, pod_name: str | None = None) -> Any:
    """``obj`` (a template, a manifest) with its tags substituted as Argo does: on its JSON text.

    ``pod_name``: then the pod's own pass too, Argo's last (``workflowpod.go`` substitutePodParams l. 1004-1026),
    the only one that knows ``pod.name`` (mldsl's escapes of ``{{`` wait for it: ``backends/argo/exprs.py``).
    """
    text = replace(json.dumps(obj, ensure_ascii=False), flat, strict=strict, json_escaped=True)
    if pod_name is not None and "pod.name" in text:  # tags left for that pass
        text = replace(text, {**flat, "pod.name": pod_name}, strict=False, json_escaped=True)
    return json.loads(text)
