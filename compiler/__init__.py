"""mldsl's compiler: documents in, a resolved and type-checked IR out.

>>> from pathlib import Path
>>> result = compile_paths([Path("examples/churn")])   # doctest: +SKIP
>>> [p.name for p in result.program.pipelines]          # doctest: +SKIP
['churn-train']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mldsl.lang.diagnostics import Diagnostic
from mldsl.lang.loader import Workspace, load_workspace

if TYPE_CHECKING:
    from mldsl.compiler.targets import TargetCheck


@dataclass
class CompileResult:
    program: ir.Program
    diagnostics: list[Diagnostic]
    workspace: Workspace

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


def compile_workspace(ws: Workspace, *, targets: Sequence[TargetCheck] = ()) -> CompileResult:
    """Compile the loaded documents; ``targets`` are the backends' checks of what their targets refuse
    (``compiler/targets.py``), run last and positioned on the documents like every other error."""
    from mldsl.compiler import ir
    from mldsl.compiler.context import Context
    from mldsl.compiler.passes import PASSES
    from mldsl.lang.suggest import budget

    ctx = Context(ws, ws.diagnostics)
    with budget():  # thousands of wrong names must not cost thousands squared comparisons (issue #28)
        for run in PASSES:
            run(ctx)
    program = ir.Program(
        project=ctx.project,
        pipelines=tuple(sorted(ctx.pipelines, key=lambda p: p.name)),
        modules=tuple(m for _, m in sorted(ctx.modules.items()) if m is not None),
        sweeps=tuple(sorted(ctx.sweeps, key=lambda s: s.name)),
        servings=tuple(sorted(ctx.servings, key=lambda s: s.name)),
    )
    if targets:
        from mldsl.compiler.targets import run_target_checks

        run_target_checks(ctx, program, targets)
    return CompileResult(program, ws.diagnostics.sorted(), ws)


def compile_paths(
    paths: list[Path],
    *,
    unsaved: dict[Path, str] | None = None,
    all_modules: bool = False,
    targets: Sequence[TargetCheck] = (),
) -> CompileResult:
    """Load ``paths`` (files or folders) with their Project and module paths, and compile them.

    ``unsaved`` gives text to compile instead of what is on disk (new files too); ``all_modules``
    compiles every module of the module paths and the library, used or not; ``targets`` as for
    :func:`compile_workspace` (``mldsl.ops.project.compile_project`` gives every backend's).
    """
    return compile_workspace(load_workspace(paths, unsaved=unsaved, all_modules=all_modules), targets=targets)


from mldsl.compiler import ir  # noqa: E402  (re-exported for type hints)

__all__ = ["CompileResult", "compile_paths", "compile_workspace", "ir"]
