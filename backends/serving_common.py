"""What the serving backends share: object metadata and resource requests."""

from __future__ import annotations

from typing import Any

from mldsl.backends import k8s
from mldsl.compiler import ir


def metadata(s: ir.Serving, name: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name or s.name}
    if s.namespace:
        meta["namespace"] = s.namespace
    labels = {"app.kubernetes.io/managed-by": "mldsl"}
    if s.project:
        labels["mldsl.io/project"] = s.project
    meta["labels"] = {**labels, "mldsl.io/serving": s.name, **dict(s.labels)}
    if s.project_id:
        meta["annotations"] = {"mldsl.io/project-id": s.project_id}
    return meta


def resources(s: ir.Serving) -> dict[str, Any]:
    return k8s.resources(s.resources, s.gpu_resource)
