"""Issue #30 m6, m7: what a run's end says, on a terminal (a real pty) and through the runs panel's API.

m6: the failed step named as in the YAML (not ``child '002-features' failed``), its error first with the
user's frames before pandas' own, and where the files a run wrote are. m7: a webhook that was not delivered
succeeds (``fail_on_error: false``) but is shown as succeeded with a warning.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from ptyrun import run_in_pty
from test_run import MODULES, project, run_cli

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

PANDAS_MODULE = "spec:\n  inputs: {}\n  outputs: {}\n  run:\n    python:\n      file: main.py\n"
PANDAS_CODE = (
    'import pandas as pd\n\n\ndef build():\n    df = pd.DataFrame({"a": [1, 2]})\n    return df["missing_column"]\n\n\nbuild()\n'
)
#: on exit: a webhook nobody answers (port 9, discard), as in the issue (http_status=0)
DEAD_HOOK = (
    "  on_exit:\n    steps:\n      page_oncall:\n        uses: notify-webhook@1\n"
    "        with: {url: 'http://127.0.0.1:9/x', message: m, timeout_seconds: 2}\n"
)


def pandas_project(tmp: Path) -> Path:
    """A project whose step ``features`` (modules/feat/main.py) fails inside pandas, and a dead webhook on exit."""
    root = project(tmp, MODULES, "  steps:\n    a: {uses: emit@1}\n    features: {uses: feat@1, after: [a]}\n" + DEAD_HOOK)
    (root / "modules" / "feat").mkdir()
    (root / "modules" / "feat" / "module.yaml").write_text(
        f"apiVersion: mldsl/v1\nkind: Module\nmetadata: {{name: feat, version: 1.0.0}}\n{PANDAS_MODULE}", encoding="utf-8"
    )
    (root / "modules" / "feat" / "main.py").write_text(PANDAS_CODE, encoding="utf-8")
    return root


def test_a_failed_run_names_its_step_and_leads_with_the_users_frames(tmp_path: Path) -> None:
    root = pandas_project(tmp_path)
    screen = run_in_pty(["run", str(root)], tmp_path / "home", columns=120)
    text = ANSI.sub("", screen.text)
    assert screen.code == 1, text[-3000:]
    assert "child '" not in text and "step 'features' failed: Error (exit code 1) (at modules/feat/main.py:6)" in text
    summary = text[text.index("--- features failed") :]
    # the error first, then the user's frames innermost first, pandas' frames folded into one line
    error = summary.index("KeyError: 'missing_column'")
    own = summary.index('File "modules/feat/main.py", line 6')
    assert error < own < summary.index('File "modules/feat/main.py", line 9')
    assert "frames inside pandas folded" in summary and "site-packages" not in summary
    # runs show says the same
    shown = run_cli(["runs", "show", "latest"], tmp_path / "home").stdout
    assert "step 'features' failed" in shown and "child '" not in shown
    assert shown.index("KeyError: 'missing_column'") < shown.index('File "modules/feat/main.py", line 6')


def test_a_webhook_not_delivered_is_a_warning_not_a_plain_success(tmp_path: Path) -> None:
    root = project(tmp_path, MODULES, "  steps:\n    a: {uses: emit@1}\n" + DEAD_HOOK)
    screen = run_in_pty(["run", str(root)], tmp_path / "home", columns=120)
    text = ANSI.sub("", screen.text)
    assert screen.code == 0, text[-3000:]
    assert "Succeeded, with a warning" in text  # the live table's row
    assert "warning: step 'page_oncall' (on exit) succeeded, but the webhook message was not delivered to 127.0.0.1" in text
    # the record's machine fields stay as they are: Succeeded, with the module's outputs
    record = json.loads(run_cli(["runs", "show", "latest", "--format", "json"], tmp_path / "home").stdout)
    hook = record["on_exit"]["page_oncall"]
    assert hook["phase"] == "Succeeded" and record["status"] == "Succeeded"
    assert hook["outputs"]["http_status"] == 0 and hook["outputs"]["delivered"] is False
    shown = run_cli(["runs", "show", "latest"], tmp_path / "home").stdout
    assert "with a warning" in shown and "warning: the webhook message was not delivered" in shown
    # plain lines (not a terminal) say it too
    piped = run_cli(["run", str(root)], tmp_path / "home")
    assert "page_oncall: Succeeded in" in piped.stderr and ", with a warning: the webhook message" in piped.stderr


def test_a_run_without_declared_outputs_says_where_its_files_are(tmp_path: Path) -> None:
    spec = "  steps:\n    a: {uses: emit@1}\n    c:\n      uses: count-rows@1\n      with: {table: 's3://data/t.csv'}\n"
    root = project(tmp_path, MODULES, spec)
    (root / "data").mkdir()
    (root / "data" / "t.csv").write_text("x\n1\n2\n", encoding="utf-8")
    done = run_cli(["run", str(root)], tmp_path / "home")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    uri = lines[lines.index("  file copy of c:") + 1].strip()
    assert uri.startswith("file://") and Path(uri.removeprefix("file://")).read_text() == "x\n1\n2\n"


def test_the_runs_panel_api_names_the_failed_step_and_its_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mldsl.ui.runs import LocalRuns

    root = pandas_project(tmp_path)
    home = tmp_path / "home"
    assert run_cli(["run", str(root)], home).returncode == 1
    monkeypatch.setenv("MLDSL_HOME", str(home))
    runs = LocalRuns(root)
    listed = runs.list()[0]
    shown = runs.show(listed["id"])
    assert listed["message"].startswith("step 'features' failed: Error (exit code 1)")
    assert listed["warnings"] == {"page_oncall": listed["warnings"]["page_oncall"]}
    assert shown is not None
    failure = shown["steps"]["features"]["failure"].splitlines()
    assert failure[0] == "KeyError: 'missing_column'" and failure[2].strip() == 'File "modules/feat/main.py", line 6'
    assert shown["steps"]["page_oncall (on exit)"]["warning"].startswith("the webhook message was not delivered")
    assert "failure" not in shown["steps"]["a"] and shown["steps"]["a"]["warning"] == ""
