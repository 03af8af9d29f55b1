"""Pick the best trial of a sweep (runs as the last step of a grid or random sweep Workflow).

Reads the trials (``MLDSL_TRIALS``, compile-time JSON), the fan-out's
aggregated outputs (``MLDSL_RESULTS``: ``[{"workflow": ..., "metric": ...}]``,
one per succeeded trial), the goal and the failure budget; writes the best
trial's params, metric and workflow as outputs; fails when more trials
failed than the budget allows, or none succeeded. Standard library only.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any


def pick(trials: list[dict[str, Any]], results: list[dict[str, Any]], goal: str, max_failed: int | None) -> dict[str, Any]:
    """Return (best, report) or raise SystemExit with a reason."""
    scored = []
    for r in results:
        match = re.search(r"-t(\d+)-", r.get("workflow", ""))
        try:
            metric = float(r.get("metric", ""))
        except ValueError:
            continue
        if match and metric == metric:  # not NaN
            scored.append((metric, int(match.group(1)), r["workflow"]))
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
    trials = json.loads(os.environ["MLDSL_TRIALS"])
    results = json.loads(os.environ.get("MLDSL_RESULTS") or "[]")
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
