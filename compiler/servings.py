"""Compile Serving documents: traffic and shadow; what each backend runs is checked by the backend."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from mldsl.compiler import ir
from mldsl.compiler.context import Context, Loc
from mldsl.compiler.modules import plain_text
from mldsl.lang.buckets import bucket_problem
from mldsl.lang.loader import Loaded
from mldsl.lang.value_codes import BUCKET_HINT

if TYPE_CHECKING:  # the document models are read, never built, here (models/fast.py builds them)
    from mldsl.lang.models.serving import ModelRef, ServingSpec

URI = re.compile(r"^(s3|gs|gcs|https?|oss|hdfs|az|pvc|file)://\S+$|^hf://\S+$")
# What each serving backend runs and refuses (servers, traffic splits, shadows, GPUs, credentials) is that
# backend's knowledge: backends/serving_rules.py checks the compiled Serving (compiler/targets.py).


class _NoModel:
    """A traffic entry without ``model``: every field taken from the Serving's."""

    uri = server = image = credentials = service_account = None


_NO_MODEL: Any = _NoModel()


def _model(
    ctx: Context, doc: Loaded, loc: Loc, name: str, weight: int, own: ModelRef | None, base: ModelRef
) -> ir.ServedModel | None:
    """A served model: a traffic entry's own ``model`` fields over the Serving's (``own`` None: all the Serving's)."""
    ref = own or _NO_MODEL
    uri = ref.uri or base.uri
    server = ref.server or base.server
    image = ref.image or (base.image if server == base.server else None)
    ok = True
    if uri is None:
        ctx.error(doc, loc, "MLD804", "the model has no uri", "give model: {uri: s3://...}", key=True)
        ok = False
    elif not URI.match(uri):
        ctx.error(
            doc,
            (*loc, "uri"),
            "MLD804",
            f"model uri {uri!r} is not a URI",
            "for example s3://models/churn/3, gs://..., https://..., or pvc://claim/path",
        )
        ok = False
    elif (bucket := bucket_problem(uri)) is not None:  # the storage initializer would fail to download it
        ctx.error(doc, (*loc, "uri"), "MLD313", f"model uri {uri!r}: {bucket}", BUCKET_HINT)
        ok = False
    if server is None:
        ctx.error(doc, loc, "MLD803", "the model has no server", "give server: sklearn, xgboost, ... or custom", key=True)
        return None
    if ref.image is not None:
        plain_text(ctx, doc, (*loc, "image"), ref.image)
    if server == "custom" and not image:
        ctx.error(doc, loc, "MLD802", "a custom server needs an image", "add image: <the serving container>", key=True)
        ok = False
    elif server != "custom" and ref.image:
        ctx.error(
            doc,
            (*loc, "image"),
            "MLD802",
            f"'image' applies to custom servers, not {server}",
            "remove it, or set server: custom",
            key=True,
        )
        ok = False
    credentials = ref.credentials or base.credentials
    secret = credentials.secret if credentials is not None else None
    account = ref.service_account or base.service_account
    server_at = (*loc, "server") if ref.server else loc
    return ir.ServedModel(name, weight, uri or "", server, image, secret, account, loc, server_at) if ok else None


def _traffic(ctx: Context, doc: Loaded, spec: ServingSpec) -> list[ir.ServedModel]:
    """The models of ``traffic:``, each with its weight: names unique, weights adding up to 100."""
    models: list[ir.ServedModel] = []
    names: dict[str, int] = {}
    for i, entry in enumerate(spec.traffic):
        loc: Loc = ("spec", "traffic", i)
        if entry.name in names:
            ctx.error(
                doc,
                (*loc, "name"),
                "MLD801",
                f"traffic name {entry.name!r} is used twice",
                f"the first is entry {names[entry.name]}; names must be unique",
            )
        names.setdefault(entry.name, i)
        m = _model(
            ctx,
            doc,
            (*loc, "model") if entry.model else loc,
            entry.name,
            entry.weight,
            entry.model,
            spec.model,
        )
        if m:
            models.append(m)
    total = sum(e.weight for e in spec.traffic)
    if total != 100:
        ctx.error(
            doc,
            ("spec", "traffic"),
            "MLD800",
            f"traffic weights add up to {total}, not 100",
            " + ".join(f"{e.name} {e.weight}" for e in spec.traffic),
            key=True,
        )
    return models


def compile_serving(ctx: Context, doc: Loaded) -> ir.Serving | None:
    spec = doc.model.spec
    start = len(ctx.diags)
    backend = spec.backend or ctx.project.serving_backend
    models: list[ir.ServedModel] = []
    if not spec.traffic:
        m = _model(ctx, doc, ("spec", "model"), "default", 100, spec.model, spec.model)
        if m:
            models.append(m)
    else:
        models = _traffic(ctx, doc, spec)
    shadow = None
    if spec.shadow is not None:
        shadow = _model(ctx, doc, ("spec", "shadow", "model"), "shadow", 0, spec.shadow.model, spec.model)
    if len(ctx.diags) > start:
        return None
    res = spec.resources
    md = doc.model.metadata
    return ir.Serving(
        name=md.name,
        namespace=ctx.project.namespace,
        labels=tuple(sorted(md.labels.items())),
        backend=backend,
        protocol=spec.protocol,
        replicas=spec.replicas,
        autoscale=(spec.autoscale.min, spec.autoscale.max, spec.autoscale.metric, spec.autoscale.target)
        if spec.autoscale
        else None,
        resources=ir.Resources(
            cpu=None if res is None or res.cpu is None else str(res.cpu),
            memory=None if res is None else res.memory,
            gpu=0 if res is None or res.gpu is None else res.gpu,
        ),
        gpu_resource=ctx.project.gpu.resource,
        models=tuple(models),
        shadow=shadow,
        project=ctx.project.name,
        project_id=ctx.project.id,
    )
