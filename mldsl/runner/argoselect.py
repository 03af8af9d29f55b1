"""Which object of a file runs, as ``argo submit`` picks it, and the Workflow submitting it creates."""

from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mldsl.lang.suggest import close_matches
from mldsl.runner.argodocs import ArgoFileError, Loc, _Doc, _mapping
from mldsl.runner.argojoin import rfc3339
from mldsl.runner.argokinds import (
    _NAME_ALPHABET,
    ANNOTATION_SCHEDULED_TIME,
    API_VERSION,
    CLUSTER_WORKFLOW_TEMPLATE,
    KIND_ALIASES,
    KNOWN_ARGO_KINDS,
    LABEL_CLUSTER_WORKFLOW_TEMPLATE,
    LABEL_CONTROLLER_INSTANCE_ID,
    LABEL_CRON_WORKFLOW,
    LABEL_WORKFLOW_TEMPLATE,
    RUNNABLE,
    WORKFLOW,
    WORKFLOW_TEMPLATE,
)


def _choices(what: str, names: Sequence[Any], wrong: str) -> str:
    names = [str(n) for n in names if n is not None]
    if not names:
        return f"there are no {what}"
    matches = close_matches(wrong, names)
    text = f"did you mean {matches[0]!r}? " if matches else ""
    return text + f"{what}: " + ", ".join(names[:20]) + (" ..." if len(names) > 20 else "")


# --------------------------------------------------------------------------- load


def _runnable_docs(docs: Iterable[_Doc]) -> list[_Doc]:
    return [d for d in docs if d.kind in RUNNABLE]


def _check_kinds(docs: Sequence[_Doc]) -> None:
    """Refuse what cannot be a mistake-free document of the file to run: a document without a kind,
    a kind of the argoproj.io group that does not exist, or a kind close to a runnable one."""
    for doc in docs:
        if not isinstance(doc.data, dict):
            raise doc.error(
                "a document of this file is not a Kubernetes object (a mapping with apiVersion and kind)",
                hint="remove it, or separate the objects with ---",
            )
        kind = doc.data.get("kind")
        if not kind:
            raise doc.error(
                "a document of this file has no kind",
                hint="write kind: Workflow (or WorkflowTemplate, CronWorkflow, ClusterWorkflowTemplate)",
            )
        if not isinstance(kind, str):
            raise doc.error(f"kind must be a string, not {kind!r}", ("kind",))
        if kind in KNOWN_ARGO_KINDS:
            continue
        close = close_matches(kind, RUNNABLE, cutoff=0.75) or [k for k in RUNNABLE if k.lower() == kind.lower()]
        if doc.api_version.startswith("argoproj.io/") or close:
            hint = f"did you mean {close[0]}?" if close else "runnable kinds: " + ", ".join(RUNNABLE)
            raise doc.error(f"unknown kind {kind!r}", ("kind",), hint=hint)


def _select(candidates: list[_Doc], all_runnable: list[_Doc], name: str | None, where: Path) -> _Doc:
    if name is not None:
        return _select_named(all_runnable, name, where)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise ArgoFileError(
            f"no Workflow, CronWorkflow, WorkflowTemplate or ClusterWorkflowTemplate in {where}",
            where,
            1 if where.is_file() else None,
            1 if where.is_file() else None,
            hint="mldsl run runs an Argo Workflow, or submits a template or CronWorkflow as argo submit --from does",
        )
    raise candidates[1].error(
        f"{len(candidates)} runnable objects in {where}: choose one by name",
        ("kind",),
        hint="runnable: " + ", ".join(d.label for d in candidates),
    )


def _select_named(all_runnable: list[_Doc], name: str, where: Path) -> _Doc:
    """The runnable object ``name`` (``NAME`` or ``kind/NAME``) names, as the server finds it."""
    kind = None
    wanted = name
    if "/" in name:
        alias, _, wanted = name.partition("/")
        kind = KIND_ALIASES.get(alias)
        if kind is None:
            raise ArgoFileError(
                f"Resource kind '{alias}' is not supported for submitting",  # workflow_server.go:825-826
                where,
                hint="kinds: workflow, cronwf, wftmpl, cwftmpl (or their full names)",
            )

    def matches(d: _Doc) -> bool:
        generate = str(d.metadata.get("generateName") or "")
        names = {d.name, generate, generate.rstrip("-")} - {""}
        return wanted in names and (kind is None or d.kind == kind)

    found = [d for d in all_runnable if matches(d)]
    if len(found) == 1:
        return found[0]
    if not found:
        idents = [d.name or str(d.metadata.get("generateName") or "") for d in all_runnable]
        close = close_matches(wanted, idents)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ArgoFileError(
            f"no runnable object named {name!r} in {where}",
            where,
            hint=hint + "runnable objects: " + (", ".join(d.label for d in all_runnable) or "none"),
        )
    raise found[1].error(
        f"{len(found)} runnable objects are named {name!r}",
        ("metadata",),
        hint="choose one as kind/name: " + ", ".join(f"{d.kind.lower()}/{wanted}" for d in found),
    )


def _suffix(doc: _Doc) -> str:
    """A deterministic five-character suffix in the alphabet Kubernetes draws from."""
    digest = hashlib.sha256(json.dumps([str(doc.path), doc.index, doc.data], sort_keys=True, default=str).encode()).digest()
    return "".join(_NAME_ALPHABET[b % len(_NAME_ALPHABET)] for b in digest[:5])


def _submitted_workflow(doc: _Doc, scheduled_time: _dt.datetime | None) -> tuple[dict[str, Any], Loc]:
    """The Workflow a runnable object submits, and where its spec is in the document."""
    data = doc.data
    meta = doc.metadata
    if doc.kind == WORKFLOW:
        spec = data.get("spec")
        if not isinstance(spec, dict):
            raise doc.error("a Workflow needs a spec", ("spec",))
        wf = copy.deepcopy({k: v for k, v in data.items() if k != "status"})
        wf["metadata"] = copy.deepcopy(meta)
        return wf, ("spec",)
    if doc.kind in (WORKFLOW_TEMPLATE, CLUSTER_WORKFLOW_TEMPLATE):
        if not doc.name:
            raise doc.error(f"a {doc.kind} needs metadata.name", ("metadata",))
        # NewWorkflowFromWorkflowTemplate (workflow/common/convert.go:59-80)
        cluster = doc.kind == CLUSTER_WORKFLOW_TEMPLATE
        label = LABEL_CLUSTER_WORKFLOW_TEMPLATE if cluster else LABEL_WORKFLOW_TEMPLATE
        ref: dict[str, Any] = {"name": doc.name}
        if cluster:
            ref["clusterScope"] = True
        return {
            "apiVersion": API_VERSION,
            "kind": WORKFLOW,
            "metadata": {"generateName": doc.name + "-", "labels": {label: doc.name}, "annotations": {}},
            "spec": {"workflowTemplateRef": ref},
        }, ("spec",)
    return _cron_submitted(doc, scheduled_time)


def _cron_submitted(doc: _Doc, scheduled_time: _dt.datetime | None) -> tuple[dict[str, Any], Loc]:
    """The Workflow a CronWorkflow submits."""
    data = doc.data
    meta = doc.metadata
    # CronWorkflow: ConvertCronWorkflowToWorkflow (workflow/common/convert.go:23-32, 82-109), as
    # ``argo submit --from cronwf/NAME`` does (workflow_server.go:815-820)
    if not doc.name:
        raise doc.error("a CronWorkflow needs metadata.name", ("metadata",))
    cron_spec = data.get("spec")
    wf_spec = cron_spec.get("workflowSpec") if isinstance(cron_spec, dict) else None
    if not isinstance(wf_spec, dict):
        raise doc.error("a CronWorkflow needs spec.workflowSpec", ("spec",))
    moment = scheduled_time or _dt.datetime.now().astimezone()
    labels: dict[str, Any] = {}
    annotations: dict[str, Any] = {ANNOTATION_SCHEDULED_TIME: rfc3339(moment)}
    own_labels = _mapping(meta.get("labels"))
    if LABEL_CONTROLLER_INSTANCE_ID in own_labels:  # convert.go:92-94
        labels[LABEL_CONTROLLER_INSTANCE_ID] = own_labels[LABEL_CONTROLLER_INSTANCE_ID]
    labels[LABEL_CRON_WORKFLOW] = doc.name  # convert.go:96
    wf_meta: dict[str, Any] = {"generateName": doc.name + "-", "labels": labels, "annotations": annotations}
    cron_md = cron_spec.get("workflowMetadata") if isinstance(cron_spec, dict) else None
    if isinstance(cron_md, dict):  # convert.go:97-105
        labels.update(copy.deepcopy(_mapping(cron_md.get("labels"))))
        annotations.update(copy.deepcopy(_mapping(cron_md.get("annotations"))))
        if cron_md.get("finalizers"):
            wf_meta["finalizers"] = list(cron_md["finalizers"])
    if scheduled_time is not None:  # --scheduled-time (cmd/argo/commands/submit.go:192-198)
        annotations[ANNOTATION_SCHEDULED_TIME] = rfc3339(scheduled_time)
    return {
        "apiVersion": str(data.get("apiVersion") or API_VERSION),
        "kind": WORKFLOW,
        "metadata": wf_meta,
        "spec": copy.deepcopy(wf_spec),
    }, ("spec", "workflowSpec")
