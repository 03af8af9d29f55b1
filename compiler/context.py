"""State shared by the compiler passes of one compile (never global)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mldsl.compiler import ir
from mldsl.lang.diagnostics import Diagnostic, Diagnostics, Span
from mldsl.lang.loader import Loaded, Workspace

Loc = tuple[str | int, ...]


@dataclass
class Context:
    ws: Workspace
    diags: Diagnostics
    project: ir.Project = field(default_factory=ir.Project)
    #: compiled modules by (name, version); None where the module has errors
    modules: dict[tuple[str, str], ir.Module | None] = field(default_factory=dict)
    pipelines: list[ir.Pipeline] = field(default_factory=list)
    sweeps: list[ir.Sweep] = field(default_factory=list)
    servings: list[ir.Serving] = field(default_factory=list)
    #: anything a pass wants to hand to a later one, keyed by the pass's name
    scratch: dict[str, Any] = field(default_factory=dict)
    #: references to documents whose own errors are reported: not reported again, but what holds them fails
    suppressed: int = 0

    def span(self, doc: Loaded, loc: Loc, *, key: bool = False, offset: int | None = None) -> Span:
        pos = doc.source.positions
        if offset is not None:
            return pos.span_in_string(loc, offset)
        return pos.span(loc, key=key)

    def error(
        self,
        doc: Loaded,
        loc: Loc,
        code: str,
        message: str,
        hint: str | None = None,
        *,
        key: bool = False,
        offset: int | None = None,
    ) -> None:
        self.diags.add(Diagnostic(code, message, self.span(doc, loc, key=key, offset=offset), hint))

    def warn(self, doc: Loaded, loc: Loc, code: str, message: str, hint: str | None = None) -> None:
        """A problem that does not stop the compile (shown, never an exit code of 1)."""
        self.diags.add(Diagnostic(code, message, self.span(doc, loc), hint, severity="warning"))
