"""Read a module's notebook at compile time (SPEC §1.12): its cells, where they are, its ``parameters`` cell.

The notebook is read as JSON here, not with nbformat: compiling must not need Jupyter installed, and
the checks need only the minimal nbformat 4 shape (a ``cells`` list of objects with ``cell_type`` and
``source``). Positions are those of the ``.ipynb`` file itself, so an editor jumps to the cell.
"""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass
from typing import Any

#: papermill injects parameters after the first cell with this tag (papermill 2.6 ``parameterize.py``
#: ``parameterize_notebook``: ``find_first_tagged_cell_index(nb, "parameters")``)
PARAMETERS_TAG = "parameters"
_KINDS = ("code", "markdown", "raw")


@dataclass(frozen=True)
class Cell:
    number: int  # 1-based, in file order
    kind: str
    source: str
    tags: tuple[str, ...]
    line: int  # line and column of the cell's object in the .ipynb file
    col: int
    #: line and column in the file of each line of the source, where the file lists them one by one
    source_lines: tuple[tuple[int, int], ...]

    def line_of(self, source_line: int) -> tuple[int, int]:
        """The file's line and column for the 1-based line ``source_line`` of the cell's source."""
        if 0 < source_line <= len(self.source_lines):
            return self.source_lines[source_line - 1]
        return self.source_lines[0] if self.source_lines else (self.line, self.col)

    def summary(self) -> str:
        """What a reviewer reads of a cell: a short digest of its source and its first line."""
        first = next((ln.strip() for ln in self.source.splitlines() if ln.strip()), "")
        digest = hashlib.sha256(f"{self.kind}\0{self.source}".encode()).hexdigest()[:8]
        return f"{self.kind} {digest}" + (f": {first[:60]}" if first else "")


@dataclass(frozen=True)
class Notebook:
    cells: tuple[Cell, ...]
    language: str
    text: str  # the notebook without outputs, as canonical JSON: what the step runs and the cache keys on

    def parameters_cell(self) -> Cell | None:
        """The first cell tagged ``parameters``, of whatever type, as papermill picks it."""
        return next((c for c in self.cells if PARAMETERS_TAG in c.tags), None)


class NotebookError(Exception):
    """The file is not a notebook: the message, and the line and column of the problem in the file."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.line, self.col = line, col


def read_notebook(text: str) -> Notebook:
    """The notebook in ``text``; raises :class:`NotebookError` where it is not nbformat 4 JSON."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise NotebookError("not a notebook: its JSON is nested too deeply to read") from None
    if not isinstance(data, dict):
        raise NotebookError("a notebook is a JSON object with 'cells', 'metadata' and 'nbformat'")
    nbformat = data.get("nbformat")
    if not isinstance(nbformat, int) or isinstance(nbformat, bool) or nbformat < 4:
        raise NotebookError(f"nbformat {nbformat!r} is not read: notebooks are nbformat 4 (Jupyter saves them so)")
    raw_cells = data.get("cells")
    if not isinstance(raw_cells, list):
        raise NotebookError("a notebook has a 'cells' list")
    spots = _cell_spots(text)
    cells: list[Cell] = []
    for i, raw in enumerate(raw_cells):
        (line, col), source_lines = spots[i] if i < len(spots) else ((1, 1), ())
        if not isinstance(raw, dict) or raw.get("cell_type") not in _KINDS:
            raise NotebookError(f"cell {i + 1} is not a notebook cell (its cell_type is one of {', '.join(_KINDS)})", line, col)
        source = raw.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise NotebookError(f"cell {i + 1}'s source is not text", line, col)
        tags = _dict(raw.get("metadata")).get("tags")
        tags = tags if isinstance(tags, list) else []
        cells.append(Cell(i + 1, raw["cell_type"], source, tuple(str(t) for t in tags), line, col, source_lines))
    meta = _dict(data.get("metadata"))
    language = str(_dict(meta.get("kernelspec")).get("language") or _dict(meta.get("language_info")).get("name") or "python")
    return Notebook(tuple(cells), language.lower(), _canonical(data))


def _dict(value: Any) -> dict[str, Any]:
    """``value`` where it is a JSON object, else an empty one (a hand-edited notebook may hold anything)."""
    return value if isinstance(value, dict) else {}


def _canonical(data: dict[str, Any]) -> str:
    """The notebook as the step runs it: outputs and execution counts dropped (re-running a notebook in
    Jupyter changes them, not what the step computes), keys sorted, so the cache key moves only with the code."""
    cells = []
    for raw in data["cells"]:
        cell = {k: v for k, v in raw.items() if k not in ("outputs", "execution_count")}
        if raw.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cells.append(cell)
    meta = _dict(data.get("metadata"))
    kept = {k: meta[k] for k in ("kernelspec", "language_info") if k in meta}
    nb = {"cells": cells, "metadata": kept, "nbformat": data["nbformat"], "nbformat_minor": data.get("nbformat_minor", 0)}
    return json.dumps(nb, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# --- positions in the file ---------------------------------------------------------------------------

_DECODER = json.JSONDecoder()


def _ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _members(text: str, i: int) -> list[tuple[str, int]]:
    """The keys of the JSON object at ``i`` with the offset of each value (the text is valid JSON)."""
    out: list[tuple[str, int]] = []
    i = _ws(text, i + 1)
    while text[i] != "}":
        key, i = _DECODER.raw_decode(text, i)
        i = _ws(text, _ws(text, i) + 1)  # past ':'
        out.append((key, i))
        _, i = _DECODER.raw_decode(text, i)
        i = _ws(text, i)
        if text[i] == ",":
            i = _ws(text, i + 1)
    return out


def _elements(text: str, i: int) -> list[int]:
    """The offsets of the elements of the JSON array at ``i``."""
    out: list[int] = []
    i = _ws(text, i + 1)
    while text[i] != "]":
        out.append(i)
        _, i = _DECODER.raw_decode(text, i)
        i = _ws(text, i)
        if text[i] == ",":
            i = _ws(text, i + 1)
    return out


def _cell_spots(text: str) -> list[tuple[tuple[int, int], tuple[tuple[int, int], ...]]]:
    """For each cell: the line of its object, and the line of each line of its source when listed line by line."""

    def line(offset: int) -> int:
        return text.count("\n", 0, offset) + 1

    def at(offset: int) -> tuple[int, int]:
        return line(offset), offset - text.rfind("\n", 0, offset)

    try:
        top = dict(_members(text, _ws(text, 0)))
        if "cells" not in top or text[top["cells"]] != "[":
            return []
        spots = []
        for cell in _elements(text, top["cells"]):
            lines: tuple[tuple[int, int], ...] = ()
            if text[cell] == "{":
                src = dict(_members(text, cell)).get("source")
                if src is not None and text[src] == "[":
                    lines = tuple(at(o) for o in _elements(text, src))
                elif src is not None:
                    lines = (at(src),)
            spots.append((at(cell), lines))
        return spots
    except (ValueError, IndexError, RecursionError):  # positions are a help: the notebook itself was read above
        return []


# --- the parameters cell -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Assigned:
    name: str
    line: int  # 1-based line in the cell's source
    value: Any  # the literal, or NOT_LITERAL
    literal: bool


def parameters(cell: Cell) -> dict[str, Assigned]:
    """The names the ``parameters`` cell assigns at its top level; raises ``SyntaxError`` when it is not Python."""
    tree = ast.parse(cell.source)
    out: dict[str, Assigned] = {}
    for node in tree.body:
        targets: list[ast.expr]
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        try:
            literal, is_literal = ast.literal_eval(value), True
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            literal, is_literal = None, False
        for t in targets:
            if isinstance(t, ast.Name):
                out[t.id] = Assigned(t.id, node.lineno, literal, is_literal)
    return out


def type_agrees(kind: str, value: Any) -> bool:
    """Whether the cell's literal ``value`` fits a declared input of ``kind`` (None stands for "given at run time")."""
    if value is None:
        return True
    if kind in ("str", "secret", "artifact", "enum"):
        return isinstance(value, str) or (kind == "enum" and isinstance(value, (int, float)) and not isinstance(value, bool))
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "list":
        return isinstance(value, (list, tuple))
    if kind == "dict":
        return isinstance(value, dict)
    return True
