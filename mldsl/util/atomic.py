"""Write files so that no reader ever sees half of one: a temporary name in the same folder, then a rename."""

from __future__ import annotations

import os
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
    import tempfile  # here, with shutil below: importing them cost every command ~10 ms, writing or not (#15)

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
        _replace_all(staged)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)


def _replace_all(staged: list[tuple[str, Path]]) -> None:
    """Rename every staged file over its final name, or none: a failed rename puts the earlier ones back.

    Each file that is replaced is first hard-linked to a backup name (no copy: the same inode), so the set of
    files a compile writes is either all old or all new, never a mix that ``kubectl apply -f out/`` would take.
    """
    import shutil
    import tempfile

    backups: list[tuple[Path, Path | None]] = []  # (final, its backup; None when the file is new)
    try:
        for tmp, final in staged:
            backup: Path | None = None
            if final.exists():
                fd, name = tempfile.mkstemp(prefix=f".{final.name}.old.", dir=final.parent)
                os.close(fd)
                backup = Path(name)
                os.unlink(backup)
                try:
                    os.link(final, backup)
                except OSError:  # a file system without hard links
                    shutil.copy2(final, backup)
            backups.append((final, backup))
            os.replace(tmp, final)
    except BaseException:
        for final, backup in reversed(backups):
            if backup is None:
                final.unlink(missing_ok=True)
            elif backup.exists():
                os.replace(backup, final)
        raise
    finally:
        for _, backup in backups:
            if backup is not None and backup.exists():
                backup.unlink()
