"""Spark and distributed-training steps: the objects Argo creates pass the strict operator schemas."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from mldsl.backends import emit_all
from mldsl.compiler import compile_paths

from conftest import argo_scope, embedded_manifests

PROJECT = """\
apiVersion: mldsl/v1
kind: Project
metadata: {name: t}
spec:
  service_account: runner
  gpu: {node_selector: {gpu: a100}, tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]}
  artifacts: {bucket: s3://bucket}
"""


def module(framework: str) -> str:
    return f"""\
apiVersion: mldsl/v1
kind: Module
metadata: {{name: train-{framework}, version: 1.0.0}}
spec:
  inputs: {{data: artifact, steps: {{type: int, default: 100}}}}
  outputs: {{model: artifact}}
  run:
    distributed:
      framework: {framework}
      image: acme/{framework}:1
      command: [python, train.py]
      args: [--data, "${{{{ inputs.data.path }}}}", --steps, "${{{{ inputs.steps }}}}", --out, "${{{{ outputs.model.path }}}}"]
      workers: 3
      gpus_per_worker: 2
      resources: {{cpu: "4", memory: 16Gi}}
"""


SPARK = """\
apiVersion: mldsl/v1
kind: Module
metadata: {name: agg, version: 1.0.0}
spec:
  inputs: {events: artifact, day: str}
  outputs: {table: artifact}
  run:
    spark:
      image: acme/spark:3.5
      main: local:///jobs/agg.py
      args: [--in, "${{ inputs.events.path }}", --day, "${{ inputs.day }}", --out, "${{ outputs.table.path }}"]
      executor: {instances: 3, cores: 2, memory: 4g, gpu: 1}
      conf: {spark.sql.adaptive.enabled: "true"}
"""


def render(template: dict) -> str:
    from mldsl.argo.template import substitute

    return str(substitute(template, argo_scope(template))["resource"]["manifest"])


@pytest.fixture
def compiled(tmp_path: Path) -> dict[str, dict]:
    (tmp_path / "mldsl.yaml").write_text(PROJECT)
    (tmp_path / "agg.yaml").write_text(SPARK)
    steps = ['  agg: {uses: agg, with: {events: "s3://data/events/", day: "2024-01-01"}}']
    for fw in ("pytorch", "tensorflow", "xgboost", "mpi"):
        (tmp_path / f"{fw}.yaml").write_text(module(fw))
        steps.append(f'  {fw}: {{uses: train-{fw}, with: {{data: "${{{{ steps.agg.outputs.table }}}}"}}}}')
    steps.append('  report: {uses: register-model@1, with: {model: "${{ steps.pytorch.outputs.model }}", name: m}}')
    (tmp_path / "p.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  steps:\n"
        + textwrap.indent("\n".join(steps), "  ")
        + "\n"
    )
    result = compile_paths([tmp_path])
    assert result.ok, "\n".join(d.render() for d in result.diagnostics)
    [wt] = [m.body for m in emit_all(result.program)]
    return {"wt": wt, "objects": {o["kind"]: o for o in embedded_manifests(wt)}}


def test_every_created_object_passes_strict_schemas(compiled: dict, operator_crds) -> None:
    objects = compiled["objects"]
    assert sorted(objects) == ["MPIJob", "PyTorchJob", "SparkApplication", "TFJob", "XGBoostJob"]
    for obj in objects.values():
        assert operator_crds.check(obj) == [], obj["kind"]


def test_training_jobs(compiled: dict) -> None:
    o = compiled["objects"]
    pt = o["PyTorchJob"]["spec"]["pytorchReplicaSpecs"]
    assert (pt["Master"]["replicas"], pt["Worker"]["replicas"]) == (1, 2)  # workers: 3 pods in all
    c = pt["Worker"]["template"]["spec"]["containers"][0]
    assert c["name"] == "pytorch" and c["resources"]["limits"]["nvidia.com/gpu"] == "2"
    # as Argo renders the manifest: each argument is the template parameter's value
    assert c["args"] == ["--data", "value-of-data", "--steps", "100", "--out", "value-of-output-model"]
    # the job ends by itself: pods fail it at once, it cleans up and stops at the step's deadline (SPEC §1.9)
    assert o["PyTorchJob"]["spec"]["runPolicy"] == {"cleanPodPolicy": "All", "backoffLimit": 0}
    assert {r["restartPolicy"] for r in pt.values()} == {"Never"}
    pod = pt["Master"]["template"]["spec"]
    assert pod["nodeSelector"] == {"gpu": "a100"} and pod["tolerations"][0]["key"] == "nvidia.com/gpu"
    assert pod["serviceAccountName"] == "runner"
    assert set(o["TFJob"]["spec"]["tfReplicaSpecs"]) == {"Chief", "Worker"}
    assert o["TFJob"]["spec"]["tfReplicaSpecs"]["Chief"]["template"]["spec"]["containers"][0]["name"] == "tensorflow"
    assert set(o["XGBoostJob"]["spec"]["xgbReplicaSpecs"]) == {"Master", "Worker"}
    mpi = o["MPIJob"]["spec"]
    assert mpi["mpiReplicaSpecs"]["Worker"]["replicas"] == 3 and mpi["slotsPerWorker"] == 2
    launcher = mpi["mpiReplicaSpecs"]["Launcher"]["template"]["spec"]["containers"][0]
    assert "nvidia.com/gpu" not in launcher["resources"].get("limits", {})  # the launcher does not train
    assert launcher["command"] == ["python", "train.py"]
    # workers get no command: the operator makes them `sleep` for mpirun only when it is empty
    # (training-operator v1.9.0 pkg/controller.v1/mpi/mpijob_controller.go l. 942)
    worker = mpi["mpiReplicaSpecs"]["Worker"]["template"]["spec"]["containers"][0]
    assert "command" not in worker and "args" not in worker


def test_spark_application(compiled: dict) -> None:
    spec = compiled["objects"]["SparkApplication"]["spec"]
    assert (spec["type"], spec["mode"], spec["mainApplicationFile"]) == ("Python", "cluster", "local:///jobs/agg.py")
    assert spec["executor"]["gpu"] == {"name": "nvidia.com/gpu", "quantity": 1}
    assert spec["executor"]["nodeSelector"] == {"gpu": "a100"} and spec["driver"]["serviceAccount"] == "runner"
    assert spec["sparkConf"] == {"spark.sql.adaptive.enabled": "true"}
    assert spec["arguments"][-1] == "value-of-output-table"


def test_argo_side(compiled: dict) -> None:
    wt = compiled["wt"]
    templates = {t["name"]: t for t in wt["spec"]["templates"]}
    agg = templates["agg-1-0-0"]["resource"]
    assert agg["action"] == "create" and agg["setOwnerReference"] is True
    assert agg["successCondition"] == "status.applicationState.state == COMPLETED"
    # any failed replica fails the step: Argo ORs the failure requirements (workflow/executor/resource.go l. 278)
    assert templates["train-pytorch-1-0-0"]["resource"]["failureCondition"] == (
        "status.replicaStatuses.Master.failed > 0,status.replicaStatuses.Worker.failed > 0"
    )
    assert templates["train-mpi-1-0-0"]["resource"]["successCondition"] == "status.replicaStatuses.Launcher.succeeded > 0"
    tasks = {t["name"]: t for t in templates["main"]["dag"]["tasks"]}
    assert {"name": "output-table", "value": "s3a://bucket/{{workflow.name}}/agg/table"} in tasks["agg"]["arguments"][
        "parameters"
    ]
    assert {"name": "data", "value": "s3://bucket/{{workflow.name}}/agg/table"} in tasks["pytorch"]["arguments"]["parameters"]
    # a python step reads the job's output from the artifact repository, by the key mldsl chose
    # a python step reads the job's output from exactly where the job wrote it: a full location, never relocated
    assert tasks["report"]["arguments"]["artifacts"] == [
        {
            "name": "model",
            "s3": {"endpoint": "s3.amazonaws.com", "bucket": "bucket", "key": "{{workflow.name}}/pytorch/model"},
        }
    ]
    for t in templates.values():
        if "resource" in t:
            assert "&" not in t["resource"]["manifest"] and json.loads(render(t))


def test_trainjob_is_refused_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(
        module("pytorch").replace("workers: 3", "workers: 3\n      api: trainer-v2").replace("train-pytorch", "tj")
    )
    [d] = compile_paths([tmp_path]).diagnostics
    assert d.code == "MLD107" and "TrainJob" in d.message and "argo-workflows#2288" in d.message
