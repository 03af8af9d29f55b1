"""`mldsl forms`: schemas, offline pages, the same rules in Python and JavaScript, and a real browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from mldsl.lang.constraints import Param, check_value
from mldsl.lang.mtypes import parse_type

from conftest import EXAMPLES as EXAMPLES_DIR
from conftest import ROOT, chromium, example_dirs, run_in_node

FORM_JS = ROOT / "backends" / "forms" / "form.js"
ARTIFACTS = ROOT / "tests" / "artifacts"


def forms(path: Path, out: Path) -> list[Path]:
    p = subprocess.run([sys.executable, "-m", "mldsl", "forms", str(path), "-o", str(out)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return sorted(out.iterdir())


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("forms")
    for example in example_dirs():
        forms(example, out / example.name)
    forms(ROOT / "modules", out / "modules")
    return out


def test_schemas_and_pages(generated: Path) -> None:
    schemas = sorted(generated.rglob("*.schema.json"))
    assert len(schemas) >= 15
    for path in schemas:
        schema = json.loads(path.read_text())
        Draft202012Validator.check_schema(schema)
        defaults = {k: v["default"] for k, v in schema["properties"].items() if "default" in v}
        assert (
            list(Draft202012Validator(schema).iter_errors({**{k: "s3://x/y" for k in schema["required"]}, **defaults})) == []
            or schema["required"]
        )
        ui = json.loads(path.with_name(path.name.replace(".schema.json", ".ui.json")).read_text())
        assert ui["ui:order"] == list(schema["properties"])
        page = path.with_name(path.name.replace(".schema.json", ".html")).read_text()
        assert "Content-Security-Policy" in page and "default-src 'none'" in page
        assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?https?:""", page), "pages must not load anything"
    ui = json.loads((generated / "modules" / "module-train-sklearn.ui.json").read_text())
    assert ui["algorithm"]["ui:widget"] == "select" and ui["n_estimators"]["ui:widget"] == "number"
    assert json.loads((generated / "modules" / "module-check-metrics.ui.json").read_text())["values"]["ui:widget"] == "list"


CORPUS: list[tuple[str, dict, list]] = [
    ("int", {"minimum": 1, "maximum": 32}, [0, 1, 6, 32, 33, -4, 2.5, "6", True, None, [1]]),
    ("float", {"minimum": 0.0, "exclusive_min": True, "maximum": 1.0}, [0.0, 0.5, 1.0, 1.5, 1, 0, "0.5", False]),
    ("str", {"pattern": r"^\d{4}-\d{2}-\d{2}$"}, ["2024-06-01", "2024-6-1", "x2024-06-01", "", 20240601, "٢٠٢٤-٠٦-٠١"]),
    (
        "str",
        {"pattern": "^https?://", "min_length": 10, "max_length": 30},
        ["https://a.io/x", "http://", "ftp://host/file", "https://" + "a" * 30],
    ),
    ("str", {"min_length": 2}, ["é", "éé", "🙂", "🙂🙂", "ab"]),
    ("bool", {}, [True, False, "true", 0, 1, None]),
    ("list[int]", {"min_length": 1}, [[], [1], [1, 2], [1, "2"], "1", [1.5], [True]]),
    ("list[float]", {}, [[0.5, 1], ["0.5"], [None]]),
    ("dict[str, str]", {"max_length": 1}, [{}, {"a": "b"}, {"a": "b", "c": "d"}, {"a": 1}, ["a"]]),
    ("artifact", {}, ["s3://b/k", "", 3, "my table.csv", "s3://", "https://host/x.csv", "gs://b", "file:///etc/x", "s3://b /k"]),
]


def test_python_and_javascript_agree(tmp_path: Path) -> None:
    cases, expected = [], []
    for type_text, constraints, values in CORPUS:
        opts = {k: v for k, v in constraints.items()}
        p = Param(
            "x",
            parse_type(type_text),
            minimum=opts.get("minimum"),
            maximum=opts.get("maximum"),
            exclusive_min=opts.get("exclusive_min", False),
            pattern=opts.get("pattern"),
            min_length=opts.get("min_length"),
            max_length=opts.get("max_length"),
        )
        from mldsl.backends.forms import field

        for v in values:
            cases.append({"field": field(p), "value": v})
            expected.append(check_value(p, v) == [])
    got = run_in_node(FORM_JS, "cases.map(c => check(c.field, c.value).length === 0)", cases, tmp_path)
    mismatches = [(c["field"]["kind"], c["value"], e) for c, e, g in zip(cases, expected, got, strict=True) if e != g]
    assert mismatches == [], f"Python and JavaScript disagree on {mismatches}"
    assert len(cases) > 50 and any(expected) and not all(expected)


def test_fill_a_module_form_in_chromium(tmp_path: Path) -> None:
    out = tmp_path / "forms"
    forms(ROOT / "modules", out)
    browser = chromium()
    from selenium.webdriver.common.by import By

    try:
        browser.get((out / "module-train-sklearn.html").as_uri())
        field = lambda name: browser.find_element(By.CSS_SELECTOR, f'.field[data-name="{name}"]')  # noqa: E731
        yaml_text = lambda: browser.find_element(By.ID, "yaml").text  # noqa: E731
        assert "required" in field("train").text and "required" in field("target").text
        train = field("train").find_element(By.TAG_NAME, "input")
        train.send_keys("my table.csv")  # issue #14 F1: the CLI refuses it (MLD308), so does the form
        assert "expected an artifact URI" in field("train").text
        train.clear()
        train.send_keys("s3://ml-data/churn/train.parquet")
        field("target").find_element(By.TAG_NAME, "input").send_keys("churned ${{ x")  # F4: a literal '${{'
        n = field("n_estimators").find_element(By.TAG_NAME, "input")
        n.clear()
        n.send_keys("0")
        assert "0 is below the minimum 1" in field("n_estimators").text
        assert not browser.find_element(By.ID, "download").is_enabled()
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "form-train-sklearn-invalid.png"))
        n.clear()
        n.send_keys("300")
        assert field("n_estimators").find_element(By.CLASS_NAME, "error").text == ""
        assert browser.find_element(By.ID, "download").is_enabled()
        browser.save_screenshot(str(ARTIFACTS / "form-train-sklearn.png"))
        exported = yaml_text()
    finally:
        browser.quit()
    with_block = yaml.safe_load(exported)["with"]
    target = "churned ${{ '${{' }} x"  # the expression that gives the literal text back
    assert with_block == {"train": "s3://ml-data/churn/train.parquet", "target": target, "n_estimators": 300}
    assert isinstance(with_block["n_estimators"], int)  # numbers stay numbers
    pipeline = {
        "apiVersion": "mldsl/v1",
        "kind": "Pipeline",
        "metadata": {"name": "from-form"},
        "spec": {"steps": {"train": {"uses": "train-sklearn@1", "with": with_block}}},
    }
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(pipeline))
    p = subprocess.run([sys.executable, "-m", "mldsl", "validate", str(tmp_path / "p.yaml")], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


def test_falsy_defaults_and_every_page_renders(generated: Path) -> None:
    browser = chromium()
    from selenium.webdriver.common.by import By

    try:
        browser.get((generated / "modules" / "module-check-metrics.html").as_uri())
        inputs = {f.get_attribute("data-name"): f for f in browser.find_elements(By.CLASS_NAME, "field")}
        assert inputs["minimum"].find_element(By.TAG_NAME, "input").get_attribute("value") == "0"  # default 0.0 kept
        assert not inputs["fail_below"].find_element(By.TAG_NAME, "input").is_selected()  # default false kept
        ARTIFACTS.mkdir(exist_ok=True)
        for page in sorted(p for p in generated.rglob("*.html") if p.name != "index.html"):
            browser.get(page.as_uri())
            status = browser.find_element(By.ID, "status").text
            assert status == "valid" or "to fix" in status, page
            assert browser.find_element(By.ID, "yaml").text, page
            browser.save_screenshot(str(ARTIFACTS / f"{page.parent.name}-{page.stem}.png"))
        logs = browser.get_log("browser") if hasattr(browser, "get_log") else []
        assert not [entry for entry in logs if entry.get("level") == "SEVERE"], logs
    finally:
        browser.quit()


def test_number_and_date_fields_keep_what_is_typed_or_refuse_it(tmp_path: Path) -> None:
    """Issue #30 M3, M4: a number box kept `1,5` as 15, `12:30` as 1230 and emptied `abc` (the default applied
    without a word); the date picker turned 2024-06-15 into 02/02/40615. What is typed now stays as typed: it is
    read as a number or a date when it is one, else refused with a message at the field."""
    project = tmp_path / "gpu"
    shutil.copytree(ROOT / "examples" / "gpu-training", project)
    out = tmp_path / "forms"
    forms(project, out)
    browser = chromium()
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    try:
        browser.get((out / "pipeline-ranker-training.html").as_uri())
        field = lambda name: browser.find_element(By.CSS_SELECTOR, f'.field[data-name="{name}"]')  # noqa: E731

        def typed(name: str, text: str) -> tuple[str, str, str]:
            box = field(name).find_element(By.TAG_NAME, "input")
            box.send_keys(Keys.CONTROL, "a")
            box.send_keys(Keys.BACKSPACE)
            box.send_keys(text)
            return box.get_attribute("value"), field(name).text, browser.find_element(By.ID, "yaml").text

        for text, why in (("1,5", "write decimals with a point (1.5)"), ("12:30", "not a number"), ("abc", "not a number")):
            value, shown, exported = typed("epochs", text)
            assert value == text and why in shown and "default" not in shown, (text, shown)
            assert "epochs: 15" not in exported and "epochs: 1230" not in exported
        value, shown, exported = typed("epochs", "40")
        assert "not a number" not in shown and "epochs: 40" in exported
        assert "YYYY-MM-DD" in field("day").text  # the help says the format the box reads
        for text in ("12:30", "2024-02-30", "06/15/2024"):
            value, shown, _ = typed("day", text)
            assert value == text and "is not a date: write it as YYYY-MM-DD" in shown, (text, shown)
        value, shown, exported = typed("day", "2024-06-15")
        assert value == "2024-06-15" and "not a date" not in shown and "2024-06-15" in exported
    finally:
        browser.quit()


def test_sweep_form_exports_a_valid_sweep(tmp_path: Path) -> None:
    project = tmp_path / "gpu"
    shutil.copytree(ROOT / "examples" / "gpu-training", project)
    out = tmp_path / "forms"
    forms(project, out)
    browser = chromium()
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    try:
        browser.get((out / "sweep-ranker-tpe.html").as_uri())
        day = browser.find_element(By.CSS_SELECTOR, '.field[data-name="day"] input')
        # a date-patterned string is typed as its help says, YYYY-MM-DD (issue #30 M4; it was a picker, #14 F7)
        assert day.get_attribute("placeholder") == "YYYY-MM-DD"
        day.send_keys(Keys.CONTROL, "a")
        day.send_keys("2024-07-15")
        exported = browser.find_element(By.ID, "yaml").text
    finally:
        browser.quit()
    doc = yaml.safe_load(exported)
    # the sweep's own fixed value, changed; ``workers`` stays at the pipeline's default, not added (issue #29 item 6)
    assert doc["kind"] == "Sweep" and doc["spec"]["fixed"] == {"day": "2024-07-15"}
    (project / "sweeps.yaml").write_text(exported)
    p = subprocess.run([sys.executable, "-m", "mldsl", "validate", str(project)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


def test_the_artifact_uri_rule_is_the_same_in_javascript() -> None:
    """Issue #14 F1: the form took any text as an artifact; it now tests the CLI's own expression."""
    from mldsl.lang.constraints import ARTIFACT_URI

    js = FORM_JS.read_text(encoding="utf-8")
    line = next(x for x in js.splitlines() if x.startswith("const ARTIFACT_URI = /"))
    assert line[len("const ARTIFACT_URI = /") : -2].replace("\\/", "/") == ARTIFACT_URI.pattern


@pytest.mark.parametrize(
    ("name", "key", "ok"),
    [("db-credentials", "password", True), ("api'x }}", "tok", False), ("Bad Name", "k", False), ("a.b", "k y", False)],
)
def test_secret_references_are_checked_alike_in_the_form_and_the_cli(tmp_path: Path, name: str, key: str, ok: bool) -> None:
    """Issue #14 F4: a secret name `api'x }}` made `${{ secret('api'x }}', 'tok') }}`, refused later by the CLI."""
    from mldsl.lang.constraints import secret_problems

    got = run_in_node(FORM_JS, "cases.map(c => check({kind: 'secret'}, c).length === 0)", [{"name": name, "key": key}], tmp_path)
    assert got == [ok] and (secret_problems(name, key) == []) is ok
    js = FORM_JS.read_text(encoding="utf-8")
    for const in ("SECRET_NAME", "SECRET_KEY"):
        from mldsl.lang import constraints

        line = next(x for x in js.splitlines() if x.startswith(f"const {const} = /"))
        assert line[len(f"const {const} = /") : -2].replace("\\/", "/") == getattr(constraints, const).pattern


def test_pipeline_forms_take_artifact_params_and_every_form_says_what_to_do(tmp_path: Path) -> None:
    """Issue #14 F11 (churn-train's `data` was left out) and F12 (nothing said what to do with the download)."""
    out = tmp_path / "forms"
    forms(EXAMPLES_DIR / "churn-train", out)
    doc = json.loads((out / "pipeline-churn-train.schema.json").read_text())
    assert "data" in doc["properties"]
    page = (out / "pipeline-churn-train.html").read_text()
    assert "mldsl submit churn-train --params-file churn-train.params.yaml" in page
    assert "mldsl run . --pipeline churn-train --params-file churn-train.params.yaml" in page
    index = (out / "index.html").read_text()
    assert 'href="pipeline-churn-train.html"' in index and 'href="module-add-features.html"' in index
    # what the form downloads for an artifact param is what `mldsl submit` takes
    from mldsl.compiler import compile_paths
    from mldsl.ops.params import parse_params

    [pipeline] = [p for p in compile_paths([EXAMPLES_DIR / "churn-train"]).program.pipelines if p.name == "churn-train"]
    assert parse_params(pipeline, ["data=s3://ml-data/other.csv"])[1] == []
    assert parse_params(pipeline, ["data=my table.csv"])[1] != []


ROWS_MODULE = """\
apiVersion: mldsl/v1
kind: Module
metadata: {name: rows, version: 1.0.0}
spec:
  inputs:
    labels: {type: "dict[str, str]", optional: true}
    grid: {type: "list[list[int]]", optional: true}
    tags: {type: "list[str]", optional: true}
    n: {type: int, default: 5, min: 1, max: 9}
    bucket: {type: str, default: s3x, pattern: "^s3"}
  outputs: {}
  run: {container: {image: busybox:1.36, command: [sh, -c, "true"]}}
"""


def test_rows_limits_and_empty_fields_in_chromium(tmp_path: Path) -> None:
    """Issue #14 F2, F3, F7, F8, F9, F10, each as a user meets it."""
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "module.yaml").write_text(ROWS_MODULE)
    out = tmp_path / "forms"
    forms(tmp_path / "m", out)
    browser = chromium()
    from selenium.webdriver.common.by import By

    try:
        browser.get((out / "module-rows.html").as_uri())
        field = lambda name: browser.find_element(By.CSS_SELECTOR, f'.field[data-name="{name}"]')  # noqa: E731
        yaml_text = lambda: browser.find_element(By.ID, "yaml").text  # noqa: E731
        # F3: untouched optional rows are left out, not written as {} or []
        assert yaml.safe_load(yaml_text()) == {"with": {}}  # under the lines that say whose block it is (#30 m16)
        # F7: limits are said before anything is typed, in words
        assert "a whole number, at least 1 and at most 9" in field("n").text
        assert "starts with s3" in field("bucket").text
        # F2: a repeated key and an empty key are problems, not silently dropped
        labels = field("labels")
        labels.find_element(By.CSS_SELECTOR, "button.add").click()
        assert browser.switch_to.active_element.get_attribute("aria-label") == "labels key 1"  # focus moved to it
        browser.switch_to.active_element.send_keys("team")
        labels.find_element(By.CSS_SELECTOR, "button.add").click()
        browser.switch_to.active_element.send_keys("team")
        assert "key 'team' is given twice" in labels.text
        assert not browser.find_element(By.ID, "download").is_enabled()
        assert "fix" in browser.find_element(By.ID, "download-why").text
        from selenium.webdriver.common.keys import Keys

        labelled = lambda name: browser.find_element(By.CSS_SELECTOR, f'[aria-label="{name}"]')  # noqa: E731
        labelled("labels key 2").send_keys(Keys.BACKSPACE * 4)
        assert "row 2 has no key" in labels.text
        assert "the value of key 'team' is empty" in labels.text
        labelled("remove labels key 2").click()
        assert browser.switch_to.active_element.text == "+ key"  # focus is not lost with the row
        labelled("value of labels key 1").send_keys("ml")
        assert labels.find_element(By.CLASS_NAME, "error").text == ""
        # F10: an empty row of an optional list says so (not "null is not allowed")
        tags = field("tags")
        tags.find_element(By.CSS_SELECTOR, "button.add").click()
        assert "item 1 is empty: fill it or remove it" in tags.text and "null" not in tags.text
        browser.switch_to.active_element.send_keys("gold")
        # F10: a number box holding something that is not a number says so
        n = field("n").find_element(By.TAG_NAME, "input")
        n.send_keys(Keys.BACKSPACE, "e")
        assert "not a number" in field("n").text
        assert n.get_attribute("aria-invalid") == "true"
        # F8: an emptied field says the default applies
        n.send_keys(Keys.BACKSPACE)
        assert "the default 5 applies" in field("n").text
        # F9: list[list[int]] rows of rows
        grid = field("grid")
        grid.find_element(By.CSS_SELECTOR, "button.add").click()  # a row
        grid.find_element(By.CSS_SELECTOR, ".rows .rows button.add").click()  # a number in it
        browser.switch_to.active_element.send_keys("3")
        assert browser.find_element(By.ID, "download").is_enabled(), browser.find_element(By.ID, "status").text
        exported = yaml.safe_load(yaml_text())
    finally:
        browser.quit()
    assert exported == {"with": {"labels": {"team": "ml"}, "grid": [[3]], "tags": ["gold"]}}
    pipeline = {
        "apiVersion": "mldsl/v1",
        "kind": "Pipeline",
        "metadata": {"name": "p"},
        "spec": {"steps": {"s": {"uses": "rows@1", "with": exported["with"]}}},
    }
    (tmp_path / "m" / "p.yaml").write_text(yaml.safe_dump(pipeline))
    p = subprocess.run([sys.executable, "-m", "mldsl", "validate", str(tmp_path / "m")], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr + p.stdout


SWEPT = """\
apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: swept}
spec:
  params:
    lr: {type: float, default: 0.1, min: 0, max: 1}
    n: {type: int, default: 5, min: 1, max: 100}
    algo: {type: enum, values: [a, b], default: a}
  steps:
    fit:
      uses: check-metrics@1
      with: {values: "${{ [params.lr, params.n] }}", minimum: 0.0}
"""

#: (param, strategy, kind, args): each one compiled by the CLI and checked by form.js
DIMENSIONS = [
    ("lr", "random", "uniform", [0.1, 0.5]),
    ("lr", "random", "uniform", [0.5, 0.1]),
    ("lr", "random", "uniform", [0.1, 1.5]),
    ("lr", "random", "loguniform", [0.0, 0.5]),
    ("lr", "random", "loguniform", [0.001, 0.5]),
    ("lr", "grid", "uniform", [0.1, 0.5]),
    ("lr", "random", "normal", [0.5, 0.1]),
    ("lr", "random", "normal", [0.5, 0]),
    ("lr", "grid", "values", [0.1, 0.2]),
    ("lr", "grid", "values", [0.1, 2]),
    ("lr", "grid", "values", []),
    ("n", "grid", "range", [1, 10, 1]),
    ("n", "grid", "range", [1, 10, 0]),
    ("n", "grid", "range", [10, 1, 1]),
    ("n", "grid", "range", [1, 10.5, 1]),
    ("n", "grid", "range", [0, 10, 1]),
    ("n", "tpe", "int_uniform", [1, 50]),
    ("n", "tpe", "int_uniform", [1, 500]),
    ("algo", "grid", "values", ["a", "b"]),
    ("algo", "grid", "values", ["a", "c"]),
]


def test_sweep_dimensions_are_checked_alike_in_the_form_and_the_cli(tmp_path: Path) -> None:
    """Issue #14 F13: the form edits the search space; its checks are compiler/sweeps.py's."""
    from mldsl.backends.forms import field
    from mldsl.compiler import compile_paths

    (tmp_path / "p.yaml").write_text(SWEPT)
    swept = {p.name: p for p in next(iter(compile_paths([tmp_path / "p.yaml"]).program.pipelines)).params}
    cases, expected = [], []
    for i, (param, strategy, kind, args) in enumerate(DIMENSIONS):
        sweep = {
            "apiVersion": "mldsl/v1",
            "kind": "Sweep",
            "metadata": {"name": f"s{i}"},
            "spec": {
                "pipeline": "swept",
                "strategy": strategy,
                "params": {param: {kind: args}},
                "max_trials": 4,
                "objective": {"metric": "steps.fit.outputs.mean", "goal": "maximize"},
            },
        }
        (tmp_path / "s.yaml").write_text(yaml.safe_dump(sweep))
        result = compile_paths([tmp_path / "p.yaml", tmp_path / "s.yaml"])
        codes = {d.code for d in result.diagnostics if d.severity == "error"}
        assert codes <= {"MLD703", "MLD704", "MLD705"}, (param, kind, args, codes)
        expected.append(not codes)
        cases.append({"d": {"kind": kind, "args": args}, "f": field(swept[param]), "strategy": strategy})
    got = run_in_node(FORM_JS, "cases.map(c => dimensionProblems(c.d, c.f, c.strategy).length === 0)", cases, tmp_path)
    mismatches = [DIMENSIONS[i] for i, (e, g) in enumerate(zip(expected, got, strict=True)) if e != g]
    assert mismatches == []
    assert any(expected) and not all(expected)


def test_the_sweep_form_edits_the_search_space_and_trials(tmp_path: Path) -> None:
    """Issue #14 F13 in Chromium; and a sweep with skip_steps exports the swept pipeline's name and its skips."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    project = tmp_path / "gpu"
    shutil.copytree(ROOT / "examples" / "gpu-training", project)
    out = tmp_path / "forms"
    forms(project, out)
    serving = tmp_path / "serving"
    shutil.copytree(ROOT / "examples" / "churn-serving", serving)
    forms(serving, tmp_path / "serving-forms")
    browser = chromium()
    try:
        browser.get((out / "sweep-ranker-random.html").as_uri())
        by_id = lambda i: browser.find_element(By.ID, i)  # noqa: E731
        by_id("space-epochs-step").send_keys(Keys.BACKSPACE * 3, "0")
        assert "a step must be positive" in browser.find_element(By.CSS_SELECTOR, '[data-space="epochs"]').text
        assert not by_id("download").is_enabled()
        by_id("space-epochs-step").send_keys(Keys.BACKSPACE, "5")
        by_id("space-learning_rate-high").send_keys(Keys.BACKSPACE * 6, "0.05")
        by_id("setting-max_trials").send_keys(Keys.BACKSPACE * 3, "10")
        assert by_id("download").is_enabled(), by_id("status").text
        exported = by_id("yaml").text
        browser.get((tmp_path / "serving-forms" / "sweep-churn-algorithms.html").as_uri())
        untouched = by_id("yaml").text
    finally:
        browser.quit()
    doc = yaml.safe_load(exported)
    assert doc["spec"]["params"] == {"learning_rate": {"loguniform": [1e-05, 0.05]}, "epochs": {"range": [10, 50, 5]}}
    assert doc["spec"]["max_trials"] == 10 and doc["metadata"]["description"]
    (project / "sweeps.yaml").write_text(exported)
    p = subprocess.run([sys.executable, "-m", "mldsl", "validate", str(project)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    doc = yaml.safe_load(untouched)
    assert doc["spec"]["pipeline"] == "churn-release" and doc["spec"]["skip_steps"] == ["register", "sign_off"]
    (serving / "tune.yaml").write_text(untouched)
    p = subprocess.run([sys.executable, "-m", "mldsl", "validate", str(serving)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
