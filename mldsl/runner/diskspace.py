"""A run on a full disk: room kept for its last record, and telling a full disk from other write errors."""

from __future__ import annotations

import contextlib
import errno
from pathlib import Path

#: bytes kept free for the final record while a run runs (a record of a few hundred steps): see Runner.save
RESERVE = 256 * 1024
_RESERVE_NAME = ".mldsl-reserve"  # guard.py removes it too, for a run whose process was killed


def reserve(folder: Path) -> None:
    """Keep room for the run's last record: a file of :data:`RESERVE` bytes, deleted when the record is saved."""
    try:
        with open(folder / _RESERVE_NAME, "wb") as fh:
            fh.write(bytes(RESERVE))  # written, not truncated to its size: a sparse file would take no blocks
    except OSError:
        release(folder)


def release(folder: Path) -> None:
    with contextlib.suppress(OSError):
        (folder / _RESERVE_NAME).unlink()


def disk_full(exc: BaseException) -> bool:
    """Whether an error is the disk (or the user's quota) being full."""
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
