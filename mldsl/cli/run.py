"""``mldsl run`` and ``mldsl runs``: run a pipeline's compiled workflow here, and read the run store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


@click.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--pipeline", "name", help="The pipeline to run, when PATH holds several.")
@click.option("--param", "-p", "params", multiple=True, help="name=value (repeatable); typed and checked before the run.")
@click.option(
    "--params-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A YAML mapping of params; -p wins."
)
@click.option(
    "--executor",
    type=click.Choice(["process", "docker"]),
    default="process",
    show_default=True,
    help="Container steps: local processes, or Docker containers where a daemon answers.",
)
@click.option("--no-cache", is_flag=True, help="Run every cached step again (results are still stored).")
@click.option(
    "--parallel", type=click.IntRange(1, 256), default=None, help="Steps running at once (default: the number of cores)."
)
@click.option(
    "--approve",
    "approvals",
    multiple=True,
    metavar="STEP",
    help="Approve this approve: step up front (repeatable); others are asked on the terminal.",
)
@click.option(
    "--manifests",
    "manifests",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A plain Argo file's templateRefs and ConfigMaps are also looked up in this folder (repeatable).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def run(
    path: Path,
    name: str | None,
    params: tuple[str, ...],
    params_file: Path | None,
    executor: str,
    no_cache: bool,
    parallel: int | None,
    approvals: tuple[str, ...],
    manifests: tuple[Path, ...],
    fmt: str,
) -> None:
    """Run a pipeline on this machine by executing its compiled workflow (records it in .mldsl/runs).

    PATH may also be a plain Argo Workflow, WorkflowTemplate or CronWorkflow file."""
    from mldsl.ops.local_run import UsageError, run_path

    try:
        run_path(path, name, params, params_file, executor, no_cache, parallel, approvals, manifests, fmt)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None


def param_pairs(params: tuple[str, ...], params_file: Path | None) -> list[str]:
    """``-p`` pairs after a params file's (``-p`` wins), as ``submit`` and ``run`` take them."""
    from mldsl.ops import local_run

    try:
        return local_run.param_pairs(params, params_file)
    except local_run.UsageError as exc:
        raise click.UsageError(str(exc)) from None


@click.group(invoke_without_command=True)
@click.option(
    "--from",
    "source",
    type=click.Path(exists=True, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The project whose runs to list.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def runs(ctx: click.Context, source: Path, fmt: str) -> None:
    """The local runs, newest first (status, duration, params that differ from the defaults); `runs show RUN` prints one."""
    from mldsl.runner.store import find_store

    ctx.obj = (find_store(source), fmt)
    if ctx.invoked_subcommand is not None:
        return
    records = find_store(source).records()
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {k: r.get(k) for k in ("run", "pipeline", "status", "started", "duration", "changed", "given", "params")}
                    for r in records
                ],
                indent=2,
            )
        )
        return
    if not records:
        click.echo("no runs yet: mldsl run PATH starts one", err=True)
        return
    # a header row names the columns (#30 m12)
    click.echo(f"{'RUN':<36} {'STATUS':<10} {'TIME':>9}  {'STARTED':<20} PARAMS CHANGED")
    for r in records:
        changed = r.get("changed")
        if changed is None:  # a record from before `changed` was kept: the params given
            changed = {k: r.get("params", {}).get(k) for k in r.get("given", [])}
        given = ", ".join(f"{k}={_short(v)}" for k, v in changed.items()) or "(defaults)"
        click.echo(
            f"{r.get('run', '?'):<36} {r.get('status', '?'):<10} {r.get('duration') or 0:>8.1f}s  "
            f"{r.get('started') or '':<20} {given}"
        )


def _short(v: Any) -> str:
    text = v if isinstance(v, str) else json.dumps(v)
    return text if len(text) <= 40 else text[:37] + "..."


@runs.command()
@click.argument("run_id", metavar="RUN")
@click.pass_obj
def show(obj: Any, run_id: str) -> None:
    """One run's steps and outputs (RUN: an id, a unique prefix of one, or 'latest')."""
    from mldsl.ops.run_logs import step_logs  # lazy, as this file's other imports: the CLI starts fast

    store, fmt = obj
    record = store.find(run_id)
    if record is None:
        raise click.UsageError(f"no run {run_id!r} in {store.runs} (mldsl runs lists them)")
    if fmt == "json":
        click.echo(json.dumps(record, indent=2, ensure_ascii=False))
        return
    click.echo(
        f"run {record['run']} ({record['pipeline']}): {record['status']} "
        f"in {record.get('duration') or 0:.1f}s, started {record.get('started')}"
    )
    if record.get("message"):
        click.echo(f"  {record['message']}")
    folder = store.folder_of(record)
    click.echo(f"folder: {folder}")
    click.echo("params:")
    for k, v in record.get("params", {}).items():
        click.echo(f"  {k} = {_short(v)}")
    for kind in ("steps", "on_exit"):
        if record.get(kind):
            click.echo(f"{kind.replace('_', ' ')}:")
        for step, s in record.get(kind, {}).items():
            extra = " (cached)" if s.get("cached") else ""
            if s.get("attempts", 1) > 1:
                extra += f" after {s['attempts']} attempts"
            click.echo(f"  {step:<24} {s['phase']:<10} {s.get('duration', 0):>7.1f}s{extra}")
            for log in step_logs(folder, s):  # every log, a job's and each replica's too (#30 M5), as full paths
                click.echo(f"    log: {folder / log}")
            for item in s.get("items", []):
                click.echo(f"    [{_short(item.get('item'))}] {item['phase']} {json.dumps(item.get('outputs', {}))}")
            if s.get("outputs"):
                click.echo(f"    outputs: {json.dumps(s['outputs'])}")
            if s.get("notebook"):
                nb = s["notebook"]
                click.echo(f"    notebook {nb['file']} as it ran: {nb['executed']}")
                for name, uri in nb.get("html", {}).items():
                    click.echo(f"    notebook as HTML ({name}): {uri}")
            if s.get("message"):
                click.echo(f"    {s['message']}")
    if record.get("outputs"):
        click.echo("outputs:")
        for k, v in record["outputs"].items():
            click.echo(f"  {k} = {v if isinstance(v, str) else json.dumps(v)}")
