"""Write files so that no reader ever sees half of one: a temporary name in the same folder, then a rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(folder: Path, files: list[tuple[str, str]]) -> None:
    """Write every ``(name, text)`` into ``folder``; on any failure, nothing half-written is left behind."""
    folder.mkdir(parents=True, exist_ok=True)
    staged = []
    try:
        for name, text in files:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            staged.append((tmp, folder / name))
        for tmp, final in staged:
            os.replace(tmp, final)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
