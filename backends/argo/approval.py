"""``approve:`` steps: the run waits for a person, and an approval nobody gives in time fails.

Argo has the wait (a ``suspend`` template: ``argo resume`` approves, ``argo stop``
fails the suspended node and stops the run, argo-workflows v4.1.2
``workflow/controller/operator.go`` failNodesWithoutCreatedPodsAfterDeadlineOrShutdown
l. 1399) but not the failure on timeout: an expired ``suspend.duration`` *succeeds*
the node (``operator.go`` executeSuspend l. 4005-4011), exactly as ``argo resume``
does (``workflow/util/util.go`` ResumeWorkflow l. 548-552), and both give a
``supplied`` output its default. A template ``timeout`` does not help either: it
only fails nodes still Pending (``operator.go`` checkTemplateTimeouts l. 2703-2711),
and a suspend node is Running.

So the approval is a small DAG: ``wait`` (the suspend) records when it opened in a
``supplied`` output whose default is ``{{=now().Unix()}}``, substituted when the node
starts (``workflow/common/util.go`` SubstituteParams runs over the whole template,
outputs included); then ``expired`` runs only when the wait ended at or after its
deadline, and fails. Resumed in time, ``expired`` is skipped and the approval succeeds.
"""

from __future__ import annotations

from mldsl.backends.argo import model as m
from mldsl.backends.argo.exprs import escape_text, quote
from mldsl.backends.argo.templates import fit_name
from mldsl.compiler import ir
from mldsl.lang.durations import format_duration

#: the label the local runner (``mldsl run --approve STEP``) and people read to know which step waits
APPROVAL_LABEL = "mldsl.io/approval"
OPENED = "opened"


def approval_templates(step: ir.Step, task: str, image: str) -> tuple[str, dict[str, m.Template]]:
    """The template the step's task calls, and every template it needs, by name."""
    run = step.module.run
    assert isinstance(run, ir.ApproveRun)
    name = fit_name(f"{task}-approval")
    wait: m.Template = {
        "name": fit_name(f"{task}-approval-wait") if run.timeout_seconds else name,
        "metadata": {"labels": {APPROVAL_LABEL: step.name}},  # a valid label value: step names are identifiers
        # shown with the node in the Argo UI and by `argo get`: what the person is asked
        "inputs": {"parameters": [{"name": "message", "value": escape_text(run.message, suspend=True)}]},
        "suspend": {},
    }
    if run.timeout_seconds is None:  # waits until someone resumes or stops the run
        return name, {name: wait}
    wait["suspend"] = {"duration": f"{run.timeout_seconds}s"}
    wait["outputs"] = {"parameters": [{"name": OPENED, "valueFrom": {"supplied": {}, "default": "{{=now().Unix()}}"}}]}
    limit = format_duration(run.timeout_seconds)
    expired: m.Template = {
        "name": fit_name(f"{task}-approval-expired"),
        "container": {
            "image": escape_text(image),
            "command": ["sh", "-c", 'echo "$0" >&2; exit 1', f"nobody approved step {step.name!r} within {limit}"],
        },
    }
    opened = f"asInt(tasks['wait'].outputs.parameters[{quote(OPENED)}])"
    dag: m.Template = {
        "name": name,
        "dag": {
            "tasks": [
                {"name": "wait", "template": wait["name"]},
                {
                    "name": "expired",
                    "template": expired["name"],
                    "depends": "wait.Succeeded",
                    "when": "{{=now().Unix() - %s >= %d}}" % (opened, run.timeout_seconds),
                },
            ]
        },
    }
    return name, {name: dag, wait["name"]: wait, expired["name"]: expired}
