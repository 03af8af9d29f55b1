"""The checks of a step's or task's arguments, items and outputs, and of a template's outputs (validate.go)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mldsl.argo.validate.fields import (
    _ANY_ITEM,
    _ANY_WF_OUT_ART,
    _ANY_WF_OUT_PARAM,
    _LEAF_TYPES,
    _PARAM_NAME_MSG,
    _d,
    _go_json,
    _l,
    _ProblemError,
    _s,
    _str,
)
from mldsl.argo.validate.holders import _has_output, _item_type, _template_type
from mldsl.argo.validate.locations import _clean_path_error, _has_location_or_key
from mldsl.argo.validate.placeholders import _field_name_errors, _is_parameter, _names_problem, _unresolved
from mldsl.argo.validate.template import _TemplateChecks


class _CallChecks(_TemplateChecks):
    """The checks of a step's or task's arguments, items and outputs, and of a template's outputs."""

    # -- validateArguments (validate.go l. 993-1060) ---------------------------------------------

    @staticmethod
    def arguments(path: str, arguments: Any, allow_empty: bool) -> None:
        a = _d(arguments)
        for kind in ("parameters", "artifacts"):
            bad = _names_problem(_l(a.get(kind)), params=True)
            if bad:
                raise _ProblemError(f"{path}.{kind}[{bad[0]}]", bad[1])  # l. 1001-1013
        for i, p in enumerate(_l(a.get("parameters"))):
            p, ppath = _d(p), f"{path}.parameters[{i}]"
            name, vf = _str(p.get("name")), p.get("valueFrom")
            if vf is None and p.get("value") is None and not allow_empty:  # l. 1019-1023
                raise _ProblemError(ppath, f"{name}.value or {name}.valueFrom is required")
            if vf is not None:  # l. 1024-1034
                v = _d(vf)
                only = f"{name}.valueFrom only allows: default, configMapKeyRef and supplied"
                if v.get("configMapKeyRef") is None and not _str(v.get("event")) and v.get("supplied") is None:
                    raise _ProblemError(f"{ppath}.valueFrom", only)
                if any(_str(v.get(k)) for k in ("path", "jsonPath", "parameter", "expression")):
                    raise _ProblemError(f"{ppath}.valueFrom", only)
            enum = p.get("enum")
            if enum is not None:  # l. 1036-1049
                if not _l(enum):
                    raise _ProblemError(f"{ppath}.enum", f"{name}.enum should contain at least one value")
                if p.get("value") is None:
                    if allow_empty:
                        return  # l. 1041-1043: Argo stops checking the arguments here
                    raise _ProblemError(ppath, f"{name}.value is required")
                if _s(p["value"]) not in [_s(e) for e in _l(enum)]:
                    raise _ProblemError(f"{ppath}.value", f"{name}.value should be present in {name}.enum list")
        for i, art in enumerate(_l(a.get("artifacts"))):  # l. 1051-1058
            art, apath = _d(art), f"{path}.artifacts[{i}]"
            name = _str(art.get("name"))
            if not _str(art.get("from")) and not _has_location_or_key(art):
                raise _ProblemError(apath, f"{name}.from, artifact location, or key is required")
            if _str(art.get("from")) and _str(art.get("fromExpression")):
                raise _ProblemError(apath, f"{name} shouldn't have both `from` and `fromExpression` in Artifact")

    @staticmethod
    def items(holder: Mapping[str, Any], path: str, scope: set[str]) -> None:
        """addItemsToScope (validate.go l. 1139-1184)."""
        items, param, seq = _l(holder.get("withItems")), _str(holder.get("withParam")), holder.get("withSequence")
        if (bool(items) + bool(param) + (seq is not None)) > 1:
            raise _ProblemError(path, "only one of withItems, withParam, withSequence can be specified")  # l. 1151
        if items:
            for item in items:
                kind = _item_type(item)
                if kind == "map":
                    scope.update(f"item.{_s(k)}" for k in _d(item))
                elif kind == "list":
                    scope.update(f"item.[{k}]" for k in range(len(_l(item))))
                else:
                    scope.add("item")
        elif param:
            scope |= {"item", _ANY_ITEM}  # l. 1172-1176
        elif seq is not None:
            s = _d(seq)
            if s.get("count") is not None and s.get("end") is not None:  # l. 1178-1180
                raise _ProblemError(f"{path}.withSequence", "only one of count or end can be defined in withSequence")
            scope.add("item")

    def add_outputs(
        self, tmpl: Mapping[str, Any] | None, prefix: str, name: str, scope: set[str], aggregate: bool, ancestor: bool
    ) -> None:
        """addOutputsToScope (validate.go l. 1186-1242)."""
        ref = f"{prefix}.{name}"
        scope.update(f"{ref}.{k}" for k in ("id", "startedAt", "finishedAt", "hostNodeName"))
        if tmpl is None:
            return
        if tmpl.get("daemon") is True:
            scope.add(f"{ref}.ip")
        if _has_output(tmpl):
            scope |= {f"{ref}.outputs.result", f"{ref}.exitCode"}
        outputs = _d(tmpl.get("outputs"))
        for kind in ("parameters", "artifacts"):
            for o in _l(outputs.get(kind)):
                o = _d(o)
                scope.add(f"{ref}.outputs.{kind}.{_str(o.get('name'))}")
                global_name = _str(o.get("globalName"))
                if global_name:
                    if not _is_parameter(global_name):
                        key = f"workflow.outputs.{kind}.{global_name}"
                        scope.add(key)
                        self.globals[key] = self.placeholder()
                    else:
                        scope.add(_ANY_WF_OUT_PARAM if kind == "parameters" else _ANY_WF_OUT_ART)
        if aggregate:
            if _template_type(tmpl) in ("Script", "ContainerSet"):
                scope |= {f"{ref}.outputs.result", f"{ref}.exitCode"}
            scope.add(f"{ref}.outputs.parameters")
        if ancestor:
            scope.add(f"{ref}.status")

    # -- validateOutputs (validate.go l. 1244-1343) ----------------------------------------------

    def outputs(self, tmpl: Mapping[str, Any], tpath: str, scope: set[str]) -> None:
        outputs = _d(tmpl.get("outputs"))
        for kind in ("parameters", "artifacts"):
            bad = _names_problem(_l(outputs.get(kind)), params=True)
            if bad:
                raise _ProblemError(f"{tpath}.outputs.{kind}[{bad[0]}]", bad[1])
        why = _unresolved(scope, self.globals, _go_json(outputs), self.wft)
        if why:
            raise _ProblemError(f"{tpath}.outputs", why)  # l. 1257-1260
        ttype = _template_type(tmpl) or ""
        for i, a in enumerate(_l(outputs.get("artifacts"))):
            a, apath = _d(a), f"{tpath}.outputs.artifacts[{i}]"
            if ttype in _LEAF_TYPES:
                why = _clean_path_error(a)
                if why:
                    raise _ProblemError(apath, why)  # l. 1264-1268
            elif _str(a.get("path")):
                raise _ProblemError(f"{apath}.path", "path only valid in container/script templates")  # l. 1269-1271
            self.global_name(a, apath)
        for i, p in enumerate(_l(outputs.get("parameters"))):
            p, ppath = _d(p), f"{tpath}.outputs.parameters[{i}]"
            vf = p.get("valueFrom")
            _check_value_or_from(p, vf, ppath)  # validateOutputParameter l. 1316-1343
            if vf is not None:  # l. 1285-1304
                v = _d(vf)
                if ttype in ("Container", "ContainerSet", "Script") and not _str(v.get("path")):
                    raise _ProblemError(f"{ppath}.valueFrom", f"valueFrom.path must be specified for {ttype} templates")
                if ttype == "Resource" and not _str(v.get("jqFilter")) and not _str(v.get("jsonPath")):
                    raise _ProblemError(
                        f"{ppath}.valueFrom", f"valueFrom.jqFilter or jsonPath must be specified for {ttype} templates"
                    )
                if ttype in ("DAG", "Steps"):
                    if not _str(v.get("parameter")) and not _str(v.get("expression")):
                        raise _ProblemError(
                            f"{ppath}.valueFrom", f"valueFrom.parameter or expression must be specified for {ttype} templates"
                        )
                    if _str(v.get("parameter")) and _str(v.get("expression")):
                        raise _ProblemError(
                            f"{ppath}.valueFrom",
                            f"shouldn't have both `from` and `expression` specified in `ValueFrom` for {ttype} templates",
                        )
            self.global_name(p, ppath)

    @staticmethod
    def global_name(o: Mapping[str, Any], path: str) -> None:
        g = _str(o.get("globalName"))
        if g and not _is_parameter(g) and _field_name_errors(g, params=True):  # l. 1272-1277, 1305-1310
            raise _ProblemError(f"{path}.globalName", _PARAM_NAME_MSG)

    @staticmethod
    def argument_dependency(arguments: Mapping[str, Any], ancestry: set[str], path: str) -> None:
        """validateDAGTaskArgumentDependency (validate.go l. 1577-1607)."""
        for i, p in enumerate(_l(arguments.get("parameters"))):
            value = _d(p).get("value")
            if value is not None and _s(value).startswith("{{tasks."):
                ref = _s(value).split(".")[1]
                if ref not in ancestry:
                    raise _ProblemError(
                        f"{path}.parameters[{i}]", f"missing dependency '{ref}' for parameter '{_str(_d(p).get('name'))}'"
                    )
        for i, a in enumerate(_l(arguments.get("artifacts"))):
            frm = _str(_d(a).get("from"))
            if frm.startswith("{{tasks."):
                ref = frm.split(".")[1]
                if ref not in ancestry:
                    raise _ProblemError(
                        f"{path}.artifacts[{i}]", f"missing dependency '{ref}' for artifact '{_str(_d(a).get('name'))}'"
                    )


def _check_value_or_from(p: Mapping[str, Any], vf: Any, ppath: str) -> None:
    """An output parameter has a value or one kind of valueFrom, not both and not none."""
    if vf is not None and p.get("value") is not None:
        raise _ProblemError(ppath, "has both valueFrom and value specified, choose one")
    if p.get("value") is None:
        if vf is None:
            raise _ProblemError(ppath, "does not have valueFrom or value specified")
        v = _d(vf)
        kinds = [k for k in ("path", "jqFilter", "jsonPath", "parameter", "expression") if _str(v.get(k))]
        kinds += ["supplied"] if v.get("supplied") is not None else []
        if not kinds:
            raise _ProblemError(
                f"{ppath}.valueFrom",
                "valueFrom type unspecified. choose one of: path, jqFilter, jsonPath, parameter, raw, expression",
            )
        if len(kinds) > 1:
            raise _ProblemError(
                f"{ppath}.valueFrom",
                "multiple valueFrom types specified. choose one of: path, jqFilter, jsonPath, parameter, raw",
            )
