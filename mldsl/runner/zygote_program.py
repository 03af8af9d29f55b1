"""The zygote's program: a single-threaded interpreter that forks a child per python step (see :mod:`mldsl.runner.zygote`).

This file is the program ``zygote.Zygote`` runs with ``python -c``: it imports only the standard library, and
only what it runs; the runner imports it for its path alone.
"""

from __future__ import annotations

import json
import os
import sys
import time

TYPE_CHECKING = False  # the zygote's program imports only what it runs (mypy reads this name as typing's)
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import CodeType
    from typing import Any

#: the zygote exits after this many seconds with no step running and none asked for (a new one starts on demand)
IDLE_SECONDS = 60.0
#: seconds between SIGTERM and SIGKILL for the steps of a runner that went without closing (guard.GRACE)
_GRACE = 5.0
#: distinct scripts whose code the zygote keeps compiled (one a module, usually)
CODES = 32


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

    gc.freeze()  # what the zygote holds is never collected in a child: its pages stay shared
    poll = select.poll()
    poll.register(requests, select.POLLIN)
    children: dict[int, int] = {}  # pidfd -> pid
    codes: dict[bytes, CodeType] = {}
    buffer = b""
    listening = True
    orphaned_at: float | None = None  # when the runner went without closing: its steps are stopped, then killed
    while listening or children:
        events, orphaned_at = _wait(poll, children, orphaned_at)
        if not events and not children:
            return None
        for fd, _ in events:
            if fd != requests:
                _reap(fd, children, poll, replies)
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
                step = _start(request, codes, children, poll, replies)
                if step is not None:
                    return step
    return None


def _send(replies: int, message: dict[str, Any]) -> None:
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(replies, data) :]


def _wait(poll: Any, children: dict[int, int], orphaned_at: float | None) -> tuple[list[tuple[int, int]], float | None]:
    """The next events: a request or a child's end; once the runner went, SIGKILL for what outlived the grace."""
    if orphaned_at is not None:
        left: float | None = orphaned_at + _GRACE - time.monotonic()
        if left is not None and left <= 0:
            _signal_children(children, 9)  # SIGKILL
            orphaned_at, left = None, None
        return poll.poll(None if left is None else int(left * 1000) + 1), orphaned_at
    return poll.poll(None if children else int(IDLE_SECONDS * 1000)), orphaned_at


def _reap(fd: int, children: dict[int, int], poll: Any, replies: int) -> None:
    """A child ended: wait for it and report its exit code."""
    pid = children.pop(fd)
    poll.unregister(fd)
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    _send(replies, {"exit": pid, "code": os.waitstatus_to_exitcode(status)})


def _start(
    request: dict[str, Any], codes: dict[bytes, CodeType], children: dict[int, int], poll: Any, replies: int
) -> Callable[[], None] | None:
    """Fork the step ``request`` asks for: in the child, the step to run; in the zygote, ``None``."""
    import select

    code = _compiled(os.path.join(request["cwd"], request["argv"][0]), codes)
    try:
        pid = os.fork()
    except OSError as exc:
        _send(replies, {"failed": request["id"], "error": str(exc)})
        return None
    if pid == 0:
        return _child(request, code)
    pidfd = os.pidfd_open(pid)
    children[pidfd] = pid
    poll.register(pidfd, select.POLLIN)
    _send(replies, {"started": request["id"], "pid": pid})
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
