"""The Serving document: a model behind an API (SPEC §1.8)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from mldsl.lang.models.base import DnsName, Metadata, Resources, Strict

SERVERS = ("sklearn", "xgboost", "lightgbm", "mlflow", "tensorflow", "triton", "huggingface", "custom")
BACKENDS = ("seldon-v1", "seldon-v2", "kserve")


class Credentials(Strict):
    """How the server reads a private bucket: a Kubernetes secret with the storage credentials."""

    secret: str


class ModelRef(Strict):
    uri: str | None = None
    credentials: Credentials | None = None
    service_account: str | None = None  # or an identity that may read the bucket (IRSA, Workload Identity)
    server: Literal["sklearn", "xgboost", "lightgbm", "mlflow", "tensorflow", "triton", "huggingface", "custom"] | None = None
    image: str | None = None  # custom servers: the serving container


class Autoscale(Strict):
    min: Annotated[int, Field(ge=0)] = 1
    max: Annotated[int, Field(ge=1)]
    metric: Literal["cpu", "memory", "rps", "concurrency"] = "cpu"
    target: Annotated[int, Field(ge=1)]


class TrafficEntry(Strict):
    name: DnsName
    weight: Annotated[int, Field(ge=0, le=100)]
    model: ModelRef | None = None


class Shadow(Strict):
    model: ModelRef


class ServingSpec(Strict):
    model: ModelRef
    replicas: Annotated[int, Field(ge=0)] = 1
    autoscale: Autoscale | None = None
    resources: Resources | None = None
    traffic: list[TrafficEntry] = Field(default_factory=list)
    shadow: Shadow | None = None
    backend: Literal["seldon-v1", "seldon-v2", "kserve"] | None = None
    protocol: Literal["v2", "seldon", "tensorflow"] | None = None


class ServingDoc(Strict):
    apiVersion: str
    kind: str
    metadata: Metadata
    spec: ServingSpec
