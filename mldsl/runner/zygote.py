"""Python steps forked from a warm interpreter: each step still its own process, without paying a Python start.

A python step (``python SCRIPT ARGS...``, the compiled form of every ``run: python:`` module) cost one
interpreter start (20-80 ms here, most of a trivial step). Instead one *zygote* per runner process, a
single-threaded interpreter started with the runner's environment and little more than ``json`` imported
(what the step bootstrap needs), forks a child per step. The runner is multi-threaded, so it never forks
itself: it starts the zygote with ``subprocess`` and asks it over a pipe; ``mldsl run`` starts it while
the project compiles.

The child keeps the contract of a plain process (``processes.run_process``): a session and process group
of its own (``setsid``, as ``start_new_session``), so a stop or a deadline kills it and what it started
with ``killpg``; stdout and stderr appended to the step's log; exactly the step's environment and working
folder; ``sys.argv``, ``sys.path[0]``, ``__main__`` and ``__file__`` as ``python SCRIPT`` sets them; an
uncaught exception prints its traceback from the script's frame and exits 1; ``sys.exit`` and
``os._exit`` give the exit code. It exits as the interpreter's finalization does for what a step can
observe (non-daemon threads joined, ``atexit``, the script's globals released so that files it left open
are flushed, stdio flushed) without tearing every module down. A crash or an exit ends only the child;
the zygote reaps it (``pidfd``) and reports its exit code, which the runner waits for as ``Popen.wait``.
The runner says ``close`` before it closes its pipe; a pipe that closes without it means the runner was killed,
and the zygote then ends every step it forked (SIGTERM to each group, SIGKILL 5 s later), as ``guard.py`` does
for every step of a run.
``tests/test_run_speed.py`` compares a probe run both ways.

A step is forked only where that means the same as a fresh ``python``; otherwise :func:`spawn` returns
``None`` and the caller starts a plain process, as before:

* the command is this machine's interpreter and a script file (``python -c``, ``-m``, flags, other
  programs and ``--executor docker`` containers are plain);
* what an interpreter or the dynamic loader reads once, at start-up, is the zygote's: ``PYTHON*`` (so a
  module's ``local:`` code, which comes through ``PYTHONPATH``, runs plain), ``LANG``, ``LC_*``, ``TZ``,
  ``HOME`` (the user site), ``LD_*``, ``MALLOC_*``, ``GLIBC_*``;
* Linux's ``os.pidfd_open`` exists, and ``MLDSL_RUN_FORK`` is not ``0`` (the opt-out; the benchmarks
  measure both).

Knowingly different from a fresh interpreter: the hash seed is the zygote's (one a run, not one a step),
a few standard modules are already imported, the step's parent is the zygote, and ``ps`` shows the
zygote's command line for a step.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mldsl.runner import zygote_program
from mldsl.runner.stepenv import host_env

_START_PREFIXES = ("PYTHON", "LC_", "LD_", "MALLOC_", "GLIBC_")
_START_NAMES = frozenset({"LANG", "LANGUAGE", "TZ", "HOME"})


def _startup_env(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The variables an interpreter (or the dynamic loader) reads once, when it starts."""
    return tuple(sorted((k, v) for k, v in env.items() if k in _START_NAMES or k.startswith(_START_PREFIXES)))


class Forked:
    """A forked step, waited for as a ``Popen``: its exit code comes from the zygote."""

    def __init__(self, pid: int, argv: list[str]):
        self.pid = pid
        self.args = argv
        #: the exit code (``-N``: killed by signal N); ``None`` while it runs, or when the zygote ended first
        self.returncode: int | None = None
        self.lost = False
        self._done = threading.Event()

    def wait(self, timeout: float | None = None) -> int | None:
        if not self._done.wait(timeout):
            raise subprocess.TimeoutExpired(self.args, timeout or 0.0)
        return self.returncode

    def poll(self) -> int | None:
        return self.returncode

    def _finish(self, code: int | None, lost: bool = False) -> None:
        self.returncode, self.lost = code, lost
        self._done.set()


class _Pending:
    def __init__(self) -> None:
        self.event = threading.Event()
        self.proc: Forked | None = None


class Zygote:
    """One zygote process and the thread that reads what it reports."""

    def __init__(self, env: Mapping[str, str]):
        self.env = dict(env)
        self.startup = _startup_env(env)
        req_r, self._req_w = os.pipe()
        self._rep_r, rep_w = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _source(), zygote_program.__file__, str(req_r), str(rep_w)],
                env=self.env,
                cwd="/",
                stdout=subprocess.DEVNULL,  # not a terminal, as a step's log is not: stdio is set up the same way
                stderr=subprocess.DEVNULL,
                pass_fds=(req_r, rep_w),
                start_new_session=True,  # a Ctrl-C on the terminal reaches the runner, which stops the steps
            )
        except BaseException:
            os.close(self._req_w)
            os.close(self._rep_r)
            raise
        finally:
            os.close(req_r)
            os.close(rep_w)
        self.alive = True
        self._closed = False
        self._write = threading.Lock()
        self._table = threading.Lock()
        self._ids = itertools.count()
        self._starting: dict[int, _Pending] = {}
        self._running: dict[int, Forked] = {}
        threading.Thread(target=self._read, name="mldsl-zygote", daemon=True).start()

    def start(self, argv: list[str], env: Mapping[str, str], cwd: Path, log: Path) -> Forked | None:
        """Fork ``python argv...``; ``None`` when the zygote cannot (it ended, or fork failed)."""
        pending = _Pending()
        with self._table:
            if not self.alive:
                return None
            rid = next(self._ids)
            self._starting[rid] = pending
        base = self.env
        unset = [k for k in base if k not in env]
        changed = {k: v for k, v in env.items() if base.get(k) != v}
        request = {"id": rid, "argv": argv, "cwd": str(cwd), "log": str(log), "unset": unset, "set": changed}
        data = json.dumps(request).encode() + b"\n"
        try:
            with self._write:
                if self._closed:
                    raise BrokenPipeError
                while data:
                    data = data[os.write(self._req_w, data) :]
        except OSError:
            with self._table:
                self._starting.pop(rid, None)
            return None
        pending.event.wait()
        return pending.proc

    def close(self) -> None:
        """No more steps: the zygote ends once the ones it forked have ended."""
        with self._write:
            if not self._closed:  # once: the number may belong to another file by the second time
                self._closed = True
                with contextlib.suppress(OSError):  # said, so that the zygote does not take it for the runner's death
                    os.write(self._req_w, b'{"close": true}\n')
                os.close(self._req_w)

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                data = os.read(self._rep_r, 1 << 16)
            except OSError:
                data = b""
            if not data:
                break
            buffer += data
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                self._dispatch(json.loads(line))
        with self._table:
            self.alive = False
            starting, self._starting = self._starting, {}
            running, self._running = self._running, {}
        for pending in starting.values():
            pending.event.set()
        for proc in running.values():  # its exit code went with the zygote
            proc._finish(None, lost=True)
        os.close(self._rep_r)
        self.close()
        self.proc.wait()

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "started" in message:
            with self._table:
                pending = self._starting.pop(message["started"])
                proc = pending.proc = Forked(int(message["pid"]), [])
                self._running[proc.pid] = proc
            pending.event.set()
        elif "exit" in message:
            with self._table:
                done = self._running.pop(int(message["exit"]), None)
            if done is not None:
                done._finish(int(message["code"]))
        elif "failed" in message:
            with self._table:
                pending = self._starting.pop(message["failed"])
            pending.event.set()


_lock = threading.Lock()
_zygote: Zygote | None = None


def enabled() -> bool:
    """Whether python steps may be forked here (Linux's ``pidfd_open``; ``MLDSL_RUN_FORK=0`` turns it off)."""
    return hasattr(os, "pidfd_open") and hasattr(os, "fork") and os.environ.get("MLDSL_RUN_FORK", "1") != "0"


def prestart() -> None:
    """Start the zygote now, in the background (``mldsl run`` calls it before compiling, so the first step
    does not wait for an interpreter to start)."""
    if enabled():
        _current(_startup_env(host_env()))


def _current(startup: tuple[tuple[str, str], ...]) -> Zygote | None:
    """The zygote for a step whose start-up variables are ``startup``: this process's, (re)started on demand."""
    global _zygote
    with _lock:
        zygote = _zygote
        if zygote is not None and zygote.alive and zygote.startup == startup:
            return zygote
        if startup != _startup_env(host_env()):
            return None  # the step's interpreter would start differently from this process's: not ours to fork
        if zygote is not None:
            zygote.close()
        try:
            # the steps' allow-list (stepenv.py), not the runner's whole environment: a forked step's
            # /proc/self/environ is the zygote's, whatever os.environ the child is given
            _zygote = Zygote(host_env())
        except OSError:
            _zygote = None
        return _zygote


def spawn(argv: list[str], env: Mapping[str, str], cwd: Path, log: Path) -> Forked | None:
    """The step forked from the zygote, or ``None``: start it as a plain process (see the module's rules)."""
    if len(argv) < 2 or argv[0] != sys.executable or argv[1].startswith("-") or not enabled():
        return None
    if not cwd.is_dir() or not (cwd / argv[1]).is_file():
        return None  # a plain start reports it as it always has
    zygote = _current(_startup_env(env))
    if zygote is None:
        return None
    proc = zygote.start(argv[1:], env, cwd, log)
    if proc is not None:
        proc.args = argv
    return proc


def _source() -> str:
    """The zygote's program, ``zygote_program.py``, run by a one-line ``-c`` (``ps`` stays readable)."""
    return (
        "import sys; path = sys.argv[1]; code = open(path, encoding='utf-8').read(); "
        "exec(compile(code + '_step = serve(int(sys.argv[2]), int(sys.argv[3]))', path, 'exec')); "
        "_step is None or _step()"
    )
