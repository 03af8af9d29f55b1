"""One ``mldsl run``: pick the compiled workflow, map it to this machine, run it, record it."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mldsl.runner import guard
from mldsl.runner.base import Options
from mldsl.runner.cache import StepCache
from mldsl.runner.diskspace import disk_full, release, reserve
from mldsl.runner.engine import Execution
from mldsl.runner.mounts import Mounts, s3_uri
from mldsl.runner.nodes import Artifact, Node
from mldsl.runner.preflight import local_artifacts, stored_argument_problems
from mldsl.runner.processes import LocalCode, docker_answers
from mldsl.runner.store import Store
from mldsl.runner.support import check
from mldsl.util.atomic import write_atomically


class RunRefusedError(Exception):
    """The run cannot start: every reason, listed (nothing has started)."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Prepared:
    """A workflow ready to run: its spec, params and the local mapping."""

    pipeline: str
    spec: dict[str, Any]
    params: dict[str, str]
    given: dict[str, str]
    artifacts: dict[str, str]  # artifact params given with -p, as given
    local_artifacts: dict[str, Artifact]  # ... and where they are here
    mounts: Mounts
    options: Options
    store: Store
    namespace: str
    #: the pipeline's own defaults (the WorkflowTemplate's arguments), to tell what a run changed
    defaults: dict[str, str] | None = None
    #: a plain Argo file's neighbours: ``templateRef`` targets and ConfigMaps, as a cluster would hold them
    lookup: Callable[[str, str, bool], dict[str, Any]] | None = None
    config_maps: dict[str, dict[str, str]] | None = None
    #: ``workflow.*`` values beyond the usual (a CronWorkflow's ``scheduledTime``), and the run's own name
    workflow_extra: dict[str, str] | None = None
    #: declared kinds, so that the record shows text as text: params, pipeline outputs, each step's outputs
    param_kinds: dict[str, str] | None = None
    output_kinds: dict[str, str] | None = None
    step_kinds: dict[str, dict[str, str]] | None = None
    #: notebook steps (SPEC §1.12): the notebook's file and the outputs rendered as HTML, by step
    notebooks: dict[str, tuple[str, tuple[str, ...]]] | None = None


#: declared kinds whose values are text: shown as given, never read as JSON (``-p tag=1e-05`` stays "1e-05")
TEXT = frozenset({"str", "enum", "artifact", "secret"})


def typed(text: str | None, kind: str | None = None) -> Any:
    """A parameter's text as JSON would carry it: ``"0.91"`` -> 0.91, ``"[1,2]"`` -> a list; ``""`` -> null.
    A value declared as text (``kind``) stays the text it is."""
    if text is None or text == "":
        return None
    if kind in TEXT:
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if not isinstance(value, str) else text


def prepare(
    spec: dict[str, Any],
    pipeline: str,
    params: dict[str, str],
    artifact_params: set[str],
    mounts: Mounts,
    options: Options,
    store: Store,
    namespace: str,
) -> Prepared:
    """Check everything before anything starts; raises :class:`RunRefusedError` with every problem."""
    problems = [f"{p}" for p in check(spec, mounts)]
    values = {p["name"]: str(p.get("value", "")) for p in (spec.get("arguments") or {}).get("parameters", [])}
    arts = {}
    for name, value in params.items():
        if name in artifact_params:
            arts[name] = value
        else:
            values[name] = value
    problems += stored_argument_problems(spec, mounts, set(arts))
    local_arts = local_artifacts(arts, mounts, problems)
    for (module, version), code in sorted(options.code.items()):
        if not code.folder.is_dir():
            problems.append(f"module {module}@{version}: local source {code.folder} is not a folder (spec.run.*.local.source)")
    if options.executor == "docker":
        why = docker_answers()
        if why is not None:
            problems.append(f"--executor docker: {why}; run with --executor process to run the steps as local processes")
    if problems:
        raise RunRefusedError(problems)
    defaults = {p["name"]: str(p.get("value", "")) for p in (spec.get("arguments") or {}).get("parameters", [])}
    defaults |= {a["name"]: s3_uri(a["s3"]) for a in (spec.get("arguments") or {}).get("artifacts", []) if "s3" in a}
    return Prepared(pipeline, spec, values, dict(params), arts, local_arts, mounts, options, store, namespace, defaults)


class Runner:
    """Run a prepared workflow in a background thread; the caller watches and may stop it."""

    def __init__(self, prep: Prepared, on_change: Callable[[Node], None] = lambda n: None, names: dict[str, str] | None = None):
        self.prep = prep
        self.names = names or {}  # task key (train-data) -> the pipeline's step name (train_data)
        guard.start()  # before anything runs: steps die with this process, whatever kills it (guard.py)
        self.run_id, self.folder = prep.store.new_run(prep.pipeline)
        self.started = time.time()
        self.process = guard.this_process()
        workflow = {
            "name": self.run_id,
            "uid": _uuid4(),
            "namespace": prep.namespace,
            "serviceAccountName": str(prep.spec.get("serviceAccountName", "default")),
            "creationTimestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
            "mainEntrypoint": str(prep.spec.get("entrypoint", "main")),
            **(prep.workflow_extra or {}),
        }
        self.execution = Execution(
            prep.spec,
            workflow,
            self.folder,
            prep.mounts,
            StepCache(prep.store.cache, [folder for _, folder in prep.mounts.table]),
            prep.options,
            on_change,
            prep.lookup,
            prep.config_maps,
        )
        self.thread = threading.Thread(target=self._run, daemon=True)
        #: set when the run has ended and its nodes are final (see wait)
        self.done = threading.Event()
        self.error: BaseException | None = None
        self.finished: float | None = None
        prep.store.write_record(self.folder, self.record())
        guard.record(self.folder / "run.json", self.started)
        reserve(self.folder)

    def _run(self) -> None:
        try:
            self.execution.run(self.prep.params, self.prep.local_artifacts)
        except BaseException as exc:  # recorded, never lost
            self.error = exc
            self.execution.status, self.execution.message = "Error", f"mldsl run: {type(exc).__name__}: {exc}"
            if disk_full(exc):
                self.execution.message = self.execution.failed_disk(exc)  # type: ignore[arg-type]
        settle(self.execution.all_nodes())
        self.finished = time.time()
        self.done.set()

    def start(self) -> None:
        self.thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Whether the run has ended. An Event, not ``Thread.join``: a Ctrl-C that interrupts ``join`` can leave
        the thread looking finished while it still runs (its state lock is taken by the interrupted join), and
        the record would be saved with steps still Running."""
        return self.done.wait(timeout)

    def stop(self, strategy: str = "Stop") -> None:
        """``Stop`` (the exit handler still runs) or ``Terminate`` (nothing more runs), as Argo's."""
        self.execution.stop(strategy)

    def record(self) -> dict[str, Any]:
        """The run record (SPEC §1.11)."""
        ex = self.execution
        mounts = self.prep.mounts
        done = self.finished is not None
        outputs: dict[str, Any] = {}
        if done and ex.main.phase == "Succeeded":
            for k, v in ex.main.params.items():
                outputs[k] = typed(mounts.uris(v), (self.prep.output_kinds or {}).get(k)) if v else None
            for k, art in ex.main.artifacts.items():
                outputs[k] = art.file_uri()
        kinds = self.prep.step_kinds or {}
        notebooks = self.prep.notebooks or {}
        steps = {
            self.names.get(name, name): _node_record(n, self.folder, mounts, kinds.get(n.task, {}), notebooks.get(n.task))
            | ({"internal": True} if self.names and name not in self.names else {})  # the compiler's own (#30 m8)
            for name, n in ex.main.inner.items()
        }
        record: dict[str, Any] = {
            "run": self.run_id,
            "pipeline": self.prep.pipeline,
            "status": ex.status if done else "Running",
            "params": {k: typed(unescape(v), (self.prep.param_kinds or {}).get(k)) for k, v in sorted(self.prep.params.items())}
            | dict(sorted(self.prep.artifacts.items())),
            "outputs": outputs,
            "steps": steps,
        }
        if ex.exit.inner:
            record["on_exit"] = {
                self.names.get(name, name): _node_record(n, self.folder, mounts, kinds.get(n.task, {}))
                for name, n in ex.exit.inner.items()
            }
        if ex.message and ex.status != "Succeeded":
            record["message"] = ex.message
        record["given"] = sorted(self.prep.given)
        # what differs from the pipeline's defaults (a value given equal to its default is not a change)
        every = {**self.prep.params, **self.prep.artifacts}
        defaults = self.prep.defaults or {}
        pk = self.prep.param_kinds or {}
        record["changed"] = {
            k: typed(unescape(v), pk.get(k)) for k, v in sorted(every.items()) if k in self.prep.given and defaults.get(k) != v
        }
        record["started"] = _iso(self.started)
        record["finished"] = _iso(self.finished) if self.finished else None
        record["duration"] = round((self.finished or time.time()) - self.started, 3)
        record["folder"] = str(self.folder)
        record["process"] = self.process
        return record

    def checkpoint(self) -> None:
        """Save the record as it is now, while the run runs (``view.wait_loop`` calls it every so often): should this
        process be killed, the record (marked ``Error`` by the guard) still says which steps had ended, with their
        outputs. Never raises: a record being changed by the run's thread, or a full disk, skips this one."""
        if self.done.is_set():
            return
        # a dict that changed size under the reading, no space left: the next one, or none
        with contextlib.suppress(RuntimeError, OSError):
            write_atomically(self.folder, [("run.json", record_text(self.record()))])

    def save(self, record: dict[str, Any] | None = None) -> dict[str, Any]:
        """Write the record (this one, or the run's as it is now). Disk full: the space kept at the start
        (:func:`reserve`) is given back and the record written again; if even that fails, the smallest record
        that tells the truth (its status and why), and ``OSError`` when nothing could be written."""
        record = record if record is not None else self.record()
        path = self.folder / "run.json"
        text = record_text(record)
        try:
            write_atomically(self.folder, [("run.json", text)])
        except OSError as exc:
            if not disk_full(exc):
                raise
            release(self.folder)
            try:
                write_atomically(self.folder, [("run.json", text)])
            except OSError:
                small = {k: record.get(k) for k in ("run", "pipeline", "params", "started", "finished", "duration", "folder")}
                small["status"] = "Error" if record.get("status") == "Running" else record.get("status")
                small["message"] = f"{record.get('message') or ''} (the full record could not be saved: {exc.strerror})".strip()
                small["steps"] = {}
                self.prep.store.write_record(self.folder, small)
                record = small
        if record.get("status") != "Running":
            guard.saved(path)
            release(self.folder)
        return record


def unescape(v: Any) -> Any:
    """A value as the user gave it: the ``{{`` escapes mldsl compiled in (``mldsl.argo.tags``) read back."""
    from mldsl.argo.tags import ESCAPED_OPEN, ITEM_OPEN

    if isinstance(v, str):
        return v.replace(ITEM_OPEN, "{{").replace(ESCAPED_OPEN, "{{") if "{{=" in v else v
    if isinstance(v, list):
        return [unescape(x) for x in v]
    if isinstance(v, dict):
        return {k: unescape(x) for k, x in v.items()}
    return v


#: fan-out items beyond which a record is written as compact JSON: indenting 100,000 items takes json's pure-Python
#: encoder 3.4 s here, the compact (C) one 0.3 s
COMPACT_ITEMS = 2000


def record_text(record: dict[str, Any]) -> str:
    """A record as ``run.json`` holds it: indented for people, compact when it has many fan-out items."""
    items = sum(len(s.get("items") or []) for kind in ("steps", "on_exit") for s in (record.get(kind) or {}).values())
    if items > COMPACT_ITEMS:
        return json.dumps(record, ensure_ascii=False) + "\n"
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def settle(nodes: list[Node]) -> None:
    """The run has ended: a node that never started is ``Omitted``, one that had not ended is ``Error`` (what
    the record says of a finished run is final; no item stays Pending under it)."""
    for n in nodes:
        if n.phase == "Pending":
            n.end("Omitted", "not run: the run ended before its turn")
        elif n.phase == "Running" and not n.daemoned:
            n.end("Error", "the run ended before it did")


def _uuid4() -> str:
    """A random RFC 4122 version-4 UUID, as ``uuid.uuid4`` gives (without importing uuid and platform at start)."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _iso(t: float | None) -> str | None:
    return None if t is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _node_record(
    n: Node,
    folder: Path,
    mounts: Mounts,
    kinds: dict[str, str] | None = None,
    notebook: tuple[str, tuple[str, ...]] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"phase": "Failed" if n.continued else n.phase}
    kinds = kinds or {}
    # ``mldsl-*`` outputs are mldsl's own plumbing (URIs, identities, a wrapped step's result)
    outputs: dict[str, Any] = {
        k: typed(unescape(mounts.uris(v)), kinds.get(k)) for k, v in n.params.items() if not k.startswith("mldsl-")
    }
    for k, art in n.artifacts.items():
        outputs[k] = art.file_uri()
    if n.group or n.total is not None:
        out["items"] = [
            {"item": unescape(c.item), **{k: v for k, v in _node_record(c, folder, mounts, kinds).items() if k != "items"}}
            for c in n.children
        ]
        if n.phase == "Succeeded" and outputs:
            out["outputs"] = outputs
    else:
        out["outputs"] = outputs
        out["cached"] = n.cached
        out["attempts"] = n.attempts
        if notebook is not None and "executed" in outputs:  # where people look first: the notebook as it ran
            html = {k: outputs[k] for k in notebook[1] if k in outputs}
            out["notebook"] = {"file": notebook[0], "executed": outputs["executed"], **({"html": html} if html else {})}
    if n.inner and not (n.group or n.total is not None):
        out["steps"] = {k: _node_record(c, folder, mounts, kinds) for k, c in n.inner.items()}
    if n.message and (n.phase != "Succeeded" or n.continued or " written to " in n.message):
        out["message"] = n.message
    if n.started is not None:
        out["started"] = _iso(n.started)
        out["duration"] = round(n.duration or 0.0, 3)
    if n.log is not None and n.log.exists():
        out["log"] = os.path.relpath(n.log, folder)
    return out


def local_code(modules: list[tuple[str, str, str, str]]) -> dict[tuple[str, str], LocalCode]:
    """``(name, version, folder, mount)`` of every module with ``local:`` -> the executor's map."""
    return {(n, v): LocalCode(Path(folder), mount) for n, v, folder, mount in modules}


__all__ = ["Artifact", "Prepared", "RunRefusedError", "Runner", "local_code", "prepare", "typed"]
