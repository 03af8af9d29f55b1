"""How a Katib trial reports its objective: one small pod after the objective step.

Katib's StdOut collector reads ``name=value`` lines from the trial's *primary* pod
(``trialTemplate.primaryPodLabels``). Its webhook rewrites that pod's main container
into ``sh -c "<command and args joined by spaces> 1>metrics.log 2>&1 && ..."``
(kubeflow/katib ``pkg/webhook/v1beta1/pod/utils.go`` wrapWorkerContainer, l. 155-199;
getContainerCommand l. 96-126 joins ``command`` and ``args`` unquoted), and Argo has
already put ``argoexec emissary --`` in front of the command
(argo-workflows v4.1.2 ``workflow/controller/workflowpod.go`` l. 753-770). So the
primary pod's words must mean the same to a shell as to ``exec``: a module's own
command (``sh -c 'a script'``, arguments with spaces) would be re-parsed, and a
container module may print nothing at all.

The report pod takes the objective as a parameter Argo read from the step's output
and runs ``printenv MLDSL_OBJECTIVE_0 ...``, each variable holding ``name=value``:
plain words for any shell, and the value stays data (an env value, never command text).
It runs only when the objective step succeeded; it is the only pod with the label.
"""

from __future__ import annotations

from typing import cast

from mldsl.backends.argo import model as m
from mldsl.backends.argo.templates import fit_name
from mldsl.backends.katib_rules import report_task
from mldsl.compiler import ir

#: the label Katib's ``primaryPodLabels`` select the report pod by; its value is the objective step's task
OBJECTIVE_LABEL = "mldsl.io/objective-of"


def report_template_name(step: str) -> str:
    return fit_name(f"{ir.step_key(step)}-objective")


def report(step: str, outputs: list[str], image: str) -> tuple[m.DAGTask, m.Template]:
    """The DAG task and the template that print ``outputs`` of ``step`` for Katib."""
    task = ir.step_key(step)
    env = [{"name": f"MLDSL_OBJECTIVE_{i}", "value": "%s={{inputs.parameters.%s}}" % (o, o)} for i, o in enumerate(outputs)]
    tpl: m.Template = {
        "name": report_template_name(step),
        "metadata": {"labels": {OBJECTIVE_LABEL: task}},
        "inputs": {"parameters": [{"name": o} for o in outputs]},
        "container": cast(m.Container, {"image": image, "command": ["printenv", *(e["name"] for e in env)], "env": env}),
    }
    t: m.DAGTask = {
        "name": report_task(step),
        "template": tpl["name"],
        "depends": f"{task}.Succeeded",
        "arguments": {"parameters": [{"name": o, "value": "{{tasks.%s.outputs.parameters.%s}}" % (task, o)} for o in outputs]},
    }
    return t, tpl
