"""The Sweep document: a parameter search over a pipeline (SPEC §1.7)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from mldsl.models.base import Identifier, Metadata, Strict

Number = int | float
DISTRIBUTIONS = ("values", "range", "uniform", "loguniform", "int_uniform", "normal")


class Space(Strict):
    """One dimension of the search space: exactly one distribution."""

    values: list[str | Number | bool] | None = None
    range: list[Number] | None = None  # [start, stop] or [start, stop, step]; stop is inclusive
    uniform: list[Number] | None = None  # [low, high]
    loguniform: list[Number] | None = None  # [low, high], low > 0
    int_uniform: list[int] | None = None  # [low, high], both inclusive
    normal: list[Number] | None = None  # [mean, stddev]

    @model_validator(mode="after")
    def _one(self) -> Space:
        given = [d for d in DISTRIBUTIONS if getattr(self, d) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "MLD700",
                "a search dimension needs exactly one of {kinds}, got {given}",
                {
                    "kinds": ", ".join(DISTRIBUTIONS),
                    "given": ", ".join(given) or "none",
                    "hint": "for example {values: [4, 6, 8]} or {loguniform: [1.0e-4, 1.0e-1]}",
                },
            )
        return self

    @property
    def kind(self) -> str:
        return next(d for d in DISTRIBUTIONS if getattr(self, d) is not None)

    @property
    def args(self) -> list[Any]:
        return list(getattr(self, self.kind))


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
