"""Issue #29's walk-through as a project that runs here (``examples/fraud-nightly``): a sub-pipeline passes an
artifact param to Spark, training, an evaluation gate, registration, a person's sign-off and a KServe canary;
it runs locally end to end, its sweep runs locally and picks the best, and ``graph`` names only what was written."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_run import run_json

from conftest import EXAMPLES


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("pyspark")
    root = tmp_path_factory.mktemp("fraud") / "fraud-nightly"
    shutil.copytree(EXAMPLES / "fraud-nightly", root, ignore=shutil.ignore_patterns(".mldsl"))
    return root


def test_the_nightly_pipeline_runs_end_to_end_to_its_canary(project: Path, tmp_path: Path) -> None:
    code, record, err = run_json(project / "pipelines" / "nightly.yaml", tmp_path / "home", "--approve", "sign_off")
    assert code == 0, err
    steps = record["steps"]
    assert record["outputs"]["auc"] > 0.7  # the shipped data clears the bar: the release path runs
    assert [steps[s]["phase"] for s in ("register", "sign_off", "canary")] == ["Succeeded"] * 3
    assert steps["canary"]["message"].startswith("InferenceService fraud-api written to deploy/")  # a local run deploys nothing


def test_its_sweep_runs_here_and_picks_the_better_algorithm(project: Path, tmp_path: Path) -> None:
    code, record, err = run_json(project / "sweeps" / "algorithms.yaml", tmp_path / "home", "--parallel", "2")
    assert code == 0, err
    aucs = {t["outputs"]["algorithm"]: t["outputs"]["auc"] for t in record["steps"].values()}
    assert set(aucs) == {"gradient_boosting", "random_forest"}
    assert record["outputs"]["best-params"]["algorithm"] == max(aucs, key=lambda a: aucs[a])


def test_graph_names_only_what_was_written(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mldsl", "graph", str(project / "pipelines" / "nightly.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "<b>features</b><br/>pipeline txn-features" in done.stdout
    assert "__" not in done.stdout  # no inlined step's internal name
