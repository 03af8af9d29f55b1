"""``mldsl submit``: start a run of an applied pipeline on the cluster, its params typed and checked first."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from mldsl.cli.options import FORMAT, fail_on_errors
from mldsl.ops.project import EXIT_CLUSTER, EXIT_INVALID, EXIT_OK, UsageError, compile_result, pick_pipeline, project_here, report


@click.command()
@click.argument("pipeline")
@click.option("--param", "-p", "params", multiple=True, help="name=value (repeatable); typed and checked before sending.")
@click.option(
    "--params-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A YAML mapping of params (what a pipeline's form downloads); --param wins over it.",
)
@click.option("--watch", "-w", is_flag=True, help="Follow the run until it ends; exit 1 when it fails.")
@click.option(
    "--from",
    "source",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="The project that defines the pipeline (for its params) [default: the nearest mldsl.yaml at or above here].",
)
@click.option(
    "--namespace",
    "-n",
    help="Namespace (default: the Project's, where apply put the template; then ARGO_NAMESPACE, then the context's).",
)
@click.option("--context", help="kubeconfig context (ignored when ARGO_SERVER is set).")
@FORMAT
def submit(
    pipeline: str,
    params: tuple[str, ...],
    params_file: Path | None,
    watch: bool,
    source: Path | None,
    namespace: str | None,
    context: str | None,
    fmt: str,
) -> None:
    """Start a run of an applied pipeline (WorkflowTemplate); --watch follows it."""
    from mldsl.cluster.kube import ClusterError
    from mldsl.lang.diagnostics import Diagnostic, Span
    from mldsl.lang.value_codes import code_of
    from mldsl.ops.params import parse_params
    from mldsl.ops.runs import submit_run

    if source is None:  # as git finds a repository: never a compile of whatever folder this happens to be
        try:
            source = project_here(Path("."))
        except UsageError as exc:
            raise click.UsageError(str(exc)) from None
    result = compile_result((source,))
    fail_on_errors(result, fmt)
    try:
        found = pick_pipeline(result.program, pipeline, str(source))
    except UsageError as exc:
        raise click.UsageError(f"{exc}; use --from PATH") from None
    from mldsl.cli.run import param_pairs

    values, problems = parse_params(found, param_pairs(params, params_file))
    if problems:
        diags = [
            Diagnostic(code_of(p)[0], p, Span("--param"), hint=f"see the params of {pipeline} in {found.source}")
            for p in problems
        ]
        report(diags, fmt, f"mldsl: {len(problems)} error{'s' if len(problems) != 1 else ''}; nothing was submitted")
        sys.exit(EXIT_INVALID)
    try:
        runs, name = submit_run(result.program, found, values, context=context, namespace=namespace)
        _report_submitted(runs, name, watch, fmt)
    except ClusterError as exc:
        click.echo(f"mldsl: {exc}", err=True)
        sys.exit(EXIT_CLUSTER)


def _report_submitted(runs: Any, name: str, watch: bool, fmt: str) -> None:
    """Say the run was submitted, and follow it with ``--watch`` (exit 1 when it fails); with ``--format json``
    the lines go to stderr and stdout holds one JSON document."""
    import os

    from mldsl.cluster.runs import watch as follow

    aside = fmt == "json"
    click.echo(f"workflow/{name} submitted", err=aside)
    if watch:
        interval = float(os.environ.get("MLDSL_WATCH_INTERVAL", "2"))
        phase = follow(runs, name, lambda line: click.echo(line, err=aside), interval=interval)
        click.echo(f"workflow/{name} {phase}", err=aside)
        if aside:
            click.echo(json.dumps({"workflow": name, "phase": phase}))
        sys.exit(EXIT_OK if phase == "Succeeded" else EXIT_INVALID)
    if aside:
        click.echo(json.dumps({"workflow": name, "phase": "Submitted"}))
