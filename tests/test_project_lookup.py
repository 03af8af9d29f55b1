"""Finding the project as git finds a repository (issue #29 item 9): the nearest ``mldsl.yaml`` at or above the
working folder, and a plain "no project here" when there is none, instead of whatever that folder holds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

#: a checkout run through a symlink farm (several worktrees, one editable install) keeps its imports
PYTHONPATH = {"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}

MODULE = """apiVersion: mldsl/v1
kind: Module
metadata: {name: hello, version: 1.0.0}
spec:
  run: {python: {source: "print('hi')"}}
"""
PIPELINE = """apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: p}
spec:
  steps:
    hello: {uses: hello@1}
"""


def mldsl(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MLDSL_HOME"}
    return subprocess.run(
        [sys.executable, "-m", "mldsl", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=240, check=False
    )


def repo(tmp: Path) -> Path:
    """A repository whose project is one folder down (as the examples are), the root itself no project."""
    proj = tmp / "repo" / "proj"
    (proj / "pipelines").mkdir(parents=True)
    (proj / "mldsl.yaml").write_text("apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: t}\nspec: {}\n")
    (proj / "pipelines" / "p.yaml").write_text(MODULE + "---\n" + PIPELINE)
    bad = tmp / "repo" / "tests" / "invalid"  # what the repository root also holds: must never be compiled
    bad.mkdir(parents=True)
    for i in range(2):
        (bad / f"m{i}.yaml").write_text("apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: x}\nspec: {}\n")
    return tmp / "repo"


def test_runs_from_a_subfolder_find_the_projects_runs(tmp_path: Path) -> None:
    root = repo(tmp_path)
    done = mldsl(root, "run", "proj", "--format", "json")
    assert done.returncode == 0, done.stderr
    run_id = json.loads(done.stdout)["run"]
    listed = mldsl(root / "proj" / "pipelines", "runs", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert [r["run"] for r in json.loads(listed.stdout)] == [run_id]


def test_runs_outside_any_project_say_so_and_name_the_projects_with_runs(tmp_path: Path) -> None:
    root = repo(tmp_path)
    assert mldsl(root, "run", "proj").returncode == 0
    done = mldsl(root, "runs")
    assert done.returncode == 2
    assert "no mldsl project here: no mldsl.yaml in" in done.stderr
    assert "mldsl runs --from proj" in done.stderr
    assert "no runs yet" not in done.stderr
    assert mldsl(root, "runs", "--from", "proj").stdout.splitlines()[1].startswith("p-")  # under the header row


def test_runs_beside_a_project_less_file_are_still_listed_there(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(MODULE + "---\n" + PIPELINE)
    assert mldsl(tmp_path, "run", "p.yaml").returncode == 0
    listed = mldsl(tmp_path, "runs", "--format", "json")
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 1


def test_submit_outside_a_project_says_so_and_compiles_nothing(tmp_path: Path) -> None:
    root = repo(tmp_path)
    done = mldsl(root, "submit", "p")
    assert done.returncode == 2
    assert "no mldsl project here" in done.stderr and "--from PATH" in done.stderr
    assert "MLD109" not in done.stderr + done.stdout


def test_submit_from_a_subfolder_compiles_the_whole_project(tmp_path: Path) -> None:
    """Found from a folder of notes, the project's pipeline is known; it then fails only at the cluster (exit 3)."""
    root = repo(tmp_path)
    (root / "proj" / "notes").mkdir()
    env_home = tmp_path / "home"
    env_home.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "mldsl", "submit", "p"],
        cwd=root / "proj" / "notes",
        env={"PATH": "/usr/bin:/bin", "HOME": str(env_home), "KUBECONFIG": str(env_home / "none"), **PYTHONPATH},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "no pipeline" not in done.stderr and "no mldsl project" not in done.stderr
    assert done.returncode == 3, done.stderr
