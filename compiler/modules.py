"""Compile Module documents into IR modules (types, run kind, the step contract)."""

from __future__ import annotations

from mldsl.compiler import ir
from mldsl.compiler.context import Context
from mldsl.compiler.exprcheck import Scope
from mldsl.compiler.params import declare
from mldsl.compiler.values import check_env, compile_value
from mldsl.constraints import Param
from mldsl.loader import Loaded, display_path
from mldsl.models.module import ContainerRun, PythonRun
from mldsl.runtime import prelude


def module_for(ctx: Context, doc: Loaded) -> ir.Module | None:
    """The IR of ``doc``, compiled once per compile (errors reported once)."""
    key = (doc.name, doc.version or "")
    if key not in ctx.modules:
        ctx.modules[key] = _compile(ctx, doc)
    return ctx.modules[key]


def _compile(ctx: Context, doc: Loaded) -> ir.Module | None:
    spec = doc.model.spec
    errors_before = len(ctx.diags)
    inputs: list[Param] = []
    for name, decl in spec.inputs.items():
        p = declare(ctx, doc, ("spec", "inputs", name), name, decl, role="input")
        if p is not None:
            inputs.append(p)
    outputs: list[Param] = []
    for name, decl in spec.outputs.items():
        p = declare(ctx, doc, ("spec", "outputs", name), name, decl, role="output")
        if p is not None and p.type.kind == "secret":
            ctx.error(doc, ("spec", "outputs", name), "MLD202", "an output cannot be a secret")
            continue
        if p is not None:
            outputs.append(p)
    scope = Scope(inputs={p.name: p for p in inputs})
    run = spec.run
    compiled_run: ir.ContainerRun | ir.PythonRun | None
    if run.container is not None:
        compiled_run = _container(ctx, doc, run.container, scope)
    else:
        assert run.python is not None
        compiled_run = _python(ctx, doc, run.python, scope)
    if compiled_run is None or len(ctx.diags) > errors_before:
        return None
    res = spec.resources
    resources = ir.Resources(
        cpu=None if res is None or res.cpu is None else str(res.cpu),
        memory=None if res is None else res.memory,
        gpu=0 if res is None or res.gpu is None else res.gpu,
    )
    return ir.Module(
        doc.name, doc.version or "", doc.model.metadata.description, tuple(inputs), tuple(outputs), resources, compiled_run
    )


def _no_secret_inputs(ctx: Context, doc: Loaded, loc: tuple[str | int, ...], value: ir.IValue) -> bool:
    for node in ir.walk(value):
        if isinstance(node, ir.IInput) and node.type.kind == "secret":
            ctx.error(
                doc,
                loc,
                "MLD503",
                f"secret input {node.name!r} cannot be used in {loc[-2] if isinstance(loc[-1], int) else loc[-1]}",
                f"the step reads it from the environment variable MLDSL_INPUT_{node.name.upper()}",
            )
            return False
    return True


def _container(ctx: Context, doc: Loaded, run: ContainerRun, scope: Scope) -> ir.ContainerRun | None:
    base = ("spec", "run", "container")
    args: list[ir.IValue] = []
    for i, raw in enumerate(run.args or []):
        v = compile_value(ctx, doc, (*base, "args", i), raw, scope)
        if v is None:
            continue
        if any(isinstance(n, ir.ISecret) for n in ir.walk(v)):
            ctx.error(
                doc,
                (*base, "args", i),
                "MLD502",
                "secret() cannot be used in args: it would show in the pod spec and process list",
                "pass it through env instead",
            )
            continue
        if _no_secret_inputs(ctx, doc, (*base, "args", i), v):
            args.append(v)
    env = check_env(ctx, doc, (*base, "env"), dict(run.env or {}), scope)
    for name, v in env:
        _no_secret_inputs(ctx, doc, (*base, "env", name), v)
    return ir.ContainerRun(run.image, tuple(run.command or ()), tuple(args), env, run.working_dir)


def _python(ctx: Context, doc: Loaded, run: PythonRun, scope: Scope) -> ir.PythonRun | None:
    base = ("spec", "run", "python")
    source = run.source
    if run.file is not None:
        path = (doc.file.parent / run.file).resolve()
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            ctx.error(
                doc,
                (*base, "file"),
                "MLD602",
                f"cannot read {run.file!r}",
                f"looked for {display_path(path)}; 'file' is relative to the module's file",
            )
            return None
    env = check_env(ctx, doc, (*base, "env"), dict(run.env or {}), scope)
    for name, v in env:
        _no_secret_inputs(ctx, doc, (*base, "env", name), v)
    image = run.image or ctx.project.image
    return ir.PythonRun(
        image, prelude(tuple(scope.inputs.values()) if scope.inputs else ()) + (source or ""), tuple(run.packages or ()), env
    )
