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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from mldsl.runner.kubejson import (
    _ACTIONS,
    MANIFEST_PATH,
    ResourceError,
    _failed,
    _KubectlError,
    _RefusedError,
    _yaml_docs,
    match_conditions,
)
from mldsl.runner.kubepath import jq_filter, jsonpath
from mldsl.runner.kubepods import _not_a_map, _with_owner, pod_object
from mldsl.runner.kubeselect import Requirement, SelectorError, parse_selector
from mldsl.runner.kubestore import _not_found, _Target
from mldsl.runner.kubeverbs import _Kubectl

__all__ = [
    "MANIFEST_PATH",
    "ObjectStore",
    "Requirement",
    "ResourceError",
    "ResourceResult",
    "SelectorError",
    "jq_filter",
    "jsonpath",
    "match_conditions",
    "parse_selector",
    "pod_object",
]


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


class ObjectStore(_Kubectl):
    """The cluster of one run: objects keyed by (API group, kind, namespace, name).

    ``namespace`` is the run's namespace, where its pods run and where kubectl, run by the
    executor inside a pod, acts unless told otherwise. Writes get the metadata the API server sets
    (uid, resourceVersion, creationTimestamp, a generated name); names, uids and generated
    suffixes are deterministic for a given sequence of writes.
    """

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
        argv = _kubectl_argv(res, action, manifest, path, flags)
        if isinstance(argv, ResourceResult):
            return argv
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
        return self._result(printed, log, parameters, success_text, failure_text)

    def _result(
        self,
        printed: dict[str, Any] | None,
        log: list[str],
        parameters: Sequence[Mapping[str, Any]] | None,
        success_text: str,
        failure_text: str,
    ) -> ResourceResult:
        """What kubectl printed, checked (a kind and a name), then waited on or read for its outputs."""
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


def _kubectl_argv(res: Mapping[str, Any], action: str, manifest: str, path: str, flags: list[str]) -> list[str] | ResourceResult:
    """The kubectl command execResource runs, or the step's failure where it cannot make one."""
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
    return argv
