"""A workflow's metadata (labels, annotations) and its arguments, and where its artifacts are read from."""

from __future__ import annotations

from typing import Any, cast

from mldsl.argo.tags import escape_value
from mldsl.backends.argo import model as m
from mldsl.backends.argo.templates import declared_parameter, is_resource, parameters_and_artifacts, uri_param
from mldsl.backends.k8s import label_value
from mldsl.compiler import ir

MANAGED_BY = {"app.kubernetes.io/managed-by": "mldsl"}
#: the annotation ``apply --prune`` checks before deleting an object (mldsl/cluster/kube.py)
PROJECT_ID = "mldsl.io/project-id"
API_VERSION = "argoproj.io/v1alpha1"


def workflow_labels(project: ir.Project, pipeline: ir.Pipeline) -> dict[str, str]:
    labels = dict(MANAGED_BY)
    if project.name:
        labels["mldsl.io/project"] = project.name
    labels["mldsl.io/pipeline"] = pipeline.name
    if pipeline.version:
        labels["mldsl.io/pipeline-version"] = label_value(pipeline.version)
    labels.update(pipeline.labels)
    return labels


def workflow_metadata(name: str, project: ir.Project, pipeline: ir.Pipeline) -> m.ObjectMeta:
    meta: m.ObjectMeta = {"name": name}
    if project.namespace:
        meta["namespace"] = project.namespace
    meta["labels"] = workflow_labels(project, pipeline)
    annotations = {"mldsl.io/source": pipeline.source}
    if project.id:
        annotations[PROJECT_ID] = project.id
    if pipeline.description:
        annotations["workflows.argoproj.io/description"] = pipeline.description
    annotations.update(pipeline.annotations)
    meta["annotations"] = annotations
    return meta


def artifact_location(uri: str, project: ir.Project) -> dict[str, Any]:
    """An Argo artifact location for a literal URI: a *full* location, read from exactly there.

    An S3 location without ``endpoint`` is not whole (argo-workflows v4.1.2
    ``pkg/apis/workflow/v1alpha1/workflow_types.go`` S3Artifact.HasLocation, l. 2935), and Argo
    then relocates it into the artifact repository, keeping only the key: the bucket is lost.
    """
    scheme, _, rest = uri.partition("://")
    bucket, _, key = rest.partition("/")
    if scheme == "s3":
        return {"s3": {"endpoint": project.artifact_endpoint, "bucket": bucket, "key": key}}
    if scheme in ("gs", "gcs"):
        return {"gcs": {"bucket": bucket, "key": key}}
    if scheme == "oss":
        return {"oss": {"bucket": bucket, "key": key}}
    if scheme == "az":
        return {"azure": {"container": bucket, "blob": key}}
    if scheme == "hdfs":
        return {"hdfs": {"path": "/" + key, "addresses": [bucket]}}
    return {"http": {"url": uri}}


def uri_read_params(pipeline: ir.Pipeline) -> list[str]:
    """The artifact params a Spark or training job reads by URI: each also comes as the workflow parameter
    :func:`uri_param_of` holding its URI, since a job's manifest names where to read, not a file. ``submit``,
    ``mldsl run`` and the studio pass it beside the workflow artifact (``ops/params.with_uri_params``)."""
    read = set()
    for step in (*pipeline.steps, *pipeline.exit_steps):
        if is_resource(step.module):
            for name, value in step.bindings:
                p = step.module.input(name)
                if p is not None and p.type.kind == "artifact":
                    read |= {n.name for n in ir.walk(value) if isinstance(n, ir.IParam) and n.type.kind == "artifact"}
    return sorted(read)


def uri_param_of(param: str) -> str:
    """The workflow parameter holding an artifact param's URI (``mldsl-uri-`` cannot clash: params are identifiers)."""
    return uri_param(param)


def workflow_arguments(pipeline: ir.Pipeline, project: ir.Project) -> m.Arguments:
    params: list[m.Parameter] = []
    arts: list[m.Artifact | m.ArtifactRef] = []
    by_uri = set(uri_read_params(pipeline))
    for p in pipeline.params:
        if p.type.kind == "artifact":
            # an argument artifact needs a location: Argo refuses one without (argo-workflows v4.1.2
            # workflow/validate/validate.go validateArgumentsValues, l. 1051): a param without a default is
            # given at submit time, and the main template's input declares it
            if p.has_default:
                arts.append(cast(m.Artifact, {"name": p.name, **artifact_location(str(p.default), project)}))
            if p.name in by_uri:
                uri: m.Parameter = {"name": uri_param_of(p.name)}
                if p.has_default:
                    uri["value"] = escape_value(str(p.default))
                params.append(uri)
            continue
        params.append(declared_parameter(p, "value"))
    return cast(m.Arguments, parameters_and_artifacts(params, arts))


def run_labels(project: ir.Project, pipeline: ir.Pipeline) -> dict[str, str]:
    labels = {"mldsl.io/pipeline": pipeline.name}
    if project.name:
        labels["mldsl.io/project"] = project.name
    return labels


def cron_workflow(project: ir.Project, p: ir.Pipeline) -> m.Object | None:
    """The ``CronWorkflow`` that starts a scheduled pipeline's runs from its ``WorkflowTemplate``."""
    s = p.schedule
    if s is None:
        return None
    spec: m.CronWorkflowSpec = {"schedules": list(s.crons)}
    if s.timezone:
        spec["timezone"] = s.timezone
    spec["concurrencyPolicy"] = s.concurrency
    if s.suspend:
        spec["suspend"] = True
    if s.starting_deadline_seconds is not None:
        spec["startingDeadlineSeconds"] = s.starting_deadline_seconds
    if s.history is not None:
        spec["successfulJobsHistoryLimit"] = s.history
        spec["failedJobsHistoryLimit"] = s.history
    spec["workflowMetadata"] = {"labels": run_labels(project, p)}
    spec["workflowSpec"] = {"workflowTemplateRef": {"name": p.name}}
    meta = workflow_metadata(p.name, project, p)
    return {"apiVersion": API_VERSION, "kind": "CronWorkflow", "metadata": meta, "spec": spec}
