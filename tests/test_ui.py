"""`mldsl ui`: the local composer's API (checks, safe saves, security), the cluster actions, and a real browser.

The server runs in this process on 127.0.0.1 (a free port); requests go over
real HTTP. Cluster actions talk to the emulated API of ``kube_emulator``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml

from mldsl.lang.mtypes import assignable, parse_type
from mldsl.ui.compose import model_of, pipelines_in, render
from mldsl.ui.server import TOKEN_HEADER, Server
from mldsl.ui.studio import Studio

from conftest import ROOT, chromium, example_dirs, run_in_node, wait_js

EXAMPLES = {d.name: d for d in example_dirs()}
APP_JS = ROOT / "mldsl" / "ui" / "app.js"
ARTIFACTS = ROOT / "tests" / "artifacts"


class Client:
    def __init__(self, server: Server):
        self.server = server
        self.base = server.url.rstrip("/")

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        sent = {"Content-Type": "application/json", TOKEN_HEADER: self.server.csrf} if method == "POST" else {}
        sent.update(headers or {})
        data = json.dumps(body).encode() if method == "POST" else None
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
                return resp.status, json.loads(raw) if resp.headers.get_content_type() == "application/json" else raw.decode()
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())


@contextmanager
def studio_in_chromium(studio: Studio) -> Iterator[Any]:
    """Headless Chromium on the served studio's page, closed after."""
    with serve(studio) as client:
        browser = chromium()
        try:
            browser.get(client.server.url)
            yield browser
        finally:
            browser.quit()


@contextmanager
def serve(studio: Studio) -> Iterator[Client]:
    server = Server(studio, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Client(server)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The churn-train example, with a second version of its own module."""
    root = tmp_path / "project"
    shutil.copytree(EXAMPLES["churn-train"], root)
    v2 = (root / "modules" / "add-features" / "module.yaml").read_text()
    v3 = v2.replace("version: 2.3.0", "version: 3.0.0").replace(
        "    currency:", "    min_tenure: {type: int, default: 0, min: 0}\n    currency:"
    )
    (root / "modules" / "add-features-3").mkdir()
    (root / "modules" / "add-features-3" / "module.yaml").write_text(v3)
    return root


@pytest.fixture
def ui(project: Path) -> Iterator[Client]:
    with serve(Studio(project)) as client:
        yield client


def two_steps(name: str = "two-step") -> dict[str, Any]:
    return {
        "name": name,
        "description": "read a table and split it",
        "params": [{"name": "data", "type": "artifact", "default": "s3://ml-data/x.csv"}],
        "steps": [
            {"name": "load", "uses": "read-table@1.0.0", "with": {"source": "${{ params.data }}", "format": "csv"}},
            {
                "name": "split",
                "uses": "split-dataset@1.0.0",
                "with": {"table": "${{ steps.load.outputs.table }}", "test_fraction": 0.3},
            },
        ],
    }


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mldsl", "validate", str(path)], capture_output=True, text=True)


# --- the page and who may talk to the server ---------------------------------------------------------------


def test_the_page_is_self_contained_and_locked_down(ui: Client) -> None:
    req = urllib.request.Request(ui.base + "/")
    with urllib.request.urlopen(req) as resp:
        csp = resp.headers["Content-Security-Policy"]
        text = resp.read().decode()
        assert resp.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp and "frame-ancestors 'none'" in csp
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce and text.count(f'nonce="{nonce.group(1)}"') == 3  # the style, the vendored layout library, the app
    assert f'<meta name="mldsl-csrf" content="{ui.server.csrf}">' in text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), "the page must load nothing from elsewhere"


def test_requests_from_elsewhere_are_refused(ui: Client, project: Path) -> None:
    body = {"path": "pipelines/x.yaml", "token": None, "original": None, "model": two_steps()}
    assert ui.call("GET", "/api/files", headers={"Host": "attacker.example:80"})[0] == 403  # DNS rebinding
    assert ui.call("POST", "/api/save", body, headers={TOKEN_HEADER: ""})[0] == 403
    assert ui.call("POST", "/api/save", body, headers={TOKEN_HEADER: "guess"})[0] == 403
    assert ui.call("POST", "/api/save", body, headers={"Content-Type": "text/plain"})[0] == 415
    assert ui.call("POST", "/api/save", body, headers={"Origin": "http://attacker.example"})[0] == 403
    assert not (project / "pipelines" / "x.yaml").exists()
    assert ui.call("POST", "/api/save", body, headers={"Origin": ui.base})[0] == 200


# --- the library ------------------------------------------------------------------------------------------------


def test_the_library_lists_every_version_with_inputs_and_outputs(ui: Client) -> None:
    status, data = ui.call("GET", "/api/modules")
    assert status == 200 and data["problems"] == []
    by_name = {m["name"]: m for m in data["modules"]}
    assert [v["version"] for v in by_name["add-features"]["versions"]] == ["2.3.0", "3.0.0"]
    assert {v["origin"] for v in by_name["add-features"]["versions"]} == {"project"}
    v3 = by_name["add-features"]["versions"][1]
    assert [i["name"] for i in v3["inputs"]] == ["table", "window_days", "min_tenure", "currency"]
    read = by_name["read-table"]["versions"][0]
    assert read["origin"] == "built-in" and read["description"].startswith("Read a CSV")
    assert read["outputs"][0] == {
        "name": "table",
        "type": {"kind": "artifact", "format": "parquet"},
        "typeText": "artifact(parquet)",
        "description": "",
    }
    fmt = next(i for i in read["inputs"] if i["name"] == "format")
    assert fmt["values"] == ["auto", "csv", "parquet"] and fmt["default"] == "auto" and fmt["type"]["kind"] == "enum"


# --- checking: the compiler's diagnostics, at the fields they belong to -------------------------------------------------


def test_check_puts_each_diagnostic_at_its_field(ui: Client) -> None:
    body = {"path": "pipelines/new.yaml", "token": None, "original": None, "model": two_steps("Bad_Name")}
    status, data = ui.call("POST", "/api/check", body)
    assert status == 200 and {f: [d["code"] for d in ds] for f, ds in data["fields"].items()} == {"name": ["MLD105"]}
    model = two_steps()
    model["steps"][0]["with"]["format"] = "csvv"
    model["steps"][1]["with"]["test_fraction"] = 1.5
    model["steps"].append({"name": "extra", "uses": "no-such-module@1", "with": {}})
    status, data = ui.call("POST", "/api/check", {"path": "pipelines/new.yaml", "token": None, "original": None, "model": model})
    assert status == 200
    codes = {field: [d["code"] for d in diags] for field, diags in data["fields"].items()}
    assert codes["step:load:with:format"] == ["MLD308"]
    assert "1.5 must be less than 1.0" in data["fields"]["step:split:with:test_fraction"][0]["message"]
    assert codes["step:extra:uses"] == ["MLD400"]
    assert data["errors"] == 3 and data["order"] is None
    assert data["resolved"]["load"] == {"key": "read-table@1.0.0"}
    assert "not found" in data["resolved"]["extra"]["error"]
    assert data["paramTypes"] == {"data": {"kind": "artifact"}}
    assert yaml.safe_load(data["yaml"])["spec"]["steps"]["load"]["with"] == {"source": "${{ params.data }}", "format": "csvv"}


def test_check_of_a_good_pipeline_gives_its_order(ui: Client) -> None:
    body = {"path": "pipelines/new.yaml", "token": None, "original": None, "model": two_steps()}
    status, data = ui.call("POST", "/api/check", body)
    assert status == 200 and data["errors"] == 0 and data["fields"] == {}
    assert data["order"] == ["load", "split"]
    assert data["edges"] == [["load", "split", False]]


def test_a_parallelism_from_a_param_is_checked_at_its_field(ui: Client) -> None:
    """SPEC §1.10: a fan-out's ``parallelism`` takes a param; a value that is no count is refused at that field."""
    model = two_steps()
    model["params"].append({"name": "width", "type": "int", "default": 2})
    model["steps"][1]["props"] = {"for_each": [0.2, 0.3], "parallelism": "${{ params.width }}"}
    model["steps"][1]["with"]["test_fraction"] = "${{ item }}"
    body = {"path": "pipelines/new.yaml", "token": None, "original": None, "model": model}
    status, data = ui.call("POST", "/api/check", body)
    assert status == 200 and data["errors"] == 0, [d["message"] for ds in data["fields"].values() for d in ds]
    assert yaml.safe_load(data["yaml"])["spec"]["steps"]["split"]["parallelism"] == "${{ params.width }}"
    model["steps"][1]["props"]["parallelism"] = "${{ item }}"
    status, data = ui.call("POST", "/api/check", body)
    assert {f: [d["code"] for d in ds] for f, ds in data["fields"].items()} == {"step:split:prop:parallelism": ["MLD303"]}


def test_the_dag_has_the_compilers_edges(ui: Client) -> None:
    """Dependencies the composer does not edit (publish's `when` reads evaluate's AUC) are drawn too."""
    status, opened = ui.call("GET", "/api/open?path=pipelines/churn-train.yaml")
    body = {"path": opened["path"], "token": opened["token"], "original": opened["original"], "model": opened["model"]}
    status, data = ui.call("POST", "/api/check", body)
    assert status == 200 and data["errors"] == 0
    assert ["evaluate", "publish", True] in data["edges"] and ["train", "publish", True] in data["edges"]
    assert len(data["edges"]) == 7


# --- saving ------------------------------------------------------------------------------------------------------------


def test_save_writes_a_file_that_validates(ui: Client, project: Path) -> None:
    body = {"path": "pipelines/two-step.yaml", "token": None, "original": None, "model": two_steps()}
    status, data = ui.call("POST", "/api/save", body)
    assert status == 200 and data["saved"] and data["token"].startswith("sha256:")
    target = project / "pipelines" / "two-step.yaml"
    assert target.read_text() == data["yaml"]
    assert [p.name for p in target.parent.iterdir() if p.name.startswith(".")] == []  # no temporary file left
    p = validate(project)
    assert p.returncode == 0, p.stderr
    fmt = subprocess.run([sys.executable, "-m", "mldsl", "fmt", "--check", str(target)], capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr  # saved in the canonical layout
    again = ui.call("POST", "/api/save", body)
    assert again[0] == 409 and "already exists" in again[1]["error"]


def test_save_refuses_a_file_that_changed_on_disk(ui: Client, project: Path) -> None:
    status, opened = ui.call("GET", "/api/open?path=pipelines/churn-train.yaml")
    assert status == 200 and opened["original"] == "churn-train"
    target = project / "pipelines" / "churn-train.yaml"
    edited = target.read_text() + "# a colleague's edit\n"
    target.write_text(edited)
    model = opened["model"]
    model["steps"][1]["with"]["window_days"] = 60
    body = {"path": opened["path"], "token": opened["token"], "original": opened["original"], "model": model}
    status, data = ui.call("POST", "/api/save", body)
    assert status == 409 and data["conflict"] and "changed on disk" in data["error"]
    assert target.read_text() == edited
    # U16: the conflict shows the diff of mine over the disk's version, and its token saves exactly that
    added = [line for line in data["diff"].splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert "(on disk)" in data["diff"] and len(added) == 1 and "window_days: 60" in added[0]
    status, kept = ui.call("POST", "/api/save", {**body, "token": data["diskToken"]})
    assert status == 200, kept
    merged = target.read_text()
    assert merged.endswith("# a colleague's edit\n") and "window_days: 60" in merged  # both edits are kept
    target.write_text(edited)
    target.unlink()
    status, data = ui.call("POST", "/api/save", body)
    assert status == 409 and "was deleted" in data["error"] and not target.exists()


@pytest.mark.parametrize(
    "rel",
    [
        "../escape.yaml",
        "pipelines/../../escape.yaml",
        "/tmp/escape.yaml",
        "outside/escape.yaml",
        ".git/hooks.yaml",
        "mldsl.yaml",
        "notes.txt",
        "",
    ],
)
def test_save_refuses_paths_outside_the_project(ui: Client, project: Path, rel: str) -> None:
    outside = project.parent / "elsewhere"
    outside.mkdir(exist_ok=True)
    if not (project / "outside").exists():
        (project / "outside").symlink_to(outside, target_is_directory=True)  # a link out of the project
    before = sorted(p for p in project.parent.rglob("*") if p.is_file())
    status, data = ui.call("POST", "/api/save", {"path": rel, "token": None, "original": None, "model": two_steps()})
    assert status in (400, 403) and data["field"] == "path", data
    assert sorted(p for p in project.parent.rglob("*") if p.is_file()) == before


def test_save_refuses_a_pipeline_with_errors(ui: Client, project: Path) -> None:
    model = two_steps()
    model["steps"][1]["with"]["table"] = "${{ steps.load.outputs.row_count }}"  # an int where a table goes
    status, data = ui.call("POST", "/api/save", {"path": "pipelines/bad.yaml", "token": None, "original": None, "model": model})
    assert status == 422 and "nothing was written" in data["error"]
    assert data["report"]["fields"]["step:split:with:table"][0]["code"] == "MLD303"
    assert not (project / "pipelines" / "bad.yaml").exists()


def test_open_edit_save_keeps_everything_else(ui: Client, project: Path) -> None:
    target = project / "pipelines" / "churn-train.yaml"
    original = target.read_text()
    status, opened = ui.call("GET", "/api/open?path=pipelines/churn-train.yaml")
    step = opened["model"]["steps"][3]
    assert step["more"] == [] and sorted(step["props"]) == ["cache", "resources", "retries", "timeout"]  # U12: editable
    body = {"path": opened["path"], "token": opened["token"], "original": "churn-train", "model": opened["model"]}
    status, data = ui.call("POST", "/api/save", body)
    assert status == 200 and target.read_text() == original  # nothing edited: not a byte changed
    body["token"] = data["token"]
    body["model"]["steps"][1]["with"]["window_days"] = 60
    body["model"]["steps"][1]["uses"] = "add-features@3.0.0"
    status, data = ui.call("POST", "/api/save", body)
    assert status == 200, data
    changed = [(a, b) for a, b in zip(original.splitlines(), target.read_text().splitlines(), strict=True) if a != b]
    assert changed == [
        ("      uses: add-features@2", "      uses: add-features@3.0.0"),
        (
            '      with: {table: "${{ steps.load.outputs.table }}", window_days: 120}',
            '      with: {table: "${{ steps.load.outputs.table }}", window_days: 60}',
        ),
    ]


def test_renamed_steps_and_params_keep_what_the_composer_does_not_edit() -> None:
    text = (EXAMPLES["churn-train"] / "pipelines" / "churn-train.yaml").read_text()
    [doc] = pipelines_in(text)
    model = model_of(doc)
    model["params"][3].update(was="n_estimators", name="trees")
    model["steps"][3].update(was="train", name="fit")
    out = render(model, text, "churn-train")
    changed = [(a, b) for a, b in zip(text.splitlines(), out.splitlines(), strict=True) if a != b]
    assert changed == [
        (
            "    n_estimators: {type: int, default: 200, min: 10, max: 2000}",
            "    trees: {type: int, default: 200, min: 10, max: 2000}",
        ),
        ("    train:", "    fit:"),
        # issue #14 U1: what the composer does not edit follows the rename too
        ('    model: "${{ steps.train.outputs.model }}"', '    model: "${{ steps.fit.outputs.model }}"'),
        ('    model_uri: "${{ steps.train.outputs.model.uri }}"', '    model_uri: "${{ steps.fit.outputs.model.uri }}"'),
    ]


def test_a_rename_reaches_when_after_outputs_and_on_exit() -> None:
    """Issue #14 U1: renaming `evaluate` and `min_auc` rewrote `with:` only; `when`, outputs... kept the old names."""
    text = (EXAMPLES["churn-train"] / "pipelines" / "churn-train.yaml").read_text()
    text = text.replace("      uses: register-model@1.0.0\n", "      uses: register-model@1.0.0\n      after: evaluate\n")
    [doc] = pipelines_in(text)
    model = model_of(doc)
    model["params"][4].update(was="min_auc", name="auc_floor")
    model["steps"][4].update(was="evaluate", name="score")
    out = render(model, text, "churn-train")
    assert 'when: "${{ steps.score.outputs.auc >= params.auc_floor }}"' in out
    assert 'auc: "${{ steps.score.outputs.auc }}"' in out and "after: score" in out
    assert "steps.evaluate" not in out and "params.min_auc" not in out


def test_swapped_names_are_renamed_at_once() -> None:
    from mldsl.ui.compose import _rename_references

    spec = {"outputs": {"a": "${{ steps.x.outputs.v + steps.y.outputs.v }}"}, "steps": {"s": {"after": ["x", "y"]}}}
    _rename_references(spec, {"x": "y", "y": "x"}, {})
    assert spec == {"outputs": {"a": "${{ steps.y.outputs.v + steps.x.outputs.v }}"}, "steps": {"s": {"after": ["y", "x"]}}}


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_every_example_pipeline_round_trips_byte_for_byte(example: str) -> None:
    files = [f for f in EXAMPLES[example].rglob("*.yaml") if pipelines_in(f.read_text())]
    assert files or example == "churn-serving"
    for f in files:
        text = f.read_text()
        for doc in pipelines_in(text):
            assert render(model_of(doc), text, doc["metadata"]["name"]) == text, f


@pytest.mark.parametrize("first", [True, False], ids=["pipeline-first", "pipeline-second"])
def test_saving_one_pipeline_keeps_the_other_documents_bytes(first: bool) -> None:
    """Issue #12 item 4: a save rendered the whole file, so the file's other documents were reformatted."""
    pipeline = (EXAMPLES["churn-train"] / "pipelines" / "churn-train.yaml").read_text()
    other = (
        "# not canonical: flow maps, extra spaces, a 1e-3 and a timestamp\n"
        "apiVersion:   mldsl/v1\nkind: Module\nmetadata:   {version: 1.0.0, name: m, description: 2024-06-01T12:00:00.5Z}\n"
        "spec:\n    inputs: {lr: {type: float, default: 1e-3}}\n    run: {container: {image: busybox}}   \n"
    )
    text = pipeline + "---\n" + other if first else other + "---\n" + pipeline
    [doc] = pipelines_in(text)
    model = model_of(doc)
    assert render(model, text, "churn-train") == text
    model["steps"][1]["with"]["window_days"] = 60
    out = render(model, text, "churn-train")
    assert other in out and out.count("window_days: 60") == 1
    assert len(out.splitlines()) == len(text.splitlines())


def test_text_that_yaml_would_retype_is_quoted_when_saved() -> None:
    """Issue #14 U2: `no`, `on`, `1e-3` were written plain and read back as false, true, 0.001."""
    from mldsl.lang.yamlsource import load_yaml_text

    words = ["no", "yes", "on", "off", "12:30", "1e-3", "~", "true", "0x1F", "010", "plain words"]
    model = {
        "name": "p",
        "description": "",
        "params": [],
        "steps": [{"name": "a", "uses": "notify-webhook@1", "with": {f"k{i}": w for i, w in enumerate(words)}}],
    }
    text = render(model, None, None)
    [doc], diags = load_yaml_text(text, "p.yaml")
    assert not diags and list(doc.data["spec"]["steps"]["a"]["with"].values()) == words
    assert "k10: plain words" in text  # what needs no quotes gets none


# --- wiring: only type-compatible choices -----------------------------------------------------------------------------

TYPES = [
    "str", "int", "float", "bool", "artifact", "artifact(parquet)", "artifact(csv)", "secret", "enum", "list[int]",
    "list[float]", "list[str]", "dict[str, int]", "dict[str, float]", "list[list[int]]",
]  # fmt: skip
ENUMS = [("a", "b"), ("a",), (1, 2), (1.5, 2), (True,), ("a", 1)]


def _types() -> list[Any]:
    from mldsl.lang.mtypes import MType

    out: list[Any] = []
    for t in TYPES:
        if t.startswith("artifact("):
            out.append(MType("artifact", format=t[9:-1]))
        elif t != "enum":
            out.append(parse_type(t))
    out += [MType("enum", values=v) for v in ENUMS]
    return [*out, MType("any")]


def test_python_and_javascript_agree_on_what_may_be_wired(tmp_path: Path) -> None:
    from mldsl.ui.studio import type_json

    types = _types()
    pairs = [(a, b) for a in types for b in types]
    cases = [[type_json(a), type_json(b)] for a, b in pairs]
    got = run_in_node(APP_JS, "cases.map(([a, b]) => assignable(a, b))", cases, tmp_path)
    expected = [assignable(a, b) for a, b in pairs]
    mismatches = [(str(a), str(b), e) for (a, b), e, g in zip(pairs, expected, got, strict=True) if e != g]
    assert mismatches == [], f"Python and JavaScript disagree on {mismatches}"
    assert len(pairs) > 300 and 0.05 < sum(expected) / len(expected) < 0.5


# --- the cluster: apply, submit and sweep launch through the same code as the CLI --------------------------------------------


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    pytest.importorskip("kubernetes", reason="the kubernetes client is a dependency of mldsl apply")
    from kube_emulator import KubeEmulator, kubeconfig

    with KubeEmulator() as emu:
        config = tmp_path / "kubeconfig"
        config.write_text(kubeconfig(emu.url, namespace="ml"))
        monkeypatch.setenv("KUBECONFIG", str(config))
        monkeypatch.delenv("ARGO_SERVER", raising=False)
        yield emu


def test_apply_submit_and_launch_from_the_ui(cluster: Any, tmp_path: Path) -> None:
    """Runs go to the Project's namespace (ml-train), where apply puts the template, not the context's (ml)."""
    root = tmp_path / "gpu"
    shutil.copytree(EXAMPLES["gpu-training"], root)
    with serve(Studio(root)) as client:
        status, files = client.call("GET", "/api/files")
        assert files["cluster"]["configured"] and [s["name"] for s in files["sweeps"]] == ["ranker-random", "ranker-tpe"]
        status, runs = client.call("GET", "/api/runs")
        assert [f["name"] for f in runs["pipelines"]["ranker-training"]] == ["day", "epochs", "learning_rate", "workers"]
        status, data = client.call("POST", "/api/submit", {"pipeline": "ranker-training", "params": {}})
        assert status == 502 and "not found" in data["error"]  # nothing applied yet: the cluster says so
        status, data = client.call("POST", "/api/launch", {"sweep": "ranker-tpe"})  # Katib runs it once it exists
        assert status == 200 and data["started"] == ["experiment/ranker-tpe created"]
        assert ("kubeflow.org", "v1beta1", "ml-train", "experiments", "ranker-tpe") in cluster.store
        status, data = client.call("POST", "/api/apply", {})
        assert status == 200 and "workflowtemplate/ranker-training created" in data["lines"]
        assert "experiment/ranker-tpe unchanged" in data["lines"]
        status, data = client.call("POST", "/api/submit", {"pipeline": "ranker-training", "params": {"epochs": 500}})
        assert status == 422 and "500 is above the maximum 200" in data["error"]
        status, data = client.call("POST", "/api/submit", {"pipeline": "ranker-training", "params": {"epochs": 40}})
        assert status == 200 and data["workflow"].startswith("ranker-training-"), data
        run = cluster.store[("argoproj.io", "v1alpha1", "ml-train", "workflows", data["workflow"])]
        assert run["spec"]["arguments"]["parameters"] == [{"name": "epochs", "value": "40"}]
        status, data = client.call("POST", "/api/launch", {"sweep": "ranker-random"})
        assert status == 200 and data["started"][0].startswith("workflow/ranker-random-"), data
        driver = cluster.store[("argoproj.io", "v1alpha1", "ml-train", "workflows", data["started"][0].split("/")[1])]
        assert driver["metadata"]["labels"]["mldsl.io/sweep"] == "ranker-random"


def test_cluster_actions_refuse_a_project_with_errors(cluster: Any, tmp_path: Path) -> None:
    root = tmp_path / "gpu"
    shutil.copytree(EXAMPLES["gpu-training"], root)
    (root / "broken.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {name: Broken}\nspec: {steps: {a: {uses: nope@1}}}\n"
    )
    with serve(Studio(root)) as client:
        for route, body in (
            ("/api/apply", {}),
            ("/api/submit", {"pipeline": "ranker-training"}),
            ("/api/launch", {"sweep": "ranker-tpe"}),
        ):
            status, data = client.call("POST", route, body)
            assert (
                status == 422
                and "error(s) in the project" in data["error"]
                and data["problems"][0]["path"].endswith("broken.yaml")
            )
    assert not [r for r in cluster.requests if r["method"] != "GET"]


def test_launch_through_the_argo_server(cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "gpu"
    shutil.copytree(EXAMPLES["gpu-training"], root)
    monkeypatch.setenv("ARGO_SERVER", cluster.url)
    monkeypatch.setenv("ARGO_TOKEN", cluster.argo_token)
    monkeypatch.setenv("ARGO_NAMESPACE", "ml")
    with serve(Studio(root)) as client:
        assert client.call("GET", "/api/files")[1]["cluster"]["via"] == f"Argo Server {cluster.url}"
        status, data = client.call("POST", "/api/launch", {"sweep": "ranker-random"})
        assert status == 200 and data["started"][0].startswith("workflow/ranker-random-"), data
    [post] = [r for r in cluster.requests if r["method"] == "POST"]
    assert post["path"] == "/api/v1/workflows/ml-train"  # the Project's namespace, where apply puts the template


def test_without_a_cluster_the_ui_says_so(ui: Client, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    monkeypatch.delenv("ARGO_SERVER", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    assert ui.call("GET", "/api/files")[1]["cluster"]["configured"] is False


# --- the command -------------------------------------------------------------------------------------------------------


def test_the_command_serves_on_127_0_0_1(project: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "mldsl", "ui", str(project), "--port", "0"], stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline() if proc.stderr else ""
        url = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert url, line
        with urllib.request.urlopen(url.group(0) + "api/files", timeout=10) as resp:
            assert json.loads(resp.read())["root"] == str(project.resolve())
        busy = subprocess.run(
            [sys.executable, "-m", "mldsl", "ui", str(project), "--port", url.group(1)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert busy.returncode == 2 and "choose another --port" in busy.stderr
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# --- a real browser ----------------------------------------------------------------------------------------------------------


def test_compose_a_two_step_pipeline_in_chromium_and_save_it(project: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    with studio_in_chromium(Studio(project)) as browser:
        css = lambda q: browser.find_element(By.CSS_SELECTOR, q)  # noqa: E731
        checks = lambda: int(css("body").get_attribute("data-checks") or 0)  # noqa: E731

        def settle(before: int) -> str:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                status = css("#status").text
                if checks() > before and not status.startswith("checking"):
                    return status
                time.sleep(0.05)
            raise AssertionError("the page never finished checking")

        def shows(selector: str, text: str) -> str:
            """The element's text once it holds ``text``: a check may land between two keystrokes."""
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                got = css(selector).text
                if text in got and not css("#status").text.startswith("checking"):
                    return got
                time.sleep(0.05)
            return css(selector).text

        settle(0)
        css("#search").send_keys("parquet split")
        assert [e.get_attribute("data-module") for e in browser.find_elements(By.CSS_SELECTOR, ".module")] == ["split-dataset"]
        css("#search").clear()
        css("#search").send_keys(" ")
        n = checks()
        css('[data-module="read-table"] .add-step').click()
        settle(n)
        n = checks()
        css('[data-module="split-dataset"] .add-step').click()
        assert "problem" in settle(n)
        # steps are named as people name them (issue #14 U14): the module's first word
        assert "required input 'table'" in css('[data-err="step:split"]').text

        # only outputs whose type fits are offered: a parquet table, not the row count or the column names
        source = Select(css('[data-field="step:split:with:table"] select.source'))
        offered = [o.get_attribute("value") for o in source.options]
        assert offered == ["unset", "value", "expr", "ref:steps.read.outputs.table"]
        # a column name is not offered a file's location (U9); the first step is offered no later step's output
        stratify = Select(css('[data-field="step:split:with:stratify"] select.source'))
        assert not [o for o in stratify.options if ".uri" in (o.get_attribute("value") or "")]
        first = Select(css('[data-field="step:read:with:source"] select.source'))
        assert not [o for o in first.options if "steps.split" in (o.get_attribute("value") or "")]
        n = checks()
        source.select_by_value("ref:steps.read.outputs.table")
        settle(n)
        assert browser.find_elements(By.CSS_SELECTOR, '[data-edge="read->split"]')

        n = checks()
        Select(css('[data-field="step:read:with:source"] select.source')).select_by_value("value")
        css('[data-field="step:read:with:source"] .slot input').send_keys("s3://ml-data/churn.csv")
        settle(n)
        fraction = css('[data-field="step:split:with:test_fraction"] select.source')
        Select(fraction).select_by_value("value")
        box = css('[data-field="step:split:with:test_fraction"] .slot input')
        box.clear()
        n = checks()
        box.send_keys("1.5")
        settle(n)
        assert "1.5 must be less than 1.0" in shows('[data-err="step:split:with:test_fraction"]', "1.5 must")
        assert "invalid" in (css('[data-field="step:split:with:test_fraction"]').get_attribute("class") or "")
        assert box.get_attribute("aria-invalid") == "true"  # U15: the mark is there for a screen reader too
        assert css("#save").get_attribute("disabled") is not None
        box.clear()
        n = checks()
        box.send_keys("0.3")
        settle(n)

        # renaming a step rewrites the references to it
        from selenium.webdriver.common.keys import Keys

        rename = css('[data-step="read"] input.step-name')
        rename.clear()
        n = checks()
        rename.send_keys("load", Keys.TAB)
        settle(n)
        assert 'table: "${{ steps.load.outputs.table }}"' in css("#yaml").text
        assert browser.find_elements(By.CSS_SELECTOR, '[data-edge="load->split"]')

        path = css("#path")
        path.clear()
        path.send_keys("pipelines/two-step.yaml")
        name = css("#pipeline-name")
        name.clear()
        n = checks()
        name.send_keys("two-step")
        assert settle(n) == "valid: 2 steps in order load → split"
        assert len(browser.find_elements(By.CSS_SELECTOR, "#dag [data-node]")) == 2
        css("#save").click()
        deadline = time.monotonic() + 20
        while css("#save-status").text in ("", "saving…") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert css("#save-status").text == "saved pipelines/two-step.yaml"
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "ui-compose.png"))
        severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert severe == []
    saved = yaml.safe_load((project / "pipelines" / "two-step.yaml").read_text())
    # pinned as people write it (U14): the newest version of major 1
    assert saved["spec"]["steps"] == {
        "load": {"uses": "read-table@1", "with": {"source": "s3://ml-data/churn.csv"}},
        "split": {
            "uses": "split-dataset@1",
            "with": {"table": "${{ steps.load.outputs.table }}", "test_fraction": 0.3},
        },
    }
    p = validate(project / "pipelines" / "two-step.yaml")
    assert p.returncode == 0, p.stderr
    assert os.path.getsize(ARTIFACTS / "ui-compose.png") > 10_000


def test_apply_run_and_launch_from_the_page(cluster: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    root = tmp_path / "gpu"
    shutil.copytree(EXAMPLES["gpu-training"], root)
    with studio_in_chromium(Studio(root)) as browser:
        css = lambda q: browser.find_element(By.CSS_SELECTOR, q)  # noqa: E731

        def log_after(button: str, count: int) -> list[str]:
            css(button).click()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                lines = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#cluster-log li")]
                if len(lines) >= count:
                    return lines
                time.sleep(0.05)
            raise AssertionError(f"no answer to {button}")

        deadline = time.monotonic() + 20
        while not browser.find_elements(By.ID, "submit-run") and time.monotonic() < deadline:
            time.sleep(0.05)
        lines = log_after("#apply", 1)
        assert "workflowtemplate/ranker-training created" in lines
        from selenium.webdriver.common.keys import Keys

        epochs = css('.run-form [data-name="epochs"] input')
        assert "at most 200" in css('.run-form [data-name="epochs"]').text  # the limits, before typing (U6)
        epochs.send_keys(Keys.BACKSPACE * 4, "400")
        # checked as typed, at the field (U6): the run cannot start, and the page says why
        assert "400 is above the maximum 200" in css('.run-form [data-name="epochs"]').text
        assert epochs.get_attribute("aria-invalid") == "true"
        assert css("#submit-run").get_attribute("disabled") is not None and "Fix the param" in css("#run-why").text
        deadline = time.monotonic() + 20  # the cluster's copy was just applied: it matches
        while "matches" not in css("#cluster-state").text and time.monotonic() < deadline:
            time.sleep(0.05)
        assert css("#cluster-state").text == "The cluster's copy matches the saved file."
        epochs.send_keys(Keys.BACKSPACE * 3, "40")
        submit = css("#submit-run")
        browser.execute_script("arguments[0].click(); arguments[0].click();", submit)  # issue #14 U5: a double click
        deadline = time.monotonic() + 20
        while (
            len(browser.find_elements(By.CSS_SELECTOR, "#cluster-log li")) <= len(lines) or submit.get_attribute("aria-busy")
        ) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        lines = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#cluster-log li")]
        assert re.fullmatch(r"workflow/ranker-training-\d+ submitted", lines[0]), lines
        assert sum("submitted" in line for line in lines) == 1, lines  # one run, not two
        Select(css("#launch-sweep")).select_by_value("ranker-random")
        lines = log_after("#launch", len(lines) + 1)
        assert re.fullmatch(r"workflow/ranker-random-\d+ started", lines[0]), lines
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "ui-cluster.png"))
    runs = [k for k in cluster.store if k[3] == "workflows"]
    assert len(runs) == 2


def test_checks_of_one_opened_file_do_not_leak_into_each_other() -> None:
    """The parse of an opened file is cached between checks; each render starts from the file as opened."""
    existing = (
        "# the team's pipeline\napiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  steps:\n"
        "    a:  # first\n      uses: check-metrics@1\n      with: {metrics: x}\n      retries: 2\n"
    )
    model = model_of(pipelines_in(existing)[0])
    renamed = json.loads(json.dumps(model))
    renamed["steps"][0].update(name="b", was="a")
    first = render(renamed, existing, "p")
    again = render(renamed, existing, "p")  # a renamed step must still find its old self ("was": a)
    assert first == again and "retries: 2" in first and "# first" in first
    assert render(model, existing, "p") == existing


def _random_pipeline(rnd: Any) -> str:
    lines = ["# header", "apiVersion: mldsl/v1", "kind: Pipeline", "metadata:", "  name: p", "spec:"]
    if rnd.random() < 0.5:
        lines += ["  params:", "    day: {type: str, default: x}  # the day"]
    lines.append("  steps:")
    for i in range(rnd.randint(1, 6)):
        if rnd.random() < 0.2:
            lines.append(rnd.choice(["", "    # about the next step", "      # deep"]))
        lines.append(f"    s{i}:" + (" # eol" if rnd.random() < 0.2 else ""))
        lines.append(f"      uses: {rnd.choice(['check-metrics@1', 'split-dataset@1'])}")
        if rnd.random() < 0.7:
            lines.append(f"      with: {{metrics: m{i}, n: {i}}}")
        if rnd.random() < 0.3:
            lines.append("      retries: 2  # flaky")
        if rnd.random() < 0.2:
            lines += ["      when: |", "        ${{ params.day }} != 'x'"]
    if rnd.random() < 0.3:
        lines += ["  outputs:", "    x: ${{ steps.s0.outputs.out }}"]
    if rnd.random() < 0.3:
        lines.append("# trailing")
    text = "\n".join(lines) + "\n"
    if rnd.random() < 0.3:
        text += "---\napiVersion: mldsl/v1\nkind: Project\nmetadata: {name: x}  # other\n"
    return text


def test_a_check_that_re_renders_only_the_changed_steps_gives_the_full_render() -> None:
    """compose._splice against the full ruamel render on generated files and edits."""
    import random

    from mldsl.fmt.format import _yaml, dump_canonical
    from mldsl.ui import compose

    spliced = 0
    for seed in range(150):
        rnd = random.Random(seed)
        existing = _random_pipeline(rnd)
        compose._RENDERS.clear()
        model = model_of(pipelines_in(existing)[0])
        render(model, existing, "p")  # the first check: a full render, remembered
        for _ in range(3):
            edited = json.loads(json.dumps(model))
            for step in rnd.sample(edited["steps"], rnd.randint(1, len(edited["steps"]))):
                pick = rnd.random()
                if pick < 0.4:
                    step["with"]["metrics"] = rnd.choice(["changed", "${{ params.day }}", "two words", "two\nlines"])
                elif pick < 0.6:
                    step["with"] = {}
                elif pick < 0.8:
                    step["uses"] = "train-sklearn@1"
                else:
                    step["with"]["extra"] = [1, 2]
            fast = compose._splice(edited, existing, "p")
            docs = compose._parsed(existing)
            compose._apply(edited, docs, "p")
            full = dump_canonical(_yaml(), docs)
            if fast is not None:
                spliced += 1
                assert fast == full, existing
    assert spliced > 300, spliced


def test_an_alias_bomb_in_the_project_is_refused_not_expanded_into_json(tmp_path: Path) -> None:
    """/api/open and /api/files read with the CLI's loader and its bounds (issue #12, item 6)."""
    (tmp_path / "mldsl.yaml").write_text("apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: b}\nspec: {}\n")
    lines = [
        "apiVersion: mldsl/v1",
        "kind: Pipeline",
        "metadata: {name: bomb}",
        "spec:",
        "  a0: &a0 [" + ", ".join(["lol"] * 10) + "]",
    ]
    lines += [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    with serve(Studio(tmp_path)) as client:
        status, data = client.call("GET", "/api/open?path=bomb.yaml")
        assert status == 422 and "MLD005" in data["error"] and len(json.dumps(data)) < 2000
        status, files = client.call("GET", "/api/files")
        assert status == 200 and files["pipelines"] == []


def test_an_edit_made_while_a_save_compiles_is_not_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The changed-on-disk check runs again right before the rename (issue #12, item 5)."""
    root = tmp_path / "p"
    shutil.copytree(EXAMPLES["churn-train"], root)
    studio = Studio(root)
    opened = studio.open("pipelines/churn-train.yaml")
    target = root / "pipelines" / "churn-train.yaml"
    compile_it = studio._compile

    def slow_compile(path: Path, text: str) -> Any:
        target.write_text(target.read_text() + "# an edit made in the editor meanwhile\n")
        return compile_it(path, text)

    monkeypatch.setattr(studio, "_compile", slow_compile)
    opened["model"]["description"] = "changed in the composer"
    with pytest.raises(Exception, match="changed on disk while it was checked") as refused:
        studio.save(opened)
    assert getattr(refused.value, "status", 409) == 409
    assert target.read_text().endswith("# an edit made in the editor meanwhile\n")


def test_writes_keep_the_mode_and_symlinks_and_leave_no_temp_files(tmp_path: Path) -> None:
    """Issue #12, item 9: mkstemp's 0600 is not what a save or a compile should leave behind."""
    from mldsl.util.atomic import write_atomically

    kept = tmp_path / "kept.yaml"
    kept.write_text("a: 1\n")
    kept.chmod(0o664)
    real = tmp_path / "real.yaml"
    real.write_text("b: 1\n")
    (tmp_path / "link.yaml").symlink_to(real)
    old = os.umask(0o022)
    try:
        write_atomically(tmp_path, [("kept.yaml", "a: 2\n"), ("new.yaml", "n: 1\n"), ("link.yaml", "b: 2\n")])
    finally:
        os.umask(old)
    assert (kept.stat().st_mode & 0o777, kept.read_text()) == (0o664, "a: 2\n")
    assert (tmp_path / "new.yaml").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "link.yaml").is_symlink() and real.read_text() == "b: 2\n"

    def refuse() -> None:
        raise RuntimeError("changed meanwhile")

    with pytest.raises(RuntimeError):
        write_atomically(tmp_path, [("kept.yaml", "a: 3\n")], precondition=refuse)
    assert kept.read_text() == "a: 2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.yaml", "link.yaml", "new.yaml", "real.yaml"]


def page_idle(browser: Any, seconds: float = 20) -> None:
    """Until no live check is scheduled or on its way: only then can the page not redraw its cards by itself."""
    wait_js(browser, "return typeof S !== 'undefined' && !S.pending && !S.inflight", seconds)


def idle_find(browser: Any, query: str) -> Any:
    """The element once the page is idle: a check's answer may draw the cards and the DAG again."""
    page_idle(browser)
    return browser.find_element("css selector", query)


def _raw(server: Server, head: str, body: bytes = b"", wait: float = 5.0) -> str:
    """Send bytes as a client would, and read the status line (or '' if the server closed at once)."""
    import socket

    with socket.create_connection(("127.0.0.1", server.server_port), timeout=wait) as sock:
        sock.sendall(head.encode() + b"\r\n" + body)
        try:
            return sock.recv(200).decode(errors="replace").split("\r\n")[0]
        except TimeoutError:
            return "timeout"


#: how long a silent connection holds its slot in the test below: a busy CI machine needs seconds to accept two
HOLD = 4


def test_malformed_requests_get_4xx_and_free_their_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue #12, item 11: bad Content-Length, deep JSON, short bodies, too many connections, symlinks outside."""
    from mldsl.ui import server as server_module

    monkeypatch.setattr(server_module.Handler, "timeout", HOLD)  # long enough to hold two slots on a busy machine
    monkeypatch.setattr(server_module, "MAX_CONNECTIONS", 2)
    monkeypatch.setattr(server_module, "DISPLACE_AFTER", 3600)  # the refusal when full (displacing: test_ui_hostile)
    root = tmp_path / "p"
    shutil.copytree(EXAMPLES["churn-train"], root)
    outside = tmp_path / "outside.yaml"
    outside.write_text("apiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {name: secret}\nspec: {steps: {}}\n")
    (root / "pipelines" / "linked.yaml").symlink_to(outside)
    with serve(Studio(root)) as client:
        server = client.server
        port = server.server_port

        def post(length: str, body: bytes, wait: float = 5.0) -> str:
            deadline = time.monotonic() + 5  # the last request's thread gives its slot back after its reply is sent
            while server._slots._value < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            head = (
                f"POST /api/check HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                f"{TOKEN_HEADER}: {server.csrf}\r\nContent-Length: {length}\r\n"
            )
            return _raw(server, head, body, wait=wait)

        assert " 400 " in post("abc", b"{}")
        assert " 400 " in post("-1", b"{}")
        deep = b"[" * 100_000 + b"]" * 100_000
        assert " 400 " in post(str(len(deep)), deep)
        assert " 408 " in post("100", b"{}", wait=HOLD + 5)  # the rest never comes: refused when the timeout passes
        status, files = client.call("GET", "/api/files")
        assert status == 200 and "secret" not in json.dumps(files)
        import socket

        def freed() -> None:  # a closed client's thread reads the end of its stream and gives its slot back
            deadline = time.monotonic() + HOLD + 2
            while server._slots._value < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert server._slots._value == 2, "the held connections' threads did not give their slots back"

        # A stalled machine can let both held connections time out before the probe: then the probe proves
        # nothing, and the phase is tried again (the slots must still be taken after the probe).
        for _attempt in range(3):
            held = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]  # clients that send nothing
            try:
                deadline = time.monotonic() + HOLD
                while server._slots._value and time.monotonic() < deadline:  # until the server has accepted both
                    time.sleep(0.05)
                if server._slots._value:
                    continue
                probe = _raw(server, f"GET /api/files HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n", wait=0.5)
                if server._slots._value == 0:
                    assert probe in ("", "timeout"), probe
                    break
            finally:
                for sock in held:
                    sock.close()
                freed()
        else:
            pytest.fail("the server never held both silent connections at once")
        assert client.call("GET", "/api/files")[0] == 200


def test_apply_is_offered_only_where_it_can_work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Issue #14 U6: with only ARGO_SERVER set, "Apply project" was offered and failed (apply needs the k8s API)."""
    from mldsl.ui.studio import cluster_configured

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.setenv("ARGO_SERVER", "localhost:2746")
    assert cluster_configured()["configured"] and not cluster_configured()["can_apply"]
    (tmp_path / "kc").write_text("apiVersion: v1\n")
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "kc"))
    assert cluster_configured()["can_apply"]


def test_hints_are_phrased_for_the_form() -> None:
    """Issue #14 U13: the compiler's hints speak YAML; the composer's user sees cards and fields."""
    hints = [
        "add it under 'with:' (int)",
        "quote the value to make it a string",
        "for example 1.2.0 (quote it in YAML if it looks like a number)",
    ]
    got = run_in_node(APP_JS, "cases.map(formHint)", hints, Path(__file__).parent / "artifacts")
    assert got[0] == "set it in the step's card (choose a value, an expression or a wire) (int)"
    assert "quote" not in " ".join(got) and "YAML" not in " ".join(got) and "with:" not in " ".join(got)


def test_the_dag_undo_and_retyping_in_chromium(tmp_path: Path) -> None:
    """Issue #14 U4 (layout, hover, params, exit, keyboard), U8 (the module's inputs fit), U10 (undo), U11."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    root = tmp_path / "churn"
    shutil.copytree(EXAMPLES["churn-train"], root)
    with studio_in_chromium(Studio(root)) as browser:
        css = partial(idle_find, browser)

        until = partial(wait_js, browser)

        until("return document.querySelectorAll('#open option').length > 1")
        Select(css("#open")).select_by_index(1)
        until("return /^valid/.test(document.getElementById('status').textContent) && document.querySelector('#dag [data-exit]')")
        # U4: no edge runs through a step it does not join (split→evaluate and train→publish skip a layer)
        crossings = browser.execute_script(
            """const boxes = [...document.querySelectorAll('#dag [data-node]')]
              .map(n => [n.dataset.node, n.querySelector('rect').getBBox()]);
            const out = [];
            document.querySelectorAll('#dag path.edge').forEach(p => {
              const [a, b] = p.dataset.edge.split('->'), len = p.getTotalLength();
              for (let t = 0; t <= len; t += 2) {
                const q = p.getPointAtLength(t);
                boxes.forEach(([n, r]) => {
                  const inside = q.x > r.x + 1 && q.x < r.x + r.width - 1 && q.y > r.y + 1 && q.y < r.y + r.height - 1;
                  if (n !== a && n !== b && inside) out.push(p.dataset.edge + ' through ' + n);
                });
              }
            });
            return [...new Set(out)];"""
        )
        assert crossings == []
        hover = css('[data-edge="split->evaluate"]').find_element(By.XPATH, "..").find_element(By.TAG_NAME, "title")
        assert hover.get_attribute("textContent") == "split → evaluate: test → test"
        assert "notify-webhook" in css("#dag [data-exit]").get_attribute("textContent")
        chip = css('[data-param-chip="min_auc"]')
        assert chip.get_attribute("aria-label") == "min_auc (float), read by publish"
        # keyboard: a node is a button that takes you to its step's card
        node = css('#dag [data-node="train"]')
        node.send_keys(Keys.ENTER)
        assert browser.switch_to.active_element == css('[data-step="train"] input.step-name')
        # U8: an opened module's inputs fit its column, and its description is shown once
        css('[data-module="train-sklearn"] .module-head').click()
        card = css('[data-module="train-sklearn"]')
        assert browser.execute_script("return arguments[0].scrollWidth <= arguments[0].clientWidth", card)
        description = card.find_element(By.CLASS_NAME, "desc").text
        assert card.text.count(description) == 1
        # U10: removing a step says who read from it and can be undone
        css('[data-step="split"] button.remove').click()
        until("return document.getElementById('undo')")
        assert "train, evaluate read from it" in css("#undo-bar").text
        until("return document.querySelector('[data-field=\"step:train:with:train\"] select.source')")
        test_source = Select(css('[data-field="step:evaluate:with:test"] select.source'))
        assert "was removed" in test_source.first_selected_option.text
        css("#undo").click()
        until("return document.querySelectorAll('#steps > [data-step]').length === 6")
        until("return /^valid/.test(document.getElementById('status').textContent)")
        # U11: a param's default that does not fit its new type is dropped, and the readers still know it
        Select(css('[aria-label="type of param n_estimators"]')).select_by_value("bool")
        until("return !document.getElementById('status').textContent.startsWith('checking')")
        default = css('[aria-label="default of param n_estimators"]')
        assert default.get_attribute("value") == ""
        # U12: a secret param can be declared here; it takes no default (MLD500)
        Select(css('[aria-label="type of param webhook"]')).select_by_value("secret")
        page_idle(browser)
        assert css('[aria-label="default of param webhook"]').get_attribute("disabled") is not None
        assert "unknown param" not in css("#composer").text


def test_step_properties_params_and_pipeline_settings_in_chromium(tmp_path: Path) -> None:
    """Issue #14 U12: what was not editable here is, with the CLI's checks shown at the field."""
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    root = tmp_path / "churn"
    shutil.copytree(EXAMPLES["churn-train"], root)
    target = root / "pipelines" / "churn-train.yaml"
    with studio_in_chromium(Studio(root)) as browser:

        def css(q: str) -> Any:  # in the middle of the screen: the sticky Save bar covers the bottom
            found = idle_find(browser, q)
            browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", found)
            return found

        until = partial(wait_js, browser)

        def settled() -> str:  # the check of the last edit has answered (an edit schedules one at once)
            page_idle(browser)
            return css("#status").text

        until("return document.querySelectorAll('#open option').length > 1")
        Select(css("#open")).select_by_index(1)
        until("return /^valid/.test(document.getElementById('status').textContent)")
        # a step's timeout: a bad one is the compiler's error at that field, and opens the panel
        css('[data-props="train"] > summary').click()
        timeout = css('[data-field="step:train:prop:timeout"] input')
        assert timeout.get_attribute("value") == "2h"
        timeout.send_keys(Keys.BACKSPACE * 2, "2x")
        assert "problem" in settled()
        until("return document.querySelector('[data-err=\"step:train:prop:timeout\"]').textContent.includes('MLD')")
        assert timeout.get_attribute("aria-invalid") == "true"
        timeout.send_keys(Keys.BACKSPACE * 2, "45m")
        assert settled().startswith("valid")
        css('[data-field="step:train:prop:retries"] input').send_keys(Keys.BACKSPACE, "3")
        css('[data-props="features"] > summary').click()
        css('[data-field="step:features:prop:when"] input').send_keys("${{ params.n_estimators > 10 }}")
        # a param's description and limits; enum values as rows
        param = css('[data-field="param:n_estimators"]')
        browser.execute_script("arguments[0].querySelector('summary').click()", param)
        css('[id="f-param-n_estimators-description"]').send_keys("Trees in the forest")
        algo = css('[data-field="param:algorithm"]')
        browser.execute_script("arguments[0].querySelector('button.add').click()", algo)
        browser.switch_to.active_element.send_keys("extra_trees")
        assert "problem" in settled()  # the module's input takes three algorithms: the compiler says so there
        until("return document.querySelector('[data-err=\"step:train:with:algorithm\"]').textContent.includes('MLD303')")
        css('[aria-label="remove values of param algorithm item 4"]').click()
        # the pipeline's outputs and schedule
        css("#pipeline-panel > summary").click()
        css("#schedule-cron").send_keys("0 3 * * *")
        css("#schedule-timezone").send_keys("Europe/Paris")
        assert settled().startswith("valid"), browser.execute_script("return JSON.stringify(S.check.fields)")
        css("#save").click()
        until("return /^saved/.test(document.getElementById('save-status').textContent)")
    doc = yaml.safe_load(target.read_text())
    spec = doc["spec"]
    train = spec["steps"]["train"]
    assert train["timeout"] == "45m" and train["retries"] == {
        "limit": 3,
        "backoff": {"duration": "30s", "factor": 2, "max_duration": "5m"},
    }
    assert spec["steps"]["features"]["when"] == "${{ params.n_estimators > 10 }}"
    assert spec["params"]["n_estimators"]["description"] == "Trees in the forest"
    assert spec["params"]["algorithm"]["values"] == ["logistic_regression", "random_forest", "gradient_boosting"]
    assert spec["schedule"] == {"cron": "0 3 * * *", "timezone": "Europe/Paris"}
    assert spec["outputs"]["auc"] == "${{ steps.evaluate.outputs.auc }}" and spec["on_exit"]["uses"] == "notify-webhook@1"
    assert validate(target).returncode == 0


def test_one_run_action_applies_a_stale_copy_then_submits_and_lists_the_run(cluster: Any, tmp_path: Path) -> None:
    """Issue #14: Run on the cluster (apply when its copy is missing or stale, then submit), the cluster's copy
    compared with the saved file (U6), and the runs panel's cluster runs."""
    root = tmp_path / "gpu"
    shutil.copytree(EXAMPLES["gpu-training"], root)
    with serve(Studio(root)) as client:
        state = lambda: client.call("GET", "/api/cluster-state?pipeline=ranker-training")[1]["state"]  # noqa: E731
        assert state() == "created"  # not applied yet
        status, data = client.call(
            "POST", "/api/run", {"pipeline": "ranker-training", "params": {"epochs": 500}, "where": "cluster"}
        )
        assert status == 422 and "500 is above the maximum 200" in data["error"]
        assert not [r for r in cluster.requests if r["method"] in ("POST", "PATCH")]  # nothing sent for a bad param
        status, data = client.call(
            "POST", "/api/run", {"pipeline": "ranker-training", "params": {"epochs": 40}, "where": "cluster"}
        )
        assert status == 200, data
        assert data["lines"][0] == "the cluster's copy of ranker-training was missing:"
        assert "workflowtemplate/ranker-training created" in data["lines"]
        assert re.fullmatch(r"workflow/ranker-training-\d+ submitted", data["lines"][-1])
        assert state() == "unchanged"
        training = root / "training.yaml"
        training.write_text(training.read_text().replace("default: 20,", "default: 25,"))
        assert state() == "configured"  # the saved file changed: the cluster's copy is stale
        status, data = client.call("POST", "/api/run", {"pipeline": "ranker-training", "params": {}, "where": "cluster"})
        assert status == 200 and "was stale" in data["lines"][0], data
        status, history = client.call("GET", "/api/history")
        assert status == 200 and history["clusterError"] is None
        runs = history["cluster"]
        assert len(runs) == 2 and {r["pipeline"] for r in runs} == {"ranker-training"}
        assert {r["status"] for r in runs} <= {"Pending", "Running", "Succeeded"} and runs[0]["link"] is None


def test_cluster_runs_through_the_argo_server_link_to_the_argo_ui(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "gpu"
    shutil.copytree(EXAMPLES["gpu-training"], root)
    with serve(Studio(root)) as client:
        assert client.call("POST", "/api/apply", {})[0] == 200
        monkeypatch.setenv("ARGO_SERVER", cluster.url)
        monkeypatch.setenv("ARGO_TOKEN", cluster.argo_token)
        status, data = client.call(
            "POST", "/api/run", {"pipeline": "ranker-training", "params": {"epochs": 40}, "where": "cluster"}
        )
        assert status == 200, data
        name = data["lines"][-1].split()[0].split("/")[1]
        status, history = client.call("GET", "/api/history")
        [run] = history["cluster"]
        assert run["id"] == name and run["params"] == {"epochs": "40"}
        assert run["link"] == f"{cluster.url}/workflows/ml-train/{name}"
        listed = [r for r in cluster.requests if r["path"] == "/api/v1/workflows/ml-train" and r["method"] == "GET"]
        assert listed and listed[0]["query"]["listOptions.labelSelector"] == "mldsl.io/submitted-by=mldsl"


LOCAL_PIPELINE = """\
apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: metrics}
spec:
  params:
    floor: {type: float, default: 0.5}
  steps:
    check:
      uses: check-metrics@1
      with: {values: [0.5, 0.6, 0.7], minimum: "${{ params.floor }}"}
  outputs:
    mean: "${{ steps.check.outputs.mean }}"
"""


def test_run_locally_from_the_page_and_read_it_in_the_runs_panel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue #14: Save and run on this machine (a real `mldsl run` process); the runs panel lists it with its
    status, duration, changed params and outputs, shows its steps' logs, and lists it again after a reload."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    monkeypatch.delenv("ARGO_SERVER", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.delenv("MLDSL_HOME", raising=False)
    root = tmp_path / "metrics"
    root.mkdir()
    (root / "mldsl.yaml").write_text("apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: metrics}\nspec: {}\n")
    (root / "metrics.yaml").write_text(LOCAL_PIPELINE)
    with studio_in_chromium(Studio(root)) as browser:
        css = lambda q: browser.find_element(By.CSS_SELECTOR, q)  # noqa: E731

        until = partial(wait_js, browser)

        until("return document.getElementById('submit-run')")
        assert css("#where-local").is_selected() and not css("#where-cluster").is_enabled()  # no cluster here
        n = css('.run-form [data-name="floor"] input')
        n.send_keys(Keys.BACKSPACE * 3, "0.2")
        browser.execute_script("document.getElementById('submit-run').scrollIntoView({block: 'center'})")
        css("#submit-run").click()
        until("return document.querySelector('#cluster-log li')")
        assert "started a local run of metrics" in css("#cluster-log li").text
        status = "return (document.querySelector('#runs li.run[data-run]') || {}).dataset?.status"
        assert until(status + " === 'Succeeded' && 1", 120)
        run = css("#runs li.run[data-run]")
        assert "floor=0.2" in run.text and "mean=0.6" in run.text and "this machine" in run.text
        run_id = run.get_attribute("data-run")
        browser.execute_script("arguments[0].click()", run.find_element(By.CSS_SELECTOR, "button.show-run"))
        until("return document.querySelector('.run-details pre.log')")
        logs = browser.execute_script(
            "return [...document.querySelectorAll('.run-details pre.log')].map(p => p.textContent).join('\\n')"
        )
        assert "check: Succeeded" in css(".run-details").text and "check-metrics: n=3" in logs
        browser.refresh()  # kept across reloads: the run records are the project's
        until(f"return document.querySelector('#runs li.run[data-run=\"{run_id}\"]')")
    assert (root / ".mldsl" / "runs" / run_id / "run.json").is_file()
    assert not list((root / ".mldsl").glob("ui-run-*.log"))  # the start's stderr is cleaned up once its record exists


def test_canvas_add_by_drop_wire_by_ports_zoom_and_pan(project: Path) -> None:
    """Issue #14: a module dropped on the canvas becomes a step; dragging an output port onto an input port
    wires them with the wire menus' rules (a type that does not fit, or a cycle, is refused); zoom and pan."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    with studio_in_chromium(Studio(project)) as browser:
        css = partial(idle_find, browser)

        until = partial(wait_js, browser)

        until("return document.querySelector('[data-module=\"read-table\"]')")
        drop = """const [module, target] = arguments;
          const data = new DataTransfer();
          module.dispatchEvent(new DragEvent('dragstart', {dataTransfer: data, bubbles: true}));
          target.dispatchEvent(new DragEvent('dragover', {dataTransfer: data, bubbles: true, cancelable: true}));
          target.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));"""
        for module in ("split-dataset", "read-table"):  # the consumer first: the wire reorders the cards
            browser.execute_script(drop, css(f'[data-module="{module}"]'), css("#dag"))
        until("return document.querySelectorAll('#dag [data-node]').length === 2")
        assert [e.get_attribute("data-step") for e in browser.find_elements(By.CSS_SELECTOR, "#steps > [data-step]")] == [
            "split",
            "read",
        ]

        def wire(source: str, target: str) -> None:
            until("return !S.pending && !/^checking/.test(document.getElementById('status').textContent)")
            out, into = css(source), css(target)
            browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", out)
            ActionChains(browser).click_and_hold(out).move_to_element(into).release(into).perform()

        # row_count (int) does not fit the split's table (parquet): refused, and said
        wire('#dag .port.out[data-step="read"][data-port="row_count"]', '#dag .port.in[data-step="split"][data-port="table"]')
        assert "Not wired" in css("#undo-bar").text
        wire('#dag .port.out[data-step="read"][data-port="table"]', '#dag .port.in[data-step="split"][data-port="table"]')
        assert "Wired read.table → split.table" in css("#undo-bar").text
        until("return document.querySelector('#dag [data-edge=\"read->split\"]')")
        assert [e.get_attribute("data-step") for e in browser.find_elements(By.CSS_SELECTOR, "#steps > [data-step]")] == [
            "read",
            "split",
        ]
        source = css('[data-field="step:split:with:table"] select.source')
        assert source.get_attribute("value") == "ref:steps.read.outputs.table"
        # a cycle is refused: split's output into read's input
        wire('#dag .port.out[data-step="split"][data-port="train"]', '#dag .port.in[data-step="read"][data-port="source"]')
        assert "Not wired" in css("#undo-bar").text
        # zoom and pan move the canvas, and stay when it is drawn again
        before = css("#dag g.view").get_attribute("transform")
        css('#dag .canvas-tools [aria-label="zoom in"]').click()
        zoomed = css("#dag g.view").get_attribute("transform")
        assert "scale(1.25)" in zoomed and zoomed != before
        svg_el = css("#dag svg")
        ActionChains(browser).move_to_element_with_offset(svg_el, 5, 5).click_and_hold().move_by_offset(
            40, 30
        ).release().perform()
        panned = css("#dag g.view").get_attribute("transform")
        assert panned != zoomed and "scale(1.25)" in panned
        css("#pipeline-name").send_keys("x")  # any edit draws the DAG again
        until("return !/^checking/.test(document.getElementById('status').textContent)")
        assert css("#dag g.view").get_attribute("transform") == panned


def test_ui_and_forms_files_follow_the_umask(tmp_path: Path, project: Path) -> None:
    """Issue #14 P1: a pipeline saved from the composer and every file `mldsl forms` writes are 0644 under
    umask 022 (not mkstemp's 0600)."""
    old = os.umask(0o022)
    try:
        studio = Studio(project)
        model = {
            "name": "fresh",
            "description": "",
            "params": [],
            "steps": [{"name": "load", "uses": "read-table@1", "with": {"source": "s3://b/k.csv"}}],
        }
        studio.save({"path": "pipelines/fresh.yaml", "token": None, "original": None, "model": model})
        out = tmp_path / "forms"
        p = subprocess.run([sys.executable, "-m", "mldsl", "forms", str(project), "-o", str(out)], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
    finally:
        os.umask(old)
    modes = {f.name: f.stat().st_mode & 0o777 for f in [project / "pipelines" / "fresh.yaml", *out.iterdir()]}
    assert set(modes.values()) == {0o644}, modes
