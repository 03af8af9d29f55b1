"""``deploy:`` steps: a pod that applies the Serving's object and waits until the new version serves.

Why a pod and not a resource template: see ``deploy_pod.py``, the pod's own program. The
object travels in ``MLDSL_MANIFEST`` as the JSON ``embed`` writes (each value one JSON
string: values stay data, as in a resource template's manifest). A KServe canary also
carries ``MLDSL_STABLE_MANIFEST``, the Serving with its stable model alone, which the pod
applies first when no revision has been rolled out yet.
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from mldsl.backends.argo import model as m
from mldsl.backends.argo.embed import embed
from mldsl.backends.argo.exprs import escape_text
from mldsl.backends.argo.policies import step_policies
from mldsl.backends.argo.templates import declared_parameter, fit_name
from mldsl.compiler import ir

#: the label that marks a deploy pod (``mldsl run`` writes its object to the run folder instead)
DEPLOY_LABEL = "mldsl.io/deploy"
MODEL_URI = "{{inputs.parameters.model_uri}}"


@cache
def pod_source() -> str:
    """The deploy pod's program as the step runs it: the file without its docstring (the why is here, in
    mldsl's source), and never a ``{{`` (Argo would read it as a tag; a test checks)."""
    from importlib import resources  # here: it costs every compile ~15 ms, deploy steps or not (issue #15)

    text = resources.files("mldsl.backends.argo").joinpath("deploy_pod.py").read_text(encoding="utf-8")
    _, _, code = text.partition('"""\n\n')
    return "# mldsl's deploy pod (mldsl/backends/argo/deploy_pod.py): apply, then wait until this version serves\n" + code


def _pod(name: str, s: ir.Serving, obj: dict[str, Any], image: str, stable: dict[str, Any] | None) -> m.Template:
    env = [{"name": "MLDSL_MANIFEST", "value": embed(obj)}]
    if stable is not None:
        env.append({"name": "MLDSL_STABLE_MANIFEST", "value": embed(stable)})
    labels = {"mldsl.io/serving": s.name, "mldsl.io/serving-backend": s.backend, DEPLOY_LABEL: obj["kind"]}
    return {
        "name": name,
        "metadata": {"labels": labels},
        "script": cast(m.Container, {"image": escape_text(image), "command": ["python"], "source": pod_source(), "env": env}),
    }


def deploy_template(
    module: ir.Module, project: ir.Project, *, name: str, step: ir.Step | None = None, pipeline: str = ""
) -> m.Template:
    """``deploy: <serving>``: the Serving's object with the bound model URI, applied and waited for."""
    from mldsl.backends import kserve, seldon_v1, seldon_v2

    assert isinstance(module.run, ir.DeployRun)
    s = module.run.rollout()  # weight / promote applied: the bound URI goes on the last model
    stable = None
    if s.backend == "seldon-v1":
        obj = seldon_v1.seldon_deployment(s, MODEL_URI)
    elif s.backend == "kserve":
        obj = kserve.inference_service(s, MODEL_URI)
        stable = kserve.stable_service(s)  # a canary splits traffic with a rolled-out revision: the stable model's
    else:  # seldon-v2: the Model that serves the new version; the Experiment and the rest come with the Serving
        obj = next(o for o in seldon_v2.objects(s, MODEL_URI) if o["kind"] == "Model" and o["spec"]["storageUri"] == MODEL_URI)
    tpl = _pod(name, s, obj, project.image, stable)
    tpl["inputs"] = {"parameters": [declared_parameter(p, "default") for p in module.inputs]}
    if step is not None:
        step_policies(tpl, module, step, pipeline)
    return tpl


def rollout_templates(step: ir.Step, task: str, project: ir.Project, pipeline: str = "") -> tuple[str, dict[str, m.Template]]:
    """A Seldon v2 ``deploy:`` with ``weight`` or ``promote``: deploy the Model (waiting until it serves),
    then apply the Experiment that splits the traffic. A pod applies one object, so this is a small DAG."""
    from mldsl.backends import seldon_v2

    module = step.module
    run = module.run
    assert isinstance(run, ir.DeployRun)
    s = run.serving
    model, experiment = seldon_v2.rollout_objects(s, run, MODEL_URI)
    name = fit_name(f"{task}-rollout")
    model_tpl = _pod(fit_name(f"{task}-rollout-model"), s, model, project.image, None)
    model_tpl["inputs"] = {"parameters": [declared_parameter(p, "default") for p in module.inputs]}
    step_policies(model_tpl, module, step, pipeline)
    traffic_tpl: m.Template = {
        "name": fit_name(f"{task}-rollout-traffic"),
        "metadata": {"labels": {"mldsl.io/serving": s.name, "mldsl.io/serving-backend": s.backend}},
        "resource": {"action": "apply", "manifest": embed(experiment)},
    }
    passed: list[m.Parameter] = [
        {"name": p["name"], "value": "{{inputs.parameters.%s}}" % p["name"]} for p in model_tpl["inputs"]["parameters"]
    ]
    dag: m.Template = {
        "name": name,
        "inputs": {"parameters": [declared_parameter(p, "default") for p in module.inputs]},
        "dag": {
            "tasks": [
                {"name": "model", "template": model_tpl["name"], "arguments": {"parameters": passed}},
                {"name": "traffic", "template": traffic_tpl["name"], "depends": "model.Succeeded"},
            ]
        },
    }
    return name, {name: dag, model_tpl["name"]: model_tpl, traffic_tpl["name"]: traffic_tpl}
