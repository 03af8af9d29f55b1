"""templateValidationCtx's walk over templates, steps and DAG tasks (validate.go)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mldsl.argo import depends as dep
from mldsl.argo.validate.calls import _CallChecks
from mldsl.argo.validate.fields import (
    _LEAF_TYPES,
    _PLACEHOLDER,
    _PLACEHOLDER_FRAGMENT,
    _POD_TYPES,
    _RETRY_POLICIES,
    _TYPE_CHOICES,
    _TYPES,
    _atoi,
    _d,
    _go_json,
    _l,
    _ProblemError,
    _s,
    _str,
)
from mldsl.argo.validate.holders import (
    _ancestry,
    _Args,
    _Base,
    _exit_hook,
    _FakeArgs,
    _hooks_problem,
    _loops,
    _pod_resources,
    _sort_tasks,
    _task_kinds,
    _template_type,
)
from mldsl.argo.validate.locations import _artifact_location_error
from mldsl.argo.validate.placeholders import _field_name_errors, _is_parameter, _names_problem, _needs_resolution, _unresolved


class _Validator(_CallChecks):
    """templateValidationCtx (validate.go l. 56-82)."""

    # -- validateTemplateHolder (validate.go l. 642-698) -----------------------------------------

    def holder(self, holder: Mapping[str, Any], hpath: str, base: _Base, args: _Args) -> Mapping[str, Any] | None:
        ref = holder.get("templateRef")
        name = _str(holder.get("template"))
        if ref is not None:
            r = _d(ref)
            if name:
                raise _ProblemError(hpath, "template name cannot be specified with templateRef")  # l. 647
            if not _str(r.get("name")):
                raise _ProblemError(f"{hpath}.templateRef", "resource name is required")  # l. 650
            if not _str(r.get("template")):
                raise _ProblemError(f"{hpath}.templateRef", "template name is required")  # l. 653
            if _needs_resolution(_go_json(r)):
                return None  # l. 655-658: resolved at run time, not validated
        elif name and base.template(name) is None:
            raise _ProblemError(f"{hpath}.template", f"template name '{name}' undefined")  # l. 660-667
        # ResolveTemplate (templateresolution/context.go l. 155-165, 186-256)
        inline = holder.get("inline")
        if inline is not None:
            tmpl, tpath, tbase = _d(inline), f"{hpath}.inline", base
        elif ref is not None:
            r = _d(ref)
            kind = "ClusterWorkflowTemplate" if r.get("clusterScope") is True else "WorkflowTemplate"
            rname, rtmpl = _str(r.get("name")), _str(r.get("template"))
            found_base = self.base_of(kind, rname)
            found = found_base.template(rtmpl) if found_base is not None else None
            if found_base is None or found is None:
                if _PLACEHOLDER in rtmpl:
                    return None  # validate.go l. 674-677: a dynamic template
                raise _ProblemError(f"{hpath}.templateRef", f"template reference {rname}.{rtmpl} not found")  # l. 679
            (tpath, tmpl), tbase = found, found_base
        elif name:
            found = base.template(name)
            assert found is not None  # checked above
            (tpath, tmpl), tbase = found, base
        else:
            raise _ProblemError(hpath, "failed to get a template")  # context.go l. 164
        if _template_type(tmpl) is None:
            raise _ProblemError(tpath, f"template '{_str(tmpl.get('name'))}' type is unknown")  # context.go l. 251-253
        retry = tmpl.get("retryStrategy")
        if retry is not None:
            policy = _str(_d(retry).get("retryPolicy"))
            if policy not in _RETRY_POLICIES:  # l. 688-695
                raise _ProblemError(f"{tpath}.retryStrategy.retryPolicy", f"{policy} is not a valid RetryPolicy")
        self.template(tmpl, tpath, tbase, args, hpath)
        return tmpl

    # -- validateTemplate (validate.go l. 489-628) -----------------------------------------------

    def template(self, tmpl: Mapping[str, Any], tpath: str, base: _Base, args: _Args, hpath: str) -> None:
        tname = _str(tmpl.get("name"))
        types = [k for k, _ in _TYPES if tmpl.get(k) is not None]
        if len(types) > 1:  # validateTemplateType l. 721-737
            raise _ProblemError(tpath, f"multiple template types specified ({', '.join(types)}). {_TYPE_CHOICES}")
        ttype = _template_type(tmpl) or ""
        leaf = ttype in _LEAF_TYPES
        if tmpl.get("podResources") is not None:
            if ttype in ("HTTP", "Plugin"):  # l. 494-500
                raise _ProblemError(f"{tpath}.podResources", f"podResources is not supported for {ttype} templates")
            _pod_resources(f"{tpath}.podResources", tmpl.get("podResources"))
        scope = self.inputs(tmpl, tpath, leaf)
        for i, c in enumerate(_l(tmpl.get("initContainers"))):  # l. 480-487
            if not _str(_d(c).get("name")):
                raise _ProblemError(f"{tpath}.initContainers[{i}]", "initContainers must all have container name")
        local: dict[str, str] = {}
        if ttype in _POD_TYPES:  # l. 516-519
            local["pod.name"] = self.placeholder()
        if tmpl.get("retryStrategy") is not None:  # l. 520-531
            for key in ("retries", "lastRetry.exitCode", "lastRetry.status", "lastRetry.duration", "lastRetry.message"):
                local[key] = self.placeholder()
        scope |= set(local)
        if leaf:  # l. 532-543
            scope |= _output_paths(tmpl)
        new = self.process_args(tmpl, tpath, args, local, hpath)  # l. 545-548
        ntype = _template_type(new) or ""
        _check_processed(tmpl, new, ntype, tpath)
        key = base.scope + tname  # l. 577-584: each template's body is checked once
        if key in self.results:
            return
        self.results.add(key)
        scope |= set(self.globals)  # l. 586-588
        if ntype == "Steps":
            self.steps(new, tpath, base, scope)
        elif ntype == "DAG":
            self.dag(new, tpath, base, scope)
        else:
            self.leaf(new, tpath, base, scope)
        self.outputs(new, tpath, scope)  # l. 600
        archive = new.get("archiveLocation")
        if archive is not None:  # l. 604-610
            why = _artifact_location_error("archiveLocation", _d(archive))
            if why:
                raise _ProblemError(tpath, why)
        for i, m in enumerate(_l(_d(new.get("metrics")).get("prometheus"))):  # l. 611-626
            self.metric(_d(m), f"{tpath}.metrics.prometheus[{i}]")

    # -- validateSteps (validate.go l. 1062-1137) ------------------------------------------------

    def steps(self, tmpl: Mapping[str, Any], tpath: str, base: _Base, scope: set[str]) -> None:
        if tmpl.get("activeDeadlineSeconds") is not None:  # validateNonLeaf l. 848-853
            raise _ProblemError(f"{tpath}.activeDeadlineSeconds", "activeDeadlineSeconds is only valid for leaf templates")
        names: set[str] = set()
        for i, group in enumerate(_l(tmpl.get("steps"))):
            if not isinstance(group, list):
                raise _ProblemError(f"{tpath}.steps[{i}]", "a step group must be a list of steps")
            for j, step in enumerate(group):
                step, spath = _d(step), f"{tpath}.steps[{i}][{j}]"
                name = _str(step.get("name"))
                if not name:
                    raise _ProblemError(spath, "name is required")  # l. 1071-1073
                if name in names:
                    raise _ProblemError(spath, f"name '{name}' is not unique")  # l. 1074-1077
                why = _field_name_errors(_PLACEHOLDER_FRAGMENT.sub("x", name), params=False)  # l. 1736-1739
                if why:
                    raise _ProblemError(spath, f"name '{name}' is invalid: {why}")  # l. 1078-1080
                names.add(name)
                scope.add(f"steps.{name}.status")  # l. 1082
                self.items(step, spath, scope)  # l. 1083-1086
                self.arguments(f"{spath}.arguments", step.get("arguments"), False)  # l. 1087-1090
                resolved = self.holder(step, spath, base, _FakeArgs())  # l. 1091-1094
                if _exit_hook(step):  # l. 1096-1098
                    self.add_outputs(resolved, "steps", name, scope, False, False)
                _hooks_problem(step.get("hooks"), spath)  # l. 1101-1104
                step_scope = set(scope)
                for p in _l(_d(_d(step.get("inline")).get("inputs")).get("parameters")):  # l. 1114-1118
                    step_scope.add(f"inputs.parameters.{_str(_d(p).get('name'))}")
                why = _unresolved(step_scope, self.globals, _go_json(step), self.wft)  # l. 1120-1123
                if why:
                    raise _ProblemError(spath, why)
                aggregate = bool(_l(step.get("withItems"))) or bool(_str(step.get("withParam")))
                self.add_outputs(resolved, "steps", name, scope, aggregate, False)  # l. 1125-1127
                self.holder(step, spath, base, _d(step.get("arguments")))  # l. 1129-1133

    # -- validateDAG (validate.go l. 1433-1575) --------------------------------------------------

    def dag(self, tmpl: Mapping[str, Any], tpath: str, base: _Base, scope: set[str]) -> None:
        if tmpl.get("activeDeadlineSeconds") is not None:  # validateNonLeaf l. 848-853
            raise _ProblemError(f"{tpath}.activeDeadlineSeconds", "activeDeadlineSeconds is only valid for leaf templates")
        dag = _d(tmpl.get("dag"))
        tasks = [_d(t) for t in _l(dag.get("tasks"))]
        if not tasks:
            raise _ProblemError(f"{tpath}.dag.tasks", "must have at least one task")  # l. 1438-1440
        index = {id(t): j for j, t in enumerate(tasks)}

        def tp(t: Mapping[str, Any]) -> str:
            return f"{tpath}.dag.tasks[{index[id(t)]}]"

        using_depends = any(_str(t.get("depends")) for t in tasks)  # l. 1441-1448
        by_name = {_str(t.get("name")): t for t in tasks}
        kinds = {n: _task_kinds(t) for n, t in by_name.items()}
        ordered = _sort_tasks(tasks, kinds, tp)  # l. 1454-1457 (sortDAGTasks l. 1661-1686)
        bad = _names_problem(tasks, params=False)  # l. 1459-1462
        if bad:
            raise _ProblemError(f"{tpath}.dag.tasks[{bad[0]}]", bad[1])
        resolved: dict[str, Mapping[str, Any] | None] = {}
        for t in ordered:  # l. 1467-1508
            name = _str(t.get("name"))
            _check_dag_task_name(t, tp(t), using_depends)
            resolved[name] = self.holder(t, tp(t), base, _FakeArgs())  # l. 1480-1486
            aggregate = bool(_l(t.get("withItems"))) or bool(_str(t.get("withParam")))
            self.add_outputs(resolved[name], "tasks", name, scope, aggregate, False)  # l. 1488-1489
            why = dep.invalid_task_result(_str(t.get("depends")))  # l. 1491-1494
            if why:
                raise _ProblemError(f"{tp(t)}.depends", why)
            _check_dependencies(tp(t), kinds[name], by_name)
        target = _str(dag.get("target"))
        why = _unresolved(scope, self.globals, target, self.wft)  # l. 1513-1516
        if why:
            raise _ProblemError(f"{tpath}.dag.target", why)
        if target:  # validateDAGTargets l. 1609-1622
            for name in target.split(" "):
                if not _is_parameter(name) and name not in by_name:
                    raise _ProblemError(f"{tpath}.dag.target", f"target '{name}' is not defined")
        for t in ordered:  # l. 1521-1572
            self._dag_task(t, tp(t), base, scope, kinds, by_name, resolved)

    def _dag_task(
        self,
        t: Mapping[str, Any],
        path: str,
        base: _Base,
        scope: set[str],
        kinds: dict[str, dict[str, str]],
        by_name: dict[str, Mapping[str, Any]],
        resolved: dict[str, Mapping[str, Any] | None],
    ) -> None:
        """One task of a DAG in the scope its ancestors' outputs make (validate.go l. 1521-1572)."""
        name = _str(t.get("name"))
        if t.get("hooks") is not None:
            scope.add(f"tasks.{name}.status")  # l. 1525-1527
        self.add_outputs(resolved[name], "tasks", name, scope, False, False)  # l. 1528-1531
        task_scope = set(scope)
        ancestry = _ancestry(name, kinds)  # l. 1538 (common/ancestry.go l. 141-167)
        for a in ancestry:
            at = by_name[a]
            aggregate = bool(_l(at.get("withItems"))) or bool(_str(at.get("withParam")))
            self.add_outputs(resolved.get(a), "tasks", a, task_scope, aggregate, True)
        for p in _l(_d(_d(t.get("inline")).get("inputs")).get("parameters")):  # l. 1545-1549
            task_scope.add(f"inputs.parameters.{_str(_d(p).get('name'))}")
        self.items(t, path, task_scope)  # l. 1551-1554
        why = _unresolved(task_scope, self.globals, _go_json(t), self.wft)  # l. 1555-1558
        if why:
            raise _ProblemError(path, why)
        self.arguments(f"{path}.arguments", t.get("arguments"), False)  # l. 1559-1562
        self.argument_dependency(_d(t.get("arguments")), set(ancestry), f"{path}.arguments")  # l. 1563-1566
        self.holder(t, path, base, _d(t.get("arguments")))  # l. 1567-1571


def _check_dag_task_name(t: Mapping[str, Any], path: str, using_depends: bool) -> None:
    name = _str(t.get("name"))
    if (using_depends or _l(t.get("dependencies"))) and name[:1].isdigit():  # l. 1468-1470
        raise _ProblemError(
            f"{path}.name", f"name '{name}' cannot begin with a digit when using either 'depends' or 'dependencies'"
        )
    if using_depends and _l(t.get("dependencies")):  # l. 1472-1474
        raise _ProblemError(f"{path}.dependencies", "cannot use both 'depends' and 'dependencies' in the same DAG template")
    if using_depends and t.get("continueOn") is not None:  # l. 1476-1478
        raise _ProblemError(
            f"{path}.continueOn",
            "cannot use 'continueOn' when using 'depends'. Instead use 'dep-task.Failed'/'dep-task.Errored'",
        )


def _check_dependencies(path: str, deps: dict[str, str], by_name: dict[str, Mapping[str, Any]]) -> None:
    for d, kind in deps.items():  # l. 1496-1507
        dep_task = by_name.get(d)
        if dep_task is None:
            raise _ProblemError(path, f"dependency '{d}' not defined")
        if kind == "items" and not _loops(dep_task):
            raise _ProblemError(
                f"{path}.depends",
                f"dependency '{d}' uses an items-based condition such as .AnySucceeded or .AllFailed"
                " but does not contain any items",
            )


def _output_paths(tmpl: Mapping[str, Any]) -> set[str]:
    """The ``outputs.*.path`` variables a leaf template's own outputs declare."""
    paths: set[str] = set()
    outputs = _d(tmpl.get("outputs"))
    for a in _l(outputs.get("artifacts")):
        if _str(_d(a).get("path")):
            paths.add(f"outputs.artifacts.{_str(_d(a).get('name'))}.path")
    for p in _l(outputs.get("parameters")):
        if _str(_d(_d(p).get("valueFrom")).get("path")):
            paths.add(f"outputs.parameters.{_str(_d(p).get('name'))}.path")
    return paths


def _check_processed(tmpl: Mapping[str, Any], new: Mapping[str, Any], ntype: str, tpath: str) -> None:
    """The fields a template may have only as a pod or a leaf, checked once its arguments are in."""
    tname = _str(tmpl.get("name"))
    if _l(tmpl.get("resourceClaims")) and ntype not in _POD_TYPES:  # l. 556-560
        raise _ProblemError(
            f"{tpath}.resourceClaims",
            f"resourceClaims is not supported for {ntype} templates, which do not create a pod",
        )
    timeout = new.get("timeout")
    if timeout not in (None, ""):  # l. 562-571
        if ntype not in _LEAF_TYPES:
            raise _ProblemError(f"{tpath}.timeout", f"{ntype} template doesn't support timeout field")
        if _atoi(_s(timeout)) is not None:
            raise _ProblemError(f"{tpath}.timeout", f"{tname} has invalid duration format in timeout")
    if new.get("pendingTimeout") not in (None, "") and ntype not in _LEAF_TYPES:  # l. 573-575
        raise _ProblemError(f"{tpath}.pendingTimeout", f"{ntype} template doesn't support pendingTimeout field")
