"""Compile Pipeline documents: bind steps to modules, type-check, order the DAG."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mldsl.compiler import ir
from mldsl.compiler.context import Context, Loc
from mldsl.compiler.exprscope import Scope, StepInfo
from mldsl.compiler.params import declare
from mldsl.compiler.resolve import Registry
from mldsl.compiler.step_build import bind_inputs
from mldsl.compiler.step_fields import duration_seconds
from mldsl.compiler.step_graph import compile_steps
from mldsl.compiler.step_kinds import CompileSub, resolve_uses
from mldsl.compiler.step_names import check_inlined_names
from mldsl.compiler.subpipelines import inline, is_call
from mldsl.compiler.values import compile_value
from mldsl.lang.constraints import Param
from mldsl.lang.loader import Loaded

if TYPE_CHECKING:  # the document models are read, never built, here (models/fast.py builds them)
    from mldsl.lang.models.pipeline import ExitHandler, Schedule


def compile_pipeline(ctx: Context, doc: Loaded, registry: Registry) -> ir.Pipeline | None:
    """The pipeline of ``doc``, compiled once per compile (a pipeline another calls is not checked twice)."""
    done: dict[int, ir.Pipeline | None] = ctx.scratch.setdefault("compiled_pipelines", {})
    if id(doc) not in done:
        done[id(doc)] = _compile_pipeline(ctx, doc, registry)
    return done[id(doc)]


def _compile_pipeline(ctx: Context, doc: Loaded, registry: Registry) -> ir.Pipeline | None:
    spec = doc.model.spec
    start, suppressed = len(ctx.diags), ctx.suppressed
    params = _declare_params(ctx, doc)
    broken = frozenset(set(spec.params) - set(params))
    _require_steps(ctx, doc)

    def compile_sub(called: Loaded) -> ir.Pipeline | None:
        return compile_pipeline(ctx, called, registry)

    ordered, infos, cycle = compile_steps(ctx, doc, ("spec", "steps"), spec.steps, params, broken, registry, compile_sub)
    outputs = _outputs(ctx, doc, spec.outputs, params, infos, ctx.project.artifact_bucket, broken)
    calls: tuple[Any, ...] = ()
    written: tuple[tuple[ir.Step, ...], tuple[tuple[str, ir.IValue], ...]] = ((), ())
    if ordered is not None and any(is_call(s) for s in ordered):
        written = (ordered, outputs)
        ordered, outputs, calls = inline(ordered, outputs)
        check_inlined_names(ctx, doc, ordered)
    schedule = _scheduled(ctx, doc, params)
    on_exit, exit_steps, exit_cycle = _exit_handler(ctx, doc, params, broken, registry, compile_sub)
    ttl = duration_seconds(ctx, doc, ("spec", "ttl"), spec.ttl)
    failed = len(ctx.diags) > start or ctx.suppressed > suppressed
    if failed or cycle is not None or exit_cycle is not None or ordered is None:
        return None
    md = doc.model.metadata
    source = ctx.ws.relative_name(doc.file)  # never absolute: the annotation is published with the manifest
    return ir.Pipeline(
        name=md.name,
        version=md.version,
        description=md.description,
        labels=tuple(sorted(md.labels.items())),
        annotations=tuple(sorted(md.annotations.items())),
        params=tuple(params.values()),
        steps=ordered,
        outputs=outputs,
        schedule=schedule,
        on_exit=on_exit,
        exit_steps=exit_steps or (),
        parallelism=spec.parallelism,
        ttl_seconds=ttl,
        source=source,
        calls=calls,
        written_steps=written[0],
        written_outputs=written[1],
    )


def _require_steps(ctx: Context, doc: Loaded) -> None:
    if not doc.model.spec.steps:  # Argo refuses a DAG without tasks (argoproj.io_workflowtemplates.yaml: dag.tasks minItems 1)
        ctx.error(
            doc,
            ("spec", "steps"),
            "MLD418",
            "a pipeline needs at least one step",
            "add a step under steps: (name: {uses: module@version, with: {...}})",
            key=True,
        )


def _declare_params(ctx: Context, doc: Loaded) -> dict[str, Param]:
    """The pipeline's params that declare cleanly; a secret cannot be one (it would be shown as a run's param)."""
    params: dict[str, Param] = {}
    for name, decl in doc.model.spec.params.items():
        p = declare(ctx, doc, ("spec", "params", name), name, decl, role="param")
        if p is not None and p.type.kind == "secret":
            ctx.error(
                doc,
                ("spec", "params", name),
                "MLD202",
                "a pipeline param cannot be a secret",
                "bind the step's secret input with secret('name', 'key') instead",
            )
        elif p is not None:
            params[name] = p
    return params


def _scheduled(ctx: Context, doc: Loaded, params: dict[str, Param]) -> ir.Schedule | None:
    """The schedule, and what a CronWorkflow needs of the pipeline: a short name, a default for every param."""
    spec = doc.model.spec
    if spec.schedule is None:
        return None
    schedule = _schedule(ctx, doc, spec.schedule)
    if len(doc.name) > CRON_NAME_MAX:
        ctx.error(
            doc,
            ("metadata", "name"),
            "MLD105",
            f"a scheduled pipeline compiles to a CronWorkflow, whose name has at most {CRON_NAME_MAX} characters: "
            f"{doc.name!r} has {len(doc.name)}",
            "shorten the pipeline's name",
        )
    for p in params.values():
        if p.required:
            ctx.error(
                doc,
                ("spec", "params", p.name),
                "MLD415",
                f"param {p.name!r} has no default, but scheduled runs cannot be given one",
                "give it a default (runs started by the schedule use the defaults)",
                key=True,
            )
    return schedule


def _exit_handler(
    ctx: Context,
    doc: Loaded,
    params: dict[str, Param],
    broken: frozenset[str],
    registry: Registry,
    compile_sub: CompileSub,
) -> tuple[ir.Step | None, tuple[ir.Step, ...] | None, list[str] | None]:
    """``on_exit``: one module step, or steps of their own (named apart from the pipeline's); and any cycle."""
    spec = doc.model.spec
    if spec.on_exit is None:
        return None, None, None
    if spec.on_exit.steps is None:
        return _on_exit(ctx, doc, spec.on_exit, params, registry, broken), None, None
    for name in spec.on_exit.steps:
        if name in spec.steps:
            ctx.error(
                doc,
                ("spec", "on_exit", "steps", name),
                "MLD409",
                f"exit step {name!r} has the name of a step of the pipeline",
                "give exit steps names of their own (e.g. notify_failure)",
                key=True,
            )
    steps, _, cycle = compile_steps(
        ctx,
        doc,
        ("spec", "on_exit", "steps"),
        spec.on_exit.steps,
        params,
        broken,
        registry,
        compile_sub,
        on_exit=True,
        outer=frozenset(spec.steps),
    )
    return None, steps, cycle


#: argo-workflows v4.1.2 ``workflow/validate/validate.go`` l. 105 (maxCharsInCronWorkflowName)
CRON_NAME_MAX = 52


def _outputs(
    ctx: Context,
    doc: Loaded,
    outputs: dict[str, str],
    params: dict[str, Param],
    infos: dict[str, StepInfo],
    bucket: str | None,
    broken: frozenset[str],
) -> tuple[tuple[str, ir.IValue], ...]:
    out = []
    for name, raw in outputs.items():
        scope = Scope(params=params, steps=infos, artifact_bucket=bucket, broken=broken)
        v = compile_value(ctx, doc, ("spec", "outputs", name), raw, scope)
        if v is None:
            continue
        if not isinstance(v, (ir.IStepOutput, ir.IParam)):
            ctx.error(
                doc,
                ("spec", "outputs", name),
                "MLD303",
                "a pipeline output must be one reference",
                'for example "${{ steps.train.outputs.model }}"',
            )
            continue
        out.append((name, v))
    return tuple(out)


def _schedule(ctx: Context, doc: Loaded, s: Schedule) -> ir.Schedule | None:
    loc: Loc = ("spec", "schedule")
    from mldsl.compiler.schedules import check_crons

    # every field as Argo's controller parses it (robfig/cron v3: ranges, steps, names, @every, CRON_TZ=), each
    # problem at its field (compiler/schedules.py)
    ok = check_crons(ctx, doc, s)
    if s.timezone is not None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(s.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            ctx.error(
                doc,
                (*loc, "timezone"),
                "MLD413",
                f"unknown time zone {s.timezone!r}",
                "use an IANA name such as Europe/Paris or Asia/Shanghai",
            )
            ok = False
    deadline = duration_seconds(ctx, doc, (*loc, "starting_deadline"), s.starting_deadline)
    if not ok:
        return None
    return ir.Schedule(tuple(s.crons), s.timezone, s.concurrency, s.suspend, deadline, s.history)


def _on_exit(
    ctx: Context, doc: Loaded, h: ExitHandler, params: dict[str, Param], registry: Registry, broken: frozenset[str]
) -> ir.Step | None:
    loc: Loc = ("spec", "on_exit")
    if h.uses is None:
        return None
    module = resolve_uses(ctx, doc, loc, h.uses, registry)
    if module is None:
        return None
    scope = Scope(params=params, on_exit=True, broken=broken)
    bindings = bind_inputs(ctx, doc, loc, h.with_, module, scope)
    if bindings is None:
        return None
    return ir.Step(name="on-exit", module=module, bindings=bindings)
