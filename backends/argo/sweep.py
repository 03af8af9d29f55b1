"""Grid and random sweeps as one Argo ``Workflow``.

The trial list (computed at compile time) is one workflow parameter; a
throttled fan-out creates one child ``Workflow`` per trial from the
pipeline's ``WorkflowTemplate`` (so a trial is exactly a normal run of the
pipeline), waits for it, and reads the objective from the child's node
outputs; a last step picks the best trial and reports its params and metric
as workflow outputs. The manifest grows with the trial list only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from mldsl.backends import Manifest
from mldsl.backends.argo import model as m
from mldsl.backends.argo.embed import embed
from mldsl.backends.argo.exprs import literal_text
from mldsl.backends.argo.workflow_meta import API_VERSION, MANAGED_BY
from mldsl.backends.argo.wrapping import task_name
from mldsl.compiler import ir

PICK_BEST = Path(__file__).with_name("pick_best.py")


def trial_list(sweep: ir.Sweep) -> str:
    """The trials as compact JSON, each with its index (the fan-out's items)."""
    return json.dumps([{"trial": i, **t} for i, t in enumerate(sweep.trials)], separators=(",", ":"), ensure_ascii=False)


def _labels(program: ir.Program, sweep: ir.Sweep) -> dict[str, str]:
    labels = dict(MANAGED_BY)
    if program.project.name:
        labels["mldsl.io/project"] = program.project.name
    labels["mldsl.io/sweep"] = sweep.name
    labels["mldsl.io/pipeline"] = sweep.pipeline.name
    labels.update(sweep.labels)
    return labels


def child_workflow(sweep: ir.Sweep, *, generate_name: str, labels: dict[str, str], values: dict[str, str]) -> dict[str, Any]:
    """A run of the pipeline's WorkflowTemplate with the trial's params (``values`` are Argo or Katib tags)."""
    params = [{"name": name, "value": value} for name, value in values.items()]
    params += [{"name": name, "value": literal_text(v)} for name, v in sweep.fixed]
    spec: dict[str, Any] = {"workflowTemplateRef": {"name": sweep.pipeline.name}}
    if params:
        spec["arguments"] = {"parameters": params}
    return {
        "apiVersion": API_VERSION,
        "kind": "Workflow",
        "metadata": {"generateName": generate_name, "labels": labels},
        "spec": spec,
    }


def objective_filter(sweep: ir.Sweep) -> str:
    """jq reading the objective from a finished child Workflow's node outputs.

    ``status.nodes`` is a map keyed by node ID: a JSONPath ``[?()]`` filter refuses maps
    (client-go ``util/jsonpath/jsonpath.go`` evalFilter takes lists only), so the resource
    output uses ``jqFilter``, which Argo runs on the object's JSON (argo-workflows v4.1.2
    ``workflow/executor/resource.go`` SaveResourceParameters, l. 308-356). The step's own node
    (and its retry group; not the attempts, ``name(0)``) carries its final outputs.
    """
    return (
        '[.status.nodes[] | select(.displayName == "%s") | .outputs.parameters[]? | select(.name == "%s") | .value] | first // ""'
    ) % (task_name(sweep.objective_step), sweep.objective_output)


def emit_sweep(program: ir.Program, sweep: ir.Sweep) -> Manifest:
    """The sweep's driver Workflow: its trials as child Workflows in a fan-out, then the best picked."""
    main: m.Template = {
        "name": "sweep",
        "outputs": {
            "parameters": [
                {"name": f"best-{n}", "valueFrom": {"parameter": "{{tasks.best.outputs.parameters.%s}}" % n}}
                for n in ("params", "metric", "workflow")
            ]
        },
        "dag": {
            "tasks": [
                {"name": "run", "template": "run-trials"},
                {
                    "name": "best",
                    "template": "pick-best",
                    "depends": "run.Succeeded",
                    "arguments": {"parameters": [{"name": "results", "value": "{{tasks.run.outputs.parameters.results}}"}]},
                },
            ]
        },
    }
    spec: m.WorkflowSpec = {"entrypoint": "sweep", "arguments": {"parameters": [{"name": "trials", "value": trial_list(sweep)}]}}
    if program.project.service_account:
        spec["serviceAccountName"] = program.project.service_account
    if program.project.image_pull_secrets:  # its own pods pull images too (pick-best runs in the Project's image)
        spec["imagePullSecrets"] = [{"name": s} for s in program.project.image_pull_secrets]
    spec["templates"] = [main, _run_trials(sweep), _trial(sweep), _pick_best(program, sweep)]
    meta: m.ObjectMeta = {}
    meta_dict: dict[str, Any] = {"generateName": f"{sweep.name}-"}
    if program.project.namespace:
        meta_dict["namespace"] = program.project.namespace
    meta_dict["labels"] = _labels(program, sweep)
    meta_dict["annotations"] = {"mldsl.io/strategy": sweep.strategy, "mldsl.io/trials": str(len(sweep.trials))}
    meta.update(meta_dict)  # type: ignore[typeddict-item]
    body = {"apiVersion": API_VERSION, "kind": "Workflow", "metadata": meta, "spec": spec}
    return Manifest(f"{sweep.name}.workflow.yaml", body)


def _trial(sweep: ir.Sweep) -> m.Template:
    """One trial: the pipeline's WorkflowTemplate run as a child Workflow, its objective read back."""
    names = [d.name for d in sweep.dimensions]
    child = child_workflow(
        sweep,
        generate_name=f"{sweep.name}-t{{{{inputs.parameters.trial}}}}-",
        labels={
            "mldsl.io/sweep": sweep.name,
            "mldsl.io/trial": "{{inputs.parameters.trial}}",
            "workflows.argoproj.io/parent": "{{workflow.name}}",
        },
        values={n: "{{inputs.parameters.%s}}" % n for n in names},
    )
    trial: m.Template = {
        "name": "trial",
        "inputs": {"parameters": [{"name": "trial"}, *[cast(m.Parameter, {"name": n}) for n in names]]},
        "outputs": {
            "parameters": [
                {"name": "metric", "valueFrom": {"jqFilter": objective_filter(sweep)}},
                {"name": "workflow", "valueFrom": {"jsonPath": "{.metadata.name}"}},
                # the trial's index from its own label, never parsed back from a generated name
                {"name": "trial", "valueFrom": {"jqFilter": '.metadata.labels["mldsl.io/trial"]'}},
            ]
        },
        "resource": {
            "action": "create",
            "setOwnerReference": True,
            "successCondition": "status.phase == Succeeded",
            "failureCondition": "status.phase in (Failed, Error)",
            "manifest": embed(child),
        },
    }
    return trial


def _run_trials(sweep: ir.Sweep) -> m.Template:
    """Every trial, ``parallelism`` at a time; their outputs gathered as ``results``."""
    names = [d.name for d in sweep.dimensions]
    fan_out: dict[str, Any] = {
        "name": "trials",
        "template": "trial",
        "arguments": {
            "parameters": [
                {"name": "trial", "value": "{{item.trial}}"},
                *({"name": n, "value": "{{item.%s}}" % n} for n in names),
            ]
        },
        "withParam": "{{workflow.parameters.trials}}",
    }
    if sweep.max_failed_trials:
        fan_out["continueOn"] = {"failed": True}
    run_trials: m.Template = {
        "name": "run-trials",
        "outputs": {"parameters": [{"name": "results", "valueFrom": {"parameter": "{{tasks.trials.outputs.parameters}}"}}]},
        "parallelism": sweep.parallelism,
        "dag": {"tasks": [fan_out]},  # type: ignore[list-item]
    }
    return run_trials


def _pick_best(program: ir.Program, sweep: ir.Sweep) -> m.Template:
    """The pod that reads every trial's result and names the best (``pick_best.py``)."""
    # the trial list and the results reach the script as files: one environment variable is capped at
    # 128 KiB by the kernel (MAX_ARG_STRLEN), a list of 4,000 trials is more
    env: list[m.EnvVar] = [
        {"name": "MLDSL_TRIALS_FILE", "value": "/mldsl/inputs/trials"},
        {"name": "MLDSL_RESULTS_FILE", "value": "/mldsl/inputs/results"},
        {"name": "MLDSL_GOAL", "value": sweep.goal},
        {"name": "MLDSL_MAX_FAILED", "value": "" if sweep.max_failed_trials is None else str(sweep.max_failed_trials)},
    ]
    pick: m.Template = {
        "name": "pick-best",
        "inputs": {
            "parameters": [{"name": "results"}],
            "artifacts": [
                {"name": "trials", "path": "/mldsl/inputs/trials", "raw": {"data": "{{workflow.parameters.trials}}"}},
                {"name": "results", "path": "/mldsl/inputs/results", "raw": {"data": "{{inputs.parameters.results}}"}},
            ],
        },
        "outputs": {
            "parameters": [
                {"name": n, "valueFrom": {"path": f"/mldsl/outputs/{n}"}} for n in ("params", "metric", "workflow", "trial")
            ]
        },
        "script": {
            "image": program.project.image,
            "command": ["python"],
            "source": PICK_BEST.read_text(encoding="utf-8"),
            "env": env,
            "volumeMounts": [{"name": "mldsl-outputs", "mountPath": "/mldsl/outputs"}],
        },
        "volumes": [{"name": "mldsl-outputs", "emptyDir": {}}],
    }
    return pick


def emit(program: ir.Program) -> list[Manifest]:
    return [emit_sweep(program, s) for s in program.sweeps if s.strategy in ("grid", "random")]
