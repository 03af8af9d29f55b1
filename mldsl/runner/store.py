"""The local run store: ``.mldsl/runs/<run-id>/`` with ``run.json``, logs, outputs and artifacts (SPEC §1.11).

The store's files are read as untrusted: anyone who can write in ``.mldsl`` can plant a record of the wrong
shape, a FIFO or a link. A bad record is skipped with a warning naming it (one bad record never hides the
others), nothing but a regular file is opened (a FIFO would block), and a path taken from a record is
used only inside its own run folder.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mldsl.util.atomic import write_atomically

#: a run folder's name: ``<pipeline>-YYYYMMDD-NNNN`` (a pipeline's name is a DNS label); others are skipped
RUN_ID = re.compile(r"^[a-z0-9][a-z0-9.-]{0,252}-[0-9]{8}-[0-9]{4,}$")
#: a record larger than this is not read (a fan-out of 100,000 items writes ~20 MB)
RECORD_LIMIT = 64 * 1024 * 1024
#: bytes read from the end of a log to show its last lines
TAIL_BYTES = 64 * 1024

_OPTIONAL_STR = (str, type(None))
_NUMBER = (int, float)
#: the fields of a record that readers use, and their JSON types (SPEC §1.11)
_FIELDS: dict[str, tuple[type, ...]] = {
    "run": (str,),
    "pipeline": (str,),
    "status": (str,),
    "started": _OPTIONAL_STR,
    "finished": _OPTIONAL_STR,
    "duration": (*_NUMBER, type(None)),
    "message": _OPTIONAL_STR,
    "folder": (str,),
    "params": (dict,),
    "changed": (dict, type(None)),
    "given": (list,),
    "outputs": (dict,),
    "steps": (dict,),
    "on_exit": (dict,),
}
_REQUIRED = ("run", "pipeline", "status")
_STEP_FIELDS: dict[str, tuple[type, ...]] = {
    "phase": (str,),
    "duration": _NUMBER,
    "attempts": (int,),
    "message": (str,),
    "log": (str,),
    "started": (str,),
    "outputs": (dict,),
    "items": (list,),
    "steps": (dict,),
}


class StoreFileError(Exception):
    """A file of the store that is not what mldsl writes there (not a regular file, too large, not a record)."""


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` when it is a regular file of at most ``limit`` bytes: never follows a final link,
    never blocks on a FIFO or a device (opened non-blocking, checked with ``fstat`` before reading)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if os.path.islink(path):
            raise StoreFileError("it is a symbolic link") from None
        raise StoreFileError(exc.strerror or str(exc)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise StoreFileError("it is not a regular file")
        if st.st_size > limit:
            raise StoreFileError(f"it is larger than {limit} bytes")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise StoreFileError(f"it is larger than {limit} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def log_tail(path: Path, lines: int, max_bytes: int = TAIL_BYTES) -> list[str]:
    """The last ``lines`` lines of a log, from at most its last ``max_bytes`` bytes: a 400 MB log costs
    64 KiB, not its size. Empty when it is missing or not a regular file (a FIFO never blocks)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return []
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return []
        start = max(0, st.st_size - max_bytes)
        data = os.pread(fd, max_bytes, start)
    except OSError:
        return []
    finally:
        os.close(fd)
    text = data.decode("utf-8", errors="replace")
    got = text.splitlines()
    if start > 0 and len(got) > 1:
        got = got[1:]  # the first line read is cut (a single line longer than max_bytes: its end is kept)
    return got[-lines:] if lines > 0 else []


def inside(folder: Path, relative: str) -> Path | None:
    """``folder / relative`` when it stays in ``folder`` with links followed, else ``None`` (a record's ``log``
    of ``../../etc/passwd`` or an absolute path, or a planted link out of the run folder)."""
    if not relative or "\0" in relative or os.path.isabs(relative):
        return None
    base = os.path.realpath(folder)
    target = os.path.realpath(os.path.join(base, relative))
    return Path(target) if target.startswith(base + os.sep) else None


def record_problem(record: Any) -> str | None:
    """Why ``record`` is not a run record readers can use (wrong types where ``runs``, ``runs show`` and the UI
    read), or ``None``."""
    if not isinstance(record, dict):
        return f"it holds a JSON {type(record).__name__}, not an object"
    for name in _REQUIRED:
        if name not in record:
            return f"it has no {name!r}"
    for name, types in _FIELDS.items():
        if name in record and (not isinstance(record[name], types) or isinstance(record[name], bool)):
            return f"{name!r} is {json.dumps(record[name])[:40]}, not {_kind(types)}"
    if not all(isinstance(name, str) for name in record.get("given", [])):
        return "'given' is not a list of names"
    for group in ("steps", "on_exit"):
        for step, node in (record.get(group) or {}).items():
            why = _step_problem(node)
            if why:
                return f"{group}.{step}: {why}"
    return None


def _step_problem(node: Any, depth: int = 0) -> str | None:
    if not isinstance(node, dict):
        return "not an object"
    if "phase" not in node:
        return "it has no 'phase'"
    for name, types in _STEP_FIELDS.items():
        if name in node and (not isinstance(node[name], types) or isinstance(node[name], bool)):
            return f"{name!r} is {json.dumps(node[name])[:40]}, not {_kind(types)}"
    if depth < 8:
        for i, item in enumerate(node.get("items") or []):
            why = _step_problem(item, depth + 1)
            if why:
                return f"items[{i}]: {why}"
        for name, inner in (node.get("steps") or {}).items():
            why = _step_problem(inner, depth + 1)
            if why:
                return f"steps.{name}: {why}"
    return None


def _kind(types: tuple[type, ...]) -> str:
    names = {str: "a string", int: "a number", float: "a number", dict: "an object", list: "a list", type(None): "null"}
    return " or ".join(dict.fromkeys(names[t] for t in types))


def _warn_stderr(text: str) -> None:
    print(text, file=sys.stderr)


class Store:
    """``.mldsl/`` beside the project: runs, the artifact repository and the step cache."""

    def __init__(self, root: Path, warn: Callable[[str], None] | None = None):
        self.root = root
        self.runs = root / "runs"
        self.artifacts = root / "artifacts"
        self.cache = root / "cache"
        #: where a skipped record is reported (stderr unless told otherwise; the UI logs it)
        self.warn = warn or _warn_stderr

    def new_run(self, pipeline: str, now: float | None = None) -> tuple[str, Path]:
        """A fresh ``<pipeline>-YYYYMMDD-NNNN`` folder, created atomically (parallel runs never share one)."""
        day = time.strftime("%Y%m%d", time.gmtime(now if now is not None else time.time()))
        self.runs.mkdir(parents=True, exist_ok=True)
        prefix = f"{pipeline}-{day}-"
        numbers = (p.name[len(prefix) :] for p in self.runs.glob(prefix + "*"))
        n = 1 + max((int(s) for s in numbers if re.fullmatch(r"[0-9]{1,9}", s)), default=0)  # ASCII digits only
        while True:
            run_id = f"{pipeline}-{day}-{n:04d}"
            try:
                (self.runs / run_id).mkdir()
                return run_id, self.runs / run_id
            except FileExistsError:
                n += 1

    def write_record(self, folder: Path, record: dict[str, Any]) -> None:
        write_atomically(folder, [("run.json", json.dumps(record, indent=2, ensure_ascii=False) + "\n")])

    def folder_of(self, record: dict[str, Any]) -> Path:
        """A record's run folder: the store's folder named by its id (never the ``folder`` it claims)."""
        return self.runs / str(record.get("run"))

    def records(self) -> list[dict[str, Any]]:
        """Every usable run record, newest first; any other entry is skipped with a warning naming it."""
        out: list[dict[str, Any]] = []
        try:
            entries = sorted(os.scandir(self.runs), key=lambda e: e.name) if self.runs.is_dir() else []
        except OSError as exc:
            self.warn(f"mldsl: warning: cannot list {self.runs}: {exc.strerror or exc}")
            entries = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            shown = _shown(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if not is_dir or not RUN_ID.match(entry.name):
                why = "not a run folder's name" if is_dir else "not a folder"
                self.warn(f"mldsl: warning: skipped {shown}: {why}")
                continue
            path = Path(entry.path) / "run.json"
            if not os.path.lexists(path):
                continue  # a run just starting (its folder is made before its record) or being deleted
            try:
                record = json.loads(read_regular(path, RECORD_LIMIT))
            except StoreFileError as exc:
                self.warn(f"mldsl: warning: skipped {_shown(str(path))}: {exc}")
                continue
            except (ValueError, RecursionError) as exc:
                self.warn(f"mldsl: warning: skipped {_shown(str(path))}: not JSON ({str(exc)[:80]})")
                continue
            problem = record_problem(record)
            if problem is None and record["run"] != entry.name:
                problem = f"its run id {record['run'][:60]!r} is not its folder's name"
            if problem is not None:
                self.warn(f"mldsl: warning: skipped {_shown(str(path))}: {problem}")
                continue
            out.append(record)
        out.sort(key=lambda r: (r.get("started") or "", r["run"]), reverse=True)
        return out

    def find(self, run: str) -> dict[str, Any] | None:
        """The record of ``run`` (a full id, a unique prefix, or ``latest``)."""
        records = self.records()
        if run == "latest":
            return records[0] if records else None
        exact = [r for r in records if r.get("run") == run]
        if exact:
            return exact[0]
        prefixed = [r for r in records if str(r.get("run", "")).startswith(run)]
        return prefixed[0] if len(prefixed) == 1 else None


def _shown(path: str) -> str:
    """A path as a warning can print it: control characters and undecodable bytes escaped."""
    return "".join(c if c.isprintable() and not 0xDC80 <= ord(c) <= 0xDCFF else ascii(c)[1:-1] for c in path)


def find_store(start: Path) -> Store:
    """The ``.mldsl`` folder of the project holding ``start`` (where ``mldsl.yaml`` is), else beside ``start``."""
    env = os.environ.get("MLDSL_HOME")
    if env:
        return Store(Path(env))
    here = start.resolve()
    folder = here if here.is_dir() else here.parent
    for candidate in (folder, *folder.parents):
        if (candidate / "mldsl.yaml").is_file():
            return Store(candidate / ".mldsl")
    return Store(folder / ".mldsl")
