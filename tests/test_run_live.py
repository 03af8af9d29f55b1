"""Issue #30 M8: the terminal's live table keeps redrawing whatever the steps do.

The freeze: a step waiting for a free slot (``--parallel``, or more ready steps than cores under load) is
``Pending``, a phase with no colour; its cell was rich markup ``[]Pending[/]``, which rich refused
(MarkupError) inside its own refresh thread; that thread died without a word and the screen stayed as it was
until the run's end drew the final table."""

from __future__ import annotations

import itertools
import re
import threading
import time
from pathlib import Path
from types import SimpleNamespace

from ptyrun import run_in_pty
from test_run import MODULES, project

ELAPSED = re.compile(r"steps done · ([0-9.]+)s")


def test_the_live_table_keeps_counting_while_a_step_waits_for_a_slot(tmp_path: Path) -> None:
    pipeline = "  steps:\n    a: {uses: sleep@1, with: {seconds: 3}}\n    b: {uses: emit@1}\n    c: {uses: emit@1}\n"
    root = project(tmp_path, MODULES, pipeline)
    screen = run_in_pty(["run", "--parallel", "1", str(root)], tmp_path / "home")
    assert screen.code == 0, screen.text[-3000:]
    frames = [(at, float(m)) for at, chunk in screen.chunks for m in ELAPSED.findall(chunk)]
    shown = sorted({s for _, s in frames})
    # about 8 frames a second for 3 s; the frozen view drew 2 (the first and the final)
    assert len(shown) >= 10, (shown, screen.text[-2000:])
    gaps = [b - a for (a, _), (b, _) in itertools.pairwise(frames)]
    assert max(gaps) < 2.5, gaps  # never a stall (the frozen view drew nothing for the whole run)
    assert "MarkupError" not in screen.text and "Exception in thread" not in screen.text


def test_a_frame_that_cannot_be_drawn_is_skipped_not_the_view() -> None:
    """The run's threads change the nodes while the ticker reads them; a frame that raises must not end it."""
    from mldsl.runner.view import TICK, Live

    calls = []

    def getter() -> None:
        calls.append(time.monotonic())
        if len(calls) == 3:
            raise RuntimeError("dictionary changed size during iteration")
        return None

    view = Live(getter, {})
    try:
        deadline = time.monotonic() + 80 * TICK
        while len(calls) < 6 and time.monotonic() < deadline:
            time.sleep(TICK)
    finally:
        view.close(SimpleNamespace())
    assert len(calls) >= 6, calls  # it went on drawing after the third frame failed
    assert not [t for t in threading.enumerate() if t.name.endswith("(_tick)")]
