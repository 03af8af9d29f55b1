"""The Project document (``mldsl.yaml``): defaults shared by a repository (SPEC §1.1)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from mldsl.lang.models import checks
from mldsl.lang.models.base import Metadata, Strict, Toleration


class Gpu(Strict):
    resource: str = "nvidia.com/gpu"
    node_selector: dict[str, str] = Field(default_factory=dict)
    tolerations: list[Toleration] = Field(default_factory=list)


class Artifacts(Strict):
    bucket: str | None = None
    key_format: str | None = None
    #: the S3 endpoint literal ``s3://`` URIs are read from (Argo needs it to keep their bucket)
    endpoint: str = "s3.amazonaws.com"


class LocalRun(Strict):
    """How ``mldsl run`` finds cluster locations on this machine."""

    #: a URI prefix (``s3://ml-data/churn``) or an absolute path (``/mnt/models``) -> a folder, relative to this file
    mounts: dict[str, str] = Field(default_factory=dict)


class ProjectSpec(Strict):
    #: who owns this project's objects on a cluster: written as the mldsl.io/project-id annotation on every
    #: object apply makes, and checked before ``apply --prune`` deletes one (another repository with the same
    #: project name, or a hand-made object with mldsl's labels, has another id or none)
    id: Annotated[str, AfterValidator(checks.project_id)] | None = None
    module_paths: list[str] = Field(default_factory=list)
    namespace: str | None = None
    service_account: str | None = None
    #: Kubernetes secrets every pod pulls its images with (a private registry)
    image_pull_secrets: list[str] = Field(default_factory=list)
    image: str = "python:3.11-slim"
    serving_backend: Literal["seldon-v1", "seldon-v2", "kserve"] = "seldon-v1"
    gpu: Gpu = Field(default_factory=Gpu)
    artifacts: Artifacts = Field(default_factory=Artifacts)
    local: LocalRun = Field(default_factory=LocalRun)


class ProjectDoc(Strict):
    apiVersion: str
    kind: str
    metadata: Metadata
    spec: ProjectSpec = Field(default_factory=ProjectSpec)
