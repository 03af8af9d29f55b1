"""With no cluster configured, and before a local run (issue #29 items 10 and 11): errors that name the ways out
(``KUBECONFIG``, ``--context``, ``ARGO_SERVER``), ``apply --dry-run=client`` from the compiled objects alone,
``--crds`` given twice refused, and a missing secret found before anything runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import example_dirs

SERVING = next(d for d in example_dirs() if d.name == "churn-serving")
CHURN = next(d for d in example_dirs() if d.name == "churn-train")


def mldsl(home: Path, *args: str, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``mldsl ARGS`` with a HOME that has no ~/.kube/config, no KUBECONFIG and no ARGO_SERVER."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "MLDSL_HOME": str(home / "store"), **(extra or {})}
    if "PYTHONPATH" in os.environ:  # a checkout run through a symlink farm keeps its imports
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return subprocess.run(
        [sys.executable, "-m", "mldsl", *args], capture_output=True, text=True, env=env, timeout=240, check=False
    )


def test_apply_and_submit_name_the_ways_to_give_a_cluster(tmp_path: Path) -> None:
    pytest.importorskip("kubernetes", reason="the kubernetes client is a dependency of apply and submit")
    done = mldsl(tmp_path, "apply", str(SERVING))
    assert done.returncode == 3
    assert "no cluster configured: KUBECONFIG is not set and there is no" in done.stderr
    assert "--context" in done.stderr and "Service host/port" not in done.stderr
    done = mldsl(tmp_path, "submit", "churn-train", "--from", str(CHURN))
    assert done.returncode == 3
    assert "KUBECONFIG" in done.stderr and "--context" in done.stderr and "ARGO_SERVER" in done.stderr
    done = mldsl(tmp_path, "apply", str(SERVING), extra={"KUBECONFIG": str(tmp_path / "nope")})
    assert done.returncode == 3 and f"KUBECONFIG={tmp_path / 'nope'} is not a file" in done.stderr


def test_a_client_dry_run_needs_no_cluster(tmp_path: Path) -> None:
    pytest.importorskip("kubernetes", reason="the kubernetes client is a dependency of apply")
    done = mldsl(tmp_path, "apply", "--dry-run=client", str(SERVING))
    assert done.returncode == 0, done.stderr
    assert "workflowtemplate/churn-release planned (dry run, no cluster): namespace ml-serving" in done.stdout
    assert "inferenceservice/churn-api planned (dry run, no cluster)" in done.stdout
    assert "listing what would be applied, not compared with a cluster" in done.stderr
    assert "workflow/churn-algorithms-* skipped" in done.stderr
    as_json = json.loads(mldsl(tmp_path, "apply", "--dry-run=client", "--format", "json", str(SERVING)).stdout)
    assert {o["action"] for o in as_json} == {"planned", "skipped"}
    # pruning lists live objects: without a cluster it is the cluster error still
    assert mldsl(tmp_path, "apply", "--dry-run=client", "--prune", str(SERVING)).returncode in (2, 3)


def test_crds_given_twice_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for command in (["validate"], ["compile", "-o", str(tmp_path / "out")]):
        done = mldsl(tmp_path, *command, str(CHURN), "--crds", str(tmp_path / "a"), "--crds", str(tmp_path / "b"))
        assert done.returncode == 2 and "'--crds': given 2 times" in done.stderr
    assert not (tmp_path / "out").exists()


SECRET_MODULE = """apiVersion: mldsl/v1
kind: Module
metadata: {name: connect, version: 1.0.0}
spec:
  inputs: {db_password: secret}
  run:
    python:
      env: {DB_PASSWORD: '${{ inputs.db_password }}'}
      source: "print('connected')"
"""


def test_a_missing_secret_is_reported_before_the_run_starts(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "mldsl.yaml").write_text("apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: t}\nspec: {}\n")
    (root / "p.yaml").write_text(
        SECRET_MODULE + "---\napiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  steps:\n"
        "    first: {uses: connect, with: {db_password: \"${{ secret('other', 'token') }}\"}}\n"
        "    later: {uses: connect, after: first, with: {db_password: \"${{ secret('db', 'password') }}\"}}\n"
    )
    done = mldsl(tmp_path, "run", str(root), extra={"MLDSL_SECRET_OTHER_TOKEN": "x"})
    assert done.returncode == 1
    assert (
        "mldsl run: secret db/password (read by step later) is not set here: "
        "export MLDSL_SECRET_DB_PASSWORD=... to give it to the step" in done.stderr
    )
    assert "1 secret missing; nothing ran" in done.stderr
    assert not (tmp_path / "store" / "runs").exists()  # no run was recorded: none started
    done = mldsl(tmp_path, "run", str(root), extra={"MLDSL_SECRET_OTHER_TOKEN": "x", "MLDSL_SECRET_DB_PASSWORD": "y"})
    assert done.returncode == 0, done.stderr


def test_an_optional_secret_may_be_absent(tmp_path: Path) -> None:
    """churn-train's exit handler reads an optional webhook token: the run still starts without it."""
    from mldsl.backends import emit_all
    from mldsl.ops.project import compile_project
    from mldsl.runner.secretcheck import missing_secrets

    program = compile_project([CHURN]).program
    (wf,) = [m.body for m in emit_all(program) if m.kind == "WorkflowTemplate" and m.name == "churn-train"]
    assert missing_secrets(wf["spec"]["templates"], {}) == []
