"""Issue #30 m16: a pipeline form's download is a params file that `mldsl validate` checks against its pipeline
(it said only "missing apiVersion") and `mldsl run --params-file` takes as it is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import chromium

PIPELINE = """\
apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: greet}
spec:
  params:
    who: str
    day: {type: str, pattern: '^\\d{4}-\\d{2}-\\d{2}$'}
    times: {type: int, default: 2, min: 1, max: 5}
  steps:
    hi:
      uses: ./module.yaml
      with: {who: '${{ params.who }}', day: '${{ params.day }}', times: '${{ params.times }}'}
"""
MODULE = """\
apiVersion: mldsl/v1
kind: Module
metadata: {name: say, version: 1.0.0}
spec:
  inputs: {who: str, day: str, times: int}
  run:
    python:
      source: |
        import os
        env = os.environ
        text = " ".join([env["MLDSL_INPUT_WHO"] + " " + env["MLDSL_INPUT_DAY"]] * int(env["MLDSL_INPUT_TIMES"]))
        print(text)
"""


LOAD = """\
apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: load}
spec:
  params: {data: artifact}
  steps:
    read: {uses: read-table@1, with: {source: '${{ params.data }}'}}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "greet"
    root.mkdir()
    (root / "pipeline.yaml").write_text(PIPELINE)
    (root / "module.yaml").write_text(MODULE)
    (root / "load.yaml").write_text(LOAD)
    return root


def mldsl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mldsl", *args], capture_output=True, text=True, cwd=cwd)


def said(project: Path) -> str:
    """What the step printed (its log, the one run's)."""
    (log,) = project.glob(".mldsl/runs/*/logs/*-hi.log")
    return log.read_text()


def test_a_forms_download_is_validated_against_its_pipeline_and_runs_as_it_is(project: Path, tmp_path: Path) -> None:
    assert mldsl("forms", ".", "-o", str(tmp_path / "forms"), cwd=project).returncode == 0
    browser = chromium()
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    try:
        browser.get((tmp_path / "forms" / "pipeline-greet.html").as_uri())
        for name, text in (("who", "Ada"), ("day", "2024-06-15"), ("times", "2")):
            box = browser.find_element(By.CSS_SELECTOR, f'.field[data-name="{name}"] input')
            box.send_keys(Keys.CONTROL, "a")
            box.send_keys(text)
        exported = browser.find_element(By.ID, "yaml").text + "\n"
    finally:
        browser.quit()
    head = "# mldsl params of pipeline greet\n# mldsl run . --pipeline greet --params-file greet.params.yaml\n"
    assert exported.startswith(head)
    assert "times: 2" in exported  # typed, though it is the default (issue #30 m15)
    download = project / "greet.params (1).yaml"  # a browser's name for a second download: the first line says whose
    download.write_text(exported)
    p = mldsl("validate", download.name, cwd=project)
    assert p.returncode == 0, p.stderr
    assert "params of pipeline greet ok; mldsl run . --pipeline greet --params-file greet.params (1).yaml" in p.stderr
    assert mldsl("validate", ".", cwd=project).returncode == 0  # the download beside the documents is no document
    p = mldsl("run", ".", "--pipeline", "greet", "--params-file", download.name, "--format", "json", cwd=project)
    assert p.returncode == 0, p.stderr
    assert "Ada 2024-06-15 Ada 2024-06-15" in said(project)


def test_validate_says_what_is_wrong_with_a_params_file_at_its_key(project: Path) -> None:
    (project / "greet.params.yaml").write_text("day: 2024-6-15\ntimes: 9\nwho: '   '\ntimez: 1\n")
    p = mldsl("validate", "greet.params.yaml", cwd=project)
    assert p.returncode == 1
    lines = [x for x in p.stderr.splitlines() if "error[" in x]
    day = r"'^\\d{4}-\\d{2}-\\d{2}$'"
    assert lines == [
        f"greet.params.yaml:1:6: error[MLD308]: param 'day': '2024-6-15' does not match the pattern {day}; "
        f"day takes a string matching {day}",
        "greet.params.yaml:2:8: error[MLD308]: param 'times': 9 is above the maximum 5; "
        "times takes an int from 1 to 5 (default 2)",
        "greet.params.yaml:3:6: error[MLD312]: param 'who': '   ' is only whitespace: a required string needs text; "
        "who takes a string",
        "greet.params.yaml:4:1: error[MLD102]: pipeline 'greet' has no param 'timez'",
    ], p.stderr
    assert "did you mean 'times'?" in p.stderr and "Traceback" not in p.stderr
    (project / "load.params.yaml").write_text("data: s3://Données/x.csv\n")
    p = mldsl("validate", "load.params.yaml", cwd=project)
    assert "load.params.yaml:1:7: error[MLD313]: param 'data': 'Données' is not a valid S3 bucket name" in p.stderr
    (project / "greet.params.yaml").write_text("times: 3\n")
    p = mldsl("validate", "greet.params.yaml", cwd=project)
    assert p.returncode == 1 and "error[MLD103]: param 'day' is required and not given" in p.stderr
    (project / "greet.params.yaml").write_text("times: [1,\n")
    p = mldsl("validate", "greet.params.yaml", cwd=project)
    assert "greet.params.yaml:2:1: error[MLD002]: invalid YAML" in p.stderr and p.stderr.count("error[") == 1
    (project / "greet.params.yaml").unlink()  # (the project's folder is read too: its YAML must parse)
    (project / "mine.yaml").write_text("times: 3\n")  # renamed, its first line dropped: one error that says why
    p = mldsl("validate", "mine.yaml", cwd=project)
    assert p.stderr.count("error[") == 1 and "error[MLD100]: not an mldsl document: no apiVersion, kind" in p.stderr
    assert "'# mldsl params of pipeline PIPELINE'" in p.stderr
    (project / "mine.yaml").unlink()
    (project / "greeting.params.yaml").write_text("times: 3\n")
    p = mldsl("validate", "greeting.params.yaml", cwd=project)
    assert "error[MLD422]: this params file is for pipeline 'greeting'" in p.stderr and "did you mean 'greet'?" in p.stderr


def test_run_reads_a_params_file_as_documents_are_read(project: Path) -> None:
    """An unquoted date was a `datetime.date` to `run` (YAML 1.1) and crashed it (not JSON serializable)."""
    (project / "mine.yaml").write_text("who: Ada\nday: 2024-06-15\ntimes: 1\n")
    p = mldsl("run", ".", "--pipeline", "greet", "--params-file", "mine.yaml", "--format", "json", cwd=project)
    assert p.returncode == 0, p.stderr
    assert said(project) == "Ada 2024-06-15\n" and "internal error" not in p.stderr


def test_a_module_forms_with_block_is_validated_against_its_module(tmp_path: Path) -> None:
    """A module form's download (a step's `with:` block) said "missing apiVersion" too: its first line names the
    module, and validate checks the block against the module's inputs (expressions are left to the step)."""
    project = tmp_path / "p"
    project.mkdir()
    assert mldsl("forms", "--builtin", "-o", str(tmp_path / "forms"), cwd=project).returncode == 0
    browser = chromium()
    from selenium.webdriver.common.by import By

    try:
        browser.get((tmp_path / "forms" / "module-train-sklearn.html").as_uri())
        for name, text in (("train", "s3://ml-data/churn.parquet"), ("target", "churned")):
            browser.find_element(By.CSS_SELECTOR, f'.field[data-name="{name}"] input').send_keys(text)
        exported = browser.find_element(By.ID, "yaml").text + "\n"
    finally:
        browser.quit()
    assert exported.startswith("# mldsl with: block for module train-sklearn@1.1.0\n")
    (project / "train-sklearn-with.yaml").write_text(exported)
    p = mldsl("validate", "train-sklearn-with.yaml", cwd=project)
    assert p.returncode == 0, p.stderr
    assert "a with: block for module train-sklearn@1.1.0 ok; paste it into a step that uses train-sklearn@1.1.0" in p.stderr
    bad = exported.replace('"churned"', '"   "').replace("ml-data", "ML") + "  n_estimatorz: 3\n  seed: '${{ params.seed }}'\n"
    (project / "train-sklearn-with.yaml").write_text(bad)
    p = mldsl("validate", "train-sklearn-with.yaml", cwd=project)
    codes = [line.split("error[")[1][:6] for line in p.stderr.splitlines() if "error[" in line]
    assert p.returncode == 1 and codes == ["MLD313", "MLD312", "MLD102"], p.stderr
    assert "did you mean 'n_estimators'?" in p.stderr and "seed" not in p.stderr


def test_a_download_kept_outside_the_project_is_checked_against_it(project: Path, tmp_path: Path) -> None:
    """A form's download lands in ~/Downloads: validated from the project's folder, or with the project named beside
    it, it is checked against that project's pipeline (not refused as a pipeline "the project has no such")."""
    (project / "mldsl.yaml").write_text("apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: greet}\n")
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    (downloads / "greet.params.yaml").write_text("# mldsl params of pipeline greet\nwho: Ada\nday: '2024-06-15'\n")
    from_project = mldsl("validate", str(downloads / "greet.params.yaml"), cwd=project)
    assert from_project.returncode == 0, from_project.stderr
    assert "params of pipeline greet ok; mldsl run . --pipeline greet" in from_project.stdout + from_project.stderr
    named = mldsl("validate", str(project), str(downloads / "greet.params.yaml"), cwd=tmp_path)
    assert named.returncode == 0, named.stderr
    (downloads / "greet.params.yaml").write_text("# mldsl params of pipeline greet\nwho: Ada\nday: '2024-6-15'\n")
    bad = mldsl("validate", str(project), str(downloads / "greet.params.yaml"), cwd=tmp_path)
    assert bad.returncode == 1 and "greet.params.yaml:3:6: error[MLD308]: param 'day'" in bad.stderr
