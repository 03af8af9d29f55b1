"""``mldsl run`` of a Sweep (issue #29 item 3): its grid or random trials run here as real local runs, the best is
picked by the compiled sweep's own pick-best code, and one sweep record lists every trial."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

MODULE = """apiVersion: mldsl/v1
kind: Module
metadata: {name: score, version: 1.0.0}
spec:
  inputs: {x: {type: float}}
  outputs: {loss: float}
  run:
    python:
      source: "write_output('loss', (inputs['x'] - 0.3) ** 2)"
"""
PIPELINE = """apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: fit}
spec:
  params: {x: {type: float, default: 0.0}, label: {type: str, default: a}}
  steps:
    score: {uses: score, with: {x: "${{ params.x }}"}}
"""
SWEEP = """apiVersion: mldsl/v1
kind: Sweep
metadata: {name: xs}
spec:
  pipeline: fit
  strategy: %s
  params:
    x: {values: [0.1, 0.3, 0.5]}
  fixed: {label: b}
  parallelism: 2
  objective: {metric: steps.score.outputs.loss, goal: minimize}
"""


def project(tmp: Path, strategy: str = "grid") -> Path:
    root = tmp / "proj"
    (root / "sweeps").mkdir(parents=True)
    (root / "modules").mkdir()
    (root / "mldsl.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: t}\nspec: {module_paths: [modules]}\n"
    )
    (root / "modules" / "score.yaml").write_text(MODULE)
    (root / "fit.yaml").write_text(PIPELINE)
    (root / "sweeps" / "xs.yaml").write_text(SWEEP % strategy)
    return root


def mldsl(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MLDSL_HOME"}
    return subprocess.run(
        [sys.executable, "-m", "mldsl", *args], cwd=root, capture_output=True, text=True, env=env, timeout=300, check=False
    )


def test_a_grid_sweep_runs_here_and_picks_the_best(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLDSL_HOME", raising=False)  # the project's own store, as the subprocesses use
    root = project(tmp_path)
    done = mldsl(root, "run", "sweeps/xs.yaml", "--format", "json")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)  # the one document: the sweep's record
    assert record["sweep"] == "xs" and record["status"] == "Succeeded"
    assert [t["params"] for t in record["trials"]] == [{"x": 0.1}, {"x": 0.3}, {"x": 0.5}]
    assert all(t["status"] == "Succeeded" for t in record["trials"])
    assert record["best"]["trial"] == 1 and record["best"]["objective"] == 0.0
    assert record["objective"] == {"metric": "steps.score.outputs.loss", "goal": "minimize"}
    runs = root / ".mldsl" / "runs"
    trial = json.loads((runs / record["best"]["run"] / "run.json").read_text())
    assert trial["params"] == {"x": 0.3, "label": "b"}  # the sweep's fixed params reach every trial
    assert json.loads((runs / record["run"] / "run.json").read_text())["trials"] == record["trials"]
    listed = json.loads(mldsl(root, "runs", "--format", "json").stdout)
    assert {r["run"] for r in listed} >= {record["run"], *(t["run"] for t in record["trials"])}
    from mldsl.ui.runs import LocalRuns  # the UI's runs panel: the sweep, a row per trial with its run

    shown = LocalRuns(root).show(record["run"])
    assert shown is not None and shown["status"] == "Succeeded"
    assert shown["steps"]["trial 1"] == {
        "phase": "Succeeded",
        "outputs": {"x": 0.3, "objective": 0.0, "run": record["best"]["run"]},
        "log": "",
    }


def test_a_sweep_katib_draws_is_refused_with_the_reason(tmp_path: Path) -> None:
    root = project(tmp_path, "tpe")
    (root / "sweeps" / "xs.yaml").write_text(
        (SWEEP % "tpe")
        .replace("x: {values: [0.1, 0.3, 0.5]}", "x: {uniform: [0.0, 1.0]}")
        .replace("  parallelism: 2\n", "  parallelism: 2\n  max_trials: 4\n")
    )
    done = mldsl(root, "run", "sweeps/xs.yaml")
    assert done.returncode == 2, done.stderr
    assert "searches with tpe, which Katib draws as trials finish" in done.stderr
    assert not (root / ".mldsl" / "runs").exists()
