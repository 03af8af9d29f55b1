"""Issue #30 m8: a plain run speaks the user's names and words, not the compiler's or Argo's.

A ``pipeline:`` step's inner steps are compiled as ``call__step`` (``load (in call)`` for people); a sweep run by
Katib adds an ``<step>-objective`` task to its pipeline (not a step of the user's); an exit step is the YAML's
``page_oncall``, not ``on_exit/page-oncall``; a skipped step says its ``when:`` is false. The record's machine
fields (its step keys, ``phase``, ``message``) stay as they were."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from ptyrun import run_in_pty
from test_run import MODULES, project, run_cli

from mldsl.runner.wording import display_name, plain

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

INNER = """
---
apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: inner}
spec:
  steps:
    load: {uses: emit@1}
  outputs:
    out: "${{ steps.load.outputs.out }}"
---
apiVersion: mldsl/v1
kind: Sweep
metadata: {name: tune}
spec:
  pipeline: p
  strategy: tpe
  params:
    v: {int_uniform: [1, 9]}
  max_trials: 4
  objective: {metric: steps.score.outputs.out, goal: maximize}
"""
SPEC = (
    "  params:\n    v: {type: int, default: 2}\n"
    "  steps:\n    forest: {pipeline: inner}\n"
    "    score: {uses: emit@1, with: {value: '${{ params.v }}'}, after: [forest]}\n"
    "    never: {uses: emit@1, when: '${{ params.v > 100 }}'}\n"
    "  on_exit:\n    steps:\n      page_oncall: {uses: emit@1}\n"
)


def names_project(tmp: Path) -> Path:
    root = project(tmp, MODULES, SPEC)
    with (root / "pipeline.yaml").open("a", encoding="utf-8") as fh:
        fh.write(INNER)
    return root


def test_display_names_and_plain_words() -> None:
    assert display_name("forest__load") == "load (in forest)" and display_name("a__b__c") == "c (in a/b)"
    assert display_name("page_oncall") == "page_oncall" and display_name("x_y") == "x_y"
    assert plain("when '2 > 100' evaluated false") == "its when: condition is false (2 > 100)"
    assert plain("when 'false' evaluated false") == "its when: condition is false"  # the words


def test_the_terminal_and_runs_show_use_the_users_names(tmp_path: Path) -> None:
    root = names_project(tmp_path)
    screen = run_in_pty(["run", str(root), "--pipeline", "p"], tmp_path / "home", columns=100)
    text = ANSI.sub("", screen.text)
    assert screen.code == 0, text[-3000:]
    assert "load (in forest)" in text and "page_oncall (on exit)" in text
    assert "forest__load" not in text and "forest--load" not in text
    assert "objective" not in text and "on_exit/" not in text and "page-oncall" not in text
    shown = run_cli(["runs", "show", "latest"], tmp_path / "home").stdout
    assert "load (in forest)" in shown and "__" not in shown and "objective" not in shown
    assert "its when: condition is false" in shown and "evaluated false" not in shown
    # plain lines (not a terminal) too
    piped = run_cli(["run", str(root), "--pipeline", "p"], tmp_path / "home").stderr
    assert "load (in forest): Succeeded" in piped and "never: Skipped" in piped
    assert "never: Skipped in 0.0s: its when: condition is false\n" in piped and "evaluated false" not in piped
    # the record's machine fields are as they were: step keys, phases, Argo's message
    record = json.loads(run_cli(["runs", "show", "latest", "--format", "json"], tmp_path / "home").stdout)
    assert "forest__load" in record["steps"] and record["steps"]["never"]["message"] == "when 'false' evaluated false"
    assert record["steps"]["score-objective"]["internal"] is True and "internal" not in record["steps"]["score"]


def test_the_runs_panel_api_labels_steps_with_the_users_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mldsl.ui.runs import LocalRuns

    root = names_project(tmp_path)
    assert run_cli(["run", str(root), "--pipeline", "p"], tmp_path / "home").returncode == 0
    monkeypatch.setenv("MLDSL_HOME", str(tmp_path / "home"))
    runs = LocalRuns(root)
    listed = runs.list()[0]
    shown = runs.show(listed["id"])
    assert shown is not None
    labels = {key: step["label"] for key, step in shown["steps"].items()}
    assert labels == {
        "forest__load": "load (in forest)",
        "score": "score",
        "never": "never",
        "page_oncall (on exit)": "page_oncall (on exit)",
    }  # no score-objective: the compiler's own task
    assert shown["steps"]["never"]["message"] == "its when: condition is false"
    assert {k: v["label"] for k, v in listed["steps"].items()} == {
        "forest__load": "load (in forest)",
        "score": "score",
        "never": "never",
    }
