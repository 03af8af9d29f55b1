"""Source files on disk: finding a project's YAML files and its mldsl.yaml, reading a file's text, and paths
as users read them. The loader's ground floor (``loader.py`` turns these files into documents)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from mldsl.lang.diagnostics import Diagnostic, Span

PROJECT_FILE = "mldsl.yaml"
YAML_SUFFIXES = (".yaml", ".yml")


def safely(check: Callable[[], bool]) -> bool:
    """``path.exists()``, ``is_dir()`` or ``is_file()`` that answers False for a name the file system refuses
    (too long, a NUL) instead of raising: such names come from documents."""
    try:
        return check()
    except (OSError, ValueError):
        return False


def real_path(path: Path) -> Path:
    """``path`` with links followed; a link loop stays as it is named (reading it then fails with a message)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a link loop (pathlib, Python 3.11)
        return path.absolute()


def display_path(path: Path) -> str:
    """A path as users should read it: relative to the working directory when below it."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)


def builtin_modules_dir() -> Path:
    """The built-in library's folder (package data, a folder in the wheel and in a checkout).

    Found by the import system's spec rather than ``importlib.resources``, which imports zipfile, tempfile
    and more: ~15 ms of every start-up (issue #15).
    """
    import importlib.util

    spec = importlib.util.find_spec("mldsl.modules")
    assert spec is not None and spec.submodule_search_locations, "mldsl.modules is part of the package"
    return Path(next(iter(spec.submodule_search_locations)))


_KIND = re.compile(r"^kind:[ \t]*['\"]?([A-Za-z]+)", re.MULTILINE)
_METADATA = re.compile(r"^metadata:", re.MULTILINE)
_NAME = re.compile(r"\bname:[ \t]*['\"]?([A-Za-z0-9][A-Za-z0-9._-]*)")
_SEPARATOR = re.compile(r"^---", re.MULTILINE)


def names_in_text(text: str) -> tuple[set[tuple[str, str]], bool]:
    """(kind, name) of each document of a file YAML cannot read, made out from its lines (``kind: Pipeline``, then
    the first ``name:`` after ``metadata:``), so what refers to them is not reported as "not found" as well; and
    whether every document's could be made out."""
    out = set()
    every = True
    for chunk in _SEPARATOR.split(text):
        kind, meta = _KIND.search(chunk), _METADATA.search(chunk)
        name = _NAME.search(chunk, meta.end()) if meta else None
        if kind and name:
            out.add((kind.group(1), name.group(1)))
        elif any(line.strip() and not line.lstrip().startswith("#") for line in chunk.splitlines()):
            every = False  # a document (not only comments) whose name cannot be made out
    return out, every


def find_yaml_files(path: Path) -> list[Path]:
    if safely(path.is_file):
        return [path]
    out: list[Path] = []
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("__pycache__", "node_modules"))
        out.extend(Path(root) / f for f in sorted(files) if f.endswith(YAML_SUFFIXES) and not f.startswith("."))
    return out


def find_project_file(paths: Iterable[Path]) -> Path | None:
    """``mldsl.yaml`` in the first given path's folder or the nearest folder above it."""
    for p in paths:
        start = real_path(p) if safely(p.is_dir) else real_path(p).parent
        for folder in (start, *start.parents):
            candidate = folder / PROJECT_FILE
            if safely(candidate.is_file):
                return candidate
        break
    return None


def read_source(path: Path, shown: str) -> tuple[str | None, Diagnostic | None]:
    """A source file's text, or the MLD001 saying why it cannot be read (``validate`` and ``fmt`` alike).

    Text that is not UTF-8 is placed at its first bad byte (its column counted in characters); line ends read as
    ``Path.read_text`` reads them.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, Diagnostic("MLD001", f"no such file or folder: {shown}", Span(shown))
    except OSError as exc:
        return None, Diagnostic("MLD001", f"cannot read file: {exc.strerror or exc}", Span(shown))
    try:
        return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n"), None  # as read_text's universal newlines
    except UnicodeDecodeError as exc:
        start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        col = len(data[start : exc.start].decode("utf-8", errors="replace")) + 1
        byte = data[exc.start : exc.start + 1].hex()
        message = f"file is not UTF-8 text: byte 0x{byte}: {exc.reason}"
        return None, Diagnostic("MLD001", message, Span(shown, line, col), hint="save the file as UTF-8")
