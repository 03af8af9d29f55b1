"""The built-in modules' code, run for real under the step contract on small data made here.

Each module runs as a local process with exactly the source the compiler puts
in the Argo script template (runtime prelude included), chained like the
churn-train example: read → split → train → evaluate → register, plus
check-metrics and notify-webhook (against a webhook server on 127.0.0.1).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

pd = pytest.importorskip("pandas", reason="the built-in modules' code needs the [modules] extra")
np = pytest.importorskip("numpy")
pytest.importorskip("sklearn", reason="the built-in modules' code needs the [modules] extra")

from mldsl.compiler import compile_paths, ir  # noqa: E402
from mldsl.lang.loader import builtin_modules_dir  # noqa: E402
from mldsl.lang.runtime import LocalResult, run_local  # noqa: E402


@pytest.fixture(scope="module")
def modules() -> dict[str, ir.Module]:
    result = compile_paths([builtin_modules_dir()])
    assert result.ok, "\n".join(d.render() for d in result.diagnostics)
    mods = {m.name: m for m in result.program.modules}
    assert len(mods) >= 6
    return mods


def run(mod: ir.Module, values: dict[str, Any], workdir: Path) -> LocalResult:
    assert isinstance(mod.run, ir.PythonRun)
    res = run_local(mod.run.source, mod.inputs, mod.outputs, values, workdir)
    return res


@pytest.fixture(scope="module")
def customers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(7)
    n = 600
    frame = pd.DataFrame(
        {
            "tenure": rng.integers(1, 72, n),
            "monthly_spend": rng.normal(60, 20, n).round(2),
            "tickets": rng.poisson(1.5, n),
            "plan": rng.choice(["basic", "pro"], n),
        }
    )
    logit = -2.0 + 0.9 * frame["tickets"] - 0.05 * frame["tenure"] + 0.02 * frame["monthly_spend"]
    frame["churned"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    path = tmp_path_factory.mktemp("data") / "customers.csv"
    frame.to_csv(path, index=False)
    return path


def test_training_chain(modules: dict[str, ir.Module], customers: Path, tmp_path: Path) -> None:
    read = run(modules["read-table"], {"source": customers}, tmp_path / "read")
    assert read.returncode == 0, read.stderr
    assert read.outputs["row_count"] == 600
    assert read.outputs["column_names"] == ["tenure", "monthly_spend", "tickets", "plan", "churned"]

    split = run(
        modules["split-dataset"],
        {"table": read.outputs["table"], "test_fraction": 0.25, "stratify": "churned"},
        tmp_path / "split",
    )
    assert split.returncode == 0, split.stderr
    assert (split.outputs["train_rows"], split.outputs["test_rows"]) == (450, 150)

    train = run(
        modules["train-sklearn"],
        {
            "train": split.outputs["train"],
            "target": "churned",
            "algorithm": "gradient_boosting",
            "n_estimators": 50,
            "max_depth": 2,
        },
        tmp_path / "train",
    )
    assert train.returncode == 0, train.stderr
    assert train.outputs["features"] == ["tenure", "monthly_spend", "tickets"]  # non-numeric 'plan' is left out
    assert 0.5 < train.outputs["train_accuracy"] <= 1.0

    ev = run(modules["evaluate-classifier"], {"model": train.outputs["model"], "test": split.outputs["test"]}, tmp_path / "eval")
    assert ev.returncode == 0, ev.stderr
    assert ev.outputs["auc"] > 0.7, ev.stdout
    report = json.loads(Path(ev.outputs["report"]).read_text())
    assert report["rows"] == 150 and report["auc"] == pytest.approx(ev.outputs["auc"], abs=1e-6)

    registry = tmp_path / "registry"
    for expected_version in (1, 2):
        reg = run(
            modules["register-model"],
            {
                "model": train.outputs["model"],
                "name": "churn",
                "registry": str(registry),
                "metadata": {"auc": str(ev.outputs["auc"])},
            },
            tmp_path / f"reg{expected_version}",
        )
        assert reg.returncode == 0, reg.stderr
        assert reg.outputs["version"] == expected_version
        assert Path(reg.outputs["uri"]).read_bytes() == Path(train.outputs["model"]).read_bytes()
    card = json.loads((registry / "churn" / "2" / "model.json").read_text())
    assert card["metadata"] == {"auc": str(ev.outputs["auc"])} and len(card["sha256"]) == 64


def test_read_table_refuses_unknown_columns(modules: dict[str, ir.Module], customers: Path, tmp_path: Path) -> None:
    res = run(modules["read-table"], {"source": customers, "columns": ["tenure", "nope"]}, tmp_path)
    assert res.returncode != 0 and "no such columns: nope" in res.stderr


def test_check_metrics(modules: dict[str, ir.Module], tmp_path: Path) -> None:
    ok = run(modules["check-metrics"], {"values": [0.9, 0.8, 0.85], "minimum": 0.75}, tmp_path / "a")
    assert ok.returncode == 0 and ok.outputs["passed"] is True
    assert ok.outputs["mean"] == pytest.approx(0.85) and ok.outputs["lowest"] == 0.8
    bad = run(modules["check-metrics"], {"values": [0.9, 0.6], "minimum": 0.75, "fail_below": True}, tmp_path / "b")
    assert bad.returncode == 1 and bad.outputs["passed"] is False


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, Any], str | None]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Hook.received.append((body, self.headers.get("Authorization")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_notify_webhook(modules: dict[str, ir.Module], tmp_path: Path) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        res = run(
            modules["notify-webhook"], {"url": url, "message": "done", "status": "Succeeded", "token": "t0k"}, tmp_path / "a"
        )
        assert res.returncode == 0, res.stderr
        assert res.outputs["http_status"] == 204
        assert _Hook.received[-1] == ({"text": "[Succeeded] done", "status": "Succeeded"}, "Bearer t0k")
        # unreachable webhook: reported as status 0, fails only when asked to
        dead = run(
            modules["notify-webhook"],
            {"url": "http://127.0.0.1:9/x", "message": "m", "timeout_seconds": 2, "fail_on_error": True},
            tmp_path / "b",
        )
        assert dead.returncode == 1 and dead.outputs["http_status"] == 0
        # issue #30 m7: the default (fail_on_error: false) succeeds, and says it was not delivered and why
        assert res.outputs["delivered"] is True and res.outputs["warning"] == ""
        quiet = run(
            modules["notify-webhook"], {"url": "http://127.0.0.1:9/x", "message": "m", "timeout_seconds": 2}, tmp_path / "c"
        )
        assert quiet.returncode == 0 and quiet.outputs["delivered"] is False
        assert quiet.outputs["warning"].startswith("the webhook message was not delivered to 127.0.0.1: no answer (")
    finally:
        server.shutdown()


def test_runtime_types_fan_out_lists(tmp_path: Path) -> None:
    """Argo hands a fan-out's outputs over as a JSON list of strings; the runtime restores the declared type."""
    from mldsl.lang.constraints import Param
    from mldsl.lang.mtypes import parse_type
    from mldsl.lang.runtime import prelude

    inputs = (Param("values", parse_type("list[float]")), Param("flags", parse_type("dict[str, bool]")))
    outputs = (Param("total", parse_type("float")), Param("on", parse_type("int")))
    source = prelude(inputs) + "write_output('total', sum(inputs['values']))\nwrite_output('on', sum(inputs['flags'].values()))\n"
    env_values = {"values": ["0.5", "0.25", 1], "flags": {"a": "true", "b": "false", "c": True}}
    res = run_local(source, inputs, outputs, env_values, tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.outputs == {"total": 1.75, "on": 2}
    assert "total=1.75" in res.stdout  # what metric collectors read


def test_the_library_image_has_every_package_the_modules_declare() -> None:
    """modules/Dockerfile installs what the built-in python modules list in `packages:` (issue #13: no pip, no
    internet at every step start when the Project's image is built from it)."""
    import re

    from conftest import ROOT

    dockerfile = (ROOT / "modules" / "Dockerfile").read_text()
    installed = set(re.findall(r'"([^"]+)"', dockerfile))
    declared = {
        p
        for f in (ROOT / "modules").rglob("module*.yaml")
        for p in yaml.safe_load(f.read_text())["spec"]["run"].get("python", {}).get("packages", [])
    }
    assert declared <= installed, declared - installed


def test_each_builtin_module_lives_in_a_folder_of_its_name() -> None:
    """Steps read a built-in module by its folder, so a check never loads the whole library."""
    for folder in sorted(p for p in builtin_modules_dir().iterdir() if p.is_dir() and list(p.glob("*.yaml"))):
        names = {yaml.safe_load(f.read_text())["metadata"]["name"] for f in folder.glob("*.yaml")}
        assert names == {folder.name}, folder


def test_a_compile_reads_only_the_builtin_modules_its_steps_name(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n"
        "  steps:\n    check: {uses: check-metrics@1, with: {metrics: '{}', rules: '{}'}}\n"
        "    typo: {uses: split-datasett@1}\n"
    )
    result = compile_paths([tmp_path / "p.yaml"])
    read = {d.name for d in result.workspace.documents if d.tier > 0}
    assert read == {"check-metrics"}
    missing = [d for d in result.diagnostics if d.code == "MLD400"]
    assert missing and missing[0].hint == "did you mean 'split-dataset'?", [str(d) for d in result.diagnostics]
