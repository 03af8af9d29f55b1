"""Seldon Core v1: one ``SeldonDeployment`` (machinelearning.seldon.io/v1) per Serving.

One predictor per traffic entry with its weight, and a ``shadow: true``
predictor for the shadow; prepackaged servers with ``modelUri``; a custom
server as a MODEL node with its container; autoscaling as an ``hpaSpec``
with autoscaling/v2 metrics.
"""

from __future__ import annotations

from typing import Any

from mldsl.backends import Manifest
from mldsl.backends.serving_common import metadata, resources
from mldsl.compiler import ir

API_VERSION = "machinelearning.seldon.io/v1"
IMPLEMENTATIONS = {
    "sklearn": "SKLEARN_SERVER",
    "xgboost": "XGBOOST_SERVER",
    "mlflow": "MLFLOW_SERVER",
    "tensorflow": "TENSORFLOW_SERVER",
    "triton": "TRITON_SERVER",
    "huggingface": "HUGGINGFACE_SERVER",
}


def _predictor(s: ir.Serving, m: ir.ServedModel, *, shadow: bool, uri: str | None) -> dict[str, Any]:
    graph: dict[str, Any] = {"name": "model"}
    if m.server == "custom":
        graph["type"] = "MODEL"
    else:
        graph["implementation"] = IMPLEMENTATIONS[m.server]
    graph["modelUri"] = uri or m.uri
    if m.secret:  # the storage initializer's credentials (an rclone / AWS env secret)
        graph["envSecretRefName"] = m.secret
    if m.service_account:
        graph["serviceAccountName"] = m.service_account
    container: dict[str, Any] = {"name": "model"}
    if m.server == "custom" and m.image:
        container["image"] = m.image
    res = resources(s)
    if res:
        container["resources"] = res
    component: dict[str, Any] = {"spec": {"containers": [container]}}
    if s.autoscale is not None and not shadow:
        low, high, metric, target = s.autoscale
        hpa: dict[str, Any] = {"minReplicas": max(low, 1), "maxReplicas": high}
        if metric in ("cpu", "memory"):
            hpa["metricsv2"] = [
                {
                    "type": "Resource",
                    "resource": {"name": metric, "target": {"type": "Utilization", "averageUtilization": target}},
                }
            ]
        component["hpaSpec"] = hpa
    # with autoscaling the HPA owns the count: replicas start at its minimum, never below it (issue #13's trial)
    replicas = max(s.autoscale[0], 1) if s.autoscale is not None and not shadow else s.replicas
    predictor: dict[str, Any] = {"name": m.name, "replicas": replicas}
    if shadow:
        predictor["shadow"] = True
    else:
        predictor["traffic"] = m.weight
    predictor["graph"] = graph
    predictor["componentSpecs"] = [component]
    return predictor


def seldon_deployment(s: ir.Serving, uri: str | None = None) -> dict[str, Any]:
    """The manifest; ``uri`` replaces every model URI (a pipeline's deploy step binds it)."""
    spec: dict[str, Any] = {"name": s.name}
    if s.protocol:
        spec["protocol"] = s.protocol
    spec["predictors"] = [
        _predictor(s, m, shadow=False, uri=uri if i == len(s.models) - 1 or len(s.models) == 1 else None)
        for i, m in enumerate(s.models)
    ]
    if s.shadow is not None:
        spec["predictors"].append(_predictor(s, s.shadow, shadow=True, uri=None))
    return {"apiVersion": API_VERSION, "kind": "SeldonDeployment", "metadata": metadata(s), "spec": spec}


def emit(program: ir.Program) -> list[Manifest]:
    return [
        Manifest(f"{s.name}.seldondeployment.yaml", seldon_deployment(s)) for s in program.servings if s.backend == "seldon-v1"
    ]
