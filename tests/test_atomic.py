"""Writes are all or nothing (#12 item 9): a compile's output set is never a mix of old and new files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mldsl.util import atomic
from mldsl.util.atomic import write_atomically


def _tree(folder: Path) -> dict[str, str]:
    return {f.name: f.read_text() for f in sorted(folder.iterdir())}


@pytest.mark.parametrize("fail_at", [0, 1, 2])
def test_a_failed_rename_puts_every_earlier_file_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int) -> None:
    write_atomically(tmp_path, [("a.yaml", "old a"), ("b.yaml", "old b"), ("keep.txt", "not ours")])
    before = _tree(tmp_path)
    real = os.replace
    calls = {"n": 0}

    def flaky(src: str, dst: Path) -> None:
        if str(src).count(".old.") == 0:  # the forward renames, not the restoring ones
            calls["n"] += 1
            if calls["n"] == fail_at + 1:
                raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", flaky)
    with pytest.raises(OSError):
        write_atomically(tmp_path, [("a.yaml", "new a"), ("new.yaml", "new"), ("b.yaml", "new b")])
    assert _tree(tmp_path) == before  # no new file, no temporary or backup file, old contents back


def test_a_successful_write_leaves_no_backup_and_keeps_modes(tmp_path: Path) -> None:
    write_atomically(tmp_path, [("a.yaml", "old")])
    (tmp_path / "a.yaml").chmod(0o640)
    write_atomically(tmp_path, [("a.yaml", "new"), ("b.yaml", "b")])
    assert _tree(tmp_path) == {"a.yaml": "new", "b.yaml": "b"}
    assert (tmp_path / "a.yaml").stat().st_mode & 0o777 == 0o640


def test_an_output_folder_that_cannot_be_written_is_a_usage_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    from conftest import example_dirs

    (tmp_path / "file").write_text("x")
    p = subprocess.run(
        [sys.executable, "-m", "mldsl", "compile", str(example_dirs()[0]), "-o", str(tmp_path / "file" / "out")],
        capture_output=True,
        text=True,
    )
    assert p.returncode == 2 and "cannot write" in p.stderr and "internal error" not in p.stderr, p.stderr
