"""Issue #30 m4, m5: the composer's edits of steps and names, in headless Chromium."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ui_support import CROSSINGS, EXAMPLES, open_pipeline, page_idle, studio_in_chromium

from mldsl.ui.studio import Studio

from conftest import wait_js, wait_until

#: `base` and four steps that wait for it: by a wire, by a condition, by after: and by an expression
FAN = """\
apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: fan}
spec:
  params:
    floor: {type: float, default: 0.5}
  steps:
    base: {uses: check-metrics@1, with: {values: [0.5]}}
    wired: {uses: check-metrics@1, with: {values: [0.1], minimum: "${{ steps.base.outputs.mean }}"}}
    gated: {uses: check-metrics@1, when: "${{ steps.base.outputs.passed }}", with: {values: [0.2]}}
    later: {uses: check-metrics@1, after: base, with: {values: [0.3]}}
    mixed: {uses: check-metrics@1, with: {values: "${{ [steps.base.outputs.lowest, 1.0] }}"}}
"""


@pytest.fixture
def fan(tmp_path: Path) -> Path:
    root = tmp_path / "fan"
    shutil.copytree(EXAMPLES["churn-train"], root)
    (root / "pipelines" / "fan.yaml").write_text(FAN)
    return root


def test_removing_a_step_names_every_step_that_depends_on_it(fan: Path) -> None:
    with studio_in_chromium(Studio(fan)) as browser:
        open_pipeline(browser, "fan", 5)
        edges = browser.execute_script(
            "return [...document.querySelectorAll('#dag [data-edge]')].map(e => e.dataset.edge).sort()"
        )
        assert edges == ["base->gated", "base->later", "base->mixed", "base->wired"]
        browser.find_element("css selector", '[aria-label="remove step base"]').click()
        wait_js(browser, "return document.getElementById('undo')")
        said = browser.find_element("id", "undo-bar").text
        assert "Removed step base; wired, gated, later and mixed depend on it" in said, said


def test_a_new_name_is_checked_as_it_is_typed_and_the_message_goes_with_the_revert(fan: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    with studio_in_chromium(Studio(fan)) as browser:
        open_pipeline(browser, "fan", 5)
        for label, taken, message in (
            ("name of step later", "gated", "there is already a step named gated"),
            ("name of param floor", "9lives", '"9lives" is not a name'),
        ):
            box = browser.find_element("css selector", f'[aria-label="{label}"]')
            said = f"document.getElementById(document.querySelector('[aria-label=\"{label}\"]').getAttribute('aria-describedby'))"
            original = box.get_attribute("value")
            box.send_keys(Keys.CONTROL, "a")
            box.send_keys(taken)  # no blur: the message is there while typing
            wait_js(browser, f"return {said}.textContent.startsWith({message!r})")
            assert box.get_attribute("aria-invalid") == "true"
            box.send_keys(Keys.CONTROL, "a")
            box.send_keys(original)  # typed back as it was: the message goes
            wait_js(browser, f"return {said}.textContent === ''")
            assert box.get_attribute("aria-invalid") is None
            box.send_keys(Keys.TAB)
        assert browser.execute_script("return S.model.steps.map(s => s.name).join()") == "base,wired,gated,later,mixed"
        # a fine new name is applied on Enter, and every reference follows it
        places = browser.execute_script(PLACES)
        box = browser.find_element("css selector", '[aria-label="name of step base"]')
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys("first", Keys.ENTER)
        wait_js(browser, "return S.model.steps[0].name === 'first' && S.model.steps[3].after[0] === 'first'")
        page_idle(browser)
        wait_js(browser, "return /^valid/.test(document.getElementById('status').textContent)")
        places["first"] = places.pop("base")  # it keeps its place on the canvas, and so do the others
        assert browser.execute_script(PLACES) == places


PLACES = """return Object.fromEntries([...document.querySelectorAll('#dag [data-node]')].map(n => {
    const r = n.querySelector('rect'); return [n.dataset.node, [r.getAttribute('x'), r.getAttribute('y')]]; }))"""


def test_steps_keep_their_places_when_a_step_is_added_or_removed(fan: Path) -> None:
    """Issue #30 m1: every edit laid the graph out again; the steps not edited now stay where they are."""
    with studio_in_chromium(Studio(fan)) as browser:
        browser.set_window_size(1280, 900)
        open_pipeline(browser, "churn-train", 6)
        before = browser.execute_script(PLACES)
        browser.find_element("css selector", '[data-module="check-metrics"] .add-step').click()
        wait_js(browser, "return document.querySelectorAll('#dag [data-node]').length === 7")
        page_idle(browser)
        added = browser.execute_script(PLACES)
        assert {k: added[k] for k in before} == before
        assert browser.execute_script(CROSSINGS) == []  # the edges moved with their steps
        placed = [tuple(map(float, v)) for v in added.values()]
        assert (
            len(set(placed)) == 7
            and all(  # the new one overlaps none
                abs(a[0] - b[0]) >= 170 or abs(a[1] - b[1]) >= 46 for i, a in enumerate(placed) for b in placed[i + 1 :]
            )
        )
        browser.execute_script("document.querySelector('[aria-label=\"remove step features\"]').click()")
        wait_js(browser, "return document.querySelectorAll('#dag [data-node]').length === 6")
        page_idle(browser)
        removed = browser.execute_script(PLACES)
        assert removed == {k: v for k, v in added.items() if k != "features"}
        assert browser.execute_script(CROSSINGS) == []
        browser.find_element("id", "undo").click()  # back where it was
        wait_js(browser, "return document.querySelectorAll('#dag [data-node]').length === 7")
        page_idle(browser)
        assert browser.execute_script(PLACES) == added
        assert browser.execute_script(CROSSINGS) == []
        # Tidy lays it out afresh: the gap left by features closes
        browser.find_element("css selector", '#dag [aria-label^="Tidy"]').click()
        wait_until(lambda: browser.execute_script(PLACES) != removed, "Tidy to lay the steps out afresh")


def test_the_open_menu_moves_with_arrows_and_opens_with_enter_and_add_step_focuses_the_new_step(fan: Path) -> None:
    """Issue #30 m13: ArrowDown on "Open a pipeline…" opened the first pipeline at once; "+ Add step" left the
    focus in the library."""
    from selenium.webdriver.common.keys import Keys

    with studio_in_chromium(Studio(fan)) as browser:
        wait_js(browser, "return document.querySelectorAll('#open option').length === 3")
        menu = browser.find_element("id", "open")
        menu.send_keys(Keys.ARROW_DOWN)
        menu.send_keys(Keys.ARROW_DOWN)
        chosen = browser.execute_script("return document.getElementById('open').selectedOptions[0].text")
        assert chosen.endswith(" — fan"), chosen
        assert browser.execute_script("return S.file.original") is None  # nothing opened yet
        menu.send_keys(Keys.ENTER)
        wait_js(browser, "return S.file.original === 'fan' && document.querySelectorAll('#dag [data-node]').length === 5")
        page_idle(browser)
        browser.find_element("css selector", '[data-module="check-metrics"] .add-step').click()
        wait_js(browser, "return document.activeElement.getAttribute('aria-label') === 'name of step check'")
        page_idle(browser)
        assert browser.switch_to.active_element.get_attribute("aria-label") == "name of step check"


def test_on_a_phone_composing_comes_before_runs_and_cluster(fan: Path) -> None:
    """Issue #30 m16: at 390×844 the library sat below Runs and Cluster."""
    with studio_in_chromium(Studio(fan)) as browser:
        browser.set_window_size(390, 844)
        open_pipeline(browser, "fan", 5)
        tops = browser.execute_script(
            "return ['composer', 'side', 'library', 'ops'].map(id => document.getElementById(id).getBoundingClientRect().top)"
        )
        assert tops == sorted(tops), tops
        assert browser.execute_script(
            "const h = [...document.querySelectorAll('h2')];"
            "const top = t => h.find(x => x.textContent === t).getBoundingClientRect().top;"
            "return top('Module library') < top('Run') && top('Run') < top('Runs') && top('Runs') < top('Cluster')"
        )
        browser.set_window_size(1280, 900)  # three columns: the library on the left, the DAG and the runs on the right
        wait_js(
            browser,
            "return document.getElementById('library').getBoundingClientRect().right < "
            "document.getElementById('composer').getBoundingClientRect().left",
        )
        assert browser.execute_script(
            "const box = id => document.getElementById(id).getBoundingClientRect(), s = box('side'), o = box('ops');"
            "return Math.abs(s.left - o.left) < 1 && o.top >= s.bottom"
        )


SHOWN = "return [...document.querySelectorAll('#dag .port-label')].filter(t => getComputedStyle(t).display !== 'none')"


def test_ports_are_named_big_enough_to_touch_and_the_edges_have_a_legend(fan: Path) -> None:
    """Issue #30 m2: ports were unlabelled 10 px circles (6.5 px on the phone) and dashed edges were explained nowhere."""
    from selenium.webdriver.common.action_chains import ActionChains

    with studio_in_chromium(Studio(fan)) as browser:
        browser.set_window_size(1280, 900)
        open_pipeline(browser, "churn-train", 6)
        assert browser.execute_script(SHOWN) == []  # no clutter until asked
        node = browser.find_element("css selector", '#dag [data-node="split"]')
        browser.execute_script("arguments[0].focus()", node)
        names = [t.get_attribute("textContent") for t in browser.execute_script(SHOWN)]
        assert names[:6] == ["table", "test_fraction", "seed", "stratify", "train", "test"], names
        said = browser.execute_script(
            "return document.getElementById(arguments[0].getAttribute('aria-describedby')).textContent", node
        )
        assert (
            "inputs: table (artifact(parquet))" in said and "outputs: train (artifact(parquet)), test (artifact(parquet))" in said
        )
        # while wiring, every input the wire fits shows its name
        out = browser.find_element("css selector", '#dag .port.out[data-step="load"][data-port="table"]')
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); document.activeElement.blur()", out)
        away = browser.find_element("id", "dag-legend")  # off every node: only the fitting inputs show their names
        ActionChains(browser).click_and_hold(out).move_to_element(away).perform()
        shown = [t.get_attribute("textContent") for t in browser.execute_script(SHOWN)]
        fitting = browser.execute_script("return [...document.querySelectorAll('#dag .port.fits')].map(p => p.dataset.port)")
        assert shown == fitting and "table" in shown and "test_fraction" not in shown, (shown, fitting)
        ActionChains(browser).release().perform()
        legend = browser.find_element("id", "dag-legend").text
        assert "runs only when its condition holds" in legend and "input port" in legend
        assert browser.execute_script("return document.querySelectorAll('#dag path.edge.conditional').length") > 0
        size = "return Math.min(...[...document.querySelectorAll('#dag .port-hit')].map(c => c.getBoundingClientRect().width))"
        assert round(browser.execute_script(size)) >= 24
        browser.set_window_size(390, 844)
        wait_until(lambda: round(browser.execute_script(size)) >= 44, "44 px touch targets on the phone")


def test_a_big_pipelines_wire_menus_get_their_options_when_first_used(tmp_path: Path) -> None:
    """At 300 steps the menus offered 138,000 wires and every edit rebuilt them (3 s). A menu with more than
    LAZY_OPTIONS sources shows only its current wire until it is focused, pressed or keyed; then it offers them all,
    its choice unchanged, and a choice made from them is written to the YAML."""
    from selenium.webdriver.support.select import Select
    from ui_support import big_pipeline

    root = tmp_path / "p"
    shutil.copytree(EXAMPLES["churn-train"], root)
    (root / "pipelines" / "big.yaml").write_text(big_pipeline(60))
    with studio_in_chromium(Studio(root)) as browser:
        open_pipeline(browser, "big", 60)
        menu = '[data-field="step:evaluate_13:with:test"] select.source'
        before = browser.execute_script(
            "const s = document.querySelector(arguments[0]);"
            "return {options: s.options.length, value: s.value, all: document.querySelectorAll('select.source option').length}",
            menu,
        )
        assert before["options"] == 4 and before["value"] == "ref:steps.split_13.outputs.test", before  # 3 modes + its wire
        filled = browser.execute_script(
            "const chosen = document.querySelector(arguments[0]);"
            "[...document.querySelectorAll('select.source')].filter(s => s !== chosen)"
            ".forEach(s => s.dispatchEvent(new FocusEvent('focus')));"
            "return document.querySelectorAll('select.source option').length",
            menu,
        )
        assert filled > 1.5 * before["all"], (before, filled)  # the wires of big menus are made when they are used
        choice = browser.find_element("css selector", menu)
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", choice)
        choice.send_keys("")  # focus, as Tab or a press would
        wait_js(browser, f"return document.querySelector('{menu}').options.length > 40")
        assert choice.get_attribute("value") == "ref:steps.split_13.outputs.test"
        Select(choice).select_by_value("ref:steps.split_12.outputs.test")
        wait_until(
            lambda: (
                "test: ${{ steps.split_12.outputs.test }}" in browser.find_element("css selector", "#yaml").text
                or "steps.split_12.outputs.test" in browser.find_element("css selector", "#yaml").text
            ),
            "the new wire reached the YAML",
        )
