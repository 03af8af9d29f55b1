"""Diagnostics: every problem mldsl reports is a :class:`Diagnostic`.

Errors are data (file, line, column, code, message, hint) so that tests can
assert their structure and the CLI can print them as text, JSON or GitHub
workflow annotations. Passes collect them instead of raising, so a user sees
every error of every file in one run.

>>> d = Diagnostic("MLD101", "unknown field 'imag'", Span("m.yaml", 4, 7), hint="did you mean 'image'?")
>>> print(d.render())
m.yaml:4:7: error[MLD101]: unknown field 'imag'
  hint: did you mean 'image'?
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Span:
    """A 1-based position in a source file."""

    path: str
    line: int = 1
    col: int = 1


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    span: Span
    hint: str | None = None
    severity: Severity = "error"

    def render(self) -> str:
        text = f"{self.span.path}:{self.span.line}:{self.span.col}: {self.severity}[{self.code}]: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.span.path,
            "line": self.span.line,
            "col": self.span.col,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }

    def render_github(self) -> str:
        # https://docs.github.com/actions/reference/workflow-commands-for-github-actions
        def esc(s: str) -> str:
            return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

        def esc_prop(s: str) -> str:
            return esc(s).replace(":", "%3A").replace(",", "%2C")

        body = self.message + (f" (hint: {self.hint})" if self.hint else "")
        return (
            f"::{self.severity} file={esc_prop(self.span.path)},line={self.span.line},"
            f"col={self.span.col},title={esc_prop(self.code)}::{esc(body)}"
        )


@dataclass
class Diagnostics:
    """An ordered collection of diagnostics that passes append to."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diag: Diagnostic) -> None:
        self.items.append(diag)

    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.items.append(Diagnostic(code, message, span, hint))

    def extend(self, diags: Iterable[Diagnostic]) -> None:
        self.items.extend(diags)

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        """Stable order: by file, then position, then code; duplicates dropped."""
        seen: set[tuple[object, ...]] = set()
        out: list[Diagnostic] = []
        for d in sorted(self.items, key=lambda d: (d.span, d.code, d.message)):
            key = (d.span, d.code, d.message)
            if key not in seen:
                seen.add(key)
                out.append(d)
        return out

    def __len__(self) -> int:
        return len(self.items)


def format_diagnostics(diags: list[Diagnostic], fmt: str) -> str:
    """Render diagnostics as ``text``, ``json`` or ``github`` annotations."""
    if fmt == "json":
        return json.dumps([d.to_json() for d in diags], indent=2)
    if fmt == "github":
        return "\n".join(d.render_github() for d in diags)
    return "\n".join(d.render() for d in diags)
