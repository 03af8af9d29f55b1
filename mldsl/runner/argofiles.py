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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mldsl.runner.argocluster import _neighbours, _own_docs
from mldsl.runner.argodocs import ArgoFileError, Loc, _Doc, anystring
from mldsl.runner.argojoin import join_workflow_spec
from mldsl.runner.argokinds import (
    _MAX_GENERATED_NAME_LENGTH,
    API_VERSION,
    CLUSTER_WORKFLOW_TEMPLATE,
    CRON_WORKFLOW,
    LABEL_CLUSTER_WORKFLOW_TEMPLATE,
    LABEL_WORKFLOW_TEMPLATE,
    WORKFLOW,
    WORKFLOW_TEMPLATE,
)
from mldsl.runner.argoloaded import Loaded
from mldsl.runner.argorefs import _check_references
from mldsl.runner.argoselect import _runnable_docs, _select, _submitted_workflow, _suffix

__all__ = ["ArgoFileError", "Loaded", "load"]


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
