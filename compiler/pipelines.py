"""Compile Pipeline documents: bind steps to modules, type-check, order the DAG."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from mldsl.compiler import dag, ir
from mldsl.compiler.context import Context, Loc
from mldsl.compiler.counts import count
from mldsl.compiler.exprscope import Scope, StepInfo
from mldsl.compiler.images import check_step_image
from mldsl.compiler.modules import module_for, module_resources
from mldsl.compiler.params import declare
from mldsl.compiler.pods import pod_settings
from mldsl.compiler.resolve import Registry, ResolveError
from mldsl.compiler.subpipelines import POD_FIELDS, SEPARATOR, inline, is_call, module_for_pipeline
from mldsl.compiler.values import bind, check_env, compile_value, expect_type
from mldsl.lang.constraints import Param
from mldsl.lang.durations import parse_duration
from mldsl.lang.loader import Loaded
from mldsl.lang.model_errors import COMMA_HINT, split_by_comma
from mldsl.lang.mtypes import ANY, BOOL, STR, list_of
from mldsl.lang.suggest import close_matches

if TYPE_CHECKING:  # the document models are read, never built, here (models/fast.py builds them)
    from mldsl.lang.models.base import Toleration as TolerationModel
    from mldsl.lang.models.pipeline import ExitHandler, Schedule, Step


def compile_pipeline(ctx: Context, doc: Loaded, registry: Registry) -> ir.Pipeline | None:
    """The pipeline of ``doc``, compiled once per compile (a pipeline another calls is not checked twice)."""
    done: dict[int, ir.Pipeline | None] = ctx.scratch.setdefault("compiled_pipelines", {})
    if id(doc) not in done:
        done[id(doc)] = _compile_pipeline(ctx, doc, registry)
    return done[id(doc)]


def _compile_pipeline(ctx: Context, doc: Loaded, registry: Registry) -> ir.Pipeline | None:
    spec = doc.model.spec
    start = len(ctx.diags)
    suppressed = ctx.suppressed
    params: dict[str, Param] = {}
    for name, decl in spec.params.items():
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
    broken = frozenset(set(spec.params) - set(params))
    if not spec.steps:  # Argo refuses a DAG without tasks (argoproj.io_workflowtemplates.yaml: dag.tasks minItems 1)
        ctx.error(
            doc,
            ("spec", "steps"),
            "MLD418",
            "a pipeline needs at least one step",
            "add a step under steps: (name: {uses: module@version, with: {...}})",
            key=True,
        )
    bucket = ctx.project.artifact_bucket
    ordered, infos, cycle = _compile_steps(ctx, doc, ("spec", "steps"), spec.steps, params, broken, registry)
    outputs = _outputs(ctx, doc, spec.outputs, params, infos, bucket, broken)
    calls: tuple[Any, ...] = ()
    written: tuple[tuple[ir.Step, ...], tuple[tuple[str, ir.IValue], ...]] = ((), ())
    if ordered is not None and any(is_call(s) for s in ordered):
        written = (ordered, outputs)
        ordered, outputs, calls = inline(ordered, outputs)
        _check_inlined_names(ctx, doc, ordered)
    schedule = _schedule(ctx, doc, spec.schedule) if spec.schedule is not None else None
    if spec.schedule is not None and len(doc.name) > CRON_NAME_MAX:
        ctx.error(
            doc,
            ("metadata", "name"),
            "MLD105",
            f"a scheduled pipeline compiles to a CronWorkflow, whose name has at most {CRON_NAME_MAX} characters: "
            f"{doc.name!r} has {len(doc.name)}",
            "shorten the pipeline's name",
        )
    if spec.schedule is not None:
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
    on_exit, exit_steps = None, None
    if spec.on_exit is not None and spec.on_exit.steps is not None:
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
        exit_steps, _, exit_cycle = _compile_steps(
            ctx,
            doc,
            ("spec", "on_exit", "steps"),
            spec.on_exit.steps,
            params,
            broken,
            registry,
            on_exit=True,
            outer=frozenset(spec.steps),
        )
        cycle = cycle or exit_cycle
    elif spec.on_exit is not None:
        on_exit = _on_exit(ctx, doc, spec.on_exit, params, registry, broken)
    ttl = _duration(ctx, doc, ("spec", "ttl"), spec.ttl)
    if len(ctx.diags) > start or cycle is not None or ctx.suppressed > suppressed or ordered is None:
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


def _compile_steps(
    ctx: Context,
    doc: Loaded,
    base: Loc,
    steps: dict[str, Step],
    params: dict[str, Param],
    broken: frozenset[str],
    registry: Registry,
    *,
    on_exit: bool = False,
    outer: frozenset[str] = frozenset(),
) -> tuple[tuple[ir.Step, ...] | None, dict[str, StepInfo], list[str] | None]:
    """A mapping of steps (a pipeline's, or its exit handler's): ordered, the outputs each gives, and any cycle."""
    start = len(ctx.diags)
    _check_step_names(ctx, doc, steps, base)
    modules: dict[str, ir.Module] = {}
    for name, step in steps.items():
        if on_exit and step.pipeline is not None:
            ctx.error(
                doc,
                (*base, name, "pipeline"),
                "MLD407",
                "an exit step cannot be a pipeline",
                "call its modules from the exit steps, or run the pipeline as a step of the pipeline",
            )
            continue
        m = _resolve_step(ctx, doc, (*base, name), step, registry)
        if m is not None:
            modules[name] = m
    infos = {
        name: StepInfo({p.name: p for p in modules[name].outputs} if name in modules else None, step.for_each is not None)
        for name, step in steps.items()
    }
    bucket = ctx.project.artifact_bucket
    compiled: dict[str, ir.Step] = {}
    deps: dict[str, set[str]] = {}
    data_deps: dict[str, set[str]] = {}
    for name, step in steps.items():
        loc: Loc = (*base, name)
        scope = Scope(
            params=params,
            steps=infos,
            current_step=name,
            artifact_bucket=bucket,
            broken=broken,
            on_exit=on_exit,
            outer_steps=outer,
        )
        for after in step.after_list:
            if after not in steps:
                close = close_matches(after, list(steps), n=1)
                ctx.error(
                    doc,
                    (*loc, "after"),
                    "MLD406",
                    f"'after' names unknown step {after!r}",
                    f"did you mean {close[0]!r}?" if close else None,
                )
            elif after == name:
                ctx.error(doc, (*loc, "after"), "MLD405", f"step {name!r} cannot run after itself")
        module = modules.get(name)
        built = _step(ctx, doc, loc, name, step, module, scope) if module is not None else None
        data_deps[name] = set(scope.refs)
        deps[name] = scope.refs | {a for a in step.after_list if a in steps and a != name}
        if built is not None:
            compiled[name] = built
    graph = dag.build(deps)
    cycle = dag.find_cycle(graph)
    if cycle is not None:
        ctx.error(
            doc,
            (*base, cycle[0]),
            "MLD405",
            "steps form a cycle: " + " -> ".join([*cycle, cycle[0]]),
            "remove one of these dependencies (a reference in with/when/for_each/env, or 'after')",
            key=True,
        )
    if len(ctx.diags) > start or cycle is not None or len(compiled) != len(steps):
        return None, infos, cycle
    return tuple(_with_depends(compiled[n], deps[n], data_deps[n]) for n in dag.order(graph)), infos, cycle


#: argo-workflows v4.1.2 ``workflow/validate/validate.go`` l. 105 (maxCharsInCronWorkflowName)
CRON_NAME_MAX = 52


def _with_depends(step: ir.Step, deps: set[str], data: set[str]) -> ir.Step:
    return step._replace(depends=tuple(sorted(deps)), order_only=tuple(sorted(deps - data)))


def _check_step_names(ctx: Context, doc: Loaded, steps: dict[str, Step], base: Loc) -> None:
    seen: dict[str, str] = {}
    for name in steps:
        t = ir.step_key(name)
        if not re.match(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", t) or len(t) > 63:
            ctx.error(
                doc,
                (*base, name),
                "MLD409",
                f"step name {name!r} cannot become a task name",
                "start and end with a letter or digit, at most 63 characters",
                key=True,
            )
        elif t in seen:
            ctx.error(
                doc,
                (*base, name),
                "MLD409",
                f"step names {seen[t]!r} and {name!r} are too alike",
                "they map to the same task name; rename one",
                key=True,
            )
        seen[t] = name


def _check_inlined_names(ctx: Context, doc: Loaded, steps: tuple[ir.Step, ...]) -> None:
    """Inlined steps are named ``<call>__<step>``: each must still become a task name of its own."""
    seen: dict[str, str] = {}
    for s in steps:
        key = ir.step_key(s.name)
        call = s.name.split(SEPARATOR)[0]
        if SEPARATOR in s.name and len(key) > 63:
            ctx.error(
                doc,
                ("spec", "steps", call),
                "MLD409",
                f"step {s.name!r} (a step of the pipeline {call!r} calls) would be a task name of {len(key)} characters",
                "at most 63: shorten this step's name or the called pipeline's step names",
                key=True,
            )
        elif key in seen:
            ctx.error(
                doc,
                ("spec", "steps", call),
                "MLD409",
                f"step names {seen[key]!r} and {s.name!r} are too alike",
                f"the called pipeline's steps are named <call>{SEPARATOR}<step>: rename one",
                key=True,
            )
        seen[key] = s.name


#: what a step runs: exactly one of these
STEP_KINDS = ("uses", "deploy", "approve", "pipeline")
#: step fields that configure a pod or its inputs, which an ``approve:`` step does not have
_NOT_FOR_APPROVAL = ("with_", *POD_FIELDS)


def _resolve_step(ctx: Context, doc: Loaded, loc: Loc, step: Step, registry: Registry) -> ir.Module | None:
    given = [k for k in STEP_KINDS if getattr(step, k) is not None]
    if len(given) != 1:
        ctx.error(
            doc,
            loc,
            "MLD407",
            "a step needs exactly one of 'uses', 'deploy', 'approve' and 'pipeline'"
            + (f", got {' and '.join(repr(g) for g in given)}" if given else ""),
            "split it into two steps, ordered with 'after:'" if given else "add 'uses: <module>' to run a module",
            key=True,
        )
        return None
    if step.deploy is None and (step.weight is not None or step.promote):
        field = "weight" if step.weight is not None else "promote"
        ctx.error(doc, (*loc, field), "MLD421", f"{field!r} applies to deploy steps", "remove it, or deploy: <serving>", key=True)
        return None
    if step.deploy is not None:
        module = _deploy_module(ctx, doc, loc, step.deploy)
        return _rollout(ctx, doc, loc, step, module) if module is not None else None
    if step.approve is not None:
        return _approve_module(ctx, doc, loc, step)
    if step.pipeline is not None:
        return module_for_pipeline(ctx, doc, loc, step, lambda d: compile_pipeline(ctx, d, registry))
    assert step.uses is not None
    return _resolve_uses(ctx, doc, loc, step.uses, registry)


def _resolve_uses(ctx: Context, doc: Loaded, loc: Loc, uses: str, registry: Registry) -> ir.Module | None:
    """The module ``uses:`` names, or ``None`` after reporting why (once: a broken module is reported at its file)."""
    try:
        found = registry.resolve(uses, ctx, doc.file)
    except ResolveError as exc:
        if exc.code == "MLD400" and ctx.ws.reported("Module", uses.partition("@")[0]):
            ctx.suppressed += 1  # the module's file has errors, reported there: the root cause, once
        else:
            ctx.error(doc, (*loc, "uses"), exc.code, str(exc), exc.hint)
        return None
    module = module_for(ctx, found)
    if module is None:
        ctx.suppressed += 1  # its errors are reported at its own file
    return module


def _rollout(ctx: Context, doc: Loaded, loc: Loc, step: Step, module: ir.Module) -> ir.Module | None:
    """``weight`` / ``promote`` of a deploy step, checked against what its Serving's backend can do."""
    if step.weight is None and not step.promote:
        return module
    run = module.run
    assert isinstance(run, ir.DeployRun)
    s = run.serving
    field = "promote" if step.promote else "weight"
    problem = None
    if step.promote and step.weight is not None:
        problem = ("'weight' and 'promote' say two things", "promote gives the new model all the traffic: keep one")
    elif step.weight is not None and len(s.models) > 2:
        problem = (f"Serving {s.name!r} splits traffic {len(s.models)} ways", "'weight' needs a stable and a canary model")
    if problem is not None:
        ctx.error(doc, (*loc, field), "MLD421", problem[0], problem[1], key=True)
        return None
    return module._replace(run=run._replace(weight=step.weight, promote=step.promote))


def _serving_from_project(ctx: Context, name: str) -> ir.Serving | None:
    """A Serving elsewhere in the project (not given on the command line): compiled for reference only."""
    from mldsl.compiler.project_docs import compiled
    from mldsl.compiler.servings import compile_serving

    serving: ir.Serving | None = compiled(ctx, "Serving", name, lambda doc: compile_serving(ctx, doc))
    return serving


def _deploy_module(ctx: Context, doc: Loaded, loc: Loc, name: str) -> ir.Module | None:
    """A deploy step is a module whose run applies the Serving; its one input is the model URI."""
    serving = next((s for s in ctx.servings if s.name == name), None)
    if serving is None and name not in {d.name for d in ctx.ws.of_kind("Serving")}:
        before = ctx.suppressed
        serving = _serving_from_project(ctx, name)
        if serving is None and ctx.suppressed > before:
            return None
    if serving is None:
        known = [d.name for d in ctx.ws.of_kind("Serving")]
        if name in known or ctx.ws.reported("Serving", name):
            ctx.suppressed += 1  # its errors are reported at its own file
            return None
        close = close_matches(name, known, n=1)
        ctx.error(
            doc,
            (*loc, "deploy"),
            "MLD408",
            f"no Serving {name!r} to deploy",
            f"did you mean {close[0]!r}?" if close else "no Serving of that name in the files given or in the project's folder",
        )
        return None
    uri = Param(
        "model_uri",
        STR,
        default=serving.models[-1].uri,
        description="URI of the model to serve (replaces the Serving's own, or its canary's)",
    )
    return ir.Module(
        f"deploy-{serving.name}",
        serving.backend,
        f"deploy {serving.name} ({serving.backend})",
        (uri,),
        (),
        ir.Resources(),
        ir.DeployRun(serving),
    )


def _approve_module(ctx: Context, doc: Loaded, loc: Loc, step: Step) -> ir.Module | None:
    """An approval is a step without a pod: no inputs, no outputs, nothing to retry or cache."""
    assert step.approve is not None
    ok = True
    for name in _NOT_FOR_APPROVAL:
        value = getattr(step, name)
        if value:  # None, {} and [] mean "not given"
            field = name.rstrip("_")
            ctx.error(
                doc,
                (*loc, field),
                "MLD417",
                f"{field!r} does not apply to an 'approve' step",
                "an approval runs no pod: give 'message' and 'timeout' under 'approve:'; order it with 'after:'",
                key=True,
            )
            ok = False
    if step.approve.message is not None and "${{" in step.approve.message:
        # the message is the suspend node's fixed input (shown by the Argo UI and `argo get`): an expression there
        # would be shown as text, never evaluated (SPEC §1.10: compiled or refused, never copied)
        ctx.error(
            doc,
            (*loc, "approve", "message"),
            "MLD603",
            "an approval's message is fixed text: an expression cannot be used here",
            "write the message out; the person approving sees the run's params in the Argo UI",
        )
        ok = False
    timeout = _duration(ctx, doc, (*loc, "approve", "timeout"), step.approve.timeout)
    if not ok or (step.approve.timeout is not None and timeout is None):
        return None
    message = step.approve.message or "approve to continue the run"
    return ir.Module("approve", "1", message, (), (), ir.Resources(), ir.ApproveRun(message, timeout))


def _bindings(
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


def _step(ctx: Context, doc: Loaded, loc: Loc, name: str, step: Step, module: ir.Module, scope: Scope) -> ir.Step | None:
    start = len(ctx.diags)
    for_each = None
    if step.for_each is not None:
        for_each = compile_value(ctx, doc, (*loc, "for_each"), step.for_each, scope)
        if for_each is not None and expect_type(
            ctx, doc, (*loc, "for_each"), for_each, list_of(ANY), "for_each", "give a list, or an expression that is a list"
        ):
            scope.item = for_each.type.item if for_each.type.kind == "list" and for_each.type.item else ANY
        else:
            scope.item = ANY
    elif step.parallelism is not None:
        ctx.error(doc, (*loc, "parallelism"), "MLD107", "'parallelism' applies to steps with 'for_each'", key=True)
    bindings = _bindings(ctx, doc, loc, step.with_, module, scope)
    if bindings is not None and isinstance(module.run, ir.ResourceRun):
        _check_resource_artifacts(ctx, doc, loc, module, bindings)
    if bindings is not None:
        check_step_image(ctx, doc, loc, module, bindings)
    when = None
    if step.when is not None:
        when_v = compile_value(ctx, doc, (*loc, "when"), step.when, scope)
        if when_v is not None:
            if isinstance(when_v, (ir.ILit, ir.IInterp)):
                ctx.error(
                    doc,
                    (*loc, "when"),
                    "MLD306",
                    "'when' must be one ${{ }} expression",
                    'for example "${{ steps.train.outputs.auc >= 0.8 }}"',
                )
            elif expect_type(ctx, doc, (*loc, "when"), when_v, BOOL, "'when'", "compare, e.g. ${{ x == 'a' }}"):
                when = when_v
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
    pod = None
    if step.volumes or step.service_account or step.pod:
        pod = pod_settings(ctx, doc, loc, step.volumes, step.service_account, step.pod)
    resources = None
    if step.resources is not None:
        resources = module_resources(ctx, doc, (*loc, "resources"), step.resources, scope)
    parallelism: int | ir.IExpr | None = step.parallelism if isinstance(step.parallelism, int) else None
    if isinstance(step.parallelism, str) and step.for_each is not None:
        parallelism = _parallelism_value(ctx, doc, (*loc, "parallelism"), step.parallelism, scope)
    retry = _retry(ctx, doc, (*loc, "retries"), step)
    timeout = _duration(ctx, doc, (*loc, "timeout"), step.timeout)
    if timeout is not None and isinstance(module.run, ir.SparkRun) and _version(module.run.spark_version) < (3,):
        ctx.error(
            doc,
            (*loc, "timeout"),
            "MLD423",
            f"module {module.name!r} runs Spark {module.run.spark_version}: the step's timeout needs Spark 3.0 or later",
            "a SparkApplication has no deadline; mldsl puts the timeout on the driver's and executors' pod templates, "
            "which Spark reads from 3.0.0 on: raise the module's spark_version, or drop the timeout",
        )
    cache = _duration(ctx, doc, (*loc, "cache", "ttl"), step.cache.ttl if step.cache else None)
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
        written=_written(step),
    )


def _version(text: str) -> tuple[int, ...]:
    """``3.5.1`` -> (3, 5, 1); what is not a number counts as 0."""
    return tuple(int(p) if p.isdigit() else 0 for p in text.split(".")[:3])


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


def toleration(t: TolerationModel) -> ir.Toleration:
    return ir.Toleration(t.key, t.operator, t.value, t.effect, t.tolerationSeconds)


def _written(step: Step) -> tuple[tuple[str, str], ...]:
    """The step's durations as written, for reviews (``ir.Step.written``)."""
    backoff = step.retries.backoff if step.retries is not None and not isinstance(step.retries, int) else None
    texts = (
        ("timeout", step.timeout),
        ("cache", step.cache.ttl if step.cache else None),
        ("backoff.duration", backoff.duration if backoff else None),
        ("backoff.max_duration", backoff.max_duration if backoff else None),
        ("approve.timeout", step.approve.timeout if step.approve else None),
    )
    return tuple((k, str(t)) for k, t in texts if t is not None)


def _duration(ctx: Context, doc: Loaded, loc: Loc, text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return parse_duration(text)
    except ValueError as exc:
        ctx.error(doc, loc, "MLD412", str(exc), "durations look like 30s, 15m, 2h, 7d or 1h30m")
        return None


def _retry(ctx: Context, doc: Loaded, loc: Loc, step: Step) -> ir.Retry | None:
    r = step.retries
    if r is None:
        return None
    if isinstance(r, int):
        return ir.Retry(limit=r)
    b = r.backoff
    if b is not None and b.factor is not None and float(b.factor) != int(b.factor):
        # Argo reads backoff.factor as an int-or-string and parses the string as an integer: a factor
        # of 1.5 fails to parse and the step is not retried (argo-workflows v4.1.2
        # util/intstr/parametrizable.go Int, l. 12-20: strconv.Atoi)
        ctx.error(
            doc,
            (*loc, "backoff", "factor"),
            "MLD416",
            f"backoff factor {b.factor} is not a whole number: Argo would not retry the step",
            f"use a whole factor, e.g. factor: {max(1, round(b.factor))}",
        )
        return None
    return ir.Retry(
        limit=r.limit,
        policy=r.policy,
        backoff_seconds=_duration(ctx, doc, (*loc, "backoff", "duration"), b.duration) if b else None,
        backoff_factor=int(b.factor) if b and b.factor is not None else None,
        backoff_max_seconds=_duration(ctx, doc, (*loc, "backoff", "max_duration"), b.max_duration) if b else None,
    )


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
    deadline = _duration(ctx, doc, (*loc, "starting_deadline"), s.starting_deadline)
    if not ok:
        return None
    return ir.Schedule(tuple(s.crons), s.timezone, s.concurrency, s.suspend, deadline, s.history)


def _on_exit(
    ctx: Context, doc: Loaded, h: ExitHandler, params: dict[str, Param], registry: Registry, broken: frozenset[str]
) -> ir.Step | None:
    loc: Loc = ("spec", "on_exit")
    if h.uses is None:
        return None
    module = _resolve_uses(ctx, doc, loc, h.uses, registry)
    if module is None:
        return None
    scope = Scope(params=params, on_exit=True, broken=broken)
    bindings = _bindings(ctx, doc, loc, h.with_, module, scope)
    if bindings is None:
        return None
    return ir.Step(name="on-exit", module=module, bindings=bindings)


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
