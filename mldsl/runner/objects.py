"""Argo ``resource:`` templates run against an in-memory object store standing for the cluster.

On a cluster a resource step's pod runs ``argoexec resource ACTION``: the executor runs kubectl
in-process against the API server, waits for the template's success/failure condition, then reads
its output parameters with ``kubectl get``. Here the "cluster" is an :class:`ObjectStore` holding
the run's own pods (the engine adds one :func:`pod_object` per pod it starts), whatever the run
creates, and any neighbours the caller adds. Oracle: Argo v4.1.2 and the Kubernetes v0.35.4
libraries it vendors (apimachinery, apiserver, kubectl, client-go, gojq v0.12.19); file:line
references below are to those trees.

What is reproduced: the controller's ``setOwnerReference`` (operator.go:3938-3951), the executor's
kubectl command line (executor/resource.go:113-174) and what kubectl and the API server do with it
for the six actions, the condition syntax (labels.Parse, selector.go:616-927) over gjson paths
(resource.go:176-197) and its matching (resource.go:278-305), output parameters
(resource.go:307-389), and the wording of every error along the way.

What is not (and is refused or said so): nothing changes an object once it is written, since there
is no controller, scheduler, kubelet or garbage collector: a created Job never runs, a Pod created
by a manifest stays Pending, deleting an owner leaves its dependents. :func:`needs_controller`
names templates that would wait for such a change. Server-side defaulting and most validation are
not reproduced (an object is stored as written, plus the metadata the API server sets). Strategic
merge patches follow the ``patchStrategy`` tags of the few built-in types listed in ``_SCHEMAS``;
``$patch``-style directives are refused. jq filters are paths only (``.``, ``.a.b``, ``.a[0]``,
``.["a"]``); JSONPath lacks filters, recursive descent and ``range``. :func:`unsupported` names
these before a run.
"""

from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from mldsl.runner.kubectl import _BUILTIN_TYPES, _Cmd, _find_type, _parse_cmd, _plural, _split_api_version, _Type
from mldsl.runner.kubejson import (
    _ACTIONS,
    _GO_MAP,
    MANIFEST_PATH,
    ResourceError,
    _failed,
    _go_json,
    _KubectlError,
    _RefusedError,
    _yaml_docs,
    match_conditions,
)
from mldsl.runner.kubepatch import _directives, _strategic, json_patch, merge_patch
from mldsl.runner.kubepath import jq_filter, jsonpath
from mldsl.runner.kubepods import _json_kind, _not_a_map, _three_way, _with_owner, pod_object
from mldsl.runner.kubeselect import Requirement, SelectorError, _dns_subdomain_errors, _invalid, parse_selector

__all__ = [
    "MANIFEST_PATH",
    "ObjectStore",
    "Requirement",
    "ResourceError",
    "ResourceResult",
    "SelectorError",
    "jq_filter",
    "json_patch",
    "jsonpath",
    "match_conditions",
    "merge_patch",
    "parse_selector",
    "pod_object",
]

_MISSING = object()
_MISSING_RESOURCE = (
    "error: You must provide one or more resources by argument or filename.\n"
    "Example resource specifications include:\n"
    "   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'"
)  # cli-runtime resource/builder.go missingResourceError
_STRATEGIC_MEDIA = "application/strategic-merge-patch+json"
_CRD_MEDIA = "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_SUFFIX_CHARS = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery/pkg/util/rand alphanums


def _from_server(reason: str, message: str) -> _KubectlError:
    """kubectl's line for an API status error (cmd/util/helpers.go:245-250)."""
    return _KubectlError(f"Error from server ({reason}): {message}")


def _invalid_object(kind: str, name: str, causes: list[str]) -> _KubectlError:
    """kubectl's wording of the server's Invalid status (helpers.go:152-181, MultilineError)."""
    head = f"The {kind} {json.dumps(name)} is invalid: "
    if len(causes) == 1:
        return _KubectlError(head + causes[0])
    return _KubectlError(head + "\n" + "".join(f"* {c}\n" for c in causes))


def _not_found(t: _Type, name: str) -> str:
    """apierrors.NewNotFound's message (api/errors/errors.go)."""
    return f'{t.resource} "{name}" not found'


@dataclass
class _Target:
    """One object a command acts on: its type, namespace and name, and the manifest's document."""

    type: _Type
    namespace: str
    name: str
    doc: dict[str, Any] | None = None


# --------------------------------------------------------------------------- the store


@dataclass
class ResourceResult:
    """What a resource step came to.

    ``phase`` is ``Succeeded``, ``Failed`` (the executor returned an error: the node's message is
    Argo's), ``Error`` (the controller could not build the pod, operator.go:2576-2577), or
    ``Running``: neither condition has matched yet. Argo keeps polling then (resource.go:224-239);
    nothing here changes an object by itself, so only another step can make it match: call
    :meth:`ObjectStore.poll` after one has, and fail the step if none can.
    """

    phase: str
    message: str
    object: dict[str, Any] | None
    #: output parameters, when ``resource()`` was given the template's
    parameters: dict[str, str] = field(default_factory=dict)
    #: the executor's log: the kubectl command lines it ran (resource.go:392)
    log: list[str] = field(default_factory=list)
    _store: ObjectStore | None = field(default=None, repr=False)
    _ref: _Target | None = field(default=None, repr=False)
    _success: tuple[Requirement, ...] = field(default=(), repr=False)
    _failure: tuple[Requirement, ...] = field(default=(), repr=False)
    _parameters: Sequence[Mapping[str, Any]] | None = field(default=None, repr=False)

    def outputs(self, parameters: Iterable[Mapping[str, Any]]) -> dict[str, str]:
        """SaveResourceParameters (resource.go:308-356): each ``valueFrom.jsonPath`` or
        ``valueFrom.jqFilter`` read from the object as it is now in the store (Argo runs
        ``kubectl get`` after the wait). No default outputs: a resource template has no
        ``outputs.result`` (validate.go:1227-1237). When the action named no object (``get``
        with ``--ignore-not-found`` finding nothing) each parameter takes its ``default``
        (resource.go:319-326). Raises :class:`ResourceError` with the node's message."""
        out: dict[str, str] = {}
        for p in parameters:
            vf = p.get("valueFrom")
            if not isinstance(vf, Mapping):
                continue
            name = str(p.get("name", ""))
            if self._ref is None:
                out[name] = "" if vf.get("default") is None else str(vf.get("default"))
                continue
            if not vf.get("jsonPath") and not vf.get("jqFilter"):
                continue
            obj = self._store._read(self._ref) if self._store is not None else self.object
            if obj is None:
                raise ResourceError(_failed(f"Error from server (NotFound): {_not_found(self._ref.type, self._ref.name)}"))
            try:
                if vf.get("jsonPath"):
                    out[name] = jsonpath(obj, str(vf["jsonPath"]))
                else:
                    out[name] = jq_filter(obj, str(vf["jqFilter"]))
            except ValueError as exc:
                raise ResourceError(_failed(str(exc))) from None
            except _RefusedError as exc:
                raise ResourceError(f"cannot run here: {exc}") from None
        return out


def _now_text(clock: Callable[[], float]) -> str:
    return _dt.datetime.fromtimestamp(int(clock()), _dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ObjectStore:
    """The cluster of one run: objects keyed by (API group, kind, namespace, name).

    ``namespace`` is the run's namespace, where its pods run and where kubectl, run by the
    executor inside a pod, acts unless told otherwise. Writes get the metadata the API server sets
    (uid, resourceVersion, creationTimestamp, a generated name); names, uids and generated
    suffixes are deterministic for a given sequence of writes.
    """

    def __init__(self, namespace: str, *, clock: Callable[[], float] = time.time) -> None:
        self.namespace = namespace
        self._clock = clock
        self._objects: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        self._types: list[_Type] = list(_BUILTIN_TYPES)
        self._version = 0

    # ------------------------------------------------------------------ types

    def _type_of(self, api_version: str, kind: str) -> _Type | None:
        return _find_type(self._types, api_version, kind)

    def _register(self, obj: Mapping[str, Any]) -> _Type:
        """The type of an object added from outside, learnt from it (a CRD adds its kind)."""
        api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
        if kind == "CustomResourceDefinition":
            spec = obj.get("spec") or {}
            names = spec.get("names") or {}
            versions = [v.get("name") for v in spec.get("versions") or [] if isinstance(v, Mapping)] or ["v1"]
            subs = [v.get("subresources") or {} for v in spec.get("versions") or [] if isinstance(v, Mapping)]
            crd = _Type(
                str(spec.get("group", "")), str(versions[0]), str(names.get("kind", "")), str(names.get("plural", "")),
                tuple(names.get("shortNames") or ()) + ((str(names["singular"]),) if names.get("singular") else ()),
                spec.get("scope", "Namespaced") != "Cluster", False, any("status" in s for s in subs),
            )  # fmt: skip
            if crd.kind and self._type_of(crd.api_version, crd.kind) is None:
                self._types.append(crd)
        known = self._type_of(api_version, kind)
        if known is not None:
            return known
        group, version = _split_api_version(api_version)
        new = _Type(group, version, kind, _plural(kind), (), True, False, False)
        self._types.append(new)
        return new

    def _resolve(self, arg: str) -> _Type:
        """The REST mapper's reading of a resource argument: ``pod``, ``pods``, ``po``,
        ``jobs.batch``, ``Job``, ``workflows.v1alpha1.argoproj.io``."""
        low = arg.lower()
        name, _, qual = low.partition(".")
        for t in self._types:
            if name in t.names() and (not qual or qual in (t.group, f"{t.version}.{t.group}", f"{t.version}.")):
                return t
        raise _KubectlError(f'error: the server doesn\'t have a resource type "{name}"')

    # ------------------------------------------------------------------ objects

    def _key(self, t: _Type, namespace: str, name: str) -> tuple[str, str, str, str]:
        return (t.group, t.kind, namespace if t.namespaced else "", name)

    def _stamp(self, obj: dict[str, Any], t: _Type, namespace: str) -> None:
        """What the API server sets on a new object."""
        meta = obj.setdefault("metadata", {})
        if t.namespaced:
            meta["namespace"] = namespace
        self._version += 1
        meta.setdefault(
            "uid",
            str(uuid.UUID(bytes=hashlib.sha256(f"uid/{self._version}/{meta.get('name')}".encode()).digest()[:16], version=4)),
        )
        meta["resourceVersion"] = str(self._version)
        meta.setdefault("creationTimestamp", _now_text(self._clock))

    def add(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        """Put an object in the store as it is (status included: this is how the engine, standing
        for kubelet and controllers, writes), with the metadata the server would set. A
        CustomResourceDefinition makes its kind known; any other unknown kind is learnt too."""
        new = copy.deepcopy(dict(obj))
        meta = new.get("metadata")
        if not isinstance(meta, dict) or not meta.get("name") or not new.get("kind"):
            raise ValueError("an object needs kind and metadata.name")
        t = self._register(new)
        new.setdefault("apiVersion", t.api_version)
        namespace = str(meta.get("namespace") or self.namespace)
        self._stamp(new, t, namespace)
        self._objects[self._key(t, namespace, str(meta["name"]))] = new
        return copy.deepcopy(new)

    def get(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        """An object by kind (``Pod``, ``pod``, ``jobs.batch``...) and name, or None."""
        try:
            t = self._resolve(kind)
        except _KubectlError:
            return None
        found = self._objects.get(self._key(t, namespace or self.namespace, name))
        return copy.deepcopy(found) if found is not None else None

    def objects(self) -> list[dict[str, Any]]:
        """Every object, in the order they were first written."""
        return [copy.deepcopy(o) for o in self._objects.values()]

    def update_status(self, kind: str, name: str, status: Mapping[str, Any], namespace: str | None = None) -> None:
        """Set an object's status, as its controller would (the engine marks its pods' phases)."""
        t = self._resolve(kind)
        obj = self._objects[self._key(t, namespace or self.namespace, name)]
        obj["status"] = copy.deepcopy(dict(status))
        self._version += 1
        obj["metadata"]["resourceVersion"] = str(self._version)

    def _read(self, target: _Target) -> dict[str, Any] | None:
        found = self._objects.get(self._key(target.type, target.namespace, target.name))
        return copy.deepcopy(found) if found is not None else None

    def _write(self, t: _Type, namespace: str, name: str, new: dict[str, Any], old: Mapping[str, Any]) -> dict[str, Any]:
        """An update: server-set metadata kept, the live status kept for a status subresource."""
        meta = new.setdefault("metadata", {})
        old_meta = old.get("metadata") or {}
        for k in ("uid", "creationTimestamp"):
            if k in old_meta:
                meta[k] = old_meta[k]
        if t.namespaced:
            meta["namespace"] = namespace
        if t.status:
            new.pop("status", None)
            if "status" in old:
                new["status"] = copy.deepcopy(old["status"])
        if new != old:
            self._version += 1
            meta["resourceVersion"] = str(self._version)
        self._objects[self._key(t, namespace, name)] = new
        return copy.deepcopy(new)

    def _generate_name(self, t: _Type, namespace: str, base: str) -> str:
        """names.SimpleNameGenerator: the prefix cut to 58 characters and five random characters;
        here the characters come from a hash of the store's state, so a run repeats itself."""
        base = base[:58]
        n = 0
        while True:
            digest = hashlib.sha256(f"{namespace}/{t.resource}/{base}/{self._version}/{n}".encode()).digest()
            name = base + "".join(_SUFFIX_CHARS[b % len(_SUFFIX_CHARS)] for b in digest[:5])
            if self._key(t, namespace, name) not in self._objects:
                return name
            n += 1

    # ------------------------------------------------------------------ kubectl

    def _targets_from_file(self, text: str, source: str, cmd: _Cmd) -> list[_Target]:
        """The objects a manifest names (the builder's FilenameParam, mapped by kind)."""
        out = []
        for doc in _yaml_docs(text):
            if not isinstance(doc, dict):
                raise _KubectlError(f"error: error parsing {source}: json: cannot unmarshal {_json_kind(doc)} into {_GO_MAP}")
            items = doc.get("items")
            docs: list[Any] = items if str(doc.get("kind", "")).endswith("List") and isinstance(items, list) else [doc]
            for d in docs:
                if not isinstance(d, dict) or not d.get("kind"):
                    raise _KubectlError(f"error: unable to decode \"{source}\": Object 'Kind' is missing in '{_go_json(d)}'")
                meta: dict[str, Any] = d["metadata"] if isinstance(d.get("metadata"), dict) else {}
                name = str(meta.get("name") or "")
                t = self._type_of(str(d.get("apiVersion", "")), str(d["kind"]))
                if t is None:
                    raise _KubectlError(
                        f'error: resource mapping not found for name: "{name}" namespace: "{meta.get("namespace") or ""}" '
                        f'from "{source}": no matches for kind "{d["kind"]}" in version "{d.get("apiVersion", "")}"\n'
                        "ensure CRDs are installed first"
                    )
                ns = str(meta.get("namespace") or cmd.namespace or self.namespace) if t.namespaced else ""
                if t.namespaced and cmd.namespace and meta.get("namespace") and meta["namespace"] != cmd.namespace:
                    raise _KubectlError(
                        f'error: the namespace from the provided object "{meta["namespace"]}" does not match the namespace '
                        f"\"{cmd.namespace}\". You must pass '--namespace={meta['namespace']}' to perform this operation."
                    )
                out.append(_Target(t, ns, name, d))
        return out

    def _targets(self, cmd: _Cmd, manifest: str, *, allow_empty: bool) -> tuple[list[_Target], bool]:
        """What the builder visits (resource/builder.go): the manifest's objects, or TYPE NAME...
        / TYPE/NAME arguments, or every object of a type matching ``--selector``; and whether
        a single item is implied (the output is then that object, not a List)."""
        ns = cmd.namespace or self.namespace
        if cmd.files:
            if cmd.args:
                raise _KubectlError(
                    "error: when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well"
                )
            if any(f != MANIFEST_PATH for f in cmd.files):
                raise _RefusedError("kubectl -f naming a file other than the staged manifest")
            targets = self._targets_from_file(manifest, MANIFEST_PATH, cmd)
            return targets, len(targets) == 1
        if not cmd.args:
            raise _KubectlError(_MISSING_RESOURCE)
        if all("/" in a for a in cmd.args):
            out = []
            for a in cmd.args:
                kind, _, name = a.partition("/")
                t = self._resolve(kind)
                out.append(_Target(t, ns if t.namespaced else "", name))
            return out, len(out) == 1
        if any("/" in a for a in cmd.args):
            raise _KubectlError(
                "error: there is no need to specify a resource type as a separate argument when passing arguments in "
                "resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of "
                "'kubectl get resource resource/<resource_name>'"
            )
        types = [self._resolve(k) for k in cmd.args[0].split(",")]
        names = cmd.args[1:]
        if names:
            if cmd.selector:
                raise _KubectlError("error: name cannot be provided when a selector is specified")
            return [_Target(t, ns if t.namespaced else "", n) for t in types for n in names], len(types) == 1 and len(names) == 1
        if not (cmd.selector is not None or cmd.all or allow_empty):
            raise _KubectlError("error: resource(s) were provided, but no name was specified")
        reqs = parse_selector(cmd.selector) if cmd.selector else []
        out = []
        for (group, kind, ons, name), obj in self._objects.items():
            for t in types:
                if (t.group, t.kind) == (group, kind) and (not t.namespaced or ons == ns):
                    labels: dict[str, Any] = (obj.get("metadata") or {}).get("labels") or {}

                    def lookup(key: str, lab: dict[str, Any] = labels) -> tuple[bool, str]:
                        return key in lab, str(lab.get(key, ""))

                    if all(r.matches(lookup) for r in reqs):
                        out.append(_Target(t, ons, name))
        return out, False

    def _kubectl(self, argv: list[str], manifest: str) -> dict[str, Any] | None:
        """Run ``kubectl ACTION ...`` against the store; the object printed with ``-o json``
        (a List when several), None when nothing was printed. Raises _KubectlError."""
        cmd = _parse_cmd(argv)
        if cmd.action == "create":
            return self._create(cmd, manifest)
        if cmd.action == "apply":
            return self._apply(cmd, manifest)
        if cmd.action == "replace":
            return self._replace(cmd, manifest)
        if cmd.action == "patch":
            return self._patch(cmd, manifest)
        if cmd.action == "delete":
            self._delete(cmd, manifest)
            return None
        return self._get(cmd, manifest)

    def _single(self, cmd: _Cmd, manifest: str) -> _Target:
        if cmd.args and not cmd.files:
            raise _RefusedError(f"kubectl {cmd.action} with resource arguments (a generator such as 'kubectl create configmap')")
        targets, _ = self._targets(cmd, manifest, allow_empty=False)
        if len(targets) != 1:
            raise _RefusedError(
                f"kubectl {cmd.action} of {len(targets)} objects at once (kubectl prints each, which Argo cannot read)"
            )
        return targets[0]

    def _new_object(self, target: _Target, verb: str) -> dict[str, Any]:
        """An object about to be created: generated name, status reset where the server resets it
        (Pod PrepareForCreate sets phase Pending; a status subresource starts empty)."""
        assert target.doc is not None
        obj = copy.deepcopy(target.doc)
        meta = obj.setdefault("metadata", {})
        if not meta.get("name"):
            if not meta.get("generateName"):
                raise _invalid_object(target.type.kind, "", ["metadata.name: Required value: name or generateName is required"])
            meta["name"] = self._generate_name(target.type, target.namespace, str(meta["generateName"]))
        errs = _dns_subdomain_errors(str(meta["name"]))  # most kinds' names are DNS subdomains
        if errs:
            raise _invalid_object(
                target.type.kind, str(meta["name"]), [_invalid("metadata.name", str(meta["name"]), e) for e in errs]
            )
        if target.type.status:
            obj.pop("status", None)
            if target.type.kind == "Pod":
                obj["status"] = {"phase": "Pending", "qosClass": "BestEffort"}
        target.name = str(meta["name"])
        if self._key(target.type, target.namespace, target.name) in self._objects:
            raise _from_server(
                "AlreadyExists", f'error when {verb} "{MANIFEST_PATH}": {target.type.resource} "{target.name}" already exists'
            )
        return obj

    def _create(self, cmd: _Cmd, manifest: str) -> dict[str, Any]:
        """kubectl create -f (create.go:240-290): AlreadyExists if the name is taken."""
        target = self._single(cmd, manifest)
        obj = self._new_object(target, "creating")
        self._stamp(obj, target.type, target.namespace)
        self._objects[self._key(target.type, target.namespace, target.name)] = obj
        return copy.deepcopy(obj)

    def _apply(self, cmd: _Cmd, manifest: str) -> dict[str, Any]:
        """kubectl apply -f, client-side (apply.go:560-745): create with the last-applied
        annotation, or a three-way patch from it: what the last apply set and this one drops is
        deleted, the rest merged (strategic for built-in types, JSON merge for the others)."""
        target = self._single(cmd, manifest)
        assert target.doc is not None
        meta = target.doc.get("metadata") or {}
        if not meta.get("name") and meta.get("generateName"):
            raise _KubectlError(f"error: from {meta['generateName']}: cannot use generate name with apply")
        applied = copy.deepcopy(target.doc)
        applied.setdefault("metadata", {}).setdefault("annotations", {}).pop(_LAST_APPLIED, None)
        last_text = _go_json(applied) + "\n"
        live = self._read(target)
        if live is None:
            obj = self._new_object(target, "creating")
            obj.setdefault("metadata", {}).setdefault("annotations", {})[_LAST_APPLIED] = last_text
            self._stamp(obj, target.type, target.namespace)
            self._objects[self._key(target.type, target.namespace, target.name)] = obj
            return copy.deepcopy(obj)
        try:
            last = json.loads(((live.get("metadata") or {}).get("annotations") or {}).get(_LAST_APPLIED) or "{}")
        except ValueError:
            last = {}
        patch = _three_way(last if isinstance(last, dict) else {}, applied)
        patch.setdefault("metadata", {}).setdefault("annotations", {})[_LAST_APPLIED] = last_text
        new = _strategic(live, patch, target.type.kind) if target.type.builtin else merge_patch(live, patch)
        return self._write(target.type, target.namespace, target.name, new, live)

    def _replace(self, cmd: _Cmd, manifest: str) -> dict[str, Any]:
        """kubectl replace -f (replace.go:280-310): the manifest becomes the object."""
        target = self._single(cmd, manifest)
        assert target.doc is not None
        if not target.name:
            raise _KubectlError(f'error: error when replacing "{MANIFEST_PATH}": resource name may not be empty')
        live = self._read(target)
        if live is None:
            raise _from_server("NotFound", f'error when replacing "{MANIFEST_PATH}": {_not_found(target.type, target.name)}')
        return self._write(target.type, target.namespace, target.name, copy.deepcopy(target.doc), live)

    def _patch(self, cmd: _Cmd, manifest: str) -> dict[str, Any]:
        """kubectl patch (patch.go:202-316) and the API server's patcher (handlers/patch.go)."""
        kind = cmd.patch_type.lower()
        if kind not in ("json", "merge", "strategic"):
            raise _KubectlError(f'error: --type must be one of [json merge strategic], not "{cmd.patch_type}"')
        if cmd.patch_file is not None and cmd.patch is not None:
            raise _KubectlError("error: cannot specify --patch and --patch-file together")
        if cmd.patch_file is not None and cmd.patch_file != MANIFEST_PATH:
            raise _RefusedError("kubectl --patch-file naming a file other than the staged manifest")
        body_text = manifest if cmd.patch is None else cmd.patch
        docs = _yaml_docs(body_text)
        body = docs[0] if docs else None
        targets, _ = self._targets(cmd, manifest, allow_empty=False)
        if len(targets) != 1:
            if not targets:
                raise _KubectlError("error: no objects passed to patch")
            raise _RefusedError(f"kubectl patch of {len(targets)} objects at once (kubectl prints each, which Argo cannot read)")
        target = targets[0]
        live = self._read(target)
        if live is None:
            raise _from_server("NotFound", _not_found(target.type, target.name))
        if kind == "json":
            ops = [] if body is None else body  # an empty file: "null", a patch of no operations
            if not isinstance(ops, list):  # handlers/patch.go:403-406: jsonpatch.DecodePatch fails
                raise _from_server(
                    "BadRequest", f"json: cannot unmarshal {_json_kind(ops)} into Go value of type jsonpatch.Patch"
                )
            bad = next((op for op in ops if not isinstance(op, Mapping)), _MISSING)
            if bad is not _MISSING:
                raise _from_server(
                    "BadRequest", f"json: cannot unmarshal {_json_kind(bad)} into Go value of type jsonpatch.Operation"
                )
            try:
                new = json_patch(live, ops)
            except ValueError:
                # handlers/patch.go:411-414: a failing operation is a bare 422, which kubectl prints
                # as "The request is invalid" with the server's generic message (helpers.go:163-181)
                raise _KubectlError(
                    "The request is invalid: the server rejected our request due to an error in our request"
                ) from None
        elif not isinstance(body, Mapping):
            raise _from_server("BadRequest", "Invalid JSON Patch")
        elif kind == "merge":
            new = merge_patch(live, body)
        else:
            if not target.type.builtin:  # a CRD takes no strategic merge patch (patch.go:259-263)
                gvk = f"{target.type.api_version}, Kind={target.type.kind}"
                raise _KubectlError(
                    f"error: {_STRATEGIC_MEDIA} is not supported by {gvk}: the body of the request was in an unknown "
                    f"format - accepted media types include: {_CRD_MEDIA}"
                )
            if _directives(body):
                raise _RefusedError(f"the strategic merge patch directive {_directives(body)[0]}")
            new = _strategic(live, body, target.type.kind)
        if not isinstance(new, dict):
            raise _from_server("BadRequest", "Invalid JSON Patch")
        name = str((new.get("metadata") or {}).get("name", ""))
        if name != target.name:  # handlers/rest.go:272-290
            raise _from_server(
                "BadRequest", f"the name of the object ({name}) does not match the name on the URL ({target.name})"
            )
        return self._write(target.type, target.namespace, target.name, new, live)

    def _delete(self, cmd: _Cmd, manifest: str) -> None:
        """kubectl delete (delete.go): NotFound is an error unless --ignore-not-found, which
        Argo always passes (resource.go:128-131)."""
        targets, _ = self._targets(cmd, manifest, allow_empty=False)
        for target in targets:
            if (
                self._objects.pop(self._key(target.type, target.namespace, target.name), None) is None
                and not cmd.ignore_not_found
            ):
                raise _from_server(
                    "NotFound",
                    f'error when deleting "{MANIFEST_PATH}": {_not_found(target.type, target.name)}'
                    if cmd.files
                    else _not_found(target.type, target.name),
                )

    def _get(self, cmd: _Cmd, manifest: str) -> dict[str, Any] | None:
        """kubectl get -o json (get.go:700-760): one object, or a List; NotFound unless
        --ignore-not-found, and then nothing at all."""
        targets, single = self._targets(cmd, manifest, allow_empty=True)
        found = []
        for target in targets:
            obj = self._read(target)
            if obj is None:
                if cmd.ignore_not_found:
                    continue
                raise _from_server("NotFound", _not_found(target.type, target.name))
            found.append(obj)
        if single and len(found) == 1:
            return found[0]
        if not found and cmd.ignore_not_found:
            return None
        return {"apiVersion": "v1", "items": found, "kind": "List", "metadata": {"resourceVersion": ""}}

    # ------------------------------------------------------------------ the step

    def resource(
        self,
        template_resource: Mapping[str, Any],
        *,
        owner: Mapping[str, Any] | None,
        pod_name: str,
        parameters: Sequence[Mapping[str, Any]] | None = None,
        manifest_file: tuple[str, str] | None = None,
    ) -> ResourceResult:
        """Run a resource step: ``template_resource`` is the template's ``resource:`` after Argo
        substituted its tags; ``owner`` the Workflow's metadata (name, uid; apiVersion and kind
        default to Argo's) for ``setOwnerReference``; ``pod_name`` the step's pod, which is in
        the store while the step runs (added here if the engine has not). ``parameters`` are the
        template's output parameters, read into ``result.parameters`` (a failure to read them
        fails the step, as in Argo); ``manifest_file`` the (path, text) of the ``manifestFrom``
        artifact as staged in the pod."""
        if self.get("Pod", pod_name) is None:
            self.add(pod_object(pod_name, self.namespace, {}))
        res = dict(template_resource)
        action = str(res.get("action", ""))
        manifest = str(res.get("manifest") or "")
        if res.get("setOwnerReference"):  # the controller, before the pod exists (operator.go:3938-3951)
            if owner is None:
                raise ValueError("setOwnerReference needs the Workflow's metadata")
            try:
                manifest = _with_owner(manifest, owner)
            except ValueError as exc:
                return ResourceResult("Error", str(exc), None)
        try:
            return self._execute(res, action, manifest, parameters, manifest_file)
        except _RefusedError as exc:
            return ResourceResult("Error", f"cannot run here: {exc}", None)

    def _execute(
        self,
        res: Mapping[str, Any],
        action: str,
        manifest: str,
        parameters: Sequence[Mapping[str, Any]] | None,
        manifest_file: tuple[str, str] | None,
    ) -> ResourceResult:
        """execResource (cmd/argoexec/commands/resource.go:33-94)."""
        success_text = str(res.get("successCondition") or "")
        failure_text = str(res.get("failureCondition") or "")
        if action == "delete" and (success_text or failure_text or parameters):  # :58-63
            return ResourceResult(
                "Failed", _failed("successCondition, failureCondition and outputs are not supported for delete action"), None
            )
        path = MANIFEST_PATH
        if res.get("manifestFrom"):  # :64-73: the artifact's file instead of the inline manifest
            if manifest_file is None:
                raise _RefusedError("manifestFrom needs the staged artifact's text")
            path, manifest = manifest_file
            if path != MANIFEST_PATH:
                raise _RefusedError("manifestFrom: a manifest staged elsewhere than /tmp/manifest.yaml")
        flags = [str(f) for f in res.get("flags") or []]
        if not manifest and not flags:  # resource.go:118-120
            return ResourceResult("Failed", _failed("Must provide at least one of flags or manifest."), None)
        if action not in _ACTIONS:  # validate.go:919-926 rejects it before a run; kubectl's own words otherwise
            return ResourceResult("Failed", _failed(f'no more retries error: unknown command "{action}" for "kubectl"'), None)
        argv = ["kubectl", action]
        if action == "delete":  # resource.go:128-131
            argv.append("--ignore-not-found")
        file_flag = True
        if action == "patch":  # resource.go:134-160
            strategy = str(res.get("mergeStrategy") or "strategic")
            argv += ["--type", strategy, "--patch-file", path]
            if strategy == "json":
                file_flag = False
            else:
                try:
                    docs = _yaml_docs(manifest)
                except yaml.YAMLError as exc:
                    return ResourceResult("Failed", _failed(f"error converting YAML to JSON: {exc}"), None)
                first = docs[0] if docs else None
                if first is not None and not isinstance(first, dict):
                    return ResourceResult("Failed", _failed(_not_a_map(first)), None)
                if flags and (first or {}).get("kind") is None:
                    file_flag = False
        argv += flags
        if manifest and file_flag:
            argv += ["-f", path]
        argv += ["-o", "name" if action == "delete" else "json"]
        log = [" ".join(argv)]
        try:
            printed = self._kubectl(argv, manifest)
        except _KubectlError as exc:
            return ResourceResult("Failed", _failed(f"no more retries {exc}"), None, log=log)  # resource.go:52-61
        except yaml.YAMLError as exc:
            return ResourceResult("Failed", _failed(f"no more retries error: error parsing {path}: {exc}"), None, log=log)
        except SelectorError as exc:
            return ResourceResult("Failed", _failed(f"no more retries error: {exc}"), None, log=log)
        if action == "delete":
            return ResourceResult("Succeeded", "", None, log=log)
        result = ResourceResult("Succeeded", "", printed, log=log, _store=self, _parameters=parameters)
        if printed is not None:  # resource.go:69-84
            meta = printed.get("metadata") or {}
            if not meta.get("name") or not printed.get("kind"):
                return ResourceResult(
                    "Failed",
                    _failed("Kind and name are both required but at least one of them is missing from the manifest"),
                    printed,
                    log=log,
                )
            t = self._type_of(str(printed.get("apiVersion", "")), str(printed["kind"]))
            assert t is not None
            result._ref = _Target(t, str(meta.get("namespace") or ""), str(meta["name"]))
        if success_text or failure_text:  # WaitResource (resource.go:200-249)
            try:
                result._success = tuple(parse_selector(success_text)) if success_text else ()
            except SelectorError as exc:
                return ResourceResult(
                    "Failed", _failed(f"success condition '{success_text}' failed to parse: {exc}"), printed, log=log
                )
            try:
                result._failure = tuple(parse_selector(failure_text)) if failure_text else ()
            except SelectorError as exc:
                return ResourceResult(
                    "Failed", _failed(f"fail condition '{failure_text}' failed to parse: {exc}"), printed, log=log
                )
            result = self._check(result)
        elif parameters is not None:
            result = self._with_outputs(result, parameters)
        return result

    def poll(self, result: ResourceResult) -> ResourceResult:
        """Check a ``Running`` step again, after another step changed the store: the object read
        again, the conditions matched again, the outputs read once they have. Any other result is
        returned as it is."""
        return self._check(result) if result.phase == "Running" else result

    def _check(self, result: ResourceResult) -> ResourceResult:
        """checkResourceState (resource.go:253-276) once: the object read by its self link (none
        when ``get`` printed nothing: then an empty object, where Argo would read the API root)."""
        obj = self._read(result._ref) if result._ref is not None else {}
        if obj is None:
            assert result._ref is not None
            gone = _not_found(result._ref.type, result._ref.name)
            return ResourceResult(
                "Failed",
                _failed(f"The resource has been deleted while its status was still being checked. Will not be retried: {gone}"),
                None,
                log=result.log,
            )
        retry, error = match_conditions(obj, result._success, result._failure)
        nxt = ResourceResult(
            result.phase,
            "",
            obj,
            log=result.log,
            _store=self,
            _ref=result._ref,
            _success=result._success,
            _failure=result._failure,
            _parameters=result._parameters,
        )
        if retry:
            nxt.phase, nxt.message = "Running", error or ""
            return nxt
        if error is not None:
            nxt.phase, nxt.message = "Failed", _failed(error)
            return nxt
        nxt.phase = "Succeeded"
        return self._with_outputs(nxt, nxt._parameters) if nxt._parameters is not None else nxt

    def _with_outputs(self, result: ResourceResult, parameters: Sequence[Mapping[str, Any]]) -> ResourceResult:
        try:
            result.parameters = result.outputs(parameters)
        except ResourceError as exc:
            result.phase = "Error" if exc.message.startswith("cannot run here") else "Failed"
            result.message = exc.message
        return result
