"""``mldsl run`` and ``mldsl runs``: run a pipeline's compiled workflow here, and read the run store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: how a record whose mldsl process died says so (mldsl.runner.guard.GONE, not imported: `runs` starts fast)
GONE = "the mldsl process is gone"


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

    PATH may also be a plain Argo Workflow, WorkflowTemplate or CronWorkflow file, or a Sweep: its grid or random
    trials run here (--parallel at once, else the sweep's parallelism) and the best is picked."""
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
    default=None,
    help="The project whose runs to list [default: the nearest mldsl.yaml at or above here].",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def runs(ctx: click.Context, source: Path | None, fmt: str) -> None:
    """The local runs, newest first (status, duration, params that differ from the defaults); `runs show RUN` prints one."""
    from mldsl.runner.store import find_store

    if ctx.invoked_subcommand is not None:  # `show` may name the project itself (`runs show RUN --from X`)
        ctx.obj = (source, fmt)
        return
    store = find_store(source if source is not None else _project_or_runs_here())
    from mldsl.runner.guard import truthful

    records = [truthful(r) for r in store.records()]
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
        gone = f"  ({GONE})" if str(r.get("message", "")).startswith(GONE) else ""
        click.echo(
            f"{r.get('run', '?'):<36} {r.get('status', '?'):<10} {r.get('duration') or 0:>8.1f}s  "
            f"{r.get('started') or '':<20} {given}{gone}"
        )


def _project_or_runs_here() -> Path:
    """Where ``runs`` looks without ``--from``: the nearest project at or above here (as git finds a repository),
    else this folder when runs of a project-less file are kept in it; otherwise a usage error naming the projects
    below that have runs, since each project keeps its own."""
    import os

    from mldsl.ops.project import NoProjectError, project_here
    from mldsl.runner.store import find_store

    try:
        return project_here(Path("."))
    except NoProjectError as exc:
        if os.environ.get("MLDSL_HOME") or find_store(Path(".")).runs.is_dir():
            return Path(".")
        below = _projects_with_runs(Path("."))
        hint = f"; runs are kept per project: mldsl runs --from {below[0]}" if below else ""
        if len(below) > 1:
            hint += f" (projects with runs: {', '.join(below)})"
        raise click.UsageError(f"{exc}{hint}") from None


def _projects_with_runs(top: Path, depth: int = 3) -> list[str]:
    """Project folders up to ``depth`` levels below ``top`` that keep runs (``.mldsl/runs``), sorted."""
    import os

    from mldsl.lang.loader import PROJECT_FILE

    found = []
    for root, dirs, files in os.walk(top):
        rel = Path(root).relative_to(top)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "node_modules") if len(rel.parts) < depth else []
        if PROJECT_FILE in files and (Path(root) / ".mldsl" / "runs").is_dir():
            found.append(str(rel))
    return sorted(found)


def _short(v: Any) -> str:
    text = v if isinstance(v, str) else json.dumps(v)
    return text if len(text) <= 40 else text[:37] + "..."


@runs.command()
@click.argument("run_id", metavar="RUN")
@click.option(
    "--from",
    "source",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="The project whose run to show (as `runs --from`; either place works).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default=None, help="As `runs --format`.")
@click.pass_obj
def show(obj: Any, run_id: str, source: Path | None, fmt: str | None) -> None:
    """One run's steps and outputs (RUN: an id, a unique prefix of one, or 'latest')."""
    from mldsl.ops.run_logs import step_logs  # lazy, as this file's other imports: the CLI starts fast
    from mldsl.runner.guard import truthful
    from mldsl.runner.store import find_store

    group_source, group_fmt = obj
    source = source or group_source  # `runs show latest --from X` as well as `runs --from X show latest`
    store = find_store(source if source is not None else _project_or_runs_here())
    fmt = fmt or group_fmt
    record = store.find(run_id)
    if record is None:
        raise click.UsageError(f"no run {run_id!r} in {store.runs} (mldsl runs lists them)")
    record = truthful(record)
    if fmt == "json":
        click.echo(json.dumps(record, indent=2, ensure_ascii=False))
        return
    _show_text(record, store.folder_of(record), step_logs)


def _show_text(record: dict[str, Any], folder: Path, step_logs: Any) -> None:
    """`runs show` for people: why it failed in the user's words, the outputs before the long step list, and
    every path or URI alone on its line (#30 m6, m10)."""
    from mldsl.ops.failure import run_message
    from mldsl.ops.run_summary import PATHLIKE, value_lines
    from mldsl.runner.wording import display_name

    click.echo(
        f"run {record['run']} ({record['pipeline']}): {record['status']} "
        f"in {record.get('duration') or 0:.1f}s, started {record.get('started')}"
    )
    if record.get("message"):
        click.echo(f"  {run_message(record)}")
    click.echo("folder:")
    click.echo(f"    {folder}")
    if record.get("outputs"):
        click.echo("outputs:")
        for k, v in record["outputs"].items():
            _echo(value_lines(f"{k}:", v))
    click.echo("params:")
    for k, v in record.get("params", {}).items():
        _echo(value_lines(f"{k} =", v) if isinstance(v, str) and PATHLIKE.match(v) else [f"  {k} = {_short(v)}"])
    for kind in ("steps", "on_exit"):
        if record.get(kind):
            click.echo(f"{kind.replace('_', ' ')}:")
        for step, s in record.get(kind, {}).items():
            if not (s.get("internal") and s.get("phase") == "Succeeded"):  # the compiler's own task (#30 m8)
                _show_step(folder, display_name(step), s, step_logs)


def _echo(lines: list[str]) -> None:
    for line in lines:
        click.echo(line)


def _show_step(folder: Path, step: str, s: dict[str, Any], step_logs: Any) -> None:
    """One step's lines of `runs show`: its phase, logs, error, items, outputs and notebook."""
    from mldsl.ops.failure import step_failure
    from mldsl.ops.run_summary import value_lines
    from mldsl.runner.wording import plain, step_warning

    extra = " (cached)" if s.get("cached") else ""
    if s.get("attempts", 1) > 1:
        extra += f" after {s['attempts']} attempts"
    warning = step_warning(s)
    extra += " with a warning" if warning else ""
    click.echo(f"  {step:<24} {s['phase']:<10} {s.get('duration', 0):>7.1f}s{extra}")
    for log in step_logs(folder, s):  # every log, a job's and each replica's too (#30 M5), as full paths
        _echo(value_lines("log:", str(folder / log), "    "))
    for item in s.get("items", []):
        click.echo(f"    [{_short(item.get('item'))}] {item['phase']} {json.dumps(item.get('outputs', {}))}")
    for k, v in (s.get("outputs") or {}).items():
        _echo(value_lines(f"output {k}:", v, "    "))
    if s.get("notebook"):
        nb = s["notebook"]
        _echo(value_lines(f"notebook {nb['file']} as it ran:", nb["executed"], "    "))
        for name, uri in nb.get("html", {}).items():
            _echo(value_lines(f"notebook as HTML ({name}):", uri, "    "))
    if warning:
        click.echo(f"    warning: {warning}")
    if s.get("message"):
        click.echo(f"    {plain(s['message'])}")
    if s.get("phase") in ("Failed", "Error"):
        _echo(["    " + line for line in step_failure(folder, s) or []])
