"""The executor's time is injected (``Options.clock``): an hour of retry backoff passes at once under a test's clock,
and the scheduler (``mldsl/runner/schedule.py``) reads no time at all."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

WORKFLOW = """apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: clock-}
spec:
  entrypoint: main
  templates:
  - name: main
    retryStrategy: {limit: 1, backoff: {duration: 1h}}
    container:
      image: busybox
      command: [sh, -c, "test -f /mnt/state/seen && exit 0; touch /mnt/state/seen; exit 1"]
      volumeMounts: [{name: state, mountPath: /mnt/state}]
  volumeClaimTemplates:
  - metadata: {name: state}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Mi}}}
"""


class FakeClock:
    """Time moves only when the executor waits."""

    def __init__(self) -> None:
        self.t = 1_000_000.0
        self.waited: list[float] = []

    def now(self) -> float:
        return self.t

    def wait(self, stop: threading.Event, seconds: float) -> bool:
        self.waited.append(seconds)
        self.t += seconds
        return stop.is_set()


def test_an_hour_of_backoff_passes_at_once(tmp_path: Path) -> None:
    from mldsl.runner.podroot import isolation_available

    if isolation_available() is not None:
        pytest.skip(str(isolation_available()))
    from mldsl.runner.argofiles import load
    from mldsl.runner.base import Options
    from mldsl.runner.mounts import Mounts
    from mldsl.runner.plain import prepare_plain
    from mldsl.runner.session import Runner
    from mldsl.runner.store import Store

    (tmp_path / "wf.yaml").write_text(WORKFLOW, encoding="utf-8")
    loaded = load(tmp_path / "wf.yaml")
    clock = FakeClock()
    options = Options(1, pod_roots=True, clock=clock)  # type: ignore[arg-type]
    store = Store(tmp_path / "home")
    prep = prepare_plain(loaded, {}, Mounts(), options, store, "clock", loaded.template_ref, {})
    runner = Runner(prep)
    runner.start()
    assert runner.wait(60)
    assert runner.execution.status == "Succeeded", runner.execution.message
    assert clock.waited == [3600.0]
    assert runner.execution.main.attempts == 2
