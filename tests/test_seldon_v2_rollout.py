"""Seldon v2 `deploy:` steps with `weight` or `promote` (SPEC §1.10): the Model, then the Experiment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import runtime_rules as rules

from mldsl.backends import emit_all
from mldsl.compiler import compile_paths

from conftest import creates_objects, rendered_objects

SERVING = """apiVersion: mldsl/v1
kind: Serving
metadata: {name: api}
spec:
  model: {uri: "s3://models/1", server: sklearn}
  backend: seldon-v2
"""
PIPELINE = """apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: release}
spec:
  steps:
    ship: {deploy: api, with: {model_uri: "s3://models/2"}, %s}
"""


def _compile(tmp_path: Path, rollout: str) -> dict:
    (tmp_path / "serving.yaml").write_text(SERVING)
    (tmp_path / "pipeline.yaml").write_text(PIPELINE % rollout)
    result = compile_paths([tmp_path])
    assert not [d for d in result.diagnostics if d.severity == "error"], [d.render() for d in result.diagnostics]
    return next(m.body for m in emit_all(result.program) if m.filename == "release.workflowtemplate.yaml")


def _applied(body: dict) -> list[dict]:
    """The objects the rollout's deploy pod and resource template apply, rendered as Argo would for model_uri s3://models/2."""
    out = []
    for t in body["spec"]["templates"]:
        if creates_objects(t):
            out += rendered_objects(t, {"model_uri": "s3://models/2"})
    return out


@pytest.mark.parametrize(
    ("rollout", "weights", "model"),
    [("weight: 20", [("api", 80), ("api-canary", 20)], "api-canary"), ("promote: true", [("api", 100)], "api")],
)
def test_rollout_applies_the_model_then_the_traffic(tmp_path: Path, operator_crds, rollout, weights, model) -> None:
    body = _compile(tmp_path, rollout)
    assert not rules.check(body), rules.check(body)
    tasks = {t["name"]: t for t in body["spec"]["templates"] if "dag" in t and t["name"] != "main"}
    [dag] = tasks.values()
    assert [(t["name"], t.get("depends")) for t in dag["dag"]["tasks"]] == [("model", None), ("traffic", "model.Succeeded")]
    new_model, experiment = _applied(body)
    assert (new_model["kind"], new_model["metadata"]["name"], new_model["spec"]["storageUri"]) == (
        "Model",
        model,
        "s3://models/2",
    )
    assert experiment["kind"] == "Experiment" and experiment["spec"]["default"] == "api"
    assert [(c["name"], c["weight"]) for c in experiment["spec"]["candidates"]] == weights
    for obj in (new_model, experiment):
        assert operator_crds.check(obj) == [], operator_crds.check(obj)


def test_the_local_run_writes_both_objects(tmp_path: Path) -> None:
    _compile(tmp_path, "weight: 20")
    env = {**os.environ, "MLDSL_HOME": str(tmp_path / "home")}
    p = subprocess.run(
        [sys.executable, "-m", "mldsl", "run", str(tmp_path), "--format", "json"], capture_output=True, text=True, env=env
    )
    assert p.returncode == 0, p.stderr
    record = json.loads(p.stdout)
    [folder] = [d for d in (tmp_path / "home").rglob("deploy") if d.parent.name == record["run"]]
    written = sorted(f.name.rsplit(".", 2)[-2] for f in folder.iterdir())
    assert written == ["experiment", "model"]
