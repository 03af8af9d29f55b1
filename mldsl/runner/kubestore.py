"""The objects of one run, keyed as the API server keys them (group, kind, namespace, name), and the targets
a kubectl command names."""

from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mldsl.runner.kubectl import _BUILTIN_TYPES, _Cmd, _find_type, _plural, _split_api_version, _Type
from mldsl.runner.kubejson import _GO_MAP, MANIFEST_PATH, _go_json, _KubectlError, _RefusedError, _yaml_docs
from mldsl.runner.kubepods import _json_kind
from mldsl.runner.kubeselect import _dns_subdomain_errors, _invalid, parse_selector

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


def _now_text(clock: Callable[[], float]) -> str:
    return _dt.datetime.fromtimestamp(int(clock()), _dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Store:
    """The objects of one run, keyed as the API server keys them, and how kubectl finds its targets."""

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
