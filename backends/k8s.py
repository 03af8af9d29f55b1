"""Pieces of Kubernetes pod specs shared by the operator backends (Spark, training)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from mldsl.compiler import ir


def label_value(text: str) -> str:
    """``text`` as a valid label value: ``[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?``, at most 63.

    A semver with build metadata (``1.2.0+build.7``) has a ``+``, which label values refuse
    (Kubernetes apimachinery ``validation.IsValidLabelValue``): it becomes ``_``.

    >>> label_value("1.2.0+build.7")
    '1.2.0_build.7'
    """
    import re

    return re.sub(r"[^-A-Za-z0-9_.]", "_", text)[:63].strip("-_.")


def toleration(t: ir.Toleration) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in (
        ("key", t.key),
        ("operator", t.operator),
        ("value", t.value),
        ("effect", t.effect),
        ("tolerationSeconds", t.seconds),
    ):
        if v is not None:
            out[k] = v
    return out


class Number(NamedTuple):
    """A count known when the workflow runs (``workers: "${{ inputs.workers }}"``): expr-lang code giving an int.

    Where a manifest field is an integer (a replica count), the Argo backend writes it as one expression tag
    whose value is a JSON number (``backends/argo/embed.py``); ``asInt`` refuses anything but an integer, so a
    value can never add structure to the manifest (SPEC §1.9).
    """

    code: str

    def minus(self, n: int) -> Number:
        return Number(f"{self.code} - {n}")


def count(value: int | ir.IExpr, code: Callable[[ir.IExpr], str]) -> int | Number:
    return value if isinstance(value, int) else Number(code(value))


def resources(res: ir.Resources, gpu_resource: str, text: Callable[[ir.IValue], str] | None = None) -> dict[str, Any]:
    """Requests and limits: memory is both (no overcommit surprises), GPUs are limits; ``text`` lowers a reference."""

    def show(v: str | int | ir.IExpr) -> str:
        if isinstance(v, (str, int)):
            return str(v)
        assert text is not None, "a reference in resources needs a lowering"
        return text(v)

    requests: dict[str, str] = {}
    limits: dict[str, str] = {}
    if res.cpu:
        requests["cpu"] = show(res.cpu)
    if res.memory:
        requests["memory"] = show(res.memory)
        limits["memory"] = show(res.memory)
    if res.gpu:
        limits[gpu_resource] = show(res.gpu)
    out: dict[str, Any] = {}
    if requests:
        out["requests"] = requests
    if limits:
        out["limits"] = limits
    return out


def scheduling(project: ir.Project, gpus: int | ir.IExpr, step: ir.Step | None) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Node selector and tolerations: the Project's GPU placement when GPUs are asked for, then the step's own."""
    selector = dict(project.gpu.node_selector) if gpus else {}
    tolerations = [toleration(t) for t in project.gpu.tolerations] if gpus else []
    if step is not None:
        selector.update(step.node_selector)
        tolerations.extend(toleration(t) for t in step.tolerations)
    return dict(sorted(selector.items())), tolerations


def pod_volumes(pod: ir.PodSettings) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The pod's ``volumes`` and the main container's ``volumeMounts`` for ``pod.volumes``.

    ``memory`` is a memory-backed emptyDir (counted against the container's memory limit), ``scratch`` a
    disk-backed emptyDir with a size limit (the kubelet evicts a pod that writes more).
    """
    volumes: list[dict[str, Any]] = []
    mounts: list[dict[str, Any]] = []
    for v in pod.volumes:
        name = ir.volume_key(v.name)
        if v.kind == "pvc":
            claim: dict[str, Any] = {"claimName": v.claim}
            if v.read_only:
                claim["readOnly"] = True
            volumes.append({"name": name, "persistentVolumeClaim": claim})
        elif v.kind == "memory":
            volumes.append({"name": name, "emptyDir": {"medium": "Memory", "sizeLimit": v.size}})
        else:
            volumes.append({"name": name, "emptyDir": {"sizeLimit": v.size}})
        mount: dict[str, Any] = {"name": name, "mountPath": v.path}
        if v.read_only:
            mount["readOnly"] = True
        mounts.append(mount)
    return volumes, mounts


def pod_metadata(pod: ir.PodSettings) -> dict[str, dict[str, str]]:
    meta: dict[str, dict[str, str]] = {}
    if pod.labels:
        meta["labels"] = dict(pod.labels)
    if pod.annotations:
        meta["annotations"] = dict(pod.annotations)
    return meta


def effective_pod(module: ir.Module, step: ir.Step | None) -> ir.PodSettings:
    """The module's pod settings with the step's over them."""
    return module.pod.over(step.pod if step is not None else None)
