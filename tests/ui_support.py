"""What the `mldsl ui` tests share: a served studio, an HTTP client, headless Chromium on the page, fixtures."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from mldsl.ui.server import TOKEN_HEADER, Server
from mldsl.ui.studio import Studio

from conftest import ROOT, chromium, example_dirs, wait_js

EXAMPLES = {d.name: d for d in example_dirs()}


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


def page_idle(browser: Any, seconds: float = 20) -> None:
    """Until no live check is scheduled or on its way: only then can the page not redraw its cards by itself."""
    wait_js(browser, "return typeof S !== 'undefined' && !S.pending && !S.inflight", seconds)


def idle_find(browser: Any, query: str) -> Any:
    """The element once the page is idle: a check's answer may draw the cards and the DAG again."""
    page_idle(browser)
    return browser.find_element("css selector", query)


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


def big_pipeline(steps: int, name: str = "big") -> str:
    """A valid pipeline of ``steps`` steps over churn-train's modules: one load fanning out to branches of
    features → split → train → evaluate (issue #30 B1: the canvas must stay readable at 60 and 300 steps)."""
    lines = [
        "apiVersion: mldsl/v1",
        "kind: Pipeline",
        f"metadata: {{name: {name}, version: 1.0.0}}",
        "spec:",
        "  params:",
        '    data: {type: artifact, default: "s3://ml-data/churn/customers.csv"}',
        "  steps:",
        "    load: {uses: read-table@1, with: {source: '${{ params.data }}', format: csv}}",
    ]
    chain = [
        ("features", "add-features@2", "{{table: '${{{{ steps.load.outputs.table }}}}'}}"),
        ("split", "split-dataset@1", "{{table: '${{{{ steps.features_{i}.outputs.table }}}}'}}"),
        ("train", "train-sklearn@1", "{{train: '${{{{ steps.split_{i}.outputs.train }}}}', target: churned}}"),
        (
            "evaluate",
            "evaluate-classifier@1",
            "{{model: '${{{{ steps.train_{i}.outputs.model }}}}', test: '${{{{ steps.split_{i}.outputs.test }}}}'}}",
        ),
    ]
    for k in range(steps - 1):
        i, (stem, uses, with_) = k // 4, chain[k % 4]
        lines.append(f"    {stem}_{i}: {{uses: {uses}, with: {with_.format(i=i)}}}")
    return "\n".join(lines) + "\n"


def open_pipeline(browser: Any, name: str, steps: int, *, valid: bool = False) -> None:
    """Open pipeline ``name`` from the file menu; wait until its ``steps`` nodes are drawn and the page is idle
    (and, with ``valid``, until its check says it is valid)."""
    wait_js(browser, f"return [...document.querySelectorAll('#open option')].some(o => o.text.endsWith(' — {name}'))")
    browser.execute_script(
        "const o = document.getElementById('open');"
        "o.value = [...o.options].find(x => x.text.endsWith(' — ' + arguments[0])).value;"
        "o.dispatchEvent(new Event('change'));",
        name,
    )
    wait_js(browser, f"return document.querySelectorAll('#dag [data-node]').length === {steps}", 60)
    page_idle(browser, 60)
    if valid:
        wait_js(browser, "return /^valid/.test(document.getElementById('status').textContent)", 60)


#: edges that run through a step they do not join (test_ui_browser's U4, the canvas edits)
CROSSINGS = """const boxes = [...document.querySelectorAll('#dag [data-node]')]
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
