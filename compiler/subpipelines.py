"""``pipeline: <name>`` steps (SPEC §1.10): another Pipeline used as one step, its outputs the step's outputs.

The called pipeline is compiled on its own (its errors are reported once, at its file) and then inlined: each of
its steps becomes a step of the caller named ``<step>__<inner step>``, its params replaced by what the caller
binds, its ``when`` joined to the pipeline step's. Backends and ``mldsl run`` therefore see one DAG, with every
rule of a run (skips, cache keys, names, conditions) applying to the inlined steps as to any other. The called
pipeline's ``on_exit`` does not run (the caller's does), nor do its ``schedule`` or ``parallelism`` apply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from mldsl.compiler import dag, ir
from mldsl.compiler.context import Context, Loc
from mldsl.lang.constraints import Param
from mldsl.lang.loader import Loaded
from mldsl.lang.mtypes import BOOL
from mldsl.lang.suggest import close_matches

if TYPE_CHECKING:  # the document models are read, never built, here (models/fast.py builds them)
    from mldsl.lang.models.pipeline import Step

#: what joins a pipeline step's name and its inner step's: step names never start or end with '_' twice
SEPARATOR = "__"

#: step fields that configure a step's pod: neither a pipeline step (they belong to the called pipeline's own
#: steps) nor an ``approve:`` step (``compiler.pipelines``) has one
POD_FIELDS = (
    "for_each",
    "parallelism",
    "retries",
    "timeout",
    "cache",
    "resources",
    "node_selector",
    "tolerations",
    "env",
    "volumes",
    "service_account",
    "pod",
)


class SubPipelineRun(NamedTuple):
    """The run of a ``pipeline:`` step until it is inlined: the called pipeline, compiled."""

    pipeline: ir.Pipeline


def module_for_pipeline(ctx: Context, doc: Loaded, loc: Loc, step: Step, compile_doc: Any) -> ir.Module | None:
    """The called pipeline seen as a module (its params the inputs, its outputs the outputs), or None."""
    name = step.pipeline
    assert name is not None
    for field in (*POD_FIELDS, "continue_on_failure"):
        if getattr(step, field) not in (None, False):
            ctx.error(
                doc,
                (*loc, field),
                "MLD407",
                f"'{field}' does not apply to a pipeline step",
                f"set it on the steps of pipeline {name!r}",
                key=True,
            )
            return None
    stack: list[str] = ctx.scratch.setdefault("pipeline_stack", [])
    if name in stack or name == doc.name:
        chain = " -> ".join([*stack[stack.index(name) :], doc.name, name] if name in stack else [doc.name, name])
        ctx.error(doc, (*loc, "pipeline"), "MLD405", f"pipelines call each other in a cycle: {chain}")
        return None
    before = ctx.suppressed
    found = _find(ctx, name)
    if found is None:
        if ctx.ws.reported("Pipeline", name) or ctx.suppressed > before:  # reported at its own file
            ctx.suppressed += 1  # its file has errors, reported there
            return None
        known = sorted({d.name for d in ctx.ws.of_kind("Pipeline")} - {doc.name})
        close = close_matches(name, known, n=1)
        ctx.error(
            doc,
            (*loc, "pipeline"),
            "MLD422",
            f"no pipeline named {name!r}",
            f"did you mean {close[0]!r}?" if close else "give its file on the command line, or put it in the project",
        )
        return None
    stack.append(doc.name)
    try:
        sub = compile_doc(found)
    finally:
        stack.pop()
    if sub is None:
        ctx.suppressed += 1  # the called pipeline's errors are reported at its own file
        return None
    outputs = tuple(Param(n, v.type) for n, v in sub.outputs)
    resources = ir.Resources()
    return ir.Module(sub.name, sub.version or "0.0.0", sub.description, sub.params, outputs, resources, SubPipelineRun(sub))  # type: ignore[arg-type]


def _find(ctx: Context, name: str) -> Loaded | None:
    given = [d for d in ctx.ws.of_kind("Pipeline", tier=0) if d.name == name]
    if given:
        return given[0]
    from mldsl.compiler.project_docs import find

    return find(ctx, "Pipeline", name)


def is_call(step: ir.Step) -> bool:
    return isinstance(step.module.run, SubPipelineRun)


# --- inlining ------------------------------------------------------------------------------------------------------


Calls = tuple[tuple[str, tuple[str, ...], tuple[tuple[str, ir.IValue], ...]], ...]


def inline(
    steps: tuple[ir.Step, ...], outputs: tuple[tuple[str, ir.IValue], ...]
) -> tuple[tuple[ir.Step, ...], tuple[tuple[str, ir.IValue], ...], Calls]:
    """Replace every pipeline step by the called pipeline's steps; the pipeline's outputs follow them.

    Also what each call became (its steps, its outputs), for what names the call later (a Sweep's objective and
    ``skip_steps``).
    """
    calls = {s.name: s for s in steps if is_call(s)}
    if not calls:
        return steps, outputs, ()
    members: dict[str, tuple[str, ...]] = {}  # a pipeline step -> its inlined steps' names
    results: dict[str, dict[str, ir.IValue]] = {}  # a pipeline step -> its outputs, in the caller's terms
    inlined: list[ir.Step] = []
    for call in calls.values():
        run = call.module.run
        assert isinstance(run, SubPipelineRun)
        sub = run.pipeline
        bound = _bound(call, sub)
        rename = {s.name: f"{call.name}{SEPARATOR}{s.name}" for s in sub.steps}

        def here(value: Any, bound: dict[str, ir.IValue] = bound, rename: dict[str, str] = rename) -> Any:
            return _substitute(value, bound, rename)

        members[call.name] = tuple(rename.values())
        results[call.name] = {n: here(v) for n, v in sub.outputs}
        for s in sub.steps:
            when = here(s.when)
            if call.when is not None:  # the call's condition holds for every step it stands for
                when = call.when if when is None else ir.IBinary("and", call.when, when, BOOL)
            # a step that waits for no other inlined step waits for what the call waits for
            depends = {rename[d] for d in s.depends} or set(call.depends)
            inlined.append(_map_step(s, here)._replace(name=rename[s.name], when=when, depends=tuple(sorted(depends))))
    # the caller's steps (and the inlined ones) refer to the call's outputs: to the inlined steps'
    out_steps = [
        _map_step(s, lambda v: _resolve_calls(v, results)) for s in (*[s for s in steps if s.name not in calls], *inlined)
    ]
    inlined_names = {s.name for s in inlined}
    final = [_redepend(s, members) if s.name in inlined_names or set(s.depends) & set(members) else s for s in out_steps]
    graph = dag.build({s.name: set(s.depends) for s in final})
    by_name = {s.name: s for s in final}
    new_outputs = tuple((n, _resolve_calls(v, results)) for n, v in outputs)
    made = tuple((c, members[c], tuple(results[c].items())) for c in calls)
    return tuple(by_name[n] for n in dag.order(graph)), new_outputs, made


def _bound(call: ir.Step, sub: ir.Pipeline) -> dict[str, ir.IValue]:
    """Each param of the called pipeline: what the call binds, else its default (null when optional)."""
    given = dict(call.bindings)
    out: dict[str, ir.IValue] = {}
    for p in sub.params:
        if p.name in given:
            out[p.name] = given[p.name]
        else:
            out[p.name] = ir.ILit(p.default if p.has_default else None, p.type)
    return out


def _substitute(value: Any, params: dict[str, ir.IValue], rename: dict[str, str]) -> Any:
    """``value`` with the called pipeline's params replaced by their bindings and its steps renamed."""
    if isinstance(value, ir.IParam):
        return params.get(value.name, value)
    if isinstance(value, ir.IStepOutput):
        return value._replace(step=rename.get(value.step, value.step))
    return ir.rebuild(value, lambda v: _substitute(v, params, rename))


def _resolve_calls(value: Any, results: dict[str, dict[str, ir.IValue]]) -> Any:
    """``steps.<call>.outputs.x`` replaced by what the called pipeline's output ``x`` is, in the caller's terms."""
    if isinstance(value, ir.IStepOutput) and value.step in results:
        target = results[value.step][value.output]
        if isinstance(target, ir.IStepOutput):
            return target._replace(
                field=value.field if value.field is not None else target.field, fanout=target.fanout or value.fanout
            )
        return target
    return ir.rebuild(value, lambda v: _resolve_calls(v, results))


def _map_step(step: ir.Step, f: Any) -> ir.Step:
    """``step`` with ``f`` applied to every value it binds or tests."""
    resources = step.resources
    if resources is not None:
        resources = resources._replace(cpu=f(resources.cpu), memory=f(resources.memory), gpu=f(resources.gpu))
    parallelism = step.parallelism
    if parallelism is not None and not isinstance(parallelism, int):
        parallelism = f(parallelism)
        if isinstance(parallelism, ir.ILit) and isinstance(parallelism.value, int):  # the caller bound a number
            parallelism = parallelism.value
    return step._replace(
        parallelism=parallelism,
        bindings=tuple((k, f(v)) for k, v in step.bindings),
        when=f(step.when) if step.when is not None else None,
        for_each=f(step.for_each) if step.for_each is not None else None,
        env=tuple((k, f(v)) for k, v in step.env),
        resources=resources,
    )


def _redepend(step: ir.Step, members: dict[str, tuple[str, ...]]) -> ir.Step:
    """Dependencies on a pipeline step become dependencies on its inlined steps: by data where a value reads one
    of them, else as ordering only (as ``after:``)."""
    data = {
        n.step
        for value in (*(v for _, v in step.bindings), step.when, step.for_each, *(v for _, v in step.env), step.parallelism)
        if value is not None and not isinstance(value, int)
        for n in ir.walk(value)
        if isinstance(n, ir.IStepOutput)
    }
    deps = {m for d in step.depends for m in members.get(d, (d,))} | data
    deps.discard(step.name)
    return step._replace(depends=tuple(sorted(deps)), order_only=tuple(sorted(deps - data)))
