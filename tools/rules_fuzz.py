"""Run the runtime rules over many generated pipelines (the test suite runs a bounded subset).

    python tools/rules_fuzz.py --count 2000

Prints how many projects were compiled and checked, and every problem found (exit 1 if any).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import runtime_rules as rules
    from hypothesis import HealthCheck, given, seed, settings
    from pipeline_gen import projects
    from test_runtime_rules import compile_project

    failures: list[str] = []
    done = 0
    tmp = Path(tempfile.mkdtemp(prefix="mldsl-rules-"))

    @seed(args.seed)
    @settings(max_examples=args.count, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(files=projects())
    def run(files: dict[str, str]) -> None:
        nonlocal done
        done += 1
        try:
            bodies = compile_project(files, tmp / "p")
        except AssertionError as exc:
            failures.append(f"does not compile: {exc}")
            return
        for body in bodies:
            for problem in rules.check(body):
                failures.append(problem + "\n" + files["pipeline.yaml"])

    start = time.monotonic()
    run()
    print(f"rules_fuzz: {done} generated projects checked in {time.monotonic() - start:.0f} s, {len(failures)} problems")
    for f in failures[:20]:
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
