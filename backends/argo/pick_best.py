"""Pick the best trial of a sweep (runs as the last step of a grid or random sweep Workflow).

Reads the trials (the file ``MLDSL_TRIALS_FILE``, compile-time JSON), the
fan-out's aggregated outputs (the file ``MLDSL_RESULTS_FILE``:
``[{"trial": ..., "workflow": ..., "metric": ...}]``, one per succeeded
trial), the goal and the failure budget; writes the best
trial's params, metric and workflow as outputs; fails when more trials
failed than the budget allows, or none succeeded. Standard library only.
"""

from __future__ import annotations

import json
import os
from typing import Any


def pick(trials: list[dict[str, Any]], results: list[dict[str, Any]], goal: str, max_failed: int | None) -> dict[str, Any]:
    """Return (best, report) or raise SystemExit with a reason."""
    scored = []
    for r in results:
        try:
            metric = float(r.get("metric", ""))
            index = int(r.get("trial", ""))
        except (TypeError, ValueError):
            continue
        if metric == metric and 0 <= index < len(trials):  # not NaN, one of ours
            scored.append((metric, index, r.get("workflow", "")))
    failed = len(trials) - len(scored)
    if max_failed is not None and failed > max_failed:
        raise SystemExit(f"pick-best: {failed} of {len(trials)} trials failed, more than max_failed_trials={max_failed}")
    if not scored:
        raise SystemExit("pick-best: no trial succeeded")
    best = (max if goal == "maximize" else min)(scored, key=lambda s: (s[0], -s[1]) if goal == "maximize" else (s[0], s[1]))
    metric, index, workflow = best
    params = {k: v for k, v in trials[index].items() if k != "trial"}
    return {"trial": index, "params": params, "metric": metric, "workflow": workflow, "succeeded": len(scored), "failed": failed}


def main() -> None:
    with open(os.environ["MLDSL_TRIALS_FILE"], encoding="utf-8") as fh:
        trials = json.load(fh)
    with open(os.environ["MLDSL_RESULTS_FILE"], encoding="utf-8") as fh:
        results = json.loads(fh.read() or "[]")
    budget = os.environ.get("MLDSL_MAX_FAILED", "")
    best = pick(trials, results, os.environ.get("MLDSL_GOAL", "maximize"), int(budget) if budget else None)
    out = os.environ.get("MLDSL_OUTPUTS_DIR", "/mldsl/outputs")
    os.makedirs(out, exist_ok=True)
    for name, value in (
        ("params", json.dumps(best["params"], sort_keys=True)),
        ("metric", repr(best["metric"])),
        ("workflow", best["workflow"]),
        ("trial", str(best["trial"])),
    ):
        with open(os.path.join(out, name), "w", encoding="utf-8") as fh:
            fh.write(value)
    print(json.dumps(best, sort_keys=True))


if __name__ == "__main__":
    main()
