"""``mldsl run`` of a Sweep: its trials run on this machine and the best is picked as the compiled sweep picks it.

A grid or random sweep's trials are known when it compiles (``ir.Sweep.trials``). Its driver Workflow creates a
child Workflow of the trial pipeline's WorkflowTemplate per trial, ``parallelism`` at a time, then a pod runs
``pick_best.py`` over their objectives (``backends/argo/sweep.py``). Here each trial runs that same compiled
WorkflowTemplate with ``mldsl run``'s engine (a run record of its own), and ``pick_best.pick``, the code of that
pod, names the best. Bayesian, TPE and Hyperband sweeps are refused: Katib's suggestion service draws their
trials as earlier ones end. One record holds the sweep: a step per trial (its params, objective and run), the
best as its outputs, so ``mldsl runs`` and the UI's runs panel show it as any run.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from mldsl.backends import emit_all
from mldsl.backends.argo.pick_best import pick
from mldsl.backends.argo.sweep import trial_list
from mldsl.compiler import ir
from mldsl.ops.local_setup import EXIT_FAILED, EXIT_OK, describe, echo_err, echo_out, local_setup, step_names
from mldsl.ops.params import as_pairs, parse_params, with_uri_params
from mldsl.ops.project import UsageError
from mldsl.runner import guard
from mldsl.runner.session import Runner, RunRefusedError, _iso, prepare, record_text
from mldsl.runner.view import wait_loop

LOCAL_STRATEGIES = ("grid", "random")


def pick_sweep(program: ir.Program, name: str | None, where: str) -> ir.Sweep:
    if name is None and len(program.sweeps) == 1:
        return program.sweeps[0]
    found = next((s for s in program.sweeps if s.name == name), None)
    if found is None:
        names = ", ".join(s.name for s in program.sweeps)
        raise UsageError(f"{where} holds {len(program.sweeps)} sweeps ({names}): choose one with --pipeline NAME")
    return found


def run_sweep(
    program: ir.Program,
    path: Path,
    name: str | None,
    pairs: list[str],
    parallel: int | None,
    no_cache: bool,
    executor: str,
    fmt: str,
) -> None:
    """Run every trial of the sweep, pick the best, record the sweep; exit 0 when a best was picked."""
    sweep = pick_sweep(program, name, str(path))
    if sweep.strategy not in LOCAL_STRATEGIES:
        raise UsageError(
            f"cannot run here: sweep {sweep.name!r} searches with {sweep.strategy}, whose trials Katib's suggestion "
            "service draws as earlier ones end; grid and random sweeps run locally (their trials are known when compiling)"
        )
    if pairs:
        raise UsageError(f"-p sets a pipeline's params; sweep {sweep.name!r} takes its values from params: and fixed:")
    trials = Trials(program, sweep, path, parallel, no_cache, executor)
    swept = sweep.pipeline.trial_of or sweep.pipeline.name
    count = len(trials.trials)
    echo_err(f"mldsl run: sweep {sweep.name} in {trials.folder}: {count} trials of {swept}, {trials.width} at a time")
    trials.start()
    wait_loop(trials)
    record = trials.finish()
    if fmt == "json":
        echo_out(record_text(record).rstrip("\n"))
    else:
        _summary(sweep, record)
    raise SystemExit(EXIT_OK if record["status"] == "Succeeded" else EXIT_FAILED)


class Trials:
    """The trials of one sweep as runs of the trial pipeline, ``width`` at a time: what ``wait_loop`` waits for,
    stops (Ctrl-C) and checkpoints, as it does a single run."""

    def __init__(
        self, program: ir.Program, sweep: ir.Sweep, path: Path, parallel: int | None, no_cache: bool, executor: str
    ) -> None:
        self.sweep = sweep
        pipeline = sweep.pipeline
        manifest = next(
            m
            for m in emit_all(program._replace(pipelines=(pipeline,), sweeps=()), ("argo",))
            if m.kind == "WorkflowTemplate" and m.name == pipeline.name
        )
        self.spec = json.loads(json.dumps(manifest.body))["spec"]
        self.namespace = program.project.namespace or "default"
        self.store, self.mounts, self.options = local_setup(program, path, parallel, no_cache, executor)
        self.trials: list[dict[str, Any]] = json.loads(trial_list(sweep))
        self.width = max(1, min(sweep.parallelism, parallel or sweep.parallelism))
        self.names = step_names(pipeline)
        self.run_id, self.folder = self.store.new_run(sweep.name)
        self.started = time.time()
        self.results: dict[int, dict[str, Any]] = {}  # trial index -> its step in the sweep's record
        self.runners: list[Runner] = []
        self.stopped = ""
        self.lock = threading.Lock()
        self.done = threading.Event()
        guard.start()
        self.process = guard.this_process()

    # --- what wait_loop drives ------------------------------------------------------------------------------
    def start(self) -> None:
        self.save(self.record("Running"))
        guard.record(self.folder / "run.json", self.started)  # marked Error should this process be killed
        threading.Thread(target=self._run_all, name=f"sweep-{self.sweep.name}", daemon=True).start()

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)

    def stop(self, strategy: str = "Stop") -> None:
        with self.lock:
            self.stopped = strategy
            running = list(self.runners)
        for runner in running:
            runner.stop(strategy)

    def checkpoint(self) -> None:
        if not self.done.is_set():
            self.save(self.record("Running"))

    # --- the trials ------------------------------------------------------------------------------------------
    def _run_all(self) -> None:
        try:
            with ThreadPoolExecutor(self.width, thread_name_prefix="trial") as pool:
                list(pool.map(self._trial, self.trials))
        finally:
            self.done.set()

    def _trial(self, trial: dict[str, Any]) -> None:
        index = int(trial["trial"])
        params = {k: v for k, v in trial.items() if k != "trial"}
        step: dict[str, Any] = {"phase": "Omitted", "outputs": dict(params)}
        try:
            if not self.stopped:
                step = self._run_trial(params)
        except Exception as exc:  # a trial's own failure is the trial's, never the sweep's crash
            step = {"phase": "Error", "outputs": dict(params), "message": f"{type(exc).__name__}: {exc}"}
        with self.lock:
            self.results[index] = step
        shown = ", ".join(f"{k}={v}" for k, v in params.items())
        metric = step["outputs"].get(self.sweep.objective_output)
        score = f", {self.sweep.objective_output}={metric}" if metric is not None else ""
        echo_err(f"  trial {index} ({shown}): {step['phase']}{score}" + (f"  run {step['run']}" if "run" in step else ""))

    def _run_trial(self, params: dict[str, Any]) -> dict[str, Any]:
        pipeline = self.sweep.pipeline
        values, problems = parse_params(pipeline, as_pairs({**dict(self.sweep.fixed), **params}), artifacts=True)
        if problems:
            return {"phase": "Error", "outputs": dict(params), "message": "; ".join(problems)}
        values = with_uri_params(pipeline, values)
        arts = {p.name for p in pipeline.params if p.type.kind == "artifact"}
        try:
            prep = prepare(self.spec, pipeline.name, values, arts, self.mounts, self.options, self.store, self.namespace)
        except RunRefusedError as exc:
            return {"phase": "Error", "outputs": dict(params), "message": "; ".join(exc.problems)}
        describe(prep, pipeline)
        runner = Runner(prep, lambda node: None, self.names)
        with self.lock:
            self.runners.append(runner)
            if self.stopped:  # a stop that came while this trial was being prepared
                runner.stop(self.stopped)
        runner.start()
        runner.wait()
        record = runner.save(runner.record())
        with self.lock:
            self.runners.remove(runner)
        objective = (record.get("steps", {}).get(self.sweep.objective_step) or {}).get("outputs", {})
        step: dict[str, Any] = {"phase": record["status"], "duration": record["duration"], "run": record["run"]}
        step["outputs"] = {**params, **({self.sweep.objective_output: objective[self.sweep.objective_output]}
                                        if self.sweep.objective_output in objective else {})}  # fmt: skip
        if record.get("message"):
            step["message"] = record["message"]
        return step

    # --- the sweep's record ----------------------------------------------------------------------------------
    def finish(self) -> dict[str, Any]:
        """The sweep's final record: the best trial as ``pick_best.py`` picks it, saved."""
        sweep = self.sweep
        results = [
            {"trial": i, "workflow": s["run"], "metric": s["outputs"][sweep.objective_output]}
            for i, s in sorted(self.results.items())
            if s["phase"] == "Succeeded" and sweep.objective_output in s["outputs"]
        ]
        status, message, outputs = "Succeeded", "", {}
        if self.stopped:
            status, message = "Failed", f"Stopped with strategy '{self.stopped}'"
        else:
            try:
                best = pick(self.trials, results, sweep.goal, sweep.max_failed_trials)
            except SystemExit as exc:
                status, message = "Failed", str(exc.code)
            else:
                outputs = {"best-params": best["params"], "best-metric": best["metric"], "best-workflow": best["workflow"]}
                outputs["best-trial"] = best["trial"]
        return self.save(self.record(status, message, outputs))

    def record(self, status: str, message: str = "", outputs: dict[str, Any] | None = None) -> dict[str, Any]:
        sweep = self.sweep
        with self.lock:
            steps = {f"trial-{i}": dict(s) for i, s in sorted(self.results.items())}
        finished = time.time() if status != "Running" else None
        record: dict[str, Any] = {
            "run": self.run_id,
            "pipeline": sweep.name,
            "status": status,
            "params": dict(sweep.fixed),
            "outputs": outputs or {},
            "steps": steps,
            "sweep": {
                "pipeline": sweep.pipeline.trial_of or sweep.pipeline.name,
                "strategy": sweep.strategy,
                "objective": f"steps.{sweep.objective_step}.outputs.{sweep.objective_output}",
                "goal": sweep.goal,
                "trials": len(self.trials),
                "parallelism": self.width,
            },
            "given": [],
            "changed": {},
            "started": _iso(self.started),
            "finished": _iso(finished) if finished else None,
            "duration": round((finished or time.time()) - self.started, 3),
            "folder": str(self.folder),
            "process": self.process,
        }
        if message:
            record["message"] = message
        return record

    def save(self, record: dict[str, Any]) -> dict[str, Any]:
        self.store.write_record(self.folder, record)
        if record["status"] != "Running":
            guard.saved(self.folder / "run.json")
        return record


def _summary(sweep: ir.Sweep, record: dict[str, Any]) -> None:
    echo_err(f"sweep {record['run']}: {record['status']} in {record['duration']:.1f}s")
    if record.get("message"):
        echo_err(f"  {record['message']}")
    out = record["outputs"]
    if out:
        shown = ", ".join(f"{k}={v}" for k, v in out["best-params"].items())
        echo_err(f"  best: trial {out['best-trial']} ({shown}): {sweep.objective_output}={out['best-metric']}")
        echo_err(f"  its run: {out['best-workflow']} (mldsl runs show {out['best-workflow']})")
