"""``mldsl run FILE`` for a workflow mldsl did not write: a plain Argo Workflow, WorkflowTemplate or CronWorkflow.

The file's neighbours are what ``kubectl apply -f folder/`` would have put on a cluster (``argofiles.py``);
the controller's checks run before anything starts (``mldsl/argo/validate/``: a refused spec ends the run
``Failed``, "invalid spec: ...", as the controller marks it, ``operator.go`` l. 4521-4533); what needs more
than one machine has (a daemon, an image with no local emulation, a real cluster object) is refused with
the field and the reason, exit 2, before anything starts.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mldsl.runner.base import Options
from mldsl.runner.mounts import Mounts
from mldsl.runner.session import Prepared
from mldsl.runner.store import Store

ARGO_API = "argoproj.io/"


def is_argo_file(path: Path) -> bool:
    """Whether ``path`` is a YAML file of Argo objects (not an mldsl project)."""
    if not path.is_file():
        return False
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:20000]
    except OSError:
        return False
    return any(line.strip().startswith("apiVersion:") and ARGO_API in line for line in head.splitlines())


@dataclass
class Refusal:
    """Why this workflow cannot run on one machine: the field and the reason."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"cannot run here: {self.field}: {self.reason}"


def referenced_templates(
    spec: dict[str, Any], lookup: Callable[[str, str, bool], dict[str, Any]]
) -> list[tuple[str, dict[str, Any]]]:
    """The templates a workflow reaches through ``templateRef`` (transitively), each with where it is named."""
    out: list[tuple[str, dict[str, Any]]] = []
    seen: set[tuple[str, str, bool]] = set()
    todo = [(f"spec.templates[{i}]", t) for i, t in enumerate(spec.get("templates") or [])]
    while todo:
        _, t = todo.pop()
        holders = [
            *(s for g in t.get("steps") or [] for s in (g if isinstance(g, list) else [])),
            *((t.get("dag") or {}).get("tasks") or []),
        ]
        for h in holders:
            ref = h.get("templateRef")
            if not ref:
                continue
            key = (str(ref.get("name")), str(ref.get("template")), bool(ref.get("clusterScope")))
            if key in seen:
                continue
            seen.add(key)
            try:
                found = lookup(*key)
            except LookupError:
                continue
            label = f"{'clusterworkflowtemplate' if key[2] else 'workflowtemplate'}/{key[0]}.{key[1]}"
            out.append((label, found))
            todo.append((label, found))
    return out


def _templates(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"spec.templates[{i}]", t) for i, t in enumerate(spec.get("templates") or [])]


def refusals(spec: dict[str, Any], referenced: Sequence[tuple[str, dict[str, Any]]] = ()) -> list[Refusal]:
    """Every part of the workflow that cannot run on this machine, with its field path."""
    from mldsl.runner.images import refusal
    from mldsl.runner.podroot import isolation_available

    out: list[Refusal] = []
    why = isolation_available()
    if why is not None:
        out.append(Refusal("spec", f"a pod needs a filesystem of its own and {why}"))
    for where, t in [*_templates(spec), *referenced]:
        for kind in ("http", "plugin"):
            if kind in t:
                out.append(Refusal(f"{where}.{kind}", f"an {kind} template needs the cluster's agent and network"))
        if "resource" in t:
            from mldsl.runner.kubepods import needs_controller, unsupported

            why_not = needs_controller(t["resource"]) or unsupported(t["resource"], (t.get("outputs") or {}).get("parameters"))
            if why_not:
                out.append(Refusal(f"{where}.resource", why_not))
        if "data" in t:
            out.append(Refusal(f"{where}.data", "a data template reads an artifact repository's listing"))
        containers = [
            ("container", t.get("container")),
            ("script", t.get("script")),
            *((f"containerSet.containers[{j}]", c) for j, c in enumerate((t.get("containerSet") or {}).get("containers") or [])),
            *((f"initContainers[{j}]", c) for j, c in enumerate(t.get("initContainers") or [])),
            *((f"sidecars[{j}]", c) for j, c in enumerate(t.get("sidecars") or [])),
        ]
        for field, c in containers:
            if not c:
                continue
            bad = refusal(str(c.get("image", "")))
            if bad is not None:
                out.append(Refusal(f"{where}.{field}.image", bad.removeprefix("cannot run here: ")))
            for j, e in enumerate(c.get("env") or []):
                if "secretKeyRef" in (e.get("valueFrom") or {}):
                    out.append(Refusal(f"{where}.{field}.env[{j}]", "it reads a Secret, which only a cluster holds"))
        for j, a in enumerate((t.get("inputs") or {}).get("artifacts") or []):
            for remote in ("http", "git", "gcs", "azure", "oss", "hdfs", "artifactory", "huggingface"):
                if remote in a:
                    out.append(Refusal(f"{where}.inputs.artifacts[{j}].{remote}", "it is fetched over the network"))
        sel = (t.get("nodeSelector") or {}) | (spec.get("nodeSelector") or {})
        if sel.get("kubernetes.io/os") == "windows":
            out.append(Refusal(f"{where}.nodeSelector", "a Windows node"))
    for j, v in enumerate(spec.get("volumes") or []):
        if "secret" in v:
            out.append(Refusal(f"spec.volumes[{j}].secret", "a Secret only a cluster holds"))
    return out


def scheduled_time(now: float | None = None) -> str:
    """``workflow.scheduledTime`` of a CronWorkflow run now, RFC 3339 (``workflow/cron/operator.go``)."""
    t = datetime.datetime.fromtimestamp(now if now is not None else datetime.datetime.now().timestamp(), datetime.UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def prepare_plain(
    loaded: Any,
    values: dict[str, str],
    mounts: Mounts,
    options: Options,
    store: Store,
    name: str,
    lookup: Callable[[str, str, bool], dict[str, Any]],
    given: dict[str, str],
) -> Prepared:
    """The run of a loaded plain workflow, ready for :class:`~mldsl.runner.session.Runner`."""
    wf = loaded.workflow
    spec = wf["spec"]
    namespace = str((wf.get("metadata") or {}).get("namespace") or "argo")
    # the workflow.* values setGlobalParameters sets (operator.go l. 677-780); name, uid and namespace are the run's
    extra = {k.removeprefix("workflow."): v for k, v in loaded.globals(given, namespace=namespace).items()}
    for own in ("name", "uid", "namespace"):
        extra.pop(own, None)
    extra = {k: v for k, v in extra.items() if not k.startswith("parameters.") or k == "parameters.json"}
    if loaded.kind == "CronWorkflow" and "scheduledTime" not in extra:
        extra["scheduledTime"] = scheduled_time()
    return Prepared(
        name,
        spec,
        values,
        given,
        {},
        {},
        mounts,
        options,
        store,
        namespace,
        None,
        lookup=lookup,
        config_maps=loaded.config_maps,
        workflow_extra=extra,
    )


def search_paths(given: Sequence[Path]) -> list[Path]:
    return [Path(p) for p in given]
