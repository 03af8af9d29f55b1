"""ValidateWorkflow (validate.go): the whole manifest, its arguments, hooks, entrypoint and templates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mldsl.argo.validate.cron import validate_cron
from mldsl.argo.validate.fields import _ANY_WF_OUT_ART, _MAX_OBJECT_NAME, _POD_GC, Lookup, _d, _l, _ProblemError, _s, _str
from mldsl.argo.validate.holders import _Args, _Base, _FakeArgs, _hooks_problem, _pod_resources
from mldsl.argo.validate.locations import _selector_error
from mldsl.argo.validate.placeholders import _is_parameter, _names_problem, _TagError
from mldsl.argo.validate.structure import _Validator

# -- the workflow ---------------------------------------------------------------------------------


def validate_workflow(
    obj: Mapping[str, Any], lookup: Lookup | None = None, *, known_zone: Callable[[str], bool] | None = None
) -> list[str]:
    """The problems Argo would refuse ``obj`` for, one per unit it validates, each ``path: message``.

    ``obj`` is a Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow; ``lookup(kind,
    name)`` returns the WorkflowTemplates / ClusterWorkflowTemplates that ``templateRef`` and
    ``workflowTemplateRef`` name. An empty list means Argo's validation accepts it.
    """
    kind = _str(obj.get("kind")) or "Workflow"
    meta = _d(obj.get("metadata"))
    name = _str(meta.get("name"))
    if kind == "CronWorkflow":  # validate.go l. 436-478
        problems = validate_cron(obj, known_zone=known_zone)
        cron_spec = _d(obj.get("spec"))
        wf_meta = _d(cron_spec.get("workflowMetadata"))
        # common/convert.go l. 23-32, 82-109: the Workflow a schedule creates
        labels = {"workflows.argoproj.io/cron-workflow": name, **_d(wf_meta.get("labels"))}
        annotations = {"workflows.argoproj.io/scheduled-time": "", **_d(wf_meta.get("annotations"))}
        wf = {"metadata": {"labels": labels, "annotations": annotations}, "spec": _d(cron_spec.get("workflowSpec"))}
        return problems + _workflow(wf, "Workflow", "spec.workflowSpec", lookup, wft=False, allow_empty=False)
    limit = (
        "workflow" if kind == "Workflow" else "workflow template" if kind == "WorkflowTemplate" else "cluster workflow template"
    )
    if len(name) > _MAX_OBJECT_NAME:  # l. 161-163, 401-403, 419-421
        return [f"metadata.name: {limit} name {name!r} must not be more than 63 characters long (currently {len(name)})"]
    if kind in ("WorkflowTemplate", "ClusterWorkflowTemplate"):  # l. 400-433
        return _workflow(obj, kind, "spec", lookup, wft=True, allow_empty=True)
    if kind != "Workflow":
        raise ValueError(f"not an Argo workflow kind: {kind!r}")
    return _workflow(obj, "Workflow", "spec", lookup, wft=False, allow_empty=False)


def _workflow(
    obj: Mapping[str, Any], kind: str, spec_path: str, lookup: Lookup | None, *, wft: bool, allow_empty: bool
) -> list[str]:
    """validate.Workflow (validate.go l. 153-369) with Opts{} (or WorkflowTemplateValidation)."""
    v = _Validator(lookup, wft)
    collected = _Collected(spec_path)
    problems, unit = collected.problems, collected.unit

    meta = _d(obj.get("metadata"))
    spec = _d(obj.get("spec"))
    base = _Base(kind, _str(meta.get("name")), spec, spec_path)
    ignore_entrypoint = wft and not _str(spec.get("entrypoint"))  # l. 412, 430
    wft_ref = spec.get("workflowTemplateRef")
    ref_base, ref_spec, refused = _referenced_template(v, spec, spec_path)
    if refused:
        return refused
    entrypoint = _str(spec.get("entrypoint")) or _str(ref_spec.get("entrypoint"))

    bad = _names_problem(_l(spec.get("templates")), params=False)  # l. 187, 195-197
    if bad:
        problems.append(f"{spec_path}.templates[{bad[0]}]: {bad[1]}")
    args = _merged_arguments(spec, ref_spec, ref_base)
    unit(v.arguments, f"{spec_path}.arguments", args, allow_empty)  # l. 205-209
    _declare_globals(v, meta, spec, ref_spec, _l(args.get("parameters")))

    if not ignore_entrypoint:
        if not entrypoint:  # l. 259-261
            problems.append(f"{spec_path}.entrypoint: spec.entrypoint is required")
        else:  # l. 263-277
            entry_args: _Args = _FakeArgs() if wft else args
            holder = _ref_holder(wft_ref, entrypoint) if ref_base is not None else {"template": entrypoint}
            unit(v.holder, holder, f"{spec_path}.entrypoint", base, entry_args)

    exit_holder = _exit_holder(spec, ref_spec, ref_base)
    if exit_holder is not None:  # l. 295-333
        _declare_exit_globals(v, spec, ref_spec, ref_base)
        # l. 329: the exit handler gets the spec's own arguments, also for a WorkflowTemplate
        unit(v.holder, exit_holder, f"{spec_path}.onExit", base, _d(spec.get("arguments")))

    unit(_hooks_problem, spec.get("hooks"), spec_path)  # l. 334-337
    problems.extend(_pod_gc_problems(spec, spec_path))
    if spec.get("podResources") is not None:  # l. 346-348
        unit(_pod_resources, f"{spec_path}.podResources", spec.get("podResources"))

    _check_templates(unit, v, base, ref_spec if ref_base is not None else None)
    return problems


class _Collected:
    """A workflow's problems, one per unit validate.go checks (a unit stops at its first)."""

    def __init__(self, spec_path: str):
        self.spec_path = spec_path
        self.problems: list[str] = []

    def unit(self, fn: Callable[..., object], *args: Any) -> None:
        try:
            fn(*args)
        except _ProblemError as p:
            if p.text not in self.problems:
                self.problems.append(p.text)
        except _TagError as exc:
            self.problems.append(f"{self.spec_path}: {exc}")


def _check_templates(unit: Callable[..., None], v: _Validator, base: _Base, ref_spec: Mapping[str, Any] | None) -> None:
    """Every template of the spec, or of the WorkflowTemplate it refers to, as the entry of a fake workflow."""
    spec, spec_path = base.spec, base.path
    if ref_spec is not None:  # l. 352-360
        wft_ref = spec.get("workflowTemplateRef")
        for t in _l(ref_spec.get("templates")):
            unit(v.holder, _ref_holder(wft_ref, _str(_d(t).get("name"))), f"{spec_path}.workflowTemplateRef", base, _FakeArgs())
        return
    for i, t in enumerate(_l(spec.get("templates"))):  # l. 362-367
        unit(v.holder, {"template": _str(_d(t).get("name"))}, f"{spec_path}.templates[{i}]", base, _FakeArgs())


def _referenced_template(
    v: _Validator, spec: Mapping[str, Any], spec_path: str
) -> tuple[_Base | None, Mapping[str, Any], list[str]]:
    """The WorkflowTemplate a ``workflowTemplateRef`` names, its spec, and the problem where it cannot be used."""
    wft_ref = spec.get("workflowTemplateRef")
    ref_base: _Base | None = None
    ref_spec: Mapping[str, Any] = {}
    if wft_ref is not None:  # l. 169-186
        r = _d(wft_ref)
        if _l(spec.get("templates")):  # WorkflowTemplateRefFields l. 382-387
            return (
                None,
                {},
                [f"{spec_path}.templates: Templates is invalid field in spec if workflow referred WorkflowTemplate reference"],
            )
        rkind = "ClusterWorkflowTemplate" if r.get("clusterScope") is True else "WorkflowTemplate"
        rname = _str(r.get("name"))
        ref_base = v.base_of(rkind, rname)
        if ref_base is None:
            plural = "clusterworkflowtemplates" if rkind == "ClusterWorkflowTemplate" else "workflowtemplates"
            return None, {}, [f'{spec_path}.workflowTemplateRef: {plural}.argoproj.io "{rname}" not found']
        ref_spec = ref_base.spec
    return ref_base, ref_spec, []


def _ref_holder(wft_ref: Any, template: str) -> dict[str, Any]:  # WorkflowTemplateRef.ToTemplateRef
    r = _d(wft_ref)
    return {"templateRef": {"name": _str(r.get("name")), "template": template, "clusterScope": r.get("clusterScope") is True}}


def _merged_arguments(spec: Mapping[str, Any], ref_spec: Mapping[str, Any], ref_base: _Base | None) -> dict[str, Any]:
    args = dict(_d(spec.get("arguments")))
    if ref_base is not None:  # l. 191-194: MergeParameters / MergeArtifacts, the Workflow's first
        ref_args = _d(ref_spec.get("arguments"))
        for k in ("parameters", "artifacts"):
            merged, seen = [], set()
            for x in _l(args.get(k)) + _l(ref_args.get(k)):
                n = _str(_d(x).get("name"))
                if n not in seen:
                    merged.append(x)
                    seen.add(n)
            args[k] = merged
    return args


def _declare_globals(
    v: _Validator, meta: Mapping[str, Any], spec: Mapping[str, Any], ref_spec: Mapping[str, Any], params: list[Any]
) -> None:
    """The global variables validate.go l. 210-257 declares: parameters, annotations, labels, priority, status."""
    if params:  # l. 210-223
        v.globals["workflow.parameters"] = v.placeholder()
        v.globals["workflow.parameters.json"] = v.placeholder()
    for p in params:
        p = _d(p)
        if _str(p.get("name")):
            value = p.get("value")
            v.globals[f"workflow.parameters.{_str(p.get('name'))}"] = _s(value) if value is not None else v.placeholder()
    wf_meta = _d(spec.get("workflowMetadata"))
    annotations = set(_d(meta.get("annotations"))) | set(_d(wf_meta.get("annotations")))  # l. 225-240
    labels = set(_d(meta.get("labels"))) | set(_d(wf_meta.get("labels"))) | set(_d(wf_meta.get("labelsFrom")))
    ref_meta = _d(ref_spec.get("workflowMetadata"))
    annotations |= set(_d(ref_meta.get("annotations")))
    labels |= set(_d(ref_meta.get("labels"))) | set(_d(ref_meta.get("labelsFrom")))
    for k in sorted(annotations, key=str):  # l. 242-246
        v.globals[f"workflow.annotations.{_s(k)}"] = v.placeholder()
    v.globals["workflow.annotations"] = v.placeholder()
    v.globals["workflow.annotations.json"] = v.placeholder()
    for k in sorted(labels, key=str):  # l. 248-252
        v.globals[f"workflow.labels.{_s(k)}"] = v.placeholder()
    v.globals["workflow.labels"] = v.placeholder()
    v.globals["workflow.labels.json"] = v.placeholder()
    if spec.get("priority") is not None:  # l. 254-256
        v.globals["workflow.priority"] = _s(spec.get("priority"))
    v.globals["workflow.status"] = v.placeholder()  # l. 257


def _exit_holder(spec: Mapping[str, Any], ref_spec: Mapping[str, Any], ref_base: _Base | None) -> dict[str, Any] | None:
    on_exit = _str(spec.get("onExit"))
    exit_holder: dict[str, Any] | None = None
    if on_exit:  # l. 286-294
        exit_holder = _ref_holder(spec.get("workflowTemplateRef"), on_exit) if ref_base is not None else {"template": on_exit}
    elif ref_base is not None and _str(ref_spec.get("onExit")):
        exit_holder = _ref_holder(spec.get("workflowTemplateRef"), _str(ref_spec.get("onExit")))
    return exit_holder


def _declare_exit_globals(v: _Validator, spec: Mapping[str, Any], ref_spec: Mapping[str, Any], ref_base: _Base | None) -> None:
    v.globals["workflow.failures"] = v.placeholder()
    templates = _l(spec.get("templates")) + (_l(ref_spec.get("templates")) if ref_base is not None else [])
    for t in templates:  # l. 298-327
        for a in _l(_d(_d(t).get("outputs")).get("artifacts")):
            g = _str(_d(a).get("globalName"))
            if g and _is_parameter(g):
                v.globals[_ANY_WF_OUT_ART] = "true"


def _pod_gc_problems(spec: Mapping[str, Any], spec_path: str) -> list[str]:
    problems: list[str] = []
    pod_gc = _d(spec.get("podGC"))
    if _str(pod_gc.get("strategy")) not in _POD_GC:  # l. 339-341
        problems.append(f"{spec_path}.podGC.strategy: unknown strategy '{_str(pod_gc.get('strategy'))}'")
    if pod_gc.get("labelSelector") is not None:  # l. 342-344
        why = _selector_error(_d(pod_gc.get("labelSelector")))
        if why:
            problems.append(f"{spec_path}.podGC.labelSelector: invalid: {why}")
    return problems
