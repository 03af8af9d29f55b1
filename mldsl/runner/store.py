"""The local run store: ``.mldsl/runs/<run-id>/`` with ``run.json``, logs, outputs and artifacts (SPEC §1.11)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from mldsl.util.atomic import write_atomically


class Store:
    """``.mldsl/`` beside the project: runs, the artifact repository and the step cache."""

    def __init__(self, root: Path):
        self.root = root
        self.runs = root / "runs"
        self.artifacts = root / "artifacts"
        self.cache = root / "cache"

    def new_run(self, pipeline: str, now: float | None = None) -> tuple[str, Path]:
        """A fresh ``<pipeline>-YYYYMMDD-NNNN`` folder, created atomically (parallel runs never share one)."""
        day = time.strftime("%Y%m%d", time.gmtime(now if now is not None else time.time()))
        self.runs.mkdir(parents=True, exist_ok=True)
        n = 1 + max(
            (int(p.name.rsplit("-", 1)[1]) for p in self.runs.glob(f"{pipeline}-{day}-*") if p.name.rsplit("-", 1)[1].isdigit()),
            default=0,
        )
        while True:
            run_id = f"{pipeline}-{day}-{n:04d}"
            try:
                (self.runs / run_id).mkdir()
                return run_id, self.runs / run_id
            except FileExistsError:
                n += 1

    def write_record(self, folder: Path, record: dict[str, Any]) -> None:
        write_atomically(folder, [("run.json", json.dumps(record, indent=2, ensure_ascii=False) + "\n")])

    def records(self) -> list[dict[str, Any]]:
        """Every readable run record, newest first."""
        out = []
        if self.runs.is_dir():
            for folder in self.runs.iterdir():
                try:
                    out.append(json.loads((folder / "run.json").read_text(encoding="utf-8")))
                except (OSError, ValueError):
                    continue
        out.sort(key=lambda r: (r.get("started") or "", r.get("run", "")), reverse=True)
        return out

    def find(self, run: str) -> dict[str, Any] | None:
        """The record of ``run`` (a full id, a unique prefix, or ``latest``)."""
        records = self.records()
        if run == "latest":
            return records[0] if records else None
        exact = [r for r in records if r.get("run") == run]
        if exact:
            return exact[0]
        prefixed = [r for r in records if str(r.get("run", "")).startswith(run)]
        return prefixed[0] if len(prefixed) == 1 else None


def find_store(start: Path) -> Store:
    """The ``.mldsl`` folder of the project holding ``start`` (where ``mldsl.yaml`` is), else beside ``start``."""
    env = os.environ.get("MLDSL_HOME")
    if env:
        return Store(Path(env))
    here = start.resolve()
    folder = here if here.is_dir() else here.parent
    for candidate in (folder, *folder.parents):
        if (candidate / "mldsl.yaml").is_file():
            return Store(candidate / ".mldsl")
    return Store(folder / ".mldsl")
