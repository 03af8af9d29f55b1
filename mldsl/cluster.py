"""Talk to a Kubernetes cluster: server-side apply, dry runs, and pruning of mldsl's own objects.

Uses the official ``kubernetes`` client (imported only here, only by the
commands that need it) with the kubeconfig (``--context``) or the in-cluster
service account. Every object is applied with field manager ``mldsl``;
``--prune`` deletes only objects labelled as managed by mldsl for this
project, annotated with this project's id, that the input no longer has.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

FIELD_MANAGER = "mldsl"
#: the annotation that says which project owns an object (written by the backends from the Project's spec.id)
PROJECT_ID = "mldsl.io/project-id"
#: (apiVersion, kind) -> plural, for every kind mldsl writes and may prune
PLURALS: dict[tuple[str, str], str] = {
    ("argoproj.io/v1alpha1", "WorkflowTemplate"): "workflowtemplates",
    ("argoproj.io/v1alpha1", "CronWorkflow"): "cronworkflows",
    ("machinelearning.seldon.io/v1", "SeldonDeployment"): "seldondeployments",
    ("mlops.seldon.io/v1alpha1", "Model"): "models",
    ("mlops.seldon.io/v1alpha1", "Experiment"): "experiments",
    ("mlops.seldon.io/v1alpha1", "Server"): "servers",
    ("serving.kserve.io/v1beta1", "InferenceService"): "inferenceservices",
    ("kubeflow.org/v1beta1", "Experiment"): "experiments",
}


class ClusterError(Exception):
    """The cluster refused a request or could not be reached (exit code 3)."""


@dataclass
class Outcome:
    kind: str
    name: str
    action: str  # created | configured | unchanged | pruned | skipped | refused
    detail: str = ""

    def line(self, suffix: str) -> str:
        text = f"{self.kind.lower()}/{self.name} {self.action}{suffix}"
        return text + (f": {self.detail}" if self.detail else "")


@dataclass
class Cluster:
    api: Any
    default_namespace: str
    host: str
    outcomes: list[Outcome] = field(default_factory=list)

    @classmethod
    def connect(cls, context: str | None = None) -> Cluster:
        from kubernetes import client, config
        from kubernetes.config.config_exception import ConfigException

        namespace = "default"
        # read KUBECONFIG now, not when the client was imported: a long-lived process (mldsl ui) may see it change
        path = os.environ.get("KUBECONFIG") or None
        try:
            try:
                config.load_kube_config(config_file=path, context=context)
                contexts, active = config.list_kube_config_contexts(config_file=path)
                if context:
                    active = next((c for c in contexts if c["name"] == context), active)
                namespace = active.get("context", {}).get("namespace") or namespace
            except (ConfigException, FileNotFoundError, TypeError):
                if context:
                    raise
                config.load_incluster_config()
        except (ConfigException, FileNotFoundError, TypeError) as exc:
            raise ClusterError(f"no cluster configuration: {exc}") from None
        api = client.CustomObjectsApi()
        return cls(api, namespace, api.api_client.configuration.host)

    def call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError

        try:
            return fn(*args, **kwargs)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise ClusterError(f"the cluster refused {what}: {exc.status} {_reason(exc)}") from None
        except (HTTPError, OSError) as exc:
            raise ClusterError(
                f"cannot reach the cluster at {self.host} ({unreachable_reason(exc)}): "
                "check the kubeconfig's server (or --context) and that the cluster is up"
            ) from None

    def namespace_for(self, obj: dict[str, Any], namespace: str | None) -> str:
        """Where ``obj`` goes: ``--namespace``, else its own, else the kubeconfig context's."""
        return namespace or obj["metadata"].get("namespace") or self.default_namespace

    def apply(self, obj: dict[str, Any], *, namespace: str | None, dry_run: bool, force: bool) -> Outcome:
        api_version, kind, name = obj["apiVersion"], obj["kind"], obj["metadata"]["name"]
        group, version = api_version.split("/")
        plural = PLURALS[(api_version, kind)]
        ns = self.namespace_for(obj, namespace)
        body = dict(obj, metadata={**obj["metadata"], "namespace": ns})
        before = self.call(f"reading {kind} {name}", self.api.get_namespaced_custom_object, group, version, ns, plural, name)
        kwargs: dict[str, Any] = {"field_manager": FIELD_MANAGER, "_content_type": "application/apply-patch+yaml"}
        if force:
            kwargs["force"] = True
        if dry_run:
            kwargs["dry_run"] = "All"
        after = self.call(
            f"{kind} {name}", self.api.patch_namespaced_custom_object, group, version, ns, plural, name, body, **kwargs
        )
        if before is None:
            action = "created"
        elif after is not None and after.get("metadata", {}).get("resourceVersion") == before["metadata"].get("resourceVersion"):
            action = "unchanged"
        else:
            action = "configured"
        return Outcome(kind, name, action)

    def preview(self, obj: dict[str, Any], *, namespace: str | None) -> Outcome:
        """``--dry-run=client``: what applying would do, from a read of the live object."""
        from mldsl.review.semdiff import diff_values

        api_version, kind, name = obj["apiVersion"], obj["kind"], obj["metadata"]["name"]
        group, version = api_version.split("/")
        ns = self.namespace_for(obj, namespace)
        live = self.call(
            f"reading {kind} {name}",
            self.api.get_namespaced_custom_object,
            group,
            version,
            ns,
            PLURALS[(api_version, kind)],
            name,
        )
        if live is None:
            return Outcome(kind, name, "created")
        wanted = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata")}
        wanted["labels"] = obj["metadata"].get("labels", {})
        current = {k: live.get(k) for k in wanted if k != "labels"}
        current["labels"] = {k: v for k, v in live.get("metadata", {}).get("labels", {}).items() if k in wanted["labels"]}
        changes = diff_values(current, wanted)
        if not changes:
            return Outcome(kind, name, "unchanged")
        return Outcome(kind, name, "configured", ", ".join(c.path for c in changes[:5]) + (" ..." if len(changes) > 5 else ""))

    def prune(
        self, keep: set[tuple[str, str, str]], *, project: str, project_id: str, namespaces: set[str], dry_run: str
    ) -> tuple[list[Outcome], list[Outcome]]:
        """Delete this project's objects that are not in ``keep`` ((apiVersion, kind, name)): (pruned, skipped).

        Labels only find candidates; an object is this project's when its ``mldsl.io/project-id`` annotation
        is the project's id. Another repository with the same project name, or an object made by hand with
        mldsl's labels, is skipped and named. Everything is listed before anything is deleted, so a refused
        listing deletes nothing. ``dry_run``: none, client (nothing sent) or server (the server checks).
        """
        selector = f"app.kubernetes.io/managed-by=mldsl,mldsl.io/project={project}"
        doomed: list[tuple[str, str, str, str, str, str]] = []
        skipped: list[Outcome] = []
        for (api_version, kind), plural in sorted(PLURALS.items()):
            group, version = api_version.split("/")
            for ns in sorted(namespaces):
                listing = self.call(
                    f"listing {plural}",
                    self.api.list_namespaced_custom_object,
                    group,
                    version,
                    ns,
                    plural,
                    label_selector=selector,
                )
                for item in (listing or {}).get("items", []):
                    name = item["metadata"]["name"]
                    if (api_version, kind, name) in keep or item.get("kind", kind) != kind:
                        continue
                    owner = (item["metadata"].get("annotations") or {}).get(PROJECT_ID)
                    if owner != project_id:
                        why = (
                            f"not pruned: it has no {PROJECT_ID} annotation (made by hand, or by an mldsl "
                            "before project ids); delete it yourself if it is this project's"
                            if owner is None
                            else f"not pruned: it belongs to project id {owner!r}, not {project_id!r}"
                        )
                        skipped.append(Outcome(kind, name, "skipped", why))
                        continue
                    doomed.append((group, version, ns, plural, kind, name))
        pruned = []
        for group, version, ns, plural, kind, name in doomed:
            if dry_run != "client":
                kwargs = {"dry_run": "All"} if dry_run == "server" else {}
                self.call(
                    f"deleting {kind} {name}",
                    self.api.delete_namespaced_custom_object,
                    group,
                    version,
                    ns,
                    plural,
                    name,
                    **kwargs,
                )
            pruned.append(Outcome(kind, name, "pruned"))
        return pruned, skipped


def unreachable_reason(exc: BaseException) -> str:
    """Why a connection failed, in words (not ``MaxRetryError`` or ``<urlopen error [Errno 111] ...>``)."""
    import errno
    import socket

    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:  # urllib3 and urllib wrap the OS error once or twice
        seen.add(id(node))
        if isinstance(node, socket.gaierror):
            return "unknown host"
        if isinstance(node, (TimeoutError, socket.timeout)):
            return "timed out"
        if isinstance(node, OSError) and node.errno is not None:
            return {
                errno.ECONNREFUSED: "connection refused",
                errno.EHOSTUNREACH: "host unreachable",
                errno.ENETUNREACH: "network unreachable",
                errno.ETIMEDOUT: "timed out",
            }.get(node.errno, node.strerror or str(node))
        nxt = getattr(node, "reason", None)
        node = nxt if isinstance(nxt, BaseException) else node.__cause__ or node.__context__
    text = str(exc)
    if "refused" in text.lower():
        return "connection refused"
    return type(exc).__name__


def _reason(exc: Any) -> str:
    import json

    try:
        body = json.loads(exc.body)
        return str(body.get("message") or body.get("reason") or exc.reason)
    except (TypeError, ValueError):
        return str(exc.reason)
