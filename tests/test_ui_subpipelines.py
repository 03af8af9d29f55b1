"""Issue #30 M9: the composer types a ``pipeline:`` step as the compiler does (its params the inputs, its outputs
the outputs), draws its edges and ports, and edits it like a module step."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from ui_support import EXAMPLES, open_pipeline, page_idle, studio_in_chromium, validate

from mldsl.ui.studio import Studio

from conftest import ROOT, run_in_node, wait_js

TYPES_JS = ROOT / "mldsl" / "ui" / "js" / "types.js"

#: the called pipeline also gives its model and its test table (artifacts of two formats)
MORE_OUTPUTS = '    auc: "${{ steps.evaluate.outputs.auc }}"\n'
EXTRA = MORE_OUTPUTS + '    model: "${{ steps.train.outputs.model }}"\n    test: "${{ steps.split.outputs.test }}"\n'
#: a step of the caller whose inputs take artifacts: what a pipeline step's outputs get wired to
SCORE = """    score:
      uses: evaluate-classifier@1
      with: {test: "s3://ml-data/churn/test.parquet"}
"""


@pytest.fixture
def bakeoff(tmp_path: Path) -> Path:
    root = tmp_path / "bakeoff"
    shutil.copytree(EXAMPLES["model-bakeoff"], root)
    called = root / "pipelines" / "train-candidate.yaml"
    called.write_text(called.read_text().replace(MORE_OUTPUTS, EXTRA))
    caller = root / "pipelines" / "bakeoff.yaml"
    caller.write_text(caller.read_text().replace("  outputs:\n", SCORE + "  outputs:\n", 1))
    return root


def _check(studio: Studio, model: dict[str, Any], opened: dict[str, Any]) -> dict[str, Any]:
    return studio.check({"path": opened["path"], "token": opened["token"], "original": opened["original"], "model": model})


def test_the_composer_and_validate_agree_on_wiring_a_pipeline_steps_outputs(bakeoff: Path, tmp_path: Path) -> None:
    studio = Studio(bakeoff)
    opened = studio.open("pipelines/bakeoff.yaml")
    first = _check(studio, opened["model"], opened)
    assert list(first["fields"]) == ["step:score"]  # its model is not given yet
    called = first["resolved"]["forest"]["pipeline"]
    assert [i["name"] for i in called["inputs"]] == ["data", "target", "algorithm", "n_estimators"]
    outs = {o["name"]: o for o in called["outputs"]}
    assert outs["model"]["type"] == {"kind": "artifact", "format": "joblib"} and outs["model_uri"]["typeText"] == "str"
    module = next(m for m in studio.modules()["modules"] if m["name"] == "evaluate-classifier")
    score = {i["name"]: i for i in module["versions"][-1]["inputs"]}
    assert set(score) == {"model", "test", "threshold"}
    cases = [(o, i) for o in ("model", "test", "model_uri", "auc") for i in ("model", "threshold")]
    pairs = [[outs[o]["type"], score[i]["type"]] for o, i in cases]
    verdicts = run_in_node(TYPES_JS, "cases.map(([a, b]) => assignable(a, b))", pairs, tmp_path)
    compiled = []
    for (output, into), _ in zip(cases, verdicts, strict=True):
        model = json.loads(json.dumps(opened["model"]))
        step = next(s for s in model["steps"] if s["name"] == "score")
        step["with"][into] = "${{ steps.forest.outputs." + output + " }}"
        if into != "model":
            step["with"]["model"] = "s3://ml-data/m.joblib"
        answer = _check(studio, model, opened)
        written = tmp_path / "copy" / "pipelines" / "bakeoff.yaml"
        shutil.copytree(bakeoff, tmp_path / "copy", dirs_exist_ok=True)
        written.write_text(answer["yaml"])
        p = validate(written)
        assert (p.returncode == 0) == (answer["errors"] == 0), (output, into, p.stderr)
        compiled.append(p.returncode == 0)
        assert ("forest", "score", False) in {tuple(e) for e in answer["edges"] or []} or not compiled[-1]
    assert verdicts == compiled, list(zip(cases, verdicts, compiled, strict=True))
    assert verdicts == [True, False, False, False, False, False, False, True]  # formats count; auc fits threshold


def test_wire_and_edit_a_pipeline_step_in_chromium(bakeoff: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    with studio_in_chromium(Studio(bakeoff)) as browser:
        browser.set_window_size(1280, 900)
        open_pipeline(browser, "bakeoff", 4)
        css = lambda q: browser.find_element("css selector", q)  # noqa: E731
        # its outputs are ports, typed as the compiler types them; its model (joblib) wires into score's model
        out = css('#dag .port.out[data-step="forest"][data-port="model"]')
        into = css('#dag .port.in[data-step="score"][data-port="model"]')
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", out)
        ActionChains(browser).click_and_hold(out).move_to_element(into).release(into).perform()
        wait_js(browser, "return /Wired forest.model → score.model/.test(document.getElementById('undo-bar').textContent)")
        page_idle(browser)
        wait_js(browser, "return /^valid/.test(document.getElementById('status').textContent)")
        assert browser.execute_script("return !!document.querySelector('#dag [data-edge=\"forest->score\"]')")
        source = css('[data-field="step:score:with:model"] select.source')
        assert source.get_attribute("value") == "ref:steps.forest.outputs.model"
        chosen = browser.execute_script("return arguments[0].selectedOptions[0].textContent", source)
        assert chosen == "forest → model (artifact(joblib))", chosen
        # its params are its inputs, edited as a module step's; of its properties only `when` applies
        value = css('[aria-label="n_estimators of forest: value"]')
        value.send_keys(Keys.CONTROL, "a")
        value.send_keys("300")
        page_idle(browser)
        wait_js(browser, "return /n_estimators: 300/.test(document.getElementById('yaml').textContent)")
        assert browser.execute_script("return S.check.errors") == 0
        fields = browser.execute_script(
            "return [...document.querySelectorAll('[data-props=\"forest\"] [data-field]')].map(f => f.dataset.field)"
        )
        assert fields == ["step:forest:prop:when"], fields
        card = css('[data-step="forest"]').text
        assert "pipeline: train-candidate" in card and "Also has" not in card
