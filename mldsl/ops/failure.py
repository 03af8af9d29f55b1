"""Why a run failed, for people (issue #30 m6): the step that failed, named as in the YAML, and the error of its
traceback with the user's own frames first and the libraries' frames folded.

The record keeps Argo's words (``child '002-features' failed``: ``dag.go`` names the child node's id); the
terminal, ``runs show`` and the UI say ``step 'features' failed: ...`` instead. Python prints a traceback
outermost first and the error last, so a log's last 15 lines of a pandas error are pandas' own frames; the
condensed form leads with the error, then the frames in the user's code, innermost first.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mldsl.ops.tracebacks import MAPPED  # the M7 mapping's block at the end of a failed step's log
from mldsl.runner.store import inside, log_tail
from mldsl.runner.wording import display_name, plain

CHILD = re.compile(r"^child '(?P<id>[^']+)' failed$")
FRAME = re.compile(r'^\s*File "(?P<path>[^"]*)", line (?P<line>\d+)(?:, in (?P<func>.*))?$')
#: a frame inside an installed library or Python's own modules, not the user's code
LIBRARY = re.compile(r"[/\\](?:site|dist)-packages[/\\]|[/\\]lib[/\\]python\d+(?:\.\d+)?[/\\]|^<frozen |\.(?:pyx|pxi)$")
#: where a library's own path starts: after its ``site-packages/``, or after ``lib/python3.11/`` (the stdlib)
PACKAGES = re.compile(r"(?:site|dist)-packages[/\\]|lib[/\\]python\d+(?:\.\d+)?[/\\](?!(?:site|dist)-packages)")


def _failed_steps(record: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for group in ("steps", "on_exit"):
        for name, step in (record.get(group) or {}).items():
            if isinstance(step, dict) and step.get("phase") in ("Failed", "Error"):
                out.append((str(name), step))
    return out


def culprit(record: dict[str, Any], node_id: str) -> tuple[str, dict[str, Any]] | None:
    """The record's step a node id names: the one whose log is that node's, else the first that failed."""
    failed = _failed_steps(record)
    for name, step in failed:
        if Path(str(step.get("log") or "")).stem == node_id:
            return name, step
    return failed[0] if failed else None


def run_message(record: dict[str, Any]) -> str:
    """The run's message in the user's words: which step failed (its YAML name) and why."""
    message = str(record.get("message") or "")
    m = CHILD.match(message)
    found = culprit(record, m["id"]) if m else None
    if found is None:
        return plain(message)
    name, step = found
    why = plain(str(step.get("message") or step.get("phase") or "failed"))
    return f"step '{display_name(name)}' failed: {why}"


def _last_traceback(lines: list[str]) -> tuple[list[tuple[str, list[str]]], list[str]] | None:
    """The last traceback in ``lines``: its frames (header line, code lines) and its error lines."""
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent call last):")]
    if not starts:
        return None
    frames: list[tuple[str, list[str]]] = []
    error: list[str] = []
    for line in lines[starts[-1] + 1 :]:
        if line.startswith(MAPPED):
            break
        if error:
            error.append(line)
        elif FRAME.match(line):
            frames.append((line.strip(), []))
        elif line.startswith((" ", "\t")) and frames:
            if line.strip() and set(line.strip()) - set("^~ "):  # the code, not its carets
                frames[-1][1].append(line.strip())
        elif line.strip():
            error.append(line)
    return (frames, error) if error else None


def _mapped(lines: list[str]) -> list[tuple[str, list[str]]]:
    """The frames the M7 mapping appended: the module's own file and line."""
    if MAPPED not in lines:
        return []
    out: list[tuple[str, list[str]]] = []
    for line in lines[len(lines) - 1 - lines[::-1].index(MAPPED) + 1 :]:
        if FRAME.match(line):
            out.append((line.strip(), []))
        elif out and line.startswith(" "):
            out[-1][1].append(line.strip())
    return out


def condensed(lines: list[str]) -> list[str] | None:
    """A log's last traceback for people: the error first, then the frames in the user's code (innermost
    first), then how many library frames were folded and in which packages. ``None``: the log has none."""
    found = _last_traceback(lines)
    if found is None:
        return None
    frames, error = found
    library = [f for f in frames if LIBRARY.search(FRAME.match(f[0])["path"])]  # type: ignore[index]
    own = _mapped(lines) or [f for f in frames if f not in library]
    out = [line.rstrip() for line in error if line.strip()][:6]
    if own:
        out.append("in your code, innermost first:")
        for head, code in reversed(own):
            out += ["  " + head, *("    " + c for c in code[:2])]
    if library:
        out.append(f"({len(library)} frame{'s' if len(library) != 1 else ''} inside {_packages(library)} folded)")
    return out


def _packages(frames: list[tuple[str, list[str]]]) -> str:
    """The top-level packages of library frames, in order of first appearance: ``pandas, numpy``."""
    names: list[str] = []
    for head, _ in frames:
        path = FRAME.match(head)["path"]  # type: ignore[index]
        cut = [m.end() for m in PACKAGES.finditer(path)]
        top = re.split(r"[/\\]", path[cut[-1] :] if cut else path)[0].removesuffix(".py")
        if top and top not in names:
            names.append(top)
    return ", ".join(names) if names else "libraries"


def step_failure(folder: Path, step: dict[str, Any], lines: int = 400) -> list[str] | None:
    """The condensed traceback of a failed step's log (a record's step), or ``None``."""
    log = step.get("log")
    path = inside(folder, log) if isinstance(log, str) else None
    if path is None or not path.is_file():
        return None
    return condensed(log_tail(path, lines))
