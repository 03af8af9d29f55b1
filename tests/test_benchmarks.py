"""The benchmark scripts run, and print every target with its figures and a verdict (issue #15).

Figures are never asserted here (timed tests flake on a busy machine); what is
checked is that a reader gets each target, its min/median/max, its goal, a
pass/FAIL word and the machine's load, and that the alias bomb is refused.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT

ROW = re.compile(r"^\| .+ \| [^|]+ \| [^|]+ \| [^|]+ \| [≤≥] [^|]+ \| (pass|FAIL) \|$", re.M)


@pytest.mark.parametrize("script", ["alias_bomb.py", "long_lines.py", "startup.py"])
def test_a_benchmark_prints_each_target_with_figures_goal_and_verdict(script: str) -> None:
    proc = subprocess.run(
        [sys.executable, script, "--repeat", "1", "--here"], cwd=ROOT / "benchmarks", capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "load average" in proc.stdout and "cores" in proc.stdout
    rows = ROW.findall(proc.stdout)
    assert rows, proc.stdout
    assert re.search(rf"{len(rows) - rows.count('FAIL')} of {len(rows)} targets pass", proc.stdout), proc.stdout
