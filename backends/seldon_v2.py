"""Seldon Core v2: a ``Model`` per model, an ``Experiment`` for traffic and shadow, a ``Server`` for custom images.

(mlops.seldon.io/v1alpha1.) Requirements are derived from the server kind,
so the scheduler places each model on a server that can load it.
"""

from __future__ import annotations

from typing import Any

from mldsl.backends import Manifest
from mldsl.backends.serving_common import metadata
from mldsl.compiler import ir

API_VERSION = "mlops.seldon.io/v1alpha1"
REQUIREMENTS = {
    "sklearn": ["sklearn"],
    "xgboost": ["xgboost"],
    "lightgbm": ["lightgbm"],
    "mlflow": ["mlflow"],
    "tensorflow": ["tensorflow"],
    "triton": ["triton"],
    "huggingface": ["huggingface"],
}


def model_name(s: ir.Serving, m: ir.ServedModel) -> str:
    return s.name if len(s.models) == 1 and m is s.models[0] else f"{s.name}-{m.name}"


def _model(s: ir.Serving, m: ir.ServedModel, name: str, uri: str) -> dict[str, Any]:
    """The ``Model`` named ``name`` that serves ``m`` from ``uri``, placed by its server's requirements."""
    spec: dict[str, Any] = {"storageUri": uri}
    if m.secret:
        spec["secretName"] = m.secret
    if m.server == "custom":
        spec["server"] = f"{s.name}-server"
    else:
        spec["requirements"] = REQUIREMENTS[m.server]
    spec["replicas"] = s.replicas
    if s.autoscale is not None:
        spec["minReplicas"], spec["maxReplicas"] = s.autoscale[0], s.autoscale[1]
    if s.resources.memory:
        spec["memory"] = s.resources.memory
    return {"apiVersion": API_VERSION, "kind": "Model", "metadata": metadata(s, name), "spec": spec}


def objects(s: ir.Serving, uri: str | None = None) -> list[dict[str, Any]]:
    """Every object of the Serving; ``uri`` replaces the last traffic entry's model URI (deploy steps)."""
    out: list[dict[str, Any]] = []
    served = list(s.models) + ([s.shadow] if s.shadow else [])
    for i, m in enumerate(served):
        name = model_name(s, m) if m is not s.shadow else f"{s.name}-shadow"
        out.append(_model(s, m, name, uri if uri and i == len(s.models) - 1 else m.uri))
    custom = next((m for m in served if m.server == "custom"), None)
    if custom is not None:
        out.append(
            {
                "apiVersion": API_VERSION,
                "kind": "Server",
                "metadata": metadata(s, f"{s.name}-server"),
                "spec": {
                    "serverConfig": "mlserver",
                    "replicas": max(s.replicas, 1),
                    "podSpec": {"containers": [{"name": "mlserver", "image": custom.image}]},
                },
            }
        )
    if len(s.models) > 1 or s.shadow is not None:
        exp: dict[str, Any] = {
            "default": model_name(s, s.models[0]),
            "candidates": [{"name": model_name(s, m), "weight": m.weight} for m in s.models],
        }
        if s.shadow is not None:
            exp["mirror"] = {"name": f"{s.name}-shadow", "percent": 100}
        out.append({"apiVersion": API_VERSION, "kind": "Experiment", "metadata": metadata(s), "spec": exp})
    return out


def rollout_objects(s: ir.Serving, run: ir.DeployRun, uri: str) -> list[dict[str, Any]]:
    """What a deploy step with ``weight`` or ``promote`` applies: the Model that gets ``uri``, then the Experiment
    that splits traffic. Names follow the Serving's own objects, so the step updates what ``apply`` made.

    ``promote``: the stable Model takes the new URI and all the traffic. ``weight``: the canary Model (the
    Serving's second, or ``<serving>-canary``) takes it, and that share of the traffic.
    """
    stable = s.models[0]
    stable_name = model_name(s, stable)
    if run.promote:
        target, target_name = stable, stable_name
        candidates = [{"name": stable_name, "weight": 100}]
    else:
        assert run.weight is not None
        canary = s.models[1] if len(s.models) > 1 else stable._replace(name="canary")
        target, target_name = canary, f"{s.name}-{canary.name}"
        candidates = [{"name": stable_name, "weight": 100 - run.weight}, {"name": target_name, "weight": run.weight}]
    model = _model(s, target, target_name, uri)
    exp: dict[str, Any] = {"default": stable_name, "candidates": candidates}
    if s.shadow is not None:
        exp["mirror"] = {"name": f"{s.name}-shadow", "percent": 100}
    # a one-model Serving's Model is named after the Serving: its Experiment takes another name
    exp_name = s.name if len(s.models) > 1 or s.shadow is not None else f"{s.name}-rollout"
    experiment = {"apiVersion": API_VERSION, "kind": "Experiment", "metadata": metadata(s, exp_name), "spec": exp}
    return [model, experiment]


def emit(program: ir.Program) -> list[Manifest]:
    out = []
    for s in program.servings:
        if s.backend == "seldon-v2":
            for obj in objects(s):
                out.append(Manifest(f"{obj['metadata']['name']}.{obj['kind'].lower()}.yaml", obj))
    return out
