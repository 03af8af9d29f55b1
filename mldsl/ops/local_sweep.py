"""``mldsl run`` of a Sweep: its trials run on this machine, the best picked as the compiled sweep picks it.

Grid and random sweeps know their trials when compiling (``ir.Sweep.trials``); each trial is an ordinary local run
of the swept pipeline (or its trial pipeline, with ``skip_steps``) with the sweep's fixed params and the trial's,
started as ``mldsl run PATH --trial N`` (a real process each, ``parallelism`` at once, as the driver Workflow runs
them), so every trial has its own record and logs. One sweep record then lists every trial, its params, run and
objective, and the best, picked by the compiled driver's own pick-best code (``backends/argo/pick_best.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from mldsl.backends.argo.pick_best import pick
from mldsl.compiler import ir
from mldsl.ops.project import UsageError


def pick_sweep(program: ir.Program, name: str | None, where: str) -> ir.Sweep:
    """The sweep ``name`` of ``program`` (the only one when ``name`` is None), else a usage error naming them."""
    names = [s.name for s in program.sweeps]
    if name is None and len(names) == 1:
        return program.sweeps[0]
    found = next((s for s in program.sweeps if s.name == name), None)
    if found is None:
        raise UsageError(f"{where} holds sweeps {', '.join(names)}: choose one with --pipeline")
    return found


def trial_params(sweep: ir.Sweep, index: int) -> dict[str, Any]:
    """Trial ``index``'s params: the sweep's fixed ones, then the trial's own."""
    if not 0 <= index < len(sweep.trials):
        raise UsageError(f"sweep {sweep.name} has trials 0 to {len(sweep.trials) - 1}, not {index}")
    return {**dict(sweep.fixed), **sweep.trials[index]}


def objective_of(sweep: ir.Sweep, record: dict[str, Any]) -> float | None:
    """The trial's objective, read where the compiled sweep reads it: the objective step's output."""
    step = (record.get("steps") or {}).get(sweep.objective_step) or {}
    value = (step.get("outputs") or {}).get(sweep.objective_output)
    try:
        return float(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def best_trial(sweep: ir.Sweep, trials: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, str]:
    """The best trial by the compiled sweep's own pick-best step (``backends/argo/pick_best.py`` ``pick``: a NaN
    or missing metric is a failed trial, ties go to the earlier one, more failures than ``max_failed_trials`` fail
    the sweep), and why there is none."""
    results = [
        {"metric": t["objective"], "trial": t["trial"], "workflow": t["run"]} for t in trials if t["status"] == "Succeeded"
    ]
    try:
        best = pick([dict(t) for t in sweep.trials], results, sweep.goal, sweep.max_failed_trials)
    except SystemExit as exc:
        return None, str(exc).removeprefix("pick-best: ")
    return trials[best["trial"]], ""


def run_sweep(
    sweep: ir.Sweep, path: Path, store: Any, *, parallel: int | None, executor: str, no_cache: bool, fmt: str
) -> dict[str, Any]:
    """Run every trial of ``sweep`` (``path`` holds it), record them in one sweep record, and return it."""
    if not sweep.trials:
        raise UsageError(
            f"sweep {sweep.name} searches with {sweep.strategy}, which Katib draws as trials finish: only grid and "
            "random sweeps, whose trials are known when compiling, run on this machine"
        )
    run_id, folder = store.new_run(sweep.name)
    started = time.time()

    def say(line: str) -> None:
        if fmt != "json":  # stdout holds only the sweep's record
            print(line, file=sys.stderr, flush=True)

    say(f"mldsl run: sweep {sweep.name}: {len(sweep.trials)} trials of {sweep.pipeline.name}, {run_id}")

    def one(index: int) -> dict[str, Any]:
        argv = [sys.executable, "-m", "mldsl", "run", str(path), "--trial", str(index), "--format", "json"]
        argv += ["--executor", executor] + (["--no-cache"] if no_cache else [])
        done = subprocess.run(argv, capture_output=True, text=True, env=os.environ.copy(), check=False)
        try:
            record = json.loads(done.stdout) if done.stdout.strip() else {}
        except ValueError:
            record = {}
        status = str(record.get("status") or "Failed")
        trial = {
            "trial": index,
            "params": sweep.trials[index],
            "run": record.get("run"),
            "status": status,
            "objective": objective_of(sweep, record) if status == "Succeeded" else None,
        }
        if status != "Succeeded":
            trial["message"] = str(record.get("message") or "".join(done.stderr.strip().splitlines()[-1:]) or "failed")
        say(
            f"  trial {index} {status}"
            + (
                f": {sweep.objective_metric or sweep.objective_output} = {trial['objective']}"
                if trial["objective"] is not None
                else ""
            )
        )
        return trial

    width = parallel or sweep.parallelism
    with ThreadPoolExecutor(max_workers=max(1, width)) as pool:
        trials = list(pool.map(one, range(len(sweep.trials))))
    best, why = best_trial(sweep, trials)
    status = "Succeeded" if best is not None else "Failed"
    record: dict[str, Any] = {
        "run": run_id,
        "pipeline": sweep.pipeline.trial_of or sweep.pipeline.name,
        "sweep": sweep.name,
        "status": status,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "duration": round(time.time() - started, 3),
        "params": dict(sweep.fixed),
        "changed": {},
        "given": [],
        "objective": {"metric": sweep.objective_metric, "goal": sweep.goal},
        "trials": trials,
        "outputs": {"best_trial": best["trial"], "best_objective": best["objective"], "best_run": best["run"]} if best else {},
        "folder": str(folder),
    }
    if best is not None:
        record["best"] = best
    if why:
        record["message"] = why
    store.write_record(folder, record)
    return record
