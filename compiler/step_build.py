"""One step of a pipeline, compiled: its bindings, condition, fan-out, env and pod fields, each checked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mldsl.compiler import ir
from mldsl.compiler.context import Context, Loc
from mldsl.compiler.counts import count
from mldsl.compiler.exprscope import Scope
from mldsl.compiler.images import check_step_image
from mldsl.compiler.modules import module_resources
from mldsl.compiler.pods import pod_settings
from mldsl.compiler.step_fields import duration_seconds, retry_policy, toleration, version_tuple, written_durations
from mldsl.compiler.values import bind, check_env, compile_value, expect_type
from mldsl.lang.loader import Loaded
from mldsl.lang.model_errors import COMMA_HINT, split_by_comma
from mldsl.lang.mtypes import ANY, BOOL, list_of
from mldsl.lang.suggest import close_matches

if TYPE_CHECKING:  # the document models are read, never built, here (models/fast.py builds them)
    from mldsl.lang.models.pipeline import Step


def bind_inputs(
    ctx: Context, doc: Loaded, loc: Loc, with_: dict[str, Any], module: ir.Module, scope: Scope
) -> tuple[tuple[str, ir.IValue], ...] | None:
    ok = True
    names = [p.name for p in module.inputs]
    for key in with_:
        if module.input(key) is None:
            close = close_matches(key, names, n=1)
            ctx.error(
                doc,
                (*loc, "with", key),
                "MLD404",
                f"module {module.key} has no input {key!r}",
                COMMA_HINT
                if split_by_comma(key, with_[key])
                else f"did you mean {close[0]!r}?"
                if close
                else "its inputs: " + (", ".join(names) or "none"),
                key=True,
            )
            ok = False
    out: list[tuple[str, ir.IValue]] = []
    for p in module.inputs:
        if p.name not in with_:
            if p.required:
                ctx.error(
                    doc,
                    loc,
                    "MLD403",
                    f"required input {p.name!r} of {module.key} is not bound",
                    f"add it under 'with:' ({p.type})",
                    key=True,
                )
                ok = False
            continue
        v = bind(ctx, doc, (*loc, "with", p.name), with_[p.name], p, scope, key=p.name)
        if v is None:
            ok = False
        else:
            out.append((p.name, v))
    return tuple(out) if ok else None


def build_step(ctx: Context, doc: Loaded, loc: Loc, name: str, step: Step, module: ir.Module, scope: Scope) -> ir.Step | None:
    start = len(ctx.diags)
    for_each = _for_each(ctx, doc, loc, step, scope)
    bindings = bind_inputs(ctx, doc, loc, step.with_, module, scope)
    if bindings is not None and isinstance(module.run, ir.ResourceRun):
        _check_resource_artifacts(ctx, doc, loc, module, bindings)
    if bindings is not None:
        check_step_image(ctx, doc, loc, module, bindings)
    when = _when(ctx, doc, loc, step, scope)
    env = _env(ctx, doc, loc, step, scope)
    pod = None
    if step.volumes or step.service_account or step.pod:
        pod = pod_settings(ctx, doc, loc, step.volumes, step.service_account, step.pod)
    resources = None
    if step.resources is not None:
        resources = module_resources(ctx, doc, (*loc, "resources"), step.resources, scope)
    parallelism: int | ir.IExpr | None = step.parallelism if isinstance(step.parallelism, int) else None
    if isinstance(step.parallelism, str) and step.for_each is not None:
        parallelism = _parallelism_value(ctx, doc, (*loc, "parallelism"), step.parallelism, scope)
    retry = retry_policy(ctx, doc, (*loc, "retries"), step)
    timeout = _timeout(ctx, doc, loc, step, module)
    cache = duration_seconds(ctx, doc, (*loc, "cache", "ttl"), step.cache.ttl if step.cache else None)
    if len(ctx.diags) > start or bindings is None:
        return None
    return ir.Step(
        name=name,
        module=module,
        bindings=bindings,
        when=when,
        for_each=for_each,
        item_type=scope.item if step.for_each is not None else None,
        parallelism=parallelism,
        retry=retry,
        timeout_seconds=timeout,
        cache_seconds=cache,
        resources=resources,
        node_selector=tuple(sorted((step.node_selector or {}).items())),
        tolerations=tuple(toleration(t) for t in step.tolerations or ()),
        env=env,
        continue_on_failure=step.continue_on_failure,
        pod=pod,
        written=written_durations(step),
    )


def _for_each(ctx: Context, doc: Loaded, loc: Loc, step: Step, scope: Scope) -> ir.IValue | None:
    """The list a step fans out over; sets ``scope.item`` to its items' type for the step's other fields."""
    if step.for_each is None:
        if step.parallelism is not None:
            ctx.error(doc, (*loc, "parallelism"), "MLD107", "'parallelism' applies to steps with 'for_each'", key=True)
        return None
    for_each = compile_value(ctx, doc, (*loc, "for_each"), step.for_each, scope)
    if for_each is not None and expect_type(
        ctx, doc, (*loc, "for_each"), for_each, list_of(ANY), "for_each", "give a list, or an expression that is a list"
    ):
        scope.item = for_each.type.item if for_each.type.kind == "list" and for_each.type.item else ANY
    else:
        scope.item = ANY
    return for_each


def _when(ctx: Context, doc: Loaded, loc: Loc, step: Step, scope: Scope) -> ir.IExpr | None:
    """A step's condition: one boolean ``${{ }}`` expression (text around it would make it a string)."""
    if step.when is None:
        return None
    when_v = compile_value(ctx, doc, (*loc, "when"), step.when, scope)
    if when_v is None:
        return None
    if isinstance(when_v, (ir.ILit, ir.IInterp)):
        ctx.error(
            doc,
            (*loc, "when"),
            "MLD306",
            "'when' must be one ${{ }} expression",
            'for example "${{ steps.train.outputs.auc >= 0.8 }}"',
        )
        return None
    if expect_type(ctx, doc, (*loc, "when"), when_v, BOOL, "'when'", "compare, e.g. ${{ x == 'a' }}"):
        return when_v
    return None


def _env(ctx: Context, doc: Loaded, loc: Loc, step: Step, scope: Scope) -> tuple[tuple[str, ir.IValue], ...]:
    """A step's env, set on its pod when the pod is made: no step outputs or ``item`` (not known then)."""
    env = check_env(ctx, doc, (*loc, "env"), dict(step.env or {}), scope)
    for key, value in env:
        if any(isinstance(n, (ir.IStepOutput, ir.IItem)) for n in ir.walk(value)):
            ctx.error(
                doc,
                (*loc, "env", key),
                "MLD302",
                f"env {key!r} cannot refer to step outputs or 'item'",
                "step env is set on the step's pod: use params, workflow fields and secret(); pass step outputs with 'with'",
            )
    return env


def _timeout(ctx: Context, doc: Loaded, loc: Loc, step: Step, module: ir.Module) -> int | None:
    timeout = duration_seconds(ctx, doc, (*loc, "timeout"), step.timeout)
    if timeout is not None and isinstance(module.run, ir.SparkRun) and version_tuple(module.run.spark_version) < (3,):
        ctx.error(
            doc,
            (*loc, "timeout"),
            "MLD423",
            f"module {module.name!r} runs Spark {module.run.spark_version}: the step's timeout needs Spark 3.0 or later",
            "a SparkApplication has no deadline; mldsl puts the timeout on the driver's and executors' pod templates, "
            "which Spark reads from 3.0.0 on: raise the module's spark_version, or drop the timeout",
        )
    return timeout


def _check_resource_artifacts(
    ctx: Context, doc: Loaded, loc: Loc, module: ir.Module, bindings: tuple[tuple[str, ir.IValue], ...]
) -> None:
    """Spark and training pods read and write artifacts by URI: every artifact must have one."""
    kind = "spark" if isinstance(module.run, ir.SparkRun) else "distributed"
    needs_bucket = bool(module.outputs)  # artifacts and metrics alike are written to URIs
    for name, value in bindings:
        p = module.input(name)
        if p is None or p.type.kind != "artifact":
            continue
        # an artifact param reaches the job as its URI (a workflow parameter beside the workflow artifact:
        # backends/argo/workflow.py uri_read_params), at any depth of sub-pipelines
        if isinstance(value, ir.IStepOutput):
            needs_bucket = True
    if needs_bucket and not ctx.project.artifact_bucket:
        ctx.error(
            doc,
            (*loc, "uses"),
            "MLD607",
            f"a {kind} step passes artifacts and metrics by URI, which needs an artifact bucket",
            "set spec.artifacts.bucket in mldsl.yaml (the bucket of Argo's artifact repository)",
        )


def _parallelism_value(ctx: Context, doc: Loaded, loc: Loc, raw: str, scope: Scope) -> ir.IExpr | None:
    """A fan-out's parallelism from a value (SPEC §1.10): an int known when the run starts.

    Argo reads a template's ``parallelism`` from the manifest, never from a value (argo-workflows v4.1.2
    ``pkg/apis/workflow/v1alpha1/workflow_types.go`` l. 800, an int64), so the Argo backend bounds the
    iterations with a semaphore whose limit the run writes first (``backends/argo/limits.py``). That limit
    exists before any step ends: it may read params and workflow fields, not step outputs or ``item``.
    """
    value = count(ctx, doc, loc, raw, scope, "parallelism")
    if value is None or isinstance(value, int):
        return None
    if any(isinstance(n, (ir.IStepOutput, ir.IItem)) for n in ir.walk(value)):
        ctx.error(
            doc,
            loc,
            "MLD302",
            "a fan-out's parallelism cannot refer to step outputs or 'item'",
            'it is set when the run starts: use a param, e.g. "${{ params.max_parallel }}"',
        )
        return None
    return value
