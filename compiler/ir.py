"""The versioned intermediate representation between the language and the backends.

Backends read only these types: every reference is resolved, every
expression typed, every module pinned to one version, every step ordered.
Bump :data:`IR_VERSION` when a change would make an existing backend
misread the IR.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mldsl.constraints import Param
from mldsl.mtypes import MType

IR_VERSION = "mldsl.ir/v1"


# --- expressions -----------------------------------------------------------


@dataclass(frozen=True)
class ILit:
    value: Any
    type: MType


@dataclass(frozen=True)
class IParam:
    """``params.<name>``: a pipeline parameter."""

    name: str
    type: MType


@dataclass(frozen=True)
class IStepOutput:
    """``steps.<step>.outputs.<name>`` (``field='uri'`` for an artifact's URI)."""

    step: str
    output: str
    type: MType
    artifact: bool = False
    field: str | None = None
    fanout: bool = False


@dataclass(frozen=True)
class IItem:
    """``item`` (or ``item.key``) inside a ``for_each`` step."""

    path: tuple[str | int, ...]
    type: MType


@dataclass(frozen=True)
class IWorkflow:
    """``workflow.<field>``: facts of the running workflow."""

    field: str
    type: MType


@dataclass(frozen=True)
class IInput:
    """``inputs.<name>`` or ``inputs.<name>.path`` inside a module's run."""

    name: str
    type: MType
    field: str | None = None


@dataclass(frozen=True)
class ISecret:
    """``secret('name', 'key')``: a Kubernetes secret key reference."""

    name: str
    key: str
    type: MType


@dataclass(frozen=True)
class IUnary:
    op: str
    operand: IExpr
    type: MType


@dataclass(frozen=True)
class IBinary:
    op: str
    left: IExpr
    right: IExpr
    type: MType


@dataclass(frozen=True)
class ICall:
    func: str
    args: tuple[IExpr, ...]
    type: MType


@dataclass(frozen=True)
class IList:
    items: tuple[IExpr, ...]
    type: MType


@dataclass(frozen=True)
class IIndex:
    target: IExpr
    index: IExpr
    type: MType


IExpr = ILit | IParam | IStepOutput | IItem | IWorkflow | IInput | ISecret | IUnary | IBinary | ICall | IList | IIndex
IRef = (IParam, IStepOutput, IItem, IWorkflow, IInput, ISecret)


@dataclass(frozen=True)
class IInterp:
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
            stack.extend((node.target, node.index))


# --- modules ---------------------------------------------------------------


@dataclass(frozen=True)
class Resources:
    cpu: str | None = None
    memory: str | None = None
    gpu: int = 0


@dataclass(frozen=True)
class ContainerRun:
    image: str
    command: tuple[str, ...] = ()
    args: tuple[IValue, ...] = ()
    env: tuple[tuple[str, IValue], ...] = ()
    working_dir: str | None = None


@dataclass(frozen=True)
class PythonRun:
    image: str
    source: str
    packages: tuple[str, ...] = ()
    env: tuple[tuple[str, IValue], ...] = ()


@dataclass(frozen=True)
class Module:
    name: str
    version: str
    description: str | None
    inputs: tuple[Param, ...]
    outputs: tuple[Param, ...]
    resources: Resources
    run: ContainerRun | PythonRun

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    def input(self, name: str) -> Param | None:
        return next((p for p in self.inputs if p.name == name), None)

    def output(self, name: str) -> Param | None:
        return next((p for p in self.outputs if p.name == name), None)


# --- pipelines -------------------------------------------------------------


@dataclass(frozen=True)
class Retry:
    limit: int
    policy: str | None = None
    backoff_seconds: int | None = None
    backoff_factor: float | int | None = None
    backoff_max_seconds: int | None = None


@dataclass(frozen=True)
class Toleration:
    key: str | None = None
    operator: str | None = None
    value: str | None = None
    effect: str | None = None
    seconds: int | None = None


@dataclass(frozen=True)
class Step:
    name: str
    module: Module
    bindings: tuple[tuple[str, IValue], ...]  # module input name -> value, in module input order
    depends: tuple[str, ...] = ()  # step names, sorted
    when: IExpr | None = None
    for_each: IValue | None = None
    item_type: MType | None = None
    parallelism: int | None = None
    retry: Retry | None = None
    timeout_seconds: int | None = None
    cache_seconds: int | None = None
    resources: Resources | None = None  # step overrides, merged over the module's
    node_selector: tuple[tuple[str, str], ...] = ()
    tolerations: tuple[Toleration, ...] = ()
    env: tuple[tuple[str, IValue], ...] = ()

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
        )


@dataclass(frozen=True)
class Schedule:
    crons: tuple[str, ...]
    timezone: str | None
    concurrency: str
    suspend: bool = False
    starting_deadline_seconds: int | None = None
    history: int | None = None


@dataclass(frozen=True)
class Pipeline:
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
    parallelism: int | None = None
    ttl_seconds: int | None = None
    source: str = ""  # the file, relative to the project root

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)


@dataclass(frozen=True)
class Gpu:
    resource: str = "nvidia.com/gpu"
    node_selector: tuple[tuple[str, str], ...] = ()
    tolerations: tuple[Toleration, ...] = ()


@dataclass(frozen=True)
class Project:
    name: str | None = None
    namespace: str | None = None
    service_account: str | None = None
    image: str = "python:3.11-slim"
    gpu: Gpu = Gpu()
    artifact_bucket: str | None = None
    artifact_key_format: str | None = None


@dataclass(frozen=True)
class Program:
    """What one compile produces for the backends."""

    project: Project
    pipelines: tuple[Pipeline, ...]
    modules: tuple[Module, ...] = field(default=())
    version: str = IR_VERSION
