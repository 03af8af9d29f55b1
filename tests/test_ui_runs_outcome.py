"""Issue #30 m6, m7 in headless Chromium: the runs panel names the failed step, opens it with its error (the
user's frames first) and its log, and shows a webhook not delivered as a warning; axe-core stays clean."""

from __future__ import annotations

import os
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest
from test_run_outcome import pandas_project
from ui_support import studio_in_chromium

from mldsl.ui.studio import Studio

from conftest import axe_violations, wait_js

pytest.importorskip("selenium.webdriver.support.ui", reason="selenium is in the [dev] extra")


def test_the_runs_panel_opens_the_failed_step_and_shows_the_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    monkeypatch.delenv("ARGO_SERVER", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.delenv("MLDSL_HOME", raising=False)
    root = pandas_project(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "MLDSL_HOME"}
    done = subprocess.run([sys.executable, "-m", "mldsl", "run", str(root)], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 1, done.stderr
    with studio_in_chromium(Studio(root)) as browser:
        until = partial(wait_js, browser)
        run = until("return document.querySelector('#runs li.run[data-status=\"Failed\"]')", 30)
        text = run.text
        assert "step 'features' failed: Error (exit code 1) (at modules/feat/main.py:6)" in text and "child '" not in text
        warning = browser.execute_script("return arguments[0].querySelector('[data-warning=\"page_oncall\"]').textContent", run)
        assert warning.startswith("warning: step 'page_oncall' succeeded, but the webhook message was not delivered")
        browser.execute_script("arguments[0].querySelector('button.show-run').click()", run)
        until("return document.querySelector('.run-details details.step-run')", 30)
        steps = browser.execute_script(
            "return [...document.querySelectorAll('.run-details details.step-run')]"
            ".map(d => [d.querySelector('summary').textContent, d.open, d.dataset.phase])"
        )
        opened = {summary.split(":")[0]: (is_open, phase) for summary, is_open, phase in steps}
        assert opened["features"] == (True, "Failed")  # the failed step is open, the others are not
        assert opened["a"] == (False, "Succeeded") and opened["page_oncall (on exit)"] == (False, "Warning")
        failure = browser.execute_script("return document.querySelector('.run-details details[open] pre.failure').textContent")
        lines = failure.splitlines()
        assert lines[0] == "KeyError: 'missing_column'" and lines[2].strip() == 'File "modules/feat/main.py", line 6'
        assert "frames inside pandas folded" in failure
        log = browser.execute_script(
            "return document.querySelector('.run-details details[open] pre.log:not(.failure)').textContent"
        )
        assert "KeyError" in log  # and its log's tail under it
        assert axe_violations(browser) == []
