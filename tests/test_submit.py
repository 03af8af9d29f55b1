"""`mldsl submit`: typed params checked before sending, both ways to Argo, and --watch (emulated API on 127.0.0.1)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("kubernetes", reason="the kubernetes client is a dependency of mldsl submit")

from kube_emulator import KubeEmulator, kubeconfig

from conftest import example_dirs

CHURN = next(d for d in example_dirs() if d.name == "churn-train")
RUNNING = {
    "phase": "Running",
    "nodes": {
        "a": {"displayName": "load", "type": "Pod", "phase": "Succeeded", "startedAt": "1"},
        "b": {"displayName": "train", "type": "Pod", "phase": "Running", "startedAt": "2"},
    },
}


def mldsl(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full = {"PATH": "/usr/bin:/bin", "MLDSL_WATCH_INTERVAL": "0.05", **env}
    return subprocess.run([sys.executable, "-m", "mldsl", *args], capture_output=True, text=True, env=full)


@pytest.fixture
def emu(tmp_path: Path):
    with KubeEmulator() as e:
        e.put(
            "argoproj.io",
            "v1alpha1",
            "ml",
            "workflowtemplates",
            {"apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate", "metadata": {"name": "churn-train"}, "spec": {}},
        )
        config = tmp_path / "kubeconfig"
        config.write_text(kubeconfig(e.url, namespace="ml"))
        e.env = {"KUBECONFIG": str(config), "HOME": str(tmp_path)}  # type: ignore[attr-defined]
        yield e


def test_submit_through_kubernetes(emu) -> None:
    p = mldsl(emu.env, "submit", "churn-train", "--from", str(CHURN), "-p", "n_estimators=400", "-p", "algorithm=random_forest")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("workflow/churn-train-")
    [post] = [r for r in emu.requests if r["method"] == "POST"]
    assert post["path"] == "/apis/argoproj.io/v1alpha1/namespaces/ml/workflows"
    assert post["body"]["spec"]["workflowTemplateRef"] == {"name": "churn-train"}
    assert post["body"]["spec"]["arguments"]["parameters"] == [
        {"name": "n_estimators", "value": "400"},
        {"name": "algorithm", "value": "random_forest"},
    ]


def test_runs_go_to_the_projects_namespace(emu, tmp_path: Path) -> None:
    """apply puts the template in the Project's namespace; submit looks for it there, not in the context's."""
    import shutil

    project = tmp_path / "churn"
    shutil.copytree(CHURN, project)
    (project / "mldsl.yaml").write_text((project / "mldsl.yaml").read_text().replace("namespace: ml", "namespace: ml-team"))
    emu.put("argoproj.io", "v1alpha1", "ml-team", "workflowtemplates", {"metadata": {"name": "churn-train"}, "spec": {}})
    p = mldsl(emu.env, "submit", "churn-train", "--from", str(project))
    assert p.returncode == 0, p.stderr
    [post] = [r for r in emu.requests if r["method"] == "POST"]
    assert post["path"] == "/apis/argoproj.io/v1alpha1/namespaces/ml-team/workflows"
    p = mldsl(emu.env, "submit", "churn-train", "--from", str(project), "-n", "ml")
    assert p.returncode == 0, p.stderr  # --namespace still wins
    assert [r["path"] for r in emu.requests if r["method"] == "POST"][-1].endswith("/namespaces/ml/workflows")


def test_bad_params_send_nothing(emu) -> None:
    p = mldsl(
        emu.env,
        "submit",
        "churn-train",
        "--from",
        str(CHURN),
        "-p",
        "n_estimators=5",
        "-p",
        "algorithm=svm",
        "-p",
        "min_auc=high",
        "-p",
        "nope=1",
    )
    assert p.returncode == 1
    for text in ("5 is below the minimum 10", "'svm' is not one of", "expected a float, got 'high'", "has no such param"):
        assert text in p.stderr, text
    assert not [r for r in emu.requests if r["method"] == "POST"]


def test_watch_follows_nodes_and_exits_on_failure(emu) -> None:
    emu.run_statuses = [
        RUNNING,
        {
            "phase": "Succeeded",
            "nodes": {**RUNNING["nodes"], "b": {"displayName": "train", "type": "Pod", "phase": "Succeeded", "startedAt": "2"}},
        },
    ]
    ok = mldsl(emu.env, "submit", "churn-train", "--from", str(CHURN), "--watch")
    assert ok.returncode == 0, ok.stderr
    assert "  load: Succeeded\n  train: Running\n  train: Succeeded\n" in ok.stdout and ok.stdout.rstrip().endswith("Succeeded")
    emu.reads.clear()
    emu.run_statuses = [
        RUNNING,
        {
            "phase": "Failed",
            "nodes": {
                **RUNNING["nodes"],
                "b": {"displayName": "train", "type": "Pod", "phase": "Failed", "message": "OOMKilled", "startedAt": "2"},
            },
        },
    ]
    bad = mldsl(emu.env, "submit", "churn-train", "--from", str(CHURN), "--watch")
    assert bad.returncode == 1 and "train: Failed (OOMKilled)" in bad.stdout


def test_submit_through_the_argo_server(emu) -> None:
    env = {**emu.env, "ARGO_SERVER": emu.url, "ARGO_TOKEN": "Bearer argo-token", "ARGO_NAMESPACE": "ml"}
    p = mldsl(env, "submit", "churn-train", "--from", str(CHURN), "-p", "target=left", "--watch")
    assert p.returncode == 0, p.stderr
    [post] = [r for r in emu.requests if r["method"] == "POST"]
    assert post["path"] == "/api/v1/workflows/ml/submit" and post["authorization"] == "Bearer argo-token"
    assert post["body"]["resourceKind"] == "WorkflowTemplate" and post["body"]["submitOptions"]["parameters"] == ["target=left"]
    denied = mldsl({**env, "ARGO_TOKEN": "wrong"}, "submit", "churn-train", "--from", str(CHURN))
    assert denied.returncode == 3 and "the Argo Server refused" in denied.stderr


def test_missing_template_and_unreachable(emu, tmp_path: Path) -> None:
    del emu.store[("argoproj.io", "v1alpha1", "ml", "workflowtemplates", "churn-train")]
    p = mldsl(emu.env, "submit", "churn-train", "--from", str(CHURN))
    assert p.returncode == 3 and "not found" in p.stderr and "apply the project first (mldsl apply PATH" in p.stderr
    config = tmp_path / "dead"
    config.write_text(kubeconfig("http://127.0.0.1:9"))
    dead = mldsl({"KUBECONFIG": str(config), "HOME": str(tmp_path)}, "submit", "churn-train", "--from", str(CHURN))
    assert dead.returncode == 3 and "Traceback" not in dead.stderr
    # issue #14 U6: words, not MaxRetryError
    assert "cannot reach the cluster at http://127.0.0.1:9 (connection refused)" in dead.stderr, dead.stderr
    assert "MaxRetryError" not in dead.stderr
    argo = mldsl({"ARGO_SERVER": "http://127.0.0.1:9", "HOME": str(tmp_path)}, "submit", "churn-train", "--from", str(CHURN))
    assert argo.returncode == 3 and "cannot reach the Argo Server at http://127.0.0.1:9 (connection refused)" in argo.stderr


def test_params_file_from_a_form(emu, tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text('n_estimators: 400\nalgorithm: "random_forest"\nmin_auc: 0.85\n')
    p = mldsl(
        emu.env,
        "submit",
        "churn-train",
        "--from",
        str(CHURN),
        "--params-file",
        str(tmp_path / "p.yaml"),
        "-p",
        "n_estimators=500",
    )
    assert p.returncode == 0, p.stderr
    [post] = [r for r in emu.requests if r["method"] == "POST"]
    assert post["body"]["spec"]["arguments"]["parameters"] == [
        {"name": "algorithm", "value": "random_forest"},
        {"name": "min_auc", "value": "0.85"},
        {"name": "n_estimators", "value": "500"},
    ]


def test_artifact_params_per_run(emu) -> None:
    """Issue #13: `submit -p data=s3://...` gives the run its own data, as a workflow artifact read from exactly
    that location (a full S3 location: Argo keeps the bucket); a path or a malformed URI is refused before sending."""
    p = mldsl(emu.env, "submit", "churn-train", "--from", str(CHURN), "-p", "data=s3://other-bucket/churn/2024-07.csv")
    assert p.returncode == 0, p.stderr
    [post] = [r for r in emu.requests if r["method"] == "POST"]
    assert post["body"]["spec"]["arguments"] == {
        "parameters": [],
        "artifacts": [
            {"name": "data", "s3": {"endpoint": "s3.amazonaws.com", "bucket": "other-bucket", "key": "churn/2024-07.csv"}}
        ],
    }
    bad = mldsl(emu.env, "submit", "churn-train", "--from", str(CHURN), "-p", "data=./local.csv")
    assert bad.returncode == 1 and "expected an artifact URI" in bad.stderr
    env = {**emu.env, "ARGO_SERVER": emu.url, "ARGO_TOKEN": "Bearer argo-token", "ARGO_NAMESPACE": "ml"}
    through_server = mldsl(env, "submit", "churn-train", "--from", str(CHURN), "-p", "data=gs://ml-data/k.csv")
    assert through_server.returncode == 0, through_server.stderr
    posted = [r for r in emu.requests if r["method"] == "POST"][-1]
    assert posted["path"] == "/api/v1/workflows/ml"  # the submit API takes parameters only: the whole Workflow
    assert posted["body"]["workflow"]["spec"]["arguments"]["artifacts"] == [
        {"name": "data", "gcs": {"bucket": "ml-data", "key": "k.csv"}}
    ]
