"""Where a diff's two sides come from: a file, a folder, or a git revision.

A revision is read with git itself (``git ls-tree`` and ``git cat-file
--batch``), never checked out: the YAML, Python and notebook files of the tree at that
revision are written to a temporary folder that the normal loader reads.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

#: Files a revision's export needs: documents, python module code and notebooks, the project file.
EXPORTED_SUFFIXES = (".yaml", ".yml", ".py", ".ipynb")


class SourceError(ValueError):
    """OLD or NEW is neither a path nor a git revision (a usage error)."""


@dataclass
class Side:
    label: str  # what the user typed: a path or a revision
    paths: list[Path]  # what to load
    root: Path | None = None  # the temporary export of a revision
    cleanup: list[Path] = field(default_factory=list)

    def display(self, path: str) -> str:
        """A diagnostic path as the user knows it: ``REV:path`` for revisions."""
        if self.root is None:
            return path
        try:
            rel = Path(path).resolve().relative_to(self.root.resolve())
        except ValueError:
            return path
        return f"{self.label}:{rel.as_posix()}"

    def close(self) -> None:
        for p in self.cleanup:
            shutil.rmtree(p, ignore_errors=True)


def _git(repo: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(repo), *args], input=data, capture_output=True, check=False)


def git_toplevel(start: Path) -> Path | None:
    try:
        p = _git(start, "rev-parse", "--show-toplevel")
    except FileNotFoundError:  # no git on this machine
        return None
    return Path(p.stdout.decode().strip()) if p.returncode == 0 else None


def is_revision(repo: Path, rev: str) -> bool:
    try:
        return _git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").returncode == 0
    except FileNotFoundError:
        return False


def export_revision(repo: Path, rev: str) -> Path:
    """Write the tree's documents and module code at ``rev`` into a new temporary folder."""
    listing = _git(repo, "ls-tree", "-r", "-z", "--full-tree", rev)
    if listing.returncode != 0:
        raise SourceError(f"cannot read revision {rev!r}: {listing.stderr.decode().strip()}")
    entries: list[tuple[str, str]] = []
    for item in listing.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if not item:
            continue
        meta, _, path = item.partition("\t")
        _, kind, sha = meta.split()
        if kind == "blob" and path.endswith(EXPORTED_SUFFIXES):
            entries.append((sha, path))
    root = Path(tempfile.mkdtemp(prefix="mldsl-rev-"))
    if entries:
        batch = _git(repo, "cat-file", "--batch", data="".join(f"{sha}\n" for sha, _ in entries).encode())
        blob = batch.stdout
        pos = 0
        for _, path in entries:
            header_end = blob.index(b"\n", pos)
            size = int(blob[pos:header_end].split()[2])
            content = blob[header_end + 1 : header_end + 1 + size]
            pos = header_end + 1 + size + 1
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    return root


def open_side(spec: str, pathspecs: list[str], cwd: Path) -> Side:
    """Resolve OLD or NEW: an existing path first, then a git revision of the repository around ``cwd``."""
    as_path = Path(spec)
    if as_path.exists():
        paths = [as_path / p for p in pathspecs] if pathspecs and as_path.is_dir() else [as_path]
        return Side(spec, paths)
    repo = git_toplevel(cwd)
    if repo is None or not is_revision(repo, spec):
        raise SourceError(f"{spec!r} is neither a file, a folder, nor a git revision here")
    root = export_revision(repo, spec)
    prefix = cwd.resolve().relative_to(repo.resolve()) if cwd.resolve().is_relative_to(repo.resolve()) else Path()
    specs = pathspecs or ["."]
    return Side(spec, [root / prefix / p for p in specs], root=root, cleanup=[root])
