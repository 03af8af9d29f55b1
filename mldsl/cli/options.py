"""Options and checks the commands share: the diagnostics' format, ``--crds``, and exiting on compile errors."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mldsl.ops.project import EXIT_INVALID, report, summary

if TYPE_CHECKING:
    from mldsl.compiler import CompileResult


FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="How to print diagnostics: for people, for programs, or as GitHub annotations.",
)


def _one_crds_folder(ctx: click.Context, param: click.Parameter, given: tuple[Path, ...]) -> Path | None:
    """``--crds`` names one folder (SPEC): given twice is a usage error, not the last one silently kept."""
    if len(given) > 1:
        raise click.BadParameter(
            f"given {len(given)} times ({', '.join(map(str, given))}): put the CRD files in one folder", ctx, param
        )
    return given[0] if given else None


CRDS = click.option(
    "--crds",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    multiple=True,
    callback=_one_crds_folder,
    help="Folder of CRD files (e.g. from `kubectl get crd -o yaml`): check every manifest against them, strictly.",
)


ERROR_FORMAT = click.option(
    "--error-format",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="How to print problems in the input.",
)


def fail_on_errors(result: CompileResult, fmt: str, display: Callable[[str], str] | None = None) -> None:
    """Print the diagnostics and exit 1 when ``result`` has errors."""
    if result.ok:
        return
    diags = result.diagnostics
    if display is not None:
        from dataclasses import replace

        diags = [replace(d, span=replace(d.span, path=display(d.span.path))) for d in diags]
    report(diags, fmt, summary(result, []))
    sys.exit(EXIT_INVALID)
