"""Parameter outputs (metrics) of Spark and training steps (SPEC §1.10).

An operator runs those pods, not Argo, so Argo never reads their files: a resource
template's only outputs come from the created object (``jsonPath`` over its status).
So the job writes each metric to an object-store URI (``${{ outputs.auc.path }}``,
also ``MLDSL_OUTPUT_AUC``), and the step becomes a small DAG: ``job`` (the resource
template), then ``metrics``, a pod that takes each file as an input artifact from
exactly that key (a full location: Argo never relocates it, see
``workflow.py`` ``artifact_location``) and outputs it as a parameter (``valueFrom.path``).
A Katib sweep reads such a metric like any other output (``objective.py``).
"""

from __future__ import annotations

from typing import Any, cast

from mldsl.backends.argo import model as m
from mldsl.backends.argo.exprs import output_uri_param, quote
from mldsl.backends.argo.templates import fit_name
from mldsl.backends.k8s import label_value
from mldsl.compiler import ir

METRICS_DIR = "/mldsl/metrics"


def metric_outputs(module: ir.Module) -> list[str]:
    """The parameter outputs of an operator job's module (its artifacts travel by URI already)."""
    return [p.name for p in module.outputs if p.type.kind != "artifact"]


def _collector(collector: str, module: ir.Module, names: list[str], *, image: str, location: Any, uri_prefix: str) -> m.Template:
    """The template that fetches the job's metric files from their URIs and reads them as parameter outputs."""
    labels = {"mldsl.io/module": module.name, "mldsl.io/module-version": label_value(module.version)}
    arts: list[m.Artifact] = []
    for n in names:
        key = "{{=sprig.trimPrefix(%s, inputs.parameters[%s])}}" % (quote(uri_prefix), quote(output_uri_param(n)))
        arts.append(cast(m.Artifact, {"name": n, "path": f"{METRICS_DIR}/{n}", **location(key)}))
    return {
        "name": collector,
        "metadata": {"labels": labels},
        "inputs": cast(m.Inputs, {"parameters": [{"name": output_uri_param(n)} for n in names], "artifacts": arts}),
        "outputs": {"parameters": [{"name": n, "valueFrom": {"path": f"{METRICS_DIR}/{n}"}} for n in names]},
        # Argo reads the outputs from the files; the pod's log shows the values
        "container": {"image": image, "command": ["cat", *(f"{METRICS_DIR}/{n}" for n in names)]},
    }


def wrap_with_metrics(
    templates: dict[str, m.Template],
    job: str,
    module: ir.Module,
    *,
    image: str,
    location: Any,
    uri_prefix: str,
) -> str:
    """Wrap the job template ``job`` in a DAG that also collects its metrics; the wrapper's name.

    ``location(key)`` is the full artifact location of a key in the Project's bucket; ``uri_prefix``
    is what the job's output URIs start with before the key (``s3a://bucket/`` for Spark).
    """
    names = metric_outputs(module)
    job_tpl = templates[job]
    collector = fit_name(f"{job}-metrics")
    templates[collector] = _collector(collector, module, names, image=image, location=location, uri_prefix=uri_prefix)
    # the wrapper takes exactly the job's inputs, so the step's arguments (and a cache key over them) are unchanged
    declared = (job_tpl.get("inputs") or {}).get("parameters", [])
    inputs: list[m.Parameter] = [
        cast(m.Parameter, {k: v for k, v in p.items() if k in ("name", "default", "enum", "description")}) for p in declared
    ]
    passed = [{"name": p["name"], "value": "{{inputs.parameters.%s}}" % p["name"]} for p in declared]
    wrapper = fit_name(f"{job}-with-metrics")
    tpl: m.Template = {"name": wrapper}
    if inputs:
        tpl["inputs"] = {"parameters": inputs}
    tpl["outputs"] = {
        "parameters": [{"name": n, "valueFrom": {"parameter": "{{tasks.metrics.outputs.parameters.%s}}" % n}} for n in names]
    }
    memo = job_tpl.pop("memoize", None)
    if memo is not None:  # the step's cache holds the metrics too: the wrapper's outputs are what it stores
        tpl["memoize"] = memo
    run_job: m.DAGTask = {"name": "job", "template": job}
    if passed:
        run_job["arguments"] = cast(m.Arguments, {"parameters": passed})
    uris = [{"name": output_uri_param(n), "value": "{{inputs.parameters.%s}}" % output_uri_param(n)} for n in names]
    read: m.DAGTask = {
        "name": "metrics",
        "template": collector,
        "depends": "job.Succeeded",
        "arguments": cast(m.Arguments, {"parameters": uris}),
    }
    tpl["dag"] = {"tasks": [run_job, read]}
    templates[wrapper] = tpl
    return wrapper
