"""The state of templateValidationCtx (validate.go) and the checks of one template's own fields."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from mldsl.argo.validate.fields import _PLACEHOLDER, _RESOURCE_ACTIONS, Lookup, _atoi, _d, _go_json, _l, _ProblemError, _s, _str
from mldsl.argo.validate.holders import (
    _Args,
    _Base,
    _by_name,
    _container_set_error,
    _container_set_has,
    _FakeArgs,
    _reserved,
    _yaml_ok,
)
from mldsl.argo.validate.locations import _artifact_location_error, _clean_path_error, _has_location_or_key
from mldsl.argo.validate.placeholders import _names_problem, _replace, _TagError, _unresolved


class _TemplateChecks:
    """The state of templateValidationCtx (validate.go l. 56-82) and the checks of one template's own fields."""

    def __init__(self, lookup: Lookup | None, wft: bool):
        self.lookup = lookup
        self.wft = wft  # Opts.WorkflowTemplateValidation
        self.counter = 0
        self.globals: dict[str, str] = {}
        for key in ("workflow.name", "workflow.namespace", "workflow.mainEntrypoint"):  # l. 71-75
            self.globals[key] = self.placeholder()
        self.globals["workflow.serviceAccountName"] = self.placeholder()
        self.globals["workflow.uid"] = self.placeholder()
        self.results: set[str] = set()

    def placeholder(self) -> str:
        self.counter += 1
        return f"{_PLACEHOLDER}{self.counter}"

    def get(self, kind: str, name: str) -> Mapping[str, Any] | None:
        found = self.lookup(kind, name) if self.lookup is not None else None
        return found if isinstance(found, Mapping) else None

    def base_of(self, kind: str, name: str) -> _Base | None:
        obj = self.get(kind, name)
        if obj is None:
            return None
        return _Base(kind, name, _d(obj.get("spec")), f"{kind}/{name}.spec")

    def metric(self, m: Mapping[str, Any], path: str) -> None:
        name = _str(m.get("name"))
        # workflow/metrics/util.go l. 18-21: Prometheus' legacy name rule, without ':'
        if not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", name):
            raise _ProblemError(
                path, f"metric name '{name}' is invalid. Metric names must contain alphanumeric characters or '_'"
            )
        for lab in _l(m.get("labels")):  # util.go l. 43-50
            key = _str(_d(lab).get("key"))
            if not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", key):
                raise _ProblemError(
                    path, f"metric label '{key}' is invalid: keys may only contain alphanumeric characters or '_'"
                )
        if not _str(m.get("help")):  # validate.go l. 619-621
            raise _ProblemError(path, f"metric '{name}' must contain a help string under 'help: ' field")
        gauge = m.get("gauge")
        if gauge is not None:  # util.go l. 23-41
            g = _d(gauge)
            if not _str(g.get("value")):
                raise _ProblemError(path, f"metric '{name}' error: missing gauge.value")
            if g.get("realtime") is True and "resourcesDuration." in _str(g.get("value")):
                raise _ProblemError(path, f"metric '{name}' error: 'resourcesDuration.*' metrics cannot be used in real-time")
        for kind in ("counter", "histogram"):
            if m.get(kind) is not None and not _str(_d(m.get(kind)).get("value")):
                raise _ProblemError(path, f"metric '{name}' error: missing {kind}.value")

    # -- validateInputs (validate.go l. 739-778) --------------------------------------------------

    def inputs(self, tmpl: Mapping[str, Any], tpath: str, leaf: bool) -> set[str]:
        inputs = _d(tmpl.get("inputs"))
        params, arts = _l(inputs.get("parameters")), _l(inputs.get("artifacts"))
        for kind, items in (("parameters", params), ("artifacts", arts)):
            bad = _names_problem(items, params=True)
            if bad:
                raise _ProblemError(f"{tpath}.inputs.{kind}[{bad[0]}]", bad[1])
        scope = {f"inputs.parameters.{_str(_d(p).get('name'))}" for p in params}
        if params:
            scope.add("inputs.parameters")
        for i, a in enumerate(arts):
            a = _d(a)
            apath, name = f"{tpath}.inputs.artifacts[{i}]", _str(a.get("name"))
            scope.add(f"inputs.artifacts.{name}")
            if leaf:
                why = _clean_path_error(a)
                if why:
                    raise _ProblemError(apath, why)
                scope.add(f"inputs.artifacts.{name}.path")
            elif _str(a.get("path")):
                raise _ProblemError(f"{apath}.path", "path only valid in container/script templates")
            if _str(a.get("from")):
                raise _ProblemError(f"{apath}.from", "from not valid in inputs")
            why = _artifact_location_error(f"inputs.artifacts.{name}", a)
            if why:
                raise _ProblemError(apath, why)
        return scope

    # -- common.ProcessArgs (workflow/common/util.go l. 200-329) ---------------------------------

    def process_args(
        self, tmpl: Mapping[str, Any], tpath: str, args: _Args, local: Mapping[str, str], hpath: str
    ) -> Mapping[str, Any]:
        new = json.loads(_go_json(tmpl))
        inputs = new.get("inputs") if isinstance(new.get("inputs"), dict) else {}
        for p in _l(inputs.get("parameters")):
            if not isinstance(p, dict):
                continue
            name = _str(p.get("name"))
            if p.get("value") is None and p.get("default") is not None:  # l. 137-141
                p["value"] = p["default"]
            arg = (
                {"name": name, "value": self.placeholder()} if isinstance(args, _FakeArgs) else _by_name(args, "parameters", name)
            )
            if arg is not None:  # overwriteWithArguments l. 143-153
                if arg.get("value") is not None:
                    p["value"], p["valueFrom"] = arg["value"], None
                else:
                    p["valueFrom"], p["value"] = arg.get("valueFrom"), None
            cm = _d(p.get("valueFrom")).get("configMapKeyRef") if p.get("valueFrom") is not None else None
            if cm is None and p.get("value") is None:  # substituteAndGetConfigMapValue l. 187-190
                raise _ProblemError(hpath, f"inputs.parameters.{name} was not supplied")
        for a in _l(inputs.get("artifacts")):  # l. 235-254
            if not isinstance(a, dict):
                continue
            name = _str(a.get("name"))
            arg = {"name": name} if isinstance(args, _FakeArgs) else _by_name(args, "artifacts", name)
            if a.get("optional") is not True and not _has_location_or_key(a) and arg is None:
                raise _ProblemError(hpath, f"inputs.artifacts.{name} was not supplied")  # l. 242
        try:
            return self.substitute(new, local)
        except _TagError as exc:
            raise _ProblemError(tpath, str(exc)) from None

    def substitute(self, tmpl: dict[str, Any], local: Mapping[str, str]) -> Mapping[str, Any]:
        """SubstituteParams (util.go l. 273-329): globals and locals first, then the inputs."""
        values = {**self.globals, **local}
        text = _replace(_go_json(tmpl), values)
        replaced = json.loads(text)
        inputs = _d(replaced.get("inputs"))
        for p in _l(inputs.get("parameters")):
            p = _d(p)
            if p.get("value") is not None:  # l. 290-296
                values[f"inputs.parameters.{_str(p.get('name'))}"] = _s(p["value"])
        values["inputs.parameters"] = _go_json(_l(inputs.get("parameters")))  # l. 298-302
        for a in _l(inputs.get("artifacts")):
            if _str(_d(a).get("path")):
                values[f"inputs.artifacts.{_str(_d(a).get('name'))}.path"] = _str(_d(a).get("path"))
        outputs = _d(replaced.get("outputs"))
        for a in _l(outputs.get("artifacts")):
            if _str(_d(a).get("path")):
                values[f"outputs.artifacts.{_str(_d(a).get('name'))}.path"] = _str(_d(a).get("path"))
        for p in _l(outputs.get("parameters")):
            path = _str(_d(_d(p).get("valueFrom")).get("path"))
            if path:
                values[f"outputs.parameters.{_str(_d(p).get('name'))}.path"] = path
        result = json.loads(_replace(text, values))
        return result if isinstance(result, dict) else {}

    # -- validateLeaf (validate.go l. 855-991) ---------------------------------------------------

    def leaf(self, tmpl: Mapping[str, Any], tpath: str, base: _Base, scope: set[str]) -> None:
        why = _unresolved(scope, self.globals, _go_json(tmpl), self.wft)
        if why:
            raise _ProblemError(tpath, why)  # l. 860-863
        inputs_arts = [_d(a) for a in _l(_d(tmpl.get("inputs")).get("artifacts"))]
        container = tmpl.get("container")
        if container is not None:
            c = _d(container)
            _check_mounts(c, inputs_arts, tpath)
            if not _str(c.get("image")) and not self.default_image(base, "container"):  # l. 879-892
                raise _ProblemError(f"{tpath}.container.image", "container.image may not be empty")
        cset = tmpl.get("containerSet")
        if cset is not None:  # l. 894-909
            _check_container_set(tmpl, _d(cset), inputs_arts, tpath)
        for i, s in enumerate(_l(tmpl.get("sidecars"))):  # l. 914-918
            if _reserved(_str(_d(s).get("name"))):
                raise _ProblemError(f"{tpath}.sidecars[{i}]", f"{_str(_d(s).get('name'))!r} is a reserved Argo container name")
        resource = tmpl.get("resource")
        if resource is not None:
            self.resource(_d(resource), f"{tpath}.resource", inputs_arts)
        script = tmpl.get("script")
        if script is not None and not _str(_d(script).get("image")) and not self.default_image(base, "script"):
            raise _ProblemError(f"{tpath}.script.image", "script.image may not be empty")  # l. 962-977
        ads = tmpl.get("activeDeadlineSeconds")
        if ads is not None:  # l. 979-986
            msg = "activeDeadlineSeconds must be a positive integer > 0 or an argo variable"
            if isinstance(ads, bool) or not isinstance(ads, (int, str)):
                raise _ProblemError(f"{tpath}.activeDeadlineSeconds", msg)
            if isinstance(ads, int):
                if ads < 0:
                    raise _ProblemError(f"{tpath}.activeDeadlineSeconds", msg)
            else:
                n = _atoi(ads)
                valid = n is not None or (ads.startswith("{{") and ads.endswith("}}"))  # intstr l. 45-53
                if (not valid and not ads.startswith(_PLACEHOLDER)) or (n is not None and n < 0):
                    raise _ProblemError(f"{tpath}.activeDeadlineSeconds", msg)
        if tmpl.get("parallelism") is not None:  # l. 987-989
            raise _ProblemError(f"{tpath}.parallelism", "parallelism is only valid for steps and dag templates")

    @staticmethod
    def default_image(base: _Base, kind: str) -> bool:
        """Whether spec.templateDefaults gives the image (l. 880-891); never for a ClusterWorkflowTemplate."""
        if base.kind not in ("Workflow", "WorkflowTemplate"):
            return False
        return bool(_str(_d(_d(base.spec.get("templateDefaults")).get(kind)).get("image")))

    def resource(self, r: Mapping[str, Any], path: str, inputs_arts: list[Mapping[str, Any]]) -> None:
        action = _str(r.get("action"))
        if not action.startswith(_PLACEHOLDER) and action not in _RESOURCE_ACTIONS:  # l. 920-927
            raise _ProblemError(f"{path}.action", "resource.action must be one of: get, create, apply, delete, replace, patch")
        if action in ("delete", "get"):
            return
        manifest, mfrom = _str(r.get("manifest")), r.get("manifestFrom")
        if not manifest and mfrom is None:  # l. 929-931
            raise _ProblemError(path, "either resource.manifest or resource.manifestFrom must be specified")
        if manifest and mfrom is not None:  # l. 932-934
            raise _ProblemError(
                path, "shouldn't have both `manifest` and `manifestFrom` specified in `Manifest` for resource template"
            )
        art = _d(mfrom).get("artifact") if mfrom is not None else None
        if art is not None:  # l. 935-946
            aname = _str(_d(art).get("name"))
            if not any(_str(a.get("name")) == aname for a in inputs_arts):
                raise _ProblemError(f"{path}.manifestFrom", f"artifact {aname} in `manifestFrom` refer to a non-exist artifact")
        if manifest and not manifest.startswith(_PLACEHOLDER):  # l. 947-959
            text = re.sub(r"\{\{\s*=\s*(.+?)\s*\}\}", lambda _: self.placeholder(), manifest)
            if not _yaml_ok(text):
                raise _ProblemError(f"{path}.manifest", "resource.manifest must be a valid yaml")


def _check_mounts(c: Mapping[str, Any], inputs_arts: list[Mapping[str, Any]], tpath: str) -> None:
    """No two volume mounts or input artifacts of a container at one path."""
    mounts: dict[str, str] = {}
    for i, vm in enumerate(_l(c.get("volumeMounts"))):  # l. 866-872
        mp = _str(_d(vm).get("mountPath"))
        if mp in mounts:
            raise _ProblemError(f"{tpath}.container.volumeMounts[{i}].mountPath", f"'{mp}' already mounted in {mounts[mp]}")
        mounts[mp] = f"container.volumeMounts.{_str(_d(vm).get('name'))}"
    for i, a in enumerate(inputs_arts):  # l. 873-878
        p = _str(a.get("path"))
        if p in mounts:
            raise _ProblemError(f"{tpath}.inputs.artifacts[{i}].path", f"'{p}' already mounted in {mounts[p]}")
        mounts[p] = f"inputs.artifacts.{_str(a.get('name'))}"


def _check_container_set(
    tmpl: Mapping[str, Any], cset: Mapping[str, Any], inputs_arts: list[Mapping[str, Any]], tpath: str
) -> None:
    why = _container_set_error(cset)
    if why:
        raise _ProblemError(f"{tpath}.containerSet", why)
    outputs = _d(tmpl.get("outputs"))
    if (inputs_arts or _l(outputs.get("parameters")) or _l(outputs.get("artifacts"))) and not _container_set_has(tmpl, "main"):
        raise _ProblemError(
            f"{tpath}.containerSet.containers", 'containers must have a container named "main" for input or output'
        )
    for c in _l(cset.get("containers")):
        if _reserved(_str(_d(c).get("name"))):
            raise _ProblemError(
                f"{tpath}.containerSet.containers", f"{_str(_d(c).get('name'))!r} is a reserved Argo container name"
            )
