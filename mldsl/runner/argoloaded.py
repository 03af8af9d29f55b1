"""A loaded workflow's parameters and ``workflow.*`` variables, as submission validates and the controller sets them."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mldsl.runner.argodocs import ArgoFileError, _go_json, _mapping, _params, anystring
from mldsl.runner.argojoin import _merge_parameters, _override_parameters, _param_for_json, _strftime_chars, rfc3339
from mldsl.runner.argokinds import ANNOTATION_SCHEDULED_TIME
from mldsl.runner.argoresolve import _Resolving
from mldsl.runner.argoselect import _choices


@dataclass
class Loaded(_Resolving):
    """A runnable object, turned into the Workflow a cluster would run, and what it can refer to."""

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
        self._check_given(given, strict)
        submitted = _override_parameters(_params(self._submitted_spec_declared()), given)
        to_check = _merge_parameters(submitted, _params(self._wft_spec())) if self._wft is not None else submitted
        self._validate_arguments(to_check)
        return self._global_values(given)

    def _check_given(self, given: dict[str, str], strict: bool) -> None:
        """The ``-p`` values: an undeclared name refused when ``strict``, a value outside the declared ``enum``."""
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

    def _global_values(self, given: dict[str, str]) -> dict[str, str]:
        """The parameters' values as setGlobalParameters sets them (operator.go:707-725)."""
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
        _metadata_globals(out, spec, annotations, labels)
        return out


def _metadata_globals(
    out: dict[str, str], spec: Mapping[str, Any], annotations: Mapping[str, Any], labels: Mapping[str, Any]
) -> None:
    """``workflow.annotations*`` and ``workflow.labels*`` (operator.go:743-777), set in ``out``."""
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
