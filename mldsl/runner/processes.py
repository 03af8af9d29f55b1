"""Run one pod's container as a local process (or a Docker container), with the step contract mapped.

A step sees ``/mldsl/inputs``, ``/mldsl/outputs`` and ``MLDSL_INPUT_*`` as in its
pod; the runner maps those paths (and the module's code folder, and the
Project's local mounts) to this machine's folders in the command, args and env,
so the module's code runs unchanged.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from mldsl.runner import guard, zygote
from mldsl.runner.mounts import Mounts
from mldsl.runner.stepenv import host_env

#: Argo's message for a pod past ``activeDeadlineSeconds`` (``workflow/controller/operator.go``, pod deadline)
DEADLINE = "Pod was active on the node longer than the specified deadline"
#: where a local step writes its termination message (a pod's ``terminationMessagePath``)
TERMINATION_ENV = "MLDSL_TERMINATION_LOG"


@dataclass
class LocalCode:
    """Where a module's code is on this machine, and where its image puts it (``local:`` in a module)."""

    folder: Path
    mount: str


class Started(Protocol):
    """A step's process: a ``Popen``, or a python step forked by the zygote (``zygote.Forked``)."""

    @property
    def pid(self) -> int: ...

    def wait(self, timeout: float | None = None) -> int | None: ...


class Processes:
    """Every process a run started, so that a stop or Ctrl-C ends each one (and its children)."""

    def __init__(self) -> None:
        self._live: set[Started] = set()
        self._lock = threading.Lock()
        self.stopping = threading.Event()

    def add(self, proc: Started) -> None:
        """A started process: its group (its pid, ``start_new_session``) is stopped with the run, and by the guard
        should this process die first (``guard.py``)."""
        guard.watch(proc.pid)
        with self._lock:
            self._live.add(proc)

    def remove(self, proc: Started) -> None:
        with self._lock:
            self._live.discard(proc)
        guard.unwatch(proc.pid)

    def stop_all(self) -> None:
        """Stop the run: SIGTERM each process group, SIGKILL what is left after 5 s."""
        self.stopping.set()
        with self._lock:
            procs = list(self._live)
        for p in procs:
            _signal_group(p, signal.SIGTERM)
        deadline = time.time() + 5
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                _signal_group(p, signal.SIGKILL)


def _signal_group(proc: Started, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:  # a forked step before its setsid: its group is not its own yet
        if isinstance(proc, zygote.Forked) and proc.returncode is None and not proc.lost:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(proc.pid, sig)
    except PermissionError:
        pass


def docker_answers() -> str | None:
    """``None`` when a Docker daemon answers, else why not."""
    if shutil.which("docker") is None:
        return "no docker command on this machine"
    try:
        done = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"docker info failed: {exc}"
    if done.returncode != 0:
        return (done.stderr.decode(errors="replace").strip().splitlines() or ["the daemon did not answer"])[-1]
    return None


@dataclass
class PodSpec:
    """What the runner starts for one attempt of a script or container template."""

    argv: list[str]
    env: dict[str, str]
    cwd: Path
    image: str
    working_dir: str | None = None  # the container's own, for --executor docker
    #: the names the pod itself declares (its env and secrets): all a Docker container is given
    declared: tuple[str, ...] = ()


def code_path(text: str, code: LocalCode | None) -> str:
    """``text`` with paths under the image's code folder (``/app/train.py``) pointing at the local copy."""
    if code is None:
        return text
    return re.sub(r"(?<![\w.:/-])" + re.escape(code.mount.rstrip("/")) + r"(?=/|$)", str(code.folder), text)


def _mapper(step_dir: Path, code: LocalCode | None, mounts: Mounts) -> Any:
    local_mldsl = str(step_dir / "mldsl")

    def fn(text: str) -> str:
        return mounts.rewrite(code_path(re.sub(r"(?<![\w.:/-])/mldsl(?=/|$)", local_mldsl, text), code))

    return fn


def pod_spec(
    tpl: dict[str, Any],
    step_dir: Path,
    code: LocalCode | None,
    mounts: Mounts,
    secrets: dict[str, str],
) -> PodSpec:
    """The local process for a substituted script/container template; raises ``ValueError`` for a missing secret."""
    kind = "script" if "script" in tpl else "container"
    c = tpl[kind]
    local = _mapper(step_dir, code, mounts)
    argv = [local(str(a)) for a in [*(c.get("command") or []), *(c.get("args") or [])]]
    if kind == "script":
        script = step_dir / "script"
        script.write_text(c.get("source", ""), encoding="utf-8")
        argv.append(str(script))
    if (argv and argv[0] in ("python", "python3")) or (argv and re.fullmatch(r"python3(\.\d+)?", argv[0])):
        argv[0] = sys.executable  # the image's interpreter is this machine's
    env = host_env()  # an allow-list (stepenv.py), not the user's whole environment
    declared = []
    for e in c.get("env") or []:
        declared.append(str(e["name"]))
        if "value" in e:
            env[e["name"]] = local(str(e["value"]))
        elif "valueFrom" in e and "secretKeyRef" in e["valueFrom"]:
            ref = e["valueFrom"]["secretKeyRef"]
            key = secret_env(ref["name"], ref["key"])
            if key in secrets:
                env[e["name"]] = secrets[key]
            elif not ref.get("optional"):
                raise ValueError(f"secret {ref['name']}/{ref['key']} is not set here: export {key}=... to give it to the step")
    env["MLDSL_OUTPUTS_DIR"] = str(step_dir / "mldsl" / "outputs")
    env["MLDSL_LOCAL_RUN"] = "1"
    # the step's termination message (a pod's /dev/termination-log), which a failed step's message carries
    env[TERMINATION_ENV] = str(step_dir / "mldsl" / "termination-log")
    cwd = step_dir
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code.folder), env.get("PYTHONPATH")]))
        cwd = code.folder
    if c.get("workingDir"):
        mapped = Path(local(c["workingDir"]))
        if mapped.is_dir():
            cwd = mapped
    return PodSpec(argv, env, cwd, str(c.get("image", "")), c.get("workingDir"), tuple(n for n in declared if n in env))


def secret_env(name: str, key: str) -> str:
    """The environment variable that holds Kubernetes secret ``name``/``key`` for local runs."""
    return "MLDSL_SECRET_" + re.sub(r"[^A-Za-z0-9]", "_", f"{name}_{key}").upper()


def docker_argv(spec: PodSpec, step_dir: Path, code: LocalCode | None) -> list[str]:
    """The same pod as a Docker container: the step folder mounted at ``/mldsl``."""
    argv = ["docker", "run", "--rm", "-v", f"{step_dir / 'mldsl'}:/mldsl"]
    if code is not None:
        argv += ["-v", f"{code.folder}:{code.mount}"]
    for k in spec.declared:  # what the pod declares, nothing of this machine's environment
        argv += ["-e", f"{k}={spec.env[k].replace(str(step_dir / 'mldsl'), '/mldsl')}"]
    inner = [a.replace(str(step_dir / "mldsl"), "/mldsl") for a in spec.argv]
    if inner and inner[0] == sys.executable:
        inner[0] = "python"
    script = str(step_dir / "script")
    if script in inner:  # Argo mounts a script template's source at /argo/staging/script
        argv += ["-v", f"{script}:/argo/staging/script"]
        inner = [("/argo/staging/script" if a == script else a) for a in inner]
    if spec.working_dir:
        argv += ["-w", spec.working_dir]
    return [*argv, spec.image, *inner]


def run_process(
    argv: list[str],
    env: dict[str, str],
    cwd: Path,
    log: Path,
    deadline: float | None,
    procs: Processes,
) -> tuple[str, str]:
    """Run to the end, the deadline or a stop: (phase, message), Argo's way. A python step is forked from the
    zygote when that means the same as a fresh interpreter (``zygote.py``), otherwise started as a process."""
    if env.get(TERMINATION_ENV):  # an earlier attempt's message is not this one's
        Path(env[TERMINATION_ENV]).unlink(missing_ok=True)
    with open(log, "ab") as out:
        proc: Started | None = zygote.spawn(argv, env, cwd, log)
        if proc is None:
            try:
                proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
            except OSError as exc:
                return "Error", f"cannot start {argv[0]!r}: {exc.strerror or exc}"
        procs.add(proc)
        try:
            if procs.stopping.is_set():
                _signal_group(proc, signal.SIGTERM)
            try:
                code = proc.wait(timeout=None if deadline is None else max(0.0, deadline - time.time()))
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGTERM)
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    _signal_group(proc, signal.SIGKILL)
                    proc.wait()
                return "Failed", DEADLINE
        finally:
            _signal_group(proc, signal.SIGKILL)  # children the step left behind
            procs.remove(proc)
    if procs.stopping.is_set():
        return "Failed", "Stopped with strategy 'Stop'"
    if code is None:
        return "Error", "the step's exit code was lost: the process that forked it ended first"
    if code != 0:
        return "Failed", f"Error (exit code {code})" + _termination_message(env)
    return "Succeeded", ""


def _termination_message(env: dict[str, str]) -> str:
    """``: <message>`` when the step left a termination message, as Argo words it (argo-workflows
    ``workflow/controller/operator.go`` inferFailedReason: ``msg = fmt.Sprintf("%s: %s", msg, t.Message)``)."""
    path = env.get(TERMINATION_ENV)
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace").strip() if path else ""
    except OSError:
        return ""
    return f": {text[:4096]}" if text else ""  # Kubernetes keeps at most 4096 bytes of it
