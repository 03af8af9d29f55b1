"""``mldsl forms``: which modules get a form. A project's own modules always; the built-in library's with
``--builtin`` (issue #30 m16: they got none, as they are not the project's files), alone or beside a project."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mldsl.backends.forms import generate
from mldsl.lang.sourcefiles import builtin_modules_dir
from mldsl.ops.project import UsageError, compile_result

if TYPE_CHECKING:
    from mldsl.compiler import CompileResult


def forms_of(path: Path | None, builtin: bool) -> tuple[CompileResult, list[tuple[str, str]], str | None]:
    """The compile result, every file of the forms, and a note: the built-in modules the project uses, when
    their forms were not asked for."""
    if path is None and not builtin:
        raise UsageError("give a PATH (a project, a folder or a file), or --builtin for the built-in modules")
    library = builtin_modules_dir()
    paths = ((path,) if path is not None else ()) + ((library,) if builtin else ())
    result = compile_result(paths)
    if not result.ok:
        return result, [], None
    ws = result.workspace
    keys = {f"{d.name}@{d.version}" for d in ws.of_kind("Module", tier=0)}
    used = sorted({d.name for d in ws.of_kind("Module") if d.tier != 0 and d.tier == ws.library_tier})
    note = f"mldsl: built-in modules used here ({', '.join(used)}) get forms with --builtin" if used and not builtin else None
    return result, generate(result.program, keys), note
