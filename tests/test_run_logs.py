"""Issue #30 M5: every step's logs, a Spark job's and each training replica's too, are listed and readable in
``mldsl runs show`` and in the UI's runs panel (a real local run of gpu-training: pyspark, two worker processes)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mldsl.ui.runs import LocalRuns

from conftest import EXAMPLES


def test_a_spark_and_a_training_step_show_every_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "ex"
    shutil.copytree(EXAMPLES / "gpu-training", root, ignore=shutil.ignore_patterns(".mldsl"))
    env = {**os.environ, "MLDSL_HOME": str(tmp_path / "home")}
    cli = [sys.executable, "-m", "mldsl"]
    done = subprocess.run([*cli, "run", str(root), "--pipeline", "ranker-training"], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    shown = subprocess.run([*cli, "runs", "show", "latest"], capture_output=True, text=True, env=env)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    folder = Path(lines[lines.index("folder:") + 1].strip())  # each path alone on its line (#30 m10)
    logs = [Path(lines[i + 1].strip()) for i, line in enumerate(lines) if line.strip() == "log:"]
    assert all(p.is_absolute() and p.is_file() for p in logs), logs  # full paths, not relative to a folder unnamed
    names = {p.name for p in logs}
    jobs = sorted(p.name for p in (folder / "logs").glob("*-job*.log"))
    assert jobs and set(jobs) <= names, (jobs, names)  # the Spark driver's and each replica's
    assert {"005-job.master-0.log", "005-job.worker-0.log"} <= names
    features = lines.index(next(line for line in lines if line.strip().startswith("features ")))
    assert "-job.log" in lines[features + 2]  # the Spark step's own log comes right under it
    # the UI's runs panel: the same logs, each with its tail
    monkeypatch.setenv("MLDSL_HOME", str(tmp_path / "home"))
    run = LocalRuns(root).list()[0]["id"]
    steps = LocalRuns(root).show(run)["steps"]  # type: ignore[index]
    spark = steps["features"]["logs"]
    assert spark[0]["path"].endswith("-job.log") and "SparkContext" in spark[0]["tail"]  # the driver's log, its end
    train = [x["path"] for x in steps["train"]["logs"]]
    assert "logs/005-job.master-0.log" in train and "logs/005-job.worker-0.log" in train
    worker = next(x for x in steps["train"]["logs"] if x["path"].endswith("worker-0.log"))
    assert "rank 1/2" in worker["tail"]
    assert steps["features"]["log"] != ""  # the first log's tail, for readers of the old field
