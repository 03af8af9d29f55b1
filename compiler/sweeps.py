"""Compile Sweep documents: check the search space against the pipeline, compute grid/random trials."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from mldsl.compiler import ir
from mldsl.compiler.context import Context, Loc
from mldsl.compiler.trials import CONTINUOUS, Dimension, discrete, grid, random_trials
from mldsl.lang.constraints import Param, check_value
from mldsl.lang.loader import Loaded
from mldsl.lang.suggest import close_matches

if TYPE_CHECKING:  # the document models are read, never built, here (models/fast.py builds them)
    from mldsl.lang.models.sweep import Space

#: Beyond this a grid is almost certainly a mistake, and its trial list would not fit in one object.
MAX_GRID = 100_000


def compile_sweep(ctx: Context, doc: Loaded, pipelines: dict[str, ir.Pipeline]) -> ir.Sweep | None:
    """The sweep of ``doc`` over its pipeline, or None with every problem reported."""
    spec = doc.model.spec
    start = len(ctx.diags)
    swept = _swept_pipeline(ctx, doc, pipelines)
    if swept is None:
        return None
    errors = len(ctx.diags)
    pipeline = _trial_pipeline(ctx, doc, swept, spec.skip_steps)
    if len(ctx.diags) == errors:  # a misnamed skip step is the root cause
        _check_trial_steps(ctx, doc, pipeline)
    dims = _search_space(ctx, doc, pipeline)
    objective = _objective(ctx, doc, spec.objective.metric, swept)
    if objective is not None and objective[0] not in {s.name for s in pipeline.steps}:
        ctx.error(
            doc,
            ("spec", "objective", "metric"),
            "MLD714",
            f"the objective's step {objective[0]!r} is left out of trials by skip_steps (or comes after one)",
            "skip only steps the objective does not need",
        )
        objective = None
    _check_strategy(ctx, doc, {p.name: p for p in pipeline.params})
    if any(d.severity == "error" for d in list(ctx.diags.items)[start:]) or objective is None:
        return None
    trials = _trials(ctx, doc, dims)
    if trials is None:
        return None
    md = doc.model.metadata
    return ir.Sweep(
        name=md.name,
        description=md.description,
        labels=tuple(sorted(md.labels.items())),
        pipeline=pipeline,
        strategy=spec.strategy,
        dimensions=tuple(dims),
        fixed=tuple(spec.fixed.items()),
        trials=tuple(trials),
        objective_step=objective[0],
        objective_output=objective[1],
        goal=spec.objective.goal,
        max_trials=spec.max_trials,
        parallelism=spec.parallelism,
        max_failed_trials=spec.max_failed_trials,
        budget=spec.budget,
        seed_value=spec.seed,
        skip_steps=tuple(spec.skip_steps),
        objective_metric=spec.objective.metric,
    )


def _swept_pipeline(ctx: Context, doc: Loaded, pipelines: dict[str, ir.Pipeline]) -> ir.Pipeline | None:
    """The pipeline the sweep names (given, or elsewhere in the project), or None with its error reported once."""
    spec = doc.model.spec
    pipeline = pipelines.get(spec.pipeline)
    if pipeline is None and spec.pipeline not in {d.name for d in ctx.ws.of_kind("Pipeline")}:
        before = ctx.suppressed
        pipeline = _pipeline_from_project(ctx, spec.pipeline)
        if pipeline is None and ctx.suppressed > before:
            return None
    if pipeline is not None:
        return pipeline
    known = [d.name for d in ctx.ws.of_kind("Pipeline")]
    close = close_matches(spec.pipeline, known, n=1)
    # it exists but has errors, reported at its own file
    failed = spec.pipeline in known or ctx.ws.reported("Pipeline", spec.pipeline)
    if not failed:
        ctx.error(
            doc,
            ("spec", "pipeline"),
            "MLD701",
            f"no pipeline {spec.pipeline!r}",
            f"did you mean {close[0]!r}?" if close else "no pipeline of that name in the files given or in the project's folder",
        )
    return None


def _check_trial_steps(ctx: Context, doc: Loaded, pipeline: ir.Pipeline) -> None:
    """What a trial must not do: deploy to the live Serving, or wait for a person."""
    spec = doc.model.spec
    for step in pipeline.steps:
        run = step.module.run
        if isinstance(run, ir.DeployRun):
            code = "MLD713"
            why = (
                f"every trial would run deploy step {step.name!r} of {spec.pipeline!r} (to the live Serving {run.serving.name!r})"
            )
        elif isinstance(run, ir.ApproveRun):
            code = "MLD712"
            why = f"pipeline {spec.pipeline!r} has an approve: step ({step.name!r}): every trial would wait for a person"
        else:
            continue
        ctx.error(doc, ("spec", "pipeline"), code, why, f"leave it out of trials: skip_steps: [{step.name}]")


def _search_space(ctx: Context, doc: Loaded, pipeline: ir.Pipeline) -> list[Dimension]:
    """The searched dimensions, with the fixed values and the pipeline's required params checked."""
    spec = doc.model.spec
    params = {p.name: p for p in pipeline.params}
    if not spec.params:
        ctx.error(doc, ("spec", "params"), "MLD705", "the search space is empty", "give at least one param to search over")
    dims: list[Dimension] = []
    for name, space in spec.params.items():
        d = _dimension(ctx, doc, ("spec", "params", name), name, space, params, spec.strategy)
        if d is not None:
            dims.append(d)
    for name, value in spec.fixed.items():
        loc: Loc = ("spec", "fixed", name)
        p = params.get(name)
        if p is None:
            _unknown_param(ctx, doc, loc, name, params)
        elif name in spec.params:
            ctx.error(doc, loc, "MLD702", f"{name!r} is both searched and fixed", "keep it in one of params and fixed", key=True)
        else:
            for problem in check_value(p, value):
                ctx.error(doc, loc, "MLD703", f"fixed value of {name!r}: {problem}")
    for p in pipeline.params:
        if p.required and p.name not in spec.params and p.name not in spec.fixed:
            ctx.error(
                doc,
                ("spec", "fixed") if spec.fixed else ("spec", "params"),
                "MLD708",
                f"the pipeline's param {p.name!r} has no default and no value here",
                f"add it to fixed: ({p.type}) or to the search space",
                key=True,
            )
    return dims


def _check_strategy(ctx: Context, doc: Loaded, params: dict[str, Param]) -> None:
    """What the strategy needs: ``max_trials`` unless grid; hyperband's int ``budget`` among the searched params."""
    spec = doc.model.spec
    if spec.max_trials is None and spec.strategy != "grid":
        ctx.error(
            doc,
            ("spec", "strategy"),
            "MLD707",
            f"a {spec.strategy} search needs max_trials",
            "how many trials to run: max_trials: 50",
        )
    if spec.strategy != "hyperband":
        if spec.budget is not None:
            ctx.error(doc, ("spec", "budget"), "MLD710", "'budget' applies to hyperband only", key=True)
        return
    if spec.budget is None:
        ctx.error(
            doc,
            ("spec", "strategy"),
            "MLD710",
            "hyperband needs a budget param",
            "name the int param that sets a trial's resources, e.g. budget: epochs",
        )
    elif spec.budget not in spec.params:
        ctx.error(doc, ("spec", "budget"), "MLD710", f"budget {spec.budget!r} must be one of the searched params")
    elif params.get(spec.budget) is not None and params[spec.budget].type.kind != "int":
        ctx.error(doc, ("spec", "budget"), "MLD710", f"budget {spec.budget!r} must be an int param")


def _trials(ctx: Context, doc: Loaded, dims: list[Dimension]) -> list[dict[str, Any]] | None:
    """Grid and random trials, computed now (None when there would be too many); Katib draws its own."""
    spec = doc.model.spec
    if spec.strategy == "grid":
        size = math.prod(len(discrete(d)) for d in dims)
        if size > MAX_GRID:
            ctx.error(
                doc,
                ("spec", "params"),
                "MLD705",
                f"the grid has {size} combinations (at most {MAX_GRID})",
                "use strategy: random with max_trials, or coarser ranges",
            )
            return None
        return grid(dims, spec.max_trials)
    if spec.strategy == "random":
        if (spec.max_trials or 0) > MAX_GRID:
            ctx.error(
                doc,
                ("spec", "max_trials"),
                "MLD705",
                f"{spec.max_trials} random trials are too many (at most {MAX_GRID}, computed when compiling)",
                "lower max_trials, or use strategy: tpe or bayesian, which Katib draws as it goes",
            )
            return None
        return random_trials(dims, spec.max_trials or 0, spec.seed)
    return []


def _pipeline_from_project(ctx: Context, name: str) -> ir.Pipeline | None:
    """The swept pipeline elsewhere in the project (not given on the command line): compiled for reference only."""
    from mldsl.compiler.pipelines import compile_pipeline
    from mldsl.compiler.project_docs import compiled

    pipeline: ir.Pipeline | None = compiled(
        ctx, "Pipeline", name, lambda doc: compile_pipeline(ctx, doc, ctx.scratch["registry"])
    )
    return pipeline


def _trial_pipeline(ctx: Context, doc: Loaded, pipeline: ir.Pipeline, skip: list[str]) -> ir.Pipeline:
    """What a trial runs: the pipeline without ``skip_steps`` and every step after them (by data or ``after``).

    It compiles to a WorkflowTemplate of its own, ``<sweep>-trial``; pipeline outputs that read a left-out step
    are left out too.
    """
    if not skip:
        return pipeline
    members = {call: inner for call, inner, _ in pipeline.calls}  # a pipeline step stands for its inlined steps
    names = [s.name for s in pipeline.steps] + list(members)
    unknown = [s for s in skip if s not in names]
    for s in unknown:
        close = close_matches(s, names, n=1)
        ctx.error(
            doc,
            ("spec", "skip_steps"),
            "MLD714",
            f"skip_steps names {s!r}, which {pipeline.name!r} does not have",
            f"did you mean {close[0]!r}?" if close else "steps: " + ", ".join(names),
        )
    gone = {m for s in skip for m in members.get(s, (s,))}
    for step in pipeline.steps:  # topological order: a step's sources come first
        if gone & set(step.depends):
            gone.add(step.name)
    name = f"{doc.name}-trial"
    if len(name) > 63:
        ctx.error(doc, ("metadata", "name"), "MLD105", f"the trials' WorkflowTemplate {name!r} is over 63 characters")
    outputs = tuple(
        (k, v) for k, v in pipeline.outputs if not any(isinstance(n, ir.IStepOutput) and n.step in gone for n in ir.walk(v))
    )
    steps = tuple(s for s in pipeline.steps if s.name not in gone)
    return pipeline._replace(name=name, steps=steps, outputs=outputs, schedule=None, trial_of=pipeline.name)


def _unknown_param(ctx: Context, doc: Loaded, loc: Loc, name: str, params: dict[str, Param]) -> None:
    close = close_matches(name, list(params), n=1)
    ctx.error(
        doc,
        loc,
        "MLD702",
        f"the pipeline has no param {name!r}",
        f"did you mean {close[0]!r}?" if close else "its params: " + (", ".join(params) or "none"),
        key=True,
    )


def _dimension(
    ctx: Context, doc: Loaded, loc: Loc, name: str, space: Space, params: dict[str, Param], strategy: str
) -> Dimension | None:
    p = params.get(name)
    if p is None:
        _unknown_param(ctx, doc, loc, name, params)
        return None
    kind, args = space.kind, space.args
    where = (*loc, kind)
    integer = p.type.kind == "int"
    numeric = p.type.kind in ("int", "float")
    if kind in CONTINUOUS and strategy == "grid":
        ctx.error(
            doc,
            where,
            "MLD704",
            f"a grid cannot enumerate the continuous distribution {kind!r}",
            "use values or range for a grid, or strategy: random",
            key=True,
        )
        return None
    if kind == "normal" and strategy != "random":
        ctx.error(doc, where, "MLD709", f"'normal' is supported by random search only, not {strategy}", key=True)
        return None
    if kind != "values" and not numeric:
        ctx.error(
            doc, where, "MLD703", f"{kind!r} needs a numeric param, and {name!r} is {p.type}", "use values: [...]", key=True
        )
        return None
    if kind == "values":
        if not args:
            ctx.error(doc, where, "MLD705", f"the values of {name!r} are empty", key=True)
            return None
        for v in args:
            for problem in check_value(p, v):
                ctx.error(doc, where, "MLD703", f"value {v!r} of {name!r}: {problem}")
                return None
        return Dimension(name, kind, tuple(args), integer)
    return _bounded(ctx, doc, where, name, kind, args, p, strategy)


def _bounded(
    ctx: Context, doc: Loaded, where: Loc, name: str, kind: str, args: list[Any], p: Param, strategy: str
) -> Dimension | None:
    """A range or a distribution of a numeric param: its arguments' shape, order and bounds."""
    integer = p.type.kind == "int"
    expected = 3 if kind == "range" else 2
    if not (len(args) == expected or (kind == "range" and len(args) == 2)):
        shape = {"range": "[start, stop, step]", "normal": "[mean, stddev]"}.get(kind, "[low, high]")
        ctx.error(doc, where, "MLD703", f"{kind} takes {shape}", key=True)
        return None
    if integer and kind in ("uniform", "loguniform") and strategy == "random":
        ctx.error(doc, where, "MLD703", f"{name!r} is an int: use int_uniform or range, not {kind}", key=True)
        return None
    if integer and kind == "range" and not all(isinstance(a, int) for a in args):
        ctx.error(doc, where, "MLD703", f"{name!r} is an int: its range needs whole numbers", key=True)
        return None
    if kind == "normal":
        if args[1] <= 0:
            ctx.error(doc, where, "MLD703", "the stddev of a normal distribution must be positive", key=True)
            return None
        return Dimension(name, kind, tuple(args), integer)
    low, high = args[0], args[1]
    if low > high or (kind == "range" and len(args) == 3 and args[2] <= 0):
        ctx.error(
            doc, where, "MLD705", f"{kind} {args} is empty", "low must not exceed high, and a step must be positive", key=True
        )
        return None
    if kind == "loguniform" and low <= 0:
        ctx.error(doc, where, "MLD703", "loguniform needs a positive low bound", key=True)
        return None
    for bound in (low, high):
        problems = check_value(p, float(bound) if p.type.kind == "float" else bound)
        if problems:
            ctx.error(doc, where, "MLD703", f"{kind} bound {bound} of {name!r}: {problems[0]}")
            return None
    return Dimension(name, kind, tuple(args), integer)


def _objective(ctx: Context, doc: Loaded, metric: str, pipeline: ir.Pipeline) -> tuple[str, str] | None:
    loc: Loc = ("spec", "objective", "metric")
    parts = metric.replace("${{", "").replace("}}", "").strip().split(".")
    if len(parts) != 4 or parts[0] != "steps" or parts[2] != "outputs":
        ctx.error(doc, loc, "MLD706", f"objective {metric!r} is not a step output", "write steps.<step>.outputs.<name>")
        return None
    step_name, output = parts[1], parts[3]
    called = {call: dict(outs) for call, _, outs in pipeline.calls}
    if step_name in called and isinstance(called[step_name].get(output), ir.IStepOutput):
        target = called[step_name][output]  # a pipeline step's output: the inlined step that gives it
        assert isinstance(target, ir.IStepOutput)
        step_name, output = target.step, target.output
    step = next((s for s in pipeline.steps if s.name == step_name), None)
    if step is None:
        close = close_matches(step_name, [s.name for s in pipeline.steps], n=1)
        ctx.error(
            doc,
            loc,
            "MLD706",
            f"pipeline {pipeline.name!r} has no step {step_name!r}",
            f"did you mean {close[0]!r}?" if close else None,
        )
        return None
    out = step.module.output(output)
    if out is None or not out.type.is_numeric or step.for_each is not None:
        reason = (
            "is not an output"
            if out is None
            else f"is {out.type}"
            if not out.type.is_numeric
            else "comes from a fan-out (a list)"
        )
        ctx.error(
            doc,
            loc,
            "MLD706",
            f"the objective must be a numeric parameter output of one step; {metric!r} {reason}",
            "numeric outputs: "
            + ", ".join(
                f"steps.{s.name}.outputs.{o.name}"
                for s in pipeline.steps
                for o in s.module.outputs
                if o.type.is_numeric and s.for_each is None
            )
            or None,
        )
        return None
    return step_name, output
