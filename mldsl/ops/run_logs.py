"""Every log of a local run's step, for ``mldsl runs show`` and the UI's runs panel (issue #30 M5).

A step's record names its own ``log``; a Spark or training job's step keeps its log in its inner ``job`` step
(``steps.job.log``), each replica of a training job writes beside it (``logs/005-job.master-0.log``, see
runner/operators.py), and a fan-out's items have one each. All are listed, each only when it stays inside the
run's folder (a record is untrusted: ``runner.store.inside``).
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

from mldsl.runner.store import inside


def step_logs(folder: Path, step: Any) -> list[str]:
    """The logs of ``step`` (a run record's step), as paths relative to the run's ``folder``, in the order a
    reader wants them: the step's, then each replica's, then its inner steps' and its items'."""
    found: list[str] = []

    def visit(node: Any) -> None:
        if not isinstance(node, dict):
            return
        log = node.get("log")
        path = inside(folder, log) if isinstance(log, str) else None
        if isinstance(log, str) and path is not None and path.is_file():
            found.append(log)
            rel = Path(log)
            for replica in sorted(path.parent.glob(glob.escape(rel.stem) + ".*.log")):
                name = str(rel.parent / replica.name)
                if inside(folder, name) is not None and replica.is_file():
                    found.append(name)
        inner = node.get("steps")
        for child in inner.values() if isinstance(inner, dict) else []:
            visit(child)
        items = node.get("items")
        for item in items if isinstance(items, list) else []:
            visit(item)

    visit(step)
    return list(dict.fromkeys(found))
