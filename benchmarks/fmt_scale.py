"""``mldsl fmt --check`` on big files, as whole processes: is it fast, and linear in the file's size?

Generates a Pipeline with N params written as flow mappings of five entries
each (``p12: {type: int, default: 12, min: 0, max: 100, description: p}``),
already formatted, as a generated config or a big sweep space would be, and
times ``fmt --check`` on 10,000 / 20,000 / 40,000 entries. Also times a file
that needs formatting (the same, indented by four), which takes the
comment-keeping round trip.

    python benchmarks/fmt_scale.py [--repeat 3] [--check]

Targets (issue #15): 20,000 entries ≤ 1.5 s; linear (the cost of one more
entry varies by at most 1.5× across sizes).
"""

from __future__ import annotations

import argparse
import functools
import itertools
import sys
import tempfile
from pathlib import Path

from harness import Report, Target, configure, install_options, mldsl, run_seconds, samples


def params_file(entries: int, indent: int = 2) -> str:
    pad = " " * indent
    lines = ["# generated: every param of the feature store", "apiVersion: mldsl/v1", "kind: Pipeline"]
    lines += ["metadata:", f"{pad}name: wide", "spec:", f"{pad}params:"]
    for i in range(entries // 5):
        lines.append(f"{pad * 2}p{i}: {{type: int, default: {i % 100}, min: 0, max: 100, description: p}}")
    lines += [f"{pad}steps:", f"{pad * 2}one: {{uses: train-sklearn@1}}"]
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    install_options(ap)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    args = ap.parse_args()
    configure(args)
    report = Report("fmt --check on big files")
    sizes = [10_000, 20_000, 40_000]
    medians = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"p{n}.yaml"
            path.write_text(params_file(n))
            values = samples(functools.partial(run_seconds, [*mldsl(), "fmt", "--check", str(path)]), args.repeat)
            target = Target(f"`fmt --check`, {n:,} entries, formatted", values, 1.5 if n == 20_000 else float("inf"))
            medians[n] = target.median
            if n == 20_000:
                report.add(target)
            else:
                low, high = min(values) * 1000, max(values) * 1000
                report.note(f"{n:,} entries: median {target.median * 1000:.0f} ms (min {low:.0f}, max {high:.0f})")
        marginal = [(medians[b] - medians[a]) / (b - a) for a, b in itertools.pairwise(sizes)]
        spread = [max(marginal) / min(marginal)]
        report.add(Target("linearity: cost of one more entry, largest ÷ smallest across sizes", spread, 1.5, unit="x"))
        path = Path(tmp) / "unformatted.yaml"
        path.write_text(params_file(20_000, indent=4))
        check = functools.partial(run_seconds, [*mldsl(), "fmt", "--check", str(path)], expect=1)
        values = samples(check, max(1, args.repeat - 1), warm=0)
        median = sorted(values)[len(values) // 2]
        report.note(f"20,000 entries needing formatting (the round trip): median {median:.1f} s, no target")
    return report.finish(args.check)


if __name__ == "__main__":
    sys.exit(main())
