"""A fan-out whose parallelism is a value (SPEC §1.10): a semaphore whose limit the run writes first.

Argo reads a template's ``parallelism`` from the manifest as an int64 and never substitutes it
(argo-workflows v4.1.2 ``pkg/apis/workflow/v1alpha1/workflow_types.go`` l. 800). A template's
``synchronization`` is substituted like the rest of it (``workflow/common/util.go`` SubstituteParams
l. 273-288 marshals the whole template), and a semaphore's limit is read when it is first taken, with
``strconv.Atoi``, from a ConfigMap key (``workflow/controller/controller.go`` createSynchronizationManager
l. 471-492). So the fan-out's wrapper DAG first creates a ConfigMap of its own run holding the limit
(owned by the Workflow, deleted with it), then loops over the items with a template that takes one
slot of that semaphore per iteration.

The workflow's service account needs ``create`` on ``configmaps``; the controller reads them.
"""

from __future__ import annotations

from typing import Any

from mldsl.backends.argo import model as m
from mldsl.backends.argo.embed import embed
from mldsl.backends.argo.templates import fit_name

#: the wrapper DAG's task that writes the limit, and the ConfigMap key holding it
LIMIT_TASK = "mldsl-limit"
LIMIT_KEY = "limit"
#: labels of the ConfigMap: who wrote it (``apply --prune`` never selects run objects: no project label)
MANAGED_BY = {"app.kubernetes.io/managed-by": "mldsl", "mldsl.io/role": "parallelism"}


def config_map_name(task: str) -> str:
    """One ConfigMap per run and step: ``<workflow>-<task>-limit`` (a DNS subdomain, at most 253)."""
    return "{{workflow.name}}-%s-limit" % task


def synchronization(task: str) -> dict[str, Any]:
    """What each iteration takes: one slot of the step's semaphore."""
    return {"semaphores": [{"configMapKeyRef": {"name": config_map_name(task), "key": LIMIT_KEY}}]}


def limit_code(code: str) -> str:
    """expr-lang code for the limit as text; below 1 is read as 1 (a semaphore of 0 would wait forever)."""
    return f"string({code} < 1 ? 1 : {code})"


def limit_template(task: str, labels: dict[str, str]) -> m.Template:
    """The resource template that creates the run's ConfigMap from its ``limit`` input."""
    manifest = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": config_map_name(task), "labels": {**MANAGED_BY, **labels}},
        "data": {LIMIT_KEY: "{{inputs.parameters.%s}}" % LIMIT_KEY},
    }
    return {
        "name": fit_name(f"{task}-limit"),
        "inputs": {"parameters": [{"name": LIMIT_KEY}]},
        "resource": {"action": "create", "setOwnerReference": True, "manifest": embed(manifest)},
    }


def limit_task(template: str, code: str) -> m.DAGTask:
    """The wrapper's first task: write the limit (``code``: expr-lang for the int) before any iteration."""
    return {
        "name": LIMIT_TASK,
        "template": template,
        "arguments": {"parameters": [{"name": LIMIT_KEY, "value": "{{=%s}}" % limit_code(code)}]},
    }
