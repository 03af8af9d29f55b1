"""`pipeline:` steps (SPEC §1.10): a Pipeline used as one step, inlined into the caller's DAG."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mldsl.backends import emit_all
from mldsl.compiler import compile_paths

from conftest import EXAMPLES

INNER = """apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: inner}
spec:
  params:
    values: {type: "list[float]"}
    floor: {type: float, default: 0.5}
  steps:
    a: {uses: check-metrics@1, with: {values: "${{ params.values }}", minimum: "${{ params.floor }}"}}
    b:
      uses: check-metrics@1
      when: "${{ steps.a.outputs.passed }}"
      with: {values: "${{ [steps.a.outputs.mean] }}"}
  outputs:
    mean: "${{ steps.b.outputs.mean }}"
    floor: "${{ params.floor }}"
  on_exit: {uses: check-metrics@1, with: {values: [0.0]}}
"""


def run_json(root: Path, home: Path, *args: str) -> dict:
    """``mldsl run ROOT ARGS --format json`` with its runs under ``home``: the run's record (it must succeed)."""
    import json
    import os
    import subprocess
    import sys

    p = subprocess.run(
        [sys.executable, "-m", "mldsl", "run", str(root), *args, "--format", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, "MLDSL_HOME": str(home)},
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    return dict(json.loads(p.stdout))


def caller(steps: str) -> str:
    return f"""apiVersion: mldsl/v1
kind: Pipeline
metadata: {{name: outer}}
spec:
  params: {{go: {{type: bool, default: true}}}}
  steps:
{steps}
  outputs:
    mean: "${{{{ steps.sub.outputs.mean }}}}"
"""


def compile_texts(tmp_path: Path, *texts: str):
    for i, text in enumerate(texts):
        (tmp_path / f"p{i}.yaml").write_text(text)
    return compile_paths([tmp_path])


OK = """    first: {uses: check-metrics@1, with: {values: [0.9, 0.8]}}
    sub:
      pipeline: inner
      when: "${{ params.go }}"
      with: {values: "${{ [steps.first.outputs.mean] }}"}
    last:
      uses: check-metrics@1
      with: {values: "${{ [steps.sub.outputs.floor] }}"}"""


def test_the_called_pipeline_is_inlined_with_its_params_bound(tmp_path: Path) -> None:
    result = compile_texts(tmp_path, INNER, caller(OK))
    assert not [d for d in result.diagnostics if d.severity == "error"], [d.render() for d in result.diagnostics]
    outer = next(p for p in result.program.pipelines if p.name == "outer")
    steps = {s.name: s for s in outer.steps}
    assert list(steps) == ["first", "sub__a", "sub__b", "last"]
    assert steps["sub__a"].depends == ("first",)  # the root waits for what the call waits for (its data)
    assert steps["sub__b"].depends == ("sub__a",)
    assert steps["last"].depends == ("sub__a", "sub__b") and steps["last"].order_only == ("sub__a", "sub__b")
    a_values = dict(steps["sub__a"].bindings)["values"]
    assert "first" in repr(a_values) and dict(steps["sub__a"].bindings)["minimum"].value == 0.5  # the default
    assert steps["sub__a"].when is not None and "go" in repr(steps["sub__a"].when)  # the call's condition
    assert "and" in repr(steps["sub__b"].when)  # joined to the inner step's own
    assert dict(steps["last"].bindings)["values"].items[0].value == 0.5  # an output that was a param
    assert "sub__b" in repr(dict(outer.outputs)["mean"])
    assert outer.exit_steps == () and outer.on_exit is None  # the called pipeline's on_exit does not run
    manifests = {m.filename: m.body for m in emit_all(result.program)}
    tasks = [t["name"] for t in manifests["outer.workflowtemplate.yaml"]["spec"]["templates"][0]["dag"]["tasks"]]
    assert tasks == ["first", "sub--a", "sub--b", "last"]


@pytest.mark.parametrize(
    ("steps", "code", "where"),
    [
        ("    sub: {pipeline: inner, with: {values: [1.0], flor: 1.0}}", "MLD404", "flor"),
        ("    sub: {pipeline: inner, with: {floor: 1.0}}", "MLD403", "values"),
        ("    sub: {pipeline: inner, with: {values: [1.0], floor: abc}}", "MLD303", "floor"),
        ("    sub: {pipeline: inner, for_each: [1, 2], with: {values: [1.0]}}", "MLD407", "for_each"),
        ("    sub: {pipeline: inner, retries: 2, with: {values: [1.0]}}", "MLD407", "retries"),
        ("    sub: {pipeline: inner, uses: check-metrics@1, with: {values: [1.0]}}", "MLD407", "exactly one"),
        ("    sub: {pipeline: iner, with: {values: [1.0]}}", "MLD422", "did you mean 'inner'"),
        ("    sub: {pipeline: outer}", "MLD405", "outer -> outer"),
    ],
)
def test_pipeline_step_errors(tmp_path: Path, steps: str, code: str, where: str) -> None:
    result = compile_texts(tmp_path, INNER, caller(steps))
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert [d.code for d in errors] == [code], [d.render() for d in errors]
    assert where in errors[0].message + (errors[0].hint or "")


def test_a_broken_called_pipeline_is_reported_once_at_its_file(tmp_path: Path) -> None:
    broken = INNER.replace('check-metrics@1, with: {values: "${{ params.values }}"', "check-metrics@1, with: {valus: 1")
    result = compile_texts(tmp_path, broken, caller(OK))
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert {d.span.path.rsplit("/", 1)[-1] for d in errors} == {"p0.yaml"}, [d.render() for d in errors]
    assert not any(p.name == "outer" for p in result.program.pipelines)


def test_an_exit_step_cannot_be_a_pipeline(tmp_path: Path) -> None:
    text = caller("    first: {uses: check-metrics@1, with: {values: [0.9]}}").replace(
        '  outputs:\n    mean: "${{ steps.sub.outputs.mean }}"\n',
        "  on_exit:\n    steps:\n      notify: {pipeline: inner, with: {values: [1.0]}}\n",
    )
    result = compile_texts(tmp_path, INNER, text)
    assert [d.code for d in result.diagnostics if d.severity == "error"] == ["MLD407"]


def test_the_bakeoff_example_calls_train_candidate_twice(tmp_path: Path) -> None:
    root = tmp_path / "bakeoff"
    shutil.copytree(EXAMPLES / "model-bakeoff", root)
    result = compile_paths([root])
    assert not [d for d in result.diagnostics if d.severity == "error"]
    bakeoff = next(p for p in result.program.pipelines if p.name == "bakeoff")
    names = [s.name for s in bakeoff.steps]
    assert {"forest__train", "boosted__train", "check"} <= set(names) and names[-1] == "check"
    boosted = {s.name: s for s in bakeoff.steps}["boosted__train"]
    assert dict(boosted.bindings)["algorithm"].value == "gradient_boosting"
    assert boosted.cache_seconds == 7 * 86400  # the called pipeline's step settings come along


def test_the_bakeoff_runs_locally_from_its_manifests(tmp_path: Path) -> None:
    root = tmp_path / "bakeoff"
    shutil.copytree(EXAMPLES / "model-bakeoff", root)
    record = run_json(root, tmp_path / "home", "--pipeline", "bakeoff")
    assert record["status"] == "Succeeded"
    assert 0.5 < record["outputs"]["forest_auc"] <= 1 and 0.5 < record["outputs"]["boosted_auc"] <= 1
    assert record["steps"]["forest__evaluate"]["phase"] == "Succeeded" and record["steps"]["check"]["phase"] == "Succeeded"


def test_a_sweep_names_a_pipeline_step_for_its_objective_and_skip_steps(tmp_path: Path) -> None:
    root = tmp_path / "bakeoff"
    shutil.copytree(EXAMPLES / "model-bakeoff", root)
    (root / "sweep.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Sweep\nmetadata: {name: bar}\nspec:\n  pipeline: bakeoff\n  strategy: grid\n"
        "  params: {min_auc: {values: [0.6, 0.7]}}\n  skip_steps: [forest]\n"
        "  objective: {metric: steps.boosted.outputs.auc, goal: maximize}\n"
    )
    result = compile_paths([root])
    assert not [d for d in result.diagnostics if d.severity == "error"], [d.render() for d in result.diagnostics]
    [sweep] = result.program.sweeps
    assert (sweep.objective_step, sweep.objective_output) == ("boosted__evaluate", "auc")
    trial = {s.name for s in sweep.pipeline.steps}
    assert "boosted__train" in trial and not any(n.startswith("forest__") for n in trial) and "check" not in trial


def test_a_called_pipeline_with_fan_out_approval_deploy_and_exit_steps(tmp_path: Path) -> None:
    """What §1.10 gives a pipeline, inside a called one: every runtime rule holds, and it runs here."""
    import runtime_rules as rules

    root = tmp_path / "p"
    shutil.copytree(Path(__file__).parent / "projects" / "nested-release", root)
    result = compile_paths([root])
    assert not [d for d in result.diagnostics if d.severity == "error"], [d.render() for d in result.diagnostics]
    nightly = next(m.body for m in emit_all(result.program) if m.filename == "nightly.workflowtemplate.yaml")
    assert rules.check(nightly) == []
    tasks = [t["name"] for t in nightly["spec"]["templates"][0]["dag"]["tasks"]]
    assert {"rel--per-region", "rel--gate", "rel--ship", "rel--notify"} <= set(tasks)
    assert "onExit" not in nightly["spec"]  # the called pipeline's exit handler does not run
    limit = next(t for t in nightly["spec"]["templates"] if t["name"] == "rel--per-region-fan-out")["dag"]["tasks"][0]
    assert "workflow.parameters['width']" in limit["arguments"]["parameters"][0]["value"]  # the caller's param
    record = run_json(root, tmp_path / "home", "--pipeline", "nightly", "--approve", "rel__gate")
    assert record["steps"]["rel__ship"]["phase"] == "Succeeded" and record["steps"]["last"]["phase"] == "Succeeded"
    assert [i["item"] for i in record["steps"]["rel__per_region"]["items"]] == ["cn"]  # the caller's binding
