"""Issue #30 m10: a long path is never broken, at 80 and at 120 columns (a real pty): the summary prints each
path alone on its line, and a line printed while the live table is on screen keeps its path whole (rich used
to fold it with a newline of its own at the terminal's width, so copying it gave two halves)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from ptyrun import run_in_pty
from test_run import MODULES, project

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
LONG = "/tmp/" + "/".join(["a-rather-long-folder-name"] * 8) + "/logs/001-step.log"

UNDER_THE_TABLE = f"""
import sys, time
from types import SimpleNamespace
from mldsl.runner.nodes import Node
from mldsl.runner.view import Live
node = Node("001-x", "x", "t", phase="Running")
node.started = time.time()
ex = SimpleNamespace(main=SimpleNamespace(inner={{"x": node}}), exit=SimpleNamespace(inner={{}}))
view = Live(lambda: ex, {{}})
time.sleep(0.3)
print("log: {LONG}", file=sys.stderr)
time.sleep(0.4)
node.end("Succeeded")
view.close(ex)
"""


def screen_lines(text: str) -> list[str]:
    return [line.strip() for line in ANSI.sub("", text).replace("\r", "\n").split("\n")]


@pytest.mark.parametrize("columns", [80, 120])
def test_a_line_printed_under_the_live_table_keeps_its_path_whole(tmp_path: Path, columns: int) -> None:
    script = tmp_path / "under.py"
    script.write_text(UNDER_THE_TABLE, encoding="utf-8")
    screen = run_in_pty([], tmp_path / "home", columns=columns, argv=[sys.executable, str(script)])
    assert screen.code == 0, screen.text[-2000:]
    assert f"log: {LONG}" in screen_lines(screen.text), ANSI.sub("", screen.text)[-2000:]


@pytest.mark.parametrize("columns", [80, 120])
def test_the_summary_prints_each_path_alone_on_its_line(tmp_path: Path, columns: int) -> None:
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 4)  # every path of the run is longer than 120
    root = project(deep, MODULES, "  steps:\n    a: {uses: fail@1}\n")
    home = deep / "home"
    screen = run_in_pty(["run", str(root)], home, columns=columns)
    assert screen.code == 1, screen.text[-3000:]
    lines = screen_lines(screen.text)
    (folder,) = (home / "runs").iterdir()
    paths = [str(folder / "run.json"), str(folder / "logs" / "001-a.log")]
    assert all(len(p) > 120 for p in paths)
    for path in paths:  # whole, and alone on its line: a double click or a triple click copies it
        assert path in lines, (path, ANSI.sub("", screen.text)[-2000:])
