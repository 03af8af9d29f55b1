"""The runs panel of ``mldsl ui``: local runs (``mldsl run``, as real processes) and cluster runs, one list.

Local runs are what ``mldsl runs`` lists: the run records in the project's ``.mldsl/runs``, so the panel
shows runs started from a terminal too and keeps them across reloads. A run started here is a
``mldsl run`` process of its own (it outlives a closed page, as a terminal run would); a process that
ended without writing a record (the project did not compile) is shown with what it printed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mldsl.ops.failure import run_message, step_failure
from mldsl.ops.run_logs import step_logs
from mldsl.runner.guard import truthful
from mldsl.runner.wording import display_name, plain, step_warning

#: lines of each step's log shown in a run's details
LOG_TAIL = 30
#: local runs listed (newest first)
LISTED = 50


@dataclass
class Job:
    """A ``mldsl run`` started from the page."""

    pipeline: str
    started: float
    process: subprocess.Popen[bytes]
    errors: Path
    known: set[str] = field(default_factory=set)  # run ids that existed when it started

    def failed_to_start(self) -> str | None:
        """What the process said when it ended without a run record of its own."""
        if self.process.poll() in (None, 0):
            return None
        from mldsl.runner.store import log_tail

        text = "\n".join(log_tail(self.errors, 200, 8192)).strip()  # its end, never the whole file
        return text[-2000:] or f"mldsl run exited with {self.process.returncode}"


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    outputs = {k: v for k, v in (record.get("outputs") or {}).items() if not isinstance(v, (dict, list))}
    return {
        "where": "local",
        "id": record.get("run"),
        "pipeline": record.get("pipeline"),
        "status": record.get("status"),
        "started": record.get("started"),
        "duration": record.get("duration"),
        "params": record.get("params") or {},
        "changed": record.get("changed") or {},
        "outputs": outputs,
        "message": run_message(record) if record.get("message") else None,  # the failed step, as named (#30 m6)
        # the steps that succeeded with a warning, and what it is (#30 m7)
        "warnings": {
            str(name): step_warning(step)
            for group in ("steps", "on_exit")
            for name, step in (record.get(group) or {}).items()
            if isinstance(step, dict) and step_warning(step)
        },
        # each step's phase and times, for the progress of a run still going (the record is written as it goes)
        "steps": {
            str(name): {k: step.get(k) for k in ("phase", "started", "duration") if k in step}
            | {"label": display_name(str(name))}  # the user's name for a pipeline: step's inner step (#30 m8)
            for name, step in (record.get("steps") or {}).items()
            if isinstance(step, dict) and not step.get("internal")
        },
    }


def _tail(folder: Path, log: str, lines: int = LOG_TAIL) -> str:
    """The end of a step's log, when ``log`` names a regular file inside the run's folder (a record's ``log``
    is not trusted: ``../../../etc/passwd``, an absolute path or a planted link shows nothing)."""
    from mldsl.runner.store import inside, log_tail

    path = inside(folder, log)
    return "" if path is None else "\n".join(log_tail(path, lines))


class LocalRuns:
    """The project's local runs, and the ``mldsl run`` processes started from the page."""

    def __init__(self, source: Path):
        from mldsl.runner.store import find_store

        self.source = source
        self.store = find_store(source)
        self.store.warn = self._warn_once  # the list is polled: a skipped record is named once, not every poll
        self._warned: set[str] = set()
        self.jobs: list[Job] = []
        self.lock = threading.Lock()

    def _warn_once(self, text: str) -> None:
        if text not in self._warned:
            self._warned.add(text)
            print(text, file=sys.stderr)

    def start(self, pipeline: str, params: dict[str, Any]) -> dict[str, Any]:
        """``mldsl run SOURCE --pipeline NAME -p k=v...`` as a process of its own; its record appears in the list."""
        from mldsl.ops.params import as_pairs

        pairs = [arg for pair in as_pairs(params) for arg in ("-p", pair)]
        self.store.root.mkdir(parents=True, exist_ok=True)
        errors = Path(tempfile.mkstemp(prefix="ui-run-", suffix=".log", dir=self.store.root)[1])
        known = {str(r.get("run")) for r in self.store.records()}
        with errors.open("wb") as err:
            process = subprocess.Popen(
                [sys.executable, "-m", "mldsl", "run", str(self.source), "--pipeline", pipeline, *pairs, "--format", "json"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                start_new_session=True,  # a run outlives the page and the server, as one started in a terminal does
            )
        with self.lock:
            self.jobs.append(Job(pipeline, time.time(), process, errors, known))
        return {"started": pipeline, "pid": process.pid}

    def list(self) -> list[dict[str, Any]]:
        records = self.store.records()
        out = [_summary(truthful(r)) for r in records[:LISTED]]  # a dead run's Running record shows as Error
        ids = {str(r.get("run")) for r in records}
        with self.lock:
            for job in list(self.jobs):
                mine = {i for i in ids - job.known if i.startswith(job.pipeline + "-")}
                if mine:
                    self.jobs.remove(job)  # its record is in the list now
                    job.errors.unlink(missing_ok=True)
                    continue
                why = job.failed_to_start()
                if job.process.poll() is None or why:
                    out.insert(
                        0,
                        {
                            "where": "local",
                            "id": None,
                            "pipeline": job.pipeline,
                            "status": "Starting" if why is None else "Failed",
                            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(job.started)),
                            "duration": round(time.time() - job.started, 3),
                            "message": why,
                        },
                    )
        return out

    def show(self, run: str) -> dict[str, Any] | None:
        """One run's record with the tail of each step's log."""
        found = self.store.find(run)
        if found is None:
            return None
        record = truthful(found)
        folder = self.store.folder_of(found)  # its id's folder in the store, not the folder the record claims
        steps = {}
        for group in ("steps", "on_exit"):
            for name, step in (record.get(group) or {}).items():
                if step.get("internal") and step.get("phase") == "Succeeded":
                    continue  # the compiler's own task (a sweep's objective report), not the user's (#30 m8)
                entry = {k: step.get(k) for k in ("phase", "cached", "attempts", "duration", "message", "run") if k in step}
                if isinstance(entry.get("message"), str):
                    entry["message"] = plain(entry["message"])  # Argo's phrasings, said plainly (#30 m11)
                entry["outputs"] = {k: v for k, v in (step.get("outputs") or {}).items() if not isinstance(v, (dict, list))}
                if step.get("notebook"):  # a notebook step: the notebook as it ran, and its HTML
                    entry["notebook"] = step["notebook"]
                # every log of the step (a job's inner step, each replica's: #30 M5), each with its tail
                entry["logs"] = [{"path": log, "tail": _tail(folder, log)} for log in step_logs(folder, step)]
                entry["log"] = entry["logs"][0]["tail"] if entry["logs"] else ""
                if step.get("phase") in ("Failed", "Error"):  # its error, the user's frames first (#30 m6)
                    entry["failure"] = "\n".join(step_failure(folder, step) or [])
                entry["warning"] = step_warning(step)  # succeeded, but (a webhook not delivered: #30 m7)
                entry["label"] = display_name(name) + (" (on exit)" if group == "on_exit" else "")
                steps[name if group == "steps" else f"{name} (on exit)"] = entry
        return {**_summary(record), "steps": steps, "folder": str(folder)}


def cluster_summary(wf: dict[str, Any], argo_ui: str | None) -> dict[str, Any]:
    """A Workflow as the runs panel lists it, with its page in the Argo UI when the Argo Server is known."""
    meta, status = wf.get("metadata") or {}, wf.get("status") or {}
    params = {p.get("name"): p.get("value") for p in (wf.get("spec") or {}).get("arguments", {}).get("parameters", [])}
    outputs = {p.get("name"): p.get("value") for p in (status.get("outputs") or {}).get("parameters", [])}
    name, ns = meta.get("name"), meta.get("namespace")
    return {
        "where": "cluster",
        "id": name,
        "pipeline": (meta.get("labels") or {}).get("mldsl.io/pipeline"),
        "status": status.get("phase") or "Pending",
        "started": status.get("startedAt") or meta.get("creationTimestamp"),
        "finished": status.get("finishedAt"),
        "params": params,
        "outputs": outputs,
        "message": status.get("message"),
        "link": f"{argo_ui.rstrip('/')}/workflows/{ns}/{name}" if argo_ui and ns and name else None,
    }


def argo_ui_base() -> str | None:
    """The Argo UI's address: the Argo Server's (ARGO_SERVER, as ``argo`` reads it)."""
    server = os.environ.get("ARGO_SERVER")
    if not server:
        return None
    if "://" in server:
        return server
    secure = os.environ.get("ARGO_SECURE", "true").lower() != "false"
    return ("https://" if secure else "http://") + server
