"""`mldsl apply` through the real kubernetes client against an emulated API server on 127.0.0.1.

(No kube-apiserver can run here; see tests/kube_emulator.py for what is emulated.)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("kubernetes", reason="the kubernetes client is a dependency of mldsl apply")

from kube_emulator import KubeEmulator, kubeconfig

from conftest import example_dirs


def apply(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"KUBECONFIG": str(config), "PATH": "/usr/bin:/bin", "HOME": str(config.parent)}
    return subprocess.run([sys.executable, "-m", "mldsl", "apply", *args], capture_output=True, text=True, env=env)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "serving"
    shutil.copytree(next(d for d in example_dirs() if d.name == "churn-serving"), root)
    return root


@pytest.fixture
def cluster(tmp_path: Path, operator_crds, argo_crds):
    def validate(obj: dict) -> list[str]:
        for index in (argo_crds, operator_crds):
            problems = index.check(obj)
            if problems is not None:
                return problems
        return [f"no such kind {obj['kind']}"]

    with KubeEmulator(validate) as emu:
        config = tmp_path / "kubeconfig"
        config.write_text(kubeconfig(emu.url))
        yield emu, config


def test_apply_creates_then_changes_nothing(project: Path, cluster) -> None:
    emu, config = cluster
    first = apply(config, str(project))
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert "workflowtemplate/churn-release created" in lines
    assert "inferenceservice/churn-api created" in lines and "seldondeployment/churn-api-seldon created" in lines
    assert "workflowtemplate/churn-algorithms-trial created" in lines  # the sweep's trials run this one
    assert len(emu.store) == 8
    patches = [r for r in emu.requests if r["method"] == "PATCH"]
    assert all(r["query"]["fieldManager"] == "mldsl" and r["content_type"] == "application/apply-patch+yaml" for r in patches)
    versions = {k: v["metadata"]["resourceVersion"] for k, v in emu.store.items()}
    again = apply(config, str(project))
    assert again.returncode == 0 and set(again.stdout.split("\n")[:-1]) == {
        line.replace("created", "unchanged") for line in lines
    }
    assert {k: v["metadata"]["resourceVersion"] for k, v in emu.store.items()} == versions  # idempotent


def test_dry_runs(project: Path, cluster) -> None:
    emu, config = cluster
    assert apply(config, str(project)).returncode == 0
    serving = project / "servings" / "churn-api.yaml"
    serving.write_text(serving.read_text().replace("weight: 90", "weight: 75").replace("weight: 10", "weight: 25"))
    before = {k: dict(v) for k, v in emu.store.items()}
    server = apply(config, "--dry-run=server", str(project))
    assert server.returncode == 0, server.stderr
    assert "inferenceservice/churn-api configured (server dry run)" in server.stdout
    assert any(r["query"].get("dryRun") == "All" for r in emu.requests)
    n = len(emu.requests)
    client = apply(config, "--dry-run=client", str(project))
    assert client.returncode == 0, client.stderr
    assert "inferenceservice/churn-api configured (dry run): spec.predictor.canaryTrafficPercent" in client.stdout
    assert "seldondeployment/churn-api-seldon unchanged (dry run)" in client.stdout
    # the pipeline's deploy step sets its own weight (20): the Serving's new split does not change the release
    assert "workflowtemplate/churn-release unchanged (dry run)" in client.stdout
    assert all(r["method"] == "GET" for r in emu.requests[n:]), "a client dry run only reads"
    assert emu.store == before


def test_prune_deletes_only_this_projects_objects(project: Path, cluster) -> None:
    emu, config = cluster
    assert apply(config, str(project)).returncode == 0
    emu.put(
        "serving.kserve.io",
        "v1beta1",
        "ml-serving",
        "inferenceservices",
        {
            "apiVersion": "serving.kserve.io/v1beta1",
            "kind": "InferenceService",
            "metadata": {
                "name": "someone-elses",
                "labels": {"app.kubernetes.io/managed-by": "mldsl", "mldsl.io/project": "other"},
            },
            "spec": {},
        },
    )
    (project / "servings" / "churn-api-seldon.yaml").unlink()
    p = apply(config, "--prune", str(project))
    assert p.returncode == 0, p.stderr
    assert "seldondeployment/churn-api-seldon pruned" in p.stdout
    keys = {k[-1] for k in emu.store}
    assert "churn-api-seldon" not in keys and "someone-elses" in keys and "churn-api" in keys


def test_refusal_and_conflicts_exit_3(project: Path, cluster) -> None:
    emu, config = cluster
    emu.put(
        "serving.kserve.io",
        "v1beta1",
        "ml-serving",
        "inferenceservices",
        {"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService", "metadata": {"name": "churn-api"}, "spec": {}},
    )
    p = apply(config, str(project))
    assert p.returncode == 3
    assert "the cluster refused InferenceService churn-api: 409 Apply failed with 1 conflict" in p.stderr
    forced = apply(config, "--force-conflicts", str(project))
    assert forced.returncode == 0 and "inferenceservice/churn-api configured" in forced.stdout
    emu.validate = lambda obj: ["spec.predictor: exceeds the namespace's GPU quota"] if obj["kind"] == "SeldonDeployment" else []
    refused = apply(config, str(project))
    assert refused.returncode == 3 and "422 SeldonDeployment 'churn-api-seldon' is invalid" in refused.stderr


def test_namespace_and_context(project: Path, cluster) -> None:
    emu, config = cluster
    assert apply(config, "--namespace", "team-a", str(project)).returncode == 0
    assert {k[2] for k in emu.store} == {"team-a"}


def test_unreachable_cluster(project: Path, tmp_path: Path) -> None:
    config = tmp_path / "kubeconfig"
    config.write_text(kubeconfig("http://127.0.0.1:9"))
    p = apply(config, str(project))
    assert p.returncode == 3 and "cannot reach the cluster at http://127.0.0.1:9" in p.stderr
    assert "Traceback" not in p.stderr


def test_context_selects_the_kubeconfig_context(tmp_path: Path, cluster) -> None:
    emu, config = cluster
    module = tmp_path / "m"
    module.mkdir()
    (module / "mldsl.yaml").write_text("apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: ctx}\n")
    (module / "s.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Serving\nmetadata: {name: api}\n"
        "spec: {model: {uri: s3://m/1, server: sklearn}, backend: kserve}\n"
    )
    assert apply(config, "--context", "staging", str(module)).returncode == 0
    assert {k[2] for k in emu.store} == {"staging"}  # no namespace in the manifest: the context's
    missing = apply(config, "--context", "nope", str(module))
    assert missing.returncode == 3 and "no cluster configuration" in missing.stderr
