"""The kinds the store knows, and a resource step's kubectl command line parsed as kubectl parses it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from mldsl.runner.kubejson import _KubectlError, _RefusedError

# --------------------------------------------------------------------------- resource types


@dataclass(frozen=True)
class _Type:
    """A resource type as API discovery describes it to kubectl's REST mapper."""

    group: str
    version: str
    kind: str
    plural: str
    short: tuple[str, ...] = ()
    namespaced: bool = True
    builtin: bool = True  # compiled into the API server: strategic merge patches are accepted
    status: bool = False  # a status subresource: writes to the object keep the live status

    @property
    def resource(self) -> str:
        """GroupResource.String(): ``jobs.batch``, ``pods``."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def names(self) -> set[str]:
        return {self.plural, self.kind.lower(), *self.short}


def _t(group: str, version: str, kind: str, plural: str, *short: str, ns: bool = True, status: bool = False) -> _Type:
    return _Type(group, version, kind, plural, tuple(short), ns, group != _ARGO, status)


_ARGO = "argoproj.io"
_BUILTIN_TYPES = (
    _t("", "v1", "Pod", "pods", "po", status=True),
    _t("", "v1", "ConfigMap", "configmaps", "cm"),
    _t("", "v1", "Secret", "secrets"),
    _t("", "v1", "Service", "services", "svc", status=True),
    _t("", "v1", "ServiceAccount", "serviceaccounts", "sa"),
    _t("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "pvc", status=True),
    _t("", "v1", "PersistentVolume", "persistentvolumes", "pv", ns=False, status=True),
    _t("", "v1", "Event", "events", "ev"),
    _t("", "v1", "Endpoints", "endpoints", "ep"),
    _t("", "v1", "Namespace", "namespaces", "ns", ns=False, status=True),
    _t("", "v1", "Node", "nodes", "no", ns=False, status=True),
    _t("", "v1", "ResourceQuota", "resourcequotas", "quota", status=True),
    _t("", "v1", "LimitRange", "limitranges", "limits"),
    _t("", "v1", "ReplicationController", "replicationcontrollers", "rc", status=True),
    _t("", "v1", "PodTemplate", "podtemplates"),
    _t("apps", "v1", "Deployment", "deployments", "deploy", status=True),
    _t("apps", "v1", "StatefulSet", "statefulsets", "sts", status=True),
    _t("apps", "v1", "DaemonSet", "daemonsets", "ds", status=True),
    _t("apps", "v1", "ReplicaSet", "replicasets", "rs", status=True),
    _t("batch", "v1", "Job", "jobs", status=True),
    _t("batch", "v1", "CronJob", "cronjobs", "cj", status=True),
    _t("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", "hpa", status=True),
    _t("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", "pdb", status=True),
    _t("networking.k8s.io", "v1", "Ingress", "ingresses", "ing", status=True),
    _t("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", "netpol"),
    _t("rbac.authorization.k8s.io", "v1", "Role", "roles"),
    _t("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"),
    _t("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", ns=False),
    _t("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", ns=False),
    _t("coordination.k8s.io", "v1", "Lease", "leases"),
    _t("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", "crd", "crds", ns=False),
    # Argo's CRDs (manifests/base/crds/minimal): only the task sets and GC tasks have a status subresource
    _t(_ARGO, "v1alpha1", "Workflow", "workflows", "wf"),
    _t(_ARGO, "v1alpha1", "WorkflowTemplate", "workflowtemplates", "wftmpl"),
    _t(_ARGO, "v1alpha1", "ClusterWorkflowTemplate", "clusterworkflowtemplates", "clusterwftmpl", "cwft", ns=False),
    _t(_ARGO, "v1alpha1", "CronWorkflow", "cronworkflows", "cwf", "cronwf"),
    _t(_ARGO, "v1alpha1", "WorkflowEventBinding", "workfloweventbindings", "wfeb"),
    _t(_ARGO, "v1alpha1", "WorkflowTaskResult", "workflowtaskresults"),
    _t(_ARGO, "v1alpha1", "WorkflowTaskSet", "workflowtasksets", "wfts", status=True),
    _t(_ARGO, "v1alpha1", "WorkflowArtifactGCTask", "workflowartifactgctasks", "wfat", status=True),
)


def _plural(kind: str) -> str:
    """gengo's lowercase plural namer, as Argo infers a self link (resource.go:87-111)."""
    low = kind.lower()
    if low.endswith(("s", "x", "z", "ch", "sh")):
        return low + "es"
    if low.endswith("y") and len(low) > 1 and low[-2] not in "aeiou":
        return low[:-1] + "ies"
    return low + "s"


def _split_api_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


def _find_type(types: Iterable[_Type], api_version: str, kind: str) -> _Type | None:
    """The type of a manifest's apiVersion and kind (any version of the group maps)."""
    group, _ = _split_api_version(api_version)
    return next((t for t in types if t.group == group and t.kind == kind), None)


# --------------------------------------------------------------------------- kubectl's command line


@dataclass
class _Cmd:
    """A parsed ``kubectl ACTION ...`` command line."""

    action: str
    args: list[str] = field(default_factory=list)
    namespace: str | None = None
    selector: str | None = None
    ignore_not_found: bool = False
    all: bool = False
    files: list[str] = field(default_factory=list)
    output: str = ""
    patch_type: str = "strategic"
    patch_file: str | None = None
    patch: str | None = None


#: flags taking a value: long name -> field (None: accepted, no effect here)
_VALUE_FLAGS: dict[str, str | None] = {
    "namespace": "namespace", "selector": "selector", "filename": "files", "output": "output", "type": "patch_type",
    "patch-file": "patch_file", "patch": "patch", "field-manager": None, "grace-period": None, "timeout": None,
}  # fmt: skip
_SHORT = {"n": "namespace", "l": "selector", "f": "filename", "o": "output", "p": "patch"}
#: boolean flags: long name -> field (None: accepted, no effect on an object store)
_BOOL_FLAGS: dict[str, str | None] = {
    "ignore-not-found": "ignore_not_found", "all": "all", "force": None, "wait": None, "save-config": None,
    "record": None, "overwrite": None,
}  # fmt: skip
#: flags with an optional value (``--validate``, ``--validate=false``): accepted, no effect here,
#: since the store does not validate against an OpenAPI schema
_OPTIONAL_VALUE = {"validate"}
#: pflag's accepted boolean spellings (strconv.ParseBool)
_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def _parse_cmd(argv: Sequence[str]) -> _Cmd:
    """pflag's reading of ``kubectl ACTION ...`` for the flags listed above: interspersed
    arguments, ``--flag=value``, ``--flag value``, ``-n value``, ``-nvalue``; the last value wins."""
    cmd = _Cmd(action=argv[1])
    i = 2
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "--":
            cmd.args.extend(argv[i:])
            break
        if not arg.startswith("-") or arg == "-":
            cmd.args.append(arg)
            continue
        if arg.startswith("--"):
            name, eq, value = arg[2:].partition("=")
        else:
            name, value = _SHORT.get(arg[1:2], "-" + arg[1:2]), arg[2:]
            eq = "=" if value else ""
            value = value.removeprefix("=")
        if name in _BOOL_FLAGS or name in _OPTIONAL_VALUE:
            if eq and value not in _TRUE | _FALSE and name not in _OPTIONAL_VALUE:
                raise _KubectlError(
                    f'error: invalid argument "{value}" for "--{name}" flag: strconv.ParseBool: parsing "{value}": invalid syntax'
                )
            attr = _BOOL_FLAGS.get(name)
            if attr:
                setattr(cmd, attr, not eq or value in _TRUE)
            continue
        if name not in _VALUE_FLAGS:
            raise _RefusedError(f"kubectl flag {arg.partition('=')[0]} is not reproduced here")
        if not eq:
            if i >= len(argv):
                raise _KubectlError(f"error: flag needs an argument: --{name}")
            value = argv[i]
            i += 1
        attr = _VALUE_FLAGS[name]
        if attr == "files":
            cmd.files.append(value)
        elif attr:
            setattr(cmd, attr, value)
    return cmd
