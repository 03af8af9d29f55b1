"""``mldsl serve``'s plan: which MLServer models a Serving becomes, from which local files, or why it cannot be served here.

Pure (no server, no network): the command line and the tests call :func:`plan_serving` with a compiled
``ir.Serving``; :mod:`mldsl.serve` runs the plan. Exit codes (SPEC §2): a plan that is refused (a server kind
without a local runtime, a model with no copy on this machine) is exit 1, as ``mldsl run`` exits 1 when a run
cannot start here (``mldsl/ops/local_run.py``); a wrong call (both ``--model-uri`` and ``--from-run``, an unknown
``--serving`` or run, a port in use) is exit 2.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

if TYPE_CHECKING:
    from mldsl.compiler import ir
    from mldsl.runner.mounts import Mounts
    from mldsl.runner.store import Store

#: server kind -> (MLServer runtime class, the pip package that ships it); MLServer's own runtimes
#: (github.com/SeldonIO/MLServer runtimes/*, version 1.7.1), the ones Seldon Core v2 and KServe run for these kinds
RUNTIMES: dict[str, tuple[str, str]] = {
    "sklearn": ("mlserver_sklearn.SKLearnModel", "mlserver-sklearn"),
    "xgboost": ("mlserver_xgboost.XGBoostModel", "mlserver-xgboost"),
    "lightgbm": ("mlserver_lightgbm.LightGBMModel", "mlserver-lightgbm"),
    "mlflow": ("mlserver_mlflow.MLflowRuntime", "mlserver-mlflow"),
    "huggingface": ("mlserver_huggingface.HuggingFaceRuntime", "mlserver-huggingface"),
}
#: server kinds MLServer has no runtime for: why, and what to do instead
NO_LOCAL_RUNTIME: dict[str, tuple[str, str]] = {
    "tensorflow": (
        "MLServer has no TensorFlow runtime (the cluster serves it with TensorFlow Serving)",
        "test it with `tensorflow_model_server` on this machine, or serve an sklearn/xgboost/lightgbm/mlflow model",
    ),
    "triton": (
        "MLServer has no Triton runtime (the cluster serves it with NVIDIA Triton)",
        "run tritonserver on this machine against the model repository; it speaks the same V2 protocol",
    ),
    "custom": (
        "a custom server is a container image of its own, which mldsl serve does not start",
        "run the image with `docker run -p 8080:8080 IMAGE`, or use a server kind MLServer has a runtime for",
    ),
}
MLSERVER_VERSION = "1.7.1"


class ServeUsageError(Exception):
    """The call is wrong (exit 2): nothing started."""


class ServeRefusedError(Exception):
    """The Serving cannot be served on this machine (exit 1): every reason, each with a hint."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(m for m, _ in problems))
        self.problems = problems


class ServeInvalidError(Exception):
    """The input does not compile (exit 1): the compile result, reported as validate reports it."""

    def __init__(self, result: Any):
        super().__init__("invalid input")
        self.result = result


@dataclass(frozen=True)
class ModelPlan:
    """One MLServer model: a traffic entry, or the shadow."""

    name: str  # the model's name in MLServer (/v2/models/<name>/infer)
    entry: str  # the traffic entry's name, or "shadow"
    weight: int
    server: str
    runtime: str  # MLServer's implementation class
    uri: str  # where the model comes from (after --model-uri / --from-run)
    path: Path  # its copy on this machine
    note: str | None = None  # said at startup: a URI that was replaced, and why


@dataclass(frozen=True)
class ServePlan:
    serving: str
    traffic: tuple[ModelPlan, ...]
    shadow: ModelPlan | None = None

    @property
    def models(self) -> tuple[ModelPlan, ...]:
        return (*self.traffic, self.shadow) if self.shadow else self.traffic


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def model_name(serving: ir.Serving, m: ir.ServedModel) -> str:
    """The name Seldon Core v2 gives the model (``backends/seldon_v2.py`` model_name and its ``-shadow``): a
    one-model Serving's is the Serving's, otherwise ``<serving>-<entry>``; the shadow is ``<serving>-shadow``."""
    from mldsl.backends.seldon_v2 import model_name as seldon_v2_name

    return f"{serving.name}-shadow" if m is serving.shadow else seldon_v2_name(serving, m)


def local_path(uri: str, mounts: Mounts, cwd: Path) -> Path | None:
    """The local file or folder of ``uri`` (``file://``, a path, or a location the project's mounts map), if it exists."""
    from mldsl.runner.mounts import MountError

    parsed = urlparse(uri)
    candidates: list[Path] = []
    if parsed.scheme == "file":
        candidates.append(Path(unquote(parsed.path)))
    else:
        with contextlib.suppress(MountError):  # s3://bucket/..., or an absolute path the project maps (/mnt/models/...)
            candidates.append(mounts.local(uri))
        if not parsed.scheme:
            candidates.append(Path(uri) if Path(uri).is_absolute() else cwd / uri)
    return next((c.resolve() for c in candidates if c.exists()), None)


def _check_runtimes(serving: ir.Serving, served: list[ir.ServedModel], available: Callable[[str], bool]) -> None:
    """:class:`ServeRefusedError` when a model's server has no local runtime, or MLServer or a runtime is missing."""
    kinds = sorted({m.server for m in served})
    problems: list[tuple[str, str]] = []
    for kind in (k for k in kinds if k in NO_LOCAL_RUNTIME):
        why, hint = NO_LOCAL_RUNTIME[kind]
        users = ", ".join(model_name(serving, m) for m in served if m.server == kind)
        problems.append((f"serving {serving.name}: server {kind} ({users}) has no local runtime: {why}", hint))
    if problems:
        raise ServeRefusedError(problems)
    if not available("mlserver"):  # the root cause: no runtime below can load without it
        raise ServeRefusedError([("MLServer is not installed", "pip install 'mldsl[serve]'")])
    for kind in kinds:
        runtime, package = RUNTIMES[kind]
        if not available(runtime.split(".")[0]):
            extra = f" {package}=={MLSERVER_VERSION}" if kind != "sklearn" else ""
            problems.append(
                (f"serving {serving.name}: MLServer's {kind} runtime is not installed", f"pip install 'mldsl[serve]'{extra}")
            )
    if problems:
        raise ServeRefusedError(problems)


def plan_serving(
    serving: ir.Serving,
    mounts: Mounts,
    override: str | None = None,
    override_from: str | None = None,
    *,
    cwd: Path,
    available: Callable[[str], bool] = installed,
) -> ServePlan:
    """What to start for ``serving``, or :class:`ServeRefusedError` with every reason it cannot start here.

    ``override`` (``--model-uri``, or the URI ``--from-run`` found, named by ``override_from``) is the first
    traffic entry's model; a canary or shadow keeps its own URI where this machine has a copy of it, and
    serves the override otherwise (said in its note), so that one trained model exercises the whole split."""
    served = [*serving.models, *([serving.shadow] if serving.shadow else [])]
    _check_runtimes(serving, served, available)
    problems: list[tuple[str, str]] = []
    source = f" (from {override_from})" if override_from else ""
    override_path = local_path(override, mounts, cwd) if override else None
    if override and override_path is None:
        raise ServeRefusedError([(f"the model {override}{source} is not on this machine", "check the path or URI")])
    plans: list[ModelPlan] = []
    for i, m in enumerate(served):
        name = model_name(serving, m)
        uri, note = m.uri, None
        path = None if override and i == 0 else local_path(uri, mounts, cwd)
        if override and path is None:
            if i:
                note = f"{m.uri} has no copy on this machine: serving {override}{source} in its place"
            uri, path = override, override_path
        if path is None:
            problems.append(
                (
                    f"{name}: {m.uri} has no copy on this machine",
                    "give the model with --model-uri URI or --from-run latest, or map its bucket in the project's "
                    "local.mounts (as mldsl run does)",
                )
            )
            continue
        entry = "shadow" if m is serving.shadow else m.name
        plans.append(ModelPlan(name, entry, m.weight, m.server, RUNTIMES[m.server][0], uri, path, note))
    if problems:
        raise ServeRefusedError(problems)
    shadow = plans.pop() if serving.shadow else None
    return ServePlan(serving.name, tuple(plans), shadow)


def pick_serving(servings: Iterable[ir.Serving], name: str | None, path: Path) -> ir.Serving:
    found = list(servings)
    names = [s.name for s in found]
    if name is None:
        if len(found) != 1:
            raise ServeUsageError(
                f"{path} holds {len(found) or 'no'} servings ({', '.join(names) or 'none'})"
                + (": choose one with --serving" if found else "")
            )
        return found[0]
    for s in found:
        if s.name == name:
            return s
    raise ServeUsageError(f"no serving {name!r} in {path} (servings: {', '.join(names) or 'none'})")


#: where a run keeps its model, first found wins: the pipeline's outputs, then a step's
MODEL_OUTPUTS = ("model_uri", "model")


def model_uri_of_run(record: dict[str, Any]) -> str | None:
    """The model a local run produced: its ``model_uri`` or ``model`` output, else the last step's ``model`` output."""
    outputs = record.get("outputs") or {}
    for key in MODEL_OUTPUTS:
        if isinstance(outputs.get(key), str) and outputs[key]:
            return str(outputs[key])
    steps = [s for s in (record.get("steps") or {}).values() if isinstance(s, dict) and s.get("phase") == "Succeeded"]
    for step in reversed(steps):
        value = (step.get("outputs") or {}).get("model")
        if isinstance(value, str) and value:
            return value
    return None


def find_run(stores: Iterable[Store], run: str, cwd: Path) -> tuple[str, str]:
    """(run id, model URI) of ``run``: ``latest`` (the newest succeeded run with a model, in any of ``stores``),
    a run id or a unique prefix of one, or a run's folder (``.mldsl/runs/<id>``)."""
    folder = Path(run) if Path(run).is_absolute() else cwd / run
    records: list[dict[str, Any]] = []
    if (folder / "run.json").is_file():
        try:
            records = [json.loads((folder / "run.json").read_text(encoding="utf-8"))]
        except (OSError, ValueError) as exc:
            raise ServeUsageError(f"{folder / 'run.json'} cannot be read: {exc}") from None
    stores = list(stores)
    if not records and run == "latest":
        candidates = [r for s in stores for r in s.records() if r.get("status") == "Succeeded" and model_uri_of_run(r)]
        candidates.sort(key=lambda r: (r.get("started") or "", r.get("run", "")), reverse=True)
        records = candidates[:1]
    elif not records:
        records = [r for r in (s.find(run) for s in stores) if r is not None][:1]
    where = " or ".join(str(s.runs) for s in stores)
    if not records:
        what = "no succeeded run with a model" if run == "latest" else f"no run {run!r}"
        raise ServeUsageError(f"{what} in {where} (mldsl runs --from PROJECT lists them; --from-run also takes a run's folder)")
    record = records[0]
    uri = model_uri_of_run(record)
    if uri is None:
        raise ServeUsageError(
            f"run {record.get('run')} has no model output ({' or '.join(MODEL_OUTPUTS)}, or a step's model): "
            "give the model with --model-uri"
        )
    return str(record.get("run")), uri


def projects_below(folder: Path) -> list[Path]:
    """The project files one and two folders below ``folder`` (``examples/churn-train/mldsl.yaml`` from a repository's
    root), whose runs ``--from-run`` also looks at: ``mldsl run examples/churn-train`` keeps its runs there."""
    return sorted([*folder.glob("*/mldsl.yaml"), *folder.glob("*/*/mldsl.yaml")])


def load_plan(
    path: Path, serving_name: str | None, model_uri: str | None, from_run: str | None, cwd: Path
) -> tuple[ServePlan, list[str]]:
    """Compile ``path`` and plan its Serving: the plan and what to say about it (:class:`ServeInvalidError` if ``path``
    does not compile)."""
    from mldsl.lang.buckets import bucket_uri
    from mldsl.ops.project import compile_result
    from mldsl.runner.mounts import Mounts
    from mldsl.runner.store import find_store

    if model_uri and from_run:
        raise ServeUsageError("give --model-uri or --from-run, not both")
    result = compile_result((path,))
    if not result.ok:
        raise ServeInvalidError(result)
    program = result.program
    serving = pick_serving(program.servings, serving_name, path)
    project = program.project
    store = find_store(Path(project.root) if project.root else path)
    mounts = Mounts()
    if project.artifact_bucket:  # as mldsl run maps them (mldsl/ops/local_run.py run_path)
        bucket = bucket_uri(project.artifact_bucket)
        mounts.add(bucket, store.artifacts / bucket.split("://")[-1])
    for prefix, folder in project.local_mounts:
        mounts.add(prefix, Path(folder))
    notes: list[str] = []
    if serving.protocol not in (None, "v2"):
        notes.append(f"serving {serving.name} declares protocol {serving.protocol}: MLServer answers the V2 protocol here")
    override, override_from = model_uri, None
    if from_run:
        stores = {s.root.resolve(): s for s in (store, find_store(cwd), *(find_store(p.parent) for p in projects_below(cwd)))}
        run_id, override = find_run(stores.values(), from_run, cwd)
        override_from = f"run {run_id}"
        notes.append(f"model from run {run_id}: {override}")
    return plan_serving(serving, mounts, override, override_from, cwd=cwd), notes
