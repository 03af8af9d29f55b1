"""How long the composer takes to redraw after an edit of a big pipeline, in real headless Chromium.

Opens a 300-step pipeline (churn-train's modules, ``tests/ui_support.big_pipeline``) in ``mldsl ui``, removes a
step, and times the click's handler: the model changed, the step cards and the DAG drawn again (the check that
follows runs in the background, measured by ``ui_check.py``). A step's wire menus offered every fitting output
of every step above it, 138,000 options at 300 steps, rebuilt on each edit; big menus now get their options
when first used (issue #30).

    python benchmarks/ui_edit.py [--repeat 3] [--check]

Targets: removing a step of 300 redraws in ≤ 1.5 s; the composer alone (cards and DAG) in ≤ 1 s.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from harness import Report, Target

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

REMOVE = """const t = performance.now();
document.querySelector('[aria-label="remove step ' + arguments[0] + '"]').click();
return (performance.now() - t) / 1000"""
REDRAW = """const done = arguments[arguments.length - 1];
import('/js/composer.js').then(k => {
  const t = performance.now(); k.renderComposerNow(); done((performance.now() - t) / 1000);
});"""


def measure(steps: int, repeat: int) -> tuple[list[float], list[float]]:
    from ui_support import EXAMPLES, big_pipeline, open_pipeline, page_idle, studio_in_chromium

    from mldsl.ui.studio import Studio

    removes: list[float] = []
    redraws: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        shutil.copytree(EXAMPLES["churn-train"], root)
        (root / "pipelines" / "big.yaml").write_text(big_pipeline(steps))
        with studio_in_chromium(Studio(root)) as browser:
            browser.set_window_size(1280, 900)
            open_pipeline(browser, "big", steps)
            for i in range(repeat):  # the last steps of the last branches: each removal leaves a valid pipeline
                removes.append(browser.execute_script(REMOVE, f"evaluate_{(steps - 1) // 4 - 1 - i}"))
                page_idle(browser, 120)
                redraws.append(browser.execute_async_script(REDRAW))
    return removes, redraws


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args()
    report = Report(f"mldsl ui: the composer after an edit, {args.steps} steps (headless Chromium)")
    removes, redraws = measure(args.steps, args.repeat)
    report.add(Target(f"remove a step of {args.steps}: the click's handler", removes, 1.5))
    report.add(Target(f"redraw the composer ({args.steps} step cards and the DAG)", redraws, 1.0))
    return report.finish(args.check)


if __name__ == "__main__":
    raise SystemExit(main())
