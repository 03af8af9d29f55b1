"""Issue #30 m15: blanks and bad bucket names are refused alike by the CLI, the compiler and the forms, and a
value the user typed is downloaded even when it equals the default."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from mldsl.backends.forms import field
from mldsl.lang.buckets import bucket_problem
from mldsl.lang.constraints import Param, check_value
from mldsl.lang.mtypes import parse_type

from conftest import ROOT, chromium, run_in_node

FORM_JS = ROOT / "backends" / "forms" / "form.js"

BLANKS = ["   ", "\t", "\n", "\u3000", "\u00a0", "\ufeff", "\x1c", "\u200b", " a ", "", "  x"]
URIS = [
    "s3://ml-data/t.parquet",
    "s3://Bücket/t",
    "s3://bucket_x/t",
    "s3://ab/t",
    "s3://" + "a" * 63 + "/t",
    "s3://" + "a" * 64 + "/t",
    "s3://-data/t",
    "s3://data-/t",
    "s3://a..b/t",
    "s3://192.168.5.4/t",
    "s3://xn--data/t",
    "s3://data-s3alias/t",
    "gs://my_data/t",
    "gs://goog-data/t",
    "gs://my-google-data/t",
    "gs://" + ".".join(["a" * 60] * 3) + "/t",
    "gcs://DATA/t",
    "oss://my.data/t",
    "oss://my-data/t",
    "az://my--data/t",
    "az://my-data/t",
    "https://Ünicode.example/t",
    "hdfs://namenode:8020/t",
]


def _params() -> list[Param]:
    s = parse_type("str")
    return [
        Param("required", s),
        Param("optional", s, optional=True),
        Param("defaulted", s, default="x"),
        Param("patterned", s, pattern=r"^\s*$"),
    ]


def test_blanks_and_buckets_are_judged_alike_in_python_and_javascript(tmp_path: Path) -> None:
    cases, expected = [], []
    for p in _params():
        for v in BLANKS:
            cases.append({"field": field(p), "value": v})
            expected.append(check_value(p, v) == [])
    artifact = Param("data", parse_type("artifact"))
    for uri in URIS:
        cases.append({"field": field(artifact), "value": uri})
        expected.append(check_value(artifact, uri) == [])
    got = run_in_node(FORM_JS, "cases.map(c => check(c.field, c.value).length === 0)", cases, tmp_path)
    mismatches = [(c["field"]["name"], c["value"], e) for c, e, g in zip(cases, expected, got, strict=True) if e != g]
    assert mismatches == [], f"Python and JavaScript disagree on {mismatches}"
    required = _params()[0]
    assert check_value(required, "   ") and not check_value(required, " a ") and not check_value(required, "")
    assert not check_value(_params()[1], "   ") and not check_value(_params()[3], "   ")  # optional; a pattern decides
    refused = {u for u in URIS if bucket_problem(u)}
    assert "s3://ml-data/t.parquet" not in refused and "s3://Bücket/t" in refused and "gs://my_data/t" not in refused
    assert len(refused) == 15, sorted(refused)


def test_run_refuses_a_blank_param_and_a_bad_bucket(tmp_path: Path) -> None:
    """`mldsl run` with a params file goes through the same rules (exit 1, the param named, its code, no run)."""
    (tmp_path / "p.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n"
        "  params:\n    who: str\n    data: {type: artifact, optional: true}\n"
        "  steps:\n    hi:\n      uses: ./m.yaml\n      with: {who: '${{ params.who }}'}\n"
    )
    (tmp_path / "m.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Module\nmetadata: {name: m, version: 1.0.0}\n"
        "spec:\n  inputs: {who: str}\n  run:\n    python: {source: 'print(1)'}\n"
    )
    (tmp_path / "v.yaml").write_text("who: '   '\ndata: s3://Bücket/x\n")
    cmd = [sys.executable, "-m", "mldsl", "run", str(tmp_path / "p.yaml"), "--params-file", str(tmp_path / "v.yaml")]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    assert "error[MLD312]: --param who: '   ' is only whitespace" in p.stderr
    assert "error[MLD313]: --param data: 'Bücket' is not a valid S3 bucket name" in p.stderr
    assert "Traceback" not in p.stderr


def test_a_form_refuses_blanks_and_bad_buckets_and_keeps_a_typed_default(tmp_path: Path) -> None:
    out = tmp_path / "forms"
    subprocess.run([sys.executable, "-m", "mldsl", "forms", str(ROOT / "modules"), "-o", str(out)], check=True)
    browser = chromium()
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    try:
        browser.get((out / "module-train-sklearn.html").as_uri())
        box = lambda name: browser.find_element(By.CSS_SELECTOR, f'.field[data-name="{name}"]')  # noqa: E731

        def typed(name: str, text: str) -> str:
            control = box(name).find_element(By.CSS_SELECTOR, "input")
            control.send_keys(Keys.CONTROL, "a")
            control.send_keys(Keys.BACKSPACE)
            control.send_keys(text)
            return box(name).find_element(By.CLASS_NAME, "error").text

        assert "is only whitespace: a required string needs text" in typed("target", "   ")
        assert "'Bücket' is not a valid S3 bucket name" in typed("train", "s3://Bücket/train.parquet")
        assert not browser.find_element(By.ID, "download").is_enabled()
        assert typed("target", "churned") == "" and typed("train", "s3://ml-data/train.parquet") == ""
        before = yaml.safe_load(browser.find_element(By.ID, "yaml").text)["with"]
        assert "n_estimators" not in before  # untouched, the default applies
        assert typed("n_estimators", "100") == ""  # the default, typed: explicit beats implicit
        exported = yaml.safe_load(browser.find_element(By.ID, "yaml").text)["with"]
        assert browser.find_element(By.ID, "download").is_enabled()
    finally:
        browser.quit()
    assert exported == {"train": "s3://ml-data/train.parquet", "target": "churned", "n_estimators": 100}
