"""Which template runs a module: the deploy pod for a ``deploy:`` module, else the module's own template.

It sits over ``templates.py`` and ``deploy.py`` so that neither imports the other's caller (the deploy pod's
template is built from the parts ``templates.py`` gives every template).
"""

from __future__ import annotations

from typing import Any

from mldsl.backends.argo import model as m
from mldsl.backends.argo.deploy import deploy_template
from mldsl.backends.argo.job_template import resource_template
from mldsl.backends.argo.policies import step_policies
from mldsl.backends.argo.templates import is_resource, module_template
from mldsl.compiler import ir


def template_for(
    module: ir.Module,
    project: ir.Project,
    *,
    name: str,
    step: ir.Step | None = None,
    pipeline: str = "",
    artifact_keys: dict[str, dict[str, Any]] | None = None,
    identities: frozenset[str] = frozenset(),
) -> m.Template:
    """The template that runs ``module`` (``step`` adds that step's own settings; see ``module_template``)."""
    if isinstance(module.run, ir.DeployRun):
        return deploy_template(module, project, name=name, step=step, pipeline=pipeline)
    if is_resource(module):
        tpl = resource_template(module, project, name=name, step=step)
    else:
        tpl = module_template(module, project, name=name, step=step, artifact_keys=artifact_keys, identities=identities)
    if step is not None:
        step_policies(tpl, module, step, pipeline)
    return tpl
