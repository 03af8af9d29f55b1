"""Shared fixtures: paths, the official upstream schemas, and a strict CRD index."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

pytest.register_assert_rewrite("ui_support")  # the ui tests' shared helpers, also loaded as their fixtures' plugin

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
#: The official schemas live beside the clone (../shared), never inside the project.
UPSTREAM = Path(os.environ.get("MLDSL_UPSTREAM_SCHEMAS", ROOT.parent / "shared" / "upstream-schemas"))


#: under CI=true a test never skips for a missing oracle (schemas, a browser, Go, an oracle library, a corpus):
#: its skip is reported as a failure, unless it is marked ``may_skip_in_ci`` with the reason it may
CI = os.environ.get("CI") == "true"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    outcome = yield
    report = outcome.get_result()
    if CI and report.skipped and not hasattr(report, "wasxfail") and item.get_closest_marker("may_skip_in_ci") is None:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"CI=true: this test's oracle is missing, so it fails instead of skipping: {reason}"


def pytest_collectreport(report: pytest.CollectReport) -> None:
    """A whole module skipped at collection (``importorskip``) fails under CI=true too."""
    if CI and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"CI=true: this module's oracle is missing, so it fails instead of skipping: {reason}"


def example_dirs() -> list[Path]:
    return sorted(p for p in EXAMPLES.iterdir() if p.is_dir() and any(p.rglob("*.yaml")) and p.name != "ci")


@pytest.fixture(scope="session")
def argo_crds():
    """Strict schemas of Argo's WorkflowTemplate / CronWorkflow / Workflow CRDs (v4.1.2)."""
    folder = UPSTREAM / "argo-workflows"
    if not folder.is_dir():
        pytest.skip(f"upstream Argo CRDs not found at {folder}: set MLDSL_UPSTREAM_SCHEMAS or put shared/ beside the clone")
    from mldsl.backends.crdcheck import CrdIndex

    index = CrdIndex()
    index.add_files(sorted(folder.glob("*.yaml")))
    return index


@pytest.fixture(scope="session")
def operator_crds():
    """Strict schemas of the Spark and training operators' objects and of Seldon (v1, v2) and KServe."""
    folders = [
        UPSTREAM / "kubeflow-spark-operator",
        UPSTREAM / "kubeflow-training-operator",
        UPSTREAM / "seldon-core-v1",
        UPSTREAM / "seldon-core-v2",
        UPSTREAM / "kserve",
    ]
    missing = [f for f in folders if not f.is_dir()]
    if missing:
        pytest.skip(
            f"upstream operator CRDs not found at {missing[0]}: set MLDSL_UPSTREAM_SCHEMAS or put shared/ beside the clone"
        )
    from mldsl.backends.crdcheck import CrdIndex

    index = CrdIndex()
    index.add_files(sorted(f for folder in folders for f in folder.glob("*.yaml") if not f.name.startswith("patch_")))
    return index


WORKFLOW_SCOPE = {
    "workflow.name": "churn-train-x7k2p",
    "workflow.uid": "0d6c1b8e-2f0a-4c3b-9a55-4f1f0c9f3a10",
    "pod.name": "churn-train-x7k2p-train-1234567890",
    "workflow.namespace": "ml",
    "workflow.status": "Succeeded",
    "workflow.creationTimestamp": "2026-11-22T03:30:00Z",
    "workflow.duration": "12.5",
}


def argo_scope(template: dict, values: dict[str, str] | None = None) -> dict[str, str]:
    """What Argo has in scope inside ``template``: the workflow's globals and its inputs (defaults, or ``values``)."""
    flat = dict(WORKFLOW_SCOPE)
    for p in template.get("inputs", {}).get("parameters", []):
        flat[f"inputs.parameters.{p['name']}"] = str(p.get("value", p.get("default", f"value-of-{p['name']}")))
    for name, value in (values or {}).items():
        flat[f"inputs.parameters.{name}"] = value
    return flat


def creates_objects(template: dict) -> bool:
    """A resource template, or a deploy step's pod (which applies its objects itself)."""
    from mldsl.backends.argo.deploy import DEPLOY_LABEL

    return "resource" in template or DEPLOY_LABEL in (template.get("metadata") or {}).get("labels", {})


def rendered_objects(template: dict, values: dict[str, str] | None = None) -> list[dict]:
    """The objects a template creates, its tags substituted as Argo substitutes them (``mldsl.argo.template``)."""
    import yaml

    from mldsl.argo.template import substitute

    done = substitute(template, argo_scope(template, values))
    if "resource" in done:
        return [dict(yaml.safe_load(done["resource"]["manifest"]))]
    env = {e["name"]: e.get("value", "") for e in (done.get("script") or {}).get("env", [])}
    from mldsl.runner.support import DEPLOY_ENV

    return [json.loads(env[k]) for k in DEPLOY_ENV if k in env]


def render_resource(template: dict, values: dict[str, str] | None = None) -> dict:
    """The (last) object a template creates."""
    return rendered_objects(template, values)[-1]


def embedded_manifests(body: dict) -> list[dict]:
    """The objects that Argo resource templates and deploy pods create (rendered as Argo would)."""
    return [o for t in body.get("spec", {}).get("templates", []) if creates_objects(t) for o in rendered_objects(t)]


@pytest.fixture(scope="session")
def katib_swagger():
    """Katib's API definitions (its CRD validates nothing, so the swagger file is the usable schema)."""
    path = UPSTREAM / "kubeflow-katib" / "v1beta1-swagger.json"
    if not path.is_file():
        pytest.skip(f"Katib swagger not found at {path}")
    from mldsl.backends.crdcheck import SwaggerIndex

    return SwaggerIndex.from_file(path)


def chromium():
    """Headless Chromium from Debian's packages, driven by Selenium (never a browser a tool downloads)."""
    import shutil

    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is in the [dev] extra")
    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not binary or not driver:
        pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = binary
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1500,1100",
    ):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=opts)


#: the sizes the pages must work at (issue #14): a laptop and a phone
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def set_viewport(browser, size: str) -> None:  # type: ignore[no-untyped-def]
    """The page's layout viewport at one of VIEWPORTS (a phone emulated as one: touch, mobile metrics)."""
    width, height = VIEWPORTS[size]
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": size == "phone"},
    )


def axe_violations(browser, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's WCAG 2 A/AA violations of the page as it is now, at the given impacts, one line each."""
    if not browser.execute_script("return typeof window.axe !== 'undefined'"):
        browser.execute_script(AXE.read_text(encoding="utf-8"))
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))), e => done([{id: 'axe-error', impact: 'critical',"
        " help: String(e), nodes: []}]));"
    )
    return [f"{v['impact']} {v['id']}: {v['help']} at {v['nodes']}" for v in result if v["impact"] in impacts]


T = TypeVar("T")


def wait_until(condition: Callable[[], T], what: str, within: float = 20.0, every: float = 0.05) -> T:
    """Wait on a condition, as selenium's ``WebDriverWait`` does: ``condition()``'s first truthy value, or a
    failure naming ``what`` after ``within`` seconds. The one place the tests wait, instead of fixed sleeps and
    loops of their own."""
    deadline = time.monotonic() + within
    while not (got := condition()):
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {within:g} s waiting for {what}")
        time.sleep(every)
    return got


def wait_js(browser, script: str, seconds: float = 20) -> Any:  # type: ignore[no-untyped-def]
    """``script``'s first truthy value in the page (see :func:`wait_until`)."""
    return wait_until(lambda: browser.execute_script(script), script, seconds)


def horizontal_overflow(browser) -> int:  # type: ignore[no-untyped-def]
    """How many pixels the page is wider than its viewport (0: no horizontal scroll)."""
    return int(browser.execute_script("const d = document.documentElement; return d.scrollWidth - d.clientWidth"))


def run_in_node(script: Path, call: str, cases: list, tmp_path: Path) -> list:
    """``call`` (JavaScript, over ``cases``) with ``script``'s exports in scope, run by Node; skips without Node."""
    import json
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the JavaScript side is not checked")
    data = tmp_path / "cases.json"
    data.write_text(json.dumps(cases))
    code = (
        f"Object.assign(globalThis, require({json.dumps(str(script))}));"
        f"const cases = require({json.dumps(str(data))});"
        f"console.log(JSON.stringify({call}));"
    )
    p = subprocess.run([node, "-e", code], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return list(json.loads(p.stdout))
