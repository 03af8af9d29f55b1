"""Sweeps: trials computed at compile time, the Argo sweep Workflow, Katib Experiments."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import runtime_rules as rules
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mldsl.backends import emit_all
from mldsl.backends.crdcheck import SwaggerIndex
from mldsl.compiler.trials import Dimension, discrete, random_trials
from mldsl.ops.project import compile_project as compile_paths  # every backend's target checks too

from conftest import ROOT, UPSTREAM, embedded_manifests, example_dirs

SWEEP = """\
apiVersion: mldsl/v1
kind: Sweep
metadata: {{name: {name}}}
spec:
  pipeline: churn-train
  strategy: {strategy}
  params:
{params}
  fixed: {{target: churned}}
  {extra}
  parallelism: 4
  max_failed_trials: 2
  seed: 7
  objective: {{metric: steps.evaluate.outputs.auc, goal: maximize}}
"""
RANDOM_PARAMS = """\
    n_estimators: {range: [100, 500, 100]}
    algorithm: {values: [random_forest, gradient_boosting]}
    min_auc: {uniform: [0.6, 0.9]}"""


def project(tmp_path: Path, *sweeps: str) -> Path:
    root = tmp_path / "p"
    shutil.copytree(next(d for d in example_dirs() if d.name == "churn-train"), root)
    for i, s in enumerate(sweeps):
        (root / f"sweep{i}.yaml").write_text(s)
    return root


@pytest.fixture
def compiled(tmp_path: Path):
    root = project(
        tmp_path,
        SWEEP.format(name="rand", strategy="random", params=RANDOM_PARAMS, extra="max_trials: 20"),
        SWEEP.format(
            name="grid",
            strategy="grid",
            params="    n_estimators: {values: [100, 200]}\n    min_auc: {range: [0.6, 0.8, 0.1]}",
            extra="",
        ),
        SWEEP.format(name="tpe", strategy="tpe", params=RANDOM_PARAMS.replace("uniform", "loguniform"), extra="max_trials: 30"),
        SWEEP.format(
            name="hb",
            strategy="hyperband",
            params="    n_estimators: {int_uniform: [50, 800]}",
            extra="max_trials: 30\n  budget: n_estimators",
        ).replace("parallelism: 4", "parallelism: 729"),  # Katib's hyperband runs 3**floor(log3(800)) at once
    )
    result = compile_paths([root])
    assert result.ok, "\n".join(d.render() for d in result.diagnostics)
    return result, {m.filename: m.body for m in emit_all(result.program)}


def test_outputs(compiled) -> None:
    result, files = compiled
    assert sorted(files) == [
        "churn-train.workflowtemplate.yaml",
        "grid.workflow.yaml",
        "hb.experiment.yaml",
        "rand.workflow.yaml",
        "tpe.experiment.yaml",
    ]
    grid = {s.name: s for s in result.program.sweeps}["grid"]
    assert [t for t in grid.trials] == [{"n_estimators": n, "min_auc": a} for n in (100, 200) for a in (0.6, 0.7, 0.8)]


def test_sweep_workflows_pass_strict_argo_schemas(compiled, argo_crds) -> None:
    _, files = compiled
    for name in ("rand.workflow.yaml", "grid.workflow.yaml"):
        body = files[name]
        assert argo_crds.check(body) == [], name
        [child] = embedded_manifests(body)  # each trial: a run of the pipeline's WorkflowTemplate
        assert child["spec"]["workflowTemplateRef"] == {"name": "churn-train"}
        assert argo_crds.check(child) == []
    rand = files["rand.workflow.yaml"]
    trials = json.loads(rand["spec"]["arguments"]["parameters"][0]["value"])
    assert len(trials) == 20 and trials[0]["trial"] == 0
    templates = {t["name"]: t for t in rand["spec"]["templates"]}
    assert templates["run-trials"]["parallelism"] == 4
    assert templates["run-trials"]["dag"]["tasks"][0]["continueOn"] == {"failed": True}
    outputs = {p["name"]: p["valueFrom"] for p in templates["trial"]["outputs"]["parameters"]}
    assert "[?(" not in json.dumps(outputs), "JSONPath filters cannot run over status.nodes, a map"
    # run the filters with real jq on a finished child (Argo runs them with gojq on the object's JSON)
    finished = {
        "metadata": {"name": "rand-t3-x", "labels": {"mldsl.io/trial": "3"}},
        "status": {
            "phase": "Succeeded",
            "nodes": {
                "n1": {"displayName": "evaluate", "type": "Retry", "outputs": {"parameters": [{"name": "auc", "value": "0.87"}]}},
                "n2": {"displayName": "evaluate(0)", "type": "Pod", "outputs": {"parameters": [{"name": "auc", "value": "0.5"}]}},
                "n3": {"displayName": "train", "type": "Pod", "outputs": {"parameters": [{"name": "auc", "value": "0.99"}]}},
            },
        },
    }
    jq = shutil.which("jq")
    if jq is None:
        pytest.skip("jq is not installed (apt-get install jq): the trial output filters are not run")
    for name, expected in (("metric", "0.87"), ("trial", "3")):
        run = subprocess.run([jq, "-r", outputs[name]["jqFilter"]], input=json.dumps(finished), capture_output=True, text=True)
        assert run.returncode == 0 and run.stdout.strip() == expected, (name, run.stderr)


def test_katib_experiments_pass_the_swagger_definitions(compiled, argo_crds) -> None:
    swagger = UPSTREAM / "kubeflow-katib" / "v1beta1-swagger.json"
    if not swagger.is_file():
        pytest.skip(f"Katib swagger not found at {swagger}")
    index = SwaggerIndex.from_file(swagger)
    _, files = compiled
    for name in ("tpe.experiment.yaml", "hb.experiment.yaml"):
        exp = files[name]
        assert index.check(exp, "v1beta1.Experiment") == [], name
        trial = exp["spec"]["trialTemplate"]["trialSpec"]
        assert argo_crds.check({**trial, "metadata": {"name": "t"}}) == []
    tpe = files["tpe.experiment.yaml"]["spec"]
    assert tpe["algorithm"]["algorithmName"] == "tpe" and tpe["maxTrialCount"] == 30 and tpe["parallelTrialCount"] == 4
    assert {
        "name": "min_auc",
        "parameterType": "double",
        "feasibleSpace": {"min": "0.6", "max": "0.9", "distribution": "logUniform"},
    } in tpe["parameters"]
    assert tpe["objective"] == {"type": "maximize", "objectiveMetricName": "auc"}
    hb = files["hb.experiment.yaml"]["spec"]["algorithm"]
    assert {"name": "resource_name", "value": "n_estimators"} in hb["algorithmSettings"]
    bad = dict(files["tpe.experiment.yaml"], spec={**tpe, "parallelTrialCont": 2})
    assert index.check(bad, "v1beta1.Experiment"), "the strict check must refuse unknown fields"


def test_pick_best_script(tmp_path: Path) -> None:
    script = ROOT / "backends" / "argo" / "pick_best.py"
    trials = [{"trial": i, "lr": lr} for i, lr in enumerate([0.1, 0.2, 0.3])]
    # the trial index comes from the child's label: a sweep named like "s-t1-x" cannot confuse it
    results = [
        {"workflow": "s-t1-x-t0-abc", "metric": "0.81", "trial": "0"},
        {"workflow": "s-t1-x-xyz", "metric": "0.93", "trial": "2"},
    ]
    (tmp_path / "trials").write_text(json.dumps(trials))
    (tmp_path / "results").write_text(json.dumps(results))
    env = {
        **os.environ,
        "MLDSL_TRIALS_FILE": str(tmp_path / "trials"),
        "MLDSL_RESULTS_FILE": str(tmp_path / "results"),
        "MLDSL_GOAL": "maximize",
        "MLDSL_MAX_FAILED": "1",
        "MLDSL_OUTPUTS_DIR": str(tmp_path),
    }
    p = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert json.loads((tmp_path / "params").read_text()) == {"lr": 0.3} and (tmp_path / "metric").read_text() == "0.93"
    env["MLDSL_GOAL"] = "minimize"
    subprocess.run([sys.executable, str(script)], env=env, check=True, capture_output=True)
    assert (tmp_path / "trial").read_text() == "0"
    env["MLDSL_MAX_FAILED"] = "0"  # one of three trials failed
    p = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True)
    assert p.returncode == 1 and "more than max_failed_trials=0" in p.stderr


def test_ten_thousand_trials_fit_in_one_object(tmp_path: Path) -> None:
    root = project(tmp_path, SWEEP.format(name="big", strategy="random", params=RANDOM_PARAMS, extra="max_trials: 10000"))
    result = compile_paths([root])
    assert result.ok
    from mldsl.util.yamlout import dump

    [body] = [m.body for m in emit_all(result.program) if m.filename == "big.workflow.yaml"]
    size = len(dump(body).encode())
    assert size < 1024 * 1024, f"{size} bytes: over Argo's 1 MiB object limit"
    small = project(tmp_path / "s", SWEEP.format(name="big", strategy="random", params=RANDOM_PARAMS, extra="max_trials: 10"))
    [small_body] = [m.body for m in emit_all(compile_paths([small]).program) if m.filename == "big.workflow.yaml"]
    per_trial = (size - len(dump(small_body).encode())) / 9990
    assert per_trial < 90, "the manifest must grow with the trial list only"


SPACES = st.one_of(
    st.tuples(st.just("uniform"), st.floats(-100, 100), st.floats(0.001, 100)).map(lambda t: ("uniform", (t[1], t[1] + t[2]))),
    st.tuples(st.floats(1e-6, 10), st.floats(1.0001, 1000)).map(lambda t: ("loguniform", (t[0], t[0] * t[1]))),
    st.tuples(st.integers(-50, 50), st.integers(0, 100)).map(lambda t: ("int_uniform", (t[0], t[0] + t[1]))),
    st.tuples(st.integers(0, 20), st.integers(0, 30), st.integers(1, 7)).map(lambda t: ("range", (t[0], t[0] + t[1], t[2]))),
    st.lists(st.sampled_from(["a", "b", "c", 1, 2.5]), min_size=1, max_size=4).map(lambda v: ("values", tuple(v))),
)


@settings(max_examples=200, deadline=None)
@given(spaces=st.lists(SPACES, min_size=1, max_size=4), seed=st.integers(0, 2**32), count=st.integers(1, 40))
def test_random_trials_are_seeded_and_inside_their_space(spaces, seed, count) -> None:
    dims = [Dimension(f"p{i}", kind, args, integer=kind in ("int_uniform",)) for i, (kind, args) in enumerate(spaces)]
    trials = random_trials(dims, count, seed)
    assert trials == random_trials(dims, count, seed)  # same seed, same trials
    assert len(trials) == count
    for t in trials:
        for d in dims:
            v = t[d.name]
            if d.kind in ("values", "range", "int_uniform"):
                assert v in discrete(d)
            else:
                assert d.args[0] <= v <= d.args[1] and math.isfinite(v)


def test_same_file_same_manifest(tmp_path: Path) -> None:
    text = SWEEP.format(name="rand", strategy="random", params=RANDOM_PARAMS, extra="max_trials: 50")
    first = yaml.safe_dump([m.body for m in emit_all(compile_paths([project(tmp_path / "a", text)]).program)])
    second = yaml.safe_dump([m.body for m in emit_all(compile_paths([project(tmp_path / "b", text)]).program)])
    assert first == second


def test_katib_objective_from_a_training_jobs_metric(tmp_path: Path) -> None:
    """SPEC §1.10: a distributed step's metric is a sweep objective; Katib's StdOut collector reads the pod
    that prints it, which carries exactly the labels of ``primaryPodLabels``."""
    root = tmp_path / "g"
    shutil.copytree(next(d for d in example_dirs() if d.name == "gpu-training"), root, ignore=shutil.ignore_patterns(".mldsl"))
    text = (root / "sweeps.yaml").read_text()
    (root / "sweeps.yaml").write_text(
        text.replace(
            "objective: {metric: steps.evaluate.outputs.ndcg, goal: maximize}",
            "objective: {metric: steps.train.outputs.final_loss, goal: minimize}",
        )
    )
    result = compile_paths([root])
    assert result.ok, [d.render() for d in result.diagnostics]
    files = {m.filename: m.body for m in emit_all(result.program)}
    exp = files["ranker-tpe.experiment.yaml"]
    assert exp["spec"]["objective"]["objectiveMetricName"] == "final_loss"
    assert exp["spec"]["trialTemplate"]["trialSpec"]["spec"]["workflowTemplateRef"] == {"name": "ranker-training"}
    assert rules.katib_reads_its_objective(list(files.values())) == []
    report = next(
        t for t in files["ranker-training.workflowtemplate.yaml"]["spec"]["templates"] if t["name"] == "train-objective"
    )
    assert report["container"]["env"] == [{"name": "MLDSL_OBJECTIVE_0", "value": "final_loss={{inputs.parameters.final_loss}}"}]


KATIB_CONTAINER = """\
apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: tune-me}
spec:
  params:
    lr: {type: float, default: 0.1}
  steps:
    score: {uses: score, with: {lr: "${{ params.lr }}"}}
    STEP: {uses: score, with: {lr: "${{ params.lr }}"}}
---
apiVersion: mldsl/v1
kind: Module
metadata: {name: score, version: 1.0.0}
spec:
  inputs: {lr: float}
  outputs: {auc: float}
  run: {container: {image: acme/score:1, command: [sh, -c, 'score --lr "$0" > /mldsl/outputs/auc'], args: ["${{ inputs.lr }}"]}}
---
apiVersion: mldsl/v1
kind: Sweep
metadata: {name: s}
spec:
  pipeline: tune-me
  strategy: tpe
  params: {lr: {uniform: [0.01, 0.5]}}
  max_trials: 10
  objective: {metric: steps.score.outputs.auc}
"""


def test_katib_reads_a_container_modules_objective(tmp_path: Path) -> None:
    """A container module's output reaches Katib as any other: a pod prints it, whatever the module's command
    (a ``sh -c`` script with spaces would be re-read by Katib's shell, so it is never the primary pod)."""
    (tmp_path / "p.yaml").write_text(KATIB_CONTAINER.replace("STEP", "other"))
    result = compile_paths([tmp_path])
    assert result.ok and not result.diagnostics, [d.render() for d in result.diagnostics]
    files = [m.body for m in emit_all(result.program)]
    assert rules.katib_reads_its_objective(files) == []


def test_a_step_named_like_the_objective_report_is_refused(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(KATIB_CONTAINER.replace("STEP", "score_objective"))
    result = compile_paths([tmp_path])
    assert [(d.code, d.message) for d in result.diagnostics if d.severity == "error"] == [
        (
            "MLD711",
            "Katib reads the objective from a task 'score-objective' after step 'score', "
            "and step 'score_objective' already has that name",
        )
    ]


def test_skip_steps_trials_run_a_pipeline_without_deploy_or_approval(tmp_path: Path) -> None:
    """SPEC §1.10: trials leave out skip_steps and every step after them, from a WorkflowTemplate of their own;
    the pipeline itself (deploy and approval included) is unchanged."""
    root = tmp_path / "c"
    shutil.copytree(next(d for d in example_dirs() if d.name == "churn-serving"), root, ignore=shutil.ignore_patterns(".mldsl"))
    result = compile_paths([root])
    assert result.ok, [d.render() for d in result.diagnostics]
    files = {m.filename: m.body for m in emit_all(result.program)}
    trial = files["churn-algorithms-trial.workflowtemplate.yaml"]
    tasks = [t["name"] for t in next(t for t in trial["spec"]["templates"] if t["name"] == "main")["dag"]["tasks"]]
    assert tasks == ["load", "split", "train", "evaluate"]  # register, sign-off and canary (after both) are out
    full = files["churn-release.workflowtemplate.yaml"]
    assert "canary" in [t["name"] for t in next(t for t in full["spec"]["templates"] if t["name"] == "main")["dag"]["tasks"]]
    sweep = files["churn-algorithms.workflow.yaml"]
    assert "churn-algorithms-trial" in json.dumps(sweep)  # the children's workflowTemplateRef (an embedded manifest)
    # without skip_steps, every trial would deploy to the live canary: refused
    text = (root / "tune.yaml").read_text().replace("  skip_steps: [register, sign_off]", "")
    (root / "tune.yaml").write_text(text)
    codes = sorted(d.code for d in compile_paths([root]).diagnostics if d.severity == "error")
    assert codes == ["MLD712", "MLD713"]


@pytest.mark.parametrize(
    ("strategy", "max_trials", "code"),
    [("random", 100_000_000_000_000_000_000, "MLD705"), ("grid", None, "MLD705"), ("random", 20, None)],
)
def test_huge_spaces_are_counted_not_built(tmp_path: Path, strategy: str, max_trials: int | None, code: str | None) -> None:
    """Issue #12, item 7: a 4*10^9-point range and 10^20 random trials are refused (or drawn from) without a list."""
    root = tmp_path / "p"
    shutil.copytree(ROOT / "examples" / "churn-train", root)
    (root / "sweep.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Sweep\nmetadata: {name: big}\nspec:\n  pipeline: churn-train\n"
        f"  strategy: {strategy}\n  params:\n    min_auc: {{range: [0.5, 0.9, 0.0000000001]}}\n"
        + (f"  max_trials: {max_trials}\n" if max_trials else "")
        + "  objective: {metric: steps.evaluate.outputs.auc}\n"
    )
    result = compile_paths([root])
    codes = [d.code for d in result.diagnostics if d.severity == "error"]
    assert codes == ([code] if code else []), [d.render() for d in result.diagnostics]
    if code is None:
        (sweep,) = result.program.sweeps
        assert len(sweep.trials) == 20 and all(0.5 <= t["min_auc"] <= 0.9 for t in sweep.trials)
