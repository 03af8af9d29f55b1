"""Volumes, service accounts and pod metadata of modules and steps (SPEC §1.10)."""

from __future__ import annotations

import re
from typing import Any

from mldsl.compiler import ir
from mldsl.compiler.context import Context, Loc
from mldsl.lang.loader import Loaded
from mldsl.lang.models.checks import reserved_key

#: paths mldsl's own step contract uses inside every pod
RESERVED = ("/mldsl", "/argo")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def _volumes(ctx: Context, doc: Loaded, loc: Loc, volumes: dict[str, Any] | None) -> list[ir.Volume]:
    """The checked ``volumes:``: Kubernetes names, one source each, absolute paths apart from mldsl's own."""
    out: list[ir.Volume] = []
    paths: dict[str, str] = {}
    keys: dict[str, str] = {}
    for name, v in (volumes or {}).items():
        where = (*loc, "volumes", name)
        key = ir.volume_key(name)
        if key in keys or key.startswith("mldsl") or len(key) > 63:
            ctx.error(
                doc,
                where,
                "MLD419",
                f"volume name {name!r} " + (f"is too like {keys[key]!r}" if key in keys else "is reserved or too long"),
                "volume names become Kubernetes names: lowercase, '-' for '_', not starting with mldsl",
                key=True,
            )
            continue
        keys[key] = name
        given = [k for k in ("pvc", "memory", "size") if getattr(v, k) is not None]
        if len(given) != 1:
            ctx.error(
                doc,
                where,
                "MLD419",
                f"volume {name!r} needs exactly one of pvc, memory and size" + (f", got {', '.join(given)}" if given else ""),
                "pvc: <claim> mounts an existing PersistentVolumeClaim; memory: 8Gi a RAM disk; size: 50Gi a scratch disk",
                key=True,
            )
            continue
        path = v.path.rstrip("/") or "/"
        if not path.startswith("/") or path == "/":
            ctx.error(doc, (*where, "path"), "MLD419", f"volume {name!r}: path {v.path!r} must be an absolute path, not /")
            continue
        if any(path == r or path.startswith(r + "/") for r in RESERVED):
            ctx.error(
                doc, (*where, "path"), "MLD419", f"volume {name!r}: {path} is mldsl's own (inputs and outputs live under /mldsl)"
            )
            continue
        if path in paths:
            ctx.error(doc, (*where, "path"), "MLD419", f"volumes {paths[path]!r} and {name!r} are both mounted at {path}")
            continue
        paths[path] = name
        if v.pvc is not None and not _DNS_SUBDOMAIN.match(v.pvc):
            ctx.error(doc, (*where, "pvc"), "MLD419", f"{v.pvc!r} is not a PersistentVolumeClaim name", "for example model-store")
            continue
        kind = "pvc" if v.pvc is not None else "memory" if v.memory is not None else "scratch"
        out.append(ir.Volume(name, kind, path, v.pvc, v.memory or v.size, v.read_only))
    return out


def _check_pod_metadata(ctx: Context, doc: Loaded, loc: Loc, labels: dict[str, str], annotations: dict[str, str]) -> None:
    """``pod: labels/annotations``: no key mldsl sets, valid Kubernetes keys and label values."""
    for key in (*labels, *annotations):
        if reserved_key(key):
            kind = "labels" if key in labels else "annotations"
            ctx.error(
                doc,
                (*loc, "pod", kind, key),
                "MLD419",
                f"pod {kind[:-1]} key {key!r} is reserved: mldsl sets it",
                "use a key of your own, e.g. example.com/team",
            )
    for key, value in labels.items():
        if reserved_key(key):
            continue
        if not _label_key(key) or not _LABEL_VALUE.match(value) or len(value) > 63:
            ctx.error(
                doc,
                (*loc, "pod", "labels", key),
                "MLD419",
                f"label {key}: {value!r} is not a valid Kubernetes label",
                "keys and values: letters, digits, '-', '_' and '.', at most 63 characters (quote values like 'true')",
            )
    for key in annotations:
        if not reserved_key(key) and not _label_key(key):
            ctx.error(doc, (*loc, "pod", "annotations", key), "MLD419", f"{key!r} is not a valid annotation key")


def pod_settings(
    ctx: Context, doc: Loaded, loc: Loc, volumes: dict[str, Any] | None, service_account: str | None, pod: Any
) -> ir.PodSettings | None:
    """The checked settings at ``loc`` (a module's spec or a step), or ``None`` after reporting why."""
    start = len(ctx.diags)
    out = _volumes(ctx, doc, loc, volumes)
    if service_account is not None and not _DNS_SUBDOMAIN.match(service_account):
        ctx.error(
            doc,
            (*loc, "service_account"),
            "MLD419",
            f"{service_account!r} is not a service account name",
            "lowercase letters, digits, '-' and '.', e.g. feature-reader",
        )
    labels = dict(pod.labels) if pod is not None else {}
    annotations = dict(pod.annotations) if pod is not None else {}
    _check_pod_metadata(ctx, doc, loc, labels, annotations)
    if len(ctx.diags) > start:
        return None
    return ir.PodSettings(tuple(sorted(out)), service_account, tuple(sorted(labels.items())), tuple(sorted(annotations.items())))


def _label_key(key: str) -> bool:
    prefix, _, name = key.rpartition("/")
    return bool(_LABEL_NAME.match(name)) and (not prefix or (len(prefix) <= 253 and bool(_DNS_SUBDOMAIN.match(prefix))))
