"""Pieces of Kubernetes pod specs shared by the operator backends (Spark, training)."""

from __future__ import annotations

from typing import Any

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


def resources(res: ir.Resources, gpu_resource: str) -> dict[str, Any]:
    """Requests and limits: memory is both (no overcommit surprises), GPUs are limits."""
    requests: dict[str, str] = {}
    limits: dict[str, str] = {}
    if res.cpu:
        requests["cpu"] = res.cpu
    if res.memory:
        requests["memory"] = res.memory
        limits["memory"] = res.memory
    if res.gpu:
        limits[gpu_resource] = str(res.gpu)
    out: dict[str, Any] = {}
    if requests:
        out["requests"] = requests
    if limits:
        out["limits"] = limits
    return out


def scheduling(project: ir.Project, gpus: int, step: ir.Step | None) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Node selector and tolerations: the Project's GPU placement when GPUs are asked for, then the step's own."""
    selector = dict(project.gpu.node_selector) if gpus else {}
    tolerations = [toleration(t) for t in project.gpu.tolerations] if gpus else []
    if step is not None:
        selector.update(step.node_selector)
        tolerations.extend(toleration(t) for t in step.tolerations)
    return dict(sorted(selector.items())), tolerations
