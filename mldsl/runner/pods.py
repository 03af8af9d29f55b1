"""A plain Argo pod on this machine: its containers as processes, each pod in a filesystem of its own.

mldsl's own manifests map their ``/mldsl/`` paths into the step folder (``processes.py``); a workflow
that mldsl did not write uses any absolute path (``/tmp/hello_world.txt``, ``/mnt/vol``), so its pod gets a
copy-on-write root (``podroot.py``) and its image's commands (``images.py``). What Argo's executor does
around the main container is done here (argo-workflows v4.1.2):

* input artifacts are placed at their paths before the main container starts, ``raw`` ones written
  from their data (``workflow/executor/executor.go`` StageFiles/LoadArtifacts);
* a ``script`` template's source is written to ``/argo/staging/script`` and appended to its command
  (``workflow/controller/workflowpod.go`` l. 430-440, ``common.ExecutorScriptSourcePath``);
* init containers run first, in order; sidecars run beside the main container and are killed once it ends
  (``executor.go`` KillSidecars);
* the main container's standard output, at most 256 KiB of it, is ``outputs.result``; its exit code
  ``outputs.exitCode`` (``executor.go`` l. 760-800, CaptureScriptResult);
* output parameters are read from their paths with one trailing newline trimmed, or take their
  ``default``; artifacts are saved from their paths (``executor.go`` SaveParameters l. 770-790).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mldsl.runner.processes import DEADLINE, Processes

#: Argo keeps at most this much of a container's output as ``outputs.result`` (``executor.go`` MaxResultSize... )
MAX_RESULT = 256 * 1024
SCRIPT_PATH = "/argo/staging/script"


@dataclass
class Exit:
    """How a container ended."""

    phase: str
    message: str
    code: int | None
    stdout: str


def run_container(
    argv: list[str], env: dict[str, str], log: Path, deadline: float | None, procs: Processes, capture: bool
) -> Exit:
    """Run one container's process to its end, its deadline or a stop; its standard output kept when asked."""
    out_chunks: list[bytes] = []
    size = 0
    with open(log, "ab") as logf:
        try:
            proc = subprocess.Popen(
                argv,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=logf,
                start_new_session=True,
            )
        except OSError as exc:
            return Exit("Error", f"cannot start {argv[0]!r}: {exc.strerror or exc}", None, "")
        procs.add(proc)

        def pump() -> None:
            nonlocal size
            stream = proc.stdout
            assert isinstance(stream, io.BufferedReader)
            for chunk in iter(lambda: stream.read1(65536), b""):
                logf.write(chunk)
                logf.flush()
                if capture and size < MAX_RESULT:
                    out_chunks.append(chunk[: MAX_RESULT - size])
                    size += len(out_chunks[-1])

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        try:
            code, timed_out = _wait_for(proc, deadline, procs)
        finally:
            _signal_group(proc, signal.SIGKILL)  # children the container left behind
            procs.remove(proc)
            reader.join(timeout=5)
    stdout = b"".join(out_chunks).decode("utf-8", "replace")
    if timed_out:
        return Exit("Failed", DEADLINE, code, stdout)
    if procs.stopping.is_set():
        return Exit("Failed", "Stopped with strategy 'Stop'", code, stdout)
    if code != 0:
        return Exit("Failed", f"Error (exit code {code})", code, stdout)
    return Exit("Succeeded", "", code, stdout)


def _wait_for(proc: subprocess.Popen[bytes], deadline: float | None, procs: Processes) -> tuple[int, bool]:
    """The process's exit code, and whether its deadline ended it (SIGTERM, then SIGKILL 5 s later)."""
    if procs.stopping.is_set():
        _signal_group(proc, signal.SIGTERM)
    try:
        return proc.wait(timeout=None if deadline is None else max(0.0, deadline - time.time())), False
    except subprocess.TimeoutExpired:
        _signal_group(proc, signal.SIGTERM)
        try:
            return proc.wait(timeout=5), True
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            return proc.wait(), True


def start_sidecar(argv: list[str], env: dict[str, str], log: Path, procs: Processes) -> subprocess.Popen[bytes] | None:
    """A sidecar: started before the main container, killed when it ends (``executor.go`` KillSidecars)."""
    with open(log, "ab") as logf:
        try:
            proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=logf, stderr=logf, start_new_session=True)
        except OSError:
            return None
    procs.add(proc)
    return proc


def stop_sidecar(proc: subprocess.Popen[bytes], procs: Processes) -> None:
    _signal_group(proc, signal.SIGTERM)
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        _signal_group(proc, signal.SIGKILL)
        proc.wait()
    procs.remove(proc)


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def trim_output(text: str) -> str:
    """An output parameter's file as Argo keeps it: one trailing newline trimmed, nothing else
    (``workflow/executor/executor.go`` saveParameters: ``strings.TrimSuffix(output, "\\n")``)."""
    return text[:-1] if text.endswith("\n") else text


def container_env(container: dict[str, Any], base: dict[str, str]) -> dict[str, str]:
    """A container's environment: what running needs, then its own ``env`` values in order."""
    env = dict(base)
    for e in container.get("env") or []:
        if "value" in e:
            env[str(e["name"])] = str(e["value"])
        elif "valueFrom" not in e:
            env[str(e["name"])] = ""
    return env


def copy_into(src: Path, dest: Path) -> None:
    """An artifact placed at its path: a copy, so the pod never changes the repository's file."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dest, symlinks=True, dirs_exist_ok=True)
    else:
        shutil.copy2(src, dest)


def ready(probe: dict[str, Any], root: Any, connect: Any = None) -> bool:
    """One readiness check of a daemon's container: its ``readinessProbe`` (tcpSocket, httpGet or exec) against
    this machine, where pods share the host's network; no probe means ready once running (Kubernetes)."""
    import socket
    import urllib.request

    if "tcpSocket" in probe and connect is not None:  # from inside the pod's network
        return bool(connect(int(probe["tcpSocket"]["port"])))
    if "tcpSocket" in probe:
        try:
            with socket.create_connection(("127.0.0.1", int(probe["tcpSocket"]["port"])), timeout=1):
                return True
        except OSError:
            return False
    if "httpGet" in probe:
        get = probe["httpGet"]
        url = f"http://127.0.0.1:{int(get['port'])}{get.get('path', '/')}"
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                return bool(200 <= resp.status < 400)
        except OSError:
            return False
    if "exec" in probe:
        from mldsl.runner.images import runtime

        argv = root.argv(list(probe["exec"].get("command") or []), workdir=None, mounts=[], image=runtime("busybox"))
        return subprocess.run(argv, capture_output=True, check=False, timeout=10).returncode == 0
    return True
