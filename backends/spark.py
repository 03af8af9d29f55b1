"""SparkApplication manifests (sparkoperator.k8s.io/v1beta2) for ``run.spark`` modules."""

from __future__ import annotations

from typing import Any

from mldsl.backends.k8s import scheduling
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
    driver: dict[str, Any] = {"cores": run.driver_cores, "memory": run.driver_memory, "labels": labels}
    if project.service_account:
        driver["serviceAccount"] = project.service_account
    if env:
        driver["env"] = env
    executor: dict[str, Any] = {
        "instances": run.executor_instances,
        "cores": run.executor_cores,
        "memory": run.executor_memory,
        "labels": labels,
    }
    if env:
        executor["env"] = env
    if run.executor_gpu:
        executor["gpu"] = {"name": project.gpu.resource, "quantity": run.executor_gpu}
    selector, tolerations = scheduling(project, run.executor_gpu, step)
    if selector:
        executor["nodeSelector"] = selector
    if tolerations:
        executor["tolerations"] = tolerations
    spec["driver"] = driver
    spec["executor"] = executor
    return {
        "apiVersion": API_VERSION,
        "kind": "SparkApplication",
        "metadata": {"generateName": f"{name}-", "labels": labels},
        "spec": spec,
    }
