"""``mldsl fmt``: one canonical layout for mldsl YAML, comments kept.

What it changes: indentation (two spaces; list items indented under their
key), the order of a document's top-level keys (apiVersion, kind, metadata,
spec) and of ``metadata`` (name, version, description, labels, annotations),
trailing spaces, and the file's final newline. What it keeps: every comment,
the order of everything else (steps stay in the order you wrote them), flow
or block style, and how each scalar is quoted. A file that is not valid YAML
is reported and left as it is. Formatting is idempotent.
"""

from __future__ import annotations

import io
from typing import Any

from mldsl.diagnostics import Diagnostic, Span
from mldsl.yamlsource import YamlDocument, load_yaml_text

TOP_ORDER = ("apiVersion", "kind", "metadata", "spec")
METADATA_ORDER = ("name", "version", "description", "labels", "annotations")


def _yaml() -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    y.explicit_start = False
    return y


def _reorder(mapping: Any, order: tuple[str, ...]) -> None:
    """Put ``order``'s keys first, in that order; comments travel with their keys."""
    present = [k for k in order if k in mapping]
    if list(mapping)[: len(present)] == present:
        return
    rest = [k for k in mapping if k not in order]
    for key in present + rest:
        mapping.move_to_end(key)


def format_text(text: str, path: str = "<text>") -> tuple[str, list[Diagnostic]]:
    """The canonical form of ``text``; with diagnostics (and ``text`` unchanged) when it is not valid YAML."""
    formatted, diags = format_file(text, path, only_mldsl=False)
    return text if formatted is None else formatted, diags


def is_mldsl(docs: list[YamlDocument], diags: list[Diagnostic], text: str) -> bool:
    """Whether a file holds an mldsl document (YAML that does not load counts when it mentions mldsl)."""
    if diags:
        return "mldsl/" in text
    return any(isinstance(d.data, dict) and str(d.data.get("apiVersion", "")).startswith("mldsl/") for d in docs)


def format_file(text: str, path: str, *, only_mldsl: bool = True) -> tuple[str | None, list[Diagnostic]]:
    """Like :func:`format_text`, loading the file once; None for another tool's YAML when ``only_mldsl``.

    A file already in canonical form is recognised without the round trip
    (:mod:`mldsl.fmt_fast`), which is what keeps ``fmt --check`` linear and fast
    on big files.
    """
    from mldsl.fmt_fast import is_canonical

    docs, diags = load_yaml_text(text, path)
    if only_mldsl and not is_mldsl(docs, diags, text):
        return None, []
    if any(d.severity == "error" for d in diags):
        return text, diags
    if is_canonical(text):
        return text, []
    try:
        return round_trip(text), []
    except Exception as exc:  # ruamel (YAML 1.2) refuses some text PyYAML reads: leave the file alone
        mark = getattr(exc, "problem_mark", None)
        span = Span(path, mark.line + 1, mark.column + 1) if mark is not None else Span(path)
        problem = getattr(exc, "problem", None) or type(exc).__name__
        return text, [
            Diagnostic(
                "MLD011",
                f"fmt cannot keep this file exactly ({problem}); it is left as it is",
                span,
                hint="write this spot plainly (spaces, not tabs, after ':'; no tags), then run fmt again",
            )
        ]


def round_trip(text: str) -> str:
    """The canonical form of valid YAML through ruamel's round trip: the reference the fast check is tested against."""
    y = _yaml()
    return dump_canonical(y, list(y.load_all(text)))


def dump_canonical(y: Any, docs: list[Any]) -> str:
    """Round-trip documents as text in the canonical layout (``y`` from :func:`_yaml`)."""
    from ruamel.yaml.comments import CommentedMap

    out = io.StringIO()
    for i, doc in enumerate(docs):
        if isinstance(doc, CommentedMap):
            _reorder(doc, TOP_ORDER)
            meta = doc.get("metadata")
            if isinstance(meta, CommentedMap):
                _reorder(meta, METADATA_ORDER)
        if i:
            out.write("---\n")
        if doc is None:
            continue
        y.dump(doc, out)
    result = "\n".join(line.rstrip() for line in out.getvalue().splitlines())
    return result.strip("\n") + "\n"
