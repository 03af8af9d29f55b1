"""A template's inputs as Argo's ``common/util.go`` ProcessArgs takes them: parameters from the arguments, the
input's own value or default, or a ConfigMap; artifacts from a reference, a ``raw`` body or a location."""

from __future__ import annotations

import re
from typing import Any

from mldsl.argo.template import UnresolvedError, replace
from mldsl.runner.base import ABSENT, ExecutionBase, StepError, _Scope, go_value_text
from mldsl.runner.mounts import MountError, OutsideError, s3_uri
from mldsl.runner.nodes import Artifact


class TemplateInputs(ExecutionBase):
    """The part of :class:`~mldsl.runner.engine.Execution` that reads a template's inputs."""

    def _input_values(self, inputs: dict[str, Any], params: dict[str, Any], outer: _Scope) -> dict[str, str]:
        """The input parameters: the argument, else the input's own ``value`` or ``default``, else its
        ``valueFrom.configMapKeyRef`` (``common/util.go`` ProcessArgs l. 197-250); an input with none is an error."""
        values: dict[str, str] = {}
        for p in inputs.get("parameters", []):
            vf = p.get("valueFrom") or {}
            if params.get(p["name"]) == ABSENT:
                if "value" not in p and "default" not in p and not vf:
                    raise StepError(
                        f"inputs.parameters.{p['name']}: argument references an absent optional"
                        " (skipped/omitted node output with no default)"
                    )
                params = {k: v for k, v in params.items() if k != p["name"]}
            if params.get(p["name"]) is not None:
                values[p["name"]] = str(params[p["name"]])
            elif "value" in p or "default" in p:
                # the template's own value is substituted with the globals in the first pass, before inputs are
                # known (common/util.go SubstituteParams l. 273-283)
                own_value = go_value_text(p["value"] if "value" in p else p["default"])
                values[p["name"]] = replace(own_value, outer.globals(), strict=False) if "{{" in own_value else own_value
            elif "configMapKeyRef" in vf:
                values[p["name"]] = self._config_map_value(vf["configMapKeyRef"], outer, vf)
            elif "default" in vf:
                values[p["name"]] = go_value_text(vf["default"])
            else:
                raise StepError(f"inputs.parameters.{p['name']} was not supplied")
        return values

    def _input_artifacts(
        self, inputs: dict[str, Any], artifacts: dict[str, Artifact | None], outer: _Scope, values: dict[str, str]
    ) -> dict[str, Artifact | None]:
        """The input artifacts: given, or read from the template's own location (which may use its inputs: Argo
        substitutes the whole template, common/util.go ProcessArgs), or None for a ``raw`` one or an optional one."""
        arts: dict[str, Artifact | None] = {}
        own = {f"inputs.parameters.{k}": v for k, v in values.items()}
        for a in inputs.get("artifacts", []):
            given = artifacts.get(a["name"])
            if "raw" in a and given is None:  # written at its path when the pod starts
                arts[a["name"]] = None
                continue
            if given is None and "s3" in a:
                given = self._artifact_ref(a, outer, own)
            if given is None and not a.get("optional"):
                raise StepError(f"inputs.artifacts.{a['name']} was not supplied")
            arts[a["name"]] = given
        return arts

    def _config_map_value(self, ref: dict[str, Any], scope: _Scope, vf: dict[str, Any]) -> str:
        """A ``configMapKeyRef`` value, from the ConfigMaps beside the workflow (as applied to the cluster)."""
        name, key = replace(str(ref.get("name", "")), scope.params), str(ref.get("key", ""))
        data = self.config_maps.get(name)
        if data is None or key not in data:
            if "default" in vf:
                return go_value_text(vf["default"])
            if ref.get("optional"):
                return ""
            raise StepError(
                f'configmaps "{name}" not found' if data is None else f"ConfigMap '{name}' does not have the key '{key}'"
            )
        return str(data[key])

    def _artifact_ref(self, a: dict[str, Any], scope: _Scope, extra: dict[str, Any] | None = None) -> Artifact | None:
        """An artifact argument: ``from`` a reference, or a location (``s3``) read from its local copy."""
        flat = {**scope.params, **(extra or {})}
        if "from" in a:
            ref = a["from"].strip()
            if not (ref.startswith("{{") and ref.endswith("}}")):
                raise StepError(f"artifact {a['name']}: from must be one reference, got {ref!r}")
            key = ref[2:-2].strip()
            if key.startswith("workflow.outputs.artifacts.") and key not in scope.artifacts:
                got = self.global_artifacts.get(key.removeprefix("workflow.outputs.artifacts."))
                if got is not None:
                    return got
            if key not in scope.artifacts:
                if a.get("optional"):
                    return None
                raise StepError(f"Unable to resolve: {ref}")
            found = scope.artifacts[key]
            if found is not None and a.get("subPath"):  # a path inside the artifact (artifacts.go subPath)
                inner = found.path / replace(str(a["subPath"]), flat)
                if not inner.exists():
                    raise StepError(f"artifact {a['name']}: subPath {a['subPath']} is not in {ref}")
                return Artifact(inner, None)
            return found
        if "raw" in a:  # its data, as a file the pod finds at its path
            dest = self.folder / "artifacts" / "raw" / re.sub(r"[^A-Za-z0-9_.-]", "-", str(a["name"]))
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(replace(str(a["raw"].get("data", "")), flat, strict=False), encoding="utf-8")
            return Artifact(dest, None)
        if "s3" in a:
            try:
                loc = {k: replace(str(v), flat) for k, v in a["s3"].items()}
            except UnresolvedError as exc:
                raise StepError(f"artifact {a['name']}: {exc}") from None
            uri = s3_uri({"bucket": self.options.default_bucket, **loc})
            try:
                path = self.mounts.local(uri)
            except OutsideError as exc:
                raise StepError(f"artifact {a['name']}: {exc}") from None
            except MountError:
                raise StepError(f"artifact {a['name']}: no local copy of {uri}: map it in the Project's local.mounts") from None
            if not path.exists():
                if a.get("optional"):
                    return None
                raise StepError(f"artifact {a['name']}: {uri} is mapped to {path}, which does not exist")
            return Artifact(path, uri)
        return None
