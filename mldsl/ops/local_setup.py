"""What every local run shares: its exit codes, how it speaks, and where it keeps its records and artifacts."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def echo_err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def echo_out(text: str) -> None:
    print(text, flush=True)


def local_setup(
    program: Any, path: Path, parallel: int | None, no_cache: bool, executor: str, approved: frozenset[str] = frozenset()
) -> tuple[Any, Any, Any]:
    """Where a project's run keeps its records and artifacts, how its locations map here, and its options."""
    from mldsl.lang.buckets import bucket_uri
    from mldsl.runner.base import Options
    from mldsl.runner.mounts import Mounts
    from mldsl.runner.session import local_code
    from mldsl.runner.store import find_store

    project = program.project
    store = find_store(Path(project.root) if project.root else path)
    mounts = Mounts()
    if project.artifact_bucket:  # the artifact repository: kept in .mldsl/artifacts
        bucket = bucket_uri(project.artifact_bucket)
        mounts.add(bucket, store.artifacts / bucket.split("://")[-1])
    for prefix, folder in project.local_mounts:
        mounts.add(prefix, Path(folder))
    code = local_code([(m.name, m.version, m.local.folder, m.local.mount) for m in program.modules if m.local is not None])
    secrets = {k: v for k, v in os.environ.items() if k.startswith("MLDSL_SECRET_")}
    return store, mounts, Options(parallel or os.cpu_count() or 1, not no_cache, executor, code, secrets, approved)


def step_names(pipeline: Any) -> dict[str, str]:
    """Task names (``step_key``) to the names the user wrote, for the live view and the record."""
    from mldsl.compiler.ir import step_key

    names = {step_key(s.name): s.name for s in (*pipeline.steps, *pipeline.exit_steps)}
    if pipeline.on_exit is not None:
        names["notify"] = "notify"  # the one-module exit handler's task (backends/argo/workflow.py)
    return names


def describe(prep: Any, pipeline: Any) -> None:
    """What the record needs from the pipeline: declared kinds, so that a str param or output shows as the text it
    is (never read as a number), and the notebook steps' files."""
    from mldsl.compiler.ir import NotebookRun, step_key

    steps = (*pipeline.steps, *pipeline.exit_steps)
    prep.param_kinds = {p.name: p.type.kind for p in pipeline.params}
    prep.output_kinds = {name: v.type.kind for name, v in pipeline.outputs if hasattr(v, "type")}
    prep.step_kinds = {step_key(s.name): {o.name: o.type.kind for o in s.module.outputs} for s in steps}
    prep.notebooks = {
        step_key(s.name): (s.module.run.file, tuple(o.name for o in s.module.outputs if o.type.format == "html"))
        for s in steps
        if isinstance(s.module.run, NotebookRun)
    }
