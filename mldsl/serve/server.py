"""Start MLServer and the router, say "ready" once they answer, stop both on Ctrl-C or SIGTERM.

MLServer runs as ``mlserver start DIR`` (SeldonIO/MLServer@a325e52 ``mlserver/cli/main.py:42-52`` start:
load_settings(DIR), then ``MLServer(settings).start(models)``) in a child process on loopback ports of its own;
it stops itself on SIGINT/SIGTERM (``mlserver/server.py:22,168-190`` HANDLED_SIGNALS, MLServer.stop). The
router binds the user's port before anything starts, so a port in use is refused first.
"""

from __future__ import annotations

import errno
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from mldsl.ops.serve import ServePlan, ServeRefusedError, ServeUsageError
from mldsl.serve import repository
from mldsl.serve.router import Handler, RouterServer, Routes, Upstream

#: how long the models may take to load
READY_TIMEOUT = 180.0
#: how long MLServer may take to stop after SIGTERM before it is killed
STOP_TIMEOUT = 15.0
LOG_TAIL_LINES = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bind_router(port: int) -> RouterServer:
    """The router's socket on 127.0.0.1:port, or a usage error naming the port and how to free or change it."""
    try:
        return RouterServer(("127.0.0.1", port), Handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ServeUsageError(
                f"port {port} is in use on 127.0.0.1\n  hint: choose another with --port N, or stop what listens there "
                f"(ss -ltnp 'sport = :{port}' shows it)"
            ) from None
        if exc.errno == errno.EACCES:
            raise ServeUsageError(
                f"port {port} needs privileges to bind\n  hint: choose a port above 1023 with --port N"
            ) from None
        raise


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: MLServer gets SIGTERM if mldsl itself is killed (prctl PR_SET_PDEATHSIG), so no server is left behind."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def start_mlserver(folder: Path, log_file: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-c", "from mlserver.cli import main; main()", "start", str(folder)]
    with open(log_file, "wb") as log:
        return subprocess.Popen(
            cmd,
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # before any thread starts
        )


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


def _tail(log_file: Path) -> str:
    try:
        lines = log_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join("  | " + line for line in lines[-LOG_TAIL_LINES:])


def wait_ready(child: subprocess.Popen[bytes], port: int, models: list[str], stop: threading.Event, log_file: Path) -> bool:
    """True once MLServer says every model is ready; False when asked to stop first; ServeRefusedError if MLServer exits."""
    deadline = time.monotonic() + READY_TIMEOUT
    while not stop.is_set():
        if child.poll() is not None:
            raise ServeRefusedError(
                [
                    (
                        f"MLServer exited ({child.returncode}) before its models were ready; its log:\n{_tail(log_file)}",
                        "see the log",
                    )
                ]
            )
        if all(_get(f"http://127.0.0.1:{port}/v2/models/{m}/ready") == 200 for m in models):
            return True
        if time.monotonic() > deadline:
            raise ServeRefusedError(
                [(f"the models were not ready after {READY_TIMEOUT:.0f} s; MLServer's log:\n{_tail(log_file)}", "see the log")]
            )
        stop.wait(0.2)
    return False


def stop_child(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _prepare(plan: ServePlan, folder: Path, log: Callable[[str], None]) -> int:
    """Write MLServer's model repository for ``plan`` into ``folder``, log what each model is; MLServer's HTTP port."""
    http_port, grpc_port = _free_port(), _free_port()
    try:
        prepared = repository.write(plan, folder, http_port, grpc_port)
    except repository.ModelLoadError as exc:
        raise ServeRefusedError(
            [(str(exc), "give a joblib file of a scikit-learn estimator (or train-sklearn's model)")]
        ) from None
    for m in plan.models:
        share = "shadow copy" if m is plan.shadow else f"weight {m.weight}"
        features = prepared[m.name].features
        inputs = f", {len(features)} inputs: {', '.join(features)}" if features else ""
        log(f"model {m.name} ({m.server}, {share}{inputs}) from {m.uri}")
        if m.note:
            log(f"  note: {m.note}")
    return http_port


def serve(
    plan: ServePlan,
    port: int,
    *,
    seed: int | None = None,
    log: Callable[[str], None],
    say: Callable[[str], None],
) -> int:
    """Serve ``plan`` on 127.0.0.1:port until SIGINT/SIGTERM; 0 after a clean stop, 1 if MLServer stopped by itself."""
    router = bind_router(port)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    folder = Path(tempfile.mkdtemp(prefix=f"mldsl-serve-{plan.serving}-"))
    child: subprocess.Popen[bytes] | None = None
    thread: threading.Thread | None = None
    try:
        http_port = _prepare(plan, folder, log)
        log_file = folder / "mlserver.log"
        child = start_mlserver(folder, log_file)
        if not wait_ready(child, http_port, [m.name for m in plan.models], stop, log_file):
            return 0
        router.configure(Routes(plan, seed), Upstream(http_port), log)
        thread = threading.Thread(target=router.serve_forever, kwargs={"poll_interval": 0.1}, name="mldsl-serve-router")
        thread.start()
        if _get(f"http://127.0.0.1:{port}/v2/health/ready") != 200:
            raise ServeRefusedError([(f"the router on port {port} did not answer /v2/health/ready", "see the log above")])
        say(f"ready: http://127.0.0.1:{port}/v2/models/{plan.serving}/infer (Ctrl-C stops)")
        while not stop.wait(0.5):
            if child.poll() is not None:
                log(f"MLServer stopped by itself ({child.returncode}); its log:\n{_tail(log_file)}")
                return 1
        log("stopping")
        return 0
    finally:
        if thread is not None:
            router.shutdown()
            thread.join()
        router.server_close()
        if child is not None:
            stop_child(child)
        shutil.rmtree(folder, ignore_errors=True)
        for s, handler in previous.items():
            signal.signal(s, handler)
