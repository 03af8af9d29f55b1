"""The Pipeline document: a DAG of steps (SPEC §1.4)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from mldsl.lang.models import checks
from mldsl.lang.models.base import Identifier, Metadata, PodMeta, Resources, Scalar, Strict, Toleration, Volume
from mldsl.lang.models.behaviour import ScheduleBehaviour, StepBehaviour
from mldsl.lang.models.typedecl import AnyDecl


class Backoff(Strict):
    duration: str | None = None
    factor: int | float | None = None
    max_duration: str | None = None


class Retries(Strict):
    limit: Annotated[int, Field(ge=0)]
    backoff: Backoff | None = None
    policy: Literal["Always", "OnFailure", "OnError", "OnTransientError"] | None = None


class Cache(Strict):
    ttl: str


class Approval(Strict):
    """``approve:``: the run waits for a person (Argo ``suspend``)."""

    message: str | None = None
    timeout: str | None = None


class Step(Strict, StepBehaviour):
    uses: str | None = None
    deploy: str | None = None
    approve: Approval | None = None
    #: another Pipeline as one step (SPEC §1.10): ``with`` binds its params, its outputs are the step's
    pipeline: str | None = None
    #: deploy steps: the new model's share of traffic, or promote it to the stable model (100%)
    weight: Annotated[int, Field(ge=0, le=100)] | None = None
    promote: bool = False
    with_: dict[Identifier, Any] = Field(default_factory=dict, alias="with")
    after: list[Identifier] | Identifier | None = None
    when: str | None = None
    for_each: str | list[Any] | None = None
    parallelism: Annotated[int, Field(ge=1)] | str | None = None
    retries: Retries | Annotated[int, Field(ge=0)] | None = None
    timeout: str | None = None
    cache: Cache | None = None
    resources: Resources | None = None
    node_selector: dict[str, str] | None = None
    tolerations: list[Toleration] | None = None
    env: dict[str, Scalar] | None = None
    volumes: dict[Identifier, Volume] | None = None
    service_account: str | None = None
    pod: PodMeta | None = None
    continue_on_failure: bool = False


class Schedule(Strict, ScheduleBehaviour):
    cron: str | list[str]
    timezone: str | None = None
    concurrency: Literal["Allow", "Forbid", "Replace"] = "Allow"
    suspend: bool = False
    starting_deadline: str | None = None
    history: Annotated[int, Field(ge=0)] | None = None


class ExitHandler(Strict):
    """``on_exit``: one module (``uses``/``with``), or ``steps:`` (a mapping of steps, ``when`` allowed)."""

    uses: str | None = None
    with_: dict[Identifier, Any] = Field(default_factory=dict, alias="with")
    steps: dict[Identifier, Step] | None = None

    _one_form = model_validator(mode="after")(checks.exit_one_form)


class PipelineSpec(Strict):
    params: dict[Identifier, AnyDecl] = Field(default_factory=dict)
    steps: dict[Identifier, Step]
    outputs: dict[Identifier, str] = Field(default_factory=dict)
    schedule: Schedule | None = None
    on_exit: ExitHandler | None = None
    parallelism: Annotated[int, Field(ge=1)] | None = None
    ttl: str | None = None


class PipelineDoc(Strict):
    apiVersion: str
    kind: str
    metadata: Metadata
    spec: PipelineSpec
