"""One DAG template's run: :class:`~mldsl.runner.schedule.DagSchedule` decides, this starts what it decides on
bounded threads (``workers.py``), reports what ended, and reads the DAG's phase as Argo does (``dag.go``)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from typing import Any

from mldsl.argo.depends import DependsError, TaskResult, evaluate_depends
from mldsl.runner.base import StepError, _continues, _result, _Scope, _template_name, task_dependencies
from mldsl.runner.nodes import Artifact, Node
from mldsl.runner.schedule import DagSchedule
from mldsl.runner.workers import limit_for


class DagRun:
    """A DAG's tasks under one node: ``run`` drives them to the end and gives (phase, message, outputs)."""

    def __init__(self, flows: Any, node: Node, tpl: dict[str, Any], scope: _Scope) -> None:
        self.ex: Any = flows  # the Flows (Execution) whose _task, _record_task, _notify and _fault run each task
        self.node, self.tpl, self.scope = node, tpl, scope
        self.tasks = {t["name"]: t for t in tpl["dag"]["tasks"]}
        self.plan = self._plan()
        self.slots = threading.BoundedSemaphore(int(tpl["parallelism"])) if tpl.get("parallelism") else None
        self.cond = threading.Condition()
        self.running: set[str] = set()
        self.errors: list[BaseException] = []
        self.ended: deque[tuple[str, Node]] = deque()

    def _plan(self) -> DagSchedule:
        tasks = self.tasks
        deps = {n: [d for d in task_dependencies(t) if d in tasks] for n, t in tasks.items()}

        def depends(name: str, results: Mapping[str, object]) -> bool:
            task = tasks[name]
            try:
                return evaluate_depends(
                    str(task.get("depends") or ""),
                    {d: r for d, r in results.items() if isinstance(r, TaskResult)},
                    tasks=tasks,
                    dependencies=[str(d) for d in task.get("dependencies") or []],
                )
            except (DependsError, LookupError) as exc:
                raise ValueError(str(exc)) from None

        return DagSchedule(
            deps,
            {n: bool(t.get("depends") or t.get("dependencies")) for n, t in tasks.items()},
            depends,
            lambda n, phase: _continues(tasks[n], phase),
            target=str(self.tpl["dag"].get("target") or "").split(),
            fail_fast=self.tpl["dag"].get("failFast", True) is not False,
        )

    def _work(self, name: str, child: Node) -> None:
        try:
            self.ex._task(child, self.tasks[name], self.scope, self.slots)
        except OSError as exc:  # a full disk, a folder that cannot be written: the task errs, saying why
            self.ex._fault(child, exc)
        except BaseException as exc:  # surfaced by run(); the DAG must not hang
            self.errors.append(exc)
            child.end("Error", str(exc))
        self.ex._notify(child)
        with self.cond:
            self.ended.append((name, child))
            self.running.discard(name)
            self.cond.notify_all()

    def child_of(self, name: str) -> Node:
        child = self.node.inner.get(name) or Node(self.ex._new_id(name), name, _template_name(self.tasks[name]))
        self.node.inner[name] = child
        return child

    def _drive(self) -> None:
        """Start what the schedule decides, at most ``limit_for(--parallel)`` threads at once, until all ended."""
        plan, ex = self.plan, self.ex
        pending = deque(plan.start())
        ready: deque[tuple[str, Node]] = deque()  # to start when a thread is free (workers.py: bounded)
        limit = limit_for(ex.options.parallel)
        with self.cond:
            while True:
                while pending:
                    d = pending.popleft()
                    child = self.child_of(d.task)
                    if d.action != "run":
                        child.end("Omitted" if d.action == "omit" else "Error", d.message)
                        ex._record_task(self.scope, d.task, child)
                        ex._notify(child)
                        pending.extend(plan.finish(d.task, child.phase, _result(child)))
                        continue
                    ready.append((d.task, child))
                while ready and len(self.running) < limit:
                    task, child = ready.popleft()
                    if plan.halted or ex.procs.stopping.is_set():
                        continue  # fail fast: a task whose turn comes after the DAG failed never starts
                    self.running.add(task)
                    threading.Thread(target=self._work, args=(task, child), daemon=True).start()
                while self.ended:
                    name, child = self.ended.popleft()
                    ex._record_task(self.scope, name, child)
                    pending.extend(plan.finish(name, child.phase, _result(child)))
                if pending or (ready and len(self.running) < limit):
                    continue
                if not self.running:
                    break
                self.cond.wait()

    def run(self) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        self._drive()
        if self.errors and not isinstance(self.errors[0], StepError):
            raise self.errors[0]
        for name in self.plan.never_started():
            self.child_of(name).end("Omitted", "not run: the DAG failed before its turn")
        if self.ex.procs.stopping.is_set():
            return "Failed", "Stopped with strategy 'Stop'", {}, {}
        phase, culprit = self.plan.phase()
        if phase != "Succeeded":
            return phase, f"child '{self.node.inner[culprit].id}' failed", {}, {}
        out_params, out_arts = self.ex._dag_outputs(self.tpl, self.scope)
        node = self.node
        only = next(iter(node.inner.values())) if len(self.tasks) == 1 and node.inner else None
        if only is not None and only.phase in ("Failed", "Error"):
            # a step wrapped for continue_on_failure: Argo shows the wrapper Succeeded, the record says what happened
            node.continued = True
            return "Succeeded", "failed; the run continued (continue_on_failure)", out_params, out_arts
        return "Succeeded", "", out_params, out_arts
