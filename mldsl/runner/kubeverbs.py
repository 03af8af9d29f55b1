"""kubectl's verbs (create, apply, replace, patch, delete, get) on a run's objects, as kubectl and the API server do them."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from mldsl.runner.kubectl import _Cmd, _parse_cmd
from mldsl.runner.kubejson import MANIFEST_PATH, _go_json, _KubectlError, _RefusedError, _yaml_docs
from mldsl.runner.kubepatch import _directives, _strategic, json_patch, merge_patch
from mldsl.runner.kubepods import _json_kind, _three_way
from mldsl.runner.kubestore import _CRD_MEDIA, _LAST_APPLIED, _MISSING, _STRATEGIC_MEDIA, _from_server, _not_found, _Store


class _Kubectl(_Store):
    """kubectl's verbs on the store: create, apply, replace, patch, delete, get."""

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
            new = _json_patched(live, body)
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


def _json_patched(live: dict[str, Any], body: Any) -> Any:
    """``live`` after a JSON patch (RFC 6902), refused as the API server refuses a patch it cannot decode or apply."""
    ops = [] if body is None else body  # an empty file: "null", a patch of no operations
    if not isinstance(ops, list):  # handlers/patch.go:403-406: jsonpatch.DecodePatch fails
        raise _from_server("BadRequest", f"json: cannot unmarshal {_json_kind(ops)} into Go value of type jsonpatch.Patch")
    bad = next((op for op in ops if not isinstance(op, Mapping)), _MISSING)
    if bad is not _MISSING:
        raise _from_server("BadRequest", f"json: cannot unmarshal {_json_kind(bad)} into Go value of type jsonpatch.Operation")
    try:
        return json_patch(live, ops)
    except ValueError:
        # handlers/patch.go:411-414: a failing operation is a bare 422, which kubectl prints
        # as "The request is invalid" with the server's generic message (helpers.go:163-181)
        raise _KubectlError("The request is invalid: the server rejected our request due to an error in our request") from None
