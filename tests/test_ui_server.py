"""`mldsl ui` over real HTTP on 127.0.0.1: the page and who may talk to it, checks, saves, the cluster actions.

Cluster actions talk to the emulated API of ``kube_emulator``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml
from ui_support import (
    EXAMPLES,
    Client,
    serve,
    two_steps,
    validate,
)

from mldsl.ui.server import TOKEN_HEADER, Server
from mldsl.ui.studio import Studio

from conftest import ROOT

pytest_plugins = ["ui_support"]  # its fixtures: project, ui, cluster

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


def test_the_apps_modules_are_served_as_javascript(ui: Client) -> None:
    """The page's ES modules come from mldsl/ui/js as JavaScript (a module script of another type is refused
    by the browser under nosniff); nothing else is served from there."""
    main = ROOT / "mldsl" / "ui" / "js" / "main.js"
    with urllib.request.urlopen(ui.base + "/js/main.js") as resp:
        assert resp.headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert resp.read().decode() == main.read_text(encoding="utf-8")
    for name in sorted(p.name for p in main.parent.glob("*.js")):
        assert ui.call("GET", "/js/" + name)[0] == 200, name
    for bad in ("/js/nope.js", "/js/../page.py", "/js/%2e%2e/page.py", "/js/Main.js", "/js/"):
        assert ui.call("GET", bad)[0] == 404, bad


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


# --- the cluster: apply, submit and sweep launch through the same code as the CLI --------------------------------------------


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


def test_the_header_shows_a_folder_under_home_with_a_tilde(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``~/projects/churn`` as shells write it (and no absolute path of the machine in a screenshot)."""
    from mldsl.ui.page import shown_path

    monkeypatch.setenv("HOME", str(tmp_path))
    assert shown_path(tmp_path / "projects" / "churn") == "~/projects/churn"
    assert shown_path(tmp_path) == "~"
    assert shown_path(Path("/opt/elsewhere")) == "/opt/elsewhere"
    from mldsl.ui.studio import Studio

    (tmp_path / "churn").mkdir()
    listing = Studio(tmp_path / "churn").files()
    assert listing["shown_root"] == "~/churn" and listing["root"] == str((tmp_path / "churn").resolve())
