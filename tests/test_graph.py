"""`mldsl graph`: the DAG with modules and versions; fan-out and conditions visible."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import example_dirs


def graph(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mldsl", "graph", *args], capture_output=True, text=True)


def nightly() -> str:
    return str(next(d for d in example_dirs() if d.name == "nightly-regions"))


def test_mermaid() -> None:
    p = graph(nightly())
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert out.startswith("---\ntitle: nightly-regions\n---\nflowchart TD\n")
    assert 'step_train["<b>train</b><br/>train-sklearn@1.1.0"]' in out
    assert 'step_evaluate_region[["<b>evaluate_region</b><br/>evaluate-classifier@1.0.0<br/>for each: params.regions"]]' in out
    assert "when: not steps.summary.outputs.passed" in out and "step_alert{{" in out
    assert "  step_train --> step_evaluate_region\n" in out
    assert "  step_summary -.-> step_alert\n" in out


def test_dot_is_valid_graphviz() -> None:
    p = graph(nightly(), "--format", "dot")
    assert p.returncode == 0
    assert p.stdout.startswith('digraph "nightly-regions" {')
    assert '"summary" -> "alert" [style=dashed];' in p.stdout
    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed (apt-get install graphviz): syntax not checked")
    render = subprocess.run(["dot", "-Tsvg"], input=p.stdout, capture_output=True, text=True)
    assert render.returncode == 0, render.stderr
    assert "<svg" in render.stdout and "evaluate_region" in render.stdout


def test_on_exit_and_errors() -> None:
    churn = str(next(d for d in example_dirs() if d.name == "churn-train"))
    assert "step_on_exit" not in graph(churn).stdout and "on_exit([" in graph(churn).stdout
    assert graph(churn, "--pipeline", "nope").returncode == 2
    from conftest import ROOT

    bad = graph(str(ROOT / "tests" / "invalid" / "MLD405-cycle.yaml"), "--error-format", "github")
    assert bad.returncode == 1 and bad.stdout.startswith("::error file=")
