"""Argo's own examples through ``mldsl run``: a bounded subset in the suite, the whole corpus in
``tools/argo_conformance.py`` (the figure the README quotes).

Argo's e2e test requires each example not labelled ``no-test`` to reach Succeeded on a cluster; here each one
reaches Succeeded, or is refused before it starts (exit 2) with the field and the reason.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("MLDSL_ARGO_EXAMPLES", ROOT.parent / "shared" / "argo-examples"))
sys.path.insert(0, str(ROOT / "tools"))

import argo_conformance  # noqa: E402


def _corpus() -> Path:
    if not (CORPUS / "SOURCE.md").is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Argo's examples are not at {CORPUS}: CI needs shared/ beside the clone")
        pytest.skip(f"Argo's examples not found at {CORPUS}: put shared/ beside the clone or set MLDSL_ARGO_EXAMPLES")
    return CORPUS


def test_the_corpus_is_the_one_argo_tests() -> None:
    """The files Argo's e2e test runs: every Workflow not labelled no-test (examples_test.go)."""
    files = argo_conformance.tested(_corpus())
    assert len(files) >= 100
    assert not any("no-test" in f.read_text() and "kind: Workflow\n" not in f.read_text() for f in files)


@pytest.mark.parametrize("index", range(0, 103, 9))
def test_an_example_reaches_argos_verdict(index: int, tmp_path: Path) -> None:
    """Every ninth example (a fixed, bounded subset): Succeeded, or refused before it starts, naming why."""
    files = argo_conformance.tested(_corpus())
    if index >= len(files):
        pytest.skip("fewer examples")
    verdict = argo_conformance.run_one(files[index], _corpus(), 120, tmp_path)
    if verdict["verdict"] == "refused":
        assert all("cannot run here: spec" in line or "cannot run here: " in line for line in verdict["why"])  # type: ignore[union-attr]
        return
    assert verdict["verdict"] == "Succeeded", verdict
