"""What a step adds to its module's template: retries, a deadline, and the cache (memoize) with its key."""

from __future__ import annotations

from typing import Any

from mldsl.backends.argo import model as m
from mldsl.backends.argo.exprs import quote
from mldsl.backends.argo.templates import fit_name, identity_param, module_slug, secret_params
from mldsl.compiler import ir


def step_policies(tpl: m.Template, module: ir.Module, step: ir.Step, pipeline: str) -> None:
    if step.retry is not None:
        retry: m.RetryStrategy = {"limit": step.retry.limit}
        if step.retry.policy:
            retry["retryPolicy"] = step.retry.policy
        if step.retry.backoff_seconds is not None or step.retry.backoff_factor is not None:
            backoff: m.Backoff = {}
            if step.retry.backoff_seconds is not None:
                backoff["duration"] = f"{step.retry.backoff_seconds}s"
            if step.retry.backoff_factor is not None:
                backoff["factor"] = step.retry.backoff_factor  # a whole number: Argo parses it as one
            if step.retry.backoff_max_seconds is not None:
                backoff["maxDuration"] = f"{step.retry.backoff_max_seconds}s"
            retry["backoff"] = backoff
        tpl["retryStrategy"] = retry
    if step.timeout_seconds is not None:
        tpl["activeDeadlineSeconds"] = step.timeout_seconds
    if step.cache_seconds is not None:
        tpl["memoize"] = {
            "key": cache_key(module),
            "maxAge": f"{step.cache_seconds}s",
            "cache": {"configMap": {"name": f"mldsl-cache-{pipeline}"[:253]}},
        }
        ids = [
            {"name": identity_param(p.name), **({"default": ""} if p.optional else {})}
            for p in module.inputs
            if p.type.kind == "artifact"
        ]
        if ids:
            inputs = tpl.setdefault("inputs", {})
            inputs["parameters"] = [*inputs.get("parameters", []), *ids]  # type: ignore[list-item]


def module_digest(module: ir.Module) -> str:
    """A digest of everything the module runs: a changed module never reuses an old result."""
    import hashlib

    run: Any = module.run
    if getattr(run, "image_value", True) is None:  # the field added for image tags, unused: the digest (and every
        # cache key made from it) stays what it was before the field existed
        run = f"{type(run).__name__}({', '.join(f'{k}={v!r}' for k, v in run._asdict().items() if k != 'image_value')})"
        return hashlib.sha256(
            f"({module.name!r}, {module.version!r}, {module.inputs!r}, {module.outputs!r}, {run})".encode()
        ).hexdigest()
    return hashlib.sha256(repr((module.name, module.version, module.inputs, module.outputs, run)).encode()).hexdigest()


def cache_key(module: ir.Module) -> str:
    """A memoize key Argo accepts, covering the module and every input value and artifact identity (SPEC §1.9).

    Argo refuses keys outside ``^[a-zA-Z0-9][-a-zA-Z0-9]*$`` (argo-workflows v4.1.2
    ``workflow/controller/cache/cache.go`` l. 15, checked on load in ``configmap_cache.go``),
    after the template's tags are substituted: so the values go through ``sprig.sha256sum``
    (available in expression tags, ``util/expr/env/env.go`` GetFuncMap), never as text.
    """
    names: list[str] = []
    for p in module.inputs:
        if p.type.kind == "artifact":
            names.append(identity_param(p.name))
        elif p.type.kind == "secret":
            names.extend(secret_params(p.name))
        else:
            names.append(p.name)
    values = ", ".join(f"inputs.parameters[{quote(n)}]" for n in names)
    prefix = fit_name(module_slug(module), 40)
    return f"{prefix}-{module_digest(module)[:16]}-" + "{{=sprig.sha256sum(toJson([%s]))}}" % values
