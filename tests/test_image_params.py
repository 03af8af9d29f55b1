"""Image tags from a value (issue #29 item 2): a container or python module's ``image`` may hold its str, int or
enum inputs, compiled to ``{{inputs.parameters.tag}}`` (Argo substitutes a template's image); images are checked
against the registry client's reference grammar, with a step's known values too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mldsl.backends import emit_all
from mldsl.compiler import compile_paths
from mldsl.lang.imageref import reference_problem

MODULE = """apiVersion: mldsl/v1
kind: Module
metadata: {name: train, version: 1.0.0}
spec:
  inputs: {tag: {type: str, default: latest}, registry: {type: enum, values: [ghcr.io, quay.io], default: ghcr.io}}
  run:
    container:
      image: "${{ inputs.registry }}/acme/train:${{ inputs.tag }}"
      command: [sh, -c, "echo trained"]
"""
PIPELINE = """apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: build}
spec:
  params: {tag: {type: str, default: "1.4.0"}}
  steps:
    t: {uses: train, with: {tag: "${{ params.tag }}"}}
"""


@pytest.mark.parametrize(
    ("ref", "ok"),
    [
        ("python:3.11-slim", True),
        ("ghcr.io/acme/train:1.4.0", True),
        ("localhost:5000/a/b", True),
        ("[::1]:5000/app:v1", True),
        ("ghcr.io/acme/app@sha256:" + "a" * 64, True),
        ("Acme/app:1", True),  # a capitalised first component is a registry host (normalize.go splitDockerDomain)
        ("ghcr.io/Acme/app", False),
        ("app:v1.2/nightly", False),
        ("app:-dash", False),
        ("app:" + "t" * 129, False),
        ("", False),
    ],
)
def test_the_reference_grammar(ref: str, ok: bool) -> None:
    assert (reference_problem(ref) is None) is ok


def test_an_input_in_the_image_reaches_the_template(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(MODULE + "---\n" + PIPELINE)
    result = compile_paths([tmp_path])
    assert result.ok, [d.render() for d in result.diagnostics]
    (wf,) = [m.body for m in emit_all(result.program) if m.kind == "WorkflowTemplate"]
    (tpl,) = [t for t in wf["spec"]["templates"] if "container" in t]
    assert tpl["container"]["image"] == "{{inputs.parameters.registry}}/acme/train:{{inputs.parameters.tag}}"
    from mldsl.argo.validate import validate_workflow

    assert validate_workflow(wf) == []


def test_a_local_run_takes_the_tag(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(MODULE + "---\n" + PIPELINE)
    done = subprocess.run(
        [sys.executable, "-m", "mldsl", "run", str(tmp_path), "-p", "tag=2.0", "--format", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, "MLDSL_HOME": str(tmp_path / "home")},
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "Succeeded"


@pytest.mark.parametrize(
    ("image", "inputs", "code", "words"),
    [
        ("ghcr.io/acme/train:${{ inputs.key }}", "{key: secret}", "MLD303", "secret"),
        ("${{ inputs.flags }}", "{flags: 'list[str]'}", "MLD603", "only the module's str, int or enum inputs"),
        ("ghcr.io/acme/train:${{ inputs.n + 1 }}", "{n: int}", "MLD603", "nothing computed"),
        ("ghcr.io/Acme/train:${{ inputs.tag }}", "{tag: str}", "MLD608", "must be lowercase"),
        ("ghcr.io/acme/train:${{ inputs.tag }}:x", "{tag: str}", "MLD608", "at most one tag"),
        ("ghcr.io/acme/Train:1.0", "{}", "MLD608", "must be lowercase"),
    ],
)
def test_what_an_image_may_not_be(tmp_path: Path, image: str, inputs: str, code: str, words: str) -> None:
    declared = MODULE.split("  inputs: ", 1)[1].split("\n", 1)[0]
    module = MODULE.replace(declared, inputs).replace('"${{ inputs.registry }}/acme/train:${{ inputs.tag }}"', json.dumps(image))
    (tmp_path / "m.yaml").write_text(module)
    diags = compile_paths([tmp_path]).diagnostics
    assert [d.code for d in diags] == [code], [d.render() for d in diags]
    assert words in diags[0].message
