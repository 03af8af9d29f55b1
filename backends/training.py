"""Kubeflow Training Operator jobs (kubeflow.org/v1) for ``run.distributed`` modules.

``workers`` is the number of pods in all: one coordinating replica (Master,
Chief or, for MPI, a Launcher that does no training) plus ``workers - 1``
Workers (MPI: ``workers`` Workers). Each training pod asks for
``gpus_per_worker`` GPUs and lands on the Project's GPU nodes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mldsl.backends.k8s import Number, pod_metadata, pod_volumes, resources, scheduling
from mldsl.backends.k8s import count as k8s_count
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
    """Argo success and failure conditions: the coordinator succeeded; any replica failed.

    Argo fails the step when ANY comma-separated failure requirement matches, while every
    success requirement must match (argo-workflows v4.1.2 ``workflow/executor/resource.go``
    matchConditions, l. 278-300). Pods restart ``Never`` (see :func:`training_job`), so a
    crashing pod is counted in ``failed`` at once instead of restarting in place forever.
    """
    coordinator = FRAMEWORKS[run.framework][3]
    failed = [f"status.replicaStatuses.{r}.failed > 0" for r in _replica_types(run)]
    return f"status.replicaStatuses.{coordinator}.succeeded > 0", ",".join(failed)


def _replica_types(run: ir.DistributedRun) -> list[str]:
    coordinator = FRAMEWORKS[run.framework][3]
    # a count from a value is at least 2 (compiler/modules.py checks the input's min): a Worker spec always
    many = not isinstance(run.workers, int) or run.workers > 1
    return [coordinator, "Worker"] if run.framework == "mpi" or many else [coordinator]


def _pod(
    container: dict[str, Any],
    settings: ir.PodSettings,
    project: ir.Project,
    volumes: list[dict[str, Any]],
    gpus: int | ir.IExpr,
    step: ir.Step | None,
) -> dict[str, Any]:
    """A replica's pod spec around its one container: account, pull secrets, volumes, scheduling."""
    pod: dict[str, Any] = {"containers": [container]}
    account = settings.service_account or project.service_account
    if account:
        pod["serviceAccountName"] = account
    if project.image_pull_secrets:
        pod["imagePullSecrets"] = [{"name": s} for s in project.image_pull_secrets]
    if volumes:
        pod["volumes"] = volumes
    selector, tolerations = scheduling(project, gpus, step)
    if selector:
        pod["nodeSelector"] = selector
    if tolerations:
        pod["tolerations"] = tolerations
    return pod


def _run_policy(step: ir.Step | None) -> dict[str, Any]:
    """The job cleans up after itself: its pods go when it ends (GPUs freed), it fails at its first
    failed pod, and it stops at the step's timeout even if the step's own pod is gone (SPEC §1.9)."""
    policy: dict[str, Any] = {"cleanPodPolicy": "All", "backoffLimit": 0}
    if step is not None and step.timeout_seconds is not None:
        policy["activeDeadlineSeconds"] = step.timeout_seconds
    return policy


def _replica_specs(
    run: ir.DistributedRun, coordinator: str, replica: Callable[..., dict[str, Any]], code: Callable[[ir.IExpr], str]
) -> dict[str, Any]:
    """The job's replica specs by role: MPI's launcher and workers, or the coordinator and the other workers."""
    specs: dict[str, Any] = {}
    if run.framework == "mpi":
        specs["Launcher"] = replica(1, trains=False)
        # MPI workers must have no command: the operator gives them `sleep 365d` only when it is empty
        # (training-operator v1.9.0 pkg/controller.v1/mpi/mpijob_controller.go l. 942), and the
        # launcher runs the command on them through mpirun
        specs["Worker"] = replica(k8s_count(run.workers, code), trains=True, runs=False)
    else:
        specs[coordinator] = replica(1, trains=True)
        workers = k8s_count(run.workers, code)
        if isinstance(workers, Number):  # at least 2 (compiler/modules.py): the coordinator and 1+ workers
            specs["Worker"] = replica(workers.minus(1), trains=True)
        elif workers > 1:
            specs["Worker"] = replica(workers - 1, trains=True)
    return specs


def training_job(
    run: ir.DistributedRun,
    *,
    name: str,
    labels: dict[str, str],
    command: list[str],
    args: list[str],
    env: list[dict[str, Any]],
    project: ir.Project,
    step: ir.Step | None,
    settings: ir.PodSettings = ir.NO_POD_SETTINGS,
    code: Callable[[ir.IExpr], str] = lambda e: "",
    text: Callable[[ir.IValue], str] | None = None,
) -> dict[str, Any]:
    """The training job one step creates; ``code``/``text`` lower counts and sizes that come from values."""
    kind, field, container_name, coordinator = FRAMEWORKS[run.framework]
    volumes, mounts = pod_volumes(settings)
    meta = pod_metadata(settings)
    meta["labels"] = {**meta.get("labels", {}), **labels}

    def replica(count: int | Number, trains: bool, runs: bool = True) -> dict[str, Any]:
        container: dict[str, Any] = {"name": container_name, "image": run.image}
        if command and runs:
            container["command"] = command
        if args and runs:
            container["args"] = args
        if env:
            container["env"] = env
        res = run.resources if trains else ir.Resources(cpu=run.resources.cpu, memory=run.resources.memory)
        req = resources(res, project.gpu.resource, text)
        if req:
            container["resources"] = req
        if mounts:
            container["volumeMounts"] = mounts
        pod = _pod(container, settings, project, volumes, res.gpu, step)
        # Never: a failing pod fails the job (and so the step) instead of restarting in place, which
        # training-operator v1.9.0 only stops at runPolicy.backoffLimit (pkg/controller.v1/common/job.go
        # l. 192-214); retries belong to the step's retryStrategy, which starts a fresh job
        return {"replicas": count, "restartPolicy": "Never", "template": {"metadata": meta, "spec": pod}}

    specs = _replica_specs(run, coordinator, replica, code)
    spec: dict[str, Any] = {"runPolicy": _run_policy(step), field: specs}
    if run.framework == "mpi" and run.gpus_per_worker:
        spec["slotsPerWorker"] = k8s_count(run.gpus_per_worker, code)
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": {"generateName": f"{name}-", "labels": labels}, "spec": spec}
