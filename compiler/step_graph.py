"""A mapping of steps compiled together: each resolved and built, ordered by its dependencies, cycles refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mldsl.compiler import dag, ir
from mldsl.compiler.context import Context, Loc
from mldsl.compiler.exprscope import Scope, StepInfo
from mldsl.compiler.resolve import Registry
from mldsl.compiler.step_build import build_step
from mldsl.compiler.step_kinds import CompileSub, resolve_step
from mldsl.compiler.step_names import check_step_names
from mldsl.lang.constraints import Param
from mldsl.lang.loader import Loaded
from mldsl.lang.suggest import close_matches

if TYPE_CHECKING:  # the document models are read, never built, here (models/fast.py builds them)
    from mldsl.lang.models.pipeline import Step


def compile_steps(
    ctx: Context,
    doc: Loaded,
    base: Loc,
    steps: dict[str, Step],
    params: dict[str, Param],
    broken: frozenset[str],
    registry: Registry,
    compile_sub: CompileSub,
    *,
    on_exit: bool = False,
    outer: frozenset[str] = frozenset(),
) -> tuple[tuple[ir.Step, ...] | None, dict[str, StepInfo], list[str] | None]:
    """A mapping of steps (a pipeline's, or its exit handler's): ordered, the outputs each gives, and any cycle."""
    start = len(ctx.diags)
    check_step_names(ctx, doc, steps, base)
    modules = _resolve_all(ctx, doc, base, steps, registry, compile_sub, on_exit)
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
        _check_after(ctx, doc, loc, name, step, steps)
        module = modules.get(name)
        built = build_step(ctx, doc, loc, name, step, module, scope) if module is not None else None
        data_deps[name] = set(scope.refs)
        deps[name] = scope.refs | {a for a in step.after_list if a in steps and a != name}
        if built is not None:
            compiled[name] = built
    graph = dag.build(deps)
    cycle = _cycle(ctx, doc, base, graph)
    if len(ctx.diags) > start or cycle is not None or len(compiled) != len(steps):
        return None, infos, cycle
    return tuple(_with_depends(compiled[n], deps[n], data_deps[n]) for n in dag.order(graph)), infos, cycle


def _with_depends(step: ir.Step, deps: set[str], data: set[str]) -> ir.Step:
    return step._replace(depends=tuple(sorted(deps)), order_only=tuple(sorted(deps - data)))


def _resolve_all(
    ctx: Context,
    doc: Loaded,
    base: Loc,
    steps: dict[str, Step],
    registry: Registry,
    compile_sub: CompileSub,
    on_exit: bool,
) -> dict[str, ir.Module]:
    """The module each step runs, for the steps that resolve (the others are reported)."""
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
        m = resolve_step(ctx, doc, (*base, name), step, registry, compile_sub)
        if m is not None:
            modules[name] = m
    return modules


def _check_after(ctx: Context, doc: Loaded, loc: Loc, name: str, step: Step, steps: dict[str, Step]) -> None:
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


def _cycle(ctx: Context, doc: Loaded, base: Loc, graph: dag.Graph) -> list[str] | None:
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
    return cycle
