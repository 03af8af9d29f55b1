"""Write files so that no reader ever sees half of one: a temporary name in the same folder, then a rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def _umask() -> int:
    """The process's umask, read without changing it where Linux says it (``os.umask`` sets it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomically(folder: Path, files: list[tuple[str, str]], precondition: Callable[[], None] | None = None) -> None:
    """Write every ``(name, text)`` into ``folder``; on any failure, nothing half-written is left behind.

    A file keeps its mode (a new one gets the umask's, as ``open`` would give it,
    not ``mkstemp``'s 0600), and a symlink stays a link: its target is written.
    ``precondition`` runs after everything is staged and right before the renames;
    raising there writes nothing (a save re-checks that nobody changed the file).
    """
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, text in files:
            final = folder / name
            if final.is_symlink():
                final = final.resolve()
            fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", dir=final.parent)
            staged.append((tmp, final))
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            try:
                mode = final.stat().st_mode & 0o7777
            except FileNotFoundError:
                mode = 0o666 & ~_umask()
            os.chmod(tmp, mode)
        if precondition is not None:
            precondition()
        for tmp, final in staged:
            os.replace(tmp, final)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
