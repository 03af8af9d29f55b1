"""Issue #30 m11, m12: ``mldsl run`` in text mode puts its result on stdout (``> log`` keeps it) and says Argo's
phrasings plainly; ``mldsl runs`` has a header row."""

from __future__ import annotations

from pathlib import Path

from test_run import MODULES, project, run_cli


def test_a_text_run_puts_its_result_on_stdout_in_plain_words(tmp_path: Path) -> None:
    pipeline = "  steps:\n    a: {uses: fail@1}\n    b: {uses: emit@1, after: [a]}\n"
    root = project(tmp_path, MODULES, pipeline)
    done = run_cli(["run", str(root)], tmp_path / "home")
    assert done.returncode == 1
    assert "Failed in" in done.stdout and "record: " in done.stdout and "about to fail" in done.stdout
    assert "record: " not in done.stderr  # progress on stderr, the result on stdout
    assert "depends condition not met" not in done.stdout + done.stderr
    assert "not run: the steps it waits for did not end the way it needs" in done.stderr  # b's line, as it ends
    listed = run_cli(["runs"], tmp_path / "home").stdout.splitlines()
    assert listed[0].split() == ["RUN", "STATUS", "TIME", "STARTED", "PARAMS", "CHANGED"] and len(listed) == 2
