"""Shared pieces of the document models: strictness, names, metadata."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from mldsl.lang.models import checks


class Strict(BaseModel):
    """Unknown fields are errors, and values are not coerced between types."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=False, defer_build=True)


DnsName = Annotated[str, AfterValidator(checks.dns_label)]
Identifier = Annotated[str, AfterValidator(checks.identifier)]
SemVer = Annotated[str, AfterValidator(checks.semver), BeforeValidator(checks.number_to_text)]
Scalar = str | int | float | bool


class Metadata(Strict):
    name: DnsName
    version: SemVer | None = None
    description: str | None = None
    labels: Labels = Field(default_factory=dict)
    annotations: Annotations = Field(default_factory=dict)


class Toleration(Strict):
    """A Kubernetes toleration, with the Kubernetes field names."""

    key: str | None = None
    operator: str | None = None
    value: str | None = None
    effect: str | None = None
    tolerationSeconds: int | None = None


Quantity = Annotated[str, AfterValidator(checks.quantity)]
QuantityOrReference = Annotated[str, AfterValidator(checks.quantity_or_reference)]
LabelKey = Annotated[str, AfterValidator(checks.label_key)]
Labels = dict[LabelKey, Annotated[str, AfterValidator(checks.label_value)]]
Annotations = dict[LabelKey, str]


class Resources(Strict):
    # each may also be "${{ inputs.x }}" (in a module) or "${{ params.x }}" (on a step): SPEC §1.10
    cpu: Annotated[str | int | float, AfterValidator(checks.cpu)] | None = None
    memory: QuantityOrReference | None = None
    gpu: Annotated[int, Field(ge=0)] | str | None = None


class Volume(Strict):
    """A volume mounted into a step's pods (SPEC §1.10): exactly one of ``pvc``, ``memory`` and ``size``."""

    pvc: str | None = None  # an existing PersistentVolumeClaim
    memory: Quantity | None = None  # a memory-backed emptyDir of at most this size (/dev/shm for PyTorch)
    size: Quantity | None = None  # an ephemeral scratch disk (emptyDir) of at most this size
    path: str
    read_only: bool = False


class PodMeta(Strict):
    """Labels and annotations of a step's pods (cost attribution, sidecar injection...)."""

    labels: dict[str, str] = Field(default_factory=dict)  # checked with the step's pods (MLD419)
    annotations: dict[str, str] = Field(default_factory=dict)
