"""How fast a syntax error on a very long line is reported: 80,000 ``{`` or ``[`` on one line, as whole processes.

The hint that looks for ``list[`` inside ``{ }`` once retried from every ``{`` to the line's end: 40,000 ``{``
took 16 s in every command, 80,000 took 66 s (issue #28). Every hint and diagnostic must be linear in the input.

    python benchmarks/long_lines.py [--repeat 5] [--check] [--here]

Target (issue #28): each refusal ≤ 1 s for the whole process (the suite asserts < 5 s, robust under load).
"""

from __future__ import annotations

import argparse
import functools
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import Report, Target, configure, install_options, mldsl, samples

N = 80_000
#: name -> text: each reaches the YAML syntax error (and its hints) with the long line still ahead of the parser
TEXTS = {
    "`{` after a flow mapping": ("spec: {a: b} " + "{" * N, "MLD002"),
    "`[` after a flow mapping": ("spec: {a: b} " + "[" * N, "MLD002"),
    "`{[` after a stray `]`": ("spec: ]" + "{[" * (N // 2), "MLD002"),
    "`{` in an unclosed quote": ("spec: '" + "{" * N, "MLD002"),
    "`{` nested": ("spec: " + "{" * N, "MLD005"),
    "`[` nested": ("spec: " + "[" * N, "MLD005"),
}


def refusal_seconds(cmd: list[str], code: str) -> float:
    """Wall time of one whole process that must refuse the file with ``code``: an exit 1 alone is no figure (a
    broken install exits 1 too)."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 1 or f"error[{code}]" not in proc.stderr + proc.stdout:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode} without {code}:\n{proc.stdout}{proc.stderr}"[:3000])
    return seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    install_options(ap)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    args = ap.parse_args()
    configure(args)
    report = Report(f"reporting a syntax error on a line of {N:,} brackets")
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, (text, code)) in enumerate(TEXTS.items()):
            path = Path(tmp) / f"long{i}.yaml"
            path.write_text("apiVersion: mldsl/v1\nkind: Module\n" + text + "\n")
            for verb in (["validate"], ["fmt", "--check"]):
                refuse = functools.partial(refusal_seconds, [*mldsl(), *verb, str(path)], code)
                report.add(Target(f"`mldsl {' '.join(verb)}`: {name} ({code})", samples(refuse, args.repeat), 1.0))
    return report.finish(args.check)


if __name__ == "__main__":
    sys.exit(main())
