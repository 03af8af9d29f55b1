"""``mldsl diff`` shows durations as written (issue #29 item 7): ``timeout: 1h → 90m``, not ``1h → 1h30m``; a
backoff as ``retries.backoff.duration: added 1m``, not ``backoff_seconds: added 60``; the same time written
another way (``2h`` → ``120m``) is no change."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PIPELINE = """apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: p}
spec:
  steps:
    fit:
      uses: check-metrics@1
      with: {values: [0.9]}
      timeout: %s
      cache: {ttl: %s}
      retries: {limit: 2, backoff: %s}
    ok:
      approve: {timeout: %s}
      after: fit
"""


def test_durations_as_written(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "p.yaml").write_text(PIPELINE % ("1h", "7d", "{factor: 2}", "2h"))
    (tmp_path / "b" / "p.yaml").write_text(PIPELINE % ("90m", "168h", "{duration: 1m, factor: 2, max_duration: 10m}", "120m"))
    done = subprocess.run(
        [sys.executable, "-m", "mldsl", "diff", "a", "b"], cwd=tmp_path, capture_output=True, text=True, env=os.environ.copy()
    )
    assert done.returncode == 0, done.stderr
    lines = [line.strip() for line in done.stdout.splitlines()]
    assert "timeout: 1h → 90m" in lines
    assert "retries.backoff.duration: added 1m" in lines
    assert "retries.backoff.max_duration: added 10m" in lines
    assert not [line for line in lines if "backoff_seconds" in line or "1h30m" in line]
    assert not [line for line in lines if line.startswith(("cache", "approve.timeout"))]  # same time, written anew
    assert "~ step ok" not in done.stdout
