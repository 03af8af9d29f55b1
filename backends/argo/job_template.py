"""The template of a Spark or training step: Argo creates the operator's job and waits for its outcome.

The job's pods read and write artifacts by URI (template parameters), not through Argo's artifact files.
"""

from __future__ import annotations

from typing import Any

from mldsl.backends import k8s
from mldsl.backends.argo import model as m
from mldsl.backends.argo.embed import embed
from mldsl.backends.argo.exprs import Lowering, output_uri_param
from mldsl.backends.argo.templates import (
    STEP_ENV,
    contract_env,
    declared_parameter,
    env_entry,
    secret_parameters,
)
from mldsl.compiler import ir

#: inside an operator job's manifest, artifacts are URIs held in template parameters
_BY_URI = Lowering(task=lambda step: step, by_uri=True)


def resource_template(module: ir.Module, project: ir.Project, *, name: str, step: ir.Step | None = None) -> m.Template:
    """A template that creates the module's SparkApplication or training job and waits for its outcome.

    Each artifact input is a parameter holding its URI; each artifact output a parameter
    ``output-<name>`` holding the URI to write to (also ``MLDSL_OUTPUT_<NAME>`` in the pods).
    """
    labels = {
        "mldsl.io/module": module.name,
        "mldsl.io/module-version": k8s.label_value(module.version),
    }  # not workflows.argoproj.io/workflow: the controller takes pods with it as its own and logs errors
    manifest, success, failure = _job(module, project, name, step, labels)
    tpl: m.Template = {"name": name, "metadata": {"labels": dict(labels)}}
    params = _parameters(module)
    if params:
        tpl["inputs"] = {"parameters": params}
    tpl["resource"] = {
        "action": "create",
        "setOwnerReference": True,
        "successCondition": success,
        "failureCondition": failure,
        "manifest": embed(manifest),
    }
    return tpl


def _parameters(module: ir.Module) -> list[m.Parameter]:
    """The template's inputs: artifacts as their URIs, values, secrets' names, and where each output goes."""
    params: list[m.Parameter] = []
    for p in module.inputs:
        if p.type.kind == "artifact":
            params.append({"name": p.name})
        elif p.type.kind != "secret":
            params.append(declared_parameter(p, "default"))
    params += [q for p in module.inputs if p.type.kind == "secret" for q in secret_parameters(p)]
    params += [{"name": output_uri_param(p.name)} for p in module.outputs]
    return params


def _env(module: ir.Module, run: ir.ResourceRun, step: ir.Step | None) -> list[dict[str, Any]]:
    """The job's pods' env: the step contract's, read by URI, then the module's and the step's own."""
    env = contract_env(module, by_uri=True)
    env += [
        {"name": "MLDSL_OUTPUT_" + p.name.upper(), "value": "{{inputs.parameters.%s}}" % output_uri_param(p.name)}
        for p in module.outputs
    ]
    env += [env_entry(k, v, _BY_URI, module) for k, v in run.env]
    if step is not None:
        env += [env_entry(k, v, STEP_ENV) for k, v in step.env]
    return [dict(e) for e in env]


def _job(
    module: ir.Module, project: ir.Project, name: str, step: ir.Step | None, labels: dict[str, str]
) -> tuple[dict[str, Any], str, str]:
    """The operator's object (a SparkApplication or a training job), and when Argo counts it succeeded or failed."""
    from mldsl.backends import spark, training

    run = module.run
    assert isinstance(run, ir.ResourceRun)
    pod = k8s.effective_pod(module, step)
    args = [_BY_URI.text(a) for a in run.args]
    env = _env(module, run, step)
    if isinstance(run, ir.SparkRun):
        conf = {k: _BY_URI.text(v) for k, v in run.conf}
        manifest = spark.spark_application(
            run, name=name, labels=labels, args=args, env=env, conf=conf, project=project, step=step, pod=pod, code=_BY_URI.code
        )
        return manifest, spark.SUCCESS, spark.FAILURE
    command = [_BY_URI.text(c) for c in run.command]
    manifest = training.training_job(
        run,
        name=name,
        labels=labels,
        command=command,
        args=args,
        env=env,
        project=project,
        step=step,
        settings=pod,
        code=_BY_URI.code,
        text=_BY_URI.text,
    )
    success, failure = training.conditions(run)
    return manifest, success, failure
