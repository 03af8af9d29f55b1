"""The references of a submitted Workflow checked before it runs, as the controller refuses them: templates,
ConfigMaps, claims."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mldsl.runner.argocluster import _find_template, _spec_templates
from mldsl.runner.argodocs import ArgoFileError, Loc, _Doc, _mapping
from mldsl.runner.argokinds import CLUSTER_WORKFLOW_TEMPLATE, WORKFLOW_TEMPLATE
from mldsl.runner.argoloaded import Loaded
from mldsl.runner.argoselect import _choices

# --------------------------------------------------------------------------- reference checks


def _check_references(loaded: Loaded, doc: _Doc, spec_loc: Loc, wft_doc: _Doc | None, entrypoint: str | None) -> None:
    """What submission validates before a workflow runs (workflow/validate/validate.go:259-368):
    an entrypoint (:259-261) that names a template, and every template of the workflow (or of its
    WorkflowTemplate, :350-358) with every ``template``/``templateRef`` it reaches resolvable
    (GetTemplateByName and GetTemplateFromRef, workflow/templateresolution/context.go:102-152)."""
    spec = loaded.workflow["spec"]
    base_doc, base_loc = (wft_doc, ("spec",)) if wft_doc is not None else (doc, spec_loc)
    names = [t.get("name") for t in _spec_templates(base_doc, base_loc) if isinstance(t, dict)]
    entry = spec.get("entrypoint")
    if not entry:
        raise doc.error(
            "spec.entrypoint is required",  # validate.go:259-261
            spec_loc,
            hint=("pass an entrypoint (argo submit --entrypoint), one of: " + ", ".join(str(n) for n in names))
            if names
            else None,
        )
    checker = _RefChecker(loaded)
    if entrypoint:  # given by the caller: no position in a file
        if _find_template(_spec_templates(base_doc, base_loc), entrypoint) < 0:
            raise ArgoFileError(f"template {entrypoint} not found", loaded.source, hint=_choices("templates", names, entrypoint))
    elif (loaded._submitted.get("spec") or {}).get("entrypoint") or wft_doc is None:
        checker.name_in_base(str(entry), base_doc, base_loc, doc, (*spec_loc, "entrypoint"))
    else:
        checker.name_in_base(str(entry), base_doc, base_loc, wft_doc, ("spec", "entrypoint"))
    on_exit = spec.get("onExit")
    if on_exit:
        own_exit = _mapping(loaded._submitted.get("spec")).get("onExit")
        on_exit_doc, on_exit_loc = (doc, spec_loc) if own_exit else (base_doc, base_loc)
        checker.name_in_base(str(on_exit), base_doc, base_loc, on_exit_doc, (*on_exit_loc, "onExit"))
    for site_doc, site_loc in [(doc, spec_loc)] + ([(wft_doc, ("spec",))] if wft_doc is not None else []):
        site_spec: Any = site_doc.data
        for part in site_loc:
            site_spec = site_spec.get(part) if isinstance(site_spec, dict) else None
        hooks = site_spec.get("hooks") if isinstance(site_spec, dict) else None
        if isinstance(hooks, dict):
            for event, hook in hooks.items():
                if isinstance(hook, dict):
                    checker.holder(hook, site_doc, (*site_loc, "hooks", event), base_doc, base_loc)
    for i in range(len(_spec_templates(base_doc, base_loc))):  # every template (validate.go:350-368)
        checker.visit(base_doc, base_loc, i)


class _RefChecker:
    def __init__(self, loaded: Loaded):
        self.loaded = loaded
        self.done: set[tuple[str, int, int]] = set()

    def visit(self, base_doc: _Doc, base_loc: Loc, index: int) -> None:
        """Check the template at ``index`` of a holder once: what it reaches resolves in its holder."""
        key = (str(base_doc.path), base_doc.index, index)
        if key in self.done:
            return
        self.done.add(key)
        template = _spec_templates(base_doc, base_loc)[index]
        if isinstance(template, dict):
            self.template(template, base_doc, (*base_loc, "templates", index), base_doc, base_loc)

    def name_in_base(self, name: str, base_doc: _Doc, base_loc: Loc, at_doc: _Doc, at_loc: Loc) -> None:
        templates = _spec_templates(base_doc, base_loc)
        at = _find_template(templates, name)
        if at >= 0:
            self.visit(base_doc, base_loc, at)
            return
        names = [t.get("name") for t in templates if isinstance(t, dict)]
        if base_doc.kind in (WORKFLOW_TEMPLATE, CLUSTER_WORKFLOW_TEMPLATE) and at_doc is not base_doc:
            message = f"template {name} not found in workflow template {base_doc.name}"  # context.go:144-146
        else:
            message = f"template {name} not found"  # context.go:105-108
        raise at_doc.error(message, at_loc, hint=_choices("templates", names, name))

    def holder(self, holder: Mapping[str, Any], doc: _Doc, loc: Loc, base_doc: _Doc, base_loc: Loc) -> None:
        """A step, task or hook: GetTemplate's order (context.go:155-165): inline, templateRef, template."""
        inline = holder.get("inline")
        ref = holder.get("templateRef")
        name = holder.get("template")
        if isinstance(inline, dict):
            self.template(inline, doc, (*loc, "inline"), base_doc, base_loc)
        elif isinstance(ref, dict):
            ref_name, tmpl_name = str(ref.get("name") or ""), str(ref.get("template") or "")
            cluster_scope = bool(ref.get("clusterScope"))
            target = self.loaded._cluster.templates(cluster_scope).get(ref_name)
            if target is None:
                kind = CLUSTER_WORKFLOW_TEMPLATE if cluster_scope else WORKFLOW_TEMPLATE
                raise doc.error(
                    f"workflow template {ref_name} not found",  # context.go:135-138
                    (*loc, "templateRef", "name"),
                    hint=self.loaded._missing_hint(kind, ref_name),
                )
            templates = _spec_templates(target, ("spec",))
            at = _find_template(templates, tmpl_name)
            if at < 0:
                raise doc.error(
                    f"template {tmpl_name} not found in workflow template {ref_name}",  # context.go:142-146
                    (*loc, "templateRef", "template"),
                    hint=_choices("templates", [t.get("name") for t in templates if isinstance(t, dict)], tmpl_name),
                )
            self.visit(target, ("spec",), at)
        elif isinstance(name, str) and name:
            self.name_in_base(name, base_doc, base_loc, doc, (*loc, "template"))
        hooks = holder.get("hooks")
        if isinstance(hooks, dict):
            for event, hook in hooks.items():
                if isinstance(hook, dict):
                    self.holder(hook, doc, (*loc, "hooks", event), base_doc, base_loc)
        on_exit = holder.get("onExit")
        if isinstance(on_exit, str) and on_exit:
            self.name_in_base(on_exit, base_doc, base_loc, doc, (*loc, "onExit"))

    def template(self, template: Mapping[str, Any], doc: _Doc, loc: Loc, base_doc: _Doc, base_loc: Loc) -> None:
        steps = template.get("steps")
        if isinstance(steps, list):
            for i, group in enumerate(steps):
                if isinstance(group, list):
                    for j, step in enumerate(group):
                        if isinstance(step, dict):
                            self.holder(step, doc, (*loc, "steps", i, j), base_doc, base_loc)
        dag = template.get("dag")
        tasks = dag.get("tasks") if isinstance(dag, dict) else None
        if isinstance(tasks, list):
            for i, task in enumerate(tasks):
                if isinstance(task, dict):
                    self.holder(task, doc, (*loc, "dag", "tasks", i), base_doc, base_loc)
