"""The studio's cluster and runs: apply, submit, launch a sweep, the runs panel and its one Run action.

:class:`StudioCluster` is :class:`~mldsl.ui.studio.Studio`'s half that talks to a cluster or starts runs; the
studio's files, checks and saves are in ``studio.py``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mldsl.lang.loader import find_project_file
from mldsl.ops.project import UsageError, pick_pipeline

if TYPE_CHECKING:
    from mldsl.compiler import CompileResult, ir
    from mldsl.compiler.ir import Program


class RefusedError(Exception):
    """A request the studio will not carry out, with the HTTP status to answer and what to tell the user."""

    def __init__(self, status: int, message: str, **extra: Any):
        super().__init__(message)
        self.status = status
        self.extra = extra


class StudioCluster:
    """Apply, submit, launch, and the runs panel, over the project the studio compiles (:meth:`_project`)."""

    source: Path
    context: str | None
    namespace: str | None

    def _project(self) -> CompileResult:  # pragma: no cover - the studio's (it refuses a project with errors)
        raise NotImplementedError

    def apply(self) -> dict[str, Any]:
        """``mldsl apply`` of the whole project: every definition, server-side applied."""

        return {"lines": self._apply(self._project().program)}

    def _apply(self, program: Program) -> list[str]:
        """What ``mldsl apply`` does (without ``--wait``), one line per object; runs are not definitions."""
        from mldsl.cluster.kube import ClusterError
        from mldsl.ops.apply import apply_project

        lines: list[str] = []
        try:
            apply_project(program, lambda line, _err: lines.append(line), context=self.context, namespace=self.namespace)
        except ClusterError as exc:
            raise RefusedError(502, str(exc), lines=lines) from None
        return lines

    def _run_request(
        self, body: Any, *, usage: str, missing: str, artifacts: bool
    ) -> tuple[Program, ir.Pipeline, dict[str, str]]:
        """The compiled project, the pipeline a run request names, and its params typed and checked as the CLI
        checks them (``artifacts``: as ``mldsl run`` takes them, local files too)."""
        from mldsl.ops.params import as_pairs, parse_params

        if not isinstance(body, dict) or not isinstance(body.get("params", {}), dict):
            raise RefusedError(400, usage)
        program = self._project().program
        name = body.get("pipeline")
        try:
            pipeline = pick_pipeline(program, name if isinstance(name, str) else repr(name), f"the {missing}")
        except UsageError as exc:
            raise RefusedError(404, str(exc)) from None
        values, problems = parse_params(pipeline, as_pairs(body.get("params", {})), artifacts=artifacts)
        if problems:
            raise RefusedError(422, "; ".join(p.removeprefix("--param ") for p in problems))
        return program, pipeline, values

    def submit(self, body: Any) -> dict[str, Any]:
        """``mldsl submit``: a run of an applied pipeline, params typed and checked first."""
        program, pipeline, values = self._run_request(
            body, usage="give the pipeline and a params object", missing="project", artifacts=False
        )
        return {"workflow": self._submit(program, pipeline, values)}

    def _submit(self, program: Program, pipeline: ir.Pipeline, values: dict[str, str]) -> str:
        from mldsl.cluster.kube import ClusterError
        from mldsl.ops.runs import submit_run

        try:
            return submit_run(program, pipeline, values, context=self.context, namespace=self.namespace)[1]
        except ClusterError as exc:
            raise RefusedError(502, str(exc)) from None

    def launch(self, body: Any) -> dict[str, Any]:
        """Start a sweep: its driver Workflow (grid, random) or its Katib Experiment."""
        from mldsl.cluster.kube import ClusterError
        from mldsl.ops.runs import launch_sweep

        name = body.get("sweep") if isinstance(body, dict) else None
        try:
            return {"started": launch_sweep(self._project().program, name, context=self.context, namespace=self.namespace)}
        except UsageError as exc:
            raise RefusedError(404, str(exc)) from None
        except ClusterError as exc:
            raise RefusedError(502, str(exc)) from None

    # --- runs: the runs panel and the one Run action (issue #14) ------------------------------------

    @property
    def local_runs(self) -> Any:
        from mldsl.ui.runs import LocalRuns

        if getattr(self, "_local_runs", None) is None:
            self._local_runs = LocalRuns(self.source)
        return self._local_runs

    def history(self) -> dict[str, Any]:
        """Local runs (the project's run records, and runs starting) and, when a cluster is set, its mldsl runs."""
        from mldsl.cluster.kube import ClusterError
        from mldsl.cluster.runs import runs_from_environment
        from mldsl.ui.runs import argo_ui_base, cluster_summary

        out: dict[str, Any] = {"local": self.local_runs.list(), "cluster": [], "clusterError": None, "argoUi": argo_ui_base()}
        if cluster_configured()["configured"]:
            try:
                runs = runs_from_environment(self.context, self.namespace, self._project_namespace())
                found = [cluster_summary(wf, out["argoUi"]) for wf in runs.list()]
                out["cluster"] = sorted(found, key=lambda r: (r["started"] or "", r["id"] or ""), reverse=True)[:50]
            except ClusterError as exc:
                out["clusterError"] = str(exc)
        return out

    def run_details(self, run: str | None) -> dict[str, Any]:
        found = self.local_runs.show(run) if run else None
        if found is None:
            raise RefusedError(404, f"no local run {run!r}")
        return dict(found)

    def _project_namespace(self) -> str | None:
        """The Project's namespace (where apply puts templates), compiled again only when mldsl.yaml changes."""
        from mldsl.ops.project import compile_project

        project_file = find_project_file([self.source])
        stamp = project_file.stat().st_mtime_ns if project_file is not None else None
        cached = getattr(self, "_namespace_cache", None)
        if cached is None or cached[0] != stamp:
            cached = (stamp, compile_project([self.source]).program.project.namespace)
            self._namespace_cache = cached
        return cached[1]

    def template_state(self, pipeline: str | None) -> dict[str, Any]:
        """Whether the cluster's copy of a pipeline matches the saved files: unchanged, configured (stale),
        created (not applied yet), or unknown (no Kubernetes API to read it with)."""
        if not cluster_configured()["can_apply"]:  # answered without compiling (a broken project is not the question)
            return dict(UNREADABLE)
        return self._template_state(self._project().program, pipeline)

    def _template_state(self, program: Program, pipeline: str | None) -> dict[str, Any]:
        from mldsl.backends import emit_all
        from mldsl.cluster.kube import Cluster, ClusterError

        if not cluster_configured()["can_apply"]:
            return dict(UNREADABLE)
        template = next(
            (m for m in emit_all(program, ("argo",)) if m.kind == "WorkflowTemplate" and m.body["metadata"]["name"] == pipeline),
            None,
        )
        if template is None:
            raise RefusedError(404, f"no pipeline {pipeline!r} in the saved project")
        try:
            outcome = Cluster.connect(self.context).preview(template.body, namespace=self.namespace or program.project.namespace)
        except ClusterError as exc:
            return {"state": "unknown", "detail": str(exc)}
        return {"state": outcome.action, "detail": outcome.detail}

    def run(self, body: Any) -> dict[str, Any]:
        """One Run action: on this machine (``mldsl run``) or on the cluster (apply when its copy is stale or
        missing, then submit), with the params checked as the CLI checks them."""
        local = isinstance(body, dict) and body.get("where") == "local"
        # one compile serves the check, the comparison, the apply and the submit
        program, pipeline, values = self._run_request(
            body, usage="give the pipeline, the params and where to run", missing="saved project: save it first", artifacts=local
        )
        if local:
            started = self.local_runs.start(pipeline.name, body.get("params", {}))
            return {"lines": [f"started a local run of {pipeline.name} (mldsl run, process {started['pid']})"]}
        if not cluster_configured()["configured"]:
            raise RefusedError(409, "no cluster is configured: run it on this machine, or set ARGO_SERVER or a kubeconfig")
        lines = []
        state = self._template_state(program, pipeline.name)["state"]
        if state in ("created", "configured"):
            lines += [f"the cluster's copy of {pipeline.name} was {'missing' if state == 'created' else 'stale'}:"]
            lines += self._apply(program)
        lines.append(f"workflow/{self._submit(program, pipeline, values)} submitted")
        return {"lines": lines}

    def run_fields(self) -> dict[str, Any]:
        """The params of every pipeline as form fields, for the run panel (from the saved project)."""
        from mldsl.backends.forms import field, run_params
        from mldsl.ops.project import compile_project

        result = compile_project([self.source])
        out: dict[str, list[dict[str, Any]]] = {}
        for p in result.program.pipelines:
            out[p.name] = [field(q) for q in run_params(p)]
        return {"pipelines": out, "sweeps": [s.name for s in result.program.sweeps], "ok": result.ok}


#: the cluster's copy of a pipeline cannot be read: only the Kubernetes API serves it (the Argo Server runs only)
UNREADABLE = {"state": "unknown", "detail": "reading the cluster's copy needs a kubeconfig or an in-cluster account"}


def cluster_configured() -> dict[str, Any]:
    """Whether submit and launch can reach a cluster, and how (without importing the kubernetes client)."""
    configs = [Path(p) for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p] or [Path.home() / ".kube" / "config"]
    found = [c for c in configs if c.is_file()]
    # apply talks to the Kubernetes API: the Argo Server alone starts runs but cannot apply (issue #14 U6)
    can_apply = bool(found) or bool(os.environ.get("KUBERNETES_SERVICE_HOST"))
    if os.environ.get("ARGO_SERVER"):
        return {"configured": True, "can_apply": can_apply, "via": f"Argo Server {os.environ['ARGO_SERVER']}"}
    if found:
        return {"configured": True, "can_apply": True, "via": f"kubeconfig {found[0]}"}
    if os.environ.get("KUBERNETES_SERVICE_HOST"):
        return {"configured": True, "can_apply": True, "via": "in-cluster service account"}
    return {"configured": False, "can_apply": False, "via": "no ARGO_SERVER, kubeconfig or in-cluster account"}
