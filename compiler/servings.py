"""Compile Serving documents: traffic, shadow, servers each backend can run."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from mldsl.compiler import ir
from mldsl.compiler.context import Context, Loc
from mldsl.compiler.modules import plain_text
from mldsl.lang.loader import Loaded

if TYPE_CHECKING:  # the document models are read, never built, here (models/fast.py builds them)
    from mldsl.lang.models.serving import ModelRef

URI = re.compile(r"^(s3|gs|gcs|https?|oss|hdfs|az|pvc|file)://\S+$|^hf://\S+$")
#: the servers each backend runs (custom: a container image of your own)
SUPPORTED = {
    "seldon-v1": {"sklearn", "xgboost", "mlflow", "tensorflow", "triton", "huggingface", "custom"},
    "seldon-v2": {"sklearn", "xgboost", "lightgbm", "mlflow", "tensorflow", "triton", "huggingface", "custom"},
    "kserve": {"sklearn", "xgboost", "lightgbm", "mlflow", "tensorflow", "triton", "huggingface", "custom"},
}


class _NoModel:
    """A traffic entry without ``model``: every field taken from the Serving's."""

    uri = server = image = credentials = service_account = None


_NO_MODEL: Any = _NoModel()


def _model(
    ctx: Context, doc: Loaded, loc: Loc, name: str, weight: int, own: ModelRef | None, base: ModelRef, backend: str
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
    if server not in SUPPORTED[backend]:
        ctx.error(
            doc,
            (*loc, "server") if ref.server else loc,
            "MLD803",
            f"{backend} has no {server} server",
            "choose another backend (seldon-v2 and kserve run lightgbm), or server: custom with your image",
        )
        ok = False
    credentials = ref.credentials or base.credentials
    secret = credentials.secret if credentials is not None else None
    account = ref.service_account or base.service_account
    if secret is not None and backend == "kserve":
        ctx.error(
            doc,
            (*loc, "credentials"),
            "MLD807",
            "KServe reads a bucket's credentials through the predictor's service account, not a secret",
            "give service_account: <an account whose secrets or cloud identity may read the bucket>",
        )
        ok = False
    if account is not None and backend == "seldon-v2":
        ctx.error(
            doc,
            (*loc, "service_account"),
            "MLD807",
            "Seldon v2 Models run on shared Servers under the Servers' own service account",
            "give credentials: {secret: <rclone secret>} (Model.spec.secretName)",
        )
        ok = False
    return ir.ServedModel(name, weight, uri or "", server, image, secret, account) if ok else None


def compile_serving(ctx: Context, doc: Loaded) -> ir.Serving | None:
    spec = doc.model.spec
    start = len(ctx.diags)
    backend = spec.backend or ctx.project.serving_backend
    models: list[ir.ServedModel] = []
    if not spec.traffic:
        m = _model(ctx, doc, ("spec", "model"), "default", 100, spec.model, spec.model, backend)
        if m:
            models.append(m)
    else:
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
                backend,
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
    shadow = None
    if spec.shadow is not None:
        shadow = _model(ctx, doc, ("spec", "shadow", "model"), "shadow", 0, spec.shadow.model, spec.model, backend)
    if backend == "kserve":
        if len(spec.traffic) > 2:
            ctx.error(
                doc,
                ("spec", "traffic"),
                "MLD805",
                f"kserve splits traffic between two revisions, not {len(spec.traffic)}",
                "keep a stable and a canary entry, or use seldon-v1 / seldon-v2",
                key=True,
            )
        if spec.shadow is not None:
            ctx.error(
                doc,
                ("spec", "shadow"),
                "MLD805",
                "kserve has no shadow (mirrored) traffic",
                "use seldon-v1 or seldon-v2 for shadow deployments",
                key=True,
            )
        if len(models) == 2 and models[0].server != models[1].server:
            ctx.error(
                doc,
                ("spec", "traffic"),
                "MLD805",
                "a kserve canary must use the same server as the stable model",
                "a canary is a new revision of the same predictor",
                key=True,
            )
    if backend == "seldon-v2" and spec.resources is not None and spec.resources.gpu:
        ctx.error(
            doc,
            ("spec", "resources", "gpu"),
            "MLD806",
            "seldon-v2 Models cannot ask for GPUs: Seldon Core v2 gives them to the Server a Model is scheduled on",
            "use backend: seldon-v1 or kserve, or serve it on a GPU Server of your cluster",
        )
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
