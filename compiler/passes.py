"""The compiler's passes, run in order from :data:`PASSES`.

Each pass reads and extends the :class:`Context`; none raises for bad input.
"""

from __future__ import annotations

from collections.abc import Callable

from mldsl.compiler import ir
from mldsl.compiler.context import Context
from mldsl.compiler.modules import module_for
from mldsl.compiler.pipelines import compile_pipeline
from mldsl.compiler.resolve import Registry
from mldsl.compiler.step_fields import toleration
from mldsl.lang.buckets import bucket_problem, bucket_uri
from mldsl.lang.value_codes import BUCKET_HINT


def project(ctx: Context) -> None:
    """Project defaults (namespace, image, GPU scheduling, artifact keys) from ``mldsl.yaml``."""
    if ctx.ws.project is None:
        return
    doc = ctx.ws.project
    spec = doc.model.spec
    key_format = spec.artifacts.key_format
    if key_format is not None and "{{pod.name}}" in key_format.replace(" ", ""):
        ctx.error(
            doc,
            ("spec", "artifacts", "key_format"),
            "MLD107",
            "key_format cannot use {{pod.name}}: consumers could not know the key",
            "use {{workflow.name}}, {{workflow.uid}} and {{step}} (the step's name), e.g. '{{workflow.name}}/{{step}}'",
        )
        key_format = None
    bucket = spec.artifacts.bucket
    if bucket and (why := bucket_problem(bucket_uri(bucket))) is not None:
        # Argo's artifact repository would refuse every upload and download: every step with an artifact fails
        ctx.error(doc, ("spec", "artifacts", "bucket"), "MLD313", f"artifact bucket {bucket!r}: {why}", BUCKET_HINT)
    ctx.project = ir.Project(
        name=doc.name,
        id=spec.id,
        namespace=spec.namespace,
        service_account=spec.service_account,
        image=spec.image,
        image_pull_secrets=tuple(spec.image_pull_secrets),
        gpu=ir.Gpu(
            spec.gpu.resource, tuple(sorted(spec.gpu.node_selector.items())), tuple(toleration(t) for t in spec.gpu.tolerations)
        ),
        artifact_bucket=spec.artifacts.bucket,
        artifact_key_format=key_format,
        artifact_endpoint=spec.artifacts.endpoint,
        serving_backend=spec.serving_backend,
        root=str(doc.file.parent.resolve()),
        local_mounts=tuple(
            (prefix.rstrip("/"), str((doc.file.parent / folder).resolve()))
            for prefix, folder in sorted(spec.local.mounts.items())
        ),
    )


def registry(ctx: Context) -> None:
    """Index every Module in scope by name and version."""
    ctx.scratch["registry"] = Registry.build(ctx)


def modules(ctx: Context) -> None:
    """Check the modules given on the command line, used or not."""
    for doc in ctx.ws.of_kind("Module", tier=0):
        module_for(ctx, doc)


def pipelines(ctx: Context) -> None:
    """Bind, type-check and order every pipeline given on the command line."""
    reg: Registry = ctx.scratch["registry"]
    for doc in ctx.ws.of_kind("Pipeline", tier=0):
        p = compile_pipeline(ctx, doc, reg)
        if p is not None:
            ctx.pipelines.append(p)
    names: dict[str, str] = {}
    for doc in ctx.ws.of_kind("Pipeline", tier=0):
        if doc.name in names:
            ctx.error(
                doc,
                ("metadata", "name"),
                "MLD108",
                f"pipeline {doc.name!r} is defined twice",
                f"the other one is in {names[doc.name]}",
            )
        names.setdefault(doc.name, doc.source.path)


def sweeps(ctx: Context) -> None:
    """Check every sweep against its pipeline; compute the trials of grid and random ones."""
    docs = ctx.ws.of_kind("Sweep", tier=0)
    if not docs:
        return
    from mldsl.compiler.sweeps import compile_sweep

    by_name = {p.name: p for p in ctx.pipelines}
    for doc in docs:
        sweep = compile_sweep(ctx, doc, by_name)
        if sweep is not None:
            ctx.sweeps.append(sweep)


def servings(ctx: Context) -> None:
    """Check every Serving: traffic, shadow, and servers its backend can run."""
    docs = ctx.ws.of_kind("Serving")
    if not docs:
        return
    from mldsl.compiler.servings import compile_serving

    for doc in docs:
        serving = compile_serving(ctx, doc)
        if serving is not None:
            ctx.servings.append(serving)


PASSES: tuple[Callable[[Context], None], ...] = (project, registry, modules, servings, pipelines, sweeps)
