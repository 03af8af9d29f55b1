"""The versioned intermediate representation between the language and the backends.

Backends read only these types: every reference is resolved, every
expression typed, every module pinned to one version, every step ordered.
Bump :data:`IR_VERSION` when a change would make an existing backend
misread the IR.

The types live in ``exprs`` (values), ``modules`` (what a step runs) and ``program`` (steps,
pipelines, sweeps, the program); backends read them all as ``ir.X`` from here.

No ``from __future__ import annotations`` here: ``typing.NamedTuple`` compiles every string annotation
into a ForwardRef, some 200 compiles for these classes (3 ms of every start-up, issue #15); only the
forward references are written as strings.
"""

from mldsl.compiler.ir.exprs import (
    IBinary,
    ICall,
    IExpr,
    IIndex,
    IInput,
    IInterp,
    IItem,
    IList,
    ILit,
    IOutput,
    IParam,
    ISecret,
    IStepOutput,
    IUnary,
    IValue,
    IWorkflow,
    rebuild,
    walk,
)
from mldsl.compiler.ir.modules import (
    NO_POD_SETTINGS,
    ApproveRun,
    ContainerRun,
    DeployRun,
    DistributedRun,
    LocalSource,
    Module,
    NotebookRun,
    PodSettings,
    PythonRun,
    ResourceRun,
    Resources,
    ServedModel,
    Serving,
    SparkRun,
    Volume,
    volume_key,
)
from mldsl.compiler.ir.program import (
    EXPR_WORDS,
    IR_VERSION,
    Gpu,
    Pipeline,
    Program,
    Project,
    Retry,
    Schedule,
    Step,
    Sweep,
    Toleration,
    step_key,
)

__all__ = [
    "EXPR_WORDS",
    "IR_VERSION",
    "NO_POD_SETTINGS",
    "ApproveRun",
    "ContainerRun",
    "DeployRun",
    "DistributedRun",
    "Gpu",
    "IBinary",
    "ICall",
    "IExpr",
    "IIndex",
    "IInput",
    "IInterp",
    "IItem",
    "IList",
    "ILit",
    "IOutput",
    "IParam",
    "ISecret",
    "IStepOutput",
    "IUnary",
    "IValue",
    "IWorkflow",
    "LocalSource",
    "Module",
    "NotebookRun",
    "Pipeline",
    "PodSettings",
    "Program",
    "Project",
    "PythonRun",
    "ResourceRun",
    "Resources",
    "Retry",
    "Schedule",
    "ServedModel",
    "Serving",
    "SparkRun",
    "Step",
    "Sweep",
    "Toleration",
    "Volume",
    "rebuild",
    "step_key",
    "volume_key",
    "walk",
]
