"""How compile time and output size grow with pipeline size, measured as whole processes.

Generates pipelines of N steps (N = 100, 1,000, 5,000 by default), each step
wired to two earlier ones and given a literal (``--shape mesh``, the default)
or to the previous one only (``--shape chain``), and runs ``mldsl compile`` on each as a
fresh process (start-up included, as CI sees it). Also times ``mldsl
validate`` of one small file. Prints a table; exits 1 when a target is
missed with ``--check``.

    python benchmarks/compile_scale.py [--sizes 100 1000 5000] [--repeat 3] [--check]

Targets (issue #2): 1,000 steps under 0.5 s and 200 KB; time linear in N;
validate of a small file under 150 ms.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
      args: ["echo ${{ inputs.a }} > /mldsl/outputs/out"]
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


def timed(cmd: list[str], repeat: int) -> float:
    """Median wall time of ``cmd`` over ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    return statistics.median(times)


def mldsl() -> list[str]:
    exe = shutil.which("mldsl")
    return [exe] if exe else [sys.executable, "-m", "mldsl"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    ap.add_argument(
        "--shape",
        choices=["chain", "mesh"],
        default="mesh",
        help="chain: one upstream reference per step; mesh: two and a literal",
    )
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()
    ok = True
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "module.yaml").write_text(MODULE)
        small = root / "small"
        small.mkdir()
        (small / "module.yaml").write_text(MODULE)
        validate_s = timed([*mldsl(), "validate", str(small / "module.yaml")], max(args.repeat, 5))
        for n in args.sizes:
            src = root / f"n{n}"
            src.mkdir()
            shutil.copy(root / "module.yaml", src / "module.yaml")
            (src / "pipeline.yaml").write_text(pipeline(n, args.shape))
            out = root / f"out{n}"
            seconds = timed([*mldsl(), "compile", str(src), "-o", str(out)], args.repeat)
            size = sum(f.stat().st_size for f in out.glob("*.yaml"))
            rows.append((n, seconds, size))
    print(f"{'steps':>6} {'compile (s)':>12} {'output (KB)':>12} {'marginal us/step':>17}")
    marginal = []
    for i, (n, seconds, size) in enumerate(rows):
        extra = ""
        if i:
            n0, s0, _ = rows[i - 1]
            marginal.append((seconds - s0) / (n - n0) * 1e6)
            extra = f"{marginal[-1]:.0f}"
        print(f"{n:>6} {seconds:>12.3f} {size / 1024:>12.1f} {extra:>17}")
    print(f"validate of one small file: {validate_s * 1000:.0f} ms")
    by_n = {n: (s, size) for n, s, size in rows}
    if 1000 in by_n:
        s, size = by_n[1000]
        ok &= s < 0.5 and size < 200 * 1024
    if len(marginal) >= 2:
        spread = max(marginal) / min(marginal)
        print(f"linearity: the cost of one more step varies by x{spread:.2f} across sizes (1.00 is perfectly linear)")
        ok &= spread < 1.5
    ok &= validate_s < 0.150
    print("targets met" if ok else "targets missed")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
