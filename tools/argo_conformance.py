"""Run Argo's own example workflows with ``mldsl run`` and print how many reach Argo's verdict.

Argo's end-to-end test (``test/e2e/examples_test.go``, v4.1.2) requires every Workflow under ``examples/``
that is not labelled ``workflows.argoproj.io/no-test`` to reach ``Succeeded`` on a real cluster. Here each
runs with ``mldsl run FILE --manifests CORPUS`` (bounded time, two at once); a workflow that needs what one
machine cannot give is refused before it starts (exit 2, ``cannot run here: ...``). Goals (issue #25):
at least 90 % Succeeded, and none in any other phase.

    python tools/argo_conformance.py [--corpus ../shared/argo-examples] [--jobs 2] [--timeout 120] [--every N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "argo-examples"
NO_TEST = "workflows.argoproj.io/no-test"


def tested(corpus: Path) -> list[Path]:
    """The files holding a Workflow Argo's e2e test runs (not labelled no-test), sorted."""
    out = []
    for f in sorted(corpus.rglob("*.yaml")):
        try:
            docs = list(yaml.safe_load_all(f.read_text(encoding="utf-8")))
        except yaml.YAMLError:
            continue
        for d in docs:
            if (
                isinstance(d, dict)
                and d.get("kind") == "Workflow"
                and NO_TEST not in ((d.get("metadata") or {}).get("labels") or {})
            ):
                out.append(f)
                break
    return out


def run_one(path: Path, corpus: Path, timeout: float, home: Path) -> dict[str, object]:
    """One example's verdict: its phase, or ``refused`` with the reasons, or ``timeout``."""
    env = {**os.environ, "MLDSL_HOME": str(home)}
    started = time.time()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "mldsl", "run", str(path), "--manifests", str(corpus), "--format", "json"],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=home,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"file": str(path.relative_to(corpus)), "verdict": "timeout", "seconds": timeout}
    seconds = round(time.time() - started, 1)
    name = str(path.relative_to(corpus))
    if done.returncode == 2 and "cannot run here" in done.stderr:
        reasons = [ln for ln in done.stderr.splitlines() if "cannot run here" in ln]
        return {"file": name, "verdict": "refused", "why": reasons, "seconds": seconds}
    try:
        record = json.loads(done.stdout)
    except ValueError:
        return {
            "file": name,
            "verdict": f"exit {done.returncode}",
            "why": done.stderr.strip().splitlines()[-5:],
            "seconds": seconds,
        }
    return {"file": name, "verdict": record.get("status"), "why": record.get("message", ""), "seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--every", type=int, default=1, help="run every Nth file only (a bounded subset)")
    ap.add_argument("--json", action="store_true", help="print every verdict as JSON lines")
    args = ap.parse_args(argv)
    files = tested(args.corpus)[:: args.every]
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        with ThreadPoolExecutor(args.jobs) as pool:
            verdicts = list(pool.map(lambda f: run_one(f, args.corpus, args.timeout, home), files))
    total = len(verdicts)
    ok = sum(v["verdict"] == "Succeeded" for v in verdicts)
    refused = sum(v["verdict"] == "refused" for v in verdicts)
    other = [v for v in verdicts if v["verdict"] not in ("Succeeded", "refused")]
    for v in verdicts:
        if args.json:
            print(json.dumps(v))
        elif v["verdict"] != "Succeeded":
            print(f"{v['verdict']:>10}  {v['file']}: {v.get('why')}")
    share = ok / total if total else 0.0
    print(f"argo examples: {total} run, {ok} Succeeded ({share:.0%}), {refused} refused before starting, {len(other)} other")
    verdict = "pass" if share >= 0.9 and not other else "FAIL"
    print(f"goal: >= 90% Succeeded and 0 other phases -> {verdict}")
    return 0 if verdict == "pass" else 1


if __name__ == "__main__":
    sys.exit(main())
