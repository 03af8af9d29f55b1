"""The Sweep document: a parameter search over a pipeline (SPEC §1.7)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from mldsl.lang.models import checks
from mldsl.lang.models.base import Identifier, Metadata, Strict
from mldsl.lang.models.behaviour import SpaceBehaviour

Number = int | float


class Space(Strict, SpaceBehaviour):
    """One dimension of the search space: exactly one distribution."""

    values: list[str | Number | bool] | None = None
    range: list[Number] | None = None  # [start, stop] or [start, stop, step]; stop is inclusive
    uniform: list[Number] | None = None  # [low, high]
    loguniform: list[Number] | None = None  # [low, high], low > 0
    int_uniform: list[int] | None = None  # [low, high], both inclusive
    normal: list[Number] | None = None  # [mean, stddev]

    _one = model_validator(mode="after")(checks.space_one)


class Objective(Strict):
    metric: str
    goal: Literal["maximize", "minimize"] = "maximize"


class SweepSpec(Strict):
    pipeline: str
    strategy: Literal["grid", "random", "bayesian", "tpe", "hyperband"]
    params: dict[Identifier, Space]
    fixed: dict[Identifier, Any] = Field(default_factory=dict)
    max_trials: Annotated[int, Field(ge=1)] | None = None
    parallelism: Annotated[int, Field(ge=1)] = 1
    max_failed_trials: Annotated[int, Field(ge=0)] | None = None
    seed: int = 0
    objective: Objective
    budget: Identifier | None = None  # hyperband: the param that sets a trial's resource budget (e.g. epochs)
    #: steps left out of trials (deploy, publish), with every step after them
    skip_steps: list[Identifier] = Field(default_factory=list)


class SweepDoc(Strict):
    apiVersion: str
    kind: str
    metadata: Metadata
    spec: SweepSpec
