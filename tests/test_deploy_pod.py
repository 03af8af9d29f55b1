"""The deploy step's pod, run as a real process against the emulated API, with a simulated controller.

Each controller here reports status the way the upstream controller's source does (the files and
lines are in ``backends/argo/deploy_pod.py``): right after an update, the *previous* version's
state, which a resource template's conditions took for success (#10 item 15).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from kube_emulator import KubeEmulator

from mldsl.backends.argo.deploy import pod_source

from conftest import ROOT

POD = ROOT / "backends" / "argo" / "deploy_pod.py"
ISVC = ("serving.kserve.io", "v1beta1", "default", "inferenceservices", "api")
SDEP = ("machinelearning.seldon.io", "v1", "default", "seldondeployments", "api")
MODEL = ("mlops.seldon.io", "v1alpha1", "default", "models", "api")


def isvc(uri: str, canary: int | None = None) -> dict[str, Any]:
    predictor: dict[str, Any] = {"model": {"modelFormat": {"name": "sklearn"}, "storageUri": uri}}
    if canary is not None:
        predictor["canaryTrafficPercent"] = canary
    return {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": "api"},
        "spec": {"predictor": predictor},
    }


def kserve_status(trans: str, created: str, ready: str, rolled: str | None = None, failure: str | None = None) -> dict[str, Any]:
    st: dict[str, Any] = {
        "modelStatus": {"transitionStatus": trans},
        "components": {"predictor": {"latestCreatedRevision": created, "latestReadyRevision": ready}},
    }
    if rolled:
        st["components"]["predictor"]["latestRolledoutRevision"] = rolled
    if failure:
        st["modelStatus"]["lastFailureInfo"] = {"reason": "ModelLoadFailed", "message": failure}
    return st


def run_pod(
    api: KubeEmulator, manifest: dict[str, Any], stable: dict[str, Any] | None = None, timeout: float = 20
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MLDSL_KUBE_API": api.url,
        "MLDSL_MANIFEST": json.dumps(manifest),
        "MLDSL_POLL_SECONDS": "0.02",
    }
    if stable is not None:
        env["MLDSL_STABLE_MANIFEST"] = json.dumps(stable)
    return subprocess.run([sys.executable, str(POD)], env=env, capture_output=True, text=True, timeout=timeout)


def seed(api: KubeEmulator, key: tuple[str, ...], obj: dict[str, Any], status: dict[str, Any]) -> None:
    group, version, ns, plural, _ = key
    api.put(group, version, ns, plural, {**obj, "status": status}, manager="mldsl")
    api.store[key]["metadata"]["generation"] = 1


def serving_revision_one(api: KubeEmulator) -> None:
    """An InferenceService whose revision 1 serves ``s3://models/1``, rolled out."""
    status = kserve_status("UpToDate", "api-predictor-00001", "api-predictor-00001", "api-predictor-00001")
    seed(api, ISVC, isvc("s3://models/1"), status)


def test_the_embedded_program_is_this_file_and_holds_no_tag() -> None:
    from mldsl.backends.argo import deploy
    from mldsl.runner import support

    assert support.DEPLOY_LABEL == deploy.DEPLOY_LABEL  # the runner reads manifests, never the backend
    source = pod_source()
    assert "{{" not in source and "def main()" in source
    assert source.split("\n", 1)[1] in POD.read_text(encoding="utf-8")


def test_kserve_update_waits_for_the_new_revision_not_the_old_state() -> None:
    """KServe keeps ``UpToDate`` of revision 1 until it reconciles: success only once revision 2 serves."""
    with KubeEmulator() as api:
        serving_revision_one(api)
        seen: list[int] = []

        def controller(key: Any, obj: dict[str, Any], n: int) -> None:
            seen.append(n)
            if n == 5:
                obj["status"] = kserve_status("InProgress", "api-predictor-00002", "api-predictor-00001")
            if n == 8:
                obj["status"] = kserve_status("UpToDate", "api-predictor-00002", "api-predictor-00002")

        api.controller = controller
        p = run_pod(api, isvc("s3://models/2"))
        assert p.returncode == 0, p.stdout + p.stderr
        assert max(seen) == 8  # it read on until the new revision served, not one read more
        assert "applied InferenceService api (updated)" in p.stdout
        assert "revision api-predictor-00002 serves the model" in p.stdout
        assert api.store[ISVC]["spec"]["predictor"]["model"]["storageUri"] == "s3://models/2"


def test_kserve_update_fails_when_the_new_revision_cannot_load() -> None:
    """``FailedToLoad`` shows only in ``targetModelState``/``transitionStatus``: the step fails with KServe's message."""
    with KubeEmulator() as api:
        serving_revision_one(api)

        def controller(key: Any, obj: dict[str, Any], n: int) -> None:
            if n == 3:
                obj["status"] = kserve_status(
                    "BlockedByFailedLoad", "api-predictor-00002", "api-predictor-00001", failure="model.joblib not found"
                )

        api.controller = controller
        p = run_pod(api, isvc("s3://models/2"))
        assert p.returncode == 1
        assert "failed: BlockedByFailedLoad: model.joblib not found" in p.stdout


def test_kserve_unchanged_apply_succeeds_on_the_current_state() -> None:
    """Applying what is already there makes no revision: waiting for one would never end."""
    with KubeEmulator() as api:
        serving_revision_one(api)
        p = run_pod(api, isvc("s3://models/1"))
        assert p.returncode == 0, p.stdout
        assert "(unchanged)" in p.stdout and api.store[ISVC]["metadata"]["generation"] == 1


def test_kserve_canary_first_deploy_rolls_out_the_stable_model_first() -> None:
    """With no rolled-out revision, a canary would take all the traffic and the stable URI appear nowhere."""
    with KubeEmulator() as api:
        applied: list[str] = []

        def controller(key: Any, obj: dict[str, Any], n: int) -> None:
            uri = obj["spec"]["predictor"]["model"]["storageUri"]
            if not applied or applied[-1] != uri:
                applied.append(uri)
            rev = "api-predictor-%05d" % obj["metadata"]["generation"]
            if n >= 2:
                rolled = "api-predictor-00001"
                obj["status"] = kserve_status("UpToDate", rev, rev, rolled)

        api.controller = controller
        p = run_pod(api, isvc("s3://models/2", canary=10), stable=isvc("s3://models/1"))
        assert p.returncode == 0, p.stdout + p.stderr
        assert applied == ["s3://models/1", "s3://models/2"]
        assert "the stable model first, then the canary" in p.stdout
        assert api.store[ISVC]["spec"]["predictor"]["canaryTrafficPercent"] == 10


def test_kserve_canary_over_a_rolled_out_revision_applies_once() -> None:
    with KubeEmulator() as api:
        serving_revision_one(api)

        def controller(key: Any, obj: dict[str, Any], n: int) -> None:
            if obj["metadata"]["generation"] == 2 and n >= 2:
                obj["status"] = kserve_status("UpToDate", "api-predictor-00002", "api-predictor-00002", "api-predictor-00001")

        api.controller = controller
        p = run_pod(api, isvc("s3://models/2", canary=10), stable=isvc("s3://models/1"))
        assert p.returncode == 0, p.stdout
        patches = [r for r in api.requests if r["method"] == "PATCH"]
        assert len(patches) == 1 and "stable model first" not in p.stdout


def sdep(uri: str) -> dict[str, Any]:
    graph = {"name": "model", "implementation": "SKLEARN_SERVER", "modelUri": uri}
    return {
        "apiVersion": "machinelearning.seldon.io/v1",
        "kind": "SeldonDeployment",
        "metadata": {"name": "api"},
        "spec": {"predictors": [{"name": "default", "replicas": 2, "graph": graph}]},
    }


def deployment(uri: str, generation: int, observed: int, updated: int, available: int, stuck: bool = False) -> dict[str, Any]:
    conditions = (
        [
            {
                "type": "Progressing",
                "status": "False",
                "reason": "ProgressDeadlineExceeded",
                "message": "exceeded its progress deadline",
            }
        ]
        if stuck
        else []
    )
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api-default-0-model", "labels": {"seldon-deployment-id": "api"}, "generation": generation},
        "spec": {"replicas": 2, "template": {"spec": {"initContainers": [{"args": [uri, "/mnt/models"]}]}}},
        "status": {
            "observedGeneration": observed,
            "replicas": 2,
            "updatedReplicas": updated,
            "availableReplicas": available,
            "conditions": conditions,
        },
    }


def seldon_v1_serving_one(api: KubeEmulator) -> None:
    """A SeldonDeployment ``Available`` with ``s3://models/1``, and its rolled-out Deployment."""
    seed(api, SDEP, sdep("s3://models/1"), {"state": "Available"})
    api.put("apps", "v1", "default", "deployments", deployment("s3://models/1", 1, 1, 2, 2))


def test_seldon_v1_update_waits_for_the_new_deployment_to_roll_out() -> None:
    """SeldonDeployment says ``Available`` of the old Deployments until it reconciles; there is no generation in
    its status: the Deployment that carries the new URI, rolled out, is the evidence."""
    with KubeEmulator() as api:
        seldon_v1_serving_one(api)

        def controller(key: Any, obj: dict[str, Any], n: int) -> None:
            dep = ("apps", "v1", "default", "deployments", "api-default-0-model")
            if n == 3:
                api.store[dep].update(deployment("s3://models/2", 2, 2, 1, 1))
                obj["status"] = {"state": "Creating"}
            if n == 6:
                api.store[dep].update(deployment("s3://models/2", 2, 2, 2, 2))
                obj["status"] = {"state": "Available"}

        api.controller = controller
        p = run_pod(api, sdep("s3://models/2"))
        assert p.returncode == 0, p.stdout + p.stderr
        lines = p.stdout.splitlines()
        assert any("for a Deployment with the new model" in x for x in lines)
        assert any("1 of 2 new replicas available" in x for x in lines)
        assert lines[-1].endswith("SeldonDeployment api ok: Available")


def test_seldon_v1_canary_waits_for_each_predictors_deployment() -> None:
    """A canary split is two predictors, so two Deployments, each with one of the object's URIs."""
    two = sdep("s3://models/1")
    two["spec"]["predictors"].append(
        {
            "name": "canary",
            "replicas": 2,
            "graph": {"name": "model", "implementation": "SKLEARN_SERVER", "modelUri": "s3://models/2"},
        }
    )
    with KubeEmulator() as api:
        seldon_v1_serving_one(api)

        def controller(key: Any, obj: dict[str, Any], n: int) -> None:
            if n == 3:
                canary = deployment("s3://models/2", 1, 1, 2, 2)
                canary["metadata"]["name"] = "api-canary-0-model"
                api.put("apps", "v1", "default", "deployments", canary)

        api.controller = controller
        p = run_pod(api, two)
        assert p.returncode == 0, p.stdout + p.stderr
        assert "for a Deployment with the new model" in p.stdout and p.stdout.rstrip().endswith("ok: Available")


def test_seldon_v1_update_fails_when_the_rollout_is_stuck() -> None:
    with KubeEmulator() as api:
        seldon_v1_serving_one(api)

        def controller(key: Any, obj: dict[str, Any], n: int) -> None:
            if n == 2:
                api.store[("apps", "v1", "default", "deployments", "api-default-0-model")].update(
                    deployment("s3://models/2", 2, 2, 1, 0, stuck=True)
                )

        api.controller = controller
        p = run_pod(api, sdep("s3://models/2"))
        assert p.returncode == 1
        assert "exceeded its progress deadline" in p.stdout


def model(uri: str) -> dict[str, Any]:
    return {
        "apiVersion": "mlops.seldon.io/v1alpha1",
        "kind": "Model",
        "metadata": {"name": "api"},
        "spec": {"storageUri": uri, "requirements": ["sklearn"]},
    }


def ready(status: str, reason: str, at: float, message: str = "") -> dict[str, Any]:
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))
    return {
        "replicas": 1,
        "conditions": [
            {"type": "ModelReady", "status": status, "reason": reason, "message": message, "lastTransitionTime": when}
        ],
    }


def test_seldon_v2_update_waits_for_the_model_to_become_ready_again() -> None:
    """A Model's status keeps the old ``ModelReady: True`` until an event of the new generation arrives."""
    with KubeEmulator() as api:
        seed(api, MODEL, model("s3://models/1"), ready("True", "ModelAvailable", time.time() - 3600))
        seen: list[int] = []

        def controller(key: Any, obj: dict[str, Any], n: int) -> None:
            seen.append(n)
            if n == 4:
                obj["status"] = ready("False", "ModelProgressing", time.time())
            if n == 7:
                obj["status"] = ready("True", "ModelAvailable", time.time())

        api.controller = controller
        p = run_pod(api, model("s3://models/2"))
        assert p.returncode == 0, p.stdout + p.stderr
        assert max(seen) == 7
        assert "Model api ok: ModelAvailable on 1 replicas" in p.stdout


@pytest.mark.parametrize("reason", ["ModelFailed", "ScheduleFailed"])
def test_seldon_v2_update_fails_with_the_schedulers_reason(reason: str) -> None:
    with KubeEmulator() as api:
        seed(api, MODEL, model("s3://models/1"), ready("True", "ModelAvailable", time.time() - 3600))

        def controller(key: Any, obj: dict[str, Any], n: int) -> None:
            if n == 2:
                obj["status"] = ready("False", reason, time.time(), "no server with sklearn has memory")

        api.controller = controller
        p = run_pod(api, model("s3://models/2"))
        assert p.returncode == 1
        assert f"failed: {reason}: no server with sklearn has memory" in p.stdout


def test_an_api_error_is_said_in_words() -> None:
    with KubeEmulator(validate=lambda obj: ["spec.predictor: Required value"]) as api:
        p = run_pod(api, isvc("s3://models/2"))
        assert p.returncode == 1
        assert "cannot deploy: PATCH /apis/serving.kserve.io/v1beta1/namespaces/default/inferenceservices/api" in p.stdout
        assert "HTTP 422" in p.stdout and "Traceback" not in p.stderr


def test_deployment_pods_use_the_api_without_a_proxy_or_cluster() -> None:
    """Outside a cluster (no KUBERNETES_SERVICE_HOST, no override) the pod says so and fails."""
    env = {k: v for k, v in os.environ.items() if k not in ("KUBERNETES_SERVICE_HOST", "MLDSL_KUBE_API")}
    p = subprocess.run(
        [sys.executable, str(POD)],
        env={**env, "MLDSL_MANIFEST": json.dumps(model("s3://models/2"))},
        capture_output=True,
        text=True,
    )
    assert p.returncode == 1 and "not in a cluster" in p.stdout


def test_the_local_run_writes_the_stable_model_then_the_canary(tmp_path: Path) -> None:
    """``mldsl run`` applies nothing: a KServe canary's deploy writes both objects, in the order the pod applies them."""
    from mldsl.backends import emit_all
    from mldsl.compiler import compile_paths

    (tmp_path / "s.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Serving\nmetadata: {name: api}\nspec:\n  backend: kserve\n"
        "  model: {uri: 's3://models/1', server: sklearn}\n"
        "  traffic:\n    - {name: stable, weight: 90}\n    - {name: canary, weight: 10, model: {uri: 's3://models/2'}}\n"
    )
    (tmp_path / "p.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {name: ship}\nspec:\n  steps:\n"
        "    canary: {deploy: api, with: {model_uri: 's3://models/3'}}\n"
    )
    result = compile_paths([tmp_path])
    assert result.ok, [d.render() for d in result.diagnostics]
    assert [m for m in emit_all(result.program) if m.filename == "ship.workflowtemplate.yaml"]
    env = {**os.environ, "MLDSL_HOME": str(tmp_path / "home")}
    p = subprocess.run(
        [sys.executable, "-m", "mldsl", "run", str(tmp_path), "--format", "json"], capture_output=True, text=True, env=env
    )
    assert p.returncode == 0, p.stderr
    folder = Path(json.loads(p.stdout)["folder"]) / "deploy"
    files = sorted(f.name for f in folder.iterdir())
    import yaml

    objs = [yaml.safe_load((folder / f).read_text()) for f in files]
    by_name = dict(zip(files, objs, strict=True))
    [first] = [o for f, o in by_name.items() if ".first." in f]
    [last] = [o for f, o in by_name.items() if ".first." not in f]
    assert (
        first["spec"]["predictor"]["model"]["storageUri"] == "s3://models/1"
        and "canaryTrafficPercent" not in first["spec"]["predictor"]
    )
    assert (
        last["spec"]["predictor"]["model"]["storageUri"] == "s3://models/3"
        and last["spec"]["predictor"]["canaryTrafficPercent"] == 10
    )


# -- issue #28: URIs compared whole; the token never follows a redirect; only the API server's NotFound is absence --


def kserve_raw_deployment(uri: str, generation: int, available: int) -> dict[str, Any]:
    """A raw-mode predictor's Deployment: KServe puts the URI in its pod template's annotation (deploy_pod.py)."""
    dep = deployment(uri, generation, generation, available, available)
    dep["metadata"].update(name="api-predictor", labels={"serving.kserve.io/inferenceservice": "api"})
    dep["spec"]["template"] = {"metadata": {"annotations": {"internal.serving.kserve.io/storage-initializer-sourceuri": uri}}}
    return dep


def test_seldon_v1_a_deployment_serving_12_does_not_serve_1() -> None:
    """``s3://models/1`` is a prefix of ``s3://models/12``: the substring test took the old Deployment for the new one."""
    with KubeEmulator() as api:
        seed(api, SDEP, sdep("s3://models/12"), {"state": "Available"})
        api.put("apps", "v1", "default", "deployments", deployment("s3://models/12", 1, 1, 2, 2))
        dep = ("apps", "v1", "default", "deployments", "api-default-0-model")

        def controller(key: Any, obj: dict[str, Any], n: int) -> None:
            if n == 5:
                api.store[dep].update(deployment("s3://models/1", 2, 2, 2, 2))

        api.controller = controller
        p = run_pod(api, sdep("s3://models/1"))
        assert p.returncode == 0, p.stdout + p.stderr
        assert "for a Deployment with the new model" in p.stdout  # it waited for the controller's update


def test_kserve_raw_a_deployment_serving_12_does_not_serve_1() -> None:
    with KubeEmulator() as api:
        seed(api, ISVC, isvc("s3://models/12"), {"modelStatus": {"transitionStatus": "UpToDate"}})
        api.put("apps", "v1", "default", "deployments", kserve_raw_deployment("s3://models/12", 1, 2))
        dep = ("apps", "v1", "default", "deployments", "api-predictor")

        def controller(key: Any, obj: dict[str, Any], n: int) -> None:
            if n == 5:
                api.store[dep].update(kserve_raw_deployment("s3://models/1", 2, 2))

        api.controller = controller
        p = run_pod(api, isvc("s3://models/1"))
        assert p.returncode == 0, p.stdout + p.stderr
        assert "for KServe to start the new revision" in p.stdout  # it waited for the controller's update
        assert p.stdout.rstrip().endswith("serves the model")


def test_seldon_v1_a_pvc_uri_is_read_back_from_its_mount() -> None:
    from mldsl.backends.argo.deploy_pod import served_uris

    dep = deployment("/mnt/pvc/models/churn/1", 1, 1, 2, 2)
    dep["spec"]["template"]["spec"]["volumes"] = [{"name": "src", "persistentVolumeClaim": {"claimName": "store"}}]
    assert served_uris("SeldonDeployment", dep) == {"pvc://store/models/churn/1"}
    assert served_uris("InferenceService", dep) == set()  # KServe's Deployments carry it in the annotation only


class Recorder:
    """A local HTTP server answering every request with ``answer(handler)``, and recording what it was sent."""

    def __init__(self, answer: Any) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from threading import Thread

        self.seen: list[tuple[str, str, str | None]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                recorder.seen.append((self.command, self.path, self.headers.get("Authorization")))
                code, headers, body = answer(self)
                self.send_response(code)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_PATCH = do_POST = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d" % self.server.server_port

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def run_pod_at(url: str, manifest: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLDSL_KUBE_API": url, "MLDSL_KUBE_TOKEN": "the-pods-token", "MLDSL_MANIFEST": json.dumps(manifest)}
    return subprocess.run([sys.executable, str(POD)], env=env, capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("code", [301, 302, 307, 308])
def test_a_redirect_from_the_api_server_is_not_followed_with_the_token(code: int) -> None:
    thief = Recorder(lambda h: (404, {"Content-Type": "text/plain"}, b"404 page not found"))
    api = Recorder(lambda h: (code, {"Location": thief.url + h.path}, b""))
    try:
        p = run_pod_at(api.url, isvc("s3://models/2"))
    finally:
        api.close()
        thief.close()
    assert p.returncode == 1 and "Traceback" not in p.stderr, p.stdout + p.stderr
    assert f"HTTP {code} redirect to {thief.url}/apis/serving.kserve.io" in p.stdout and "not followed" in p.stdout
    assert thief.seen == []  # never reached: neither the token nor the request
    assert [m for m, _, _ in api.seen] == ["GET"]  # and nothing applied after it


def test_a_404_that_is_not_the_api_servers_notfound_is_an_error_not_absence() -> None:
    """A proxy's or a foreign server's 404 page is no evidence that the object is absent: nothing is applied."""
    api = Recorder(lambda h: (404, {"Content-Type": "text/plain"}, b"404 page not found"))
    try:
        p = run_pod_at(api.url, isvc("s3://models/2"))
    finally:
        api.close()
    assert p.returncode == 1, p.stdout
    assert "cannot deploy: GET /apis/serving.kserve.io/v1beta1/namespaces/default/inferenceservices/api: HTTP 404" in p.stdout
    assert [m for m, _, _ in api.seen] == ["GET"]


def test_the_api_servers_notfound_still_means_absent() -> None:
    from mldsl.backends.argo.deploy_pod import not_found

    path = "/apis/serving.kserve.io/v1beta1/namespaces/default/inferenceservices/api"
    assert not_found({"kind": "Status", "reason": "NotFound", "details": {"name": "api"}}, path)
    assert not_found({"kind": "Status", "reason": "NotFound"}, path)
    assert not not_found({"kind": "Status", "reason": "NotFound", "details": {"name": "other"}}, path)
    assert not not_found({"message": "not found"}, path)
    with KubeEmulator() as api:  # a first deploy: the API server's Status NotFound, then the apply creates it

        def controller(key: Any, obj: dict[str, Any], n: int) -> None:
            obj["status"] = kserve_status("UpToDate", "api-predictor-00001", "api-predictor-00001")

        api.controller = controller
        p = run_pod(api, isvc("s3://models/1"))
        assert p.returncode == 0 and "applied InferenceService api (created)" in p.stdout, p.stdout
