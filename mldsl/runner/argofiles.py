"""Plain Argo files for ``mldsl run``: load a Workflow, WorkflowTemplate, CronWorkflow or
ClusterWorkflowTemplate and resolve what it refers to, as a cluster would after
``kubectl apply -f folder/``.

Pure: this module reads files and nothing else (no threads, no processes, no cluster).
The rules follow Argo Workflows v4.1.2 (argoproj/argo-workflows, commit f016ad89eb); each rule
cites the Go file and line it mirrors. Kubernetes rules cite kubernetes/apimachinery at eed236ce
(strategic merge patch; Argo vendors v0.35.4, same algorithm), kubernetes/api at 10b39a39b (patch
strategies of core/v1 types) and k8s.io/apiserver (generated names).

**Which objects exist ("the cluster").** Argo's example test applies every ConfigMap,
PersistentVolumeClaim, WorkflowTemplate and ClusterWorkflowTemplate found anywhere under
``examples/`` before it submits a workflow (test/e2e/examples_test.go:58-63, 65-117, walking the
folder recursively with util/file/fileutil.go:226 WalkManifests). ``kubectl apply -f folder/`` alone
would not recurse (it needs ``-R``), but real projects, and Argo's own examples, keep the
referenced objects in sibling files and subfolders. So the rule here is the example test's:

* the objects are every document of every ``.yaml``/``.yml``/``.json`` file (fileutil.go:28-32)
  under the folder of ``path`` (or ``path`` itself when it is a folder), read recursively, plus
  every such file under each folder of ``search``, also recursively (a file in ``search`` is read alone);
* folders whose name starts with ``.`` are skipped (``.git``, ``.venv``: never manifests);
* files are applied in ``filepath.Walk`` order (lexical, depth-first), the ``search`` folders
  first, then the file's own folder, then the file itself; a later ``kubectl apply`` of the same
  kind and name replaces the earlier object, so the file's own objects win over its folder's, and
  its folder's over the search folders';
* namespaces are ignored: everything lives in one namespace, as in the example test, which applies
  every object to its one test namespace (examples_test.go:95);
* a file other than ``path`` that is not valid YAML is skipped, as the example test skips
  documents it cannot unmarshal (examples_test.go:71-74); it is listed in ``Loaded.skipped``.
  ``path`` itself must be valid.

**Which object runs.** ``argo submit FILE`` submits the Workflows of the file and ignores every
other kind (cmd/argo/commands/submit.go:122-133, workflow/common/parse.go:122-138). So when
``path`` holds Workflows, they are the candidates; otherwise its CronWorkflows, WorkflowTemplates
and ClusterWorkflowTemplates are, each run as ``argo submit --from kind/name`` would
(server/workflow/workflow_server.go:814-829). ``name`` (``NAME`` or ``kind/NAME``, kinds as the
server accepts them, workflow_server.go:815-823) picks one among all runnable objects; without it,
more than one candidate is an error.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mldsl.lang.suggest import close_matches
from mldsl.runner.argodocs import (
    ArgoFileError,
    Loc,
    _Doc,
    _go_json,
    _Loader,
    _mapping,
    _may_hold_objects,
    _params,
    _read,
    _walk,
    anystring,
)
from mldsl.runner.argojoin import (
    _merge_parameters,
    _override_parameters,
    _param_for_json,
    _strftime_chars,
    join_workflow_spec,
    rfc3339,
)
from mldsl.runner.argokinds import (
    _MAX_GENERATED_NAME_LENGTH,
    ANNOTATION_DEFAULT_ARTIFACT_REPOSITORY,
    ANNOTATION_SCHEDULED_TIME,
    API_VERSION,
    ARTIFACT_REPOSITORIES_CONFIGMAP,
    CLUSTER_WORKFLOW_TEMPLATE,
    CONFIGMAP_TYPE_PARAMETER,
    CRON_WORKFLOW,
    LABEL_CLUSTER_WORKFLOW_TEMPLATE,
    LABEL_CONFIGMAP_TYPE,
    LABEL_WORKFLOW_TEMPLATE,
    WORKFLOW,
    WORKFLOW_TEMPLATE,
)
from mldsl.runner.argoselect import _check_kinds, _choices, _runnable_docs, _select, _submitted_workflow, _suffix

__all__ = ["ArgoFileError", "Loaded", "load"]


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


# --------------------------------------------------------------------------- Loaded


@dataclass
class Loaded:
    """A runnable object, turned into the Workflow a cluster would run, and what it can refer to."""

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

    def arguments(self, given: Mapping[str, str] | None = None, *, strict: bool = False) -> dict[str, str]:
        """The workflow parameters' values (``workflow.parameters.NAME``) after ``-p`` overrides.

        * ``-p`` replaces a declared parameter by ``{name, value}``; an undeclared name is *not*
          refused by ``argo submit``, it becomes a new parameter (workflow/util/util.go:312-339).
          With ``strict``, an undeclared name is refused instead (mldsl's choice, off by default).
        * Submission validates the arguments (workflow/validate/validate.go:190-206, 1016-1056):
          for a workflowTemplateRef, over MergeParameters(the Workflow's, the template's)
          (util/util.go:61-73); each needs a ``value`` or ``valueFrom`` (:1019-1022, ``default``
          alone is not enough); ``valueFrom`` allows only configMapKeyRef, event, supplied and
          default (:1024-1033); a parameter with ``enum`` needs a value in the list (:1035-1048).
        * A ``-p`` value is checked against the declared ``enum`` too. Argo v4.1.2 does not do this,
          because the ``-p`` parameter replaces the declared one and its enum with it (util.go:322);
          mldsl refuses such a value, as the Argo UI's drop-down does.
        * The values are set as setGlobalParameters does (workflow/controller/operator.go:707-725):
          ``value``; else the ConfigMap value, falling back to ``valueFrom.default``; else an error.
        """
        given = dict(given or {})
        declared = {p.get("name") for p in _params(self.workflow.get("spec"))}
        if strict:
            unknown = [name for name in given if name not in declared]
            if unknown:
                names = sorted(str(n) for n in declared)
                raise ArgoFileError(
                    f"unknown parameter {unknown[0]!r}",
                    self.source,
                    hint=_choices("parameters", names, unknown[0]) if names else "the workflow declares no parameters",
                )
        # enum of -p values: from the declaration (the object's own, else its template's)
        own = {p.get("name"): p for p in _params(self._submitted_spec_declared())}
        wft = {p.get("name"): p for p in _params(self._wft_spec())}
        for name, value in given.items():
            decl = own.get(name) if own.get(name, {}).get("enum") is not None else wft.get(name)
            enum = decl.get("enum") if decl is not None else None
            if isinstance(enum, list) and enum and value not in [anystring(e) for e in enum]:
                raise self._param_error(
                    name,
                    f"spec.arguments.{name}.value should be present in spec.arguments.{name}.enum list",
                    ("enum",),
                    hint=f"-p {name}={value}: allowed values are " + ", ".join(anystring(e) for e in enum),
                )
        submitted = _override_parameters(_params(self._submitted_spec_declared()), given)
        to_check = _merge_parameters(submitted, _params(self._wft_spec())) if self._wft is not None else submitted
        self._validate_arguments(to_check)
        values: dict[str, str] = {}
        for param in _params(self.workflow_for(given).get("spec")):
            name = str(param.get("name"))
            value_from = param.get("valueFrom")
            if param.get("value") is not None:
                values[name] = anystring(param["value"])
            elif isinstance(value_from, dict) and isinstance(value_from.get("configMapKeyRef"), dict):
                ref = value_from["configMapKeyRef"]
                try:
                    values[name] = self.config_map_value(str(ref.get("name") or ""), str(ref.get("key") or ""))
                except ArgoFileError as exc:
                    if value_from.get("default") is None:
                        raise self._param_error(
                            name,
                            f"failed to set global parameter {name} from configmap with name {ref.get('name')} "
                            f"and key {ref.get('key')}: {exc.message}",
                            ("valueFrom", "configMapKeyRef"),
                            hint=exc.hint or (exc.where and f"see {exc.where}") or None,
                        ) from None
                    values[name] = anystring(value_from["default"])
            else:
                raise self._param_error(
                    name, f"either value or valueFrom must be specified in order to set global parameter {name}"
                )
        return values

    def _submitted_spec_declared(self) -> dict[str, Any]:
        spec = self._submitted.get("spec")
        return spec if isinstance(spec, dict) else {}

    def _wft_spec(self) -> dict[str, Any] | None:
        if self._wft is None:
            return None
        spec = self._wft.data.get("spec")
        return spec if isinstance(spec, dict) else {}

    def _validate_arguments(self, params: Sequence[Mapping[str, Any]]) -> None:
        """validateArgumentsValues (workflow/validate/validate.go:1016-1056) for submission."""
        for param in params:
            name = param.get("name")
            prefix = f"spec.arguments.{name}"
            value_from = param.get("valueFrom")
            hint_p = f"give it a value, or pass -p {name}=VALUE"
            if value_from is None and param.get("value") is None:
                raise self._param_error(str(name), f"{prefix}.value or {prefix}.valueFrom is required", hint=hint_p)  # :1019-1022
            if value_from is not None:
                vf = value_from if isinstance(value_from, dict) else {}
                if (vf.get("configMapKeyRef") is None and not vf.get("event") and vf.get("supplied") is None) or any(
                    vf.get(k) for k in ("path", "jsonPath", "parameter", "expression")
                ):
                    raise self._param_error(
                        str(name), f"{prefix}.valueFrom only allows: default, configMapKeyRef and supplied", ("valueFrom",)
                    )  # :1024-1033
            enum = param.get("enum")
            if enum is not None:
                if not isinstance(enum, list) or not enum:
                    raise self._param_error(str(name), f"{prefix}.enum should contain at least one value", ("enum",))
                if param.get("value") is None:
                    raise self._param_error(str(name), f"{prefix}.value is required", hint=hint_p)  # :1040-1045
                if anystring(param["value"]) not in [anystring(e) for e in enum]:
                    raise self._param_error(
                        str(name),
                        f"{prefix}.value should be present in {prefix}.enum list",
                        ("value",),
                        hint="allowed values are " + ", ".join(anystring(e) for e in enum),
                    )  # :1046-1048

    # ---------------------------------------------------------------- globals

    def globals(
        self,
        given: Mapping[str, str] | None = None,
        *,
        namespace: str = "default",
        uid: str = "",
        created: _dt.datetime | None = None,
    ) -> dict[str, str]:
        """The ``workflow.*`` variables setGlobalParameters sets before the first template runs
        (workflow/controller/operator.go:677-780), for a workflow created at ``created``
        (the API server's creationTimestamp has whole seconds; default: now, in UTC).
        Runtime ones (``workflow.status``, ``workflow.duration``, outputs) are the runner's."""
        wf = self.workflow_for(given)
        spec = wf.get("spec") or {}
        meta = wf.get("metadata") or {}
        moment = (created or _dt.datetime.now(_dt.UTC)).replace(microsecond=0)
        if moment.tzinfo is None:
            moment = moment.astimezone()
        out: dict[str, str] = {
            "workflow.name": str(meta.get("name") or ""),
            "workflow.namespace": namespace,
            "workflow.mainEntrypoint": str(spec.get("entrypoint") or ""),
            "workflow.serviceAccountName": str(spec.get("serviceAccountName") or ""),
            "workflow.uid": uid,
            "workflow.creationTimestamp": rfc3339(moment),
        }
        annotations = _mapping(meta.get("annotations"))
        labels = _mapping(meta.get("labels"))
        if ANNOTATION_SCHEDULED_TIME in annotations:  # :684-689
            out["workflow.scheduledTime"] = str(annotations[ANNOTATION_SCHEDULED_TIME])
        if spec.get("priority") is not None:  # :691-693
            out["workflow.priority"] = anystring(spec["priority"])
        for char, text in _strftime_chars(moment).items():  # :694-697
            out[f"workflow.creationTimestamp.{char}"] = text
        out["workflow.creationTimestamp.s"] = str(int(moment.timestamp()))  # :698-699
        out["workflow.creationTimestamp.RFC3339"] = rfc3339(moment)  # :700-701
        params_json = _go_json([_param_for_json(p) for p in _params(spec)])  # :703-706
        out["workflow.parameters"] = params_json
        out["workflow.parameters.json"] = params_json
        for name, value in self.arguments(given).items():  # :707-725
            out[f"workflow.parameters.{name}"] = value
        md = _mapping(spec.get("workflowMetadata"))
        labels_from = _mapping(md.get("labelsFrom"))
        annotations_json = _go_json({k: anystring(v) for k, v in annotations.items()}, sort_keys=True)
        out["workflow.annotations"] = annotations_json  # :743-749
        out["workflow.annotations.json"] = annotations_json
        for k, v in annotations.items():
            out[f"workflow.annotations.{k}"] = anystring(v)
        labels_json = _go_json({k: anystring(v) for k, v in labels.items()}, sort_keys=True)
        out["workflow.labels"] = labels_json  # :750-753
        out["workflow.labels.json"] = labels_json
        for k, v in labels.items():  # :754-764: a label a labelsFrom expression will set waits for it
            if k not in labels_from:
                out[f"workflow.labels.{k}"] = anystring(v)
        for k, v in _mapping(md.get("labels")).items():  # :766-777
            if k not in labels_from:
                out[f"workflow.labels.{k}"] = anystring(v)
        for k, v in _mapping(md.get("annotations")).items():
            out[f"workflow.annotations.{k}"] = anystring(v)
        return out


def load(
    path: Path,
    *,
    search: Sequence[Path] = (),
    name: str | None = None,
    suffix: str | None = None,
    entrypoint: str | None = None,
    scheduled_time: _dt.datetime | None = None,
) -> Loaded:
    """Load the runnable object of ``path`` (a file or a folder) with the objects it can refer to.

    ``name`` picks the object (``NAME`` or ``kind/NAME``); ``suffix`` completes a ``generateName``
    (default: five characters derived from the object, so a run is reproducible); ``entrypoint``
    overrides ``spec.entrypoint`` as ``argo submit --entrypoint`` does (workflow/util/util.go:
    254-256); ``scheduled_time`` sets a CronWorkflow's ``workflow.scheduledTime`` as
    ``argo submit --scheduled-time`` does (default: now). See the module's docstring for the rules.
    """
    path = Path(path)
    if not path.exists():
        raise ArgoFileError("no such file or folder", path)
    own_docs = _own_docs(path)
    cluster = _neighbours(path, search, own_docs)

    all_runnable = _runnable_docs(own_docs)
    workflows = [d for d in all_runnable if d.kind == WORKFLOW]
    doc = _select(workflows or all_runnable, all_runnable, name, path)

    submitted, spec_loc = _submitted_workflow(doc, scheduled_time)
    spec = submitted["spec"]
    if entrypoint:
        spec["entrypoint"] = entrypoint
    loaded = Loaded(
        workflow={},
        kind=doc.kind,
        source=doc.path,
        config_maps={n: _config_map_data(d) for n, d in cluster.config_maps.items()},
        pvcs={n: copy.deepcopy(d.data) for n, d in cluster.pvcs.items()},
        skipped=list(cluster.skipped),
        _cluster=cluster,
        _doc=doc,
        _spec_loc=spec_loc,
        _submitted=submitted,
    )
    effective, wft_doc = _joined_spec(loaded, doc, spec)
    loaded._wft = wft_doc

    metadata = _metadata(submitted, spec.get("workflowTemplateRef"), doc, suffix)
    loaded.workflow = {"apiVersion": API_VERSION, "kind": WORKFLOW, "metadata": metadata, "spec": effective}
    _check_references(loaded, doc, spec_loc, wft_doc, entrypoint)
    return loaded


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


def _joined_spec(loaded: Loaded, doc: _Doc, spec: dict[str, Any]) -> tuple[dict[str, Any], _Doc | None]:
    """The spec that runs: joined with the WorkflowTemplate a ``workflowTemplateRef`` names, and that template."""
    ref = spec.get("workflowTemplateRef")
    wft_doc: _Doc | None = None
    if ref is not None:
        ref_loc: Loc = ("workflowTemplateRef",) if doc.kind in (WORKFLOW, CRON_WORKFLOW) else ()
        if not isinstance(ref, dict) or not ref.get("name"):
            raise loaded._doc_error("workflowTemplateRef needs a name", ref_loc)
        if spec.get("templates"):  # workflow/validate/validate.go:382-386
            raise loaded._doc_error(
                "Templates is invalid field in spec if workflow referred WorkflowTemplate reference",
                ("templates",),
                hint="a Workflow with a workflowTemplateRef takes its templates from the WorkflowTemplate",
            )
        cluster_scope = bool(ref.get("clusterScope"))
        ref_name = str(ref["name"])
        wft_doc = loaded._cluster.templates(cluster_scope).get(ref_name)
        if wft_doc is None:  # validate.go:174-180: the API's NotFound error
            kind = CLUSTER_WORKFLOW_TEMPLATE if cluster_scope else WORKFLOW_TEMPLATE
            raise loaded._doc_error(
                f"{kind.lower()}s.argoproj.io {json.dumps(ref_name)} not found",
                (*ref_loc, "name"),
                hint=loaded._missing_hint(kind, ref_name),
            )
        wft_spec = wft_doc.data.get("spec")
        effective = join_workflow_spec(spec, wft_spec if isinstance(wft_spec, dict) else {})
    else:
        effective = copy.deepcopy(spec)
    return effective, wft_doc


def _metadata(submitted: dict[str, Any], ref: Any, doc: _Doc, suffix: str | None) -> dict[str, Any]:
    """The workflow's metadata: the template's label when it refers to one, a name made from ``generateName``."""
    metadata = copy.deepcopy(submitted.get("metadata") or {})
    if ref is not None:  # setWfTemplateLabel (operator.go:4501, 4748-4762)
        labels = metadata.setdefault("labels", {})
        label = LABEL_CLUSTER_WORKFLOW_TEMPLATE if ref.get("clusterScope") else LABEL_WORKFLOW_TEMPLATE
        labels[label] = str(ref["name"])
    if not metadata.get("name"):
        generate = str(metadata.get("generateName") or "")
        if not generate:
            raise doc.error(
                "metadata.name: Required value: name or generateName is required",  # the API server's validation
                ("metadata",),
            )
        # k8s.io/apiserver pkg/storage/names/generate.go:49-54
        metadata["name"] = generate[:_MAX_GENERATED_NAME_LENGTH] + (suffix if suffix is not None else _suffix(doc))
    return metadata


def _config_map_data(doc: _Doc) -> dict[str, str]:
    data = doc.data.get("data")
    return {str(k): anystring(v) for k, v in data.items()} if isinstance(data, dict) else {}


# --------------------------------------------------------------------------- reference checks


def _check_references(loaded: Loaded, doc: _Doc, spec_loc: Loc, wft_doc: _Doc | None, entrypoint: str | None) -> None:
    """What submission validates before a workflow runs (workflow/validate/validate.go:259-368):
    an entrypoint (:259-261) that names a template, and every template of the workflow (or of its
    WorkflowTemplate, :350-358) with every ``template``/``templateRef`` it reaches resolvable
    (GetTemplateByName and GetTemplateFromRef, workflow/templateresolution/context.go:102-152)."""
    spec = loaded.workflow["spec"]
    base_doc, base_loc = (wft_doc, ("spec",)) if wft_doc is not None else (doc, spec_loc)
    names = [t.get("name") for t in _spec_templates(base_doc, base_loc) if isinstance(t, dict)]
    entry = spec.get("entrypoint")
    if not entry:
        raise doc.error(
            "spec.entrypoint is required",  # validate.go:259-261
            spec_loc,
            hint=("pass an entrypoint (argo submit --entrypoint), one of: " + ", ".join(str(n) for n in names))
            if names
            else None,
        )
    checker = _RefChecker(loaded)
    if entrypoint:  # given by the caller: no position in a file
        if _find_template(_spec_templates(base_doc, base_loc), entrypoint) < 0:
            raise ArgoFileError(f"template {entrypoint} not found", loaded.source, hint=_choices("templates", names, entrypoint))
    elif (loaded._submitted.get("spec") or {}).get("entrypoint") or wft_doc is None:
        checker.name_in_base(str(entry), base_doc, base_loc, doc, (*spec_loc, "entrypoint"))
    else:
        checker.name_in_base(str(entry), base_doc, base_loc, wft_doc, ("spec", "entrypoint"))
    on_exit = spec.get("onExit")
    if on_exit:
        own_exit = _mapping(loaded._submitted.get("spec")).get("onExit")
        on_exit_doc, on_exit_loc = (doc, spec_loc) if own_exit else (base_doc, base_loc)
        checker.name_in_base(str(on_exit), base_doc, base_loc, on_exit_doc, (*on_exit_loc, "onExit"))
    for site_doc, site_loc in [(doc, spec_loc)] + ([(wft_doc, ("spec",))] if wft_doc is not None else []):
        site_spec: Any = site_doc.data
        for part in site_loc:
            site_spec = site_spec.get(part) if isinstance(site_spec, dict) else None
        hooks = site_spec.get("hooks") if isinstance(site_spec, dict) else None
        if isinstance(hooks, dict):
            for event, hook in hooks.items():
                if isinstance(hook, dict):
                    checker.holder(hook, site_doc, (*site_loc, "hooks", event), base_doc, base_loc)
    for i in range(len(_spec_templates(base_doc, base_loc))):  # every template (validate.go:350-368)
        checker.visit(base_doc, base_loc, i)


class _RefChecker:
    def __init__(self, loaded: Loaded):
        self.loaded = loaded
        self.done: set[tuple[str, int, int]] = set()

    def visit(self, base_doc: _Doc, base_loc: Loc, index: int) -> None:
        """Check the template at ``index`` of a holder once: what it reaches resolves in its holder."""
        key = (str(base_doc.path), base_doc.index, index)
        if key in self.done:
            return
        self.done.add(key)
        template = _spec_templates(base_doc, base_loc)[index]
        if isinstance(template, dict):
            self.template(template, base_doc, (*base_loc, "templates", index), base_doc, base_loc)

    def name_in_base(self, name: str, base_doc: _Doc, base_loc: Loc, at_doc: _Doc, at_loc: Loc) -> None:
        templates = _spec_templates(base_doc, base_loc)
        at = _find_template(templates, name)
        if at >= 0:
            self.visit(base_doc, base_loc, at)
            return
        names = [t.get("name") for t in templates if isinstance(t, dict)]
        if base_doc.kind in (WORKFLOW_TEMPLATE, CLUSTER_WORKFLOW_TEMPLATE) and at_doc is not base_doc:
            message = f"template {name} not found in workflow template {base_doc.name}"  # context.go:144-146
        else:
            message = f"template {name} not found"  # context.go:105-108
        raise at_doc.error(message, at_loc, hint=_choices("templates", names, name))

    def holder(self, holder: Mapping[str, Any], doc: _Doc, loc: Loc, base_doc: _Doc, base_loc: Loc) -> None:
        """A step, task or hook: GetTemplate's order (context.go:155-165): inline, templateRef, template."""
        inline = holder.get("inline")
        ref = holder.get("templateRef")
        name = holder.get("template")
        if isinstance(inline, dict):
            self.template(inline, doc, (*loc, "inline"), base_doc, base_loc)
        elif isinstance(ref, dict):
            ref_name, tmpl_name = str(ref.get("name") or ""), str(ref.get("template") or "")
            cluster_scope = bool(ref.get("clusterScope"))
            target = self.loaded._cluster.templates(cluster_scope).get(ref_name)
            if target is None:
                kind = CLUSTER_WORKFLOW_TEMPLATE if cluster_scope else WORKFLOW_TEMPLATE
                raise doc.error(
                    f"workflow template {ref_name} not found",  # context.go:135-138
                    (*loc, "templateRef", "name"),
                    hint=self.loaded._missing_hint(kind, ref_name),
                )
            templates = _spec_templates(target, ("spec",))
            at = _find_template(templates, tmpl_name)
            if at < 0:
                raise doc.error(
                    f"template {tmpl_name} not found in workflow template {ref_name}",  # context.go:142-146
                    (*loc, "templateRef", "template"),
                    hint=_choices("templates", [t.get("name") for t in templates if isinstance(t, dict)], tmpl_name),
                )
            self.visit(target, ("spec",), at)
        elif isinstance(name, str) and name:
            self.name_in_base(name, base_doc, base_loc, doc, (*loc, "template"))
        hooks = holder.get("hooks")
        if isinstance(hooks, dict):
            for event, hook in hooks.items():
                if isinstance(hook, dict):
                    self.holder(hook, doc, (*loc, "hooks", event), base_doc, base_loc)
        on_exit = holder.get("onExit")
        if isinstance(on_exit, str) and on_exit:
            self.name_in_base(on_exit, base_doc, base_loc, doc, (*loc, "onExit"))

    def template(self, template: Mapping[str, Any], doc: _Doc, loc: Loc, base_doc: _Doc, base_loc: Loc) -> None:
        steps = template.get("steps")
        if isinstance(steps, list):
            for i, group in enumerate(steps):
                if isinstance(group, list):
                    for j, step in enumerate(group):
                        if isinstance(step, dict):
                            self.holder(step, doc, (*loc, "steps", i, j), base_doc, base_loc)
        dag = template.get("dag")
        tasks = dag.get("tasks") if isinstance(dag, dict) else None
        if isinstance(tasks, list):
            for i, task in enumerate(tasks):
                if isinstance(task, dict):
                    self.holder(task, doc, (*loc, "dag", "tasks", i), base_doc, base_loc)
