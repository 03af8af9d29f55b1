"""What a loaded workflow refers to, resolved as the controller resolves it: templates, ConfigMaps, the artifact repository."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mldsl.lang.suggest import close_matches
from mldsl.runner.argocluster import _add_pod_metadata, _Cluster, _find_template, _spec_templates
from mldsl.runner.argodocs import ArgoFileError, Loc, _Doc, _Loader, _params
from mldsl.runner.argojoin import _override_parameters, join_workflow_spec
from mldsl.runner.argokinds import (
    ANNOTATION_DEFAULT_ARTIFACT_REPOSITORY,
    ARTIFACT_REPOSITORIES_CONFIGMAP,
    CLUSTER_WORKFLOW_TEMPLATE,
    CONFIGMAP_TYPE_PARAMETER,
    LABEL_CONFIGMAP_TYPE,
    WORKFLOW_TEMPLATE,
)
from mldsl.runner.argoselect import _choices

# --------------------------------------------------------------------------- Loaded


@dataclass
class _Resolving:
    """The fields of :class:`Loaded` and how it resolves what the workflow refers to (templates, ConfigMaps,
    the artifact repository)."""

    #: the Workflow object to run: metadata (with a name) and the effective spec, joined with its
    #: workflowTemplateRef (templateDefaults not yet applied: see :func:`with_defaults`)
    workflow: dict[str, Any]
    #: the kind of the object in the file (Workflow, CronWorkflow, WorkflowTemplate, ...)
    kind: str
    #: the file the object came from
    source: Path
    #: every ConfigMap available: name -> data
    config_maps: dict[str, dict[str, str]]
    #: every PersistentVolumeClaim available: name -> object
    pvcs: dict[str, dict[str, Any]]
    #: files that could not be read (and were left out of the objects available)
    skipped: list[ArgoFileError] = field(default_factory=list)
    _cluster: _Cluster = field(default_factory=_Cluster, repr=False)
    _doc: _Doc | None = field(default=None, repr=False)
    _spec_loc: Loc = field(default=("spec",), repr=False)
    #: the Workflow as submitted, before the join (its spec keeps the workflowTemplateRef)
    _submitted: dict[str, Any] = field(default_factory=dict, repr=False)
    _wft: _Doc | None = field(default=None, repr=False)

    @property
    def submitted(self) -> dict[str, Any]:
        """The Workflow as submitted, before the join: what the controller validates (validate.go)."""
        return self._submitted or self.workflow

    # ---------------------------------------------------------------- references

    def template_ref(self, name: str, template: str, cluster_scope: bool = False) -> dict[str, Any]:
        """The template a ``templateRef`` names, with its holder's ``podMetadata`` added
        (GetTemplateFromRef, workflow/templateresolution/context.go:124-152)."""
        doc = self._cluster.templates(cluster_scope).get(name)
        if doc is None:
            kind = CLUSTER_WORKFLOW_TEMPLATE if cluster_scope else WORKFLOW_TEMPLATE
            raise ArgoFileError(
                f"workflow template {name} not found",  # context.go:136-137
                self.source,
                hint=self._missing_hint(kind, name),
            )
        templates = _spec_templates(doc, ("spec",))
        at = _find_template(templates, template)
        if at < 0:
            raise doc.error(
                f"template {template} not found in workflow template {name}",  # context.go:144-146
                ("spec", "templates"),
                hint=_choices("templates", [t.get("name") for t in templates if isinstance(t, dict)], template),
            )
        out: dict[str, Any] = copy.deepcopy(templates[at])
        spec = doc.data.get("spec")
        _add_pod_metadata(out, spec.get("podMetadata") if isinstance(spec, dict) else None)
        return out

    def workflow_template(self, name: str, cluster_scope: bool = False) -> dict[str, Any]:
        """The whole WorkflowTemplate (or ClusterWorkflowTemplate) object of that name."""
        doc = self._cluster.templates(cluster_scope).get(name)
        if doc is None:
            kind = CLUSTER_WORKFLOW_TEMPLATE if cluster_scope else WORKFLOW_TEMPLATE
            raise ArgoFileError(
                f"{kind.lower()}s.argoproj.io {json.dumps(name)} not found", self.source, hint=self._missing_hint(kind, name)
            )
        return copy.deepcopy(doc.data)

    def _missing_hint(self, kind: str, name: str) -> str:
        known = sorted(self._cluster.templates(kind == CLUSTER_WORKFLOW_TEMPLATE))
        text = f"no {kind} named {name!r} in {self.source.parent} (read recursively) or the search folders"
        if self.skipped:
            text += f"; {len(self.skipped)} file(s) there could not be read ({self.skipped[0].where})"
        matches = close_matches(name, known)
        if matches:
            text += f"; did you mean {matches[0]!r}?"
        elif kind == WORKFLOW_TEMPLATE and name in self._cluster.cluster_workflow_templates:
            text += "; a ClusterWorkflowTemplate has that name: add clusterScope: true"
        elif kind == CLUSTER_WORKFLOW_TEMPLATE and name in self._cluster.workflow_templates:
            text += "; a WorkflowTemplate has that name: remove clusterScope: true"
        return text

    def config_map_value(self, name: str, key: str) -> str:
        """A ConfigMap value for a parameter's ``valueFrom.configMapKeyRef`` (GetConfigMapValue,
        workflow/common/configmap.go:16-39). The controller only sees ConfigMaps that carry the
        label ``workflows.argoproj.io/configmap-type`` (workflow/controller/controller.go:1427), and
        only reads those whose value is ``Parameter`` (configmap.go:26-30)."""
        doc = self._cluster.config_maps.get(name)
        labels = doc.metadata.get("labels") if doc is not None else None
        labels = labels if isinstance(labels, dict) else {}
        if doc is None or LABEL_CONFIGMAP_TYPE not in labels:
            hint = (
                f"the ConfigMap {name!r} ({doc.path}) has no label {LABEL_CONFIGMAP_TYPE}"
                if doc is not None
                else f"no ConfigMap named {name!r} in the folders read"
            )
            message = (
                f"ConfigMap '{name}' does not exist. Please make sure it has the label "
                f"{LABEL_CONFIGMAP_TYPE}: {CONFIGMAP_TYPE_PARAMETER} to be detectable by the controller"
            )
            if doc is None:
                raise ArgoFileError(message, hint=hint)
            raise doc.error(message, ("metadata",), hint=hint)
        if labels.get(LABEL_CONFIGMAP_TYPE) != CONFIGMAP_TYPE_PARAMETER:
            raise doc.error(
                f"ConfigMap '{name}' needs to have the label {LABEL_CONFIGMAP_TYPE}: "
                f"{CONFIGMAP_TYPE_PARAMETER} to load parameters",
                ("metadata", "labels", LABEL_CONFIGMAP_TYPE),
            )
        data = self.config_maps.get(name, {})
        if key not in data:
            raise doc.error(
                f"ConfigMap '{name}' does not have the key '{key}'",
                ("data",),
                hint=_choices("keys", list(data), key),
            )
        return data[key]

    def artifact_repository(
        self, ref: Mapping[str, Any] | None, default: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """The artifact repository for ``spec.artifactRepositoryRef`` (Resolve and get,
        workflow/artifactrepositories/artifactrepositories.go:38-113): with a ref, its ConfigMap
        (default ``artifact-repositories``) and key (default: the ConfigMap's
        ``workflows.argoproj.io/default-artifact-repository`` annotation); a missing ConfigMap or key
        is an error. Without a ref, the ConfigMap ``artifact-repositories`` if it has the annotated
        key, else ``default`` (the controller's configured repository; None when there is none)."""
        config_map = ARTIFACT_REPOSITORIES_CONFIGMAP
        key_given = ""
        if ref is not None:
            config_map = str(ref.get("configMap") or "") or config_map  # GetConfigMapOr (workflow_types.go:1549-1554)
            key_given = str(ref.get("key") or "")
        doc = self._cluster.config_maps.get(config_map)
        if doc is not None:
            annotations = doc.metadata.get("annotations")
            annotated = annotations.get(ANNOTATION_DEFAULT_ARTIFACT_REPOSITORY) if isinstance(annotations, dict) else None
            key = key_given or str(annotated or "")  # GetKeyOr (workflow_types.go:1556-1561)
            data = self.config_maps.get(config_map, {})
            if key in data:
                try:
                    repo = yaml.load(data[key], Loader=_Loader)
                except yaml.YAMLError as exc:
                    raise doc.error(
                        f'failed to unmarshall config map key "{key}" for artifact repository ref: {exc}',
                        ("data", key),
                    ) from None
                return repo if isinstance(repo, dict) else {}
        if ref is None:
            return dict(default) if default is not None else None  # artifactrepositories.go:45-49, 77-84
        ref_text = f"{ref.get('configMap') or ''}#{ref.get('key') or ''}"  # ArtifactRepositoryRef.String (:1563-1568)
        if doc is None:
            hint = f"no ConfigMap named {config_map!r} in the folders read"
        else:
            hint = f"the ConfigMap {config_map!r} ({doc.path}) has no key {key_given or '(annotated default)'!r}"
        raise self._doc_error(
            f'failed to find any artifact repository for artifact repository ref "{ref_text}"',  # :62
            ("artifactRepositoryRef",),
            hint=hint,
        )

    # ---------------------------------------------------------------- parameters

    def _doc_error(self, message: str, loc: Loc, hint: str | None = None) -> ArgoFileError:
        if self._doc is None:
            return ArgoFileError(message, self.source, hint=hint)
        return self._doc.error(message, (*self._spec_loc, *loc), hint=hint)

    def _param_site(self, name: str) -> tuple[_Doc | None, Loc]:
        """Where parameter ``name`` is declared: the object's own spec, else its WorkflowTemplate's."""
        sites: list[tuple[_Doc | None, Loc]] = [(self._doc, self._spec_loc)]
        if self._wft is not None:
            sites.append((self._wft, ("spec",)))
        for doc, spec_loc in sites:
            if doc is None:
                continue
            spec: Any = doc.data
            for part in spec_loc:
                spec = spec.get(part) if isinstance(spec, dict) else None
            params = (spec.get("arguments") or {}).get("parameters") if isinstance(spec, dict) else None
            if isinstance(params, list):
                for i, p in enumerate(params):
                    if isinstance(p, dict) and p.get("name") == name:
                        return doc, (*spec_loc, "arguments", "parameters", i)
        return None, ()

    def _param_error(self, name: str, message: str, sub: Loc = (), hint: str | None = None) -> ArgoFileError:
        doc, loc = self._param_site(name)
        if doc is None:
            return ArgoFileError(message, self.source, hint=hint)
        return doc.error(message, (*loc, *sub), hint=hint)

    def declared_parameters(self) -> list[dict[str, Any]]:
        """The workflow's parameters before any ``-p``: the effective spec's."""
        return copy.deepcopy(_params(self.workflow.get("spec")))

    def workflow_for(self, given: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The Workflow after ``-p`` overrides: overrideParameters on the submitted Workflow
        (workflow/util/util.go:292, 312-339), then the join with its WorkflowTemplate again
        (operator.go:4622), so that ``spec.arguments.parameters`` is what the controller holds."""
        wf = copy.deepcopy(self.workflow)
        if not given:
            return wf
        submitted_spec = copy.deepcopy(self._submitted.get("spec") or {})
        params = _override_parameters(_params(submitted_spec), given)
        submitted_spec.setdefault("arguments", {})["parameters"] = params
        wft_spec = self._wft.data.get("spec") if self._wft is not None else None
        if self._wft is not None:
            spec = join_workflow_spec(submitted_spec, wft_spec if isinstance(wft_spec, dict) else {})
            wf["spec"].setdefault("arguments", {})["parameters"] = _params(spec)
        else:
            wf["spec"].setdefault("arguments", {})["parameters"] = params
        return wf
