"""Kubeflow Training Operator jobs (kubeflow.org/v1) for ``run.distributed`` modules.

``workers`` is the number of pods in all: one coordinating replica (Master,
Chief or, for MPI, a Launcher that does no training) plus ``workers - 1``
Workers (MPI: ``workers`` Workers). Each training pod asks for
``gpus_per_worker`` GPUs and lands on the Project's GPU nodes.
"""

from __future__ import annotations

from typing import Any

from mldsl.backends.k8s import resources, scheduling
from mldsl.compiler import ir

API_VERSION = "kubeflow.org/v1"

#: framework -> (kind, replica-specs field, container name, coordinator replica)
FRAMEWORKS = {
    "pytorch": ("PyTorchJob", "pytorchReplicaSpecs", "pytorch", "Master"),
    "tensorflow": ("TFJob", "tfReplicaSpecs", "tensorflow", "Chief"),
    "xgboost": ("XGBoostJob", "xgbReplicaSpecs", "xgboost", "Master"),
    "mpi": ("MPIJob", "mpiReplicaSpecs", "mpi", "Launcher"),
}


def conditions(run: ir.DistributedRun) -> tuple[str, str]:
    """Argo success and failure conditions on the job's coordinator replica."""
    coordinator = FRAMEWORKS[run.framework][3]
    return (f"status.replicaStatuses.{coordinator}.succeeded > 0", f"status.replicaStatuses.{coordinator}.failed > 0")


def training_job(
    run: ir.DistributedRun,
    *,
    name: str,
    labels: dict[str, str],
    args: list[str],
    env: list[dict[str, Any]],
    project: ir.Project,
    step: ir.Step | None,
) -> dict[str, Any]:
    kind, field, container_name, coordinator = FRAMEWORKS[run.framework]

    def replica(count: int, trains: bool) -> dict[str, Any]:
        container: dict[str, Any] = {"name": container_name, "image": run.image}
        if run.command:
            container["command"] = list(run.command)
        if args:
            container["args"] = args
        if env:
            container["env"] = env
        res = run.resources if trains else ir.Resources(cpu=run.resources.cpu, memory=run.resources.memory)
        req = resources(res, project.gpu.resource)
        if req:
            container["resources"] = req
        pod: dict[str, Any] = {"containers": [container]}
        if project.service_account:
            pod["serviceAccountName"] = project.service_account
        selector, tolerations = scheduling(project, res.gpu, step)
        if selector:
            pod["nodeSelector"] = selector
        if tolerations:
            pod["tolerations"] = tolerations
        return {"replicas": count, "restartPolicy": "OnFailure", "template": {"metadata": {"labels": labels}, "spec": pod}}

    specs: dict[str, Any] = {}
    if run.framework == "mpi":
        specs["Launcher"] = replica(1, trains=False)
        specs["Worker"] = replica(run.workers, trains=True)
    else:
        specs[coordinator] = replica(1, trains=True)
        if run.workers > 1:
            specs["Worker"] = replica(run.workers - 1, trains=True)
    spec: dict[str, Any] = {"runPolicy": {"cleanPodPolicy": "None"}, field: specs}
    if run.framework == "mpi" and run.gpus_per_worker:
        spec["slotsPerWorker"] = run.gpus_per_worker
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": {"generateName": f"{name}-", "labels": labels}, "spec": spec}
