"""``mldsl run`` beside its peers, in one run: a chain of trivial steps, each step its own process.

Measured with the installed wheel (``benchmarks/.venv-mldsl``, bytecode compiled, as ``pip install``
leaves it; ``--here`` for this environment's copy), each figure a whole ``mldsl`` process as users run it:

* a step of a ``--steps``-step chain (each step ``write_output("out", x + 1)``): from the first step's
  output file to the last one's, over the steps between (file times); the same with
  ``MLDSL_RUN_FORK=0`` (each step a fresh interpreter, as before the zygote) beside it; and once, a step
  of a ``--long``-step chain (noted: the runner's own cost a step should not grow with the steps);
* the first step's start: from launching ``mldsl run`` to the first step's output, against
  ``mldsl compile`` of the same project (pairs back to back); at 10,000 steps the run is stopped
  (Ctrl-C) once its first step has run;
* scheduling alone (``mldsl.runner.schedule``, no processes, no threads): its CPU time for a chain of
  1,000 and of 10,000 tasks and for a mesh (each task waits for two), best of 5 in each of ``--repeat``
  rounds; the 1,000-task figure is a tenth of ten such graphs scheduled side by side, so that both sizes
  have as much memory in use (one 1,000-task graph fits in the CPU's caches: even a plain loop over a
  dict takes 15x as long at 10,000). Beside it, the bytecodes the scheduler runs, counted (the same on
  a busy machine as on an idle one);
* Kedro's ``SequentialRunner`` on the same chain of nodes (``x + 1``, one process), in its own
  environment ``benchmarks/.venv-kedro`` made on first use (Kedro is never a dependency of mldsl),
  with its default logging and with logging off. KFP's local runner and Metaflow are not measured
  here (the issue's figures: 56 ms and 298 ms a step).

    python benchmarks/run_peers.py [--steps 100] [--first-sizes 100 10000] [--long 1000] [--repeat 3]
                                   [--no-kedro] [--here] [--check]

Targets (issue #25 item 6): a step <= 8 ms of mldsl's own cost, each step still its own process; the
first step starts within the compile time; scheduling linear (10,000 / 1,000 tasks <= 12x).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import Report, Target, configure, environment, install_options, mldsl, python, run_seconds
from run_overhead import MODULE, PROJECT, chain

SCHEDULE = """
import json, sys, time
from mldsl.runner.schedule import DagSchedule

def graph(n, shape, tag):
    name = lambda i: f"{tag}s{i}"
    if shape == "chain":
        return {name(i): [name(i - 1)] if i else [] for i in range(n)}
    return {name(i): sorted({name(i - 1), name(i // 2)}) if i else [] for i in range(n)}

def once(n, shape):
    # 10,000 tasks at each size, as one graph or as ten of 1,000 scheduled side by side (a task of each in
    # turn): the same memory in use, so the ratio is the algorithm's, not the CPU cache's
    graphs = [graph(n, shape, f"g{g}-") for g in range(10_000 // n)]
    start = time.thread_time()  # CPU time: on a busy machine a longer run is preempted more often
    plans = [DagSchedule(deps, {}, lambda task, results: True, lambda task, phase: False) for deps in graphs]
    todos = [plan.start() for plan in plans]
    done = 0
    while any(todos):
        for plan, todo in zip(plans, todos):
            if todo:
                decision = todo.pop()
                done += 1
                todo.extend(plan.finish(decision.task, "Succeeded", None))
    seconds = time.thread_time() - start
    assert done == 10_000, done
    return seconds / len(graphs)

def bytecodes(n, shape):
    # what the scheduler executes, counted: the same on a busy machine as on an idle one
    deps = graph(n, shape, "")
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        if not frame.f_code.co_filename.endswith("schedule.py"):
            return None
        frame.f_trace_opcodes = True
        count += event == "opcode"
        return trace

    sys.settrace(trace)
    plan = DagSchedule(deps, {}, lambda task, results: True, lambda task, phase: False)
    todo = plan.start()
    while todo:
        todo.extend(plan.finish(todo.pop().task, "Succeeded", None))
    sys.settrace(None)
    return count

sizes = [(shape, n) for shape in ("chain", "mesh") for n in (1000, 10000)]
rounds = [{f"{s} {n}": min(once(n, s) for _ in range(5)) for s, n in sizes} for _ in range(int(sys.argv[1]))]
print(json.dumps({"seconds": rounds, "bytecodes": {f"{s} {n}": bytecodes(n, s) for s, n in sizes}}))
"""

KEDRO = """
import json, logging, sys, time
quiet = sys.argv[2] == "quiet"
if quiet:
    logging.disable(logging.CRITICAL)
from kedro import __version__
from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import Pipeline, node
from kedro.runner import SequentialRunner

def inc(x):
    return x + 1

n = int(sys.argv[1])
pipeline = Pipeline([node(inc, f"d{i}", f"d{i + 1}", name=f"s{i}") for i in range(n)])
catalog = DataCatalog({"d0": MemoryDataset(0)})
start = time.perf_counter()
SequentialRunner().run(pipeline, catalog)
seconds = time.perf_counter() - start
assert catalog.load(f"d{n}") == n
print(json.dumps({"seconds": seconds, "version": __version__}))
"""


def project(root: Path, steps: int) -> Path:
    (root / "modules").mkdir(parents=True)
    (root / "mldsl.yaml").write_text(PROJECT)
    (root / "modules" / "noop.yaml").write_text(MODULE)
    (root / "chain.yaml").write_text(chain(steps))
    return root


def outputs(home: Path) -> list[Path]:
    """The steps' output files of the newest run, in step order."""
    run = max((home / "runs").iterdir(), key=lambda p: p.stat().st_mtime_ns)
    return sorted(run.glob("steps/*/mldsl/outputs/out"), key=lambda p: int(p.parent.parent.parent.name.split("-")[0]))


def _env(home: Path, fork: bool) -> dict[str, str]:
    return {**os.environ, "MLDSL_HOME": str(home), "MLDSL_RUN_FORK": "1" if fork else "0"}


def whole_run(root: Path, home: Path, steps: int, fork: bool) -> tuple[float, float]:
    """(seconds a step, from the first step's output to the last's; seconds from launch to the first output)."""
    launched = time.time()
    done = subprocess.run([*mldsl(), "run", str(root)], capture_output=True, text=True, env=_env(home, fork), check=False)
    if done.returncode != 0:
        raise SystemExit(f"mldsl run exited {done.returncode}:\n{done.stderr[-3000:]}")
    files = outputs(home)
    assert len(files) == steps, (len(files), steps)
    times = [f.stat().st_mtime_ns / 1e9 for f in files]
    return (times[-1] - times[0]) / (steps - 1), times[0] - launched


def first_step(root: Path, home: Path) -> float:
    """Seconds from launching ``mldsl run`` to the first step's output; the run is then stopped (Ctrl-C)."""
    launched = time.time()
    proc = subprocess.Popen(
        [*mldsl(), "run", str(root)], env=_env(home, True), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"mldsl run exited {proc.returncode} before its first step:\n{proc.stderr.read()[-3000:]}")
            found = list((home / "runs").glob("*/steps/*-s0/mldsl/outputs/out")) if (home / "runs").exists() else []
            if found:
                return found[0].stat().st_mtime_ns / 1e9 - launched
            time.sleep(0.01)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def kedro_python() -> tuple[Path | None, str]:
    """Kedro's own environment (made on first use), or ``None`` and why there is no Kedro figure."""
    try:
        return environment(".venv-kedro", "kedro")[0], ""
    except (subprocess.CalledProcessError, OSError) as exc:
        return None, f"Kedro could not be installed ({exc}): no Kedro figure"


def kedro(py: Path, steps: int, mode: str) -> tuple[float, str]:
    """Kedro's seconds a node on the same chain (``mode``: its default logging, or quiet), and its version."""
    done = subprocess.run([str(py), "-c", KEDRO, str(steps), mode], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"Kedro's run failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["seconds"] / steps, str(result["version"])


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f} ms"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    install_options(ap)
    ap.add_argument("--steps", type=int, default=100, help="the chain measured a step at a time")
    ap.add_argument("--first-sizes", type=int, nargs="+", default=[100, 10000], help="chains whose first step is timed")
    ap.add_argument("--long", type=int, default=1000, help="a longer chain, run once, a step of it noted (0: none)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-kedro", action="store_true", help="leave Kedro out")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    args = ap.parse_args()
    configure(args)
    mldsl()  # the measured copy installed before anything is timed
    report = Report(f"mldsl run beside its peers: a chain of {args.steps} trivial steps, each its own process")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        root = project(base / f"chain-{args.steps}", args.steps)
        kedro_py, why = (None, "") if args.no_kedro else kedro_python()
        if why:
            report.note(why)
        forked: list[float] = []
        plain: list[float] = []
        peers: dict[str, list[float]] = {"default logging": [], "logging off": []}
        version = "?"
        whole_run(root, base / "warm", args.steps, True)  # the disk cache warm for both
        for i in range(args.repeat):  # one of each a round: each sees the machine as busy as the others
            forked.append(whole_run(root, base / f"fork-{i}", args.steps, True)[0])
            plain.append(whole_run(root, base / f"plain-{i}", args.steps, False)[0])
            if kedro_py is not None:
                for mode, label in (("logging", "default logging"), ("quiet", "logging off")):
                    seconds, version = kedro(kedro_py, args.steps, mode)
                    peers[label].append(seconds)
        report.add(Target(f"a step of the {args.steps}-step chain (each step its own process)", forked, 0.008))
        if args.long:
            longer = whole_run(project(base / f"chain-{args.long}", args.long), base / "long", args.long, True)[0]
            report.note(f"a step of a {args.long:,}-step chain (one run): {longer * 1000:.1f} ms")
        firsts: dict[int, list[tuple[float, float]]] = {}
        for n in args.first_sizes:
            folder = root if n == args.steps else project(base / f"chain-{n}", n)
            pairs = []
            for i in range(args.repeat):
                compiled = run_seconds([*mldsl(), "compile", str(folder), "-o", str(base / f"out-{n}-{i}")])
                pairs.append((compiled, first_step(folder, base / f"first-{n}-{i}")))
            firsts[n] = pairs
            report.add(Target(f"first step ÷ compile, {n:,} steps", [f / c for c, f in pairs], 1.0, unit="x"))
        done = subprocess.run([python(), "-c", SCHEDULE, str(args.repeat)], capture_output=True, text=True, check=True)
        measured = json.loads(done.stdout)
        rounds, ops = measured["seconds"], measured["bytecodes"]
        for shape in ("chain", "mesh"):
            ratios = [r[f"{shape} 10000"] / r[f"{shape} 1000"] for r in rounds]
            report.add(Target(f"scheduling alone, 10,000 ÷ 1,000 tasks ({shape})", ratios, 12.0, unit="x"))
        sched = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
        rows = [
            ("mldsl run, steps forked from a warm interpreter", ms(forked), "its own process"),
            ("mldsl run, `MLDSL_RUN_FORK=0` (a fresh interpreter a step)", ms(plain), "its own process"),
        ]
        if kedro_py is not None:
            rows += [(f"Kedro {version} SequentialRunner, {k}", ms(v), "one process for all") for k, v in peers.items()]
        report.note(
            f"a step of the {args.steps}-step chain, medians of {args.repeat} rounds of one run each (KFP's local runner "
            "and Metaflow are not measured here; the issue's figures: 56 ms and 298 ms):\n\n"
            "| runner | a step | each step runs in |\n|---|---|---|\n" + "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
        )
        report.note(
            "first step, from launching `mldsl run` (medians): "
            + "; ".join(f"{n:,} steps {ms([f for _, f in p])} (compile {ms([c for c, _ in p])})" for n, p in firsts.items())
        )
        report.note(
            "scheduling alone, a task: "
            + "; ".join(f"{k} {v / int(k.split()[1]) * 1e6:.1f} µs" for k, v in sched.items())
            + "; bytecodes it runs, 10,000 ÷ 1,000 tasks: "
            + ", ".join(f"{s} {ops[f'{s} 10000'] / ops[f'{s} 1000']:.2f}×" for s in ("chain", "mesh"))
        )
    return report.finish(args.check)


if __name__ == "__main__":
    sys.exit(main())
