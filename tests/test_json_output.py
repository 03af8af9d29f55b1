"""``--format json`` gives exactly one JSON document on stdout, for every command that has the option (issue #29
item 8): lines for people (the files written, the objects applied, a watched run's steps) go to stderr."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import example_dirs

CHURN = next(d for d in example_dirs() if d.name == "churn-train")


def mldsl(*args: str, env: dict[str, str] | None = None) -> tuple[int, Any, str]:
    """Exit code, stdout read as one JSON document (json.loads fails the test otherwise), stderr."""
    full = {**os.environ, **(env or {})}
    full.pop("MLDSL_HOME", None)
    p = subprocess.run([sys.executable, "-m", "mldsl", *args], capture_output=True, text=True, env=full, timeout=240)
    return p.returncode, json.loads(p.stdout), p.stderr


@pytest.fixture
def churn(tmp_path: Path) -> Path:
    root = tmp_path / "churn"
    shutil.copytree(CHURN, root, ignore=shutil.ignore_patterns(".mldsl"))
    return root


def test_compile_validate_fmt_forms_diff_runs(churn: Path, tmp_path: Path) -> None:
    code, doc, err = mldsl("compile", str(churn), "-o", str(tmp_path / "out"), "--format", "json")
    assert (code, doc) == (0, []) and "churn-train.workflowtemplate.yaml" in err
    assert (tmp_path / "out" / "churn-train.workflowtemplate.yaml").is_file()
    assert mldsl("validate", str(churn), "--format", "json")[:2] == (0, [])
    code, doc, _ = mldsl("fmt", str(churn), "--format", "json")
    assert (code, doc) == (0, [])
    code, doc, err = mldsl("forms", str(churn), "-o", str(tmp_path / "forms"), "--format", "json")
    assert (code, doc) == (0, []) and "index.html" in err
    code, doc, _ = mldsl("diff", str(churn), str(churn), "--format", "json")
    assert code == 0 and isinstance(doc, dict)
    code, doc, _ = mldsl("runs", "--from", str(churn), "--format", "json")
    assert (code, doc) == (0, [])


def test_errors_are_the_one_document_too(churn: Path, tmp_path: Path) -> None:
    pipeline = churn / "pipelines" / "churn-train.yaml"
    pipeline.write_text(pipeline.read_text().replace("uses: ", "uses: nosuch-", 1))
    code, doc, _ = mldsl("compile", str(churn), "-o", str(tmp_path / "out"), "--format", "json")
    assert code == 1 and doc and doc[0]["code"] == "MLD400"
    messy = tmp_path / "messy.yaml"
    messy.write_text("apiVersion: mldsl/v1\nkind:   Project\nmetadata: {name: x}\nspec: {}\n")
    code, doc, err = mldsl("fmt", "--check", str(messy), "--format", "json")
    assert code == 1 and [d["code"] for d in doc] == ["MLD010"] and "would reformat" in err


def test_apply_and_submit(churn: Path, tmp_path: Path) -> None:
    pytest.importorskip("kubernetes", reason="the kubernetes client is a dependency of apply and submit")
    sys.path.insert(0, str(Path(__file__).parent))
    from kube_emulator import KubeEmulator, kubeconfig

    with KubeEmulator(lambda obj: []) as emu:
        config = tmp_path / "kubeconfig"
        config.write_text(kubeconfig(emu.url, namespace="ml"))
        env = {"KUBECONFIG": str(config), "HOME": str(tmp_path)}
        code, doc, err = mldsl("apply", str(churn), "--format", "json", env=env)
        assert code == 0, err
        assert {"kind": "WorkflowTemplate", "name": "churn-train", "action": "created", "detail": "", "note": ""} in doc
        code, doc, err = mldsl("submit", "churn-train", "--from", str(churn), "--format", "json", env=env)
        assert code == 0, err
        assert doc["phase"] == "Submitted" and doc["workflow"].startswith("churn-train-")
        assert "submitted" in err
