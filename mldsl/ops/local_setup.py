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
    from mldsl.runner.base import Options
    from mldsl.runner.mounts import Mounts
    from mldsl.runner.session import local_code
    from mldsl.runner.store import find_store

    project = program.project
    store = find_store(Path(project.root) if project.root else path)
    mounts = Mounts()
    if project.artifact_bucket:  # the artifact repository: kept in .mldsl/artifacts
        bucket = project.artifact_bucket.rstrip("/")
        mounts.add(bucket if "://" in bucket else f"s3://{bucket}", store.artifacts / bucket.split("://")[-1])
    for prefix, folder in project.local_mounts:
        mounts.add(prefix, Path(folder))
    code = local_code([(m.name, m.version, m.local.folder, m.local.mount) for m in program.modules if m.local is not None])
    secrets = {k: v for k, v in os.environ.items() if k.startswith("MLDSL_SECRET_")}
    return store, mounts, Options(parallel or os.cpu_count() or 1, not no_cache, executor, code, secrets, approved)
