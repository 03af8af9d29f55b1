"""How compile time and output size grow with pipeline size, measured as whole processes, next to Hera.

Generates pipelines of N steps, each wired to the previous one (``--shape
chain``, the default, the workflow Hera builds too) or to two earlier ones and
given a literal (``--shape mesh``), and runs ``mldsl compile`` on each as a
fresh process (start-up included, as CI sees it). The same 1,000-step chain is
built with Hera (``hera_chain.py``) in an environment of its own, made on first
use in ``benchmarks/.venv-hera`` (Hera is never a dependency of mldsl); the
ratio is taken per pair of runs back to back.

    python benchmarks/compile_scale.py [--sizes 1000 10000] [--shape chain|mesh] [--repeat 3] [--no-hera] [--check]

Targets (issue #15): 1,000-step compile ÷ Hera ≤ 0.25×; 10,000 ÷ 1,000 steps
≤ 8× (linear); output ≤ 200 bytes a step.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import tempfile
from pathlib import Path

from harness import HERE, Report, Target, configure, environment, install_options, mldsl, run_seconds, samples

MODULE = """\
apiVersion: mldsl/v1
kind: Module
metadata: {name: step, version: 1.0.0}
spec:
  inputs:
    a: {type: int, default: 0}
    b: {type: int, default: 0}
    label: {type: str, default: x}
  outputs: {out: int}
  run:
    container:
      image: busybox:1.36
      command: [sh, -c]
      args: ['echo "$A" > /mldsl/outputs/out']
      env: {A: "${{ inputs.a }}"}
"""


def pipeline(n: int, shape: str = "mesh") -> str:
    lines = [
        "apiVersion: mldsl/v1",
        "kind: Pipeline",
        "metadata: {name: scale}",
        "spec:",
        "  params: {seed: {type: int, default: 1}}",
        "  steps:",
    ]
    for i in range(n):
        if i == 0:
            binding = 'a: "${{ params.seed }}"'
        elif i == 1:
            binding = 'a: "${{ steps.s0.outputs.out }}"'
        elif shape == "chain":
            binding = f'a: "${{{{ steps.s{i - 1}.outputs.out }}}}"'
        else:
            binding = f'a: "${{{{ steps.s{i - 1}.outputs.out }}}}", b: "${{{{ steps.s{i // 2}.outputs.out }}}}"'
        label = "" if shape == "chain" else f", label: step-{i}"
        lines.append(f"    s{i}: {{uses: step@1, with: {{{binding}{label}}}}}")
    return "\n".join(lines) + "\n"


def hera_python() -> Path:
    """The interpreter of the benchmark's own Hera environment, made on first use."""
    return environment(".venv-hera", "hera[yaml]")[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    install_options(ap)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument(
        "--shape",
        choices=["chain", "mesh"],
        default="chain",
        help="chain: one upstream reference per step; mesh: two and a literal",
    )
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-hera", dest="hera", action="store_false", help="skip the side-by-side run of Hera")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    args = ap.parse_args()
    configure(args)
    report = Report(f"compile: {args.shape} pipelines of {', '.join(f'{n:,}' for n in args.sizes)} steps")
    medians: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for n in args.sizes:
            src = root / f"n{n}"
            src.mkdir()
            (src / "module.yaml").write_text(MODULE)
            (src / "pipeline.yaml").write_text(pipeline(n, args.shape))
            out = root / f"out{n}"
            ours = functools.partial(run_seconds, [*mldsl(), "compile", str(src), "-o", str(out)])
            if n == 1000 and args.hera and args.shape == "chain":
                theirs = functools.partial(
                    run_seconds, [str(hera_python()), str(HERE / "hera_chain.py"), str(n), str(root / "hera.yaml")]
                )
                theirs(), ours()
                pairs = [(ours(), theirs()) for _ in range(args.repeat)]
                values = [a for a, _ in pairs]
                report.add(Target("1,000-step compile ÷ Hera building the same chain", [a / b for a, b in pairs], 0.25, unit="x"))
                hera = sorted(b for _, b in pairs)[len(pairs) // 2]
                report.note(f"Hera, 1,000 steps: median {hera * 1000:.0f} ms (whole process, YAML written)")
            else:
                values = samples(ours, args.repeat)
            medians[n] = statistics.median(values)
            size = sum(f.stat().st_size for f in out.glob("*.yaml"))
            report.add(Target(f"output, {n:,} steps", [size / n], 200, unit="bytes a step"))
            low, high = min(values) * 1000, max(values) * 1000
            report.note(f"compile, {n:,} steps: median {medians[n] * 1000:.0f} ms (min {low:.0f}, max {high:.0f})")
    if 1000 in medians and 10000 in medians:
        report.add(Target("10,000-step ÷ 1,000-step compile time", [medians[10000] / medians[1000]], 8.0, unit="x"))
    return report.finish(args.check)


if __name__ == "__main__":
    sys.exit(main())
