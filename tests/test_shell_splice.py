"""A value never reaches a shell as code (issue #28, SECURITY.md): ``${{ }}`` in a ``sh -c`` script is MLD604.

``command: [sh, -c, "echo got: ${{ inputs.msg }}"]`` run with ``-p 'msg=x; touch PWNED'`` ran ``touch``. Now
validate refuses it at the ``${{``, and the form its hint shows (the value through ``env``, ``"$MSG"`` in the
script) prints the value as text in a real ``mldsl run``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mldsl.compiler import compile_paths
from mldsl.compiler.shell import script_index

HOSTILE = "x; touch PWNED"
PIPELINE = """\
apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: echo}
spec:
  params: {msg: {type: str, default: hi}}
  steps:
    say:
      uses: ./mod.yaml
      with: {msg: "${{ params.msg }}"}
"""


def module(run: str) -> str:
    head = "apiVersion: mldsl/v1\nkind: Module\nmetadata: {name: echo-msg, version: 1.0.0}\nspec:\n  inputs: {msg: str}\n"
    return head + "  run:\n    container:\n      image: busybox:1.36\n" + run


@pytest.mark.parametrize(
    ("argv", "script"),
    [
        (["sh", "-c", "x"], 2),
        (["/bin/bash", "-ec", "x", "arg0"], 2),
        (["zsh", "-euxc", "x"], 2),
        (["bash", "-o", "pipefail", "-c", "x"], 4),
        (["sh", "-eo", "pipefail", "-c", "x"], 4),
        (["bash", "-c", "-e", "x"], 3),
        (["bash", "--norc", "-c", "--", "x"], 4),
        (["sh", "+x", "-c", "x"], 3),
        (["env", "A=1", "dash", "-xc", "x"], 4),
        (["busybox", "ash", "-c", "x"], 3),
        (["sh", "script.sh"], None),
        (["sh", "-e", "x"], None),
        (["sh", "-c"], None),
        (["python", "-c", "x"], None),
        (["${{ inputs.shell }}", "-c", "x"], None),
    ],
)
def test_the_script_is_found_as_the_shells_read_their_arguments(argv: list[str], script: int | None) -> None:
    assert script_index(argv) == script


@pytest.mark.parametrize(
    ("run", "where", "field"),
    [
        ('      command: [sh, -c, "echo got: ${{ inputs.msg }}"]\n', (9, 36), "command[2]"),
        ("      command: [bash, -ec]\n      args: ['echo ${{ inputs.msg }}']\n", (10, 20), "args[0]"),
        ("      command: [bash]\n      args: [-o, pipefail, -xc, '${{ inputs.msg }}']\n", (10, 34), "args[3]"),
        # a block scalar: at its '|' (offsets are exact on one-line scalars only)
        ("      command:\n        - sh\n        - -c\n        - |\n          echo ${{ inputs.msg }}\n", (12, 11), "command[2]"),
    ],
)
def test_an_expression_in_a_shell_script_is_refused_at_the_expression(
    tmp_path: Path, run: str, where: tuple[int, int], field: str
) -> None:
    (tmp_path / "mod.yaml").write_text(module(run))
    [diag] = [d for d in compile_paths([tmp_path / "mod.yaml"]).diagnostics if d.severity == "error"]
    assert (diag.code, diag.span.line, diag.span.col) == ("MLD604", *where), str(diag)
    assert diag.message.startswith(f"{field} is a script")
    assert 'env: {MSG: "${{ inputs.msg }}"}' in (diag.hint or "") and '"$MSG"' in (diag.hint or "")


@pytest.mark.parametrize(
    "run",
    [
        "      command: [sh, -c, 'echo \"got: $0\"']\n      args: ['${{ inputs.msg }}']\n",  # an operand: $0
        "      command: [echo, 'got: ${{ inputs.msg }}']\n",  # no shell
        "      command: [sh, -c, 'echo \"got: $MSG\"']\n      env: {MSG: '${{ inputs.msg }}'}\n",  # the hint's form
    ],
)
def test_values_passed_beside_the_script_are_accepted(tmp_path: Path, run: str) -> None:
    (tmp_path / "mod.yaml").write_text(module(run))
    assert compile_paths([tmp_path / "mod.yaml"]).ok


def mldsl_run(project: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "mldsl", "run", "pipeline.yaml", "-p", f"msg={HOSTILE}"]
    return subprocess.run(cmd, cwd=project, capture_output=True, text=True, timeout=120)


def test_a_hostile_param_never_runs_in_a_real_local_run(tmp_path: Path) -> None:
    (tmp_path / "pipeline.yaml").write_text(PIPELINE)
    (tmp_path / "mod.yaml").write_text(module('      command: [sh, -c, "echo got: ${{ inputs.msg }}"]\n'))
    refused = mldsl_run(tmp_path)
    assert refused.returncode == 1 and "error[MLD604]" in refused.stderr, refused.stderr
    assert not list(tmp_path.rglob("PWNED"))

    (tmp_path / "mod.yaml").write_text(
        module("      command: [sh, -c, 'echo \"got: $MSG\"']\n      env: {MSG: '${{ inputs.msg }}'}\n")
    )
    safe = mldsl_run(tmp_path)
    assert safe.returncode == 0, safe.stderr
    assert not list(tmp_path.rglob("PWNED"))
    logs = "".join(p.read_text() for p in (tmp_path / ".mldsl").rglob("*") if p.is_file() and p.suffix in (".log", ".txt"))
    assert f"got: {HOSTILE}" in logs + safe.stdout + safe.stderr


def test_the_refused_script_is_the_one_root_cause_of_its_string(tmp_path: Path) -> None:
    """A secret or an unknown input inside the script shows once it is in env, where the hint moves it."""
    text = module('      command: [sh, -c, "echo ${{ inputs.msg }} ${{ inputs.nope }}"]\n')
    (tmp_path / "mod.yaml").write_text(text.replace("inputs: {msg: str}", "inputs: {msg: secret}"))
    errors = [d for d in compile_paths([tmp_path / "mod.yaml"]).diagnostics if d.severity == "error"]
    assert [d.code for d in errors] == ["MLD604"], [d.render() for d in errors]
    assert 'env: {MSG: "${{ inputs.msg }}", NOPE: "${{ inputs.nope }}"}' in (errors[0].hint or "")
