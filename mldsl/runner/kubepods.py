"""A step's Pod object, and which resource steps need a controller this machine does not have."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from mldsl.runner.kubectl import _BUILTIN_TYPES, _find_type, _parse_cmd
from mldsl.runner.kubejson import _GO_MAP, _go_json, _KubectlError, _RefusedError, _yaml_docs, match_conditions
from mldsl.runner.kubepatch import _directives
from mldsl.runner.kubepath import _jq_steps, _JSONPathError, _JSONPathParser
from mldsl.runner.kubeselect import SelectorError, parse_selector


def _json_kind(value: Any) -> str:
    """The JSON type name Go's unmarshal errors use."""
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "string"


def _not_a_map(value: Any) -> str:
    """sigs.k8s.io/yaml's error for a document that is not a mapping."""
    return f"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {_json_kind(value)} into {_GO_MAP}"


def _three_way(last: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """A patch from the last applied configuration to the new one: dropped keys are null."""
    patch: dict[str, Any] = {k: None for k in last if k not in new}
    for k, v in new.items():
        prev = last.get(k)
        patch[k] = _three_way(prev, v) if isinstance(v, Mapping) and isinstance(prev, Mapping) else copy.deepcopy(v)
    return patch


def _with_owner(manifest: str, owner: Mapping[str, Any]) -> str:
    """The controller's setOwnerReference (operator.go:3938-3951): the manifest read as an
    unstructured object (its kind required), the Workflow appended to its ownerReferences as
    metav1.NewControllerRef makes it. Raises ValueError with sigs.k8s.io/yaml's wording."""
    try:
        docs = _yaml_docs(manifest)
    except yaml.YAMLError as exc:
        raise ValueError(f"error converting YAML to JSON: {exc}") from None
    obj = docs[0] if docs else None
    if obj is None:  # an empty manifest (manifestFrom): nothing to decode, the reference is kept nowhere
        obj = {}
    elif not isinstance(obj, dict):
        raise ValueError(_not_a_map(obj))
    elif not obj.get("kind"):
        raise ValueError(f"error unmarshaling JSON: while decoding JSON: Object 'Kind' is missing in '{_go_json(obj)}'")
    meta = obj.setdefault("metadata", {})
    refs = list(meta.get("ownerReferences") or [])
    refs.append({
        "apiVersion": str(owner.get("apiVersion") or "argoproj.io/v1alpha1"),
        "kind": str(owner.get("kind") or "Workflow"),
        "name": str(owner.get("name", "")),
        "uid": str(owner.get("uid", "")),
        "controller": True,
        "blockOwnerDeletion": True,
    })  # fmt: skip
    meta["ownerReferences"] = refs
    return yaml.safe_dump(obj, sort_keys=True)


def pod_object(
    name: str,
    namespace: str,
    metadata: Mapping[str, Any] | None,
    *,
    workflow: str = "",
    node_name: str = "",
    node_id: str = "",
    owner: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A step's pod as the controller creates it (workflowpod.go:477-491, 562, 1326-1334): Argo's
    labels and annotations, then the template's ``metadata`` over them; status Running. The
    annotations map always exists, as on a cluster, so a JSON patch can add to it."""
    meta = metadata or {}
    labels = {"workflows.argoproj.io/completed": "false"}
    annotations = {"kubectl.kubernetes.io/default-container": "main"}
    if workflow:
        labels["workflows.argoproj.io/workflow"] = workflow
    if node_name:
        annotations["workflows.argoproj.io/node-name"] = node_name
    if node_id:
        annotations["workflows.argoproj.io/node-id"] = node_id
    labels.update({str(k): str(v) for k, v in (meta.get("labels") or {}).items()})
    annotations.update({str(k): str(v) for k, v in (meta.get("annotations") or {}).items()})
    pod: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels, "annotations": annotations},
        "spec": {"restartPolicy": "Never", "containers": [{"name": "main"}]},
        "status": {"phase": "Running"},
    }
    if owner is not None:
        pod["metadata"]["ownerReferences"] = [{
            "apiVersion": str(owner.get("apiVersion") or "argoproj.io/v1alpha1"), "kind": str(owner.get("kind") or "Workflow"),
            "name": str(owner.get("name", "")), "uid": str(owner.get("uid", "")), "controller": True, "blockOwnerDeletion": True,
        }]  # fmt: skip
    return pod


# --------------------------------------------------------------------------- before the run


def _manifest_doc(template_resource: Mapping[str, Any]) -> dict[str, Any] | None:
    """The inline manifest's single object, or None when it has none, several, or Argo tags
    not yet substituted."""
    text = str(template_resource.get("manifest") or "")
    if not text or "{{" in text:
        return None
    try:
        docs = _yaml_docs(text)
    except yaml.YAMLError:
        return None
    return docs[0] if len(docs) == 1 and isinstance(docs[0], dict) else None


def needs_controller(template_resource: Mapping[str, Any]) -> str | None:
    """Why the step would wait for a change no one here makes, or None.

    Argo polls the object until a failure requirement matches or every success requirement does
    (resource.go:224-305). Here nothing changes an object by itself. So a template whose
    ``successCondition`` reads ``status`` (which only controllers write) waits forever, unless
    the object as created already decides it: ``create``/``apply``/``replace`` of an inline
    manifest are evaluated on the manifest as the API server would store it (a status
    subresource's status dropped, a Pod Pending). Conditions over other fields can be met by
    another step's patch, so they are left to run. No success requirement means no wait: a
    failure condition that does not match is success (resource.go:300-302). A condition that
    does not parse is left to fail the run with Argo's own message."""
    success = str(template_resource.get("successCondition") or "")
    failure = str(template_resource.get("failureCondition") or "")
    action = str(template_resource.get("action") or "")
    if not success or action == "delete":
        return None
    try:
        sreq = parse_selector(success)
        freq = parse_selector(failure) if failure else []
    except SelectorError:
        return None
    if not sreq:
        return None
    doc = _manifest_doc(template_resource)
    written = re.search(r"^kind:[ \t]*([A-Za-z0-9]+)[ \t]*$", str(template_resource.get("manifest") or ""), re.MULTILINE)
    kind = str((doc or {}).get("kind") or (written.group(1) if written else "object"))
    if doc is not None and action in ("create", "apply", "replace") and not template_resource.get("manifestFrom"):
        t = _find_type(_BUILTIN_TYPES, str(doc.get("apiVersion", "")), kind)
        if t is None:
            return None  # kubectl fails on the unknown kind before anything waits
        as_created = copy.deepcopy(doc)
        if t.status:
            as_created.pop("status", None)
            if t.kind == "Pod":
                as_created["status"] = {"phase": "Pending", "qosClass": "BestEffort"}
        retry, _ = match_conditions(as_created, sreq, freq)
        if not retry:
            return None
    elif doc is None and action in ("get", "patch"):
        flags = [str(f) for f in template_resource.get("flags") or [] if not str(f).startswith("-")]
        kind = flags[0].partition("/")[0] if flags else kind
    waits = [r.key for r in sreq if r.key == "status" or r.key.startswith("status.")]
    if not waits:
        return None
    return (
        f"it waits for a cluster's controller to set {waits[0]} of the {kind} (successCondition '{success}'); "
        "nothing here changes an object's status after it is written"
    )


def unsupported(template_resource: Mapping[str, Any], parameters: Sequence[Mapping[str, Any]] | None = None) -> str | None:
    """Why this module would not reproduce the step, or None: kubectl flags it does not know, a
    create/apply/replace of several objects at once, strategic-merge directives, and output
    parameters beyond the jq and JSONPath subsets. Tags left in flags or the manifest are
    tolerated (they are checked again after substitution, at run time)."""
    res = template_resource
    flags = [str(f) for f in res.get("flags") or []]
    try:
        cmd = _parse_cmd(["kubectl", str(res.get("action") or "get"), *flags])
    except _RefusedError as exc:
        return str(exc)
    except _KubectlError:
        return None  # kubectl itself fails the step
    if cmd.action == "create" and cmd.args:
        return "kubectl create with resource arguments (a generator such as 'kubectl create configmap')"
    text = str(res.get("manifest") or "")
    if text and "{{" not in text:
        try:
            docs = _yaml_docs(text)
        except yaml.YAMLError:
            docs = []
        if cmd.action in ("create", "apply", "replace") and len(docs) > 1:
            return f"kubectl {cmd.action} of {len(docs)} objects at once (kubectl prints each, which Argo cannot read)"
        if (
            cmd.action == "patch"
            and str(res.get("mergeStrategy") or "strategic") == "strategic"
            and docs
            and _directives(docs[0])
        ):
            return f"the strategic merge patch directive {_directives(docs[0])[0]}"
    for p in parameters or []:
        vf = p.get("valueFrom") or {}
        try:
            if vf.get("jqFilter"):
                _jq_steps(str(vf["jqFilter"]))
            elif vf.get("jsonPath") and "{{" not in str(vf["jsonPath"]):
                _JSONPathParser(str(vf["jsonPath"])).parse()
        except _RefusedError as exc:
            return f"output parameter {p.get('name')}: {exc} is not evaluated here"
        except _JSONPathError:
            pass  # kubectl's parse error fails the step
    return None
