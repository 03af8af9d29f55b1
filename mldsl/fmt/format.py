"""``mldsl fmt``: one canonical layout for mldsl YAML, comments kept.

What it changes: indentation (two spaces; list items indented under their
key), the order of a document's top-level keys (apiVersion, kind, metadata,
spec) and of ``metadata`` (name, version, description, labels, annotations),
trailing spaces (not inside ``|`` and ``>`` blocks, where they are the
value), empty documents, and the file's final newline. What it keeps: every
comment, the order of everything else (steps stay in the order you wrote
them), flow or block style, how each scalar is quoted, and how each number,
boolean, null and date is spelt (ruamel reads YAML 1.2 and would respell
``1e-400`` or ``12:00:00.5Z``). A file that is not valid YAML is reported and
left as it is.

Formatting never changes meaning: the result is read back with mldsl's own
loader and must give the same documents, and formatting it again must change
nothing; otherwise the file is left as it is with MLD011.
"""

from __future__ import annotations

import io
from typing import Any

from mldsl.fmt.fast import is_canonical
from mldsl.fmt.order import METADATA_ORDER, TOP_ORDER
from mldsl.lang.diagnostics import Diagnostic, Span
from mldsl.lang.yamlsource import YamlDocument, load_yaml_text

#: plain scalars kept as written: ruamel would construct them as values and print them its own way
VERBATIM_TAGS = tuple(f"tag:yaml.org,2002:{t}" for t in ("int", "float", "bool", "null", "timestamp"))


class Verbatim(str):
    """A plain scalar's text and the tag it resolved to, printed back exactly as it was written."""

    tag = ""


def _verbatim(constructor: Any, node: Any) -> Verbatim:
    value = Verbatim(node.value)
    value.tag = node.tag
    return value


def _yaml() -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    y.explicit_start = False
    for tag in VERBATIM_TAGS:
        y.constructor.add_constructor(tag, _verbatim)
    y.representer.add_representer(Verbatim, lambda r, d: r.represent_scalar(d.tag, str(d)))
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
    (:mod:`mldsl.fmt.fast`), which is what keeps ``fmt --check`` linear and fast
    on big files.
    """
    docs, diags = load_yaml_text(text, path)
    if only_mldsl and not is_mldsl(docs, diags, text):
        return None, []
    if any(d.severity == "error" for d in diags):
        return text, diags
    if is_canonical(text):
        return text, []
    try:
        formatted = round_trip(text)
    except Exception as exc:  # ruamel (YAML 1.2) refuses some text PyYAML reads: leave the file alone
        mark = getattr(exc, "problem_mark", None)
        span = Span(path, mark.line + 1, mark.column + 1) if mark is not None else Span(path)
        problem = getattr(exc, "problem", None) or type(exc).__name__
        return text, [_cannot_keep(f"fmt cannot keep this file exactly ({problem}); it is left as it is", span)]
    problem = changed_meaning(docs, formatted, path)
    if problem is not None:
        return text, [problem]
    return formatted, []


def _cannot_keep(message: str, span: Span) -> Diagnostic:
    return Diagnostic(
        "MLD011", message, span, hint="write this spot plainly (spaces, not tabs, after ':'; no tags), then run fmt again"
    )


def changed_meaning(before: list[YamlDocument], formatted: str, path: str) -> Diagnostic | None:
    """Why ``formatted`` may not replace the file whose documents are ``before`` (None when it may).

    Read back with mldsl's loader, it must hold the same documents (so it compiles to the same bytes), and
    formatting it again must change nothing.
    """
    after, diags = load_yaml_text(formatted, path)
    old = [d for d in before if d.data is not None]
    new = [d.data for d in after if d.data is not None]
    if diags or len(old) != len(new):
        return _cannot_keep("fmt cannot keep this file exactly (its documents would change); it is left as it is", Span(path))
    for doc, data in zip(old, new, strict=True):
        where = _first_difference(doc.data, data, ())
        if where is not None:
            shown = ".".join(str(k) for k in where) or "the document"
            return _cannot_keep(
                f"fmt cannot keep this file exactly (it would change the value of {shown}); it is left as it is",
                doc.positions.span(where),
            )
    if not is_canonical(formatted) and round_trip(formatted) != formatted:
        return _cannot_keep("fmt cannot keep this file exactly (formatting twice would differ); it is left as it is", Span(path))
    return None


def _first_difference(a: Any, b: Any, at: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """Where two loaded values first differ: types too (1, 1.0 and True are different values to mldsl)."""
    if type(a) is not type(b):
        return at
    if isinstance(a, dict):
        if a.keys() != b.keys():
            return at
        for key in a:
            found = _first_difference(a[key], b[key], (*at, key))
            if found is not None:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return at
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _first_difference(x, y, (*at, i))
            if found is not None:
                return found
        return None
    if isinstance(a, float) and a != a:
        return None if b != b else at  # NaN is NaN
    return None if a == b else at


def round_trip(text: str) -> str:
    """The canonical form of valid YAML through ruamel's round trip: the reference the fast check is tested against."""
    y = _yaml()
    return dump_canonical(y, list(y.load_all(text)))


def dump_canonical(y: Any, docs: list[Any]) -> str:
    """Round-trip documents as text in the canonical layout (``y`` from :func:`_yaml`)."""
    from ruamel.yaml.comments import CommentedMap

    out = io.StringIO()
    written = 0
    for doc in docs:
        if doc is None or (isinstance(doc, Verbatim) and doc.tag == VERBATIM_TAGS[3] and not doc):
            # an empty document (`---` twice): dropped, or a second fmt would drop its separator
            continue
        if isinstance(doc, CommentedMap):
            _reorder(doc, TOP_ORDER)
            meta = doc.get("metadata")
            if isinstance(meta, CommentedMap):
                _reorder(meta, METADATA_ORDER)
        if written:
            out.write("---\n")
        y.dump(doc, out)
        written += 1
    text = out.getvalue()
    keep = _block_scalar_lines(text)
    result = "\n".join(line if i in keep else line.rstrip() for i, line in enumerate(text.splitlines()))
    return result.strip("\n") + "\n"


def _block_scalar_lines(text: str) -> set[int]:
    """The lines (0-based) inside ``|`` and ``>`` blocks: their trailing spaces are part of the value."""
    if "|" not in text and ">" not in text:
        return set()
    if not any(line != line.rstrip() for line in text.splitlines()):
        return set()
    import yaml

    keep: set[int] = set()
    for token in yaml.scan(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        if isinstance(token, yaml.ScalarToken) and token.style in ("|", ">"):
            last = token.end_mark.line if token.end_mark.column else token.end_mark.line - 1
            keep.update(range(token.start_mark.line + 1, last + 1))
    return keep
