"""What a DAG task's or step's text becomes before it runs: its references resolved, its items, each item's copy.

The part of :class:`~mldsl.runner.engine.Execution` that substitutes as the controller does (``dag.go``
resolveDependencyReferences, ``steps.go`` resolveReferences, ``operator.go`` expandSequence and processItem).
"""

from __future__ import annotations

import json
from typing import Any

from mldsl.argo.template import UnresolvedError, replace
from mldsl.runner.base import (
    ABSENT,
    ExecutionBase,
    StepError,
    WouldHangError,
    _item_text,
    _Scope,
    _should_execute,
    go_sprintf_int,
    go_value_text,
)


def _go_string(v: Any) -> str:
    from mldsl.argo.exprlang import go_string

    return go_string(v)


#: the names ``resolveDependencyReferences`` substitutes strictly (``dag.go`` l. 790, 838)
STRICT = ("tasks", "steps")


class TaskReferences(ExecutionBase):
    """References, items and item copies of a task (see the module's docstring)."""

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
