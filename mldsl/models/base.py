"""Shared pieces of the document models: strictness, names, metadata."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)


class Strict(BaseModel):
    """Unknown fields are errors, and values are not coerced between types."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=False, defer_build=True)


def _dns_label(value: str) -> str:
    if len(value) > 63 or not DNS_LABEL.match(value):
        raise PydanticCustomError(
            "MLD105",
            "invalid name '{value}': names are DNS-1123 labels (lowercase letters, digits and '-', at most 63)",
            {"value": value, "hint": "for example 'churn-train'"},
        )
    return value


def _identifier(value: str) -> str:
    if not IDENTIFIER.match(value):
        raise PydanticCustomError(
            "MLD105",
            "invalid name '{value}': must be an identifier (letters, digits and '_')",
            {"value": value, "hint": "names are used in expressions such as steps.<name>; use '_' instead of '-'"},
        )
    return value


def _semver(value: str) -> str:
    if not SEMVER.match(value):
        raise PydanticCustomError(
            "MLD106",
            "invalid version '{value}': versions are semantic versions MAJOR.MINOR.PATCH",
            {"value": value, "hint": "for example 1.2.0 (quote it in YAML if it looks like a number)"},
        )
    return value


def _number_to_text(value: Any) -> Any:
    # YAML reads `version: 1.2` as a number; report it as a bad version, with the quoting hint
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


DnsName = Annotated[str, AfterValidator(_dns_label)]
Identifier = Annotated[str, AfterValidator(_identifier)]
SemVer = Annotated[str, AfterValidator(_semver), BeforeValidator(_number_to_text)]
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


QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$")


def _quantity(value: str) -> str:
    if not QUANTITY.match(value):
        raise PydanticCustomError(
            "MLD107",
            "invalid size '{value}': a Kubernetes quantity is a number with a unit",
            {"value": value, "hint": "for example 8Gi, 512Mi or 50Gi"},
        )
    return value


Quantity = Annotated[str, AfterValidator(_quantity)]


def _quantity_or_reference(value: str) -> str:
    # "${{ inputs.x }}" / "${{ params.x }}" are checked where they are bound (SPEC §1.10)
    return value if "${{" in value else _quantity(value)


QuantityOrReference = Annotated[str, AfterValidator(_quantity_or_reference)]


def _cpu(value: str | int | float) -> str | int | float:
    if isinstance(value, str):
        return _quantity_or_reference(value)
    if value < 0:
        raise PydanticCustomError(
            "MLD107", "invalid cpu {value}: it cannot be negative", {"value": value, "hint": "for example 2 or 500m"}
        )
    return value


#: Kubernetes label names and values (apimachinery validation.IsQualifiedName / IsValidLabelValue)
_LABEL_NAME = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def reserved_key(key: str) -> bool:
    """Keys mldsl writes and ``apply --prune`` selects by: a user's copy would claim objects for a project."""
    prefix = key.rpartition("/")[0].lower()
    return key.lower() == "app.kubernetes.io/managed-by" or prefix == "mldsl.io" or prefix.endswith(".mldsl.io")


def _label_key(key: str) -> str:
    if reserved_key(key):
        raise PydanticCustomError(
            "MLD110",
            "label or annotation key '{value}' is reserved: mldsl sets it",
            {
                "value": key,
                "hint": "mldsl writes app.kubernetes.io/managed-by and the mldsl.io/ keys itself (prune selects by "
                "them); use a key of your own, e.g. example.com/team",
            },
        )
    prefix, slash, name = key.rpartition("/")
    ok = bool(name) and len(name) <= 63 and bool(_LABEL_NAME.match(name))
    if slash:
        ok = ok and "/" not in prefix and 0 < len(prefix) <= 253 and bool(_DNS_SUBDOMAIN.match(prefix))
    if not ok:
        raise PydanticCustomError(
            "MLD110",
            "invalid label or annotation key '{value}': Kubernetes would refuse it",
            {
                "value": key,
                "hint": "an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.' "
                "that start and end with a letter or digit (e.g. team or example.com/cost-center)",
            },
        )
    return key


def _label_value(value: str) -> str:
    if len(value) > 63 or not _LABEL_NAME.match(value):
        raise PydanticCustomError(
            "MLD110",
            "invalid label value '{value}': Kubernetes would refuse it",
            {
                "value": value,
                "hint": "at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or "
                "digit (or empty); put free text in an annotation",
            },
        )
    return value


LabelKey = Annotated[str, AfterValidator(_label_key)]
Labels = dict[LabelKey, Annotated[str, AfterValidator(_label_value)]]
Annotations = dict[LabelKey, str]


class Resources(Strict):
    # each may also be "${{ inputs.x }}" (in a module) or "${{ params.x }}" (on a step): SPEC §1.10
    cpu: Annotated[str | int | float, AfterValidator(_cpu)] | None = None
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
