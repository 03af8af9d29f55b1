"""What each serving backend runs and refuses, known by the serving backends: their servers, KServe's two
revisions and no shadow, Seldon v2's GPUs on Servers, and whose credentials reach the model's bucket.

``check(program)`` is the backends' hook (``compiler/targets.py``): it reads the compiled Servings and the
compiler positions what it finds at the entry that is refused (``ServedModel.at``).
"""

from __future__ import annotations

from collections.abc import Iterator

from mldsl.compiler import ir
from mldsl.compiler.targets import TargetProblem

#: the servers each backend runs (custom: a container image of your own)
SUPPORTED = {
    "seldon-v1": {"sklearn", "xgboost", "mlflow", "tensorflow", "triton", "huggingface", "custom"},
    "seldon-v2": {"sklearn", "xgboost", "lightgbm", "mlflow", "tensorflow", "triton", "huggingface", "custom"},
    "kserve": {"sklearn", "xgboost", "lightgbm", "mlflow", "tensorflow", "triton", "huggingface", "custom"},
}


def check(program: ir.Program) -> Iterator[TargetProblem]:
    for s in program.servings:
        for m in (*s.models, *((s.shadow,) if s.shadow else ())):
            yield from _model(s, m)
        if s.backend == "kserve":
            yield from _kserve(s)
        if s.backend == "seldon-v2" and s.resources.gpu:
            yield TargetProblem(
                "Serving",
                s.name,
                ("spec", "resources", "gpu"),
                "MLD806",
                "seldon-v2 Models cannot ask for GPUs: Seldon Core v2 gives them to the Server a Model is scheduled on",
                "use backend: seldon-v1 or kserve, or serve it on a GPU Server of your cluster",
            )


def _model(s: ir.Serving, m: ir.ServedModel) -> Iterator[TargetProblem]:
    if m.server not in SUPPORTED[s.backend]:
        yield TargetProblem(
            "Serving",
            s.name,
            m.server_at,
            "MLD803",
            f"{s.backend} has no {m.server} server",
            "choose another backend (seldon-v2 and kserve run lightgbm), or server: custom with your image",
        )
    if m.secret is not None and s.backend == "kserve":
        yield TargetProblem(
            "Serving",
            s.name,
            (*m.at, "credentials"),
            "MLD807",
            "KServe reads a bucket's credentials through the predictor's service account, not a secret",
            "give service_account: <an account whose secrets or cloud identity may read the bucket>",
        )
    if m.service_account is not None and s.backend == "seldon-v2":
        yield TargetProblem(
            "Serving",
            s.name,
            (*m.at, "service_account"),
            "MLD807",
            "Seldon v2 Models run on shared Servers under the Servers' own service account",
            "give credentials: {secret: <rclone secret>} (Model.spec.secretName)",
        )


def _kserve(s: ir.Serving) -> Iterator[TargetProblem]:
    """An InferenceService has a stable revision and at most one canary of the same predictor, and no mirror."""
    if len(s.models) > 2:
        yield TargetProblem(
            "Serving",
            s.name,
            ("spec", "traffic"),
            "MLD805",
            f"kserve splits traffic between two revisions, not {len(s.models)}",
            "keep a stable and a canary entry, or use seldon-v1 / seldon-v2",
            key=True,
        )
    if s.shadow is not None:
        yield TargetProblem(
            "Serving",
            s.name,
            ("spec", "shadow"),
            "MLD805",
            "kserve has no shadow (mirrored) traffic",
            "use seldon-v1 or seldon-v2 for shadow deployments",
            key=True,
        )
    if len(s.models) == 2 and s.models[0].server != s.models[1].server:
        yield TargetProblem(
            "Serving",
            s.name,
            ("spec", "traffic"),
            "MLD805",
            "a kserve canary must use the same server as the stable model",
            "a canary is a new revision of the same predictor",
            key=True,
        )
