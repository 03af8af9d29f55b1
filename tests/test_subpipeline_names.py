"""Only names the user wrote (issue #29 item 6): ``graph``, ``diff``, the sweep's summary and its form show a
``pipeline:`` step as written (``model``, ``steps.model.outputs.auc``), never the inlined ``model__evaluate``; a
change in a called pipeline is reported once, at that pipeline."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from mldsl.compiler import compile_paths
from mldsl.compiler import summary as sm

INNER = """apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: train-eval}
spec:
  params:
    values: {type: "list[float]"}
    floor: {type: float, default: 0.5}
  steps:
    train: {uses: check-metrics@1, with: {values: "${{ params.values }}", minimum: "${{ params.floor }}"}}
    evaluate:
      uses: check-metrics@1
      with: {values: "${{ [steps.train.outputs.mean] }}"}
  outputs:
    auc: "${{ steps.evaluate.outputs.mean }}"
"""
OUTER = """apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: nightly}
spec:
  params: {floor: {type: float, default: 0.5}}
  steps:
    first: {uses: check-metrics@1, with: {values: [0.9, 0.8]}}
    model:
      pipeline: train-eval
      with: {values: "${{ [steps.first.outputs.mean] }}", floor: "${{ params.floor }}"}
    gate:
      uses: check-metrics@1
      when: "${{ steps.model.outputs.auc > 0.5 }}"
      with: {values: "${{ [steps.model.outputs.auc] }}"}
  outputs:
    auc: "${{ steps.model.outputs.auc }}"
---
apiVersion: mldsl/v1
kind: Sweep
metadata: {name: floors}
spec:
  pipeline: nightly
  strategy: random
  params:
    floor: {uniform: [0.1, 0.9]}
  max_trials: 4
  seed: 1
  objective: {metric: steps.model.outputs.auc, goal: maximize}
"""
INTERNAL = re.compile(r"\w__\w")


def mldsl(cwd: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "mldsl", *args], cwd=cwd, capture_output=True, text=True, env=os.environ.copy())
    assert done.returncode == 0, done.stderr
    return done.stdout


def side(folder: Path, inner: str = INNER) -> Path:
    folder.mkdir()
    (folder / "inner.yaml").write_text(inner)
    (folder / "outer.yaml").write_text(OUTER)
    return folder


def test_graph_draws_the_call_as_one_step(tmp_path: Path) -> None:
    side(tmp_path / "a")
    out = mldsl(tmp_path, "graph", "a", "--pipeline", "nightly")
    assert not INTERNAL.search(out), out
    assert "<b>model</b><br/>pipeline train-eval" in out
    assert "when: steps.model.outputs.auc #gt; 0.5" in out
    assert "step_first --> step_model" in out and "step_model -.-> step_gate" in out


def test_the_sweep_summary_and_form_keep_the_objective_as_written(tmp_path: Path) -> None:
    side(tmp_path / "a")
    program = compile_paths([tmp_path / "a"]).program
    (sweep,) = program.sweeps
    assert sweep.objective_step == "model__evaluate"  # what the compiled sweep reads: unchanged
    assert sm.sweep(sweep)["objective"] == "maximize steps.model.outputs.auc"
    mldsl(tmp_path, "forms", "a", "-o", "forms")
    page = (tmp_path / "forms" / "sweep-floors.html").read_text()
    assert "metric: steps.model.outputs.auc" in page and "model__" not in page
    doc = json.loads(re.search(r'<script type="application/json" id="mldsl-form">(.*?)</script>', page, re.S).group(1))
    assert doc["fixed"] == [] and not INTERNAL.search(doc["footer"])


def test_a_change_in_a_called_pipeline_is_reported_once(tmp_path: Path) -> None:
    side(tmp_path / "a")
    changed = INNER.replace("check-metrics@1, with: {values", "check-metrics@1, timeout: 1h, with: {values")
    side(tmp_path / "b", changed.replace("default: 0.5", "default: 0.6"))
    out = mldsl(tmp_path, "diff", "a", "b")
    assert not INTERNAL.search(out), out
    assert out.splitlines()[0] == "mldsl diff a → b: 1 pipeline changed, 1 step changed"
    assert out.count("timeout: added 1h") == 1 and "~ pipeline nightly" not in out
