"""The versioned intermediate representation between the language and the backends.

Backends read only these types: every reference is resolved, every
expression typed, every module pinned to one version, every step ordered.
Bump :data:`IR_VERSION` when a change would make an existing backend
misread the IR.

No ``from __future__ import annotations`` here: ``typing.NamedTuple`` compiles every string annotation
into a ForwardRef, some 200 compiles for these classes (3 ms of every start-up, issue #15); only the
forward references are written as strings.
"""

from typing import Any, NamedTuple

from mldsl.lang.constraints import Param
from mldsl.lang.mtypes import MType

IR_VERSION = "mldsl.ir/v1"


# --- expressions -----------------------------------------------------------


class ILit(NamedTuple):
    value: Any
    type: MType


class IParam(NamedTuple):
    """``params.<name>``: a pipeline parameter."""

    name: str
    type: MType


class IStepOutput(NamedTuple):
    """``steps.<step>.outputs.<name>`` (``field='uri'`` for an artifact's URI)."""

    step: str
    output: str
    type: MType
    artifact: bool = False
    field: str | None = None
    fanout: bool = False


class IItem(NamedTuple):
    """``item`` (or ``item.key``) inside a ``for_each`` step."""

    path: tuple[str | int, ...]
    type: MType


class IWorkflow(NamedTuple):
    """``workflow.<field>``: facts of the running workflow."""

    field: str
    type: MType


class IInput(NamedTuple):
    """``inputs.<name>`` or ``inputs.<name>.path`` inside a module's run."""

    name: str
    type: MType
    field: str | None = None


class IOutput(NamedTuple):
    """``outputs.<name>.path`` inside a module's run: where to write an artifact output."""

    name: str
    type: MType


class ISecret(NamedTuple):
    """``secret('name', 'key')``: a Kubernetes secret key reference."""

    name: str
    key: str
    type: MType


class IUnary(NamedTuple):
    op: str
    operand: "IExpr"
    type: MType


class IBinary(NamedTuple):
    op: str
    left: "IExpr"
    right: "IExpr"
    type: MType


class ICall(NamedTuple):
    func: str
    args: "tuple[IExpr, ...]"
    type: MType


class IList(NamedTuple):
    items: "tuple[IExpr, ...]"
    type: MType


class IIndex(NamedTuple):
    target: "IExpr"
    key: "IExpr"
    type: MType


IExpr = ILit | IParam | IStepOutput | IItem | IWorkflow | IInput | IOutput | ISecret | IUnary | IBinary | ICall | IList | IIndex


class IInterp(NamedTuple):
    """A string with ``${{ }}`` parts: literal text and typed expressions, in order."""

    parts: tuple[str | IExpr, ...]
    type: MType


#: A bound value: a plain YAML literal, one typed expression, or an interpolated string.
IValue = ILit | IExpr | IInterp


def walk(value: Any) -> Any:
    """Every expression node under ``value``, depth first."""
    stack = [value]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, IInterp):
            stack.extend(p for p in node.parts if not isinstance(p, str))
        elif isinstance(node, (IUnary,)):
            stack.append(node.operand)
        elif isinstance(node, IBinary):
            stack.extend((node.left, node.right))
        elif isinstance(node, (ICall, IList)):
            stack.extend(node.args if isinstance(node, ICall) else node.items)
        elif isinstance(node, IIndex):
            stack.extend((node.target, node.key))


def rebuild(value: Any, f: Any) -> Any:
    """``value`` with ``f`` applied to each of its direct sub-expressions (the children :func:`walk` visits)."""
    if isinstance(value, IInterp):
        return value._replace(parts=tuple(p if isinstance(p, str) else f(p) for p in value.parts))
    if isinstance(value, IUnary):
        return value._replace(operand=f(value.operand))
    if isinstance(value, IBinary):
        return value._replace(left=f(value.left), right=f(value.right))
    if isinstance(value, ICall):
        return value._replace(args=tuple(f(a) for a in value.args))
    if isinstance(value, IList):
        return value._replace(items=tuple(f(i) for i in value.items))
    if isinstance(value, IIndex):
        return value._replace(target=f(value.target), key=f(value.key))
    return value


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


# --- pipelines -------------------------------------------------------------


#: expr-lang's keywords and literal words (``mldsl.argo.exprlang.RESERVED_NAMES``, kept equal by a test; not
#: imported: that module is the local runner's, not the compiler's)
EXPR_WORDS = frozenset(
    {"not", "in", "or", "and", "matches", "contains", "startsWith", "endsWith", "let", "if", "else", "true", "false", "nil"}
)


def step_key(step: str) -> str:
    """The DNS-style name a step gets in manifests (lowercase, '-' for '_'); ``<key>-step`` for an expr-lang word.

    Argo evaluates a task's ``depends`` as expr-lang, every '-' made '_' (argo-workflows v4.1.2
    ``workflow/controller/dag.go`` evaluateDependsLogic l. 1021-1024), where a task named ``in``, ``not`` or
    ``true`` lexes as an operator or a literal (expr ``parser/lexer/state.go`` l. 137-150, ``parser.go``
    l. 455-473) and every task that waits for it errors. Validation does not parse ``depends``, so only a run
    would show it: such a step's task is ``in-step`` (``graph``, ``diff`` and run records keep the step's name).
    The compiler refuses step names whose keys would collide or be invalid.
    """
    key = step.lower().replace("_", "-")
    return f"{key}-step" if key in EXPR_WORDS else key


class Retry(NamedTuple):
    limit: int
    policy: str | None = None
    backoff_seconds: int | None = None
    backoff_factor: int | None = None
    backoff_max_seconds: int | None = None


class Toleration(NamedTuple):
    key: str | None = None
    operator: str | None = None
    value: str | None = None
    effect: str | None = None
    seconds: int | None = None


class Step(NamedTuple):
    name: str
    module: Module
    bindings: tuple[tuple[str, IValue], ...]  # module input name -> value, in module input order
    depends: tuple[str, ...] = ()  # step names, sorted: every step this one waits for
    #: the subset of ``depends`` named only in ``after:``, which orders without passing data (SPEC §1.9)
    order_only: tuple[str, ...] = ()
    when: IExpr | None = None
    for_each: IValue | None = None
    item_type: MType | None = None
    #: a number, or (SPEC §1.10) an int expression over params known when the run starts
    parallelism: int | IExpr | None = None
    retry: Retry | None = None
    timeout_seconds: int | None = None
    cache_seconds: int | None = None
    resources: Resources | None = None  # step overrides, merged over the module's
    node_selector: tuple[tuple[str, str], ...] = ()
    tolerations: tuple[Toleration, ...] = ()
    env: tuple[tuple[str, IValue], ...] = ()
    #: a failure does not fail the run; the step's data consumers are skipped (SPEC §1.9)
    continue_on_failure: bool = False
    pod: PodSettings | None = None  # step overrides, merged over the module's
    #: durations as the user wrote them (``timeout``, ``cache``, ``backoff.duration``, ``backoff.max_duration``,
    #: ``approve.timeout``): a review shows ``90m``, not the ``1h30m`` the seconds would print as
    written: tuple[tuple[str, str], ...] = ()

    @property
    def has_overrides(self) -> bool:
        """Whether the step needs a template of its own (Argo keeps these per template)."""
        return bool(
            self.retry
            or self.timeout_seconds
            or self.cache_seconds
            or self.resources
            or self.node_selector
            or self.tolerations
            or self.env
            or self.pod
            or self.limit is not None
        )

    @property
    def limit(self) -> IExpr | None:
        """A fan-out's parallelism when it is a value: its iterations share a semaphore (``backends/argo/limits.py``)."""
        if self.for_each is None or self.parallelism is None or isinstance(self.parallelism, int):
            return None
        return self.parallelism


class Schedule(NamedTuple):
    crons: tuple[str, ...]
    timezone: str | None
    concurrency: str
    suspend: bool = False
    starting_deadline_seconds: int | None = None
    history: int | None = None


class Pipeline(NamedTuple):
    name: str
    version: str | None
    description: str | None
    labels: tuple[tuple[str, str], ...]
    annotations: tuple[tuple[str, str], ...]
    params: tuple[Param, ...]
    steps: tuple[Step, ...]  # topological order, ties broken by name
    outputs: tuple[tuple[str, IValue], ...] = ()
    schedule: Schedule | None = None
    on_exit: Step | None = None
    #: ``on_exit: {steps: ...}``: the exit handler's own DAG, in order
    exit_steps: tuple[Step, ...] = ()
    parallelism: int | None = None
    ttl_seconds: int | None = None
    source: str = ""  # the file, relative to the project root
    #: a Sweep's trial pipeline (``skip_steps``): the pipeline it was cut from
    trial_of: str | None = None
    #: ``pipeline:`` steps, inlined: (step, its inlined steps' names, its outputs in the caller's terms)
    calls: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, IValue], ...]], ...] = ()
    #: with ``pipeline:`` steps, the steps and outputs as written, before inlining (``model``, not
    #: ``model__evaluate``): what ``graph``, ``diff`` and the forms show; empty when nothing was inlined
    written_steps: tuple[Step, ...] = ()
    written_outputs: tuple[tuple[str, IValue], ...] = ()

    def step(self, name: str) -> Step:
        """A step of the pipeline or of its exit handler (their names are distinct)."""
        return next(s for s in (*self.steps, *self.exit_steps) if s.name == name)


class Sweep(NamedTuple):
    """A parameter search over a pipeline; grid and random ones carry their trials."""

    name: str
    description: str | None
    labels: tuple[tuple[str, str], ...]
    pipeline: Pipeline
    strategy: str  # grid | random | bayesian | tpe | hyperband
    dimensions: tuple[Any, ...]  # compiler.trials.Dimension
    fixed: tuple[tuple[str, Any], ...]
    trials: tuple[dict[str, Any], ...]  # empty for Katib strategies
    objective_step: str
    objective_output: str
    goal: str  # maximize | minimize
    max_trials: int | None = None
    parallelism: int = 1
    max_failed_trials: int | None = None
    budget: str | None = None
    seed_value: int = 0
    skip_steps: tuple[str, ...] = ()  # as written: the sweep's form writes them back
    #: the objective's metric as written (``steps.model.outputs.auc``, a ``pipeline:`` step's output), where
    #: ``objective_step``/``objective_output`` name the inlined step that computes it
    objective_metric: str = ""


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


class Gpu(NamedTuple):
    resource: str = "nvidia.com/gpu"
    node_selector: tuple[tuple[str, str], ...] = ()
    tolerations: tuple[Toleration, ...] = ()


class Project(NamedTuple):
    name: str | None = None
    id: str | None = None  # the ownership id (spec.id): the mldsl.io/project-id annotation prune checks
    namespace: str | None = None
    service_account: str | None = None
    image: str = "python:3.11-slim"
    image_pull_secrets: tuple[str, ...] = ()
    gpu: Gpu = Gpu()
    artifact_bucket: str | None = None
    artifact_key_format: str | None = None
    artifact_endpoint: str = "s3.amazonaws.com"
    serving_backend: str = "seldon-v1"
    #: ``mldsl run`` only: the project's folder and its local mounts (prefix, absolute folder)
    root: str | None = None
    local_mounts: tuple[tuple[str, str], ...] = ()


class Program(NamedTuple):
    """What one compile produces for the backends."""

    project: Project
    pipelines: tuple[Pipeline, ...]
    modules: tuple[Module, ...] = ()
    sweeps: tuple[Sweep, ...] = ()
    servings: tuple[Serving, ...] = ()
    version: str = IR_VERSION
