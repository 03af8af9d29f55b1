"""Screenshots of ``mldsl ui`` and a ``mldsl forms`` page at a desktop and a phone size, for the README.

    python tools/screenshots.py [--out docs/screenshots]

Uses Debian's headless Chromium and chromedriver (as the tests do); the composer serves the churn-train
example and opens its pipeline, the form is churn-train's pipeline form. The big canvases (``ui-dag60-*``,
``ui-dag300-*``) are of a 60- and a 300-step pipeline over churn-train's modules (tests/ui_support.big_pipeline),
scrolled to the DAG, with a step found by the canvas's search.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


def browser(width: int, height: int):  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--window-size={width},{height}"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "chromedriver"), options=opts)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    return driver


def wait_for(driver, script: str, seconds: float = 15) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not driver.execute_script(script):
        if time.monotonic() > deadline:
            raise TimeoutError(script)
        time.sleep(0.1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    import subprocess

    from mldsl.ui.server import Server
    from mldsl.ui.studio import Studio

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        # the header shows the project's folder: under a home of its own it reads ~/churn-train, not this machine's path
        os.environ["HOME"] = tmp
        example = Path(tmp) / "churn-train"
        shutil.copytree(ROOT / "examples" / "churn-train", example, ignore=shutil.ignore_patterns(".mldsl", "out"))
        forms_dir = Path(tmp) / "forms"
        subprocess.run(
            [sys.executable, "-m", "mldsl", "forms", str(example), "-o", str(forms_dir)],
            check=True,
            capture_output=True,
        )
        server = Server(Studio(example), 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            for size, (width, height) in SIZES.items():
                driver = browser(width, height)
                try:
                    driver.get(server.url)
                    wait_for(driver, "return document.querySelectorAll('#open option').length > 1")
                    driver.execute_script(
                        "const o = document.getElementById('open'); o.selectedIndex = 1;o.dispatchEvent(new Event('change'));"
                    )
                    wait_for(driver, "return document.querySelectorAll('[data-step]').length > 0")
                    wait_for(driver, "return /valid|problem/.test(document.getElementById('status').textContent)")
                    driver.save_screenshot(str(args.out / f"ui-{size}.png"))
                    driver.get((forms_dir / "pipeline-churn-train.html").as_uri())
                    driver.save_screenshot(str(args.out / f"forms-{size}.png"))
                finally:
                    driver.quit()
        finally:
            server.shutdown()
            server.server_close()
        big_canvases(Path(tmp), args.out)
    print(f"wrote {len(SIZES) * 4} screenshots to {args.out}")
    return 0


def big_canvases(tmp: Path, out: Path) -> None:
    """The DAG of a 60- and a 300-step pipeline at both sizes (issue #30 B1)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from ui_support import big_pipeline

    from mldsl.ui.server import Server
    from mldsl.ui.studio import Studio

    root = tmp / "big-pipelines"
    shutil.copytree(ROOT / "examples" / "churn-train", root)
    (root / "pipelines" / "big.yaml").write_text(big_pipeline(60))
    (root / "pipelines" / "huge.yaml").write_text(big_pipeline(300, "huge"))
    server = Server(Studio(root), 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for size, (width, height) in SIZES.items():
            driver = browser(width, height)
            try:
                driver.get(server.url)
                for name, steps, find in (("big", 60, "evaluate_6"), ("huge", 300, "train_40")):
                    wait_for(
                        driver, f"return [...document.querySelectorAll('#open option')].some(o => o.text.endsWith(' — {name}'))"
                    )
                    driver.execute_script(
                        "const o = document.getElementById('open');"
                        "o.value = [...o.options].find(x => x.text.endsWith(' — ' + arguments[0])).value;"
                        "o.dispatchEvent(new Event('change'));",
                        name,
                    )
                    wait_for(driver, f"return document.querySelectorAll('#dag [data-node]').length === {steps}", 60)
                    wait_for(driver, "return /^valid/.test(document.getElementById('status').textContent)", 60)
                    driver.execute_script("document.getElementById('dag').scrollIntoView({block: 'start'})")
                    search = driver.find_element("css selector", "#dag-find")
                    search.clear()
                    search.send_keys(find)
                    wait_for(driver, "return document.querySelector('#dag .node.current')")
                    driver.execute_script("document.getElementById('dag').scrollIntoView({block: 'start'})")
                    driver.save_screenshot(str(out / f"ui-dag{steps}-{size}.png"))
            finally:
                driver.quit()
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
