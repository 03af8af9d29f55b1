"""``mldsl serve`` (SPEC §1.13): real MLServer processes answering real V2 requests on loopback ports.

The live tests start ``mldsl serve`` (and so MLServer) twice: once on three different models (stable, canary,
shadow) to check predictions, the split and the mirror, once for the README's loop ``mldsl run`` then
``mldsl serve --from-run latest``. The plan's rules are checked without a server.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, ROOT

MLDSL = [sys.executable, "-m", "mldsl"]
# the models are fitted on named columns, as train-sklearn fits them, and asked with a V2 tensor, as a client asks
pytestmark = pytest.mark.filterwarnings("ignore:X does not have valid feature names")
needs_mlserver = pytest.mark.skipif(
    importlib.util.find_spec("mlserver") is None or importlib.util.find_spec("mlserver_sklearn") is None,
    reason="MLServer is in the [serve] extra (pip install -e '.[serve]')",
)
SERVING = """\
apiVersion: mldsl/v1
kind: Serving
metadata: {name: risk}
spec:
  model: {uri: s3://models/risk/1, server: sklearn}
  traffic:
    - {name: stable, weight: 70}
    - {name: canary, weight: 30, model: {uri: s3://models/risk/2}}
  shadow: {model: {uri: s3://models/risk/3}}
  backend: seldon-v2
"""
PROJECT = """\
apiVersion: mldsl/v1
kind: Project
metadata: {name: serve-test}
spec:
  local:
    mounts:
      s3://models: models
"""
FEATURES = ["a", "b", "c", "d"]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "MLDSL_SERVE_SEED": "7"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc: ppid is the 4th field of /proc/N/stat)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


class Served:
    """``mldsl serve ARGS`` on a free port, started and waited for like a person would: until it prints "ready"."""

    def __init__(self, args: list[str], cwd: Path, logs: Path):
        self.port = _free_port()
        self.out, self.err = logs / "serve.out", logs / "serve.err"
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.proc = subprocess.Popen(
                [*MLDSL, "serve", *args, "--port", str(self.port)], cwd=cwd, env=_env(), stdout=out, stderr=err
            )
        deadline = time.monotonic() + 240
        while "ready" not in self.out.read_text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"mldsl serve did not get ready:\n{self.err.read_text()}")
            time.sleep(0.2)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any, Any]:
        data = json.dumps(body).encode() if body is not None else None
        self.conn.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
        resp = self.conn.getresponse()
        raw = resp.read()
        return resp.status, json.loads(raw) if raw else None, resp.headers

    def logged(self) -> str:
        return self.err.read_text()

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(60)


def _v2(rows: list[list[float]]) -> dict[str, Any]:
    flat = [float(v) for row in rows for v in row]
    return {"inputs": [{"name": "input-0", "shape": [len(rows), len(rows[0])], "datatype": "FP64", "data": flat}]}


def _train(folder: Path, version: int, kind: str) -> Any:
    """A model saved as train-sklearn saves it (a joblib bundle), in the registry layout <name>/<version>/model."""
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    joblib = pytest.importorskip("joblib")
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(version)
    x = pd.DataFrame(rng.normal(size=(300, 4)), columns=FEATURES)
    rule = {1: x["a"] + 0.5 * x["b"] - x["c"], 2: x["b"] - x["d"], 3: x["a"] * x["c"]}[version]  # three different models
    y = ((rule + rng.normal(scale=0.3, size=300)) > 0).astype(int)
    model = {
        "logistic": LogisticRegression(),
        "boosting": GradientBoostingClassifier(n_estimators=20, random_state=0),
        "forest": RandomForestClassifier(n_estimators=15, random_state=0),
    }[kind].fit(x, y)
    target = folder / "models" / "risk" / str(version)
    target.mkdir(parents=True)
    joblib.dump({"model": model, "features": FEATURES, "target": "y"}, target / "model")
    return model


def _predict(model: Any, rows: list[list[float]]) -> list[int]:
    import numpy as np

    return [int(v) for v in model.predict(np.asarray(rows, dtype=float))]


ROWS = [[0.3, -1.2, 0.8, 0.1], [1.5, 0.2, -0.4, 2.0], [-0.7, 0.9, 1.1, -0.3], [2.2, -0.1, -1.8, 0.5], [-1.9, -0.6, 0.2, 1.4]]


@pytest.fixture(scope="module")
def risk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("risk")
    (folder / "mldsl.yaml").write_text(PROJECT)
    (folder / "risk.yaml").write_text(SERVING)
    models = {"risk-stable": _train(folder, 1, "logistic"), "risk-canary": _train(folder, 2, "boosting")}
    models["risk-shadow"] = _train(folder, 3, "forest")
    served = Served(["risk.yaml"], folder, folder)
    try:
        yield served, models
    finally:
        served.stop()


@needs_mlserver
def test_each_model_answers_single_and_batch_requests_as_the_model_loaded_directly(risk: tuple[Served, dict[str, Any]]) -> None:
    served, models = risk
    assert served.request("GET", "/v2/health/ready")[0] == 200
    for name, model in models.items():
        status, body, _ = served.request("POST", f"/v2/models/{name}/infer", _v2(ROWS[:1]))
        assert status == 200, body
        assert body["model_name"] == name
        assert body["outputs"][0]["data"] == _predict(model, ROWS[:1])
        status, body, _ = served.request("POST", f"/v2/models/{name}/infer", _v2(ROWS))
        assert status == 200, body
        assert body["outputs"][0]["shape"] == [len(ROWS), 1]
        assert body["outputs"][0]["data"] == _predict(model, ROWS)
    # the three models disagree somewhere on these rows, so an answer from the wrong model would show
    assert len({tuple(_predict(m, ROWS)) for m in models.values()}) > 1
    status, body, _ = served.request(
        "POST", "/v2/models/risk-stable/infer", {**_v2(ROWS), "outputs": [{"name": "predict_proba"}]}
    )
    assert status == 200 and body["outputs"][0]["shape"] == [len(ROWS), 2]


@needs_mlserver
def test_the_serving_name_splits_by_the_declared_weights(risk: tuple[Served, dict[str, Any]]) -> None:
    served, models = risk
    n, routes, took = 400, {"risk-stable": 0, "risk-canary": 0}, []
    for i in range(n):
        row = ROWS[i % len(ROWS)]
        start = time.perf_counter()
        status, body, headers = served.request("POST", "/v2/models/risk/infer", _v2([row]))
        took.append(time.perf_counter() - start)
        assert status == 200, body
        assert headers["x-mldsl-route"] == body["model_name"]  # the entry that answered, and its own answer
        assert body["outputs"][0]["data"] == _predict(models[body["model_name"]], [row])
        routes[body["model_name"]] += 1
    # 70/30 declared: 4 standard deviations of a binomial draw (sqrt(400 * 0.3 * 0.7) = 9.2) around 120
    assert abs(routes["risk-canary"] - 0.3 * n) <= 37, routes
    # ~2 ms here; with Nagle's algorithm on the router's socket each answer waited for the client's delayed ACK: 40+ ms
    assert sorted(took)[n // 2] < 0.030, f"median {sorted(took)[n // 2] * 1000:.1f} ms"
    assert served.request("GET", "/v2/models/risk/ready")[0] == 200
    status, meta, _ = served.request("GET", "/v2/models/risk")
    assert status == 200 and meta["name"] == "risk-stable"


@needs_mlserver
def test_the_shadow_gets_a_copy_whose_answer_is_logged_not_returned(risk: tuple[Served, dict[str, Any]]) -> None:
    served, models = risk
    rows = [[9.25, -3.5, 0.125, 7.0], [-8.5, 2.75, 6.0, -1.0]]
    status, body, _ = served.request("POST", "/v2/models/risk/infer", _v2(rows))
    assert status == 200 and body["model_name"] in ("risk-stable", "risk-canary")
    expected = _predict(models["risk-shadow"], rows)
    deadline = time.monotonic() + 30
    while True:
        lines = [line for line in served.logged().splitlines() if line.startswith("mldsl serve: shadow risk-shadow 200")]
        answers = [json.loads(line.split(" ms ", 1)[1]) for line in lines]
        if any(a["outputs"][0]["shape"] == [2, 1] for a in answers) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    mirrored = [a for a in answers if a["outputs"][0]["shape"] == [2, 1]]
    assert mirrored and mirrored[-1]["model_name"] == "risk-shadow"
    assert mirrored[-1]["outputs"][0]["data"] == expected
    assert "POST /v2/models/risk/infer -> risk-" in served.logged()  # the request log


@needs_mlserver
def test_a_request_over_the_size_bound_is_refused_unread(risk: tuple[Served, dict[str, Any]]) -> None:
    served, _ = risk
    from mldsl.serve.router import MAX_REQUEST_BYTES

    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    conn.putrequest("POST", "/v2/models/risk/infer")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(MAX_REQUEST_BYTES + 1))
    conn.endheaders()
    resp = conn.getresponse()
    assert resp.status == 413
    assert "at most" in json.loads(resp.read())["error"]


@needs_mlserver
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_stop_signal_stops_the_router_and_mlserver_leaving_no_process(tmp_path: Path, sig: signal.Signals) -> None:
    (tmp_path / "mldsl.yaml").write_text(PROJECT)
    (tmp_path / "risk.yaml").write_text(SERVING.split("  traffic:")[0])  # one model: no split, no shadow
    _train(tmp_path, 1, "logistic")
    served = Served(["risk.yaml"], tmp_path, tmp_path)
    below = _descendants(served.proc.pid)
    assert below, "MLServer runs as a child process"
    folders = {Path(a) for pid in below for a in Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[-2:-1]}
    assert len(folders) == 1 and all(f.name.startswith("mldsl-serve-risk-") and f.is_dir() for f in folders), folders
    status, body, _ = served.request("POST", "/v2/models/risk/infer", _v2(ROWS[:2]))
    assert status == 200 and body["model_name"] == "risk"  # a one-model Serving's model is the Serving's name
    assert served.stop(sig) == 0
    time.sleep(0.5)
    assert [pid for pid in below if Path(f"/proc/{pid}").exists()] == []
    assert not any(f.exists() for f in folders)  # MLServer's model folder is removed
    assert "stopping" in served.logged()
    with socket.socket() as s:  # nothing listens there any more (SO_REUSEADDR: the closed connections' TIME_WAIT)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", served.port))


def test_an_invalid_serving_lists_its_errors_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(SERVING.replace("weight: 30", "weight: 20"))
    p = subprocess.run([*MLDSL, "serve", "s.yaml"], cwd=tmp_path, env=_env(), capture_output=True, text=True)
    assert p.returncode == 1, p.stderr
    assert "s.yaml:" in p.stderr and "error[MLD800]: traffic weights add up to 90, not 100" in p.stderr
    assert "Traceback" not in p.stderr


@needs_mlserver
def test_run_then_serve_from_run_latest_answers_the_trained_model(tmp_path: Path) -> None:
    """The README's loop: mldsl run examples/churn-train, then mldsl serve the churn-serving example's API."""
    joblib = pytest.importorskip("joblib")
    pytest.importorskip("sklearn")
    for name in ("churn-train", "churn-serving"):
        shutil.copytree(EXAMPLES / name, tmp_path / name, ignore=shutil.ignore_patterns(".mldsl"))
    train = tmp_path / "churn-train"
    run = subprocess.run([*MLDSL, "run", ".", "--format", "json"], cwd=train, env=_env(), capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    record = json.loads(run.stdout)
    served = Served(["../churn-serving/servings/churn-api.yaml", "--from-run", "latest"], train, tmp_path)
    try:
        assert f"model from run {record['run']}" in served.logged()
        assert "s3://models/churn/4 has no copy on this machine" in served.logged()  # the canary serves it too
        bundle = joblib.load(record["outputs"]["model"].removeprefix("file://"))
        rows = [[12, 40.0, 2, 36.8, 480.0, 2.0, 0], [60, 95.5, 0, 87.9, 5730.0, 0.0, 0], [2, 20.0, 6, 18.4, 40.0, 36.0, 1]]
        status, body, _ = served.request("POST", "/v2/models/churn-api/infer", _v2(rows))
        assert status == 200, body
        assert body["outputs"][0]["data"] == _predict(bundle["model"], rows)
    finally:
        assert served.stop() == 0


@needs_mlserver
def test_a_port_in_use_is_a_usage_error_with_a_hint(tmp_path: Path) -> None:
    (tmp_path / "mldsl.yaml").write_text(PROJECT)
    (tmp_path / "risk.yaml").write_text(SERVING)
    (tmp_path / "x.joblib").write_bytes(b"")  # the plan holds (the file is there); it is read after the port is bound
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        p = subprocess.run(
            [*MLDSL, "serve", "risk.yaml", "--model-uri", "x.joblib", "--port", str(port)],
            cwd=tmp_path,
            env=_env(),
            capture_output=True,
            text=True,
        )
    assert p.returncode == 2, p.stderr
    assert f"port {port} is in use" in p.stderr and "hint: choose another with --port" in p.stderr
    assert "Traceback" not in p.stderr


@needs_mlserver
def test_a_model_file_that_is_no_estimator_is_refused_before_mlserver_starts(tmp_path: Path) -> None:
    joblib = pytest.importorskip("joblib")
    (tmp_path / "s.yaml").write_text(SERVING.split("  traffic:")[0])
    (tmp_path / "garbage.joblib").write_bytes(b"not a pickle")
    joblib.dump({"weights": [1, 2]}, tmp_path / "dict.joblib")
    cases = [("garbage.joblib", "cannot be loaded with joblib"), ("dict.joblib", "holds a dict, not a scikit-learn estimator")]
    for name, why in cases:
        p = subprocess.run(
            [*MLDSL, "serve", "s.yaml", "--model-uri", name, "--port", str(_free_port())],
            cwd=tmp_path,
            env=_env(),
            capture_output=True,
            text=True,
        )
        assert p.returncode == 1, p.stderr
        assert f"{tmp_path / name} {why}" in p.stderr and "hint: give a joblib file" in p.stderr
        assert "Traceback" not in p.stderr and p.stdout == ""


@pytest.mark.parametrize(
    ("server", "reason"),
    [
        ("tensorflow", "MLServer has no TensorFlow runtime"),
        ("triton", "MLServer has no Triton runtime"),
        ("custom", "a custom server is a container image"),
    ],
)
def test_server_kinds_without_a_local_runtime_are_refused_before_anything_starts(
    tmp_path: Path, server: str, reason: str
) -> None:
    image = ", image: ghcr.io/acme/scorer:1" if server == "custom" else ""
    (tmp_path / "s.yaml").write_text(
        SERVING.replace("server: sklearn}", f"server: {server}{image}}}").replace("backend: seldon-v2", "backend: seldon-v1")
    )
    port = _free_port()
    p = subprocess.run([*MLDSL, "serve", "s.yaml", "--port", str(port)], cwd=tmp_path, env=_env(), capture_output=True, text=True)
    assert p.returncode == 1, p.stderr
    assert f"server {server} (risk-stable, risk-canary, risk-shadow) has no local runtime: {reason}" in p.stderr
    assert "hint: " in p.stderr and "nothing was started" in p.stderr and p.stdout == ""


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(SERVING)

    def serve(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*MLDSL, "serve", "s.yaml", *args], cwd=tmp_path, env=_env(), capture_output=True, text=True)

    both = serve("--model-uri", "m", "--from-run", "latest")
    assert both.returncode == 2 and "give --model-uri or --from-run, not both" in both.stderr
    unknown = serve("--serving", "nope")
    assert unknown.returncode == 2 and "no serving 'nope' in s.yaml (servings: risk)" in unknown.stderr
    norun = serve("--from-run", "latest")
    assert norun.returncode == 2 and "no succeeded run with a model" in norun.stderr


# --- the plan and the router's draw, without a server --------------------------------------------------------


def _compiled(tmp_path: Path, text: str = SERVING) -> Any:
    from mldsl.ops.project import compile_result

    (tmp_path / "s.yaml").write_text(text)
    result = compile_result((tmp_path / "s.yaml",))
    assert result.ok
    return result.program.servings[0]


def _mounts(tmp_path: Path) -> Any:
    from mldsl.runner.mounts import Mounts

    mounts = Mounts()
    mounts.add("s3://models", tmp_path / "models")
    return mounts


def test_plan_names_models_as_seldon_v2_does_and_fills_missing_copies_from_the_override(tmp_path: Path) -> None:
    from mldsl.ops.serve import plan_serving

    serving = _compiled(tmp_path)
    (tmp_path / "models" / "risk" / "2").mkdir(parents=True)
    (tmp_path / "models" / "risk" / "2" / "model").write_bytes(b"canary")
    (tmp_path / "mine.joblib").write_bytes(b"mine")
    plan = plan_serving(serving, _mounts(tmp_path), "mine.joblib", "--model-uri", cwd=tmp_path, available=lambda _: True)
    assert [(m.name, m.entry, m.weight) for m in plan.traffic] == [("risk-stable", "stable", 70), ("risk-canary", "canary", 30)]
    assert plan.shadow is not None and plan.shadow.name == "risk-shadow"
    assert plan.traffic[0].path == tmp_path / "mine.joblib" and plan.traffic[0].note is None
    assert plan.traffic[1].path == tmp_path / "models" / "risk" / "2" and plan.traffic[1].note is None  # its own copy
    assert plan.shadow.path == tmp_path / "mine.joblib"
    assert (
        plan.shadow.note == "s3://models/risk/3 has no copy on this machine: serving mine.joblib (from --model-uri) in its place"
    )
    assert {m.runtime for m in plan.models} == {"mlserver_sklearn.SKLearnModel"}


def test_plan_refuses_models_without_a_copy_and_a_missing_runtime(tmp_path: Path) -> None:
    from mldsl.ops.serve import ServeRefusedError, plan_serving

    serving = _compiled(tmp_path)
    with pytest.raises(ServeRefusedError) as missing:
        plan_serving(serving, _mounts(tmp_path), cwd=tmp_path, available=lambda _: True)
    assert [m for m, _ in missing.value.problems] == [
        f"risk-{e}: s3://models/risk/{i} has no copy on this machine" for i, e in ((1, "stable"), (2, "canary"), (3, "shadow"))
    ]
    with pytest.raises(ServeRefusedError) as no_server:
        plan_serving(serving, _mounts(tmp_path), cwd=tmp_path, available=lambda m: m != "mlserver")
    assert no_server.value.problems == [("MLServer is not installed", "pip install 'mldsl[serve]'")]
    xgb = _compiled(tmp_path, SERVING.replace("server: sklearn", "server: xgboost"))
    with pytest.raises(ServeRefusedError) as no_runtime:
        plan_serving(xgb, _mounts(tmp_path), cwd=tmp_path, available=lambda m: m != "mlserver_xgboost")
    assert no_runtime.value.problems == [
        ("serving risk: MLServer's xgboost runtime is not installed", "pip install 'mldsl[serve]' mlserver-xgboost==1.7.1")
    ]


def test_from_run_latest_takes_the_newest_succeeded_run_with_a_model(tmp_path: Path) -> None:
    from mldsl.ops.serve import ServeUsageError, find_run
    from mldsl.runner.store import Store

    store = Store(tmp_path / ".mldsl")
    runs = {
        "t-20260101-0001": {"status": "Succeeded", "started": "2026-01-01T00:00:00Z", "outputs": {"model": "file:///m/1"}},
        "t-20260102-0002": {"status": "Failed", "started": "2026-01-02T00:00:00Z", "outputs": {"model": "file:///m/2"}},
        "t-20260103-0003": {"status": "Succeeded", "started": "2026-01-03T00:00:00Z", "outputs": {},
                   "steps": {"train": {"phase": "Succeeded", "outputs": {"model": "file:///m/3"}}}},
        "t-20260104-0004": {"status": "Succeeded", "started": "2026-01-04T00:00:00Z", "outputs": {"auc": 0.9}},
    }  # fmt: skip
    for run_id, record in runs.items():
        (store.runs / run_id).mkdir(parents=True)
        (store.runs / run_id / "run.json").write_text(json.dumps({"run": run_id, "pipeline": "t", **record}))
    assert find_run([store], "latest", tmp_path) == ("t-20260103-0003", "file:///m/3")
    assert find_run([store], "t-20260101-0001", tmp_path) == ("t-20260101-0001", "file:///m/1")
    assert find_run([store], str(store.runs / "t-20260102-0002"), tmp_path) == ("t-20260102-0002", "file:///m/2")
    with pytest.raises(ServeUsageError, match="run t-20260104-0004 has no model output"):
        find_run([store], "t-20260104-0004", tmp_path)


def test_the_draw_follows_the_weights_and_the_seed(tmp_path: Path) -> None:
    from mldsl.ops.serve import ModelPlan, ServePlan
    from mldsl.serve.router import Routes

    def entry(name: str, weight: int) -> ModelPlan:
        return ModelPlan(f"api-{name}", name, weight, "sklearn", "r", "u", tmp_path)

    plan = ServePlan("api", (entry("stable", 90), entry("canary", 10)))
    first, second = Routes(plan, seed=3), Routes(plan, seed=3)
    a, b = [first.pick() for _ in range(5000)], [second.pick() for _ in range(5000)]
    assert a == b  # the same seed, the same draws
    assert abs(a.count("api-canary") / 5000 - 0.10) < 0.02
    assert Routes(ServePlan("api", (entry("only", 100),))).pick() == "api-only"
    assert not Routes(ServePlan("api", (ModelPlan("api", "default", 100, "sklearn", "r", "u", tmp_path),))).splits
