"""What a step runs: a module it ``uses:``, a Serving it deploys, an approval, or a pipeline it calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mldsl.compiler import ir
from mldsl.compiler.context import Context, Loc
from mldsl.compiler.modules import module_for
from mldsl.compiler.resolve import Registry, ResolveError
from mldsl.compiler.step_fields import duration_seconds
from mldsl.compiler.subpipelines import POD_FIELDS, module_for_pipeline
from mldsl.lang.constraints import Param
from mldsl.lang.loader import Loaded
from mldsl.lang.mtypes import STR
from mldsl.lang.suggest import close_matches

if TYPE_CHECKING:  # the document models are read, never built, here (models/fast.py builds them)
    from mldsl.lang.models.pipeline import Step


#: compiles a called pipeline's document (``pipelines.compile_pipeline`` bound to a context and registry)
CompileSub = Callable[[Loaded], "ir.Pipeline | None"]

#: what a step runs: exactly one of these
STEP_KINDS = ("uses", "deploy", "approve", "pipeline")
#: step fields that configure a pod or its inputs, which an ``approve:`` step does not have
_NOT_FOR_APPROVAL = ("with_", *POD_FIELDS)


def resolve_step(
    ctx: Context, doc: Loaded, loc: Loc, step: Step, registry: Registry, compile_sub: CompileSub
) -> ir.Module | None:
    """The module a step runs; ``compile_sub`` compiles a pipeline the step calls (pipelines.py owns that)."""
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
        return module_for_pipeline(ctx, doc, loc, step, compile_sub)
    assert step.uses is not None
    return resolve_uses(ctx, doc, loc, step.uses, registry)


def resolve_uses(ctx: Context, doc: Loaded, loc: Loc, uses: str, registry: Registry) -> ir.Module | None:
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
    timeout = duration_seconds(ctx, doc, (*loc, "approve", "timeout"), step.approve.timeout)
    if not ok or (step.approve.timeout is not None and timeout is None):
        return None
    message = step.approve.message or "approve to continue the run"
    return ir.Module("approve", "1", message, (), (), ir.Resources(), ir.ApproveRun(message, timeout))
