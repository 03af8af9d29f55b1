"""Size and whole-process compile time of a random sweep with many trials.

    python benchmarks/sweep_scale.py [--trials 10000] [--repeat 3]

Targets (issue #3): 10,000 trials under 1 MiB (Argo's object limit) and compiled in under a second.
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

ROOT = Path(__file__).resolve().parent.parent
SWEEP = """\
apiVersion: mldsl/v1
kind: Sweep
metadata: {{name: scale}}
spec:
  pipeline: churn-train
  strategy: random
  params:
    n_estimators: {{range: [100, 2000, 50]}}
    algorithm: {{values: [logistic_regression, random_forest, gradient_boosting]}}
    min_auc: {{uniform: [0.55, 0.95]}}
  max_trials: {trials}
  parallelism: 16
  seed: 1
  objective: {{metric: steps.evaluate.outputs.auc}}
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    mldsl = [shutil.which("mldsl") or sys.executable, *([] if shutil.which("mldsl") else ["-m", "mldsl"])]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "p"
        shutil.copytree(ROOT / "examples" / "churn-train", src)
        (src / "sweep.yaml").write_text(SWEEP.format(trials=args.trials))
        times = []
        for _ in range(args.repeat):
            out = Path(tmp) / "out"
            start = time.perf_counter()
            subprocess.run([*mldsl, "compile", str(src), "-o", str(out)], check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        size = (out / "scale.workflow.yaml").stat().st_size
    seconds = statistics.median(times)
    print(f"{args.trials} trials: {size / 1024:.0f} KiB ({size / args.trials:.0f} bytes a trial), compiled in {seconds:.3f} s")
    ok = size < 1024 * 1024 and seconds < 1.0
    print("targets met" if ok else "targets missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
