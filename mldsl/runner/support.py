"""What the local executor understands of a compiled workflow, checked before anything starts.

Anything else in a manifest is an error naming its path: the runner never
silently skips a field whose meaning on a cluster it would not reproduce.
"""

from __future__ import annotations

import json
import re
from typing import Any

from mldsl.runner.mounts import MountError, Mounts, pod_volumes
from mldsl.runner.operators import LOCAL_KINDS, missing_tools

#: the kinds a ``deploy:`` step applies: the runner writes them to the run folder instead
#: the label of a deploy step's pod (backends/argo/deploy.py): its objects are written, not applied
DEPLOY_LABEL = "mldsl.io/deploy"
#: where a deploy pod carries the objects it applies, in the order it applies them
DEPLOY_ENV = ("MLDSL_STABLE_MANIFEST", "MLDSL_MANIFEST")
DEPLOY_KINDS = {"InferenceService", "SeldonDeployment", "Model", "Experiment", "Pipeline"}
#: objects a run keeps for itself: a ConfigMap holding a semaphore's limit (backends/argo/limits.py)
RUN_KINDS = {"ConfigMap"}

_SPEC = {
    "entrypoint", "arguments", "serviceAccountName", "templates", "workflowMetadata", "podMetadata", "ttlStrategy",
    "parallelism", "onExit", "activeDeadlineSeconds", "imagePullSecrets", "podGC", "workflowTemplateRef",
}  # fmt: skip
_TEMPLATE = {
    "name", "inputs", "outputs", "metadata", "volumes", "script", "container", "dag", "resource", "activeDeadlineSeconds",
    "retryStrategy", "memoize", "parallelism", "nodeSelector", "tolerations", "serviceAccountName", "affinity", "suspend",
    "synchronization",
}  # fmt: skip
_TASK = {"name", "template", "arguments", "depends", "when", "withItems", "withParam", "continueOn"}
_CONTAINER = {"image", "command", "args", "env", "resources", "volumeMounts", "workingDir", "source", "imagePullPolicy", "name"}
_RETRY = {"limit", "retryPolicy", "backoff"}
_BACKOFF = {"duration", "factor", "maxDuration", "cap"}
_OUT_PARAM = {"name", "valueFrom", "description"}
_VALUE_FROM = {"path", "expression", "parameter", "default", "supplied"}
_OUT_ART = {"name", "path", "s3", "archive", "optional", "from"}
_IN_PARAM = {"name", "default", "value", "enum", "description"}
_IN_ART = {"name", "path", "optional", "s3", "from"}
_RESOURCE = {"action", "manifest", "successCondition", "failureCondition", "setOwnerReference"}


class UnsupportedError(Exception):
    """Fields of a manifest the local executor cannot reproduce (listed, all at once)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _extra(obj: Any, allowed: set[str], where: str, out: list[str]) -> None:
    if isinstance(obj, dict):
        for k in sorted(set(obj) - allowed):
            out.append(f"{where}.{k}: not supported by mldsl run")


def resource_kind(manifest: str) -> str:
    """The ``kind`` of a resource template's manifest (its JSON still holds ``{{=...}}`` tags)."""
    found = re.search(r'"kind":\s*"([A-Za-z]+)"', manifest) or re.search(r"(?m)^kind:\s*([A-Za-z]+)", manifest)
    return found.group(1) if found else "?"


def _unmapped_volumes(obj: dict[str, Any], where: str, mounts: Mounts | None) -> list[str]:
    """A claim's contents are not on this machine: its mount path must be mapped (emptyDir volumes are made here)."""
    out = []
    for name, vol, path in pod_volumes(obj):
        if "emptyDir" in vol:
            continue
        if "persistentVolumeClaim" not in vol:
            out.append(f"{where}.volumes.{name}: only emptyDir and persistentVolumeClaim volumes run locally")
            continue
        try:
            if mounts is None:
                raise MountError(path)
            mounts.local(path)
        except MountError:
            claim = vol["persistentVolumeClaim"].get("claimName")
            out.append(
                f"{where}.volumes.{name}: claim {claim!r} is mounted at {path}: map {path} to a local folder "
                "in mldsl.yaml (spec.local.mounts)"
            )
    return out


def _semaphores(sync: Any, where: str) -> list[str]:
    """Semaphores whose limit is a ConfigMap key: the ones mldsl writes (no mutexes, no database locks)."""
    out: list[str] = []
    _extra(sync, {"semaphores"}, where, out)
    for j, sem in enumerate(sync.get("semaphores", []) if isinstance(sync, dict) else []):
        _extra(sem, {"configMapKeyRef"}, f"{where}.semaphores[{j}]", out)
        _extra(sem.get("configMapKeyRef"), {"name", "key"}, f"{where}.semaphores[{j}].configMapKeyRef", out)
    return out


def check(spec: dict[str, Any], mounts: Mounts | None = None) -> list[str]:
    """Every field of a Workflow spec the executor would not honour, as ``path: why``."""
    out: list[str] = []
    _extra(spec, _SPEC, "spec", out)
    for i, tpl in enumerate(spec.get("templates", [])):
        where = f"spec.templates[{i}] ({tpl.get('name')})"
        _extra(tpl, _TEMPLATE, where, out)
        for j, p in enumerate((tpl.get("inputs") or {}).get("parameters", [])):
            _extra(p, _IN_PARAM, f"{where}.inputs.parameters[{j}]", out)
        for j, a in enumerate((tpl.get("inputs") or {}).get("artifacts", [])):
            _extra(a, _IN_ART, f"{where}.inputs.artifacts[{j}]", out)
        for j, p in enumerate((tpl.get("outputs") or {}).get("parameters", [])):
            _extra(p, _OUT_PARAM, f"{where}.outputs.parameters[{j}]", out)
            _extra(p.get("valueFrom"), _VALUE_FROM, f"{where}.outputs.parameters[{j}].valueFrom", out)
        for j, a in enumerate((tpl.get("outputs") or {}).get("artifacts", [])):
            _extra(a, _OUT_ART, f"{where}.outputs.artifacts[{j}]", out)
        if "retryStrategy" in tpl:
            _extra(tpl["retryStrategy"], _RETRY, f"{where}.retryStrategy", out)
            _extra(tpl["retryStrategy"].get("backoff"), _BACKOFF, f"{where}.retryStrategy.backoff", out)
        for kind in ("script", "container"):
            if kind in tpl:
                _extra(tpl[kind], _CONTAINER, f"{where}.{kind}", out)
                if kind == "container" and not tpl[kind].get("command"):
                    out.append(f"{where}.container: no command: the image's own entrypoint cannot run on this machine")
        out += _unmapped_volumes(tpl, where, mounts)
        if "suspend" in tpl:
            _extra(tpl["suspend"], {"duration"}, f"{where}.suspend", out)
        if "synchronization" in tpl:
            out += _semaphores(tpl["synchronization"], f"{where}.synchronization")
        if "dag" in tpl:
            _extra(tpl["dag"], {"tasks"}, f"{where}.dag", out)
            for task in tpl["dag"].get("tasks", []):
                _extra(task, _TASK, f"{where}.dag.tasks.{task.get('name')}", out)
        if "resource" in tpl:
            out += _resource_problems(tpl["resource"], where, mounts)
    return out


def _resource_problems(res: dict[str, Any], where: str, mounts: Mounts | None) -> list[str]:
    """What of a resource step mldsl run cannot do here: another action than create, a kind it does not run,
    a tool it needs."""
    out: list[str] = []
    _extra(res, _RESOURCE, f"{where}.resource", out)
    kind = resource_kind(res.get("manifest", ""))
    if kind in RUN_KINDS:
        if res.get("action") != "create":
            out.append(f"{where}.resource: mldsl run creates a {kind}, it does not {res.get('action')} one")
    elif kind not in DEPLOY_KINDS and kind not in LOCAL_KINDS:
        out.append(
            f"{where}.resource: mldsl run cannot run a {kind} on this machine "
            "(it runs SparkApplications, PyTorchJobs and TFJobs, and writes deploy manifests)"
        )
    else:
        out += [f"{where}: {why}" for why in missing_tools(kind)]
        if kind in LOCAL_KINDS:
            try:
                obj = json.loads(res.get("manifest", ""))
            except ValueError:
                obj = {}
            out += _unmapped_volumes(obj, f"{where}.resource ({kind})", mounts)
    return out
