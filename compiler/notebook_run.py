"""Compile ``run: notebook:`` (SPEC §1.12): check the notebook against the module, build the step's script.

The step is a python step whose script is the runtime (typed ``inputs``), the notebook without its
outputs, and ``mldsl/lang/notebook_driver.py`` (papermill, then nbconvert): so the Argo backend and ``mldsl
run`` run it as they run any python step, and the notebook's text is part of the module's digest.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from mldsl.compiler import ir
from mldsl.compiler.context import Context
from mldsl.compiler.notebooks import Assigned, Cell, Notebook, NotebookError, parameters, read_notebook, type_agrees
from mldsl.lang import notebook_driver
from mldsl.lang.constraints import Param
from mldsl.lang.diagnostics import Diagnostic, Span
from mldsl.lang.loader import Loaded, display_path
from mldsl.lang.mtypes import MType
from mldsl.lang.runtime import prelude

if TYPE_CHECKING:
    from mldsl.lang.models.module import NotebookRun

#: the artifact output every notebook step has: the notebook as it ran, with its outputs
EXECUTED = "executed"
EXECUTED_PARAM = Param(EXECUTED, MType("artifact", format="ipynb"), description="the notebook as it ran, with its outputs")
_BASE = ("spec", "run", "notebook")
_TAG_HINT = (
    "tag the cell that sets the defaults 'parameters' (JupyterLab: the cell's property inspector, Tags); "
    "papermill injects the step's inputs after it"
)


def executed_output(ctx: Context, doc: Loaded, outputs: list[Param]) -> list[Param]:
    """``outputs`` with :data:`EXECUTED`; a declared output of that name must be that artifact."""
    own = next((p for p in outputs if p.name == EXECUTED), None)
    if own is None:
        return [*outputs, EXECUTED_PARAM]
    if own.type.kind != "artifact":
        ctx.error(
            doc,
            ("spec", "outputs", EXECUTED),
            "MLD610",
            f"output {EXECUTED!r} of a notebook step is the executed notebook, an artifact: it cannot be a {own.type}",
            f"rename the output; every notebook step has '{EXECUTED}' (an .ipynb artifact) without declaring it",
        )
    return outputs


def compile_notebook(
    ctx: Context,
    doc: Loaded,
    run: NotebookRun,
    inputs: list[Param],
    outputs: list[Param],
    env: tuple[tuple[str, ir.IValue], ...],
) -> ir.NotebookRun | None:
    """The IR of the run, or ``None`` after reporting why the notebook does not fit the module."""
    path = doc.file.parent / run.file
    why = ctx.ws.refuses(path)
    if why is not None:  # the notebook's text is inlined into the manifest CI publishes
        ctx.error(
            doc,
            (*_BASE, "file"),
            "MLD602",
            f"{run.file!r} is not read: {why}",
            "a module's notebook must be inside the project; 'file' is relative to the module's file",
        )
        return None
    try:
        text = path.resolve().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError, RuntimeError):
        ctx.error(
            doc,
            (*_BASE, "file"),
            "MLD602",
            f"cannot read notebook {run.file!r}",
            f"looked for {display_path(path)}; 'file' is relative to the module's file",
        )
        return None
    shown = display_path(path)
    try:
        nb = read_notebook(text)
    except NotebookError as exc:
        ctx.diags.add(
            Diagnostic(
                "MLD613",
                f"{run.file} is not a Jupyter notebook: {exc}",
                Span(shown, exc.line, exc.col),
                "save it from Jupyter (File > Save) or check it with `jupyter nbconvert --to notebook`",
            )
        )
        return None
    injected = [p for p in inputs if p.type.kind != "secret"]  # a secret never goes into the executed notebook
    if not _check_parameters(ctx, shown, nb, injected):
        return None
    image = run.image or ctx.project.image
    source = prelude(tuple(inputs), tuple(outputs)) + driver_call(nb, run.file, run.kernel, injected, outputs)
    return ir.NotebookRun(image, source, run.file, run.kernel, tuple(c.summary() for c in nb.cells), env)


def _check_parameters(ctx: Context, shown: str, nb: Notebook, injected: list[Param]) -> bool:
    cell = nb.parameters_cell()
    if cell is None:
        if not injected:
            return True  # nothing to inject: papermill runs the notebook as it is
        names = ", ".join(p.name for p in injected)
        ctx.diags.add(
            Diagnostic(
                "MLD611",
                f"notebook has no cell tagged 'parameters', so inputs {names} would not reach it",
                Span(shown, *((nb.cells[0].line, nb.cells[0].col) if nb.cells else (1, 1))),
                _TAG_HINT,
            )
        )
        return False
    if cell.kind != "code":
        if not injected:
            return True
        ctx.diags.add(
            Diagnostic(
                "MLD611",
                f"cell {cell.number}, tagged 'parameters', is a {cell.kind} cell: the defaults must be code",
                Span(shown, cell.line, cell.col),
                "tag the code cell that assigns the inputs' defaults instead (papermill injects after the first tagged cell)",
            )
        )
        return False
    if nb.language != "python":
        return True  # the cell's assignments are read as Python; papermill translates parameters to other kernels
    try:
        assigned = parameters(cell)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:  # ValueError: a NUL in the source
        why = exc.msg if isinstance(exc, SyntaxError) else str(exc) or type(exc).__name__
        line = (exc.lineno if isinstance(exc, SyntaxError) else None) or 1
        ctx.diags.add(
            Diagnostic(
                "MLD613",
                f"the parameters cell (cell {cell.number}) is not Python: {why}",
                Span(shown, *cell.line_of(line)),
                "the parameters cell assigns each input's default: name = value",
            )
        )
        return False
    return _check_defaults(ctx, shown, cell, injected, assigned)


def _check_defaults(ctx: Context, shown: str, cell: Cell, injected: list[Param], assigned: dict[str, Assigned]) -> bool:
    """Each injected input has a default in the parameters cell (an error), of its declared type (a warning)."""
    ok = True
    for p in injected:
        a = assigned.get(p.name)
        if a is None:
            ok = False
            example = json.dumps(p.default) if p.has_default and p.type.kind != "bool" else "..."
            if p.has_default and p.type.kind == "bool":
                example = str(bool(p.default))
            ctx.diags.add(
                Diagnostic(
                    "MLD612",
                    f"input {p.name!r} is missing from the parameters cell (cell {cell.number}): "
                    "the notebook gives it no default of its own, so it would not run alone in Jupyter",
                    Span(shown, *cell.line_of(1)),
                    f"add `{p.name} = {example}` to cell {cell.number}",
                )
            )
        elif a.literal and not type_agrees(p.type.kind, a.value):
            ctx.diags.add(
                Diagnostic(
                    "MLD614",
                    f"input {p.name!r} is {_a(p.type)}, but the parameters cell (cell {cell.number}, line {a.line}) "
                    f"sets it to {a.value!r} ({type(a.value).__name__})",
                    Span(shown, *cell.line_of(a.line)),
                    "the step injects the declared type: make the cell's default one of it, or change the input's type",
                    severity="warning",
                )
            )
    return ok


def _a(t: MType) -> str:
    s = str(t)
    return ("an " if s[:1] in "aeiou" else "a ") + s


def driver_call(nb: Notebook, file: str, kernel: str, injected: list[Param], outputs: list[Param]) -> str:
    """The driver's code and its call, with the notebook's JSON one line of the file per line of code."""
    driver = Path(notebook_driver.__file__).read_text(encoding="utf-8")
    lines = json.dumps(json.loads(nb.text), indent=1, sort_keys=True, ensure_ascii=True).splitlines()
    notebook = "_MLDSL_NOTEBOOK = '\\n'.join([\n" + "".join(f"    {ln!r},\n" for ln in lines) + "])\n"
    html = [p.name for p in outputs if p.type.kind == "artifact" and (p.type.format or "").lower() == "html"]
    names = [p.name for p in injected]
    written = [p.name for p in outputs]
    return (
        "# --- mldsl notebook step (generated from mldsl/lang/notebook_driver.py) ---\n"
        + driver
        + "\n\n"
        + notebook
        + f"run_notebook(_MLDSL_NOTEBOOK, {file!r}, {kernel!r}, {{n: inputs[n] for n in {names!r}}}, {written!r}, {html!r}, "
        "MLDSL_OUTPUTS_DIR)\n"
    )
