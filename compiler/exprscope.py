"""What an expression may name where it is written: the :class:`Scope` the checker resolves references in."""

from __future__ import annotations

from dataclasses import dataclass, field

from mldsl.lang.constraints import Param
from mldsl.lang.mtypes import FLOAT, STR, TIMESTAMP, MType

#: the fields of ``workflow.<field>`` and their types
WORKFLOW_FIELDS = {
    "name": STR,
    "namespace": STR,
    "uid": STR,
    "status": STR,
    "creation_timestamp": TIMESTAMP,
    "scheduled_time": TIMESTAMP,  # a cron run's scheduled time (its time zone); the creation time otherwise
    "duration": FLOAT,
}
#: where a reference starts
ROOTS = ("params", "steps", "inputs", "outputs", "item", "workflow", "trial")


@dataclass
class StepInfo:
    #: ``None`` when the step's module could not be compiled: its outputs are unknown, not missing
    outputs: dict[str, Param] | None
    fanout: bool


@dataclass
class Scope:
    params: dict[str, Param] | None = None
    steps: dict[str, StepInfo] | None = None
    inputs: dict[str, Param] | None = None
    #: a module's outputs, where ``outputs.<name>.path`` may be used (its run)
    outputs: dict[str, Param] | None = None
    item: MType | None = None
    on_exit: bool = False
    current_step: str | None = None
    artifact_bucket: str | None = None
    #: steps referenced, filled while checking
    refs: set[str] = field(default_factory=set)
    #: ``outputs.<name>.path`` of parameter outputs too (operator jobs write metrics to a URI)
    param_output_paths: bool = False
    #: the pipeline's steps, seen from its exit steps: there, but not readable (another DAG's scope)
    outer_steps: frozenset[str] = frozenset()
    #: params and inputs whose declaration had errors (already reported): reading one is not a new error
    broken: frozenset[str] = frozenset()
