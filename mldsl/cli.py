"""The ``mldsl`` command line.

Heavy libraries (pydantic, lark, networkx, jsonschema) are imported inside
the commands that need them, so ``mldsl --help`` and small validations start
fast. Exit codes: 0 success, 1 invalid input, 2 usage error, 3 cluster error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mldsl import __version__

if TYPE_CHECKING:
    from mldsl.compiler import CompileResult
    from mldsl.diagnostics import Diagnostic

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_CLUSTER = 0, 1, 2, 3

FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="How to print diagnostics: for people, for programs, or as GitHub annotations.",
)
CRDS = click.option(
    "--crds",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of CRD files (e.g. from `kubectl get crd -o yaml`): check every manifest against them, strictly.",
)


def _report(diags: list[Diagnostic], fmt: str, summary: str) -> None:
    from mldsl.diagnostics import format_diagnostics

    if fmt == "json":
        click.echo(format_diagnostics(diags, "json"))
    elif fmt == "github":
        if diags:
            click.echo(format_diagnostics(diags, "github"))
    elif diags:
        click.echo(format_diagnostics(diags, "text"), err=True)
    if fmt != "json":
        click.echo(summary, err=True)


def _summary(result: CompileResult, extra: list[Diagnostic]) -> str:
    errors = sum(1 for d in result.diagnostics + extra if d.severity == "error")
    files = len({d.source.path for d in result.workspace.documents if d.tier == 0})
    docs = sum(1 for d in result.workspace.documents if d.tier == 0)
    if errors:
        return f"mldsl: {errors} error{'s' if errors != 1 else ''} in {files} file{'s' if files != 1 else ''}"
    return f"mldsl: {docs} document{'s' if docs != 1 else ''} in {files} file{'s' if files != 1 else ''} ok"


def _crd_diags(manifests: list[Any], crds: Path) -> list[Diagnostic]:
    from mldsl.backends.crdcheck import CrdIndex
    from mldsl.diagnostics import Diagnostic, Span

    index = CrdIndex.from_dir(crds)
    out = []
    for man in manifests:
        problems = index.check(man.body)
        if problems is None:
            out.append(
                Diagnostic(
                    "MLD901",
                    f"no CRD in {crds} defines {man.body['apiVersion']} {man.kind}",
                    Span(man.filename),
                    hint="add the CRD file to the folder",
                    severity="warning",
                )
            )
            continue
        for p in problems:
            out.append(
                Diagnostic(
                    "MLD900",
                    f"{man.kind} {man.name} would be refused by the cluster: {p}",
                    Span(man.filename),
                    hint="this is a bug in mldsl or a CRD version mismatch; please report it",
                )
            )
    return out


def _compile(paths: tuple[Path, ...]) -> CompileResult:
    from mldsl.compiler import compile_paths

    return compile_paths(list(paths))


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
    """Check documents (and the modules they use); write nothing."""
    result = _compile(paths)
    extra: list[Diagnostic] = []
    if result.ok and crds is not None:
        from mldsl.backends import emit_all

        extra = _crd_diags(emit_all(result.program), crds)
    diags = result.diagnostics + extra
    _report(diags, fmt, _summary(result, extra))
    sys.exit(EXIT_INVALID if any(d.severity == "error" for d in diags) else EXIT_OK)


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
    from mldsl.backends import emit_all
    from mldsl.yamlout import dump

    result = _compile(paths)
    extra: list[Diagnostic] = []
    manifests = []
    if result.ok:
        manifests = emit_all(result.program)
        if crds is not None:
            extra = _crd_diags(manifests, crds)
    diags = result.diagnostics + extra
    if any(d.severity == "error" for d in diags):
        _report(diags, fmt, _summary(result, extra))
        sys.exit(EXIT_INVALID)
    rendered = [(man.filename, dump(man.body)) for man in manifests]
    _write_atomically(out, rendered)
    for name, _ in rendered:
        click.echo(str(out / name))
    _report(diags, fmt, _summary(result, extra) + f"; wrote {len(rendered)} manifest{'s' if len(rendered) != 1 else ''} to {out}")


def _write_atomically(folder: Path, files: list[tuple[str, str]]) -> None:
    """Write every file to a temporary name first, then rename: no reader sees half a file."""
    import os
    import tempfile

    folder.mkdir(parents=True, exist_ok=True)
    staged = []
    try:
        for name, text in files:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            staged.append((tmp, folder / name))
        for tmp, final in staged:
            os.replace(tmp, final)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file instead of stdout.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of the language, for editors (yaml-language-server)."""
    from mldsl.jsonschema_gen import schema_text

    text = schema_text()
    if output is None:
        click.echo(text, nl=False)
    else:
        _write_atomically(output.parent if str(output.parent) else Path("."), [(output.name, text)])


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning any unexpected exception into a short message."""
    try:
        cli.main(args=argv, prog_name="mldsl", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("mldsl: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: say so without a traceback
        click.echo(
            f"mldsl: internal error: {type(exc).__name__}: {exc}\n"
            "  hint: this is a bug in mldsl; rerun with MLDSL_DEBUG=1 for details and report it",
            err=True,
        )
        import os

        if os.environ.get("MLDSL_DEBUG"):
            raise
        sys.exit(EXIT_INVALID)
