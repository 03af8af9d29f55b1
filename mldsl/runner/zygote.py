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

import json
import os
import sys
import time

TYPE_CHECKING = False  # the zygote's program imports only what it runs (mypy reads this name as typing's)
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from types import CodeType
    from typing import Any

#: the zygote exits after this many seconds with no step running and none asked for (a new one starts on demand)
IDLE_SECONDS = 60.0
#: seconds between SIGTERM and SIGKILL for the steps of a runner that went without closing (guard.GRACE)
_GRACE = 5.0
#: distinct scripts whose code the zygote keeps compiled (one a module, usually)
CODES = 32
_START_PREFIXES = ("PYTHON", "LC_", "LD_", "MALLOC_", "GLIBC_")
_START_NAMES = frozenset({"LANG", "LANGUAGE", "TZ", "HOME"})


def _startup_env(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The variables an interpreter (or the dynamic loader) reads once, when it starts."""
    return tuple(sorted((k, v) for k, v in env.items() if k in _START_NAMES or k.startswith(_START_PREFIXES)))


# --- the zygote: runs as ``python -c``; only the standard library, nothing imported it does not need


def serve(requests: int, replies: int) -> Callable[[], None] | None:
    """The zygote's loop: fork a child per request, report each child's pid and exit code.

    Returns ``None`` in the zygote when it is done (the runner said ``close`` or went, and every child ended,
    or it was idle); in a forked child it returns the step, run at the top level out of this loop's frame.
    """
    import atexit  # noqa: F401  (what a child needs, imported once here)
    import builtins  # noqa: F401
    import gc
    import importlib.machinery  # noqa: F401
    import select

    def send(message: dict[str, Any]) -> None:
        data = (json.dumps(message) + "\n").encode()
        while data:
            data = data[os.write(replies, data) :]

    gc.freeze()  # what the zygote holds is never collected in a child: its pages stay shared
    poll = select.poll()
    poll.register(requests, select.POLLIN)
    children: dict[int, int] = {}  # pidfd -> pid
    codes: dict[bytes, CodeType] = {}
    buffer = b""
    listening = True
    orphaned_at: float | None = None  # when the runner went without closing: its steps are stopped, then killed
    while listening or children:
        if orphaned_at is not None:
            left: float | None = orphaned_at + _GRACE - time.monotonic()
            if left is not None and left <= 0:
                _signal_children(children, 9)  # SIGKILL
                orphaned_at, left = None, None
            events = poll.poll(None if left is None else int(left * 1000) + 1)
        else:
            events = poll.poll(None if children else int(IDLE_SECONDS * 1000))
        if not events and not children:
            return None
        for fd, _ in events:
            if fd != requests:
                pid = children.pop(fd)
                poll.unregister(fd)
                os.close(fd)
                _, status = os.waitpid(pid, 0)
                send({"exit": pid, "code": os.waitstatus_to_exitcode(status)})
                continue
            data = os.read(requests, 1 << 16)
            if not data:  # the runner is gone (it says "close" first when it ends as it should): so are its steps
                listening = False
                poll.unregister(requests)
                if children:
                    _signal_children(children, 15)  # SIGTERM
                    orphaned_at = time.monotonic()
                continue
            buffer += data
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                request = json.loads(line)
                if request.get("close"):  # no more steps: finish the children it started, then go
                    listening = False
                    poll.unregister(requests)
                    break
                code = _compiled(os.path.join(request["cwd"], request["argv"][0]), codes)
                try:
                    pid = os.fork()
                except OSError as exc:
                    send({"failed": request["id"], "error": str(exc)})
                    continue
                if pid == 0:
                    return _child(request, code)
                pidfd = os.pidfd_open(pid)
                children[pidfd] = pid
                poll.register(pidfd, select.POLLIN)
                send({"started": request["id"], "pid": pid})
    return None


def _signal_children(children: dict[int, int], sig: int) -> None:
    """Signal each child's process group (its own since its ``setsid``; the child itself before that)."""
    for pid in children.values():
        try:
            os.killpg(pid, sig)
        except OSError:
            try:  # noqa: SIM105  (no contextlib in the zygote)
                os.kill(pid, sig)
            except OSError:
                pass


def _compiled(path: str, codes: dict[bytes, CodeType]) -> CodeType | None:
    """The script's code, compiled here once for each distinct source so that a child does not compile it again;
    ``None`` when the child must compile it itself (unreadable, not valid, or with a warning to print in its log)."""
    import warnings

    try:
        with open(path, "rb") as fh:
            source = fh.read()
    except OSError:
        return None
    code = codes.get(source)
    if code is None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                code = compile(source, path, "exec", dont_inherit=True)
            except Exception:
                return None
        if caught:
            return None
        if len(codes) >= CODES:
            del codes[next(iter(codes))]
        codes[source] = code
    return code


def _child(request: dict[str, Any], code: CodeType | None) -> Callable[[], None]:
    """In the forked child: become the step's process (session, stdio, folder, environment, argv)."""
    try:
        os.setsid()
        log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.closerange(3, 1 << 20)  # one close_range(2): the zygote's pipes and its other children's pidfds
        os.chdir(request["cwd"])
        # the step's environment, as what differs from the zygote's (which is the runner's when it started)
        environb = getattr(os, "environb", None)  # a second view of the variables: putenv ran through the first
        for name in request["unset"]:
            os.environ.pop(name, None)
            if environb is not None:
                environb._data.pop(os.fsencode(name), None)
        for name, value in request["set"].items():
            os.environ[name] = value
            if environb is not None:
                environb._data[os.fsencode(name)] = os.fsencode(value)
        argv: list[str] = request["argv"]
        script = os.path.abspath(argv[0])
        sys.argv = list(argv)
        sys.orig_argv = [sys.executable, *argv]
        sys.path[0] = os.path.dirname(os.path.realpath(script))
    except BaseException as exc:  # nothing of the step ran: say why where its log is
        try:
            os.write(2, f"mldsl run: cannot start the step: {exc!r}\n".encode())
        finally:
            os._exit(127)
    return lambda: _run_script(script, code)


def _refiled(code: CodeType, path: str) -> CodeType:
    """``code`` as compiled from ``path`` (its functions' too): tracebacks and ``co_filename`` name this step's file."""
    if code.co_filename == path:
        return code
    consts = tuple(_refiled(c, path) if isinstance(c, type(code)) else c for c in code.co_consts)
    return code.replace(co_filename=path, co_consts=consts)


def _run_script(script: str, code: CodeType | None) -> None:
    """``python SCRIPT`` from here on: a fresh ``__main__``; the exit code as the interpreter makes it."""
    import builtins
    import importlib.machinery

    main = type(sys)("__main__")
    main.__dict__.update(
        __file__=script,
        __cached__=None,
        __loader__=importlib.machinery.SourceFileLoader("__main__", script),
        __spec__=None,
        __package__=None,
        __builtins__=builtins,
    )
    sys.modules["__main__"] = main
    interrupted = False
    try:
        if code is None:
            try:
                with open(script, "rb") as fh:
                    source = fh.read()
            except OSError as exc:
                print(f"{sys.executable}: can't open file {script!r}: [Errno {exc.errno}] {exc.strerror}", file=sys.stderr)
                _exit(2, main, False)
            code = compile(source, script, "exec", dont_inherit=True)
        exec(_refiled(code, script), main.__dict__)
        status = 0
    except SystemExit as exc:  # pythonrun.c handle_system_exit
        status = _exit_status(exc.code)
    except BaseException as exc:  # the traceback as the interpreter prints it: from the script's frame on
        exc = exc.with_traceback(exc.__traceback__.tb_next if exc.__traceback__ else None)
        sys.excepthook(type(exc), exc, exc.__traceback__)
        interrupted, status = isinstance(exc, KeyboardInterrupt), 1
    _exit(status, main, interrupted)


def _exit_status(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    try:  # noqa: SIM105  (no contextlib in the zygote: each module it imports is one more in every step)
        print(value, file=sys.stderr)
    except Exception:
        pass
    return 1


def _exit(code: int, main: object, interrupted: bool) -> None:
    """The interpreter's exit (Py_FinalizeEx) for what a step can observe: non-daemon threads joined, ``atexit``
    run, the script's globals released (a file it left open is flushed and closed), stdout and stderr flushed
    (120 when stdout cannot be, as CPython); then ``_exit``. Tearing every module down would write to each object
    the zygote's pages hold, milliseconds of copy-on-write for nothing a step can see."""
    import atexit
    import gc

    threads = sys.modules.get("threading")
    try:
        if threads is not None:
            threads._shutdown()
    except Exception:
        pass
    atexit._run_exitfuncs()
    try:
        main.__dict__.clear()
        gc.collect()
    except Exception:
        pass
    for stream, failed in ((sys.stdout, 120), (sys.stderr, code)):
        try:
            if stream is not None:
                stream.flush()
        except Exception:
            code = failed
    if interrupted:  # an uncaught KeyboardInterrupt: die of SIGINT (Py_RunMain's exit_sigint)
        import signal

        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    os._exit(code & 0xFF)


# --- the runner's side (the zygote's program ends above this line)

import contextlib  # noqa: E402
import itertools  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402

from mldsl.runner.stepenv import host_env  # noqa: E402


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
                [sys.executable, "-c", _source(), __file__, _RUNNER_SIDE, str(req_r), str(rep_w)],
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
    """The zygote's program: this file up to the runner's side, run by a one-line ``-c`` (``ps`` stays readable)."""
    return (
        "import sys; path = sys.argv[1]; code = open(path, encoding='utf-8').read().split(sys.argv[2], 1)[0]; "
        "exec(compile(code + '_step = serve(int(sys.argv[3]), int(sys.argv[4]))', path, 'exec')); "
        "_step is None or _step()"
    )


_RUNNER_SIDE = "# --- the runner's side"
