"""Size and whole-process compile time of a random sweep with many trials.

    python benchmarks/sweep_scale.py [--trials 10000] [--repeat 3]

Targets (issue #3): 10,000 trials under 1 MiB (Argo's object limit) and compiled in under a second.
"""

from __future__ import annotations

import argparse
import functools
import shutil
import sys
import tempfile
from pathlib import Path

from harness import Report, Target, configure, install_options, mldsl, run_seconds, samples

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
    install_options(ap)
    ap.add_argument("--trials", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    args = ap.parse_args()
    configure(args)
    report = Report(f"a random sweep of {args.trials:,} trials")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "p"
        shutil.copytree(ROOT / "examples" / "churn-train", src)
        (src / "sweep.yaml").write_text(SWEEP.format(trials=args.trials))
        out = Path(tmp) / "out"
        compile_it = functools.partial(run_seconds, [*mldsl(), "compile", str(src), "-o", str(out)])
        report.add(Target("compile (whole process)", samples(compile_it, args.repeat), 1.0))
        size = (out / "scale.workflow.yaml").stat().st_size
    report.add(Target("the Workflow's size (Argo's object limit is 1 MiB)", [size / 1024], 1024, unit="KiB"))
    report.note(f"{size / args.trials:.0f} bytes a trial")
    return report.finish(args.check)


if __name__ == "__main__":
    sys.exit(main())
