"""The Module document: a reusable step (SPEC §1.3)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from mldsl.lang.models import checks
from mldsl.lang.models.base import Identifier, Metadata, PodMeta, Resources, Scalar, Strict, Volume
from mldsl.lang.models.behaviour import RunBehaviour
from mldsl.lang.models.typedecl import AnyDecl


class LocalCode(Strict):
    """Where the module's code is on this machine (the folder its image is built from), for ``mldsl run``."""

    source: str  # relative to the module's file
    mount: str = "/app"  # where the image puts that folder: paths under it in command, args and env are mapped


class ContainerRun(Strict):
    image: str
    command: list[str] | None = None
    args: list[Scalar] | None = None
    env: dict[str, Scalar] | None = None
    working_dir: str | None = None
    local: LocalCode | None = None


class PythonRun(Strict):
    image: str | None = None
    source: str | None = None
    file: str | None = None
    packages: list[str] | None = None
    env: dict[str, Scalar] | None = None

    _one_source = model_validator(mode="after")(checks.python_one_source)


class SparkDriver(Strict):
    cores: Annotated[int, Field(ge=1)] = 1
    memory: str = "1g"


class SparkExecutor(Strict):
    instances: Annotated[int, Field(ge=1)] | str = 2  # or "${{ inputs.executors }}"
    cores: Annotated[int, Field(ge=1)] = 1
    memory: str = "1g"
    gpu: Annotated[int, Field(ge=0)] = 0


class SparkRun(Strict):
    """A Spark application run by the Spark operator (``SparkApplication``)."""

    image: str
    main: str
    main_class: str | None = None
    args: list[Scalar] | None = None
    spark_version: str = "3.5.1"
    driver: SparkDriver = Field(default_factory=SparkDriver)
    executor: SparkExecutor = Field(default_factory=SparkExecutor)
    conf: dict[str, Scalar] | None = None
    env: dict[str, Scalar] | None = None
    local: LocalCode | None = None


class DistributedRun(Strict):
    """Distributed training run by the Kubeflow training operator (or Trainer v2's ``TrainJob``)."""

    framework: Literal["pytorch", "tensorflow", "xgboost", "mpi"]
    image: str
    command: list[str] | None = None
    args: list[Scalar] | None = None
    workers: Annotated[int, Field(ge=1)] | str = 1  # or "${{ inputs.workers }}" (an int input)
    gpus_per_worker: Annotated[int, Field(ge=0)] | str = 0
    resources: Resources | None = None
    env: dict[str, Scalar] | None = None
    api: Literal["training-operator", "trainer-v2"] = "training-operator"
    runtime: str | None = None  # trainer-v2: the ClusterTrainingRuntime to use
    local: LocalCode | None = None


class NotebookRun(Strict):
    """A Jupyter notebook run top to bottom with papermill (SPEC §1.12); its ``parameters`` cell holds the defaults."""

    file: str  # relative to the module's file; read (and checked) at compile time
    image: str | None = None  # default from Project; papermill must be in it
    kernel: str = "python3"
    env: dict[str, Scalar] | None = None


class Run(Strict, RunBehaviour):
    container: ContainerRun | None = None
    python: PythonRun | None = None
    spark: SparkRun | None = None
    distributed: DistributedRun | None = None
    notebook: NotebookRun | None = None

    _exactly_one = model_validator(mode="after")(checks.run_exactly_one)


class ModuleSpec(Strict):
    inputs: dict[Identifier, AnyDecl] = Field(default_factory=dict)
    outputs: dict[Identifier, AnyDecl] = Field(default_factory=dict)
    resources: Resources | None = None
    volumes: dict[Identifier, Volume] = Field(default_factory=dict)
    service_account: str | None = None
    pod: PodMeta | None = None
    run: Run


class ModuleDoc(Strict):
    apiVersion: str
    kind: str
    metadata: Metadata
    spec: ModuleSpec

    _versioned = model_validator(mode="after")(checks.module_versioned)
