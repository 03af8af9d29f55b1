"""The kinds, labels and annotations of Argo's objects that plain files hold, as Argo's controller and CLI name them."""

from __future__ import annotations

API_VERSION = "argoproj.io/v1alpha1"
WORKFLOW = "Workflow"
WORKFLOW_TEMPLATE = "WorkflowTemplate"
CLUSTER_WORKFLOW_TEMPLATE = "ClusterWorkflowTemplate"
CRON_WORKFLOW = "CronWorkflow"
RUNNABLE = (WORKFLOW, CRON_WORKFLOW, WORKFLOW_TEMPLATE, CLUSTER_WORKFLOW_TEMPLATE)

#: kind aliases accepted in ``kind/name`` (pkg/apis/workflow/register.go:8-28, as used by
#: server/workflow/workflow_server.go:815-823 for ``argo submit --from``)
KIND_ALIASES = {
    **dict.fromkeys(("Workflow", "workflow", "workflows", "wf"), WORKFLOW),
    **dict.fromkeys(("CronWorkflow", "cronworkflow", "cronworkflows", "cronwf"), CRON_WORKFLOW),
    **dict.fromkeys(("WorkflowTemplate", "workflowtemplate", "workflowtemplates", "wftmpl"), WORKFLOW_TEMPLATE),
    **dict.fromkeys(
        ("ClusterWorkflowTemplate", "clusterworkflowtemplate", "clusterworkflowtemplates", "cwftmpl"),
        CLUSTER_WORKFLOW_TEMPLATE,
    ),
}

#: Every kind of the ``argoproj.io`` group that is not a mistake: Argo Workflows'
#: (pkg/apis/workflow/register.go:8-40) and its sibling projects' (Events, CD, Rollouts),
#: which share the group. Any other kind with an ``argoproj.io`` apiVersion is refused.
KNOWN_ARGO_KINDS = frozenset(
    {
        *RUNNABLE,
        "WorkflowEventBinding",
        "WorkflowTaskSet",
        "WorkflowTaskResult",
        "WorkflowArtifactGCTask",
        "EventSource",
        "Sensor",
        "EventBus",
        "Application",
        "ApplicationSet",
        "AppProject",
        "Rollout",
        "AnalysisTemplate",
        "ClusterAnalysisTemplate",
        "AnalysisRun",
        "Experiment",
    }
)

#: Labels and annotations Argo sets (workflow/common/common.go:48, 79, 110, 112, 116, 225, 229)
ANNOTATION_SCHEDULED_TIME = "workflows.argoproj.io/scheduled-time"
LABEL_CONTROLLER_INSTANCE_ID = "workflows.argoproj.io/controller-instanceid"
LABEL_CRON_WORKFLOW = "workflows.argoproj.io/cron-workflow"
LABEL_WORKFLOW_TEMPLATE = "workflows.argoproj.io/workflow-template"
LABEL_CLUSTER_WORKFLOW_TEMPLATE = "workflows.argoproj.io/cluster-workflow-template"
LABEL_CONFIGMAP_TYPE = "workflows.argoproj.io/configmap-type"
CONFIGMAP_TYPE_PARAMETER = "Parameter"
#: workflow/artifactrepositories/artifactrepositories.go:87, 96
ARTIFACT_REPOSITORIES_CONFIGMAP = "artifact-repositories"
ANNOTATION_DEFAULT_ARTIFACT_REPOSITORY = "workflows.argoproj.io/default-artifact-repository"

#: k8s.io/apiserver pkg/storage/names/generate.go:43-47 (maxNameLength 63, randomLength 5) and
#: kubernetes/apimachinery pkg/util/rand/rand.go:83 (the alphabet of generated suffixes)
_MAX_GENERATED_NAME_LENGTH = 63 - 5
_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"

#: util/file/fileutil.go:28-32 (manifestExt)
_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
