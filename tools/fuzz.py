"""Fuzz mldsl with hostile input: mutated corpus files and generated projects, through the CLI in-process.

    python tools/fuzz.py                    # 10,000 cases, seed 0, one worker per core
    python tools/fuzz.py --cases 500 --seed 7
    python tools/fuzz.py --seed 7 --only 123 --keep /tmp/case   # one case again, its files kept

Reports crashes, hangs (over 5 s of CPU time, or 30 s of wall time), exit codes other than 0/1/2, partial
outputs and fmt meaning changes (see tests/fuzzing.py); exits 1 when it found any. ``--only K`` replays case K
of a run of ``--cases`` cases (give the run's ``--cases`` too). The test suite runs a bounded subset
(tests/test_fuzz.py).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import fuzzing  # noqa: E402

_WORK: Path | None = None


def _init() -> None:
    global _WORK
    _WORK = Path(tempfile.mkdtemp(prefix="mldsl-fuzz-"))
    os.chdir(_WORK)


def _one(case: fuzzing.Case) -> list[fuzzing.Defect]:
    assert _WORK is not None
    return fuzzing.run_case(case, _WORK / "case")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", type=int, help="run only the case of this number (from a report)")
    parser.add_argument("--keep", type=Path, help="with --only: write the case's project here")
    args = parser.parse_args()

    all_cases = list(fuzzing.cases(args.cases if args.only is None else args.only + 1, args.seed, of=args.cases))
    if args.only is not None:
        case = all_cases[args.only]
        work = args.keep or Path(tempfile.mkdtemp(prefix="mldsl-fuzz-"))
        defects = fuzzing.run_case(case, work)
        print(f"case {args.only}: {case.name} in {work / 'p'} (mutated: {case.target})")
        for d in defects:
            print(f"  {d.kind}: {d.detail}")
        return 1 if defects else 0

    start = time.monotonic()
    defects: list[fuzzing.Defect] = []
    numbered: dict[str, int] = {c.name: i for i, c in enumerate(all_cases)}
    with multiprocessing.get_context("fork").Pool(args.jobs, initializer=_init) as pool:
        for n, found in enumerate(pool.imap(_one, all_cases, chunksize=8), 1):
            defects.extend(found)
            if n % 1000 == 0:
                print(f"  {n} cases, {len(defects)} defects, {time.monotonic() - start:.0f} s", file=sys.stderr, flush=True)
    took = time.monotonic() - start
    kinds = Counter(d.kind for d in defects)
    generated = sum(1 for c in all_cases if c.name.startswith("generated"))
    print(
        f"fuzz: {len(all_cases)} cases ({len(all_cases) - generated} mutated corpus files, {generated} generated projects), "
        f"seed {args.seed}, {took:.0f} s ({len(all_cases) / took:.0f} cases/s)"
    )
    for kind in ("crash", "hang", "exit", "partial", "fmt"):
        print(f"  {kind:8} {kinds.get(kind, 0)}")
    for d in defects[:30]:
        print(f"  {d.kind}: {d.case}: {d.detail}  (again: --seed {args.seed} --only {numbered[d.case]})")
    return 1 if defects else 0


if __name__ == "__main__":
    raise SystemExit(main())
