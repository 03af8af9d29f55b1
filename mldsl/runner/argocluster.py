"""The objects a run's files leave on a cluster, as ``kubectl apply -f`` of them would: templates, ConfigMaps, claims."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mldsl.runner.argodocs import ArgoFileError, Loc, _Doc, _may_hold_objects, _read, _walk
from mldsl.runner.argokinds import CLUSTER_WORKFLOW_TEMPLATE, WORKFLOW_TEMPLATE
from mldsl.runner.argoselect import _check_kinds

# --------------------------------------------------------------------------- the cluster


@dataclass
class _Cluster:
    """The objects a cluster would hold after applying the folders (last applied wins)."""

    workflow_templates: dict[str, _Doc] = field(default_factory=dict)
    cluster_workflow_templates: dict[str, _Doc] = field(default_factory=dict)
    config_maps: dict[str, _Doc] = field(default_factory=dict)
    pvcs: dict[str, _Doc] = field(default_factory=dict)
    skipped: list[ArgoFileError] = field(default_factory=list)

    def apply(self, doc: _Doc) -> None:
        # test/e2e/examples_test.go:58-63: the kinds applied before the workflows run
        table = {
            WORKFLOW_TEMPLATE: self.workflow_templates,
            CLUSTER_WORKFLOW_TEMPLATE: self.cluster_workflow_templates,
            "ConfigMap": self.config_maps,
            "PersistentVolumeClaim": self.pvcs,
        }.get(doc.kind)
        if table is not None and doc.name:
            table[doc.name] = doc

    def templates(self, cluster_scope: bool) -> dict[str, _Doc]:
        return self.cluster_workflow_templates if cluster_scope else self.workflow_templates


def _spec_templates(doc: _Doc, spec_loc: Loc) -> list[Any]:
    spec: Any = doc.data
    for part in spec_loc:
        spec = spec.get(part) if isinstance(spec, dict) else None
    templates = spec.get("templates") if isinstance(spec, dict) else None
    return templates if isinstance(templates, list) else []


def _find_template(templates: Sequence[Any], name: str) -> int:
    """GetTemplateByName: the first template of that name (workflow_template_types.go:45-52)."""
    for i, t in enumerate(templates):
        if isinstance(t, dict) and t.get("name") == name:
            return i
    return -1


def _add_pod_metadata(template: dict[str, Any], pod_metadata: Any) -> None:
    """addPodMetadata (workflow/templateresolution/context.go:295-319): the template holder's
    ``podMetadata`` labels and annotations, where the template has none of that key."""
    if not isinstance(pod_metadata, dict):
        return
    for kind in ("annotations", "labels"):
        extra = pod_metadata.get(kind)
        if isinstance(extra, dict) and extra:
            md = template.setdefault("metadata", {})
            if not isinstance(md, dict):
                continue
            own = md.setdefault(kind, {})
            if isinstance(own, dict):
                for k, v in extra.items():
                    own.setdefault(k, v)


def _own_docs(path: Path) -> list[_Doc]:
    """The documents of ``path`` itself (a folder's unreadable files are left to the neighbours' pass)."""
    own_files = _walk(path) if path.is_dir() else [path]
    own_docs: list[_Doc] = []
    for f in own_files:
        try:
            docs = list(_read(f))
        except ArgoFileError:
            if not path.is_dir():
                raise
            continue  # a folder's unreadable files: listed in skipped below
        if not path.is_dir():
            _check_kinds(docs)
        own_docs.extend(docs)
    return own_docs


def _neighbours(path: Path, search: Sequence[Path], own_docs: list[_Doc]) -> _Cluster:
    """The objects a workflow of ``path`` can refer to, applied as ``kubectl apply -f`` would: the search
    folders first, then ``path``'s folder, ``path`` itself last."""
    folder = path if path.is_dir() else path.parent
    cluster = _Cluster()
    seen: set[Path] = set()
    order: list[Path] = []
    for root in [*search, folder]:
        root = Path(root)
        for f in _walk(root) if root.is_dir() else [root] if root.is_file() else []:
            resolved = f.resolve()
            if resolved in seen:
                order.remove(resolved)
            seen.add(resolved)
            order.append(resolved)
    if not path.is_dir():
        own_resolved = path.resolve()
        if own_resolved in order:
            order.remove(own_resolved)
        order.append(own_resolved)
    for f in order:
        neighbour = path.is_dir() or f != path.resolve()
        if neighbour and not _may_hold_objects(f):
            continue  # no object a workflow can refer to: not worth parsing (most files of a big folder)
        try:
            docs = list(_read(f)) if neighbour else own_docs
        except ArgoFileError as exc:
            cluster.skipped.append(exc)
            continue
        for doc in docs:
            cluster.apply(doc)
    return cluster
