"""Compile Module documents into IR modules (types, run kind, the step contract)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mldsl.compiler import ir
from mldsl.compiler.context import Context, Loc
from mldsl.compiler.counts import count, size
from mldsl.compiler.exprscope import Scope
from mldsl.compiler.images import image_value
from mldsl.compiler.local_code import local_code
from mldsl.compiler.params import declare
from mldsl.compiler.pods import pod_settings
from mldsl.compiler.shell import check_scripts, safe_form
from mldsl.compiler.values import check_env, compile_value
from mldsl.lang.constraints import Param
from mldsl.lang.loader import Loaded, display_path
from mldsl.lang.runtime import prelude

if TYPE_CHECKING:  # the document models are read, never built, here (models/fast.py builds them)
    from mldsl.lang.models.module import ContainerRun, DistributedRun, NotebookRun, PythonRun, SparkRun


def module_for(ctx: Context, doc: Loaded) -> ir.Module | None:
    """The IR of ``doc``, compiled once per compile (errors reported once)."""
    key = (doc.name, doc.version or "")
    if key not in ctx.modules:
        ctx.modules[key] = _compile(ctx, doc)
    return ctx.modules[key]


def _params(ctx: Context, doc: Loaded) -> tuple[list[Param], list[Param]]:
    """The module's declared inputs and outputs, each checked (an output is never a secret)."""
    spec = doc.model.spec
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
    return inputs, outputs


def _compile(ctx: Context, doc: Loaded) -> ir.Module | None:
    spec = doc.model.spec
    errors_before = _errors(ctx)
    inputs, outputs = _params(ctx, doc)
    if spec.run.notebook is not None:
        from mldsl.compiler.notebook_run import executed_output  # here: it costs every start ~7 ms (issue #15)

        outputs = executed_output(ctx, doc, outputs)
    broken = frozenset(set(spec.inputs) - {p.name for p in inputs})
    scope = Scope(
        inputs={p.name: p for p in inputs},
        outputs={p.name: p for p in outputs},
        broken=broken,
        # an operator's pods write every output, metrics too, to a URI: outputs.<name>.path for each
        param_output_paths=spec.run.spark is not None or spec.run.distributed is not None,
    )
    run = spec.run
    compiled_run: ir.ContainerRun | ir.PythonRun | ir.NotebookRun | ir.SparkRun | ir.DistributedRun | None
    if run.container is not None:
        compiled_run = _container(ctx, doc, run.container, scope)
    elif run.python is not None:
        compiled_run = _python(ctx, doc, run.python, scope)
    elif run.notebook is not None:
        compiled_run = _notebook(ctx, doc, run.notebook, scope, inputs, outputs)
    else:  # parameter outputs (metrics) are written to outputs.<name>.path, a URI (backends/argo/metrics.py)
        compiled_run = (
            _spark(ctx, doc, run.spark, scope) if run.spark is not None else _distributed(ctx, doc, run.distributed, scope)
        )
    resources = module_resources(ctx, doc, ("spec", "resources"), spec.resources, scope)
    if compiled_run is None or _errors(ctx) > errors_before:
        return None
    local = local_code(ctx, doc, run)
    pod = pod_settings(ctx, doc, ("spec",), spec.volumes, spec.service_account, spec.pod)
    if pod is None or resources is None or _errors(ctx) > errors_before:
        return None
    return ir.Module(
        doc.name,
        doc.version or "",
        doc.model.metadata.description,
        tuple(inputs),
        tuple(outputs),
        resources,
        compiled_run,
        local,
        pod,
    )


def _errors(ctx: Context) -> int:
    """Errors so far: a warning (a notebook's parameter of another type) does not stop the module."""
    return sum(1 for d in ctx.diags.items if d.severity == "error")


def module_resources(ctx: Context, doc: Loaded, loc: Loc, res: Any, scope: Scope) -> ir.Resources | None:
    """``resources: {cpu, memory, gpu}``: literals, or references (an input in a module, a param on a step)."""
    if res is None:
        return ir.Resources()
    start = len(ctx.diags)
    cpu = size(ctx, doc, (*loc, "cpu"), res.cpu, scope, "resources.cpu")
    memory = size(ctx, doc, (*loc, "memory"), res.memory, scope, "resources.memory")
    gpu = count(ctx, doc, (*loc, "gpu"), res.gpu, scope, "resources.gpu") if res.gpu is not None else 0
    if len(ctx.diags) > start or gpu is None:
        return None
    return ir.Resources(cpu=cpu, memory=memory, gpu=gpu)


def _no_secret_inputs(ctx: Context, doc: Loaded, loc: tuple[str | int, ...], value: ir.IValue) -> bool:
    for node in ir.walk(value):
        if isinstance(node, ir.IInput) and node.type.kind == "secret":
            ctx.error(
                doc,
                loc,
                "MLD503",
                f"secret input {node.name!r} cannot be used in {loc[-2] if isinstance(loc[-1], int) else loc[-1]}"
                + (" inside a larger string" if loc[-2:-1] == ("env",) else ""),
                f'map it whole to an env var of the name the image expects: env: {{NAME: "${{{{ inputs.{node.name} }}}}"}}'
                f" (it is also in MLDSL_INPUT_{node.name.upper()}); a secret never goes into args or text",
            )
            return False
    return True


def plain_text(ctx: Context, doc: Loaded, loc: tuple[str | int, ...], text: str | None) -> str | None:
    """A field that reaches manifests as fixed text: ``${{ }}`` there is refused, never copied (SPEC §1.10).

    Copied verbatim, a ``{{...}}`` inside would make Argo refuse the whole workflow
    (argo-workflows v4.1.2 ``workflow/validate/validate.go`` resolveAllVariables).
    """
    if text is not None and "${{" in text:
        ctx.error(
            doc,
            loc,
            "MLD603",
            f"{loc[-2] if isinstance(loc[-1], int) else loc[-1]} is fixed text: an expression cannot be used here",
            "pass the value through args or env (MLDSL_INPUT_<NAME>), or write the text out",
        )
    return text


def _container(ctx: Context, doc: Loaded, run: ContainerRun, scope: Scope) -> ir.ContainerRun | None:
    base = ("spec", "run", "container")
    refused = _no_shell_splice(ctx, doc, base, run.command, run.args)
    args = _args(ctx, doc, base, list(run.args or []), scope, skip=refused)
    image = image_value(ctx, doc, (*base, "image"), run.image, scope)
    plain_text(ctx, doc, (*base, "working_dir"), run.working_dir)
    command = _args(ctx, doc, base, list(run.command or []), scope, field="command", skip=refused)
    env = _env(ctx, doc, base, run.env, scope)
    return ir.ContainerRun(run.image, tuple(command), tuple(args), env, run.working_dir, image)


def _no_shell_splice(
    ctx: Context, doc: Loaded, base: tuple[str | int, ...], command: list[Any] | None, args: list[Any] | None
) -> tuple[str, int] | None:
    """``${{ }}`` in a shell's ``-c`` script is MLD604: the value would run as shell code (SECURITY.md).

    The refused script, (field, index), is not compiled further: what its expressions get wrong shows once
    they are in ``env``, where the hint moves them (one root cause per string).
    """
    found = check_scripts(list(command or []), list(args or []))
    if found is None:
        return None
    field, i, offset, script, shell = found
    ctx.error(
        doc,
        (*base, field, i),
        "MLD604",
        f"{field}[{i}] is a script `{shell} -c` runs: a value put in it with ${{{{ }}}} would run as shell code",
        safe_form(script),
        offset=offset if "\n" not in script else None,  # offsets are exact on one-line scalars; else the value's start
    )
    return field, i


def _args(
    ctx: Context,
    doc: Loaded,
    base: tuple[str | int, ...],
    raw_args: list[Any] | None,
    scope: Scope,
    *,
    field: str = "args",
    skip: tuple[str, int] | None = None,
) -> list[ir.IValue]:
    """Compile ``args`` (or ``command``): expressions allowed, secrets never (they would show in the pod spec).

    ``skip``: (field, index) of an entry already refused (MLD604).
    """
    args: list[ir.IValue] = []
    for i, raw in enumerate(raw_args or []):
        if skip == (field, i):
            continue
        v = compile_value(ctx, doc, (*base, field, i), raw, scope)
        if v is None:
            continue
        if any(isinstance(n, ir.ISecret) for n in ir.walk(v)):
            ctx.error(
                doc,
                (*base, field, i),
                "MLD502",
                f"secret() cannot be used in {field}: it would show in the pod spec and process list",
                "pass it through env instead",
            )
            continue
        if _no_secret_inputs(ctx, doc, (*base, field, i), v):
            args.append(v)
    return args


def _env(
    ctx: Context, doc: Loaded, base: tuple[str | int, ...], raw: dict[str, Any] | None, scope: Scope
) -> tuple[tuple[str, ir.IValue], ...]:
    env = check_env(ctx, doc, (*base, "env"), dict(raw or {}), scope)
    for name, v in env:
        if isinstance(v, ir.IInput) and v.type.kind == "secret":
            continue  # mapped whole to a variable of the name the image expects: a secretKeyRef (SPEC §1.10)
        _no_secret_inputs(ctx, doc, (*base, "env", name), v)
    return env


def _spark(ctx: Context, doc: Loaded, run: SparkRun, scope: Scope) -> ir.SparkRun:
    base = ("spec", "run", "spark")
    conf: list[tuple[str, ir.IValue]] = []
    for key, raw in (run.conf or {}).items():
        if not key.startswith("spark."):
            ctx.error(
                doc,
                (*base, "conf", key),
                "MLD107",
                f"conf key {key!r} is not a Spark setting",
                "Spark settings start with 'spark.' (Hadoop ones with 'spark.hadoop.')",
                key=True,
            )
            continue
        v = compile_value(ctx, doc, (*base, "conf", key), raw, scope)
        if v is not None and _no_secret_inputs(ctx, doc, (*base, "conf", key), v):
            conf.append((key, v))
    plain_text(ctx, doc, (*base, "image"), run.image)
    plain_text(ctx, doc, (*base, "main"), run.main)
    plain_text(ctx, doc, (*base, "main_class"), run.main_class)
    return ir.SparkRun(
        image=run.image,
        main=run.main,
        main_class=run.main_class,
        args=tuple(_args(ctx, doc, base, run.args, scope)),
        spark_version=run.spark_version,
        driver_cores=run.driver.cores,
        driver_memory=run.driver.memory,
        executor_instances=count(ctx, doc, (*base, "executor", "instances"), run.executor.instances, scope, "executor.instances")
        or 1,
        executor_cores=run.executor.cores,
        executor_memory=run.executor.memory,
        executor_gpu=run.executor.gpu,
        conf=tuple(conf),
        env=_env(ctx, doc, base, run.env, scope),
    )


def _refuse_distributed(ctx: Context, doc: Loaded, run: DistributedRun, base: tuple[str, ...]) -> None:
    """What a distributed module cannot be: a name that is not a DNS-1035 label, a TrainJob as a step."""
    if not doc.name[:1].isalpha():
        # the job is named after the module, and training-operator jobs must be DNS-1035 labels
        # (training-operator v1.9.0 pkg/webhooks/pytorch/pytorchjob_webhook.go l. 80: NameIsDNS1035Label)
        ctx.error(
            doc,
            ("metadata", "name"),
            "MLD105",
            f"a distributed module's name must start with a letter (its training jobs' names are DNS-1035): {doc.name!r}",
            "rename the module, e.g. 'train-" + doc.name + "'",
        )
    if run.api == "trainer-v2":
        ctx.error(
            doc,
            (*base, "api"),
            "MLD107",
            "api 'trainer-v2' (TrainJob) cannot run as a pipeline step: Argo watches a resource through "
            "label-selector conditions, which cannot read TrainJob's list-typed status (argo-workflows#2288)",
            "use api: training-operator (PyTorchJob, TFJob, XGBoostJob, MPIJob)",
        )


def _distributed(ctx: Context, doc: Loaded, run: DistributedRun, scope: Scope) -> ir.DistributedRun:
    base = ("spec", "run", "distributed")
    _refuse_distributed(ctx, doc, run, base)
    workers = count(ctx, doc, (*base, "workers"), run.workers, scope, "workers")
    gpus = count(ctx, doc, (*base, "gpus_per_worker"), run.gpus_per_worker, scope, "gpus_per_worker")
    if isinstance(workers, ir.IInput) and scope.inputs is not None:
        # training-operator v1.9.0 refuses a Worker replica spec under 1 (pkg/webhooks/pytorch/pytorchjob_webhook.go
        # l. 156), and the coordinator is one of the workers: the input's own bounds must keep the count valid
        least = 1 if run.framework == "mpi" else 2
        p = scope.inputs.get(workers.name)
        if p is not None and (p.minimum is None or p.minimum < least):
            ctx.error(
                doc,
                (*base, "workers"),
                "MLD308",
                f"input {workers.name!r} gives the number of workers, which must be at least {least} "
                f"for {run.framework} (the coordinator plus at least one worker)",
                f"declare it with min: {least}",
            )
    res = module_resources(ctx, doc, (*base, "resources"), run.resources, scope) or ir.Resources()
    resources = ir.Resources(cpu=res.cpu, memory=res.memory, gpu=gpus if gpus is not None else 0)
    plain_text(ctx, doc, (*base, "image"), run.image)
    refused = _no_shell_splice(ctx, doc, base, run.command, run.args)
    return ir.DistributedRun(
        framework=run.framework,
        image=run.image,
        command=tuple(_args(ctx, doc, base, list(run.command or []), scope, field="command", skip=refused)),
        args=tuple(_args(ctx, doc, base, run.args, scope, skip=refused)),
        workers=workers if workers is not None else 1,
        gpus_per_worker=gpus if gpus is not None else 0,
        resources=resources,
        env=_env(ctx, doc, base, run.env, scope),
    )


def _python(ctx: Context, doc: Loaded, run: PythonRun, scope: Scope) -> ir.PythonRun | None:
    base = ("spec", "run", "python")
    source = run.source
    if run.file is not None:
        path = doc.file.parent / run.file
        why = ctx.ws.refuses(path)
        if why is not None:  # the file's text would be inlined into the manifest CI publishes
            ctx.error(
                doc,
                (*base, "file"),
                "MLD602",
                f"{run.file!r} is not read: {why}",
                "a module's code must be inside the project (or a folder in module_paths); "
                "'file' is relative to the module's file",
            )
            return None
        try:
            source = path.resolve().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, ValueError, RuntimeError):  # a NUL in the name; a link loop
            ctx.error(
                doc,
                (*base, "file"),
                "MLD602",
                f"cannot read {run.file!r}",
                f"looked for {display_path(path)}; 'file' is relative to the module's file",
            )
            return None
    env = _env(ctx, doc, base, run.env, scope)
    value = image_value(ctx, doc, (*base, "image"), run.image, scope)
    for i, package in enumerate(run.packages or []):
        plain_text(ctx, doc, (*base, "packages", i), package)
    image = run.image or ctx.project.image
    return ir.PythonRun(
        image,
        prelude(tuple(scope.inputs.values()) if scope.inputs else (), tuple(scope.outputs.values()) if scope.outputs else ())
        + (source or ""),
        tuple(run.packages or ()),
        env,
        value,
    )


def _notebook(
    ctx: Context, doc: Loaded, run: NotebookRun, scope: Scope, inputs: list[Param], outputs: list[Param]
) -> ir.NotebookRun | None:
    base = ("spec", "run", "notebook")
    env = _env(ctx, doc, base, run.env, scope)
    plain_text(ctx, doc, (*base, "image"), run.image)
    plain_text(ctx, doc, (*base, "kernel"), run.kernel)
    from mldsl.compiler.notebook_run import compile_notebook

    return compile_notebook(ctx, doc, run, inputs, outputs, env)
