"""Generated projects run with ``mldsl run`` (``tools/rules_fuzz.py --run``): the runner's verdict agrees with the
pipeline's semantics (SPEC §1.9), with Argo as the runner follows it, and with the runtime rules.

A bounded subset here, chosen to cover every kind of module and of skip; ``python tools/rules_fuzz.py --count 0
--run 500`` runs many more; ``--known`` runs the small pipeline of each defect the runs have found.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from conftest import ROOT


def _rules_fuzz() -> Any:
    name = "rules_fuzz"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / "rules_fuzz.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


#: seed -> (projects drawn, the numbers run): py, ct, sp and tr steps that run, steps Skipped by their when and
#: Omitted after them, continue_on_failure, fan-outs over items, over no item and with an item skipped
CHOSEN = {11: (40, [4, 7, 17, 19, 35]), 14: (40, [5])}


def test_generated_projects_run_as_predicted(tmp_path: Path) -> None:
    rf = _rules_fuzz()
    outcomes = []
    for seed, (count, numbers) in CHOSEN.items():
        outcomes += rf.run_generated(seed, count, work=tmp_path / str(seed), braces=False, only=numbers, keep=False)
    assert len(outcomes) == sum(len(n) for _, n in CHOSEN.values())
    problems = [f"project {o.number}: {d}\n{o.command}" for o in outcomes for d in o.disagreements]
    assert problems == [], "\n".join(problems)
    steps = [s for o in outcomes for s in o.model.steps.values()]
    # the chosen projects still exercise what they were chosen for (the generator may change)
    assert {s.uses for s in steps if s.state == "run"} == {"py", "ct", "sp", "tr"}
    assert {"skip", "notrun"} <= {s.state for s in steps}
    fans = [s for s in steps if s.state == "run" and s.items is not None]
    assert any(any(s.item_runs) for s in fans) and any(not all(s.item_runs) for s in fans if s.items)
    assert any(not s.items for s in fans)
    assert any(s.spec.get("continue_on_failure") for s in steps if s.state == "run")
