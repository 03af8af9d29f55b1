"""SparkApplication manifests (sparkoperator.k8s.io/v1beta2) for ``run.spark`` modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mldsl.backends.k8s import count, pod_volumes, scheduling
from mldsl.compiler import ir

API_VERSION = "sparkoperator.k8s.io/v1beta2"
SUCCESS = "status.applicationState.state == COMPLETED"
#: UNKNOWN is transient (the driver pod's state could not be read) and is not a failure
FAILURE = "status.applicationState.state in (FAILED, SUBMISSION_FAILED)"


def application_type(run: ir.SparkRun) -> str:
    if run.main.endswith(".py"):
        return "Python"
    if run.main.endswith(".R"):
        return "R"
    return "Scala" if run.main_class else "Java"


#: the container names Spark looks for in pod templates (spark-operator pkg/common: SparkDriverContainerName,
#: Spark3DefaultExecutorContainerName)
DRIVER_CONTAINER = "spark-kubernetes-driver"
EXECUTOR_CONTAINER = "spark-kubernetes-executor"
#: the first Spark release that reads pod templates, where a step's timeout goes
TEMPLATES_SINCE = (3, 0, 0)


def _driver(
    run: ir.SparkRun,
    pod: ir.PodSettings,
    pod_labels: dict[str, str],
    env: list[dict[str, Any]],
    mounts: list[dict[str, Any]],
    project: ir.Project,
) -> dict[str, Any]:
    """The driver's pod: its size, labels, account (the executors run as it does), env and mounts."""
    driver: dict[str, Any] = {"cores": run.driver_cores, "memory": run.driver_memory, "labels": pod_labels}
    if pod.annotations:
        driver["annotations"] = dict(pod.annotations)
    account = pod.service_account or project.service_account
    if account:
        driver["serviceAccount"] = account  # the driver creates the executors: they run as it does
    if env:
        driver["env"] = env
    if mounts:
        driver["volumeMounts"] = mounts
    return driver


def _executor(
    run: ir.SparkRun,
    pod: ir.PodSettings,
    pod_labels: dict[str, str],
    env: list[dict[str, Any]],
    mounts: list[dict[str, Any]],
    project: ir.Project,
    step: ir.Step | None,
    code: Callable[[ir.IExpr], str],
) -> dict[str, Any]:
    """The executors' pods: how many and how big, their GPUs and where they are scheduled."""
    executor: dict[str, Any] = {
        "instances": count(run.executor_instances, code),
        "cores": run.executor_cores,
        "memory": run.executor_memory,
        "labels": pod_labels,
    }
    if pod.annotations:
        executor["annotations"] = dict(pod.annotations)
    if env:
        executor["env"] = env
    if mounts:
        executor["volumeMounts"] = mounts
    if run.executor_gpu:
        executor["gpu"] = {"name": project.gpu.resource, "quantity": run.executor_gpu}
    selector, tolerations = scheduling(project, run.executor_gpu, step)
    if selector:
        executor["nodeSelector"] = selector
    if tolerations:
        executor["tolerations"] = tolerations
    return executor


def _deadline(step: ir.Step | None, driver: dict[str, Any], executor: dict[str, Any]) -> None:
    """The step's timeout on the driver's and executors' pod templates."""
    if step is not None and step.timeout_seconds is not None:
        # SparkApplication has no deadline of its own (kubeflow/spark-operator api/v1beta2): the step's timeout
        # goes on the driver's and executors' pod templates, which the operator hands to spark-submit as pod
        # template files (internal/controller/sparkapplication/submission.go driverPodTemplateOption,
        # buildDriverPodTemplate l. 1123-1181; Spark >= 3.0 keeps activeDeadlineSeconds from a template).
        # A timed-out, stopped or retried step then cannot leave the job holding its executors past it.
        for role, container in ((driver, DRIVER_CONTAINER), (executor, EXECUTOR_CONTAINER)):
            role["template"] = {"spec": {"activeDeadlineSeconds": step.timeout_seconds, "containers": [{"name": container}]}}


def spark_application(
    run: ir.SparkRun,
    *,
    name: str,
    labels: dict[str, str],
    args: list[str],
    env: list[dict[str, Any]],
    conf: dict[str, str],
    project: ir.Project,
    step: ir.Step | None,
    pod: ir.PodSettings = ir.NO_POD_SETTINGS,
    code: Callable[[ir.IExpr], str] = lambda e: "",
) -> dict[str, Any]:
    """The SparkApplication that one step creates; values are already lowered to Argo tags."""
    spec: dict[str, Any] = {
        "type": application_type(run),
        "mode": "cluster",
        "image": run.image,
        "imagePullPolicy": "IfNotPresent",
        "mainApplicationFile": run.main,
    }
    if run.main_class:
        spec["mainClass"] = run.main_class
    if args:
        spec["arguments"] = args
    spec["sparkVersion"] = run.spark_version
    if conf:
        spec["sparkConf"] = conf
    spec["restartPolicy"] = {"type": "Never"}
    if project.image_pull_secrets:
        spec["imagePullSecrets"] = list(project.image_pull_secrets)
    volumes, mounts = pod_volumes(pod)
    if volumes:
        spec["volumes"] = volumes
    pod_labels = {**dict(pod.labels), **labels}
    driver = _driver(run, pod, pod_labels, env, mounts, project)
    executor = _executor(run, pod, pod_labels, env, mounts, project, step, code)
    _deadline(step, driver, executor)
    spec["driver"] = driver
    spec["executor"] = executor
    return {
        "apiVersion": API_VERSION,
        "kind": "SparkApplication",
        "metadata": {"generateName": f"{name}-", "labels": labels},
        "spec": spec,
    }
