"""Issue #30 M7: a Python module's traceback points at the module's own file and line, not at the step's
script (``.mldsl/runs/…/steps/001-fit/script, line 136``): a real ``mldsl run`` of a module that raises."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

MODULE = """apiVersion: mldsl/v1
kind: Module
metadata: {name: fit, version: 1.0.0}
spec:
  inputs: {rows: {type: int, default: 3}}
  outputs: {}
  run:
    python: {file: main.py}
"""

MAIN = """import math


def fit(rows):
    return math.sqrt(-rows)  # raises: a math domain error


fit(inputs["rows"])
"""


def test_a_modules_traceback_names_its_own_file_and_line(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "modules" / "fit").mkdir(parents=True)
    project = "apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: t}\nspec:\n  module_paths: [modules]\n"
    (root / "mldsl.yaml").write_text(project)
    (root / "modules" / "fit" / "module.yaml").write_text(MODULE)
    (root / "modules" / "fit" / "main.py").write_text(MAIN)
    pipeline = "apiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  steps:\n    fit: {uses: fit@1}\n"
    (root / "p.yaml").write_text(pipeline)
    env = {**os.environ, "MLDSL_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-m", "mldsl", "run", str(root), "--format", "json"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 1, done.stderr
    record = json.loads(done.stdout)
    step = record["steps"]["fit"]
    assert step["phase"] in ("Failed", "Error")
    assert "(at modules/fit/main.py:5)" in step["message"], step["message"]
    log = (Path(record["folder"]) / step["log"]).read_text()
    assert '/script", line' in log  # Python's own traceback, as it was
    assert 'File "modules/fit/main.py", line 5\n    return math.sqrt(-rows)' in log
    assert 'File "modules/fit/main.py", line 8\n    fit(inputs["rows"])' in log
    saved = json.loads((Path(record["folder"]) / "run.json").read_text())
    assert saved["steps"]["fit"]["message"] == step["message"]  # the record others read says it too
