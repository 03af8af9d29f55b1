"""One YAML syntax error is one error (issue #29 item 5): the documents its file loses are not reported again as
"no pipeline" by a Sweep (MLD701) or a ``pipeline:`` step (MLD422), nor as a missing module (MLD400)."""

from __future__ import annotations

from pathlib import Path

from mldsl.compiler import compile_paths

PROJECT = "apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: fraud}\nspec: {module_paths: [modules]}\n"
MODULE = """apiVersion: mldsl/v1
kind: Module
metadata: {name: score, version: 1.0.0}
spec:
  inputs: {lr: {type: float, default: 0.1}}
  outputs: {auc: float}
  run: {python: {source: "write_output('auc', 0.9)"}}
"""
#: two pipelines in one file, the first with a flow mapping left open: YAML reads neither
BROKEN = """apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: fraud-train-eval}
spec:
  params: {lr: {type: float, default: 0.1}}
  steps:
    score: {uses: score@1, with: {lr: "${{ params.lr }}"}
  outputs: {auc: "${{ steps.score.outputs.auc }}"}
---
apiVersion: mldsl/v1
kind: Pipeline
metadata:
  name: fraud-nightly
spec:
  params: {lr: {type: float, default: 0.1}}
  steps:
    model: {pipeline: fraud-train-eval, with: {lr: "${{ params.lr }}"}}
"""
WEEKLY = """apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: fraud-weekly}
spec:
  steps:
    model: {pipeline: fraud-train-eval}
"""
SWEEP = """apiVersion: mldsl/v1
kind: Sweep
metadata: {name: lr}
spec:
  pipeline: fraud-nightly
  strategy: random
  params:
    lr: {loguniform: [0.01, 0.3]}
  max_trials: 4
  seed: 1
  objective: {metric: steps.model.outputs.auc, goal: maximize}
"""


def project(tmp: Path, broken: str = BROKEN) -> Path:
    (tmp / "modules").mkdir()
    (tmp / "pipelines").mkdir()
    (tmp / "sweeps").mkdir()
    (tmp / "mldsl.yaml").write_text(PROJECT)
    (tmp / "modules" / "score.yaml").write_text(MODULE)
    (tmp / "pipelines" / "fraud.yaml").write_text(broken)
    (tmp / "pipelines" / "weekly.yaml").write_text(WEEKLY)
    (tmp / "sweeps" / "lr.yaml").write_text(SWEEP)
    return tmp


def codes(root: Path, *paths: Path) -> list[tuple[str, str]]:
    return [(Path(d.span.path).name, d.code) for d in compile_paths(list(paths or (root,))).diagnostics]


def test_a_syntax_error_is_the_only_error(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert codes(root) == [("fraud.yaml", "MLD002")]


def test_given_alone_the_sweep_and_the_caller_find_the_error_in_the_project(tmp_path: Path) -> None:
    """Only the sweep's and the caller's files given: the project's broken file is reported once, at itself."""
    root = project(tmp_path)
    assert codes(root, root / "sweeps" / "lr.yaml", root / "pipelines" / "weekly.yaml") == [("fraud.yaml", "MLD002")]


def test_a_file_whose_names_cannot_be_made_out_still_stops_the_cascade(tmp_path: Path) -> None:
    root = project(tmp_path, "apiVersion: mldsl/v1\n\tkind: Pipeline\n" + BROKEN.split("\n", 2)[2])
    assert [c for _, c in codes(root)] == ["MLD002"]


def test_a_real_misspelling_is_still_reported(tmp_path: Path) -> None:
    root = project(tmp_path, BROKEN.replace('"${{ params.lr }}"}\n  outputs', '"${{ params.lr }}"}}\n  outputs'))
    (root / "sweeps" / "lr.yaml").write_text(SWEEP.replace("fraud-nightly", "fraud-nigthly"))
    diags = compile_paths([root]).diagnostics
    assert [d.code for d in diags] == ["MLD701"] and "did you mean 'fraud-nightly'?" in (diags[0].hint or "")
