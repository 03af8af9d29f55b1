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
    assert "Failed in" in done.stdout and "record:\n    /" in done.stdout and "about to fail" in done.stdout
    assert "record:" not in done.stderr  # progress on stderr, the result on stdout
    assert "depends condition not met" not in done.stdout + done.stderr
    assert "not run: the steps it waits for did not end the way it needs" in done.stderr  # b's line, as it ends
    listed = run_cli(["runs"], tmp_path / "home").stdout.splitlines()
    assert listed[0].split() == ["RUN", "STATUS", "TIME", "STARTED", "PARAMS", "CHANGED"] and len(listed) == 2


def test_the_terminal_view_shows_pending_steps_the_count_and_the_time(tmp_path: Path) -> None:
    """Issue #30 m9: on a terminal (a real pty) the live table lists the steps not started yet as Pending,
    and a caption says how many steps are done of all and the time since the start."""
    from ptyrun import run_in_pty

    pipeline = (
        "  steps:\n    a: {uses: sleep@1, with: {seconds: 1.5}}\n    b: {uses: emit@1, after: [a]}\n"
        "    c: {uses: emit@1, after: [b]}\n"
    )
    root = project(tmp_path, MODULES, pipeline)
    screen = run_in_pty(["run", str(root)], tmp_path / "home")
    text = screen.text
    assert screen.code == 0, text[-3000:]
    assert "Pending" in text  # b and c, before they start
    assert "0/3 steps done" in text and "3/3 steps done" in text, text[-3000:]
