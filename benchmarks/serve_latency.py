"""The example model's latency and throughput through ``mldsl serve`` (router + MLServer), beside the same model in-process.

Trains the model the README's loop trains (``mldsl run examples/churn-train`` in a temporary copy), serves
``examples/churn-serving/servings/churn-api.yaml --from-run latest`` (stable 90 / canary 10, so every request
goes through the router's draw), and sends single-row V2 requests to ``/v2/models/churn-api/infer``:
sequentially on one keep-alive connection (latency p50/p99, requests/s), then from ``--clients`` threads at
once (requests/s). The same rows go to the unpickled estimator's ``predict`` in this process.

    python benchmarks/serve_latency.py [--requests 1000] [--repeat 3] [--clients 4] [--check]

Needs the [serve] extra in this environment (it runs ``python -m mldsl`` of this environment, as ``--here``
does in the other benchmarks). Goals: a laptop endpoint answers one row in ≤ 5 ms at the median and ≤ 25 ms
at p99, ≥ 200 requests/s from one client or several; in-process ``predict`` is the floor it is compared with
(≤ 1 ms median). Before the router set TCP_NODELAY, Nagle's algorithm and the client's delayed ACK added
40 ms to every request (48 ms median, 21 requests/s).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

from harness import ROOT, Report, Target

PATH = "/v2/models/churn-api/infer"
MLDSL = [sys.executable, "-m", "mldsl"]
ROWS = [[12, 40.0, 2, 36.8, 480.0, 2.0, 0], [60, 95.5, 0, 87.9, 5730.0, 0.0, 0], [2, 20.0, 6, 18.4, 40.0, 36.0, 1]]


def _body(row: list[float]) -> bytes:
    return json.dumps({"inputs": [{"name": "input-0", "shape": [1, len(row)], "datatype": "FP64", "data": row}]}).encode()


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _sequential(port: int, n: int) -> tuple[list[float], float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    bodies = [_body(r) for r in ROWS]
    times = []
    start = time.perf_counter()
    for i in range(n):
        t = time.perf_counter()
        conn.request("POST", PATH, body=bodies[i % len(bodies)], headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        resp.read()
        if resp.status != 200:
            raise SystemExit(f"serve_latency: request {i} answered {resp.status}")
        times.append(time.perf_counter() - t)
    return times, n / (time.perf_counter() - start)


def _concurrent(port: int, n: int, clients: int) -> float:
    each = max(1, n // clients)
    threads = [threading.Thread(target=_sequential, args=(port, each)) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return each * clients / (time.perf_counter() - start)


def _in_process(model: Any, n: int) -> tuple[list[float], float]:
    import numpy as np

    arrays = [np.asarray([r], dtype=float) for r in ROWS]
    times = []
    start = time.perf_counter()
    for i in range(n):
        t = time.perf_counter()
        model.predict(arrays[i % len(arrays)])
        times.append(time.perf_counter() - t)
    return times, n / (time.perf_counter() - start)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=1000, help="requests per measurement")
    ap.add_argument("--repeat", type=int, default=3, help="measurements of each kind (min/median/max over them)")
    ap.add_argument("--clients", type=int, default=4, help="concurrent clients for the throughput pass")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    a = ap.parse_args()
    import joblib

    warnings.filterwarnings("ignore", message="X does not have valid feature names")
    report = Report(f"mldsl serve: the churn example model, {a.requests} single-row requests × {a.repeat}")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    work = Path(tempfile.mkdtemp(prefix="mldsl-serve-bench-"))
    served: subprocess.Popen[bytes] | None = None
    try:
        for name in ("churn-train", "churn-serving"):
            shutil.copytree(ROOT / "examples" / name, work / name, ignore=shutil.ignore_patterns(".mldsl"))
        run = subprocess.run([*MLDSL, "run", ".", "--format", "json"], cwd=work / "churn-train", env=env, capture_output=True)
        if run.returncode:
            raise SystemExit(f"serve_latency: mldsl run failed:\n{run.stderr.decode()}")
        model = joblib.load(json.loads(run.stdout)["outputs"]["model"].removeprefix("file://"))["model"]
        port = _free_port()
        log = open(work / "serve.err", "wb")  # noqa: SIM115 - open while the server runs
        served = subprocess.Popen(
            [*MLDSL, "serve", "../churn-serving/servings/churn-api.yaml", "--from-run", "latest", "--port", str(port)],
            cwd=work / "churn-train",
            env=env,
            stdout=subprocess.PIPE,
            stderr=log,
        )
        assert served.stdout is not None
        line = served.stdout.readline().decode()
        if not line.startswith("ready"):
            raise SystemExit(f"serve_latency: mldsl serve did not start:\n{(work / 'serve.err').read_text()}")
        _sequential(port, 50)  # warm: connections, the first predictions
        _in_process(model, 50)
        served_seq = [_sequential(port, a.requests) for _ in range(a.repeat)]
        local = [_in_process(model, a.requests) for _ in range(a.repeat)]
        served_par = [_concurrent(port, a.requests, a.clients) for _ in range(a.repeat)]
        us = 1e6
        report.add(Target("served: p50 latency, one client", [statistics.median(t) * us for t, _ in served_seq], 5_000, "µs"))
        report.add(Target("served: p99 latency, one client", [_quantile(t, 0.99) * us for t, _ in served_seq], 25_000, "µs"))
        report.add(Target("served: requests/s, one client", [r for _, r in served_seq], 200, "req/s", at_least=True))
        report.add(Target(f"served: requests/s, {a.clients} clients", served_par, 200, "req/s", at_least=True))
        report.add(Target("in-process predict: p50 latency", [statistics.median(t) * us for t, _ in local], 1_000, "µs"))
        report.add(Target("in-process predict: p99 latency", [_quantile(t, 0.99) * us for t, _ in local], 10_000, "µs"))
        report.add(Target("in-process predict: calls/s", [r for _, r in local], 1_000, "req/s", at_least=True))
        overhead = statistics.median(statistics.median(t) for t, _ in served_seq) - statistics.median(
            statistics.median(t) for t, _ in local
        )
        report.note(
            f"served minus in-process, p50: {overhead * 1000:.2f} ms a request (HTTP, JSON, the router's hop and draw, "
            f"MLServer's codecs). "
            f"{type(model).__name__}, {len(ROWS[0])} features; mldsl serve runs MLServer with parallel_workers 0."
        )
    finally:
        if served is not None:
            served.send_signal(signal.SIGTERM)
            served.wait(60)
        shutil.rmtree(work, ignore_errors=True)
    return report.finish(a.check)


if __name__ == "__main__":
    sys.exit(main())
