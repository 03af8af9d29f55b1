"""What ``validate`` and ``compile`` do, and the reporting every command shares, without click.

``mldsl.cli.main`` declares the command line with click; ``mldsl.cli.entry`` runs the two commands editors and
pre-commit hooks call on every save (``validate PATHS``, ``compile PATHS -o DIR``) straight from here when
their arguments are that plain, so they start without importing click (~13 ms, issue #15). Both run the
same functions, so their output, files and exit codes are the same (``tests/test_entry.py``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mldsl.compiler import CompileResult, ir
    from mldsl.lang.diagnostics import Diagnostic

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_CLUSTER = 0, 1, 2, 3


class UsageError(Exception):
    """The call is wrong (an unknown pipeline, a bad params file): nothing ran. Each app words it its own way."""


class NoProjectError(UsageError):
    """No ``mldsl.yaml`` at or above the folder a command was run in."""


def project_here(start: Path) -> Path:
    """The folder of the nearest ``mldsl.yaml`` at or above ``start``, found the way git finds a repository (the
    folder, then each parent); a :class:`NoProjectError` saying where it looked when there is none."""
    from mldsl.lang.loader import PROJECT_FILE, find_project_file

    found = find_project_file([start])
    if found is None:
        raise NoProjectError(
            f"no mldsl project here: no {PROJECT_FILE} in {start.resolve()} or any folder above it; "
            "run it inside a project or give --from PATH"
        )
    return found.parent


def pick_pipeline(program: ir.Program, name: str | None, where: str) -> ir.Pipeline:
    """The pipeline ``name`` of ``program`` (the only one when ``name`` is None), or a usage error naming those
    there are; ``where`` says where they were looked for."""
    names = [p.name for p in program.pipelines]
    if name is None:
        if len(names) != 1:
            raise UsageError(
                f"{where} holds {len(names) or 'no'} pipelines ({', '.join(names) or 'none'}): choose one with --pipeline"
            )
        name = names[0]
    found = next((p for p in program.pipelines if p.name == name), None)
    if found is None:
        raise UsageError(f"no pipeline {name!r} in {where} (pipelines: {', '.join(names) or 'none'})")
    return found


def echo(text: str, *, err: bool = False) -> None:
    """One line to stdout (or stderr), flushed: what ``click.echo`` does with plain text."""
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def guarded(run: Callable[[], object]) -> None:
    """Run a command, turning any unexpected exception into a short message (exit 1) instead of a traceback."""
    try:
        run()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        echo("mldsl: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: say so without a traceback
        echo(
            f"mldsl: internal error: {type(exc).__name__}: {exc}\n"
            "  hint: this is a bug in mldsl; rerun with MLDSL_DEBUG=1 for details and report it",
            err=True,
        )
        import os

        if os.environ.get("MLDSL_DEBUG"):
            raise
        sys.exit(EXIT_INVALID)


def write_atomically(folder: Path, files: list[tuple[str, str]]) -> None:
    """Write all the files or none; a folder that cannot be written is a usage error (exit 2), not a crash."""
    from mldsl.util.atomic import write_atomically as write

    try:
        write(folder, files)
    except OSError as exc:
        where = exc.filename or folder
        echo(f"mldsl: cannot write {where}: {exc.strerror or exc}; nothing was written there", err=True)
        sys.exit(EXIT_USAGE)


def report(diags: list[Diagnostic], fmt: str, summary: str) -> None:
    from mldsl.lang.diagnostics import format_diagnostics

    if fmt == "json":
        echo(format_diagnostics(diags, "json"))
    elif fmt == "github":
        if diags:
            echo(format_diagnostics(diags, "github"))
    elif diags:
        echo(format_diagnostics(diags, "text"), err=True)
    if fmt != "json":
        echo(summary, err=True)


def summary(result: CompileResult, extra: list[Diagnostic]) -> str:
    errors = sum(1 for d in result.diagnostics + extra if d.severity == "error")
    files = len({d.source.path for d in result.workspace.documents if d.tier == 0} | {d.span.path for d in result.diagnostics})
    docs = sum(1 for d in result.workspace.documents if d.tier == 0)
    if errors:
        return f"mldsl: {errors} error{'s' if errors != 1 else ''} in {files} file{'s' if files != 1 else ''}"
    return f"mldsl: {docs} document{'s' if docs != 1 else ''} in {files} file{'s' if files != 1 else ''} ok"


def crd_diags(manifests: list[Any], crds: Path) -> list[Diagnostic]:
    from mldsl.backends.crdcheck import CrdIndex
    from mldsl.lang.diagnostics import Diagnostic, Span

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


def compile_project(paths: list[Path], *, unsaved: dict[Path, str] | None = None) -> CompileResult:
    """Compile ``paths`` as every command does: the language's checks, then each backend's check of what its
    target refuses (``compiler/targets.py``), all positioned on the documents."""
    from mldsl.backends import target_checks
    from mldsl.compiler import compile_paths

    return compile_paths(paths, unsaved=unsaved, targets=target_checks())


def compile_result(paths: tuple[Path, ...]) -> CompileResult:
    return compile_project(list(paths))


def validate_paths(paths: tuple[Path, ...], fmt: str, crds: Path | None) -> None:
    """``mldsl validate``: check documents (and the modules they use); write nothing."""
    result = compile_result(paths)
    extra: list[Diagnostic] = []
    if result.ok and crds is not None:
        from mldsl.backends import emit_all

        extra = crd_diags(emit_all(result.program), crds)
    diags = result.diagnostics + extra
    report(diags, fmt, summary(result, extra))
    sys.exit(EXIT_INVALID if any(d.severity == "error" for d in diags) else EXIT_OK)


def compile_to(paths: tuple[Path, ...], out: Path, fmt: str, crds: Path | None) -> None:
    """``mldsl compile``: manifests in ``out``; nothing is written when any error exists."""
    from mldsl.backends import emit_all
    from mldsl.util.yamlout import dump

    result = compile_result(paths)
    extra: list[Diagnostic] = []
    manifests = []
    if result.ok:
        manifests = emit_all(result.program)
        if crds is not None:
            extra = crd_diags(manifests, crds)
    diags = result.diagnostics + extra
    if any(d.severity == "error" for d in diags):
        report(diags, fmt, summary(result, extra))
        sys.exit(EXIT_INVALID)
    rendered = [(man.filename, dump(man.body)) for man in manifests]
    projects = {(m.body.get("metadata") or {}).get("labels", {}).get("mldsl.io/project") for m in manifests}
    stale = stale_manifests(out, {name for name, _ in rendered}, projects)
    write_atomically(out, rendered)
    aside = fmt == "json"  # stdout holds one JSON document, the diagnostics: the files are listed on stderr
    for name, _ in rendered:
        echo(str(out / name), err=aside)
    for f in stale:  # a renamed pipeline's old manifest: `kubectl apply -f out/` would schedule both
        f.unlink(missing_ok=True)
        echo(f"removed {f} (mldsl wrote it; the input no longer makes it)", err=aside)
    report(diags, fmt, summary(result, extra) + f"; wrote {len(rendered)} manifest{'s' if len(rendered) != 1 else ''} to {out}")


def stale_manifests(out: Path, keep: set[str], projects: set[str | None]) -> list[Path]:
    """Manifests in ``out`` that an earlier compile of the same project wrote (labelled managed-by mldsl and
    with its ``mldsl.io/project``) and this one does not; other projects' manifests in a shared folder stay."""
    from mldsl.lang.yamlsource import load_yaml_text

    if not out.is_dir():
        return []
    stale = []
    for f in sorted(out.glob("*.yaml")):
        if f.name in keep or f.is_symlink():
            continue
        try:
            docs, diags = load_yaml_text(f.read_text(encoding="utf-8"), str(f))
        except (OSError, UnicodeDecodeError):
            continue
        labels = [((d.data.get("metadata") or {}).get("labels") or {}) if isinstance(d.data, dict) else {} for d in docs]
        ours = [isinstance(x, dict) and x.get("app.kubernetes.io/managed-by") == "mldsl" for x in labels]
        same = [isinstance(x, dict) and x.get("mldsl.io/project") in projects for x in labels]
        if docs and not diags and all(ours) and all(same):
            stale.append(f)
    return stale
