"""`mldsl ui` in headless Chromium: composing, the canvas, forms, running, the runs panel."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml
from ui_support import (
    ARTIFACTS,
    CROSSINGS,
    EXAMPLES,
    LOCAL_PIPELINE,
    big_pipeline,
    idle_find,
    open_pipeline,
    page_idle,
    studio_in_chromium,
    validate,
)

from mldsl.ui.studio import Studio

from conftest import wait_js

# selenium is in the [dev] extra: without it every test here is skipped (as conftest.chromium does)
WebDriverWait = pytest.importorskip("selenium.webdriver.support.ui", reason="selenium is in the [dev] extra").WebDriverWait
TimeoutException = pytest.importorskip("selenium.common.exceptions").TimeoutException

pytest_plugins = ["ui_support"]  # its fixtures: project, ui, cluster

# --- a real browser ----------------------------------------------------------------------------------------------------------


def test_compose_a_two_step_pipeline_in_chromium_and_save_it(project: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    with studio_in_chromium(Studio(project)) as browser:
        css = lambda q: browser.find_element(By.CSS_SELECTOR, q)  # noqa: E731
        checks = lambda: int(css("body").get_attribute("data-checks") or 0)  # noqa: E731

        def settle(before: int) -> str:
            done = lambda _: checks() > before and not css("#status").text.startswith("checking") and css("#status").text  # noqa: E731
            return str(WebDriverWait(browser, 20, 0.05).until(done, "the page never finished checking"))

        def shows(selector: str, text: str) -> str:
            """The element's text once it holds ``text``: a check may land between two keystrokes."""
            with contextlib.suppress(TimeoutException):
                WebDriverWait(browser, 20, 0.05).until(
                    lambda _: text in css(selector).text and not css("#status").text.startswith("checking")
                )
            return css(selector).text

        settle(0)
        css("#search").send_keys("parquet split")
        assert [e.get_attribute("data-module") for e in browser.find_elements(By.CSS_SELECTOR, ".module")] == ["split-dataset"]
        css("#search").clear()
        css("#search").send_keys(" ")
        n = checks()
        css('[data-module="read-table"] .add-step').click()
        settle(n)
        n = checks()
        css('[data-module="split-dataset"] .add-step').click()
        assert "problem" in settle(n)
        # steps are named as people name them (issue #14 U14): the module's first word
        assert "required input 'table'" in css('[data-err="step:split"]').text

        # only outputs whose type fits are offered: a parquet table, not the row count or the column names
        source = Select(css('[data-field="step:split:with:table"] select.source'))
        offered = [o.get_attribute("value") for o in source.options]
        assert offered == ["unset", "value", "expr", "ref:steps.read.outputs.table"]
        # a column name is not offered a file's location (U9); the first step is offered no later step's output
        stratify = Select(css('[data-field="step:split:with:stratify"] select.source'))
        assert not [o for o in stratify.options if ".uri" in (o.get_attribute("value") or "")]
        first = Select(css('[data-field="step:read:with:source"] select.source'))
        assert not [o for o in first.options if "steps.split" in (o.get_attribute("value") or "")]
        n = checks()
        source.select_by_value("ref:steps.read.outputs.table")
        settle(n)
        assert browser.find_elements(By.CSS_SELECTOR, '[data-edge="read->split"]')

        n = checks()
        Select(css('[data-field="step:read:with:source"] select.source')).select_by_value("value")
        css('[data-field="step:read:with:source"] .slot input').send_keys("s3://ml-data/churn.csv")
        settle(n)
        fraction = css('[data-field="step:split:with:test_fraction"] select.source')
        Select(fraction).select_by_value("value")
        box = css('[data-field="step:split:with:test_fraction"] .slot input')
        box.clear()
        n = checks()
        box.send_keys("1.5")
        settle(n)
        assert "1.5 must be less than 1.0" in shows('[data-err="step:split:with:test_fraction"]', "1.5 must")
        assert "invalid" in (css('[data-field="step:split:with:test_fraction"]').get_attribute("class") or "")
        assert box.get_attribute("aria-invalid") == "true"  # U15: the mark is there for a screen reader too
        assert css("#save").get_attribute("disabled") is not None
        box.clear()
        n = checks()
        box.send_keys("0.3")
        settle(n)

        # renaming a step rewrites the references to it
        from selenium.webdriver.common.keys import Keys

        rename = css('[data-step="read"] input.step-name')
        rename.clear()
        n = checks()
        rename.send_keys("load", Keys.TAB)
        settle(n)
        assert 'table: "${{ steps.load.outputs.table }}"' in css("#yaml").text
        assert browser.find_elements(By.CSS_SELECTOR, '[data-edge="load->split"]')

        path = css("#path")
        path.clear()
        path.send_keys("pipelines/two-step.yaml")
        name = css("#pipeline-name")
        name.clear()
        n = checks()
        name.send_keys("two-step")
        assert settle(n) == "valid: 2 steps in order load → split"
        assert len(browser.find_elements(By.CSS_SELECTOR, "#dag [data-node]")) == 2
        css("#save").click()
        WebDriverWait(browser, 20, 0.05).until(lambda _: css("#save-status").text not in ("", "saving…"))
        assert css("#save-status").text == "saved pipelines/two-step.yaml"
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "ui-compose.png"))
        severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert severe == []
    saved = yaml.safe_load((project / "pipelines" / "two-step.yaml").read_text())
    # pinned as people write it (U14): the newest version of major 1
    assert saved["spec"]["steps"] == {
        "load": {"uses": "read-table@1", "with": {"source": "s3://ml-data/churn.csv"}},
        "split": {
            "uses": "split-dataset@1",
            "with": {"table": "${{ steps.load.outputs.table }}", "test_fraction": 0.3},
        },
    }
    p = validate(project / "pipelines" / "two-step.yaml")
    assert p.returncode == 0, p.stderr
    assert os.path.getsize(ARTIFACTS / "ui-compose.png") > 10_000


def test_apply_run_and_launch_from_the_page(cluster: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    root = tmp_path / "gpu"
    shutil.copytree(EXAMPLES["gpu-training"], root)
    with studio_in_chromium(Studio(root)) as browser:
        css = lambda q: browser.find_element(By.CSS_SELECTOR, q)  # noqa: E731

        def log_after(button: str, count: int) -> list[str]:
            css(button).click()
            WebDriverWait(browser, 20, 0.05).until(
                lambda _: len(browser.find_elements(By.CSS_SELECTOR, "#cluster-log li")) >= count, f"no answer to {button}"
            )
            return [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#cluster-log li")]

        WebDriverWait(browser, 20, 0.05).until(lambda _: browser.find_elements(By.ID, "submit-run"))
        lines = log_after("#apply", 1)
        assert "workflowtemplate/ranker-training created" in lines
        from selenium.webdriver.common.keys import Keys

        epochs = css('.run-form [data-name="epochs"] input')
        assert "at most 200" in css('.run-form [data-name="epochs"]').text  # the limits, before typing (U6)
        epochs.send_keys(Keys.BACKSPACE * 4, "400")
        # checked as typed, at the field (U6): the run cannot start, and the page says why
        assert "400 is above the maximum 200" in css('.run-form [data-name="epochs"]').text
        assert epochs.get_attribute("aria-invalid") == "true"
        assert css("#submit-run").get_attribute("disabled") is not None and "Fix the param" in css("#run-why").text
        with contextlib.suppress(TimeoutException):  # the cluster's copy was just applied: it matches
            WebDriverWait(browser, 20, 0.05).until(lambda _: "matches" in css("#cluster-state").text)
        assert css("#cluster-state").text == "The cluster's copy matches the saved file."
        epochs.send_keys(Keys.BACKSPACE * 3, "40")
        submit = css("#submit-run")
        browser.execute_script("arguments[0].click(); arguments[0].click();", submit)  # issue #14 U5: a double click
        WebDriverWait(browser, 20, 0.05).until(
            lambda _: (
                len(browser.find_elements(By.CSS_SELECTOR, "#cluster-log li")) > len(lines)
                and not submit.get_attribute("aria-busy")
            )
        )
        # the second click found the button disabled and sent nothing: no later answer can add a line
        lines = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#cluster-log li")]
        assert re.fullmatch(r"workflow/ranker-training-\d+ submitted", lines[0]), lines
        assert sum("submitted" in line for line in lines) == 1, lines  # one run, not two
        Select(css("#launch-sweep")).select_by_value("ranker-random")
        lines = log_after("#launch", len(lines) + 1)
        assert re.fullmatch(r"workflow/ranker-random-\d+ started", lines[0]), lines
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "ui-cluster.png"))
    runs = [k for k in cluster.store if k[3] == "workflows"]
    assert len(runs) == 2


def test_the_dag_undo_and_retyping_in_chromium(tmp_path: Path) -> None:
    """Issue #14 U4 (layout, hover, params, exit, keyboard), U8 (the module's inputs fit), U10 (undo), U11."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    root = tmp_path / "churn"
    shutil.copytree(EXAMPLES["churn-train"], root)
    with studio_in_chromium(Studio(root)) as browser:
        css = partial(idle_find, browser)

        until = partial(wait_js, browser)

        until("return document.querySelectorAll('#open option').length > 1")
        Select(css("#open")).select_by_index(1)
        until("return /^valid/.test(document.getElementById('status').textContent) && document.querySelector('#dag [data-exit]')")
        # U4: no edge runs through a step it does not join (split→evaluate and train→publish skip a layer)
        crossings = browser.execute_script(CROSSINGS)
        assert crossings == []
        hover = css('[data-edge="split->evaluate"]').find_element(By.XPATH, "..").find_element(By.TAG_NAME, "title")
        assert hover.get_attribute("textContent") == "split → evaluate: test → test"
        assert "notify-webhook" in css("#dag [data-exit]").get_attribute("textContent")
        chip = css('[data-param-chip="min_auc"]')
        assert chip.get_attribute("aria-label") == "min_auc (float), read by publish"
        # keyboard: a node is a button that takes you to its step's card
        node = css('#dag [data-node="train"]')
        node.send_keys(Keys.ENTER)
        assert browser.switch_to.active_element == css('[data-step="train"] input.step-name')
        # U8: an opened module's inputs fit its column, and its description is shown once
        css('[data-module="train-sklearn"] .module-head').click()
        card = css('[data-module="train-sklearn"]')
        assert browser.execute_script("return arguments[0].scrollWidth <= arguments[0].clientWidth", card)
        description = card.find_element(By.CLASS_NAME, "desc").text
        assert card.text.count(description) == 1
        # U10: removing a step says who read from it and can be undone
        css('[data-step="split"] button.remove').click()
        until("return document.getElementById('undo')")
        assert "train and evaluate depend on it" in css("#undo-bar").text
        until("return document.querySelector('[data-field=\"step:train:with:train\"] select.source')")
        test_source = Select(css('[data-field="step:evaluate:with:test"] select.source'))
        assert "was removed" in test_source.first_selected_option.text
        css("#undo").click()
        until("return document.querySelectorAll('#steps > [data-step]').length === 6")
        until("return /^valid/.test(document.getElementById('status').textContent)")
        # U11: a param's default that does not fit its new type is dropped, and the readers still know it
        Select(css('[aria-label="type of param n_estimators"]')).select_by_value("bool")
        until("return !document.getElementById('status').textContent.startsWith('checking')")
        default = css('[aria-label="default of param n_estimators"]')
        assert default.get_attribute("value") == ""
        # U12: a secret param can be declared here; it takes no default (MLD500)
        Select(css('[aria-label="type of param webhook"]')).select_by_value("secret")
        page_idle(browser)
        assert css('[aria-label="default of param webhook"]').get_attribute("disabled") is not None
        assert "unknown param" not in css("#composer").text


def test_step_properties_params_and_pipeline_settings_in_chromium(tmp_path: Path) -> None:
    """Issue #14 U12: what was not editable here is, with the CLI's checks shown at the field."""
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    root = tmp_path / "churn"
    shutil.copytree(EXAMPLES["churn-train"], root)
    target = root / "pipelines" / "churn-train.yaml"
    with studio_in_chromium(Studio(root)) as browser:

        def css(q: str) -> Any:  # in the middle of the screen: the sticky Save bar covers the bottom
            found = idle_find(browser, q)
            browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", found)
            return found

        until = partial(wait_js, browser)

        def settled() -> str:  # the check of the last edit has answered (an edit schedules one at once)
            page_idle(browser)
            return css("#status").text

        until("return document.querySelectorAll('#open option').length > 1")
        Select(css("#open")).select_by_index(1)
        until("return /^valid/.test(document.getElementById('status').textContent)")
        # a step's timeout: a bad one is the compiler's error at that field, and opens the panel
        css('[data-props="train"] > summary').click()
        timeout = css('[data-field="step:train:prop:timeout"] input')
        assert timeout.get_attribute("value") == "2h"
        timeout.send_keys(Keys.BACKSPACE * 2, "2x")
        assert "problem" in settled()
        until("return document.querySelector('[data-err=\"step:train:prop:timeout\"]').textContent.includes('MLD')")
        assert timeout.get_attribute("aria-invalid") == "true"
        timeout.send_keys(Keys.BACKSPACE * 2, "45m")
        assert settled().startswith("valid")
        css('[data-field="step:train:prop:retries"] input').send_keys(Keys.BACKSPACE, "3")
        css('[data-props="features"] > summary').click()
        css('[data-field="step:features:prop:when"] input').send_keys("${{ params.n_estimators > 10 }}")
        # a param's description and limits; enum values as rows
        param = css('[data-field="param:n_estimators"]')
        browser.execute_script("arguments[0].querySelector('summary').click()", param)
        css('[id="f-param-n_estimators-description"]').send_keys("Trees in the forest")
        algo = css('[data-field="param:algorithm"]')
        browser.execute_script("arguments[0].querySelector('button.add').click()", algo)
        browser.switch_to.active_element.send_keys("extra_trees")
        assert "problem" in settled()  # the module's input takes three algorithms: the compiler says so there
        until("return document.querySelector('[data-err=\"step:train:with:algorithm\"]').textContent.includes('MLD303')")
        css('[aria-label="remove values of param algorithm item 4"]').click()
        # the pipeline's outputs and schedule
        css("#pipeline-panel > summary").click()
        css("#schedule-cron").send_keys("0 3 * * *")
        css("#schedule-timezone").send_keys("Europe/Paris")
        assert settled().startswith("valid"), browser.execute_script("return JSON.stringify(S.check.fields)")
        css("#save").click()
        until("return /^saved/.test(document.getElementById('save-status').textContent)")
    doc = yaml.safe_load(target.read_text())
    spec = doc["spec"]
    train = spec["steps"]["train"]
    assert train["timeout"] == "45m" and train["retries"] == {
        "limit": 3,
        "backoff": {"duration": "30s", "factor": 2, "max_duration": "5m"},
    }
    assert spec["steps"]["features"]["when"] == "${{ params.n_estimators > 10 }}"
    assert spec["params"]["n_estimators"]["description"] == "Trees in the forest"
    assert spec["params"]["algorithm"]["values"] == ["logistic_regression", "random_forest", "gradient_boosting"]
    assert spec["schedule"] == {"cron": "0 3 * * *", "timezone": "Europe/Paris"}
    assert spec["outputs"]["auc"] == "${{ steps.evaluate.outputs.auc }}" and spec["on_exit"]["uses"] == "notify-webhook@1"
    assert validate(target).returncode == 0


def test_run_locally_from_the_page_and_read_it_in_the_runs_panel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue #14: Save and run on this machine (a real `mldsl run` process); the runs panel lists it with its
    status, duration, changed params and outputs, shows its steps' logs, and lists it again after a reload."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    monkeypatch.delenv("ARGO_SERVER", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.delenv("MLDSL_HOME", raising=False)
    root = tmp_path / "metrics"
    root.mkdir()
    (root / "mldsl.yaml").write_text("apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: metrics}\nspec: {}\n")
    (root / "metrics.yaml").write_text(LOCAL_PIPELINE)
    with studio_in_chromium(Studio(root)) as browser:
        css = lambda q: browser.find_element(By.CSS_SELECTOR, q)  # noqa: E731

        until = partial(wait_js, browser)

        until("return document.getElementById('submit-run')")
        assert css("#where-local").is_selected() and not css("#where-cluster").is_enabled()  # no cluster here
        n = css('.run-form [data-name="floor"] input')
        n.send_keys(Keys.BACKSPACE * 3, "0.2")
        browser.execute_script("document.getElementById('submit-run').scrollIntoView({block: 'center'})")
        css("#submit-run").click()
        until("return document.querySelector('#cluster-log li')")
        assert "started a local run of metrics" in css("#cluster-log li").text
        status = "return (document.querySelector('#runs li.run[data-run]') || {}).dataset?.status"
        assert until(status + " === 'Succeeded' && 1", 120)
        run = css("#runs li.run[data-run]")
        assert "floor=0.2" in run.text and "mean=0.6" in run.text and "this machine" in run.text
        run_id = run.get_attribute("data-run")
        browser.execute_script("arguments[0].click()", run.find_element(By.CSS_SELECTOR, "button.show-run"))
        until("return document.querySelector('.run-details pre.log')")
        logs = browser.execute_script(
            "return [...document.querySelectorAll('.run-details pre.log')].map(p => p.textContent).join('\\n')"
        )
        assert "check: Succeeded" in css(".run-details").text and "check-metrics: n=3" in logs
        browser.refresh()  # kept across reloads: the run records are the project's
        until(f"return document.querySelector('#runs li.run[data-run=\"{run_id}\"]')")
    assert (root / ".mldsl" / "runs" / run_id / "run.json").is_file()
    assert not list((root / ".mldsl").glob("ui-run-*.log"))  # the start's stderr is cleaned up once its record exists


def test_canvas_add_by_drop_wire_by_ports_zoom_and_pan(project: Path) -> None:
    """Issue #14: a module dropped on the canvas becomes a step; dragging an output port onto an input port
    wires them with the wire menus' rules (a type that does not fit, or a cycle, is refused); zoom and pan."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    with studio_in_chromium(Studio(project)) as browser:
        css = partial(idle_find, browser)

        until = partial(wait_js, browser)

        until("return document.querySelector('[data-module=\"read-table\"]')")
        drop = """const [module, target] = arguments;
          const data = new DataTransfer();
          module.dispatchEvent(new DragEvent('dragstart', {dataTransfer: data, bubbles: true}));
          target.dispatchEvent(new DragEvent('dragover', {dataTransfer: data, bubbles: true, cancelable: true}));
          target.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));"""
        for module in ("split-dataset", "read-table"):  # the consumer first: the wire reorders the cards
            browser.execute_script(drop, css(f'[data-module="{module}"]'), css("#dag"))
        until("return document.querySelectorAll('#dag [data-node]').length === 2")
        assert [e.get_attribute("data-step") for e in browser.find_elements(By.CSS_SELECTOR, "#steps > [data-step]")] == [
            "split",
            "read",
        ]

        def wire(source: str, target: str) -> None:
            until("return !S.pending && !/^checking/.test(document.getElementById('status').textContent)")
            out, into = css(source), css(target)
            browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", out)
            ActionChains(browser).click_and_hold(out).move_to_element(into).release(into).perform()

        # row_count (int) does not fit the split's table (parquet): refused, and said
        wire('#dag .port.out[data-step="read"][data-port="row_count"]', '#dag .port.in[data-step="split"][data-port="table"]')
        assert "Not wired" in css("#undo-bar").text
        wire('#dag .port.out[data-step="read"][data-port="table"]', '#dag .port.in[data-step="split"][data-port="table"]')
        assert "Wired read.table → split.table" in css("#undo-bar").text
        until("return document.querySelector('#dag [data-edge=\"read->split\"]')")
        assert [e.get_attribute("data-step") for e in browser.find_elements(By.CSS_SELECTOR, "#steps > [data-step]")] == [
            "read",
            "split",
        ]
        source = css('[data-field="step:split:with:table"] select.source')
        assert source.get_attribute("value") == "ref:steps.read.outputs.table"
        # a cycle is refused: split's output into read's input
        wire('#dag .port.out[data-step="split"][data-port="train"]', '#dag .port.in[data-step="read"][data-port="source"]')
        assert "Not wired" in css("#undo-bar").text
        # zoom and pan move the canvas, and stay when it is drawn again
        before = css("#dag g.view").get_attribute("transform")
        css('#dag .canvas-tools [aria-label="zoom in"]').click()
        zoomed = css("#dag g.view").get_attribute("transform")
        assert "scale(1.25)" in zoomed and zoomed != before
        svg_el = css("#dag svg")
        ActionChains(browser).move_to_element_with_offset(svg_el, 5, 5).click_and_hold().move_by_offset(
            40, 30
        ).release().perform()
        panned = css("#dag g.view").get_attribute("transform")
        assert panned != zoomed and "scale(1.25)" in panned
        css("#pipeline-name").send_keys("x")  # any edit draws the DAG again
        until("return !/^checking/.test(document.getElementById('status').textContent)")
        assert css("#dag g.view").get_attribute("transform") == panned


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_a_60_and_a_300_step_pipeline_stay_readable_and_navigable(tmp_path: Path, width: int, height: int) -> None:
    """Issue #30 B1: no 398x48 strip. At both sizes, every step's name is at least 14 px tall on screen, the
    canvas grows with the graph (scrolling inside itself past most of the screen), the status says the order in
    one line, and a step found by search is scrolled into view on the canvas and on the page."""
    root = tmp_path / "p"
    shutil.copytree(EXAMPLES["churn-train"], root)
    (root / "pipelines" / "big.yaml").write_text(big_pipeline(60))
    (root / "pipelines" / "huge.yaml").write_text(big_pipeline(300, "huge"))
    with studio_in_chromium(Studio(root)) as browser:
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
        )
        open_pipeline(browser, "churn-train", 6, valid=True)
        small = browser.execute_script("return document.getElementById('dag-canvas').getBoundingClientRect().height")
        for name, steps, wanted in (("big", 60, "evaluate_13"), ("huge", 300, "train_61")):
            open_pipeline(browser, name, steps, valid=True)
            got = browser.execute_script(
                """const names = [...document.querySelectorAll('#dag [data-node] .name')]
                    .map(t => t.getBoundingClientRect().height);
                const box = document.getElementById('dag-canvas').getBoundingClientRect();
                return {least: Math.min(...names), canvas: box.height, canvasWidth: box.width,
                        status: document.getElementById('status').getBoundingClientRect().height,
                        overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};"""
            )
            assert got["least"] >= 14, got
            assert got["canvas"] >= min(0.6 * height, 500) and got["canvas"] > small, got
            assert got["status"] < 40, got  # one line (two at most), not thirteen
            assert got["overflow"] <= 0, got  # the canvas scrolls inside itself, the page does not scroll sideways
            find = browser.find_element("css selector", "#dag-find")
            find.clear()
            find.send_keys(wanted)
            wait_js(browser, f"return document.querySelector('#dag .node.current[data-node=\"{wanted}\"]')")
            assert browser.find_element("css selector", "#dag-found").text.startswith(wanted + " (1 of 1")

            def in_view(_: Any, wanted: str = wanted) -> bool:
                return bool(
                    browser.execute_script(
                        """const r = document.querySelector('#dag [data-node="' + arguments[0] + '"] rect')
                            .getBoundingClientRect();
                        const c = document.getElementById('dag-canvas').getBoundingClientRect();
                        return r.top >= Math.max(0, c.top) - 1 && r.bottom <= Math.min(innerHeight, c.bottom) + 1
                            && r.left >= Math.max(0, c.left) - 1 && r.right <= Math.min(innerWidth, c.right) + 1;""",
                        wanted,
                    )
                )

            WebDriverWait(browser, 10, 0.05).until(in_view, f"{wanted} was not scrolled into view")
            # the minimap: a click near its bottom scrolls the canvas down there
            top = browser.execute_script("return document.getElementById('dag-canvas').scrollTop")
            browser.execute_script(
                """const m = document.getElementById('dag-minimap'), r = m.getBoundingClientRect();
                const at = {clientX: r.left + r.width / 2, clientY: r.bottom - 2, pointerId: 1, bubbles: true};
                m.dispatchEvent(new PointerEvent('pointerdown', at)); m.dispatchEvent(new PointerEvent('pointerup', at));
                document.getElementById('dag-canvas').scrollTop = document.getElementById('dag-canvas').scrollTop;"""
            )
            bottom = browser.execute_script(
                "const c = document.getElementById('dag-canvas'); return [c.scrollTop, c.scrollHeight - c.clientHeight]"
            )
            assert bottom[0] > top and bottom[0] >= bottom[1] - 60, (top, bottom)
            severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
            assert severe == []


def local_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project of LOCAL_PIPELINE (metrics) and a copy (metrics2, floor 0.4), with no cluster configured."""
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    monkeypatch.delenv("ARGO_SERVER", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.delenv("MLDSL_HOME", raising=False)
    root = tmp_path / "metrics"
    root.mkdir()
    (root / "mldsl.yaml").write_text("apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: metrics}\nspec: {}\n")
    (root / "metrics.yaml").write_text(LOCAL_PIPELINE)
    second = LOCAL_PIPELINE.replace("{name: metrics}", "{name: metrics2}").replace("default: 0.5", "default: 0.4")
    (root / "metrics2.yaml").write_text(second)
    return root


def test_run_follows_the_open_pipeline_and_save_and_run_saves_it_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue #30 M1: the Run panel runs the pipeline open in the composer (not the project's first), and
    "Save and run" saves the edits before it runs."""
    root = local_project(tmp_path, monkeypatch)
    with studio_in_chromium(Studio(root)) as browser:
        until = partial(wait_js, browser)
        until("return document.getElementById('submit-run')")
        assert browser.find_element("id", "run-pipeline").get_attribute("value") == "metrics"  # nothing open yet
        open_pipeline(browser, "metrics2", 1, valid=True)
        until("return document.getElementById('run-pipeline').value === 'metrics2'")
        until("return document.querySelector('.run-form [data-name=\"floor\"] input').value === '0.4'")
        browser.find_element("id", "pipeline-description").send_keys("edited in the composer")
        page_idle(browser)
        browser.execute_script("document.getElementById('submit-run').scrollIntoView({block: 'center'})")
        browser.find_element("id", "submit-run").click()
        until("return [...document.querySelectorAll('#cluster-log li')].some(l => /local run/.test(l.textContent))")
        log = browser.find_element("id", "cluster-log").text
        assert "started a local run of metrics2" in log and "of metrics " not in log, log
        assert "edited in the composer" in (root / "metrics2.yaml").read_text()
        status = "return (document.querySelector('#runs li.run[data-run]') || {}).dataset?.status"
        until(status + " === 'Succeeded' && 1", 120)
        assert "metrics2" in browser.find_element("css selector", "#runs li.run[data-run]").text


SLOW_PROJECT = {
    "mldsl.yaml": "apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: slow}\nspec:\n  module_paths: [modules]\n",
    "modules/quick.yaml": "apiVersion: mldsl/v1\nkind: Module\nmetadata: {name: quick, version: 1.0.0}\nspec:\n"
    "  inputs: {}\n  outputs: {out: int}\n  run:\n    python:\n      source: |\n        write_output('out', 1)\n",
    "modules/nap.yaml": "apiVersion: mldsl/v1\nkind: Module\nmetadata: {name: nap, version: 1.0.0}\nspec:\n"
    "  inputs: {x: {type: int}}\n  outputs: {}\n  run:\n    python:\n      source: |\n"
    "        import time\n        print('napping', flush=True)\n        time.sleep(8)\n",
    "slow.yaml": "apiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {name: slow}\nspec:\n  steps:\n"
    "    first: {uses: quick@1}\n    second: {uses: nap@1, with: {x: '${{ steps.first.outputs.out }}'}}\n",
}


def test_the_runs_panel_shows_a_run_as_it_goes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue #30 M2: a running run is not stuck at "0.0 s" with no steps until the end: the panel shows how many
    steps are done, each started step's phase and time, and the running step's log, while it runs."""
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    monkeypatch.delenv("ARGO_SERVER", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.delenv("MLDSL_HOME", raising=False)
    root = tmp_path / "slow"
    for name, text in SLOW_PROJECT.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    with studio_in_chromium(Studio(root)) as browser:
        until = partial(wait_js, browser)
        until("return document.getElementById('submit-run')")
        browser.execute_script("document.getElementById('submit-run').click()")
        running = "const r = document.querySelector('#runs li.run[data-run]'); return r && r.dataset.status === 'Running' && r"
        item = until(running + ".querySelector('[data-step-progress=\"second\"]')", 60)
        until(
            "const p = document.querySelector('#runs li.run[data-status=\"Running\"] .progress');"
            "return p && p.dataset.progress === '1/2' && /Running second · [1-9]/.test(p.textContent)",
            30,
        )
        assert "Succeeded first" in browser.execute_script("return arguments[0].closest('.progress').textContent", item)
        # the running step's log as it grows, under the progress
        until("return [...document.querySelectorAll('.progress pre.running-tail')].some(p => /napping/.test(p.textContent))", 30)
        assert browser.execute_script("return document.querySelector('#runs li.run').dataset.status") == "Running"
        until("return (document.querySelector('#runs li.run[data-run]') || {}).dataset?.status === 'Succeeded'", 60)


def test_a_param_renamed_in_the_composer_is_renamed_in_on_exit(project: Path) -> None:
    """Issue #30 M10: renaming a param renamed it in the steps' inputs only; the exit handler still read the old
    name, and the next save wrote it back (MLD301 on_exit: unknown param)."""
    from selenium.webdriver.common.keys import Keys

    with studio_in_chromium(Studio(project)) as browser:
        open_pipeline(browser, "churn-train", 6, valid=True)
        name = browser.find_element("css selector", '[aria-label="name of param webhook"]')
        name.send_keys(Keys.CONTROL, "a")
        name.send_keys("alert_url", Keys.TAB)
        page_idle(browser)
        assert browser.execute_script("return S.model.on_exit.with.url") == "${{ params.alert_url }}"
        for edit in ("", " (edited)"):  # a second save writes the model's on_exit again: still the new name
            if edit:
                browser.find_element("id", "pipeline-description").send_keys(edit)
            page_idle(browser)
            browser.execute_script("document.getElementById('save').click()")
            wait_js(browser, "return /^saved/.test(document.getElementById('save-status').textContent)")
            browser.execute_script("document.getElementById('save-status').textContent = ''")
    saved = (project / "pipelines" / "churn-train.yaml").read_text()
    assert 'url: "${{ params.alert_url }}"' in saved and "params.webhook" not in saved
    p = validate(project / "pipelines" / "churn-train.yaml")
    assert p.returncode == 0, p.stderr


def test_edit_feedback_is_on_screen_and_ctrl_z_undoes(project: Path) -> None:
    """Issue #30 M6: a wire refused on the canvas and a step removed at the bottom of the page are said where the
    user is (the page does not jump; Undo is on screen), and Ctrl+Z undoes edits (not inside a text box)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    on_screen = """const r = document.getElementById(arguments[0]).getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth;"""
    with studio_in_chromium(Studio(project)) as browser:
        browser.set_window_size(1280, 900)
        open_pipeline(browser, "churn-train", 6, valid=True)
        count = "return S.model.steps.length"
        # a refused wire (a cycle: train's model into load's source), dragged on the canvas far below the top
        out = browser.find_element("css selector", '#dag .port.out[data-step="train"][data-port="model"]')
        into = browser.find_element("css selector", '#dag .port.in[data-step="load"][data-port="source"]')
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", out)
        ActionChains(browser).click_and_hold(out).move_to_element(into).release(into).perform()
        wait_js(browser, "return /Not wired/.test(document.getElementById('undo-bar').textContent)")
        assert browser.execute_script(on_screen, "undo-bar")
        # removing the last step from its card: the page stays where it is, Undo is on screen and focused
        page_idle(browser)
        remove = browser.find_element("css selector", '[aria-label="remove step publish"]')
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", remove)
        at = browser.execute_script("return scrollY")
        card = browser.execute_script("return document.querySelector('[data-step=\"publish\"]').offsetHeight")
        remove.click()
        wait_js(browser, "return document.getElementById('undo')")
        assert browser.execute_script(on_screen, "undo") and browser.switch_to.active_element.get_attribute("id") == "undo"
        assert abs(browser.execute_script("return scrollY") - at) <= card + 40  # the card's height went, no more
        assert browser.execute_script(count) == 5
        # Ctrl+Z puts it back; typed in a text box, Ctrl+Z is the box's own
        page_idle(browser)
        browser.execute_script("document.activeElement.blur()")
        ActionChains(browser).key_down(Keys.CONTROL).send_keys("z").key_up(Keys.CONTROL).perform()
        wait_js(browser, "return S.model.steps.length === 6 && S.model.steps[5].name === 'publish'")
        description = browser.find_element("id", "pipeline-description")
        description.send_keys(" more")
        description.send_keys(Keys.CONTROL, "z")
        assert browser.execute_script(count) == 6
        page_idle(browser)
        browser.find_element("css selector", '[data-module="check-metrics"] .add-step').click()
        wait_js(browser, "return S.model.steps.length === 7")
        browser.execute_script("document.activeElement.blur()")
        ActionChains(browser).key_down(Keys.CONTROL).send_keys("z").key_up(Keys.CONTROL).perform()
        wait_js(browser, "return S.model.steps.length === 6")
        assert "Undone" in browser.find_element("id", "undo-bar").text


def test_skip_links_reach_the_dag_in_a_few_tabs(project: Path) -> None:
    """Issue #30 m13: the DAG's first node was Tab 135 from the top; the first Tab now reaches skip links,
    and "DAG and YAML" brings the canvas within a few Tabs."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    with studio_in_chromium(Studio(project)) as browser:
        open_pipeline(browser, "churn-train", 6, valid=True)
        browser.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")
        ActionChains(browser).send_keys(Keys.TAB).perform()
        first = browser.switch_to.active_element
        assert first.text == "Pipeline" and first.is_displayed()  # on screen once focused
        ActionChains(browser).send_keys(Keys.TAB).perform()
        assert browser.switch_to.active_element.text == "DAG and YAML"
        ActionChains(browser).send_keys(Keys.ENTER).perform()
        wait_js(browser, "return document.activeElement.id === 'side'")
        tabs = 0
        while tabs < 15 and not browser.switch_to.active_element.get_attribute("data-node"):
            ActionChains(browser).send_keys(Keys.TAB).perform()
            tabs += 1
        assert browser.switch_to.active_element.get_attribute("data-node") == "load", tabs


def test_save_says_why_it_is_off_and_saved_goes_with_the_next_edit(project: Path) -> None:
    """Issue #30 m3: Save was disabled whenever there were problems, with no reason, while "saved" stayed green."""
    with studio_in_chromium(Studio(project)) as browser:
        open_pipeline(browser, "churn-train", 6, valid=True)
        browser.execute_script("document.getElementById('save').click()")
        wait_js(browser, "return /^saved /.test(document.getElementById('save-status').textContent)")
        name = browser.find_element("id", "pipeline-name")
        name.send_keys(" Bad!")  # not a valid name: a problem
        wait_js(browser, "return document.getElementById('save').disabled")
        page_idle(browser)
        status = browser.find_element("id", "save-status")
        assert status.text == "Save is off until the problem marked in red is fixed.", status.text
        assert "bad" in (status.get_attribute("class") or "")
        for _ in " Bad!":
            name.send_keys("\b")
        wait_js(browser, "return !document.getElementById('save').disabled")
        page_idle(browser)
        assert browser.find_element("id", "save-status").text == "unsaved changes"
