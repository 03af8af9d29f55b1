"""The ``mldsl`` command line.

Heavy libraries (pydantic, lark, networkx, jsonschema) are imported inside
the commands that need them, so ``mldsl --help`` and small validations start
fast. Exit codes: 0 success, 1 invalid input, 2 usage error, 3 cluster error.
"""

from __future__ import annotations

# isort: off
import mldsl.cli.startup  # noqa: F401 - first, before the imports below: it tunes the garbage collector

# isort: on
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mldsl import __version__
from mldsl.cli.options import CRDS, ERROR_FORMAT, FORMAT, fail_on_errors
from mldsl.ops.project import (
    EXIT_CLUSTER,
    EXIT_INVALID,
    EXIT_OK,
    UsageError,
    compile_result,
    compile_to,
    guarded,
    report,
    validate_paths,
    write_atomically,
)

if TYPE_CHECKING:
    from mldsl.cluster.kube import Outcome
    from mldsl.compiler import CompileResult
    from mldsl.lang.diagnostics import Diagnostic


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="mldsl")
def cli() -> None:
    """mldsl: typed, declarative ML workflows in YAML, compiled to Argo Workflows."""


PATHS = click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))


@cli.command()
@PATHS
@FORMAT
@CRDS
def validate(paths: tuple[Path, ...], fmt: str, crds: Path | None) -> None:
    """Check documents (and the modules they use), and a form's download against its pipeline or module; write nothing."""
    from mldsl.lang.paramsfile import form_file_of

    if crds is None and any(form_file_of(p) for p in paths):  # a form's download among them (issue #30 m16)
        from mldsl.ops.params_file import validate_with_params

        validate_with_params(paths, fmt)
    validate_paths(paths, fmt, crds)


@cli.command(name="compile")
@PATHS
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write manifests to (one file per object).",
)
@FORMAT
@CRDS
def compile_cmd(paths: tuple[Path, ...], out: Path, fmt: str, crds: Path | None) -> None:
    """Compile pipelines to manifests in OUTPUT; nothing is written when any error exists."""
    compile_to(paths, out, fmt, crds)


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file instead of stdout.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of the language, for editors (yaml-language-server)."""
    from mldsl.lang.jsonschema_gen import schema_text

    text = schema_text()
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomically(output.parent if str(output.parent) else Path("."), [(output.name, text)])


@cli.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--pipeline", "name", help="The pipeline to draw, when PATH holds several.")
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True)
@ERROR_FORMAT
def graph(path: Path, name: str | None, fmt: str, error_format: str) -> None:
    """Draw a pipeline's DAG (Mermaid or Graphviz DOT) with each step's module and version."""
    from mldsl.compiler.summary import pipeline as summarize
    from mldsl.review.graph import dot, mermaid

    result = compile_result((path,))
    fail_on_errors(result, error_format)
    pipelines = {p.name: p for p in result.program.pipelines}
    if not pipelines:
        raise click.UsageError(f"no pipeline in {path}")
    if name is None and len(pipelines) > 1:
        raise click.UsageError(f"{path} holds several pipelines; pick one with --pipeline: {', '.join(sorted(pipelines))}")
    chosen = pipelines.get(name) if name else next(iter(pipelines.values()))
    if chosen is None:
        raise click.UsageError(f"no pipeline {name!r} in {path}; there are: {', '.join(sorted(pipelines))}")
    summary = summarize(chosen)
    click.echo(mermaid(summary, title=chosen.name) if fmt == "mermaid" else dot(summary, title=chosen.name), nl=False)


@cli.command()
@click.argument("old")
@click.argument("new")
@click.argument("pathspecs", nargs=-1)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json", "github"]),
    default="text",
    show_default=True,
    help="github: Markdown on stdout (and in the job summary), problems as annotations.",
)
@click.option("--exit-code", is_flag=True, help="Exit 1 when something changed (like git diff --exit-code).")
@click.option("--compiled", is_flag=True, help="Add a unified diff of the compiled manifests.")
def diff(old: str, new: str, pathspecs: tuple[str, ...], fmt: str, exit_code: bool, compiled: bool) -> None:
    """Semantic diff of OLD and NEW: files, folders or git revisions (mldsl diff main HEAD -- pipelines/)."""
    import os

    from mldsl.review import render
    from mldsl.review.semdiff import diff_programs
    from mldsl.review.sources import SourceError, open_side

    sides = []
    try:
        for spec in (old, new):
            sides.append(open_side(spec, list(pathspecs), Path.cwd()))
        results = []
        for side in sides:
            result = compile_result(tuple(side.paths))
            fail_on_errors(result, "github" if fmt == "github" else "json" if fmt == "json" else "text", side.display)
            results.append(result)
    except SourceError as exc:
        raise click.UsageError(str(exc)) from None
    finally:
        for side in sides:
            side.close()
    keys = [{f"{d.name}@{d.version}" for d in r.workspace.of_kind("Module", tier=0)} for r in results]
    d = diff_programs(results[0].program, results[1].program, keys[0], keys[1], old_label=old, new_label=new)
    if compiled:
        d.compiled = _compiled_diff(results[0], results[1], old, new) or None
    if fmt == "json":
        click.echo(render.as_json(d), nl=False)
    elif fmt == "text":
        click.echo(render.text(d), nl=False)
    else:
        text = render.markdown(d)
        click.echo(text, nl=False)
        summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
        if fmt == "github" and summary_file:
            with open(summary_file, "a", encoding="utf-8") as fh:
                fh.write(text)
    sys.exit(EXIT_INVALID if exit_code and d.changed else EXIT_OK)


def _compiled_diff(a: CompileResult, b: CompileResult, old: str, new: str) -> str:
    import difflib

    from mldsl.backends import emit_all
    from mldsl.util.yamlout import dump

    fa = {m.filename: dump(m.body) for m in emit_all(a.program)}
    fb = {m.filename: dump(m.body) for m in emit_all(b.program)}
    chunks = []
    for name in sorted(set(fa) | set(fb)):
        lines = difflib.unified_diff(
            fa.get(name, "").splitlines(keepends=True),
            fb.get(name, "").splitlines(keepends=True),
            fromfile=f"{old}/{name}" if name in fa else "/dev/null",
            tofile=f"{new}/{name}" if name in fb else "/dev/null",
        )
        chunks.append("".join(lines))
    return "".join(chunks)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--check", is_flag=True, help="Write nothing; list the files that would change and exit 1 if any.")
@FORMAT
def fmt(paths: tuple[Path, ...], check: bool, fmt: str) -> None:
    """Format mldsl YAML canonically, keeping comments (files of other tools are left alone)."""
    from mldsl.fmt.format import format_file
    from mldsl.lang.diagnostics import Diagnostic, Span
    from mldsl.lang.loader import display_path, find_yaml_files, read_source

    problems: list[Diagnostic] = []
    changed: list[Path] = []
    for f in [f for p in paths for f in find_yaml_files(p)]:
        shown = display_path(f)
        text, unreadable = read_source(f, shown)
        if text is None:  # not UTF-8, or gone: reported as validate does, and the other files are still formatted
            problems.extend([unreadable] if unreadable is not None else [])
            continue
        new_text, diags = format_file(text, shown)
        if new_text is None:
            continue  # another tool's YAML: not ours to format
        problems.extend(diags)
        if diags or new_text == text:
            continue
        changed.append(f)
        if check:
            problems.append(Diagnostic("MLD010", "file is not formatted", Span(shown), hint="run `mldsl fmt` on it"))
        else:
            write_atomically(f.parent, [(f.name, new_text)])
    for f in changed:
        click.echo(f"{'would reformat' if check else 'reformatted'} {display_path(f)}", err=fmt != "text")
    errors = [d for d in problems if d.code != "MLD010"]
    if fmt == "json" or (problems and (fmt != "text" or errors)):  # json: always the one document, [] when clean
        report(
            problems if fmt != "text" else errors, fmt, f"mldsl: {len(errors)} file{'s' if len(errors) != 1 else ''} with errors"
        )
    sys.exit(EXIT_INVALID if errors or (check and changed) else EXIT_OK)


@cli.command()
@PATHS
@click.option(
    "--dry-run",
    "dry_run",
    type=click.Choice(["none", "client", "server"]),
    default="none",
    show_default=True,
    help="client: say what would change (reads the cluster); server: the cluster checks everything, stores nothing.",
)
@click.option("--namespace", "-n", help="Namespace for every object (default: the manifests', then the kubeconfig context's).")
@click.option("--context", help="kubeconfig context to use.")
@click.option(
    "--prune",
    is_flag=True,
    help="Delete the objects of this project (spec.id in mldsl.yaml) that the input no longer has; "
    "with --dry-run, only list them.",
)
@click.option("--force-conflicts", is_flag=True, help="Take over fields another field manager owns.")
@click.option(
    "--wait",
    is_flag=True,
    help="A KServe canary with no rolled-out revision: apply its stable model, wait until it rolls out, then the canary "
    "(without --wait: the stable model alone, and the canary on a later apply).",
)
@click.option("--timeout", default="10m", show_default=True, help="How long --wait waits for a stable model (e.g. 90s, 15m).")
@FORMAT
def apply(
    paths: tuple[Path, ...],
    dry_run: str,
    namespace: str | None,
    context: str | None,
    prune: bool,
    force_conflicts: bool,
    wait: bool,
    timeout: str,
    fmt: str,
) -> None:
    """Compile, then server-side apply every object (field manager mldsl) to the cluster."""
    from mldsl.cluster.kube import ClusterError
    from mldsl.lang.durations import parse_duration
    from mldsl.ops.apply import apply_project, check_prune

    try:
        wait_seconds = parse_duration(timeout) if wait else None
    except ValueError as exc:  # checked with --wait only: the timeout means nothing without it
        raise click.BadParameter(str(exc), param_hint="--timeout") from None
    result = compile_result(paths)
    fail_on_errors(result, fmt)
    done: list[Outcome] = []
    try:
        if prune:
            check_prune(result.program)
        apply_project(
            result.program,
            lambda line, err: click.echo(line, err=err or fmt == "json"),
            outcomes=done,
            context=context,
            namespace=namespace,
            dry_run=dry_run,
            force=force_conflicts,
            wait=wait_seconds,
            prune=prune,
        )
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    except ClusterError as exc:
        click.echo(f"mldsl: {exc}", err=True)
        sys.exit(EXIT_CLUSTER)
    if fmt == "json":  # one document: every object and what happened to it
        click.echo(json.dumps([o.as_json(dry_run) for o in done], indent=2))


@cli.command()
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--builtin", is_flag=True, help="Also a form for every built-in module (PATH may then be left out).")
@FORMAT
def forms(path: Path | None, out: Path, fmt: str, builtin: bool) -> None:
    """Write a JSON Schema, a UI schema and an offline HTML form for every module, pipeline and sweep."""
    from mldsl.ops.forms import forms_of

    try:
        result, files, note = forms_of(path, builtin)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    fail_on_errors(result, fmt)
    write_atomically(out, files)
    for name, _ in files:
        if name.endswith(".html"):
            click.echo(str(out / name), err=fmt == "json")
    forms_count = sum(1 for name, _ in files if name.endswith(".html") and name != "index.html")
    click.echo(f"mldsl: wrote {len(files)} files ({forms_count} forms, listed in index.html) to {out}", err=True)
    if note:
        click.echo(note, err=True)
    if fmt == "json":
        click.echo("[]")  # the one JSON document: the diagnostics, none (the files are listed on stderr)


@cli.command()
@click.argument("path", required=False, default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8710, show_default=True, help="Port on 127.0.0.1 (0: any free one)."
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser.")
@click.option("--namespace", "-n", help="Namespace for apply, runs and sweeps (default: the manifests', then the context's).")
@click.option("--context", help="kubeconfig context for apply, runs and sweeps.")
def ui(path: Path, port: int, open_browser: bool, namespace: str | None, context: str | None) -> None:
    """Compose pipelines in the browser: module library, type-checked wiring, DAG, live checks, save (127.0.0.1 only)."""
    from mldsl.ui.server import Server
    from mldsl.ui.studio import Studio

    studio = Studio(path, context=context, namespace=namespace)
    try:
        server = Server(studio, port)
    except OSError as exc:
        raise click.UsageError(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror}; choose another --port (0: any free one)"
        ) from None
    click.echo(f"mldsl ui: {studio.root} at {server.url} (Ctrl-C to stop)", err=True)
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("mldsl ui: stopped", err=True)
    finally:
        server.server_close()


def _add_run_commands() -> None:
    from mldsl.cli.run import run, runs
    from mldsl.cli.serve import serve
    from mldsl.cli.submit import submit

    cli.add_command(run)
    cli.add_command(runs)
    cli.add_command(serve)
    cli.add_command(submit)


_add_run_commands()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning any unexpected exception into a short message."""
    guarded(lambda: cli.main(args=argv, prog_name="mldsl", standalone_mode=True))
