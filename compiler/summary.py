"""Plain-data summaries of compiled pipelines and modules, for people and diffs.

A summary is what a reviewer cares about, in a stable shape: the resolved
module version of every step, its bindings as source text, its policies and
resources, the params with their defaults, the schedule. Semantic diffs
compare two summaries; ``mldsl graph`` draws one.
"""

from __future__ import annotations

import hashlib
from typing import Any

from mldsl.compiler import ir
from mldsl.compiler.printer import expr, value
from mldsl.compiler.subpipelines import SubPipelineRun
from mldsl.lang.constraints import Param
from mldsl.lang.durations import format_duration


def param(p: Param) -> dict[str, Any]:
    out: dict[str, Any] = {"type": str(p.type)}
    if p.has_default:
        out["default"] = p.default
    for name, v in (
        ("optional", p.optional),
        ("min", p.minimum),
        ("max", p.maximum),
        ("pattern", p.pattern),
        ("min_length", p.min_length),
        ("max_length", p.max_length),
    ):
        if v not in (None, False):
            out[name] = v
    if p.exclusive_min:
        out["exclusive_min"] = True
    if p.exclusive_max:
        out["exclusive_max"] = True
    return out


def _shown(v: Any) -> Any:
    """A literal as is; a count or size from a value as the user wrote it (``${{ inputs.workers }}``)."""
    return v if isinstance(v, (str, int, float)) or v is None else value(v)


def resources(r: ir.Resources) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if r.cpu:
        out["cpu"] = _shown(r.cpu)
    if r.memory:
        out["memory"] = _shown(r.memory)
    if r.gpu:
        out["gpu"] = _shown(r.gpu)
    return out


def _run(
    r: ir.ContainerRun | ir.PythonRun | ir.NotebookRun | ir.SparkRun | ir.DistributedRun | ir.DeployRun | ir.ApproveRun,
) -> dict[str, Any]:
    """What the module runs, as shown (an operator's job: :func:`_operator_run`)."""
    run: dict[str, Any]
    if isinstance(r, ir.ContainerRun):
        run = {
            "kind": "container",
            "image": r.image,
            "command": [value(c) for c in r.command],
            "args": [value(a) for a in r.args],
            "env": {k: value(v) for k, v in r.env},
        }
    elif isinstance(r, ir.PythonRun):
        run = {
            "kind": "python",
            "image": r.image,
            "packages": list(r.packages),
            "source_sha256": hashlib.sha256(r.source.encode()).hexdigest()[:12],
        }
    elif isinstance(r, ir.NotebookRun):
        run = {
            "kind": "notebook",
            "image": r.image,
            "file": r.file,
            "kernel": r.kernel,
            "cells": list(r.cells),  # `mldsl diff` names the cells that changed (review/semdiff.py)
            "env": {k: value(v) for k, v in r.env},
        }
    elif isinstance(r, ir.ApproveRun):
        run = {"kind": "approve", "message": r.message, "timeout": _timeout(r.timeout_seconds)}
    elif isinstance(r, ir.DeployRun):
        s = r.serving
        run = {
            "kind": "deploy",
            "serving": s.name,
            "backend": s.backend,
            "models": [{"name": x.name, "weight": x.weight, "uri": x.uri, "server": x.server} for x in s.models],
        }
    else:
        run = _operator_run(r)
    return run


def _operator_run(r: ir.SparkRun | ir.DistributedRun) -> dict[str, Any]:
    """A Spark application's or a distributed training job's settings, as shown."""
    if isinstance(r, ir.SparkRun):
        return {
            "kind": "spark",
            "image": r.image,
            "main": r.main,
            "main_class": r.main_class,
            "args": [value(a) for a in r.args],
            "spark_version": r.spark_version,
            "driver": {"cores": r.driver_cores, "memory": r.driver_memory},
            "executor": {
                "instances": _shown(r.executor_instances),
                "cores": r.executor_cores,
                "memory": r.executor_memory,
                "gpu": r.executor_gpu,
            },
            "conf": {k: value(v) for k, v in r.conf},
            "env": {k: value(v) for k, v in r.env},
        }
    return {
        "kind": "distributed",
        "framework": r.framework,
        "image": r.image,
        "command": [value(c) for c in r.command],
        "args": [value(a) for a in r.args],
        "workers": _shown(r.workers),
        "gpus_per_worker": _shown(r.gpus_per_worker),
        "resources": resources(r.resources),
        "env": {k: value(v) for k, v in r.env},
    }


def module(m: ir.Module) -> dict[str, Any]:
    run = _run(m.run)
    out = {
        "version": m.version,
        "description": m.description,
        "inputs": {p.name: param(p) for p in m.inputs},
        "outputs": {p.name: param(p) for p in m.outputs},
        "resources": resources(m.resources),
        "run": run,
    }
    out.update(pod_settings(m.pod))
    return out


def pod_settings(pod: ir.PodSettings | None) -> dict[str, Any]:
    """Volumes, service account and pod metadata, when set (reviewers see a new mount or identity)."""
    if pod is None:
        return {}
    out: dict[str, Any] = {}
    if pod.volumes:
        out["volumes"] = {
            v.name: {k: x for k, x in v._asdict().items() if k != "name" and x not in (None, False)} for v in pod.volumes
        }
    if pod.service_account:
        out["service_account"] = pod.service_account
    if pod.labels or pod.annotations:
        out["pod"] = {k: dict(x) for k, x in (("labels", pod.labels), ("annotations", pod.annotations)) if x}
    return out


def _timeout(seconds: int | None) -> str | None:
    return None if seconds is None else format_duration(seconds)


def _retries(r: ir.Retry, written: dict[str, str]) -> dict[str, Any]:
    """``retries`` as written: ``{limit, policy, backoff: {duration: 1m, factor, max_duration}}``."""
    out: dict[str, Any] = {"limit": r.limit}
    if r.policy is not None:
        out["policy"] = r.policy
    backoff: dict[str, Any] = {}
    if r.backoff_seconds is not None:
        backoff["duration"] = written.get("backoff.duration") or format_duration(r.backoff_seconds)
    if r.backoff_factor is not None:
        backoff["factor"] = r.backoff_factor
    if r.backoff_max_seconds is not None:
        backoff["max_duration"] = written.get("backoff.max_duration") or format_duration(r.backoff_max_seconds)
    if backoff:
        out["backoff"] = backoff
    return out


def step(s: ir.Step) -> dict[str, Any]:
    written = dict(s.written)
    out: dict[str, Any] = {"module": s.module.key, "with": {k: value(v) for k, v in s.bindings}}
    if isinstance(s.module.run, SubPipelineRun):  # a pipeline: step as written, its steps shown with that pipeline
        out = {"module": f"pipeline {s.module.name}", "with": out["with"]}
    if isinstance(s.module.run, ir.ApproveRun):  # no module: what the person is asked, and for how long
        run = s.module.run
        timeout = written.get("approve.timeout") or _timeout(run.timeout_seconds)
        out = {"module": "approve", "approve": {"message": run.message, "timeout": timeout}}
    if s.depends:
        out["depends"] = list(s.depends)
    if s.when is not None:
        out["when"] = expr(s.when)
    if s.for_each is not None:
        out["for_each"] = value(s.for_each)
    if s.parallelism:
        out["parallelism"] = _shown(s.parallelism)
    merged = s.resources or ir.Resources()
    res = resources(
        ir.Resources(
            cpu=merged.cpu or s.module.resources.cpu,
            memory=merged.memory or s.module.resources.memory,
            gpu=merged.gpu or s.module.resources.gpu,
        )
    )
    if res:
        out["resources"] = res
    if s.retry is not None:
        out["retries"] = _retries(s.retry, written)
    if s.timeout_seconds is not None:  # as written: a review reads "1h → 90m", not "1h → 1h30m"
        out["timeout"] = written.get("timeout") or format_duration(s.timeout_seconds)
    if s.cache_seconds is not None:
        out["cache"] = written.get("cache") or format_duration(s.cache_seconds)
    if s.node_selector:
        out["node_selector"] = dict(s.node_selector)
    if s.tolerations:
        out["tolerations"] = [{k: v for k, v in t._asdict().items() if v is not None} for t in s.tolerations]
    if s.env:
        out["env"] = {k: value(v) for k, v in s.env}
    if isinstance(s.module.run, ir.DeployRun) and (s.module.run.weight is not None or s.module.run.promote):
        out["rollout"] = "promote" if s.module.run.promote else f"weight {s.module.run.weight}"
    if s.continue_on_failure:
        out["continue_on_failure"] = True
    out.update(pod_settings(s.pod))
    return out


def pipeline(p: ir.Pipeline) -> dict[str, Any]:
    out: dict[str, Any] = {
        "description": p.description,
        "labels": dict(p.labels),
        "params": {q.name: param(q) for q in p.params},
        # as written: a pipeline: step is one step (``model``), never the inlined ``model__evaluate``
        "steps": {s.name: step(s) for s in p.written_steps or p.steps},
        "outputs": {k: value(v) for k, v in (p.written_outputs if p.written_steps else p.outputs)},
    }
    if p.schedule is not None:
        s = p.schedule
        out["schedule"] = {"cron": list(s.crons), "timezone": s.timezone, "concurrency": s.concurrency, "suspend": s.suspend}
    if p.on_exit is not None:
        out["on_exit"] = step(p.on_exit)
    if p.exit_steps:
        out["on_exit"] = {"steps": {s.name: step(s) for s in p.exit_steps}}
    if p.parallelism:
        out["parallelism"] = p.parallelism
    if p.ttl_seconds is not None:
        out["ttl"] = format_duration(p.ttl_seconds)
    return out


def serving(s: ir.Serving) -> dict[str, Any]:
    """What a reviewer checks in a Serving: backend, scale, and each model's traffic share and URI."""
    out: dict[str, Any] = {"backend": s.backend, "replicas": s.replicas}
    if s.autoscale is not None:
        out["autoscale"] = dict(zip(("min", "max", "metric", "target"), s.autoscale, strict=True))
    out["resources"] = resources(s.resources)
    out["traffic"] = {m.name: {"weight": m.weight, "uri": m.uri, "server": m.server} for m in s.models}
    if s.shadow is not None:
        out["shadow"] = {"uri": s.shadow.uri, "server": s.shadow.server}
    return out


def sweep(s: ir.Sweep) -> dict[str, Any]:
    """A Sweep's search: its pipeline, strategy, space, budget and objective."""
    out: dict[str, Any] = {
        "pipeline": s.pipeline.trial_of or s.pipeline.name,
        "strategy": s.strategy,
        "params": {d.name: {d.kind: list(d.args)} for d in s.dimensions},
        "fixed": dict(s.fixed),
        "max_trials": s.max_trials if s.max_trials is not None else len(s.trials),
        "parallelism": s.parallelism,
        "objective": f"{s.goal} " + (s.objective_metric or f"steps.{s.objective_step}.outputs.{s.objective_output}"),
    }
    if s.pipeline.trial_of is not None:
        out["trial_steps"] = [st.name for st in s.pipeline.steps]
    return out
