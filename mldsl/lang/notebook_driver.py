"""What a notebook step runs in its image (SPEC §1.12): papermill, then nbconvert for HTML outputs.

The compiler inlines this file's text after the step runtime (``mldsl.lang.runtime.prelude``, which gives
``inputs`` and ``MLDSL_OUTPUTS_DIR``) and a call of :func:`run_notebook`; so it imports nothing of
mldsl, and papermill and nbconvert only inside the step. Parameter outputs are the files the notebook
writes at ``MLDSL_OUTPUT_<NAME>``, as for any step; the kernel inherits that environment.
"""

import json
import os
import re
import shutil
import sys
import tempfile
import types

# The annotations are strings: this code runs in the step's image, whose Python may be older than mldsl's.

#: where Kubernetes reads a container's termination message, which Argo shows as the step's message
TERMINATION_LOG = "/dev/termination-log"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: IPython's frame header for code run from a cell (IPython >= 8: ``Cell In[3], line 2``)
_CELL_LINE = re.compile(r"Cell In\s*\[\s*\d*\s*\],\s*line (\d+)")
#: cells papermill adds to the executed notebook (papermill 2.6 ``parameterize.py``, ``execute.py``)
_ADDED_TAGS = ("injected-parameters", "papermill-error-cell-tag")


def failure_message(
    file: str, number: int, exec_count: "int | None", source: str, line: "int | None", ename: str, evalue: str
) -> str:
    """The one paragraph a person reads first: which cell, which line of it, what went wrong."""
    where = f"{file} cell {number}" + (f" (In [{exec_count}])" if exec_count else "")
    text = source.splitlines()[line - 1].strip() if line and 0 < line <= len(source.splitlines()) else ""
    shown = f", line {line} `{text}`" if text else ""
    return f"notebook failed at {where}{shown}: {ename}: {evalue}"


def _cell_line(traceback: "list[str] | None") -> "int | None":
    for entry in traceback or ():
        m = _CELL_LINE.search(_ANSI.sub("", entry))
        if m:
            return int(m.group(1))
    return None


def _own_number(executed_path: str, cell_index: int) -> int:
    """The 1-based number of the failing cell in the notebook as written: papermill's index counts the cells
    it added (the injected parameters, its error banner)."""
    try:
        with open(executed_path, encoding="utf-8") as fh:
            cells = json.load(fh)["cells"]
    except (OSError, ValueError, KeyError):
        return cell_index + 1
    added = sum(1 for c in cells[:cell_index] if set(c.get("metadata", {}).get("tags", ())) & set(_ADDED_TAGS))
    return cell_index - added + 1


def _say(message: str) -> None:
    print("mldsl: " + message, file=sys.stderr, flush=True)
    # a pod's terminationMessagePath; `mldsl run` gives its own (never this machine's /dev)
    path = os.environ.get("MLDSL_TERMINATION_LOG") or ("" if os.environ.get("MLDSL_LOCAL_RUN") else TERMINATION_LOG)
    if not path:
        return
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(message[:4000])
    except OSError:
        pass  # not in a pod


def render_html(executed: str, target: str) -> None:
    """The executed notebook as one self-contained HTML page (nbconvert's ``lab`` template)."""
    import nbconvert
    import nbformat

    body, _ = nbconvert.HTMLExporter().from_notebook_node(nbformat.read(executed, as_version=4))  # type: ignore[no-untyped-call]
    with open(target, "w", encoding="utf-8") as fh:
        fh.write(body)


def run_notebook(
    notebook: str,
    file: str,
    kernel: str,
    params: "dict[str, object]",
    outputs: "list[str]",
    html_outputs: "list[str]",
    outputs_dir: str,
) -> None:
    """Run ``notebook`` (its JSON text) with ``params``; keep it executed at ``<outputs_dir>/executed``.

    The kernel finds where to write each output in ``MLDSL_OUTPUT_<NAME>``. Exits 1 with the failing
    cell's number, line and error when a cell fails.
    """
    try:
        import papermill  # type: ignore[import-untyped]
    except ImportError as exc:
        where = "this machine's Python (pip install 'mldsl[notebook]')" if os.environ.get("MLDSL_LOCAL_RUN") else "its image"
        _say(f"this notebook step needs papermill in {where}: {exc}")
        sys.exit(1)
    os.makedirs(outputs_dir, exist_ok=True)
    for name in outputs:  # the kernel is a child of this process: it inherits these
        os.environ["MLDSL_OUTPUT_" + name.upper()] = os.path.join(outputs_dir, name)
    work = tempfile.mkdtemp(prefix="mldsl-notebook-")
    source = os.path.join(work, "input.ipynb")
    executed = os.path.join(work, os.path.basename(file) if file.endswith(".ipynb") else "executed.ipynb")
    with open(source, "w", encoding="utf-8") as fh:
        fh.write(notebook)
    print(f"mldsl: running {file} with papermill {papermill.__version__}, kernel {kernel}", file=sys.stderr, flush=True)
    failed = _execute(papermill, source, executed, file, kernel, params)
    if os.path.exists(executed):
        shutil.copyfile(executed, os.path.join(outputs_dir, "executed"))
    try:
        for name in html_outputs if failed is None else ():
            target = os.path.join(outputs_dir, name)
            if not os.path.exists(target):  # a notebook that writes its own report keeps it
                render_html(executed, target)
    except ImportError as exc:
        failed = f"the HTML outputs ({', '.join(html_outputs)}) are rendered with nbconvert, which is missing: {exc}"
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failed is not None:
        _say(failed)
        sys.exit(1)


def _execute(
    papermill: "types.ModuleType", source: str, executed: str, file: str, kernel: str, params: "dict[str, object]"
) -> "str | None":
    """Run the notebook with papermill; what went wrong (the failing cell, in the user's numbering), or None."""
    try:
        papermill.execute_notebook(
            source,
            executed,
            parameters=params,
            kernel_name=kernel,
            progress_bar=False,
            stdout_file=sys.stdout,
            stderr_file=sys.stderr,
        )
    except papermill.PapermillExecutionError as exc:
        line = _cell_line(exc.traceback)
        number = _own_number(executed, exc.cell_index)
        return failure_message(file, number, exc.exec_count, exc.source, line, exc.ename, exc.evalue)
    except Exception as exc:  # the kernel did not start, or died: papermill's own words
        return f"notebook {file} did not run: {type(exc).__name__}: {exc}"
    return None
