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
    # no KServe here rolls the stable model out: the live object still holds it alone (issue #26 item 8)
    assert (
        "inferenceservice/churn-api configured (dry run): spec.predictor.model.storageUri, spec.predictor.canaryTrafficPercent"
        in client.stdout
    )
    assert "apply sends the stable model (s3://models/churn/3) alone first" in client.stderr
    assert "seldondeployment/churn-api-seldon unchanged (dry run)" in client.stdout
    # the pipeline's deploy step sets its own weight (20): the Serving's new split does not change the release
    assert "workflowtemplate/churn-release unchanged (dry run)" in client.stdout
    assert all(r["method"] == "GET" for r in emu.requests[n:]), "a client dry run only reads"
    assert emu.store == before


def _isvc(name: str, annotations: dict[str, str] | None = None) -> dict:
    meta: dict = {"name": name, "labels": {"app.kubernetes.io/managed-by": "mldsl", "mldsl.io/project": "risk-serving"}}
    if annotations is not None:
        meta["annotations"] = annotations
    return {"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService", "metadata": meta, "spec": {}}


def test_prune_deletes_only_what_this_project_owns(project: Path, cluster) -> None:
    emu, config = cluster
    assert apply(config, str(project)).returncode == 0
    put = lambda obj: emu.put("serving.kserve.io", "v1beta1", "ml-serving", "inferenceservices", obj)  # noqa: E731
    other = {"app.kubernetes.io/managed-by": "mldsl", "mldsl.io/project": "other"}
    put({**_isvc("other-project"), "metadata": {"name": "other-project", "labels": other}})
    put(_isvc("by-hand"))  # mldsl's labels and this project's name, made by hand: no id
    put(_isvc("same-name-other-repo", {"mldsl.io/project-id": "0f0f0f0f-other-repo"}))
    (project / "servings" / "churn-api-seldon.yaml").unlink()
    keys = lambda: {k[-1] for k in emu.store}  # noqa: E731

    for flag in ("--dry-run=client", "--dry-run=server"):  # lists, deletes nothing
        dry = apply(config, "--prune", flag, str(project))
        assert dry.returncode == 0, dry.stderr
        assert "seldondeployment/churn-api-seldon pruned (" in dry.stdout and "churn-api-seldon" in keys()
        assert "no longer has seldondeployment/churn-api-seldon: pruning (" in dry.stderr
    assert any(r["method"] == "DELETE" and r["query"].get("dryRun") == "All" for r in emu.requests)

    p = apply(config, "--prune", str(project))
    assert p.returncode == 0, p.stderr
    assert "seldondeployment/churn-api-seldon pruned" in p.stdout
    assert "inferenceservice/by-hand skipped: not pruned: it has no mldsl.io/project-id annotation" in p.stderr
    assert "inferenceservice/same-name-other-repo skipped: not pruned: it belongs to project id '0f0f0f0f-other-repo'" in p.stderr
    assert keys() >= {"other-project", "by-hand", "same-name-other-repo", "churn-api"}
    assert "churn-api-seldon" not in keys()
    live = emu.store[("serving.kserve.io", "v1beta1", "ml-serving", "inferenceservices", "churn-api")]
    assert live["metadata"]["annotations"]["mldsl.io/project-id"] == "6f1d2c3e-9a4b-4f7e-8c21-5b0e7d3a9f12"


def test_prune_needs_the_project_id(project: Path, cluster) -> None:
    emu, config = cluster
    text = (project / "mldsl.yaml").read_text()
    (project / "mldsl.yaml").write_text("\n".join(line for line in text.splitlines() if "id: " not in line) + "\n")
    p = apply(config, "--prune", str(project))
    assert p.returncode == 2 and "--prune needs the project's id: add 'id: " in p.stderr, p.stderr
    assert emu.requests == []  # refused before the cluster is asked anything


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
        "spec: {model: {uri: s3://models/1, server: sklearn}, backend: kserve}\n"
    )
    assert apply(config, "--context", "staging", str(module)).returncode == 0
    assert {k[2] for k in emu.store} == {"staging"}  # no namespace in the manifest: the context's
    missing = apply(config, "--context", "nope", str(module))
    assert missing.returncode == 3 and "no cluster configuration" in missing.stderr
