"""Issue #14: both pages pass axe-core (no serious or critical WCAG 2 A/AA violation) at a laptop's and a
phone's size, and neither scrolls sideways on the phone.

axe-core is vendored in ``tests/vendor/axe-core`` (from npm) and injected into the page under test, in
Debian's headless Chromium.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mldsl.ui.server import Server
from mldsl.ui.studio import Studio

from conftest import EXAMPLES, ROOT, VIEWPORTS, axe_violations, chromium, horizontal_overflow, set_viewport, wait_js


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    driver = chromium()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def form_pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every kind of form: churn-train's module and pipeline, gpu-training's sweep, two built-in modules, index."""
    out = tmp_path_factory.mktemp("forms")
    for source, name in ((EXAMPLES / "churn-train", "churn"), (EXAMPLES / "gpu-training", "gpu"), (ROOT / "modules", "lib")):
        p = subprocess.run(
            [sys.executable, "-m", "mldsl", "forms", str(source), "-o", str(out / name)], capture_output=True, text=True
        )
        assert p.returncode == 0, p.stderr
    pages = [*sorted((out / "churn").glob("*.html")), *sorted((out / "gpu").glob("sweep-*.html"))]
    pages += [out / "lib" / "module-train-sklearn.html", out / "lib" / "module-notify-webhook.html"]
    return pages


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_every_kind_of_form_passes_axe_and_fits_the_screen(browser, form_pages: list[Path], size: str) -> None:  # type: ignore[no-untyped-def]
    set_viewport(browser, size)
    problems = {}
    for page in form_pages:
        browser.get(page.as_uri())
        wait_js(browser, "return document.readyState === 'complete'")
        found = axe_violations(browser)
        if overflow := horizontal_overflow(browser):
            found.append(f"scrolls sideways by {overflow} px")
        if found:
            problems[page.name] = found
    assert problems == {}


def test_on_a_phone_the_status_and_download_stay_on_screen(browser, form_pages: list[Path]) -> None:  # type: ignore[no-untyped-def]
    """Issue #14 F14: they scrolled away; a greyed-out Download now says why beside it."""
    set_viewport(browser, "phone")
    page = next(p for p in form_pages if p.name == "module-train-sklearn.html")
    browser.get(page.as_uri())
    wait_js(browser, "return document.readyState === 'complete'")
    browser.execute_script("window.scrollTo(0, 0)")
    on_screen = (
        "const r = document.getElementById(arguments[0]).getBoundingClientRect();"
        "return r.top >= 0 && r.bottom <= window.innerHeight && r.width > 0;"
    )
    assert browser.execute_script(on_screen, "download") and browser.execute_script(on_screen, "status")
    assert browser.find_element("id", "download").get_attribute("disabled") is not None  # train is required
    assert "fix" in browser.find_element("id", "download-why").text
    browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    assert browser.execute_script(on_screen, "download")


@pytest.fixture(scope="module")
def composer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("ui") / "churn-train"
    shutil.copytree(EXAMPLES / "churn-train", root)
    server = Server(Studio(root), 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()


def open_churn(browser, url: str) -> None:  # type: ignore[no-untyped-def]
    browser.get(url)
    wait_js(browser, "return document.querySelectorAll('#open option').length > 1")
    browser.execute_script(
        "const o = document.getElementById('open'); o.selectedIndex = 1; o.dispatchEvent(new Event('change'));"
    )
    wait_js(browser, "return document.querySelectorAll('#steps > [data-step]').length === 6")
    wait_js(browser, "return /^valid/.test(document.getElementById('status').textContent)")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_composer_passes_axe_and_fits_the_screen(browser, composer: str, size: str) -> None:  # type: ignore[no-untyped-def]
    set_viewport(browser, size)
    open_churn(browser, composer)
    browser.execute_script("window.scrollTo(0, 0)")
    save_on_screen = "const r = document.getElementById('save').getBoundingClientRect(); return r.bottom <= window.innerHeight;"
    assert browser.execute_script(save_on_screen), "Save must stay on screen (issue #14 U16)"
    browser.execute_script("document.querySelector('.module-head').click()")  # an opened module's details too
    found = axe_violations(browser)
    if overflow := horizontal_overflow(browser):
        found.append(f"scrolls sideways by {overflow} px")
    assert found == []
