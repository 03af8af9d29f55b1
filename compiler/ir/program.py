"""Steps, pipelines, sweeps and the program a compile hands the backends.

No ``from __future__ import annotations`` here (see ``ir/__init__.py``): only forward references are strings.
"""

from typing import Any, NamedTuple

from mldsl.compiler.ir.exprs import IExpr, IValue
from mldsl.compiler.ir.modules import Module, PodSettings, Resources, Serving
from mldsl.lang.constraints import Param
from mldsl.lang.mtypes import MType

IR_VERSION = "mldsl.ir/v1"


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
