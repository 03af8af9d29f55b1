"""What a YAML syntax error or a too-deep document reads as: a positioned diagnostic with a hint."""

from __future__ import annotations

import re
from typing import Any

import yaml

from mldsl.lang.diagnostics import Diagnostic, Span


def syntax_diag(path: str, exc: yaml.YAMLError, text: str, max_depth: int) -> Diagnostic:
    """A YAML syntax error as MLD002 with a hint where one helps (each search linear in the line); libyaml's own
    nesting refusal as MLD005."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    if "maximum nesting depth" in str(problem) and mark is not None:  # libyaml's own bound (PyYAML 6.0.4's wheels)
        return depth_diag(path, mark, max_depth)
    message = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
    hint = None
    if "found character '\\t'" in str(problem) or "\t" in str(problem):
        hint = "YAML indentation must use spaces, not tabs"
    elif "mapping values are not allowed" in str(problem):
        hint = "a value containing ': ' must be quoted"
    elif mark is not None and _BRACKET_TYPE_IN_FLOW.search(_line(text, mark.line)):
        hint = "inside { }, quote a type with brackets: {type: 'list[str]'}"
    elif "found undefined alias" in str(problem):
        hint = "define the anchor (&name) before using the alias (*name)"
    return Diagnostic("MLD002", message, Span(path, line, col), hint=hint)


#: ``list[``/``dict[`` after a ``{`` with no brace between them (so inside that ``{ }``). ``[^{}]`` rather than
#: ``[^}]``: each try from a ``{`` stops at the next brace, so the search is linear in the line; ``[^}]*`` retried
#: from every ``{`` of a 40,000-``{`` line took 16 s (issue #28)
_BRACKET_TYPE_IN_FLOW = re.compile(r"\{[^{}]*\b(list|dict)\[")


def _line(text: str, index: int) -> str:
    lines = text.splitlines()
    return lines[index] if 0 <= index < len(lines) else ""


def depth_diag(path: str, mark: Any, max_depth: int) -> Diagnostic:
    return Diagnostic(
        "MLD005",
        f"document nests deeper than {max_depth} levels",
        Span(path, mark.line + 1, mark.column + 1),
        hint="flatten the structure; mldsl documents are a few levels deep",
    )
