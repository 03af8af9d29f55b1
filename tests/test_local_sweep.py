"""``mldsl run`` of a Sweep (#29 item 3): every trial runs the compiled trial pipeline here, the best is the one the
compiled sweep's pick-best pod would pick, and one record holds the sweep."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from test_run import _python, project, run_cli, run_json

from mldsl.backends.argo.pick_best import pick

from conftest import EXAMPLES

SCORE = _python(
    "{x: {type: int}, fail_at: {type: int, default: -1}}",
    "{score: float}",
    "import sys\nif inputs['x'] == inputs['fail_at']:\n    sys.exit(3)\nwrite_output('score', -(inputs['x'] - 3) ** 2 + 0.5)",
)
PIPELINE = """  params: {x: {type: int, default: 0}, fail_at: {type: int, default: -1}}
  steps:
    s: {uses: score@1, with: {x: "${{ params.x }}", fail_at: "${{ params.fail_at }}"}}
"""


def _sweep(root: Path, strategy: str = "grid", extra: str = "") -> Path:
    path = root / "sweep.yaml"
    path.write_text(
        "apiVersion: mldsl/v1\nkind: Sweep\nmetadata: {name: xs}\nspec:\n  pipeline: p\n"
        f"  strategy: {strategy}\n  params:\n    x: {{values: [1, 2, 3, 4, 5]}}\n  parallelism: 2\n"
        f"  objective: {{metric: steps.s.outputs.score, goal: maximize}}\n{extra}",
        encoding="utf-8",
    )
    return path


def test_a_grid_sweep_runs_every_trial_and_picks_the_best_as_pick_best_does(tmp_path: Path) -> None:
    root = project(tmp_path, {"score": SCORE}, PIPELINE)
    code, record, err = run_json(_sweep(root), tmp_path / "home")
    assert code == 0, err
    assert record["pipeline"] == "xs" and record["status"] == "Succeeded"
    trials = [record["steps"][f"trial-{i}"] for i in range(5)]
    assert [t["phase"] for t in trials] == ["Succeeded"] * 5
    assert [t["outputs"]["x"] for t in trials] == [1, 2, 3, 4, 5]
    results = [{"trial": i, "workflow": t["run"], "metric": t["outputs"]["score"]} for i, t in enumerate(trials)]
    best = pick([{"trial": i, "x": x} for i, x in enumerate([1, 2, 3, 4, 5])], results, "maximize", None)
    assert record["outputs"]["best-params"] == {"x": 3} == best["params"]
    assert record["outputs"]["best-metric"] == 0.5 and record["outputs"]["best-trial"] == 2
    listed = run_cli(["runs", "--from", str(root), "--format", "json"], tmp_path / "home")
    runs = {r["run"]: r for r in json.loads(listed.stdout)}
    assert record["run"] in runs and all(t["run"] in runs for t in trials)  # the sweep's record and each trial's
    assert runs[record["outputs"]["best-workflow"]]["params"]["x"] == 3
    assert "trial 2 (x=3): Succeeded, score=0.5" in err


def test_failed_trials_over_the_budget_fail_the_sweep_with_pick_bests_reason(tmp_path: Path) -> None:
    root = project(tmp_path, {"score": SCORE}, PIPELINE)
    code, record, _ = run_json(_sweep(root, extra="  fixed: {fail_at: 5}\n  max_failed_trials: 0\n"), tmp_path / "home")
    assert code == 1 and record["status"] == "Failed"
    assert record["steps"]["trial-4"]["phase"] == "Failed"
    assert record["message"] == "pick-best: 1 of 5 trials failed, more than max_failed_trials=0"
    code, record, _ = run_json(_sweep(root, extra="  fixed: {fail_at: 5}\n  max_failed_trials: 1\n"), tmp_path / "home")
    assert code == 0 and record["outputs"]["best-params"] == {"x": 3}


def test_katib_strategies_are_refused_before_anything_runs(tmp_path: Path) -> None:
    root = project(tmp_path, {"score": SCORE}, PIPELINE)
    path = root / "sweep.yaml"
    path.write_text(
        "apiVersion: mldsl/v1\nkind: Sweep\nmetadata: {name: xs}\nspec:\n  pipeline: p\n  strategy: tpe\n"
        "  params:\n    x: {int_uniform: [1, 5]}\n  max_trials: 4\n"
        "  objective: {metric: steps.s.outputs.score, goal: maximize}\n",
        encoding="utf-8",
    )
    done = run_cli(["run", str(path)], tmp_path / "home")
    assert done.returncode == 2, done.stderr
    assert "cannot run here: sweep 'xs' searches with tpe" in done.stderr
    assert not (root / ".mldsl" / "runs").exists()


def test_the_example_sweep_skips_its_steps_and_runs_the_trial_template(tmp_path: Path) -> None:
    example = tmp_path / "ex"
    shutil.copytree(EXAMPLES / "churn-serving", example, ignore=shutil.ignore_patterns(".mldsl"))
    code, record, err = run_json(example / "tune.yaml", tmp_path / "home")
    assert code == 0, err
    assert record["sweep"]["pipeline"] == "churn-release" and record["sweep"]["trials"] == 2
    best = record["outputs"]["best-params"]["algorithm"]
    aucs = {t["outputs"]["algorithm"]: t["outputs"]["auc"] for t in record["steps"].values()}
    assert best == max(aucs, key=lambda a: aucs[a])
