"""The hook through which each backend checks what its target refuses, and the compiler positions the findings.

A target's limits (Katib's name length and hyperband's eta, an operator's constraints) are the backend's
knowledge, kept beside the code that emits for it, as sqlglot's dialects own their ``unsupported`` rules. A
backend's ``check(program)`` reads only the IR and names the document and field of each problem; the compiler
runs the checks it is given as its last pass and turns each finding into a positioned diagnostic, so a target
error reads like every other one. The compiler never imports a backend: ``ops.project`` hands it the checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from mldsl.compiler import ir
from mldsl.compiler.context import Context, Loc


@dataclass(frozen=True)
class TargetProblem:
    """What a target refuses in one document (``kind`` and ``name``), at ``field`` of it."""

    kind: str  # "Sweep", "Serving", "Pipeline" or "Module"
    name: str
    field: Loc
    code: str
    message: str
    hint: str | None = None
    key: bool = False  # point at the field's key rather than its value


TargetCheck = Callable[[ir.Program], Iterable[TargetProblem]]


def run_target_checks(ctx: Context, program: ir.Program, checks: Sequence[TargetCheck]) -> None:
    """Each check's problems as diagnostics on their documents (a problem whose document is gone is dropped:
    the document's own error already stands, and a target error on top would be a cascade)."""
    for check in checks:
        for problem in check(program):
            doc = next((d for d in ctx.ws.of_kind(problem.kind) if d.name == problem.name), None)
            if doc is not None:
                ctx.error(doc, problem.field, problem.code, problem.message, problem.hint, key=problem.key)
