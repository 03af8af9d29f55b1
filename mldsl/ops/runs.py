"""Starting runs on a cluster, written once for ``mldsl submit`` and the studio: a pipeline's run with its params
typed and checked, and a sweep's launch (its driver Workflow, or its Katib Experiment)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mldsl.backends import emit_all
from mldsl.cluster.kube import Cluster
from mldsl.cluster.runs import ArgoServerRuns, KubernetesRuns, runs_from_environment
from mldsl.ops.params import split_artifacts
from mldsl.ops.project import UsageError

if TYPE_CHECKING:
    from mldsl.compiler import ir


def submit_run(
    program: ir.Program, pipeline: ir.Pipeline, values: dict[str, str], *, context: str | None, namespace: str | None
) -> tuple[KubernetesRuns | ArgoServerRuns, str]:
    """Create a run of the applied ``pipeline`` (params already checked): (the runs client, the Workflow's name)."""
    values, artifacts = split_artifacts(pipeline, values, program.project)
    runs = runs_from_environment(context, namespace, program.project.namespace)
    return runs, runs.submit(pipeline.name, values, artifacts)


def launch_sweep(program: ir.Program, name: object, *, context: str | None, namespace: str | None) -> list[str]:
    """Start the sweep ``name``: a line per object started (``workflow/NAME``, or the Experiment's apply line)."""
    sweep = next((s for s in program.sweeps if s.name == name), None)
    if sweep is None:
        names = ", ".join(s.name for s in program.sweeps) or "none"
        raise UsageError(f"no sweep {name!r} in the project (sweeps: {names})")
    started = []
    for man in emit_all(program._replace(sweeps=(sweep,)), ("argo-sweeps", "katib")):
        if man.kind == "Workflow":
            runs = runs_from_environment(context, namespace, program.project.namespace)
            started.append("workflow/" + runs.create(man.body))
        else:
            started.append(Cluster.connect(context).apply(man.body, namespace=namespace, dry_run=False, force=False).line(""))
    return started
