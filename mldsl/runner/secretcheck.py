"""Every secret a run's pods read, checked before the run starts (issue #29 item 11).

A step reads Kubernetes secret ``name``/``key`` locally from ``MLDSL_SECRET_<NAME>_<KEY>`` (``processes.secret_env``);
a missing one used to fail only when its step started, maybe an hour into the run. The same walk covers the objects
a resource template creates (a SparkApplication's driver, a training job's replicas), whose manifests are text.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

import yaml

from mldsl.runner.processes import secret_env


def missing_secrets(templates: list[dict[str, Any]], secrets: dict[str, str]) -> list[str]:
    """One line per required secret that ``secrets`` lacks (sorted, once each), with the ``export`` that gives it.

    A module's secret input is a ``secretKeyRef`` named by its template's params
    (``{{inputs.parameters.token-secret-name}}``): each task that calls the template gives them, so each call is
    read with its own arguments over the template's defaults."""
    calls = _calls(templates)
    wanted: dict[str, tuple[str, str, str]] = {}
    for tpl in templates:
        refs = _secret_refs(tpl)
        if not refs:
            continue
        defaults = {
            str(p["name"]): str(p["default"])
            for p in (tpl.get("inputs") or {}).get("parameters") or []
            if isinstance(p, dict) and "default" in p
        }
        for where, args in calls.get(str(tpl.get("name")), [(str(tpl.get("name", "?")), {})]):
            given = {**defaults, **args}
            for ref in refs:
                name, key, optional = (_fill(str(ref.get(k, "")), given) for k in ("name", "key", "optional"))
                if optional.lower() == "true" or "{{" in name + key:  # optional, or known only when the run says
                    continue
                wanted.setdefault(secret_env(name, key), (name, key, where))
    return [
        f"secret {name}/{key} (read by step {where}) is not set here: export {env}=... to give it to the step"
        for env, (name, key, where) in sorted(wanted.items())
        if env not in secrets
    ]


def _calls(templates: list[dict[str, Any]]) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """Template name to its callers: (the task's or step's name, its literal parameter arguments)."""
    out: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for tpl in templates:
        tasks = list((tpl.get("dag") or {}).get("tasks") or [])
        tasks += [s for group in tpl.get("steps") or [] for s in (group if isinstance(group, list) else [group])]
        for task in tasks:
            if not isinstance(task, dict) or "template" not in task:
                continue
            params = (task.get("arguments") or {}).get("parameters") or []
            args = {str(p["name"]): str(p["value"]) for p in params if isinstance(p, dict) and "value" in p}
            out.setdefault(str(task["template"]), []).append((str(task.get("name", task["template"])), args))
    return out


def _fill(text: str, params: dict[str, str]) -> str:
    """``{{inputs.parameters.NAME}}`` in ``text`` replaced by the value given, where one is."""
    return re.sub(r"\{\{\s*inputs\.parameters\.([\w-]+)\s*\}\}", lambda m: params.get(m.group(1), m.group(0)), text)


def _secret_refs(node: Any) -> list[dict[str, Any]]:
    """The ``secretKeyRef`` mappings under ``node``, including inside a resource template's manifest text."""
    out: list[dict[str, Any]] = []
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            ref = cur.get("secretKeyRef")
            if isinstance(ref, dict):
                out.append(ref)
            manifest = cur.get("manifest")
            if isinstance(manifest, str) and "secretKeyRef" in manifest:
                with contextlib.suppress(yaml.YAMLError):  # not ours to judge: the runner reports what it cannot read
                    stack.append(yaml.safe_load(manifest))
            stack.extend(v for k, v in cur.items() if k != "manifest")
        elif isinstance(cur, list):
            stack.extend(cur)
    return out
