"""DAGs and steps: what runs when (``schedule.py`` decides), fan-outs, arguments, exit hooks, outputs in scope."""

from __future__ import annotations

import errno
import functools
import threading
from typing import Any

from mldsl.argo.errors import ExprError
from mldsl.argo.template import UnresolvedError, expand
from mldsl.runner.base import (
    CTX,
    ExecutionBase,
    StepError,
    WouldHangError,
    _continues,
    _item_name,
    _item_text,
    _Scope,
    _should_execute,
    _template_name,
    go_value_text,
)
from mldsl.runner.dagrun import DagRun
from mldsl.runner.nodes import Artifact, Node
from mldsl.runner.synchronization import Synchronization
from mldsl.runner.taskrefs import TaskReferences
from mldsl.runner.taskscope import TaskScope
from mldsl.runner.workers import limit_for, run_bounded


class Flows(TaskReferences, TaskScope, Synchronization, ExecutionBase):
    """The part of :class:`~mldsl.runner.engine.Execution` that runs flows."""

    def _dag(
        self,
        node: Node,
        tpl: dict[str, Any],
        params: dict[str, str],
        artifacts: dict[str, Artifact | None],
        outer: _Scope,
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        """Drive one DAG with :class:`~mldsl.runner.schedule.DagSchedule`: start what it decides, report what ended."""
        return DagRun(self, node, tpl, self._inner_scope(outer, params, artifacts, tpl)).run()

    def _steps(
        self,
        node: Node,
        tpl: dict[str, Any],
        params: dict[str, str],
        artifacts: dict[str, Artifact | None],
        outer: _Scope,
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        """A steps template: each group's steps run in parallel after the previous group succeeded (``steps.go``
        executeSteps l. 69-130: a group that failed or errored fails the template with its message)."""
        scope = self._inner_scope(outer, params, artifacts, tpl)
        slots = threading.BoundedSemaphore(int(tpl["parallelism"])) if tpl.get("parallelism") else None
        for i, group in enumerate(tpl.get("steps") or []):
            steps = group if isinstance(group, list) else (group or {}).get("steps", [])
            children = []
            for step in steps:
                child = Node(self._new_id(step["name"]), step["name"], _template_name(step), kind="steps")
                node.inner[f"{i}.{step['name']}"] = child
                children.append((step, child))
            jobs = (functools.partial(self._step_work, child, step, scope, slots) for step, child in children)
            started = run_bounded(jobs, limit_for(self.options.parallel), self.procs.stopping)
            for _, child in children[started:]:
                child.end("Omitted", "not run: the run stopped before its turn")
            for step, child in children:
                self._record_task(scope, step["name"], child, prefix="steps")
            if self.procs.stopping.is_set():
                return "Failed", "Stopped with strategy 'Stop'", {}, {}
            # a group fails when a child failed or errored without continueOn (steps.go executeStepGroup l. 362-372)
            bad = next(((s, c) for s, c in children if c.phase in ("Failed", "Error") and not _continues(s, c.phase)), None)
            if bad is not None:
                return "Failed", f"child '{bad[1].id}' failed", {}, {}
        out_params, out_arts = self._dag_outputs(tpl, scope)
        return "Succeeded", "", out_params, out_arts

    def _step_work(self, child: Node, step: dict[str, Any], scope: _Scope, slots: threading.BoundedSemaphore | None) -> None:
        try:
            self._task(child, step, scope, slots, prefix="steps")
        except StepError as exc:
            child.end("Error", str(exc))
        except BaseException as exc:
            self._fault(child, exc)
            return
        self._notify(child)

    def _inner_scope(
        self, outer: _Scope, params: dict[str, str], artifacts: dict[str, Artifact | None], tpl: dict[str, Any]
    ) -> _Scope:
        ctx = tpl.get(CTX)
        scope = _Scope(outer.globals(), {}, outer.shared, (str(ctx[0]), bool(ctx[1])) if ctx else None)
        for k, v in params.items():
            scope.params[f"inputs.parameters.{k}"] = v
        for k, art in artifacts.items():
            scope.artifacts[f"inputs.artifacts.{k}"] = art
        return scope

    def _task(
        self,
        node: Node,
        task: dict[str, Any],
        scope: _Scope,
        slots: threading.BoundedSemaphore | None,
        prefix: str = "tasks",
    ) -> None:
        """One DAG task or step: its references resolved, its items expanded, each item run.

        As the controller does it: the task's text is substituted once with its scope, strictly for other tasks'
        and steps' values (``dag.go`` resolveDependencyReferences l. 762-877, ``steps.go`` resolveReferences
        l. 439-570), its ``when`` first; then each item's copy again, strictly, with ``item`` (``operator.go``
        processItem l. 4093-4160).
        """
        tpl = self._resolve(task, scope.ctx)
        node.spec = tpl
        local = {**self._runtime_globals(), **scope.params, **scope.shared}
        try:
            resolved = self._resolve_references(task, local)
        except WouldHangError as exc:
            self._hang(node, exc)
            return
        except StepError as exc:
            node.end("Error", str(exc))
            return
        if resolved is None:  # its when is false and it does not loop: skipped without resolving the rest
            node.end("Skipped", f"when '{self._scan(str(task['when']), local)}' evaluated false")
            return
        try:
            items = self._items(resolved)
        except StepError as exc:
            node.end("Error", str(exc))
            return
        if items is None:
            self._expanded(node, resolved, tpl, scope, None, slots)
            return
        if not items:  # an empty list skips the task (dag.go l. 631-635; steps.go expandStepGroup l. 581-590)
            node.end("Skipped", "Skipped, empty params")
            return
        self._fan_out(node, task, resolved, tpl, scope, slots, items)

    def _fan_out(
        self,
        node: Node,
        task: dict[str, Any],
        resolved: dict[str, Any],
        tpl: dict[str, Any],
        scope: _Scope,
        slots: threading.BoundedSemaphore | None,
        items: list[Any],
    ) -> None:
        """A task's items, each a child node run as its own copy of the task; the group ends as its items did."""
        node.total = len(items)
        node.group = True
        node.start()
        self._notify(node)
        for i, item in enumerate(items):
            node.children.append(
                Node(
                    self._new_id(f"{task['name']}({i}:{_item_name(item)})"),
                    task["name"],
                    tpl["name"],
                    item=item,
                    is_item=True,
                    kind=node.kind,
                )
            )
        jobs = (
            functools.partial(self._expanded_safely, child, resolved, tpl, scope, child.item, slots) for child in node.children
        )
        started = run_bounded(jobs, limit_for(self.options.parallel), self.procs.stopping)
        for child in node.children[started:]:  # the run stopped before their turn: none stays Pending
            child.end("Omitted", "not run: the run stopped before its turn")
        # a task group is Succeeded unless an item failed or errored, even when every item was skipped
        # (dag.go executeDAGTask l. 704-714)
        bad = next((c for c in node.children if c.phase in ("Failed", "Error")), None)
        if bad is not None:
            node.end(bad.phase, f"child '{bad.id}' failed")
        else:
            node.end("Succeeded")

    def _hang(self, node: Node, exc: Exception) -> None:
        self.hang = self.hang or str(exc)
        node.end("Error", str(exc))
        self._notify(node)
        self.procs.stop_all()

    def _expanded_safely(self, node: Node, *args: Any) -> None:
        """:meth:`_expanded` in a worker thread: whatever it raises ends its node (never a node left Running)."""
        try:
            self._expanded(node, *args)
        except BaseException as exc:
            self._fault(node, exc)

    def _fault(self, node: Node, exc: BaseException) -> None:
        """An unexpected error in a node's thread: the node ends Error, saying why; a full disk stops the run."""
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            message = self.failed_disk(exc, node)
        else:
            message = f"mldsl run: {type(exc).__name__}: {exc}"
        if not node.done:
            node.end("Error", message)
        self._notify(node)

    def _expanded(
        self,
        node: Node,
        task: dict[str, Any],
        tpl: dict[str, Any],
        scope: _Scope,
        item: Any,
        slots: threading.BoundedSemaphore | None,
    ) -> None:
        prepared = self._prepared(node, task, scope, item)
        if prepared is None:
            return
        task, params, arts = prepared
        try:
            held = self._semaphores(tpl, scope)
        except StepError as exc:
            node.end("Error", str(exc))
            self._notify(node)
            return
        if slots is not None:
            slots.acquire()
        for sem in held:
            sem.acquire()
        try:
            if "dag" in tpl or "steps" in tpl:  # a pod's node stays Pending until it gets a slot (_leaf)
                node.start()
            try:
                phase, msg, out_params, out_arts = self._template(node, tpl, params, arts, scope)
            except StepError as exc:
                phase, msg, out_params, out_arts = "Error", str(exc), {}, {}
            if "dag" in tpl:
                self._lift_fan_out(node)
            node.params, node.artifacts = out_params, out_arts
            node.end(phase, msg)
        finally:
            for sem in held:
                sem.release()
            if slots is not None:
                slots.release()
        self._notify(node)
        self._exit_hook(node, task, scope)

    def _prepared(
        self, node: Node, task: dict[str, Any], scope: _Scope, item: Any
    ) -> tuple[dict[str, Any], dict[str, str], dict[str, Artifact | None]] | None:
        """The node's copy of the task (an item's, substituted), its arguments; None once the node has ended
        (its ``when`` false, or a reference that cannot resolve)."""
        try:
            if item is not None or node.is_item:
                task = self._process_item(task, scope, item)
            if task.get("when"):
                cond = str(task["when"]).strip()
                if not _should_execute(cond):
                    node.end("Skipped", f"when '{cond}' evaluated false")
                    self._notify(node)
                    return None
            args = task.get("arguments") or {}
            params = {p["name"]: go_value_text(p.get("value", "")) for p in args.get("parameters", [])}
            local_item = {"item": _item_text(item)} if item is not None or node.is_item else None
            arts = {a["name"]: self._artifact_ref(a, scope, local_item) for a in args.get("artifacts", [])}
        except WouldHangError as exc:
            self._hang(node, exc)
            return None
        except (UnresolvedError, StepError, ExprError) as exc:
            node.end("Error", str(exc))
            self._notify(node)
            return None
        return task, params, arts

    def _exit_hook(self, node: Node, task: dict[str, Any], scope: _Scope) -> None:
        """A step's or task's exit hook (``onExit``, or ``hooks.exit``): run once the node has completed, with
        its status and outputs in scope; its ``expression`` decides whether it runs (``exit_handler.go``
        runOnExitNode l. 17-56, resolveExitTmplArgument l. 58-100). Its result does not change the node's."""
        hook = dict((task.get("hooks") or {}).get("exit") or {})
        if task.get("onExit"):
            hook = {"template": task["onExit"]}
        if not hook or node.phase not in ("Succeeded", "Failed", "Error"):
            return
        hscope = scope.copy()
        self._record_task(hscope, str(task["name"]), node, prefix=node.kind)
        name = f"{task['name']}.onExit"
        child = Node(self._new_id(name), name, _template_name(hook), kind=node.kind)
        node.inner[name] = child
        if hook.get("expression"):
            try:
                from mldsl.argo.exprlang import evaluate

                run = evaluate(str(hook["expression"]), expand({**hscope.params, **hscope.shared}))
            except ExprError as exc:
                child.end("Error", str(exc))
                self._notify(child)
                return
            if run is not True:
                node.inner.pop(name)
                return
        holder = {k: v for k, v in hook.items() if k in ("template", "templateRef", "arguments")}
        try:
            self._task(child, {"name": name, **holder}, hscope, None, prefix=node.kind)
        except StepError as exc:
            child.end("Error", str(exc))
        self._notify(child)

    @staticmethod
    def _lift_fan_out(node: Node) -> None:
        """A throttled fan-out is a DAG around one looped task (after the task writing its limit, when that is
        a value): its items are the step's items."""
        looped = [n for n in node.inner.values() if n.total is not None]
        if len(looped) == 1:
            node.total = looped[0].total
            node.children = looped[0].children
