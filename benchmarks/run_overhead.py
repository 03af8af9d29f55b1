"""The local executor's own cost per step, and whether independent steps run in parallel.

Builds a project with a trivial python module, then runs through ``mldsl run``'s
engine (in-process, no live view):

* a chain of N steps: the wall time a step, everything included (python steps are
  forked from the run's warm interpreter, ``mldsl/runner/zygote.py``); beside it, the
  same step's script started as a plain ``python`` process, which is what a step cost
  before the zygote, and still costs where a step cannot be forked;
* a fan-out of N items with ``--parallel P``: the highest number of items seen
  running at once, and the speed-up over the chain.

    python benchmarks/run_overhead.py [--steps 100] [--parallel N] [--check]

Targets (issue #11): a step <= 30 ms, its process included (issue #11 allowed 30 ms
beyond the process; ``run_peers.py`` holds the chain to issue #25's 8 ms as users run
it); the fan-out runs P items at once (P = --parallel, default: the number of cores).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import Report, Target

PROJECT = "apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: bench}\nspec: {module_paths: [modules]}\n"
MODULE = """apiVersion: mldsl/v1
kind: Module
metadata: {name: noop, version: 1.0.0}
spec:
  inputs: {x: {type: int, default: 0}}
  outputs: {out: int}
  run:
    python:
      source: |
        write_output("out", inputs["x"] + 1)
"""


def chain(n: int) -> str:
    steps = ["    s0: {uses: noop@1}"]
    steps += [f'    s{i}: {{uses: noop@1, with: {{x: "${{{{ steps.s{i - 1}.outputs.out }}}}"}}}}' for i in range(1, n)]
    return "apiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {name: chain}\nspec:\n  steps:\n" + "\n".join(steps) + "\n"


def fan_out(n: int) -> str:
    return (
        "apiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {name: wide}\nspec:\n"
        f"  params: {{xs: {{type: 'list[int]', default: {list(range(n))}}}}}\n"
        '  steps:\n    each: {uses: noop@1, for_each: "${{ params.xs }}", with: {x: "${{ item }}"}}\n'
    )


def run(root: Path, pipeline: str, parallel: int) -> tuple[float, object]:
    from mldsl.backends import emit_all
    from mldsl.compiler import compile_paths
    from mldsl.runner.base import Options
    from mldsl.runner.mounts import Mounts
    from mldsl.runner.session import Runner, prepare
    from mldsl.runner.store import Store

    result = compile_paths([root])
    assert result.ok, [d.message for d in result.diagnostics]
    manifest = next(m.body for m in emit_all(result.program) if m.kind == "WorkflowTemplate" and m.name == pipeline)
    prep = prepare(manifest["spec"], pipeline, {}, set(), Mounts(), Options(parallel), Store(root / ".mldsl"), "default")
    runner = Runner(prep)
    start = time.perf_counter()
    runner.start()
    runner.wait()
    wall = time.perf_counter() - start
    assert runner.execution.status == "Succeeded", runner.execution.message
    return wall, runner


def process_cost(root: Path, runner: object, n: int) -> float:
    """The step's script run directly as plain processes, n times: a step's cost when it is not forked."""
    folder = next((Path(runner.folder) / "steps").iterdir())  # type: ignore[attr-defined]
    env = {**os.environ, "MLDSL_OUTPUTS_DIR": str(root / "out"), "MLDSL_LOCAL_RUN": "1", "MLDSL_INPUT_X": "1"}
    (root / "out").mkdir(exist_ok=True)
    start = time.perf_counter()
    for _ in range(n):
        subprocess.run([sys.executable, str(folder / "script")], env=env, check=True, stdout=subprocess.DEVNULL)
    return (time.perf_counter() - start) / n


def max_concurrency(runner: object) -> int:
    items = [c for c in runner.execution.main.inner["each"].children]  # type: ignore[attr-defined]
    events = sorted([(c.started, 1) for c in items] + [(c.finished, -1) for c in items])
    best = now = 0
    for _, d in events:
        now += d
        best = max(best, now)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--parallel", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    a = ap.parse_args()
    report = Report(f"mldsl run: a chain of {a.steps} steps and a fan-out of {a.steps} items")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "modules").mkdir()
        (root / "mldsl.yaml").write_text(PROJECT)
        (root / "modules" / "noop.yaml").write_text(MODULE)
        (root / "chain.yaml").write_text(chain(a.steps))
        (root / "wide.yaml").write_text(fan_out(a.steps))
        wall, runner = run(root, "chain", a.parallel)
        per_process = process_cost(root, runner, min(a.steps, 30))
        report.add(Target("a step of the chain, its process included", [wall / a.steps], 0.030))
        report.note(
            f"chain of {a.steps}: {wall:.2f} s; the step's script as a plain `python` process: {per_process * 1000:.0f} ms"
        )
        wide, runner = run(root, "wide", a.parallel)
        seen = max_concurrency(runner)
        report.add(
            Target(
                f"items running at once with --parallel {a.parallel}",
                [seen],
                min(a.parallel, a.steps),
                unit="items",
                at_least=True,
            )
        )
        report.note(f"fan-out of {a.steps}: {wide:.2f} s ({wall / wide:.1f}× faster than the chain)")
    return report.finish(a.check)


if __name__ == "__main__":
    sys.exit(main())
