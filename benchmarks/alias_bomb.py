"""How fast hostile YAML is refused: a "billion laughs" alias bomb, as whole processes.

Nine levels of anchors, each a list of ten aliases to the level below: 10^9
values once expanded, a few hundred bytes on disk. ``validate`` and ``fmt
--check`` must refuse it (MLD005, exit 1) without expanding it.

    python benchmarks/alias_bomb.py [--repeat 7] [--check]

Target (issue #15): each refusal ≤ 0.6 s for the whole process.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
from pathlib import Path

from harness import Report, Target, configure, install_options, mldsl, run_seconds, samples


def bomb(levels: int = 9) -> str:
    lines = ["apiVersion: mldsl/v1", "kind: Pipeline", "metadata: {name: bomb}", "spec:"]
    lines.append("  a0: &a0 [" + ", ".join(["lol"] * 10) + "]")
    for i in range(1, levels):
        lines.append(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    install_options(ap)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    args = ap.parse_args()
    configure(args)
    report = Report("refusing a 10^9-value alias bomb")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bomb.yaml"
        path.write_text(bomb())
        for verb in (["validate"], ["fmt", "--check"]):
            refuse = functools.partial(run_seconds, [*mldsl(), *verb, str(path)], expect=1)
            report.add(Target(f"`mldsl {' '.join(verb)}` refuses it", samples(refuse, args.repeat), 0.6))
    return report.finish(args.check)


if __name__ == "__main__":
    sys.exit(main())
