"""How long ``mldsl validate`` of one small file takes next to Python reading YAML, as whole processes.

The CLI runs on every save and in every pre-commit hook, so its start-up is
what users feel. The yardstick is ``python -c "import yaml"`` on the same
machine in the same minute: pairs are run back to back and the ratio is taken
per pair, so a busy machine slows both sides alike.

    python benchmarks/startup.py [--repeat 15] [--check]

Target (issue #15): validate ÷ import yaml ≤ 3×.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from compile_scale import MODULE
from harness import Report, Target, configure, install_options, mldsl, python, run_seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    install_options(ap)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    args = ap.parse_args()
    configure(args)
    report = Report("start-up: validate one small file")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "module.yaml"
        path.write_text(MODULE)
        yaml_cmd = [python(), "-c", "import yaml"]
        validate_cmd = [*mldsl(), "validate", str(path)]
        run_seconds(yaml_cmd), run_seconds(validate_cmd)  # warm the disk cache
        pairs = [(run_seconds(yaml_cmd), run_seconds(validate_cmd)) for _ in range(args.repeat)]
    base = [y for y, _ in pairs]
    ours = [v for _, v in pairs]
    report.add(Target("validate ÷ `python -c 'import yaml'`", [v / y for y, v in pairs], 3.0, unit="x"))
    report.note(
        "absolute: validate "
        + f"{sorted(ours)[len(ours) // 2] * 1000:.0f} ms, import yaml {sorted(base)[len(base) // 2] * 1000:.0f} ms (medians)"
    )
    return report.finish(args.check)


if __name__ == "__main__":
    sys.exit(main())
