"""How fast a syntax error on a very long line is reported: 80,000 ``{`` or ``[`` on one line, as whole processes.

The hint that looks for ``list[`` inside ``{ }`` once retried from every ``{`` to the line's end: 40,000 ``{``
took 16 s in every command, 80,000 took 66 s (issue #28). Every hint and diagnostic must be linear in the input.

    python benchmarks/long_lines.py [--repeat 5] [--check] [--here]

Target (issue #28): each refusal ≤ 1 s for the whole process (the suite asserts < 5 s, robust under load).
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
from pathlib import Path

from harness import Report, Target, configure, install_options, mldsl, run_seconds, samples

N = 80_000
#: name -> text: each reaches the YAML syntax error (and its hints) with the long line still ahead of the parser
TEXTS = {
    "`{` after a flow mapping": "spec: {a: b} " + "{" * N,
    "`[` after a flow mapping": "spec: {a: b} " + "[" * N,
    "`{[` after a stray `]`": "spec: ]" + "{[" * (N // 2),
    "`{` in an unclosed quote": "spec: '" + "{" * N,
    "`{` nested (MLD005)": "spec: " + "{" * N,
    "`[` nested (MLD005)": "spec: " + "[" * N,
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    install_options(ap)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    args = ap.parse_args()
    configure(args)
    report = Report(f"reporting a syntax error on a line of {N:,} brackets")
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, text) in enumerate(TEXTS.items()):
            path = Path(tmp) / f"long{i}.yaml"
            path.write_text("apiVersion: mldsl/v1\nkind: Module\n" + text + "\n")
            for verb in (["validate"], ["fmt", "--check"]):
                refuse = functools.partial(run_seconds, [*mldsl(), *verb, str(path)], expect=1)
                report.add(Target(f"`mldsl {' '.join(verb)}`: {name}", samples(refuse, args.repeat), 1.0))
    return report.finish(args.check)


if __name__ == "__main__":
    sys.exit(main())
