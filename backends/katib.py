"""Bayesian, TPE and Hyperband sweeps as Katib ``Experiment`` objects (kubeflow.org/v1beta1).

Each Katib trial runs the pipeline's WorkflowTemplate as an Argo Workflow
(the same child run as grid and random sweeps use). Katib reads the
objective with the StdOut collector from the pod that prints it after the
objective step, whatever kind of module that step runs (``argo/objective.py``).
"""

from __future__ import annotations

from typing import Any

from mldsl.backends import Manifest
from mldsl.backends.argo.exprs import literal_text
from mldsl.backends.argo.objective import OBJECTIVE_LABEL
from mldsl.backends.argo.sweep import child_workflow
from mldsl.backends.argo.wrapping import task_name
from mldsl.backends.katib_rules import ALGORITHMS, HYPERBAND_ETA, KATIB_STRATEGIES
from mldsl.compiler import ir

API_VERSION = "kubeflow.org/v1beta1"


def _parameter(d: Any) -> dict[str, Any]:
    kind, args = d.kind, list(d.args)
    if kind == "values":
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in args)
        return {
            "name": d.name,
            "parameterType": "discrete" if numeric else "categorical",
            "feasibleSpace": {"list": [literal_text(v) for v in args]},  # true, not Python's True
        }
    space: dict[str, Any] = {"min": literal_text(args[0]), "max": literal_text(args[1])}
    if kind == "range" and len(args) == 3:
        space["step"] = literal_text(args[2])
    if kind == "loguniform":
        space["distribution"] = "logUniform"
    elif kind in ("uniform", "int_uniform"):
        space["distribution"] = "uniform"
    ptype = "int" if d.integer or kind == "int_uniform" else "double"
    return {"name": d.name, "parameterType": ptype, "feasibleSpace": space}


def experiment(program: ir.Program, sweep: ir.Sweep) -> dict[str, Any]:
    names = [d.name for d in sweep.dimensions]
    trial_spec = child_workflow(
        sweep,
        generate_name=f"{sweep.name}-",
        labels={"mldsl.io/sweep": sweep.name},
        values={n: "${trialParameters.%s}" % n for n in names},
    )
    trial_spec["metadata"].pop("generateName")  # Katib names the trial's workflow itself
    settings = [{"name": "random_state", "value": str(sweep.seed_value)}] if sweep.strategy != "hyperband" else []
    if sweep.strategy == "hyperband" and sweep.budget is not None:
        budget = next(d for d in sweep.dimensions if d.name == sweep.budget)
        settings = [
            {"name": "resource_name", "value": sweep.budget},
            {"name": "eta", "value": str(HYPERBAND_ETA)},
            {"name": "r_l", "value": str(budget.args[1])},
        ]
    spec: dict[str, Any] = {
        "objective": {"type": sweep.goal, "objectiveMetricName": sweep.objective_output},
        "algorithm": {"algorithmName": ALGORITHMS[sweep.strategy], "algorithmSettings": settings},
        "parallelTrialCount": sweep.parallelism,
        "maxTrialCount": sweep.max_trials,
    }
    if sweep.max_failed_trials is not None:
        spec["maxFailedTrialCount"] = sweep.max_failed_trials
    spec["parameters"] = [_parameter(d) for d in sweep.dimensions]
    spec["metricsCollectorSpec"] = {"collector": {"kind": "StdOut"}}
    spec["trialTemplate"] = {
        "primaryContainerName": "main",
        # the pod that prints the objective after the objective step (argo/objective.py), and only that one
        "primaryPodLabels": {OBJECTIVE_LABEL: task_name(sweep.objective_step)},
        "successCondition": 'status.[@this].#(phase=="Succeeded")#',
        # a Workflow can also end in Error: Katib's trial controller matches neither condition otherwise and the
        # trial never ends (kubeflow/katib pkg/controller.v1beta1/trial/util/job_util.go l. 66-95)
        "failureCondition": '[status.[@this].#(phase=="Failed")#,status.[@this].#(phase=="Error")#]|@flatten',
        "trialParameters": [{"name": n, "reference": n, "description": f"pipeline param {n}"} for n in names],
        "trialSpec": trial_spec,
    }
    meta: dict[str, Any] = {"name": sweep.name}
    if program.project.namespace:
        meta["namespace"] = program.project.namespace
    meta["labels"] = {"app.kubernetes.io/managed-by": "mldsl"}
    if program.project.name:  # prune finds this project's experiments by this label
        meta["labels"]["mldsl.io/project"] = program.project.name
    meta["labels"].update({"mldsl.io/sweep": sweep.name, "mldsl.io/pipeline": sweep.pipeline.name})
    if program.project.id:
        meta["annotations"] = {"mldsl.io/project-id": program.project.id}
    return {"apiVersion": API_VERSION, "kind": "Experiment", "metadata": meta, "spec": spec}


def emit(program: ir.Program) -> list[Manifest]:
    return [
        Manifest(f"{s.name}.experiment.yaml", experiment(program, s)) for s in program.sweeps if s.strategy in KATIB_STRATEGIES
    ]
