"""Typed shapes of the Argo Workflows objects mldsl emits.

TypedDicts, so that mypy checks every field name we write, at no cost at run
time. hera's generated models would do the same but take ~0.8 s to import,
more than our whole compile budget; the strict upstream-schema tests check
what these types cannot (formats, required fields, unknown fields).
"""

from __future__ import annotations

from typing import Any, TypedDict


class ObjectMeta(TypedDict, total=False):
    name: str
    namespace: str
    labels: dict[str, str]
    annotations: dict[str, str]


class Parameter(TypedDict, total=False):
    name: str
    value: str
    default: str
    enum: list[str]
    description: str
    valueFrom: dict[str, Any]


class Artifact(TypedDict, total=False):
    name: str
    path: str
    optional: bool
    s3: dict[str, str]
    gcs: dict[str, str]
    http: dict[str, str]
    oss: dict[str, str]
    hdfs: dict[str, Any]
    azure: dict[str, str]
    archive: dict[str, dict[str, Any]]
    raw: dict[str, str]
    # "from" is a Python keyword: written through the functional syntax below


ArtifactRef = TypedDict("ArtifactRef", {"name": str, "from": str})


class Arguments(TypedDict, total=False):
    parameters: list[Parameter]
    artifacts: list[Artifact | ArtifactRef]


class Inputs(TypedDict, total=False):
    parameters: list[Parameter]
    artifacts: list[Artifact]


class Outputs(TypedDict, total=False):
    parameters: list[Parameter]
    artifacts: list[Artifact | ArtifactRef]


class EnvVar(TypedDict, total=False):
    name: str
    value: str
    valueFrom: dict[str, Any]


class Resources(TypedDict, total=False):
    requests: dict[str, str]
    limits: dict[str, str]


class Container(TypedDict, total=False):
    image: str
    command: list[str]
    args: list[str]
    source: str
    env: list[EnvVar]
    workingDir: str
    resources: Resources
    volumeMounts: list[dict[str, str]]


class Backoff(TypedDict, total=False):
    duration: str
    factor: int | str
    maxDuration: str


class RetryStrategy(TypedDict, total=False):
    limit: int | str
    retryPolicy: str
    backoff: Backoff


class Memoize(TypedDict):
    key: str
    maxAge: str
    cache: dict[str, Any]


class DAGTask(TypedDict, total=False):
    name: str
    template: str
    arguments: Arguments
    depends: str
    when: str
    withItems: list[Any]
    withParam: str
    continueOn: dict[str, bool]


class ResourceTemplate(TypedDict, total=False):
    action: str
    setOwnerReference: bool
    successCondition: str
    failureCondition: str
    manifest: str


class Template(TypedDict, total=False):
    name: str
    metadata: dict[str, dict[str, str]]
    inputs: Inputs
    outputs: Outputs
    parallelism: int
    dag: dict[str, list[DAGTask]]
    container: Container
    script: Container
    volumes: list[dict[str, Any]]
    nodeSelector: dict[str, str]
    tolerations: list[dict[str, Any]]
    retryStrategy: RetryStrategy
    activeDeadlineSeconds: int
    memoize: Memoize
    resource: ResourceTemplate
    suspend: dict[str, str]
    synchronization: dict[str, Any]
    serviceAccountName: str


class WorkflowSpec(TypedDict, total=False):
    entrypoint: str
    arguments: Arguments
    serviceAccountName: str
    imagePullSecrets: list[dict[str, str]]
    parallelism: int
    onExit: str
    ttlStrategy: dict[str, int]
    workflowMetadata: dict[str, dict[str, str]]
    podMetadata: dict[str, dict[str, str]]
    templates: list[Template]
    workflowTemplateRef: dict[str, str]


class CronWorkflowSpec(TypedDict, total=False):
    schedules: list[str]
    timezone: str
    concurrencyPolicy: str
    suspend: bool
    startingDeadlineSeconds: int
    successfulJobsHistoryLimit: int
    failedJobsHistoryLimit: int
    workflowMetadata: dict[str, dict[str, str]]
    workflowSpec: WorkflowSpec


class Object(TypedDict):
    apiVersion: str
    kind: str
    metadata: ObjectMeta
    spec: Any
