"""What a finished task leaves in its DAG's or steps' scope, and a DAG's outputs read from that scope."""

from __future__ import annotations

import json
from typing import Any

from mldsl.argo.errors import ExprError
from mldsl.argo.template import UnresolvedError, expand, replace
from mldsl.runner.base import (
    HOST_NODE,
    ExecutionBase,
    StepError,
    _json_item,
    _rfc3339,
    _Scope,
    aggregate,
)
from mldsl.runner.nodes import Artifact, Node


class TaskScope(ExecutionBase):
    """Task results into scope (:meth:`_record_task`) and a flow's outputs out of it (:meth:`_dag_outputs`)."""

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
            _record_fan_out(scope, key, child)
        elif child.phase in ("Skipped", "Omitted") and not child.params:
            for p in ((child.spec or {}).get("outputs") or {}).get("parameters", []):
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


def _record_fan_out(scope: _Scope, key: str, group: Node) -> None:
    """A fan-out's aggregates, from its succeeded items only (``operator.go`` processAggregateNodeOutputs)."""
    values: dict[str, list[str]] = {}
    maps = []
    results = []
    for item in group.children:
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
