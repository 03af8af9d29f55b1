"""What a step runs: its module and the module's run (a container, Python, a notebook, Spark, a distributed job,
a Serving to deploy, an approval), with the pod settings a run takes.

No ``from __future__ import annotations`` here (see ``ir/__init__.py``): only forward references are strings.
"""

from typing import NamedTuple

from mldsl.compiler.ir.exprs import IExpr, IValue
from mldsl.lang.constraints import Param

# --- modules ---------------------------------------------------------------


class Resources(NamedTuple):
    """Requests of a pod; each a literal or a typed reference (``inputs.x`` in a module, ``params.x`` on a step)."""

    cpu: str | IExpr | None = None
    memory: str | IExpr | None = None
    gpu: int | IExpr = 0


class ContainerRun(NamedTuple):
    image: str  # as written
    command: tuple[IValue, ...] = ()
    args: tuple[IValue, ...] = ()
    env: tuple[tuple[str, IValue], ...] = ()
    working_dir: str | None = None
    #: an image with ``${{ inputs.x }}`` parts (a tag per build), as a value; None for fixed text
    image_value: IValue | None = None


class PythonRun(NamedTuple):
    image: str  # as written (or the Project's)
    source: str
    packages: tuple[str, ...] = ()
    env: tuple[tuple[str, IValue], ...] = ()
    #: as ``ContainerRun.image_value``
    image_value: IValue | None = None


class NotebookRun(NamedTuple):
    """A notebook run with papermill (SPEC §1.12): ``source`` is the step's script (the runtime, the notebook
    without its outputs, the driver), so the backends run it as a python step; ``cells`` summarise the cells."""

    image: str
    source: str
    file: str  # as the module names it, relative to the module's file
    kernel: str
    cells: tuple[str, ...] = ()
    env: tuple[tuple[str, IValue], ...] = ()
    packages: tuple[str, ...] = ()  # none: the image has papermill (kept for the python step's code path)


class SparkRun(NamedTuple):
    image: str
    main: str
    main_class: str | None
    args: tuple[IValue, ...]
    spark_version: str
    driver_cores: int
    driver_memory: str
    executor_instances: int | IExpr
    executor_cores: int
    executor_memory: str
    executor_gpu: int
    conf: tuple[tuple[str, IValue], ...] = ()
    env: tuple[tuple[str, IValue], ...] = ()


class DistributedRun(NamedTuple):
    framework: str  # pytorch | tensorflow | xgboost | mpi
    image: str
    command: tuple[IValue, ...]
    args: tuple[IValue, ...]
    workers: int | IExpr  # an int input's reference when the count comes from a value (SPEC §1.10)
    gpus_per_worker: int | IExpr
    resources: Resources
    env: tuple[tuple[str, IValue], ...] = ()


#: Run kinds whose pods a Kubernetes operator runs, not Argo: artifacts travel as object-store URIs.
ResourceRun = SparkRun | DistributedRun


class DeployRun(NamedTuple):
    """A pipeline step ``deploy: <serving>``: apply the Serving's manifest with the bound model URI.

    ``weight`` sends that share of traffic to the new model (the rest to the stable one); ``promote`` makes the
    new model the stable one with all the traffic.
    """

    serving: "Serving"
    weight: int | None = None
    promote: bool = False

    def rollout(self) -> "Serving":
        """The Serving as this step leaves it; the backends put the bound URI on its last model."""
        s = self.serving
        if self.promote:
            return s._replace(models=(s.models[0]._replace(weight=100),))
        if self.weight is None:
            return s
        stable = s.models[0]
        canary = s.models[1] if len(s.models) > 1 else stable._replace(name="canary")
        return s._replace(models=(stable._replace(weight=100 - self.weight), canary._replace(weight=self.weight)))


class ApproveRun(NamedTuple):
    """A pipeline step ``approve:``: the run waits for a person; when ``timeout_seconds`` pass, the step fails."""

    message: str
    timeout_seconds: int | None = None


class LocalSource(NamedTuple):
    """A module's code on this machine (``local:``): used by ``mldsl run`` only, never emitted."""

    folder: str
    mount: str


def volume_key(name: str) -> str:
    """The Kubernetes name of a volume (a DNS label): lowercase, '-' for '_'."""
    return name.lower().replace("_", "-")


class Volume(NamedTuple):
    """A volume of a step's pods: ``pvc`` (a claim), ``memory`` or ``scratch`` (emptyDir, with a size limit)."""

    name: str
    kind: str  # pvc | memory | scratch
    path: str
    claim: str | None = None
    size: str | None = None
    read_only: bool = False


class PodSettings(NamedTuple):
    """Where a module's or step's pods differ from the defaults: volumes, identity, metadata."""

    volumes: tuple[Volume, ...] = ()
    service_account: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()

    def over(self, other: "PodSettings | None") -> "PodSettings":
        """``other`` (a step's) over these (its module's): volumes by name, labels by key, the rest replaced."""
        if other is None:
            return self
        volumes = {v.name: v for v in self.volumes} | {v.name: v for v in other.volumes}
        return PodSettings(
            tuple(volumes[k] for k in sorted(volumes)),
            other.service_account or self.service_account,
            tuple(sorted((dict(self.labels) | dict(other.labels)).items())),
            tuple(sorted((dict(self.annotations) | dict(other.annotations)).items())),
        )


#: a module that says nothing about its pods
NO_POD_SETTINGS = PodSettings()


class Module(NamedTuple):
    name: str
    version: str
    description: str | None
    inputs: tuple[Param, ...]
    outputs: tuple[Param, ...]
    resources: Resources
    run: ContainerRun | PythonRun | NotebookRun | SparkRun | DistributedRun | DeployRun | ApproveRun
    #: not part of what runs on a cluster, so not part of the module's digest either
    local: LocalSource | None = None
    pod: PodSettings = NO_POD_SETTINGS

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    def input(self, name: str) -> Param | None:
        return next((p for p in self.inputs if p.name == name), None)

    def output(self, name: str) -> Param | None:
        return next((p for p in self.outputs if p.name == name), None)


# --- servings ---------------------------------------------------------------


class ServedModel(NamedTuple):
    """One model of a Serving: a traffic entry, or the shadow."""

    name: str
    weight: int
    uri: str
    server: str
    image: str | None = None
    secret: str | None = None  # storage credentials (Seldon v1 envSecretRefName, Seldon v2 secretName)
    service_account: str | None = None
    #: where the entry is written in its Serving (``("spec", "traffic", 0, "model")``), and where its server is
    #: named: what a backend's check points at (``compiler/targets.py``)
    at: tuple[str | int, ...] = ()
    server_at: tuple[str | int, ...] = ()


class Serving(NamedTuple):
    name: str
    namespace: str | None
    labels: tuple[tuple[str, str], ...]
    backend: str  # seldon-v1 | seldon-v2 | kserve
    protocol: str | None
    replicas: int
    autoscale: tuple[int, int, str, int] | None  # min, max, metric, target
    resources: Resources
    models: tuple[ServedModel, ...]  # traffic entries (one with weight 100 without a split)
    shadow: ServedModel | None = None
    project: str | None = None
    gpu_resource: str = "nvidia.com/gpu"
    project_id: str | None = None
