"""``mldsl submit``: start a run of an applied pipeline, and follow it.

Params are parsed by their declared types and checked with the same rules as
``validate`` before anything is sent. Two ways to reach Argo, as the argo CLI
does: the Argo Server API when ``ARGO_SERVER`` is set (``ARGO_TOKEN``,
``ARGO_NAMESPACE``, ``ARGO_SECURE``, ``ARGO_INSECURE_SKIP_VERIFY``), else the
Kubernetes API through the kubeconfig (a ``Workflow`` that references the
``WorkflowTemplate``).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

from mldsl.cluster.kube import Cluster, ClusterError

DONE = ("Succeeded", "Failed", "Error")


#: the label every run mldsl submits carries (the runs panel lists by it)
SUBMITTED_BY = "mldsl.io/submitted-by=mldsl"


def run_body(pipeline: str, params: dict[str, str], artifacts: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """A Workflow running the pipeline's WorkflowTemplate; ``artifacts`` by name -> a full location."""
    arguments: dict[str, Any] = {"parameters": [{"name": k, "value": v} for k, v in params.items()]}
    if artifacts:
        arguments["artifacts"] = [{"name": k, **loc} for k, loc in sorted(artifacts.items())]
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {
            "generateName": f"{pipeline}-",
            "labels": {"mldsl.io/pipeline": pipeline, "mldsl.io/submitted-by": "mldsl"},
        },
        "spec": {"workflowTemplateRef": {"name": pipeline}, "arguments": arguments},
    }


class KubernetesRuns:
    """Runs through the Kubernetes API: a Workflow referencing the WorkflowTemplate."""

    def __init__(self, context: str | None, namespace: str | None):
        self.cluster = Cluster.connect(context, argo_server=True)
        self.namespace = namespace or self.cluster.default_namespace

    def submit(self, pipeline: str, params: dict[str, str], artifacts: dict[str, dict[str, Any]] | None = None) -> str:
        return self.create(run_body(pipeline, params, artifacts))

    def _workflows(self, what: str, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """One call on this namespace's Workflows (argoproj.io/v1alpha1)."""
        return self.cluster.call(what, method, "argoproj.io", "v1alpha1", self.namespace, "workflows", *args, **kwargs)

    def create(self, body: dict[str, Any]) -> str:
        """Create a Workflow (a run, or a sweep's driver); returns its generated name."""
        body = {**body, "metadata": {**body["metadata"], "namespace": self.namespace}}
        what = body["metadata"].get("name") or body["metadata"].get("generateName", "") + "*"
        try:
            created = self._workflows(f"Workflow {what}", self.cluster.api.create_namespaced_custom_object, body)
        except ClusterError as exc:
            raise ClusterError(f"{exc}{_apply_first(str(exc))}") from None
        return str(created["metadata"]["name"])

    def get(self, name: str) -> dict[str, Any]:
        wf = self._workflows(f"reading Workflow {name}", self.cluster.api.get_namespaced_custom_object, name)
        if wf is None:
            raise ClusterError(f"Workflow {name} disappeared")
        return dict(wf)

    def list(self) -> list[dict[str, Any]]:
        """The runs mldsl submitted in this namespace (its label), as Workflows."""
        found = self._workflows("listing Workflows", self.cluster.api.list_namespaced_custom_object, label_selector=SUBMITTED_BY)
        return list((found or {}).get("items", []))


class ArgoServerRuns:
    """Runs through the Argo Server API (what ``argo submit --from`` uses)."""

    def __init__(self, server: str, token: str | None, namespace: str | None, secure: bool, verify: bool):
        self.base = server if "://" in server else ("https://" if secure else "http://") + server
        self.token = token
        self.namespace = namespace or "default"
        self.verify = verify

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        import ssl
        import urllib.error
        import urllib.request

        req = urllib.request.Request(
            self.base + path,
            method=method,
            data=json.dumps(body).encode() if body else None,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        if self.token:
            req.add_header("Authorization", self.token if " " in self.token else f"Bearer {self.token}")
        context = None if self.verify else ssl._create_unverified_context()
        try:
            with urllib.request.urlopen(req, timeout=30, context=context) as resp:
                return dict(json.loads(resp.read()))
        except urllib.error.HTTPError as exc:
            raw = exc.read().decode(errors="replace")
            try:
                detail = str(json.loads(raw).get("message") or raw)[:300]
            except (ValueError, AttributeError):
                detail = raw[:300]
            hint = "; check ARGO_TOKEN (a bearer token the server accepts)" if exc.code in (401, 403) else _apply_first(detail)
            raise ClusterError(f"the Argo Server refused {method} {path}: {exc.code} {detail}{hint}") from None
        except (urllib.error.URLError, OSError) as exc:
            from mldsl.cluster.reasons import unreachable_reason

            raise ClusterError(
                f"cannot reach the Argo Server at {self.base} ({unreachable_reason(exc)}): "
                "check ARGO_SERVER and that the server is up"
            ) from None

    def submit(self, pipeline: str, params: dict[str, str], artifacts: dict[str, dict[str, Any]] | None = None) -> str:
        if artifacts:  # the submit API takes parameters only: the run goes in whole, artifacts as arguments
            return self.create(run_body(pipeline, params, artifacts))
        wf = self._request(
            "POST",
            f"/api/v1/workflows/{self.namespace}/submit",
            {
                "namespace": self.namespace,
                "resourceKind": "WorkflowTemplate",
                "resourceName": pipeline,
                "submitOptions": {
                    "parameters": [f"{k}={v}" for k, v in params.items()],
                    "labels": f"mldsl.io/pipeline={pipeline},mldsl.io/submitted-by=mldsl",
                },
            },
        )
        return str(wf["metadata"]["name"])

    def create(self, body: dict[str, Any]) -> str:
        """Create a Workflow as given (a sweep's driver); returns its generated name."""
        body = {**body, "metadata": {**body["metadata"], "namespace": self.namespace}}
        wf = self._request("POST", f"/api/v1/workflows/{self.namespace}", {"namespace": self.namespace, "workflow": body})
        return str(wf["metadata"]["name"])

    def get(self, name: str) -> dict[str, Any]:
        return self._request("GET", f"/api/v1/workflows/{self.namespace}/{name}")

    def list(self) -> list[dict[str, Any]]:
        """The runs mldsl submitted in this namespace (its label), as Workflows."""
        from urllib.parse import quote

        found = self._request("GET", f"/api/v1/workflows/{self.namespace}?listOptions.labelSelector={quote(SUBMITTED_BY)}")
        return list(found.get("items") or [])


def _apply_first(message: str) -> str:
    """The hint a run of a pipeline the cluster does not have needs (issue #14 U6)."""
    if "not found" in message and "workflowtemplate" in message.lower():
        return "; apply the project first (mldsl apply PATH, or Apply project in mldsl ui), then submit again"
    return ""


def runs_from_environment(
    context: str | None, namespace: str | None, project_namespace: str | None = None
) -> KubernetesRuns | ArgoServerRuns:
    """Where runs go: ``namespace`` (``--namespace``), else the Project's (where ``apply`` put the
    template), else ``ARGO_NAMESPACE``, else the kubeconfig context's."""
    namespace = namespace or project_namespace
    server = os.environ.get("ARGO_SERVER")
    if server:
        return ArgoServerRuns(
            server,
            os.environ.get("ARGO_TOKEN"),
            namespace or os.environ.get("ARGO_NAMESPACE"),
            secure=os.environ.get("ARGO_SECURE", "true").lower() != "false",
            verify=os.environ.get("ARGO_INSECURE_SKIP_VERIFY", "false").lower() != "true",
        )
    return KubernetesRuns(context, namespace or os.environ.get("ARGO_NAMESPACE"))


def watch(
    runs: KubernetesRuns | ArgoServerRuns,
    name: str,
    echo: Callable[[str], None],
    interval: float = 2.0,
    timeout: float = 24 * 3600,
) -> str:
    """Follow a run: one line per step that changes phase; returns the run's final phase."""
    seen: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while True:
        wf = runs.get(name)
        nodes = wf.get("status", {}).get("nodes", {}) or {}
        for node in sorted(nodes.values(), key=lambda n: (n.get("startedAt") or "", n.get("displayName") or "")):
            if node.get("type") not in ("Pod", "Resource", "Skipped", "Suspend"):
                continue
            label, phase = node.get("displayName", node.get("id", "?")), node.get("phase", "Pending")
            if seen.get(label) != phase:
                seen[label] = phase
                echo(f"  {label}: {phase}" + (f" ({node['message']})" if node.get("message") and phase in DONE else ""))
        phase = wf.get("status", {}).get("phase") or "Pending"
        if phase in DONE:
            return str(phase)
        if time.monotonic() > deadline:
            raise ClusterError(f"gave up watching {name} after {timeout:.0f} s (it is {phase})")
        time.sleep(interval)
