"""DAGs and steps: what runs when (``schedule.py`` decides), fan-outs, arguments, exit hooks, outputs in scope."""

from __future__ import annotations

import errno
import functools
import json
import re
import threading
from typing import Any

from mldsl.argo.errors import ExprError
from mldsl.argo.template import UnresolvedError, expand, replace, substitute
from mldsl.runner.base import (
    ABSENT,
    CTX,
    HOST_NODE,
    ExecutionBase,
    StepError,
    WouldHangError,
    _continues,
    _item_name,
    _item_text,
    _json_item,
    _rfc3339,
    _Scope,
    _should_execute,
    _template_name,
    aggregate,
    go_sprintf_int,
    go_value_text,
)
from mldsl.runner.dagrun import DagRun
from mldsl.runner.nodes import Artifact, Node
from mldsl.runner.workers import limit_for, run_bounded


def _go_string(v: Any) -> str:
    from mldsl.argo.exprlang import go_string

    return go_string(v)


#: the names ``resolveDependencyReferences`` substitutes strictly (``dag.go`` l. 790, 838)
STRICT = ("tasks", "steps")


class Flows(ExecutionBase):
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

    def _record_task(self, scope: _Scope, name: str, child: Node, prefix: str = "tasks") -> None:
        """A finished task's status and outputs into its DAG's or steps' scope.

        Outputs are kept whatever the phase: a step that wrote them and then failed keeps them (the wait
        container saves them, ``cmd/argoexec/commands/postmain``; ``operator.go`` buildLocalScope l. 3632-3685).
        A fan-out's aggregates are made from its succeeded items only; a group none of whose items
        succeeded has no per-output aggregate, so a reference to one never resolves (``operator.go``
        processAggregateNodeOutputs l. 3743-3806). A skipped or omitted task's declared outputs take their
        ``default``, or are absent (``scope.go`` addSkippedNodeOutputsToScope l. 117-151).
        """
        key = f"{prefix}.{name}"
        scope.params[f"{key}.status"] = child.phase
        scope.params[f"{key}.id"] = child.id
        if child.started is not None:
            scope.params[f"{key}.startedAt"] = _rfc3339(child.started)
        if child.finished is not None:
            scope.params[f"{key}.finishedAt"] = _rfc3339(child.finished)
        if child.exit_code is not None:
            scope.params[f"{key}.exitCode"] = child.exit_code
        if child.daemoned:  # a daemon's pod IP: pods share this machine's network
            scope.params[f"{key}.ip"] = "127.0.0.1"
        if child.started is not None and any(k in (child.spec or {}) for k in ("container", "script", "containerSet")):
            scope.params[f"{key}.hostNodeName"] = HOST_NODE
        if child.result is not None:
            scope.params[f"{key}.outputs.result"] = child.result
        for k, v in child.params.items():
            scope.params[f"{key}.outputs.parameters.{k}"] = v
        for k, art in child.artifacts.items():
            scope.artifacts[f"{key}.outputs.artifacts.{k}"] = art
        if child.group and child.children:  # a fan-out: withItems/withParam/withSequence expanded
            values: dict[str, list[str]] = {}
            maps = []
            results = []
            for item in child.children:
                if item.phase != "Succeeded":
                    continue
                if item.params:
                    maps.append(dict(item.params))
                    for k, v in item.params.items():
                        values.setdefault(k, []).append(v)
                if item.result is not None:
                    results.append(_json_item(item.result))
            scope.params[f"{key}.outputs.parameters"] = json.dumps(maps, separators=(",", ":"))
            scope.params[f"{key}.outputs.result"] = json.dumps(results, separators=(",", ":"))
            for k, vs in values.items():
                scope.params[f"{key}.outputs.parameters.{k}"] = aggregate(vs)
        elif child.phase in ("Skipped", "Omitted") and not child.params:
            tpl = child.spec
            for p in ((tpl or {}).get("outputs") or {}).get("parameters", []):
                vf = p.get("valueFrom") or {}
                scope.params[f"{key}.outputs.parameters.{p['name']}"] = str(vf["default"]) if "default" in vf else None

    def _dag_outputs(self, tpl: dict[str, Any], scope: _Scope) -> tuple[dict[str, str], dict[str, Artifact]]:
        outputs = tpl.get("outputs") or {}
        params: dict[str, str] = {}
        for p in outputs.get("parameters", []):
            vf = p.get("valueFrom") or {}
            value: str | None = None
            try:
                if "expression" in vf:
                    # the template's tags are substituted before the expression runs (as Argo resolves a template)
                    from mldsl.argo.exprlang import evaluate, to_json

                    got = evaluate(replace(vf["expression"], scope.params, strict=False), expand(scope.params))
                    value = None if got is None else got if isinstance(got, str) else to_json(got)
                elif "parameter" in vf:
                    value = replace(vf["parameter"], scope.params)
            except (ExprError, UnresolvedError):
                value = None
            if value is None:
                if "default" not in vf:
                    raise StepError(f"Unable to resolve outputs.parameters.{p['name']}")
                value = replace(str(vf["default"]), scope.params, strict=False)
            params[p["name"]] = value
        arts: dict[str, Artifact] = {}
        for a in outputs.get("artifacts", []):
            got_art = self._artifact_ref({**a, "optional": a.get("optional", False)}, scope)
            if got_art is not None:
                arts[a["name"]] = got_art
        return params, arts

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

    def _scan(self, text: str, flat: dict[str, Any], *, strict: bool = False) -> str:
        return replace(text, flat, strict=strict, strict_prefixes=STRICT)

    def _resolve_references(self, task: dict[str, Any], flat: dict[str, Any]) -> dict[str, Any] | None:
        """The task with its references resolved, or None when its ``when`` is false and it does not loop.

        A missing ``tasks.*``/``steps.*`` value is requeued for ever on a cluster (``WouldHangError``); a pure
        reference to an absent optional is marked so the called template's own default applies
        (``scope.go`` markAbsentOptionalArgs l. 83-106).
        """
        loops = any(k in task for k in ("withItems", "withParam", "withSequence"))
        body = {k: v for k, v in task.items() if k not in ("hooks", "onExit")}
        try:
            if task.get("when"):
                when = self._scan(str(task["when"]), flat)
                try:
                    if not loops and not _should_execute(when.strip()):
                        return None
                except StepError:
                    if not loops:
                        raise
            args = body.get("arguments") or {}
            marked = []
            for p in args.get("parameters", []):
                text = go_value_text(p.get("value", ""))
                key = text.strip()[2:-2].strip() if text.strip().startswith("{{") and text.strip().endswith("}}") else ""
                if key and text.strip().count("{{") == 1 and key in flat and flat[key] is None:
                    p = {**p, "value": ABSENT}
                marked.append(p)
            if args:
                body["arguments"] = {**args, "parameters": marked}
            text = replace(json.dumps(body, ensure_ascii=False), flat, strict=False, json_escaped=True, strict_prefixes=STRICT)
        except UnresolvedError as exc:
            if "absent optional" not in str(exc):  # a missing value: requeued for ever (IsMissingVariableErr)
                raise WouldHangError(
                    f"{{{{{exc.tag.strip()}}}}} never resolves: on a cluster the workflow would wait for it for ever"
                ) from None
            raise StepError(str(exc)) from None
        out = json.loads(text)
        for k in ("hooks", "onExit"):
            if k in task:
                out[k] = task[k]
        return dict(out)

    def _items(self, task: dict[str, Any]) -> list[Any] | None:
        """A resolved task's items, or None when it does not loop (``operator.go`` expandSequence l. 4170-4220)."""
        if "withItems" in task:
            return list(task["withItems"])
        if "withParam" in task:
            text = str(task["withParam"])
            try:
                loaded = json.loads(text)
            except ValueError:
                loaded = None
            if not isinstance(loaded, list):
                raise StepError(f"withParam value could not be parsed as a JSON list: {text.strip()}")
            return loaded
        if "withSequence" in task:
            seq = {k: str(v) for k, v in task["withSequence"].items()}
            try:
                start = int(seq.get("start", "0"))
                if "end" in seq:
                    end = int(seq["end"])
                elif "count" in seq:
                    count = int(seq["count"])
                    if count == 0:
                        return []
                    end = start + count - 1
                else:
                    raise StepError("neither end nor count was specified in withSequence")
            except ValueError as exc:
                raise StepError(f"withSequence: {exc}") from None
            fmt = seq.get("format") or "%d"
            step = 1 if start <= end else -1
            return [go_sprintf_int(fmt, i) for i in range(start, end + step, step)]
        return None

    def _process_item(self, task: dict[str, Any], scope: _Scope, item: Any) -> dict[str, Any]:
        """An item's copy of the task, substituted strictly with the scope and the item (``operator.go``
        processItem l. 4093-4160); when its ``when`` is already false, leniently without absent values."""
        flat = {**self._runtime_globals(), **scope.params, **scope.shared}
        flat["item"] = _item_text(item)
        if isinstance(item, dict):
            for k, v in item.items():
                flat[f"item.{k}"] = v if isinstance(v, str) else _go_string(v)
        body = {k: v for k, v in task.items() if k not in ("withItems", "withParam", "withSequence", "hooks", "onExit")}
        strict = True
        if task.get("when"):
            try:
                strict = _should_execute(str(task["when"]).strip())
            except StepError:
                strict = True
        if not strict:
            flat = {k: v for k, v in flat.items() if v is not None}
        # artifact arguments were resolved to artifacts before (resolveDependencyReferences l. 855-873): no tags
        args = dict(body.get("arguments") or {})
        artifacts = args.pop("artifacts", None)
        if "arguments" in body:
            body["arguments"] = args
        out = json.loads(replace(json.dumps(body, ensure_ascii=False), flat, strict=strict, json_escaped=True))
        if artifacts is not None:
            out.setdefault("arguments", {})["artifacts"] = artifacts
        for k in ("hooks", "onExit"):
            if k in task:
                out[k] = task[k]
        return dict(out)

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
        try:
            if item is not None or node.is_item:
                task = self._process_item(task, scope, item)
            if task.get("when"):
                cond = str(task["when"]).strip()
                if not _should_execute(cond):
                    node.end("Skipped", f"when '{cond}' evaluated false")
                    self._notify(node)
                    return
            args = task.get("arguments") or {}
            params = {p["name"]: go_value_text(p.get("value", "")) for p in args.get("parameters", [])}
            local_item = {"item": _item_text(item)} if item is not None or node.is_item else None
            arts = {a["name"]: self._artifact_ref(a, scope, local_item) for a in args.get("artifacts", [])}
        except WouldHangError as exc:
            self._hang(node, exc)
            return
        except (UnresolvedError, StepError, ExprError) as exc:
            node.end("Error", str(exc))
            self._notify(node)
            return
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

    def _semaphores(self, tpl: dict[str, Any], scope: _Scope) -> list[threading.BoundedSemaphore]:
        """The semaphores a template takes (``synchronization``), each sized once from its ConfigMap key.

        As Argo's controller: the names are substituted with the template (workflow/common/util.go
        SubstituteParams), the limit is ``strconv.Atoi`` of the key, read when the lock is first taken
        (workflow/controller/controller.go createSynchronizationManager l. 471-492); a missing ConfigMap or
        key, or a limit that is not an integer, errors the node.
        """
        out = []
        for sem in (tpl.get("synchronization") or {}).get("semaphores", []):
            try:
                ref = substitute(sem["configMapKeyRef"], scope.globals())
            except UnresolvedError as exc:
                raise StepError(f"failed to resolve {exc}") from None
            name, key = str(ref["name"]), str(ref["key"])
            with self.lock:
                if (name, key) not in self.semaphores:
                    made = self.objects.get("ConfigMap", name)  # a plain run's resource step made it
                    if name not in self.config_maps and made is not None:
                        self.config_maps[name] = {str(k): str(v) for k, v in (made.get("data") or {}).items()}
                    if name not in self.config_maps:
                        raise StepError(f'configmaps "{name}" not found')
                    text = self.config_maps[name].get(key)
                    if text is None:
                        raise StepError(f"Sync configuration key '{key}' not found in ConfigMap")
                    if not re.fullmatch(r"[+-]?[0-9]+", text):
                        raise StepError(f'strconv.Atoi: parsing "{text}": invalid syntax')
                    self.semaphores[(name, key)] = threading.BoundedSemaphore(max(1, int(text)))
                out.append(self.semaphores[(name, key)])
        sync = tpl.get("synchronization") or {}
        mutexes = [*sync.get("mutexes", []), *([sync["mutex"]] if sync.get("mutex") else [])]
        for mutex in mutexes:  # a mutex is a semaphore of one, by name (sync/mutex.go)
            try:
                name = replace(str(mutex.get("name", "")), scope.globals())
            except UnresolvedError as exc:
                raise StepError(f"failed to resolve {exc}") from None
            with self.lock:
                out.append(self.semaphores.setdefault(("mutex", name), threading.BoundedSemaphore(1)))
        return out

    @staticmethod
    def _lift_fan_out(node: Node) -> None:
        """A throttled fan-out is a DAG around one looped task (after the task writing its limit, when that is
        a value): its items are the step's items."""
        looped = [n for n in node.inner.values() if n.total is not None]
        if len(looped) == 1:
            node.total = looped[0].total
            node.children = looped[0].children
