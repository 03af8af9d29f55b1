"""KServe: one ``InferenceService`` (serving.kserve.io/v1beta1) per Serving.

The predictor's ``model.modelFormat`` comes from the server kind (a custom
server is a container); a two-entry traffic split becomes the canary's
``canaryTrafficPercent`` (the compiler refuses what KServe cannot express:
more than two entries, or shadow traffic).
"""

from __future__ import annotations

from typing import Any

from mldsl.backends import Manifest
from mldsl.backends.serving_common import metadata, resources
from mldsl.compiler import ir

API_VERSION = "serving.kserve.io/v1beta1"
FORMATS = {
    "sklearn": "sklearn",
    "xgboost": "xgboost",
    "lightgbm": "lightgbm",
    "mlflow": "mlflow",
    "tensorflow": "tensorflow",
    "triton": "triton",
    "huggingface": "huggingface",
}
SCALE_METRICS = {"cpu": "cpu", "memory": "memory", "rps": "rps", "concurrency": "concurrency"}


def inference_service(s: ir.Serving, uri: str | None = None) -> dict[str, Any]:
    """The manifest; the canary (the second entry) or the only model gets ``uri`` when a deploy step binds it."""
    current = s.models[-1]
    predictor: dict[str, Any] = {}
    if s.autoscale is not None:
        low, high, metric, target = s.autoscale
        predictor.update({"minReplicas": low, "maxReplicas": high, "scaleMetric": SCALE_METRICS[metric], "scaleTarget": target})
    else:
        predictor.update({"minReplicas": s.replicas, "maxReplicas": max(s.replicas, 1)})
    if len(s.models) == 2:
        predictor["canaryTrafficPercent"] = current.weight
    if current.service_account:  # its secrets or cloud identity give the storage initializer the bucket
        predictor["serviceAccountName"] = current.service_account
    res = resources(s)
    if current.server == "custom":
        container: dict[str, Any] = {
            "name": "kserve-container",
            "image": current.image,
            "env": [{"name": "STORAGE_URI", "value": uri or current.uri}],
        }
        if res:
            container["resources"] = res
        predictor["containers"] = [container]
    else:
        model: dict[str, Any] = {"modelFormat": {"name": FORMATS[current.server]}}
        if s.protocol == "v2":
            model["protocolVersion"] = "v2"
        model["storageUri"] = uri or current.uri
        if res:
            model["resources"] = res
        predictor["model"] = model
    return {"apiVersion": API_VERSION, "kind": "InferenceService", "metadata": metadata(s), "spec": {"predictor": predictor}}


def stable_service(s: ir.Serving) -> dict[str, Any] | None:
    """A canary Serving's object with its stable model alone (None without a canary): what goes first while no
    revision has rolled out, since KServe splits traffic only with one (``pkg/controller/v1beta1/inferenceservice/
    reconcilers/knative/ksvc_reconciler.go`` v0.20.0 l. 134-163: without ``latestRolledoutRevision`` the latest
    revision, the canary, takes 100 %)."""
    return inference_service(s._replace(models=s.models[:1])) if len(s.models) == 2 else None


def first_objects(program: ir.Program) -> dict[str, dict[str, Any]]:
    """By InferenceService name: the object :func:`stable_service` makes, for each canary Serving."""
    out = {}
    for s in program.servings:
        stable = stable_service(s) if s.backend == "kserve" else None
        if stable is not None:
            out[stable["metadata"]["name"]] = stable
    return out


def emit(program: ir.Program) -> list[Manifest]:
    return [Manifest(f"{s.name}.inferenceservice.yaml", inference_service(s)) for s in program.servings if s.backend == "kserve"]
