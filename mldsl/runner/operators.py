"""Operator jobs on this machine: a SparkApplication with pyspark in local mode, a training job as local processes.

On a cluster an Argo resource step creates the object and an operator runs its
pods; here the runner reads the same object and starts what the operator would:

* SparkApplication (spark-operator): ``spark-submit --master local[*]`` with the
  application's main file, arguments and ``sparkConf``; COMPLETED is exit 0.
* PyTorchJob (training-operator v1.9.0 ``pkg/controller.v1/pytorch/envvar.go``
  setPodEnv and ``master.go``): one process per replica with ``MASTER_ADDR``,
  ``MASTER_PORT``, ``PET_MASTER_ADDR``, ``PET_MASTER_PORT``, ``WORLD_SIZE`` (replicas x
  nprocPerNode), ``RANK`` and ``PET_NODE_RANK`` (Master 0, Worker i+1), ``PET_NNODES``,
  ``PET_NPROC_PER_NODE`` when set, ``PYTHONUNBUFFERED=1``.
* TFJob (``pkg/controller.v1/tensorflow/tensorflow.go`` genTFConfigJSONStr): one process
  per replica with ``TF_CONFIG`` = ``{"cluster": {type: [host:port...]}, "task": {"type",
  "index"}, "environment": "cloud"}``.

The job succeeds when the replica the compiled ``successCondition`` watches
succeeds; any replica failing fails it and stops the others (``backoffLimit: 0``,
``cleanPodPolicy: All``), as the compiled ``failureCondition`` says.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any

from mldsl.runner.mounts import MountError, Mounts, OutsideError
from mldsl.runner.processes import DEADLINE, LocalCode, Processes, code_path, run_process, secret_env
from mldsl.runner.stepenv import host_env

TRAINING_KINDS = {"PyTorchJob": "pytorchReplicaSpecs", "TFJob": "tfReplicaSpecs"}
LOCAL_KINDS = {"SparkApplication", *TRAINING_KINDS}


class JobError(Exception):
    """The job cannot start here (a missing file, an unmapped URI): the step errors, saying why."""


def spark_submit() -> Path | None:
    """pyspark's own ``spark-submit``, or ``None`` when pyspark is not installed."""
    found = importlib.util.find_spec("pyspark")
    if found is None or found.origin is None:
        return None
    path = Path(found.origin).parent / "bin" / "spark-submit"
    return path if path.exists() else None


def missing_tools(kind: str) -> list[str]:
    """What this machine lacks to run a ``kind`` job, said with the fix."""
    out = []
    if kind == "SparkApplication":
        if spark_submit() is None:
            out.append("pyspark is not installed: pip install 'mldsl[spark]'")
        if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
            out.append("Spark needs Java 17: install a JDK (e.g. apt-get install openjdk-17-jre-headless)")
    return out


class Localizer:
    """Maps what a job's pods see (``/app/x``, ``s3a://bucket/key``, ``local:///opt/...``) to this machine."""

    def __init__(self, code: LocalCode | None, mounts: Mounts, secrets: dict[str, str]):
        self.code = code
        self.mounts = mounts
        self.secrets = secrets

    def path(self, text: str) -> str:
        """One argument or env value as the job sees it here: URIs to local paths, image paths to the code folder."""
        if text.startswith("local://"):
            text = text[len("local://") :]
        found = re.match(r"^(--[\w.-]+=)?((?:s3a?|gs|file)://.+)$", text)
        if found:
            try:
                local = self.mounts.local(found[2])
            except OutsideError as exc:
                raise JobError(str(exc)) from None
            except MountError:
                raise JobError(f"no local copy of {found[2]}: map it in mldsl.yaml (spec.local.mounts)") from None
            local.parent.mkdir(parents=True, exist_ok=True)
            return (found[1] or "") + str(local)
        try:
            return self.mounts.rewrite(code_path(text, self.code))
        except OutsideError as exc:
            raise JobError(str(exc)) from None

    def env(self, entries: list[dict[str, Any]]) -> dict[str, str]:
        out = {}
        for e in entries:
            if "value" in e:
                out[e["name"]] = self.path(str(e["value"]))
            elif "secretKeyRef" in (e.get("valueFrom") or {}):
                ref = e["valueFrom"]["secretKeyRef"]
                key = secret_env(ref["name"], ref["key"])
                if key in self.secrets:
                    out[e["name"]] = self.secrets[key]
                elif not ref.get("optional"):
                    raise JobError(f"secret {ref['name']}/{ref['key']} is not set here: export {key}=...")
        return out


def _base_env(extra: dict[str, str], code: LocalCode | None) -> dict[str, str]:
    env = host_env()  # an allow-list (stepenv.py), not the user's whole environment
    env.update(extra)
    env["MLDSL_LOCAL_RUN"] = "1"
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code.folder), env.get("PYTHONPATH")]))
    return env


def run_spark(
    app: dict[str, Any], loc: Localizer, step_dir: Path, log: Path, deadline: float | None, procs: Processes
) -> tuple[str, str]:
    """A SparkApplication as ``spark-submit --master local[*]``: (phase, message)."""
    spec = app.get("spec") or {}
    submit = spark_submit()
    if submit is None:
        return "Error", "pyspark is not installed: pip install 'mldsl[spark]'"
    main = loc.path(str(spec.get("mainApplicationFile", "")))
    if not Path(main).is_file():
        return "Error", f"main application file {spec.get('mainApplicationFile')} is {main} here, which does not exist"
    name = (app.get("metadata") or {}).get("name") or (app.get("metadata") or {}).get("generateName", "app").rstrip("-")
    argv = [str(submit), "--master", "local[*]", "--name", name]
    driver = spec.get("driver") or {}
    # the driver pod's own deadline (its pod template; backends/spark.py) stops the local job too
    own = ((driver.get("template") or {}).get("spec") or {}).get("activeDeadlineSeconds")
    if own:
        deadline = time.time() + int(own) if deadline is None else min(deadline, time.time() + int(own))
    if driver.get("memory"):
        argv += ["--driver-memory", str(driver["memory"])]
    for k, v in sorted((spec.get("sparkConf") or {}).items()):
        argv += ["--conf", f"{k}={v}"]
    argv += ["--conf", "spark.ui.enabled=false"]  # no web UI port per local job
    if spec.get("mainClass"):
        argv += ["--class", str(spec["mainClass"])]
    argv.append(main)
    argv += [loc.path(str(a)) for a in spec.get("arguments") or []]
    env = _base_env(loc.env(driver.get("env") or []), loc.code)
    env.setdefault("PYSPARK_PYTHON", sys.executable)
    env.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(f"mldsl run: SparkApplication {name} with pyspark in local mode: {' '.join(argv)}\n")
    phase, msg = run_process(argv, env, loc.code.folder if loc.code else step_dir, log, deadline, procs)
    if phase == "Failed" and msg != DEADLINE and not msg.startswith("Stopped"):
        msg = f"SparkApplication {name}: FAILED ({msg})"
    return phase, msg


def _free_port() -> int:
    import socket  # only a training job needs a free port

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_Launch = tuple[str, int, list[str], dict[str, str], Path, Path]  # replica type, index, argv, env, cwd, its log


def run_training(
    job: dict[str, Any], loc: Localizer, step_dir: Path, log: Path, deadline: float | None, procs: Processes
) -> tuple[str, str]:
    """A PyTorchJob or TFJob as one local process per replica: (phase, message)."""
    kind = job["kind"]
    spec = job.get("spec") or {}
    replicas: dict[str, dict[str, Any]] = spec.get(TRAINING_KINDS[kind]) or {}
    run_policy = spec.get("runPolicy") or {}
    if run_policy.get("activeDeadlineSeconds"):
        job_deadline = time.time() + int(run_policy["activeDeadlineSeconds"])
        deadline = job_deadline if deadline is None else min(deadline, job_deadline)
    pods = _replica_pods(replicas)
    port = _free_port()
    nproc = int(spec.get("nprocPerNode", 1)) if str(spec.get("nprocPerNode", "1")).isdigit() else 1
    ports = {(rtype, i): _free_port() for rtype, i, _ in pods} if kind == "TFJob" else {}
    launches: list[_Launch] = []
    for rtype, i, rspec in pods:
        containers = ((rspec.get("template") or {}).get("spec") or {}).get("containers") or []
        if not containers:
            return "Error", f"{kind} {rtype} has no container"
        c = containers[0]
        argv = [loc.path(str(a)) for a in [*(c.get("command") or []), *(c.get("args") or [])]]
        if not argv:
            return "Error", f"{kind} {rtype}: no command: the image's entrypoint cannot run on this machine"
        if argv[0] in ("python", "python3"):
            argv[0] = sys.executable
        elif shutil.which(argv[0]) is None:
            return "Error", f"{kind} {rtype}: {argv[0]!r} is not installed here (e.g. torchrun comes with torch)"
        extra = loc.env(c.get("env") or [])
        extra["PYTHONUNBUFFERED"] = "1"
        extra.update(_replica_env(kind, spec, (rtype, i), pods, "Master" in replicas, (port, ports), nproc))
        pod_log = log.with_name(f"{log.stem}.{rtype.lower()}-{i}.log")
        cwd = Path(loc.path(c["workingDir"])) if c.get("workingDir") else (loc.code.folder if loc.code else step_dir)
        launches.append((rtype, i, argv, _base_env(extra, loc.code), cwd if cwd.is_dir() else step_dir, pod_log))
    results = _run_replicas(launches, deadline, procs)
    _join_logs(log, kind, launches, results)
    if procs.stopping.is_set():
        return "Failed", "Stopped with strategy 'Stop'"
    bad = [(k, v) for k, v in results.items() if v[0] != "Succeeded" and v[1] != "Stopped with strategy 'Stop'"]
    if bad:
        (rtype, i), (_, msg) = bad[0]
        return "Failed", msg if msg == DEADLINE else f"{kind} replica {rtype.lower()}-{i} failed: {msg}"
    return "Succeeded", ""


def _replica_pods(replicas: dict[str, dict[str, Any]]) -> list[tuple[str, int, dict[str, Any]]]:
    """One (type, index, spec) per replica, Master and Chief first."""
    order = ["Master", "Chief", "Worker", "PS", "Evaluator"]
    pods: list[tuple[str, int, dict[str, Any]]] = []
    for rtype in sorted(replicas, key=lambda r: order.index(r) if r in order else 99):
        for i in range(int(replicas[rtype].get("replicas", 1))):
            pods.append((rtype, i, replicas[rtype]))
    return pods


def _replica_env(
    kind: str,
    spec: dict[str, Any],
    replica: tuple[str, int],
    pods: list[tuple[str, int, dict[str, Any]]],
    has_master: bool,
    master_ports: tuple[int, dict[tuple[str, int], int]],
    nproc: int,
) -> dict[str, str]:
    """What the training operator sets in a replica's environment (PyTorchJob setPodEnv, TFJob TF_CONFIG)."""
    (rtype, i), (port, ports) = replica, master_ports
    total = len(pods)
    extra: dict[str, str] = {}
    if kind == "PyTorchJob":
        rank = i + 1 if rtype == "Worker" and has_master else i
        extra.update(
            MASTER_ADDR="127.0.0.1",
            MASTER_PORT=str(port),
            PET_MASTER_ADDR="127.0.0.1",
            PET_MASTER_PORT=str(port),
            WORLD_SIZE=str(total * nproc),
            RANK=str(rank),
            PET_NODE_RANK=str(rank),
            PET_NNODES=str(total),
        )
        if "nprocPerNode" in spec:
            extra["PET_NPROC_PER_NODE"] = str(spec["nprocPerNode"])
    else:
        cluster: dict[str, list[str]] = {}
        for rt, j, _ in pods:
            cluster.setdefault(rt.lower(), []).append(f"127.0.0.1:{ports[(rt, j)]}")
        extra["TF_CONFIG"] = json.dumps(
            {"cluster": cluster, "task": {"type": rtype.lower(), "index": i}, "environment": "cloud"}, separators=(",", ":")
        )
    return extra


def _run_replicas(launches: list[_Launch], deadline: float | None, procs: Processes) -> dict[tuple[str, int], tuple[str, str]]:
    """Every replica at once; the first to fail, or a stop, ends the others."""
    results: dict[tuple[str, int], tuple[str, str]] = {}
    failed = threading.Event()
    local = Processes()

    def one(rtype: str, i: int, argv: list[str], env: dict[str, str], cwd: Path, pod_log: Path) -> None:
        results[(rtype, i)] = run_process(argv, env, cwd, pod_log, deadline, local)
        if results[(rtype, i)][0] != "Succeeded":
            failed.set()

    threads = [threading.Thread(target=one, args=launch, daemon=True) for launch in launches]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        if procs.stopping.is_set() or failed.is_set():
            local.stop_all()  # cleanPodPolicy All: no replica outlives the job
            break
        time.sleep(0.05)
    for t in threads:
        t.join()
    return results


def _join_logs(log: Path, kind: str, launches: list[_Launch], results: dict[tuple[str, int], tuple[str, str]]) -> None:
    """The replicas' logs one after another in the step's log, each under a header with its phase."""
    with open(log, "ab") as out:
        for rtype, i, _, _, _, pod_log in launches:
            out.write(f"--- {kind} {rtype.lower()}-{i} ({results.get((rtype, i), ('?', ''))[0]}) ---\n".encode())
            if pod_log.exists():
                with open(pod_log, "rb") as replica:
                    shutil.copyfileobj(replica, out)  # in chunks: a replica's log may be larger than memory
