"""`mldsl diff`: crafted before/after pairs for every change kind, folders and git revisions."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT

PROJECT = "apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: demo}\nspec: {module_paths: [modules], namespace: ml}\n"

MODULE_V1 = """\
apiVersion: mldsl/v1
kind: Module
metadata: {name: prep, version: 1.0.0}
spec:
  inputs: {rows: {type: int, default: 10}}
  outputs: {table: {type: artifact, format: parquet}, count: int}
  run: {container: {image: "acme/prep:1.0"}}
"""
MODULE_V2 = """\
apiVersion: mldsl/v1
kind: Module
metadata: {name: prep, version: 1.1.0}
spec:
  inputs: {rows: {type: int, default: 20}, sample: {type: float, default: 1.0}}
  outputs: {table: {type: artifact, format: parquet}, count: int}
  resources: {cpu: "2"}
  run: {container: {image: "acme/prep:1.1"}}
"""

OLD = """\
apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: train}
spec:
  params:
    lr: {type: float, default: 0.1}
    day: {type: str, default: "2024-01-01"}
  steps:
    prep: {uses: prep@1, with: {rows: 100}}
    fit:
      uses: check-metrics@1
      with: {values: [0.5], minimum: "${{ params.lr }}"}
      retries: 2
    notify: {uses: check-metrics@1, with: {values: [1.0]}}
  schedule: {cron: "0 3 * * *"}
"""
NEW = """\
apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: train}
spec:
  params:
    lr: {type: float, default: 0.05}
    regions: {type: "list[str]", default: [eu]}
  steps:
    prep: {uses: prep@1.1, with: {rows: 100}}
    fit:
      uses: check-metrics@1
      with: {values: [0.5], minimum: "${{ params.lr * 2 }}"}
      when: "${{ steps.prep.outputs.count > 10 }}"
      retries: {limit: 3}
      resources: {gpu: 2, memory: 8Gi}
      timeout: 1h
    per_region:
      uses: check-metrics@1
      for_each: "${{ params.regions }}"
      with: {values: [0.7]}
  schedule: {cron: "30 3 * * *", timezone: Europe/Paris}
"""
EXTRA = """\
apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: extra}
spec:
  steps: {only: {uses: check-metrics@1, with: {values: [1.0]}}}
"""


def make(root: Path, pipeline: str, modules: list[str], extra: bool = False) -> Path:
    (root / "modules").mkdir(parents=True, exist_ok=True)
    (root / "mldsl.yaml").write_text(PROJECT)
    (root / "pipelines").mkdir(exist_ok=True)
    (root / "pipelines" / "train.yaml").write_text(pipeline)
    for i, m in enumerate(modules):
        (root / "modules" / f"prep{i}.yaml").write_text(m)
    if extra:
        (root / "pipelines" / "extra.yaml").write_text(EXTRA)
    return root


def mldsl(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mldsl", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    old = make(tmp_path / "old", OLD, [MODULE_V1], extra=True)
    new = make(tmp_path / "new", NEW, [MODULE_V1, MODULE_V2])
    return old, new


def test_every_change_kind_in_json(pair: tuple[Path, Path]) -> None:
    old, new = pair
    p = mldsl("diff", str(old), str(new), "--format", "json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["changed"] is True
    pipes = {x["pipeline"]: x for x in d["pipelines"]}
    assert pipes["extra"]["status"] == "removed"
    train = pipes["train"]
    changes = {c["path"]: c for c in train["changes"]}
    assert changes["params.lr.default"] == {"path": "params.lr.default", "change": "changed", "before": 0.1, "after": 0.05}
    assert changes["params.day"]["change"] == "removed"
    assert changes["params.regions"]["change"] == "added"
    assert changes["schedule.cron"]["before"] == ["0 3 * * *"] and changes["schedule.cron"]["after"] == ["30 3 * * *"]
    assert changes["schedule.timezone"] == {
        "path": "schedule.timezone",
        "change": "changed",
        "before": None,
        "after": "Europe/Paris",
    }
    steps = {s["step"]: s for s in train["steps"]}
    assert steps["notify"]["status"] == "removed" and steps["per_region"]["status"] == "added"
    prep = steps["prep"]
    assert prep["module"] == {"before": "prep@1.0.0", "after": "prep@1.1.0"}
    mod = {c["path"]: c for c in prep["module_changes"]}
    assert mod["inputs.rows.default"]["before"] == 10 and mod["inputs.rows.default"]["after"] == 20
    assert mod["inputs.sample"]["change"] == "added"
    assert mod["run.image"]["after"] == "acme/prep:1.1" and mod["resources.cpu"]["change"] == "added"
    fit = {c["path"]: c for c in steps["fit"]["changes"]}
    assert fit["with.minimum"]["before"] == "${{ params.lr }}" and fit["with.minimum"]["after"] == "${{ params.lr * 2 }}"
    assert fit["when"]["after"] == "steps.prep.outputs.count > 10"
    assert fit["retries.limit"]["before"] == 2 and fit["retries.limit"]["after"] == 3
    assert fit["resources"]["after"] == {"memory": "8Gi", "gpu": 2}
    assert fit["timeout"]["after"] == "1h"  # as people write it
    assert fit["depends"]["after"] == ["prep"]
    modules = {m["module"]: m for m in d["modules"]}
    assert modules["prep"]["status"] == "changed" and modules["prep"]["after"] == "1.1.0"


def test_text_and_markdown(pair: tuple[Path, Path]) -> None:
    old, new = pair
    text = mldsl("diff", str(old), str(new)).stdout
    assert "~ pipeline train (changed)" in text
    assert "params.lr.default: 0.1 → 0.05" in text
    assert "+ step per_region (added): check-metrics@1.0.0" in text
    assert "module: prep@1.0.0 → prep@1.1.0" in text and "what changed in prep@1.0.0 → prep@1.1.0:" in text
    md = mldsl("diff", str(old), str(new), "--format", "markdown").stdout
    assert md.startswith("### mldsl diff:")
    assert "| `params.lr.default` | `0.1` | `0.05` |" in md
    assert "```mermaid\nflowchart TD" in md
    assert "class step_per_region added" in md and "class step_notify removed" in md
    assert "class step_fit,step_prep changed" in md
    assert "<details><summary>What changed in <code>prep@1.0.0</code>" in md


def test_exit_code_and_compiled(pair: tuple[Path, Path]) -> None:
    old, new = pair
    assert mldsl("diff", str(old), str(old), "--exit-code").returncode == 0
    p = mldsl("diff", str(old), str(new), "--exit-code", "--compiled")
    assert p.returncode == 1
    assert f"--- {old}/train.workflowtemplate.yaml" in p.stdout
    assert "-  schedules: [0 3 * * *]\n+  schedules: [30 3 * * *]" in p.stdout


def test_same_version_different_content_is_flagged(tmp_path: Path) -> None:
    old = make(tmp_path / "a", OLD, [MODULE_V1])
    new = make(tmp_path / "b", OLD, [MODULE_V1.replace("acme/prep:1.0", "acme/prep:1.0-hotfix")])
    d = json.loads(mldsl("diff", str(old), str(new), "--format", "json").stdout)
    [m] = d["modules"]
    assert m["status"] == "content-changed" and m["changes"][0]["path"] == "run.image"


def test_invalid_side_is_reported_with_its_path(pair: tuple[Path, Path]) -> None:
    old, new = pair
    (new / "pipelines" / "train.yaml").write_text(NEW.replace("params.lr * 2", "params.rl * 2"))
    p = mldsl("diff", str(old), str(new))
    assert p.returncode == 1 and "error[MLD301]: unknown param 'rl'" in p.stderr


def test_unknown_side_is_a_usage_error(tmp_path: Path) -> None:
    p = mldsl("diff", "no-such-thing", str(tmp_path), cwd=tmp_path)
    assert p.returncode == 2 and "neither a file, a folder, nor a git revision" in p.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_revisions_without_checkout(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    make(repo, OLD, [MODULE_V1])
    (repo / "README.md").write_text("not yaml\n")

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-C", str(repo), *args],
            check=True,
            capture_output=True,
            env={
                "GIT_AUTHOR_NAME": "t",
                "GIT_AUTHOR_EMAIL": "t@e",
                "GIT_COMMITTER_NAME": "t",
                "GIT_COMMITTER_EMAIL": "t@e",
                "HOME": str(tmp_path),
                "PATH": "/usr/bin:/bin",
            },
        )

    git("init", "-q", "-b", "main")
    git("add", ".")
    git("commit", "-q", "-m", "v1")
    make(repo, NEW, [MODULE_V1, MODULE_V2])
    git("add", ".")
    git("commit", "-q", "-m", "v2")
    (repo / "pipelines" / "train.yaml").write_text(NEW.replace("0.05", "0.01"))  # uncommitted

    p = mldsl("diff", "--format", "json", "HEAD~1", "HEAD", "--", "pipelines/", cwd=repo)
    assert p.returncode == 0, p.stderr
    train = json.loads(p.stdout)["pipelines"][0]
    assert {c["path"]: c.get("after") for c in train["changes"]}["params.lr.default"] == 0.05  # the committed value
    work = json.loads(mldsl("diff", "HEAD", ".", "--format", "json", cwd=repo).stdout)["pipelines"][0]
    assert {c["path"]: c for c in work["changes"]}["params.lr.default"]["after"] == 0.01  # the working tree
    status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True).stdout
    assert status.strip() == "M pipelines/train.yaml", "diff must not touch the work tree"
    bad = repo / "pipelines" / "train.yaml"
    bad.write_text(textwrap.dedent(NEW).replace("params.lr * 2", "params.nope"))
    git("commit", "-qam", "broken")
    p = mldsl("diff", "HEAD~1", "HEAD", cwd=repo)
    assert p.returncode == 1 and "HEAD:pipelines/train.yaml:" in p.stderr


def test_operator_modules_diff(tmp_path: Path) -> None:
    """Spark and training modules have summaries too (a version bump shows what changed in the job)."""
    src = ROOT / "examples" / "gpu-training"
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(src, old, ignore=shutil.ignore_patterns(".mldsl"))  # a local run's store is not the example
    shutil.copytree(src, new, ignore=shutil.ignore_patterns(".mldsl"))
    ddp = new / "modules" / "train-ddp.yaml"
    ddp.write_text(
        ddp.read_text().replace("version: 2.3.0", "version: 2.4.0").replace('workers: "${{ inputs.workers }}"', "workers: 8")
    )
    spark = new / "modules" / "spark-features.yaml"
    spark.write_text(spark.read_text().replace("instances: 4", "instances: 6"))
    d = json.loads(mldsl("diff", str(old), str(new), "--format", "json").stdout)
    modules = {m["module"]: m for m in d["modules"]}
    assert modules["train-ddp"]["status"] == "changed"
    assert {"path": "run.workers", "change": "changed", "before": "${{ inputs.workers }}", "after": 8} in modules["train-ddp"][
        "changes"
    ]
    assert modules["spark-features"]["status"] == "content-changed"
    assert modules["spark-features"]["changes"][0]["path"] == "run.executor.instances"


def test_serving_and_sweep_changes_show_without_compiled(tmp_path: Path) -> None:
    """Issue #13's trial: traffic 90/10 → 80/20 and a sweep's budget were invisible without --compiled;
    timeouts read as people write them."""
    src = ROOT / "examples" / "churn-serving"
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(src, old, ignore=shutil.ignore_patterns(".mldsl"))
    shutil.copytree(src, new, ignore=shutil.ignore_patterns(".mldsl"))
    serving = new / "servings" / "churn-api.yaml"
    serving.write_text(serving.read_text().replace("weight: 90", "weight: 80").replace("weight: 10", "weight: 20"))
    (new / "tune.yaml").write_text((new / "tune.yaml").read_text().replace("parallelism: 2", "parallelism: 4"))
    release = new / "train-and-deploy.yaml"
    release.write_text(release.read_text().replace("timeout: 20m", "timeout: 1h"))
    text = mldsl("diff", str(old), str(new)).stdout
    assert "~ serving churn-api (changed)" in text and "traffic.stable.weight: 90 → 80" in text
    assert "~ sweep churn-algorithms (changed)" in text and "parallelism: 2 → 4" in text
    assert "timeout: 20m → 1h" in text
    d = json.loads(mldsl("diff", str(old), str(new), "--format", "json").stdout)
    assert [(o["kind"], o["name"]) for o in d["servings_and_sweeps"]] == [("serving", "churn-api"), ("sweep", "churn-algorithms")]
    assert "Serving `churn-api`" in mldsl("diff", str(old), str(new), "--format", "markdown").stdout


def test_a_parallelism_from_a_param_reads_as_written(tmp_path: Path) -> None:
    """SPEC §1.10: a fan-out's parallelism changed from a number to a param shows both as people write them."""
    src = ROOT / "examples" / "nightly-regions"
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(src, old, ignore=shutil.ignore_patterns(".mldsl"))
    shutil.copytree(src, new, ignore=shutil.ignore_patterns(".mldsl"))
    pipeline = old / "nightly-regions.yaml"
    written = '"${{ params.max_parallel }}"'
    assert written in pipeline.read_text()
    pipeline.write_text(pipeline.read_text().replace(written, "2"))
    text = mldsl("diff", str(old), str(new)).stdout
    assert "parallelism: 2 → ${{ params.max_parallel }}" in text
