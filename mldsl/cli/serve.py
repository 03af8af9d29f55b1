"""``mldsl serve``: a Serving document's models answering V2 requests on this machine, through MLServer (SPEC §1.13)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

EXIT_OK, EXIT_REFUSED = 0, 1


def _err(text: str) -> None:
    click.echo(f"mldsl serve: {text}", err=True)


@click.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--serving", "serving_name", help="The Serving to serve, when PATH holds several.")
@click.option("--model-uri", help="The model to serve as the first traffic entry's (file://, a path, or a mapped URI).")
@click.option(
    "--from-run",
    metavar="RUN",
    help="Take the model from a local run's outputs: 'latest', a run id (or a unique prefix), or a run's folder; runs "
    "are looked up in the Serving's project, the current folder's, and the projects up to two folders below it.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True, help="Port on 127.0.0.1.")
def serve(path: Path, serving_name: str | None, model_uri: str | None, from_run: str | None, port: int) -> None:
    """Serve a Serving's models with MLServer over the V2 protocol on 127.0.0.1, until Ctrl-C or SIGTERM.

    Requests to /v2/models/<serving>/infer are split by the traffic weights (MLDSL_SERVE_SEED seeds the draw)
    and copied to the shadow, whose answers are logged; each model also answers under its own name
    (<serving>-<entry>, <serving>-shadow). Exit 1: the input is invalid or cannot be served here; 2: a wrong call
    (an unknown serving or run, a port in use)."""
    from mldsl.ops.project import EXIT_INVALID, report, summary
    from mldsl.ops.serve import ServeInvalidError, ServeRefusedError, ServeUsageError, load_plan

    try:
        plan, notes = load_plan(path, serving_name, model_uri, from_run, Path.cwd())
        for note in notes:
            _err(note)
        from mldsl.serve.server import serve as run_server

        seed = os.environ.get("MLDSL_SERVE_SEED")
        code = run_server(plan, port, seed=int(seed) if seed and seed.isdigit() else None, log=_err, say=click.echo)
    except ServeInvalidError as exc:
        report(exc.result.diagnostics, "text", summary(exc.result, []))
        sys.exit(EXIT_INVALID)
    except ServeUsageError as exc:
        raise click.UsageError(str(exc)) from None
    except ServeRefusedError as exc:
        for message, hint in exc.problems:
            _err(message)
            click.echo(f"  hint: {hint}", err=True)
        _err("nothing was started")
        sys.exit(EXIT_REFUSED)
    sys.exit(code)
