"""The CI integration files: pre-commit hooks and the example GitHub Actions workflow."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import ROOT, example_dirs


def test_pre_commit_hooks_run(tmp_path: Path) -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"mldsl-validate", "mldsl-fmt"}
    project = example_dirs()[0]
    for hook in hooks.values():
        argv = shlex.split(hook["entry"])
        assert argv[0] == "mldsl"
        args = argv[1:] + ([] if hook.get("pass_filenames") is False else [str(f) for f in project.rglob("*.yaml")])
        p = subprocess.run([sys.executable, "-m", "mldsl", *args], cwd=project, capture_output=True, text=True)
        assert p.returncode == 0, (hook["id"], p.stdout, p.stderr)


def test_example_workflow() -> None:
    wf = yaml.safe_load((ROOT / "examples" / "ci" / "github-actions.yml").read_text())
    steps = wf["jobs"]["check"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert any(r.startswith("mldsl validate . --format github") for r in runs)
    assert any(r.startswith("mldsl compile . -o out/") for r in runs)
    assert any("mldsl diff --format github --compiled" in r for r in runs)
    assert any("gh pr comment" in r for r in runs)
    assert steps[0]["with"]["fetch-depth"] == 0
    # mldsl is not published on PyPI: the workflow installs it from its repository (issue #13's trial)
    installs = [r for r in runs if r.startswith("pip install")]
    assert installs and all("git+https://github.com/" in r for r in installs)
    assert "mldsl apply . --prune" in wf["jobs"]["apply"]["steps"][-1]["run"]
    assert wf["jobs"]["apply"]["if"].startswith("github.event_name == 'push'")


def test_validate_skips_other_tools_yaml_in_folders(tmp_path: Path) -> None:
    (tmp_path / "ci.yml").write_text("name: ci\non: push\n")
    (tmp_path / "deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n")
    (tmp_path / "m.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Module\nmetadata: {name: m, version: 1.0.0}\nspec: {run: {container: {image: x}}}\n"
    )
    p = subprocess.run([sys.executable, "-m", "mldsl", "validate", str(tmp_path)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    explicit = subprocess.run(
        [sys.executable, "-m", "mldsl", "validate", str(tmp_path / "ci.yml")], capture_output=True, text=True
    )
    assert explicit.returncode == 1 and "MLD100" in explicit.stderr
