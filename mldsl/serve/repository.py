"""The folder ``mlserver start DIR`` serves: ``settings.json`` and one ``<model>/model-settings.json`` per model.

MLServer reads ``settings.json`` at the folder's root and every ``model-settings.json`` below it
(SeldonIO/MLServer@a325e52 ``mlserver/cli/serve.py:13-41`` load_settings, ``mlserver/repository/repository.py:36-43``,
a recursive glob). Its sklearn runtime ``joblib.load``s one estimator (``runtimes/sklearn/mlserver_sklearn/sklearn.py:23,
32-37`` SKLearnModel.load, WELLKNOWN_MODEL_FILENAMES), while the
built-in ``train-sklearn`` module saves ``{"model": estimator, "features": [...], "target": ...}``: the module's
format stays (``evaluate-classifier`` reads it, and the step cache and registered models hold it), and the
estimator is written here as ``model.joblib``, the file name that runtime looks for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mldsl.ops.serve import ModelPlan, ServePlan

#: the file names MLServer's sklearn runtime looks for in a folder (WELLKNOWN_MODEL_FILENAMES), and register-model's
MODEL_FILES = ("model.joblib", "model.pickle", "model.pkl", "model")


class ModelLoadError(Exception):
    """A model file this machine cannot read as its server kind's model."""


@dataclass(frozen=True)
class Prepared:
    uri: Path  # what the model's settings point MLServer at
    features: tuple[str, ...] = ()  # the columns the model was trained on, when its file says


def settings(http_port: int, grpc_port: int) -> dict[str, Any]:
    """Server settings (``mlserver/settings.py:156-283`` Settings): loopback only, no metrics server, and inference in the
    server's own process: ``parallel_workers: 0``, as MLServer's worker processes fail on some machines (uvloop
    finds no event loop) and a laptop's requests do not need them."""
    return {
        "debug": False,
        "host": "127.0.0.1",
        "http_port": http_port,
        "grpc_port": grpc_port,
        "metrics_endpoint": None,
        "parallel_workers": 0,
        "load_models_at_startup": True,
    }


def sklearn_file(path: Path) -> Path:
    if path.is_file():
        return path
    for name in MODEL_FILES:
        if (path / name).is_file():
            return path / name
    raise ModelLoadError(f"{path} holds none of {', '.join(MODEL_FILES)}")


def prepare_sklearn(path: Path, folder: Path) -> Prepared:
    """``folder/model.joblib``: the estimator in ``path`` (a train-sklearn bundle is unwrapped)."""
    import joblib

    source = sklearn_file(path)
    try:
        obj = joblib.load(source)
    except Exception as exc:  # a pickle raises anything: name the file and the reason
        raise ModelLoadError(f"{source} cannot be loaded with joblib: {type(exc).__name__}: {exc}") from None
    features: tuple[str, ...] = ()
    if isinstance(obj, dict) and "model" in obj:  # train-sklearn's bundle
        features = tuple(str(f) for f in obj.get("features") or ())
        obj = obj["model"]
    if not hasattr(obj, "predict"):
        raise ModelLoadError(f"{source} holds a {type(obj).__name__}, not a scikit-learn estimator (nothing to predict with)")
    joblib.dump(obj, folder / "model.joblib")
    return Prepared(folder / "model.joblib", features)


def write(plan: ServePlan, root: Path, http_port: int, grpc_port: int) -> dict[str, Prepared]:
    """Write MLServer's folder for ``plan`` under ``root``; each model's prepared file, by model name."""
    (root / "settings.json").write_text(json.dumps(settings(http_port, grpc_port), indent=2) + "\n", encoding="utf-8")
    done: dict[tuple[Path, str], Prepared] = {}
    out: dict[str, Prepared] = {}
    for m in plan.models:
        folder = root / "models" / m.name
        folder.mkdir(parents=True)
        key = (m.path, m.server)
        if key not in done:
            done[key] = prepare_sklearn(m.path, folder) if m.server == "sklearn" else Prepared(m.path)
        out[m.name] = done[key]
        (folder / "model-settings.json").write_text(json.dumps(model_settings(m, done[key]), indent=2) + "\n", encoding="utf-8")
    return out


def model_settings(m: ModelPlan, prepared: Prepared) -> dict[str, Any]:
    """``mlserver/settings.py`` ModelSettings: the name requests use, the runtime class, the file."""
    return {"name": m.name, "implementation": m.runtime, "parameters": {"uri": str(prepared.uri)}}
