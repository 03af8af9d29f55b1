"""Talk to a Kubernetes cluster: server-side apply, dry runs, and pruning of mldsl's own objects.

Uses the official ``kubernetes`` client (imported only here, only by the
commands that need it) with the kubeconfig (``--context``) or the in-cluster
service account. Every object is applied with field manager ``mldsl``;
``--prune`` deletes only objects labelled as managed by mldsl for this
project, annotated with this project's id, that the input no longer has.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mldsl.cluster.reasons import status_reason, unreachable_reason
from mldsl.util.valuediff import diff_values

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
#: KServe's deployment modes whose canary splits traffic with a rolled-out revision (knative's); Standard
#: (RawDeployment) has no revisions and never reads canaryTrafficPercent (kserve v0.20.0
#: ``pkg/constants/constants.go`` l. 562-565; only ``ksvc_reconciler.go`` reads it)
REVISION_MODES = ("", "Serverless", "Knative")
#: KServe's transition states of a model that did not load (``inference_service_status.go`` v0.20.0 l. 190-202)
KSERVE_FAILED = ("BlockedByFailedLoad", "InvalidSpec")


class ClusterError(Exception):
    """The cluster refused a request or could not be reached (exit code 3)."""


class NoClusterError(ClusterError):
    """No cluster is configured at all: no kubeconfig, no context, not inside a cluster."""


@dataclass
class Outcome:
    kind: str
    name: str
    action: str  # created | configured | unchanged | pruned | skipped | refused | planned (no cluster to compare with)
    detail: str = ""
    #: what the reader must know besides the action (a KServe canary's first rollout): printed on stderr
    note: str = ""

    def line(self, suffix: str) -> str:
        text = f"{self.kind.lower()}/{self.name} {self.action}{suffix}"
        return text + (f": {self.detail}" if self.detail else "")

    def note_line(self) -> str:
        return f"{self.kind.lower()}/{self.name}: {self.note}"

    def as_json(self, dry_run: str) -> dict[str, str]:
        """The outcome for ``apply --format json``: what its line says, as fields."""
        return {"kind": self.kind, "name": self.name, "action": self.action, "detail": self.detail, "note": self.note} | (
            {"dry_run": dry_run} if dry_run != "none" else {}
        )


def _kubeconfig_file(path: str | None) -> Path:
    """The kubeconfig the client reads: ``KUBECONFIG``'s first file, else ``~/.kube/config``."""
    from kubernetes.config.kube_config import KUBE_CONFIG_DEFAULT_LOCATION

    return Path(os.path.expanduser((path or KUBE_CONFIG_DEFAULT_LOCATION).split(os.pathsep)[0]))


def _no_cluster(path: str | None, argo_server: bool) -> str:
    """Where a cluster was looked for, and the three ways to give one (not the client's ``Service host/port is
    not set.``, which is about the in-cluster configuration, the last place looked)."""
    where = f"KUBECONFIG={path} is not a file" if path else f"KUBECONFIG is not set and there is no {_kubeconfig_file(None)}"
    hint = "set KUBECONFIG to your kubeconfig file (kubectl's) and pick one of its contexts with --context"
    if argo_server:
        hint += "; or set ARGO_SERVER=host:port (with ARGO_TOKEN) to go through the Argo Server"
    return f"no cluster configured: {where}, and this is not a pod in a cluster\n  hint: {hint}"


def rolled_out_revision(live: dict[str, Any] | None) -> str:
    """The revision a KServe canary splits traffic with: ``latestRolledoutRevision``, which KServe sets only
    once the latest ready revision has 100 % of the traffic (``inference_service_status.go`` v0.20.0 l. 584-590)."""
    predictor = _dig(live, "status", "components", "predictor")
    return str(predictor.get("latestRolledoutRevision") or "") if isinstance(predictor, dict) else ""


def needs_stable_first(live: dict[str, Any] | None) -> bool:
    """Whether KServe would give a canary all the traffic: with no rolled-out revision its knative reconciler
    routes 100 % to the latest one (``ksvc_reconciler.go`` v0.20.0 l. 123-163), the canary. The deploy step's
    pod asks the same (``backends/argo/deploy_pod.py`` ``main``)."""
    return _dig(live, "status", "deploymentMode") in (None, *REVISION_MODES) and not rolled_out_revision(live)


def _dig(obj: Any, *keys: str) -> Any:
    for k in keys:
        obj = obj.get(k) if isinstance(obj, dict) else None
    return obj


def _action(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    if before is None:
        return "created"
    if after is not None and after.get("metadata", {}).get("resourceVersion") == before["metadata"].get("resourceVersion"):
        return "unchanged"
    return "configured"


def _uri(obj: dict[str, Any]) -> str:
    predictor = obj["spec"]["predictor"]
    if "model" in predictor:
        return str(predictor["model"].get("storageUri", ""))
    env = predictor.get("containers", [{}])[0].get("env", [])
    return next((str(e.get("value")) for e in env if e.get("name") == "STORAGE_URI"), "")


@dataclass
class Cluster:
    api: Any
    default_namespace: str
    host: str
    outcomes: list[Outcome] = field(default_factory=list)

    @classmethod
    def connect(cls, context: str | None = None, *, argo_server: bool = False) -> Cluster:
        """The cluster of the kubeconfig (``KUBECONFIG``, else ``~/.kube/config``; ``context`` or its current one),
        else the one this process runs in. ``argo_server``: the caller could also go through ``ARGO_SERVER``,
        so a missing configuration names it too."""
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
                if context or _kubeconfig_file(path).is_file():
                    raise  # a kubeconfig that is there but wrong: its own message, not the in-cluster one's
                try:
                    config.load_incluster_config()
                except ConfigException:
                    raise NoClusterError(_no_cluster(path, argo_server)) from None
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
            raise ClusterError(f"the cluster refused {what}: {exc.status} {status_reason(exc)}") from None
        except (HTTPError, OSError) as exc:
            raise ClusterError(
                f"cannot reach the cluster at {self.host} ({unreachable_reason(exc)}): "
                "check the kubeconfig's server (or --context) and that the cluster is up"
            ) from None

    def namespace_for(self, obj: dict[str, Any], namespace: str | None) -> str:
        """Where ``obj`` goes: ``--namespace``, else its own, else the kubeconfig context's."""
        return namespace or obj["metadata"].get("namespace") or self.default_namespace

    def _where(self, obj: dict[str, Any], namespace: str | None) -> tuple[str, str, str, str, str]:
        """(group, version, namespace, plural, name) of ``obj``."""
        group, version = obj["apiVersion"].split("/")
        return (
            group,
            version,
            self.namespace_for(obj, namespace),
            PLURALS[(obj["apiVersion"], obj["kind"])],
            obj["metadata"]["name"],
        )

    def _read(self, obj: dict[str, Any], namespace: str | None) -> Any:
        group, version, ns, plural, name = self._where(obj, namespace)
        return self.call(f"reading {obj['kind']} {name}", self.api.get_namespaced_custom_object, group, version, ns, plural, name)

    def _patch(self, obj: dict[str, Any], namespace: str | None, *, dry_run: bool, force: bool) -> Any:
        """Server-side apply of ``obj``: the object as the server returns it."""
        group, version, ns, plural, name = self._where(obj, namespace)
        body = dict(obj, metadata={**obj["metadata"], "namespace": ns})
        kwargs: dict[str, Any] = {"field_manager": FIELD_MANAGER, "_content_type": "application/apply-patch+yaml"}
        if force:
            kwargs["force"] = True
        if dry_run:
            kwargs["dry_run"] = "All"
        return self.call(
            f"{obj['kind']} {name}", self.api.patch_namespaced_custom_object, group, version, ns, plural, name, body, **kwargs
        )

    def apply(
        self,
        obj: dict[str, Any],
        *,
        namespace: str | None,
        dry_run: bool,
        force: bool,
        stable: dict[str, Any] | None = None,
        wait: float | None = None,
    ) -> Outcome:
        """Server-side apply ``obj``. ``stable``: a KServe canary's object with its stable model alone, applied
        first while no revision has rolled out (:func:`needs_stable_first`); then, with ``wait`` (seconds), wait
        until it rolls out and apply ``obj``, as the deploy step does; without, stop there and say so."""
        before = self._read(obj, namespace)
        if stable is not None and needs_stable_first(before):
            return self._stable_first(obj, stable, before, namespace=namespace, dry_run=dry_run, force=force, wait=wait)
        after = self._patch(obj, namespace, dry_run=dry_run, force=force)
        return Outcome(obj["kind"], obj["metadata"]["name"], _action(before, after))

    def _stable_first(
        self,
        obj: dict[str, Any],
        stable: dict[str, Any],
        before: Any,
        *,
        namespace: str | None,
        dry_run: bool,
        force: bool,
        wait: float | None,
    ) -> Outcome:
        kind, name = obj["kind"], obj["metadata"]["name"]
        percent = obj["spec"]["predictor"].get("canaryTrafficPercent")
        first = self._patch(stable, namespace, dry_run=dry_run, force=force)
        if dry_run:  # the server checks both; it stores neither, so the canary's outcome is against the live object
            after = self._patch(obj, namespace, dry_run=True, force=force)
            note = f"no revision has rolled out yet: apply sends the stable model ({_uri(stable)}) alone first"
            return Outcome(kind, name, _action(before, after), note=note)
        if wait is None:
            return Outcome(
                kind,
                name,
                _action(before, first),
                note=f"no revision has rolled out yet, so KServe would send all the traffic to the canary: applied the "
                f"stable model ({_uri(stable)}) alone; apply again once it serves (or apply --wait) to start the canary "
                f"at {percent} %",
            )
        revision = self._wait_rolled_out(
            stable, namespace, before=before, unchanged=_action(before, first) == "unchanged", timeout=wait
        )
        after = self._patch(obj, namespace, dry_run=False, force=force)
        where = f"revision {revision}" if revision else "no revisions: KServe's Standard mode does not split traffic"
        return Outcome(
            kind, name, _action(before, after), note=f"the stable model first ({where}), then the canary at {percent} %"
        )

    def _wait_rolled_out(
        self, stable: dict[str, Any], namespace: str | None, *, before: Any, unchanged: bool, timeout: float
    ) -> str:
        """Read the InferenceService until its stable model has rolled out: that revision ("" in a mode without
        revisions). A model that does not load, or ``timeout`` seconds, end the wait with a ClusterError."""
        name = stable["metadata"]["name"]
        poll = float(os.environ.get("MLDSL_POLL_SECONDS") or 5)
        deadline = time.monotonic() + timeout
        old = _dig(before, "status", "modelStatus", "transitionStatus")
        while True:
            live = self._read(stable, namespace)
            if live is None:
                raise ClusterError(f"InferenceService {name} was deleted while apply waited for its stable model")
            if rolled_out_revision(live):
                return rolled_out_revision(live)
            if _dig(live, "status", "deploymentMode") not in (None, *REVISION_MODES):
                return ""
            trans = _dig(live, "status", "modelStatus", "transitionStatus")
            if trans in KSERVE_FAILED and (before is None or unchanged or trans != old):  # not the last version's state
                why = _dig(live, "status", "modelStatus", "lastFailureInfo", "message") or "the model did not load"
                raise ClusterError(
                    f"the stable model of InferenceService {name} failed ({trans}: {why}): the canary was not applied"
                )
            if time.monotonic() >= deadline:
                raise ClusterError(
                    f"the stable model of InferenceService {name} did not roll out within {timeout:g} s: the canary was "
                    "not applied (apply again once the stable model serves)"
                )
            time.sleep(poll)

    def preview(self, obj: dict[str, Any], *, namespace: str | None, stable: dict[str, Any] | None = None) -> Outcome:
        """``--dry-run=client``: what applying would do, from a read of the live object (``stable`` as for
        :meth:`apply`: noted when it would go first)."""
        kind, name = obj["kind"], obj["metadata"]["name"]
        live = self._read(obj, namespace)
        note = ""
        if stable is not None and needs_stable_first(live):
            note = f"no revision has rolled out yet: apply sends the stable model ({_uri(stable)}) alone first"
        if live is None:
            return Outcome(kind, name, "created", note=note)
        wanted = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata")}
        wanted["labels"] = obj["metadata"].get("labels", {})
        current = {k: live.get(k) for k in wanted if k != "labels"}
        current["labels"] = {k: v for k, v in live.get("metadata", {}).get("labels", {}).items() if k in wanted["labels"]}
        changes = diff_values(current, wanted)
        if not changes:
            return Outcome(kind, name, "unchanged", note=note)
        paths = ", ".join(c.path for c in changes[:5]) + (" ..." if len(changes) > 5 else "")
        return Outcome(kind, name, "configured", paths, note=note)

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
        return self._delete(doomed, dry_run), skipped

    def _delete(self, doomed: list[tuple[str, str, str, str, str, str]], dry_run: str) -> list[Outcome]:
        """Delete what prune found (nothing sent on a client dry run; the server checks on a server one)."""
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
        return pruned
