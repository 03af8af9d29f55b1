"""Compiled manifests keep the rules the upstream controllers run by (``tests/runtime_rules.py``).

Every golden file, and projects drawn at random (``tests/pipeline_gen.py``), must break none of them;
each rule is also shown to catch the defect it is about, so none of them can pass vacuously.
``python tools/rules_fuzz.py --count 2000`` runs the long generated set.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import runtime_rules as rules
import yaml
from hypothesis import HealthCheck, given, settings
from pipeline_gen import projects

from mldsl.backends import emit_all
from mldsl.compiler import compile_paths

from conftest import ROOT

GOLDEN = sorted((ROOT / "tests" / "golden").rglob("*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden_manifests_keep_every_rule(path: Path) -> None:
    assert rules.check(_load(path)) == []


@pytest.mark.parametrize("folder", sorted({p.parent for p in GOLDEN}), ids=lambda p: p.name)
def test_golden_projects_keep_the_project_rules(folder: Path) -> None:
    assert rules.katib_reads_its_objective([_load(p) for p in sorted(folder.glob("*.yaml"))]) == []


def test_katib_rule_catches_what_katib_would_misread() -> None:
    """The objective printed by the pod of a Spark job's metrics (``sh -c 'for f in ...'``, as mldsl used to), or
    by a module Katib cannot see print it, or by two pods, each fail the rule."""
    exp, wft = _golden("ranker-tpe.experiment.yaml"), _golden("ranker-training.workflowtemplate.yaml")
    assert rules.katib_reads_its_objective([exp, wft]) == []
    report = _template(wft, "evaluate-objective")
    old = copy.deepcopy(wft)
    _template(old, "evaluate-objective")["container"]["command"] = ["sh", "-c", "printf 'ndcg=%s' $V"]
    assert "re-read" in " ".join(rules.katib_reads_its_objective([exp, old]))
    old = copy.deepcopy(wft)
    _template(old, "evaluate-objective")["container"]["env"][0]["value"] = "loss={{inputs.parameters.ndcg}}"
    assert "prints ndcg=" in " ".join(rules.katib_reads_its_objective([exp, old]))
    old = copy.deepcopy(wft)
    _template(old, "evaluate-ranker-1-0-0").setdefault("metadata", {})["labels"] = report["metadata"]["labels"]
    assert "2 templates" in " ".join(rules.katib_reads_its_objective([exp, old]))
    old = copy.deepcopy(wft)
    del _task(old, "evaluate-objective")["depends"]
    assert "after the objective step" in " ".join(rules.katib_reads_its_objective([exp, old]))


def _golden(name: str) -> dict[str, Any]:
    return copy.deepcopy(_load(next(p for p in GOLDEN if p.name == name)))


def _template(m: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in m["spec"]["templates"] if t["name"] == name)


def _compiled_p(folder: Path, text: str) -> dict[str, Any]:
    """The WorkflowTemplate of pipeline ``p`` in ``text``, written to ``folder`` and compiled without errors."""
    (folder / "p.yaml").write_text(text)
    result = compile_paths([folder])
    assert result.ok, [d.render() for d in result.diagnostics]
    (body,) = [m.body for m in emit_all(result.program) if m.filename == "p.workflowtemplate.yaml"]
    return body


def _task(m: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in _template(m, "main")["dag"]["tasks"] if t["name"] == name)


# each rule catches the defect it is about (the way mldsl used to compile it)


def test_rules_catch_the_old_defects() -> None:
    m = _golden("churn-train.workflowtemplate.yaml")
    old = copy.deepcopy(m)
    _template(old, "main")["outputs"]["parameters"][0]["valueFrom"] = {"parameter": "s3://ml-artifacts/{{workflow.name}}/x"}
    assert rules.value_from_parameter_is_one_tag(old)
    old = copy.deepcopy(m)
    _task(old, "evaluate")["when"] = "{{=true}}"  # auc now comes from a step that may be skipped
    assert rules.outputs_survive_skipped_steps(old) == []
    del _template(old, "main")["outputs"]["parameters"][1]["valueFrom"]["default"]
    assert rules.outputs_survive_skipped_steps(old)

    old = copy.deepcopy(m)
    _template(old, "train-sklearn-1-1-0-train")["memoize"]["key"] = "train-sklearn@1.1.0:target={{inputs.parameters.target}}"
    assert rules.memoize_key_form(old)

    old = copy.deepcopy(m)
    old["spec"]["arguments"]["artifacts"][0]["s3"] = {"bucket": "ml-data", "key": "churn/customers.csv"}
    assert rules.s3_full_location(old)

    old = copy.deepcopy(m)
    publish = _task(old, "publish")
    publish["when"] = "'{{tasks.evaluate.outputs.parameters.auc}}' >= '{{workflow.parameters.min_auc}}'"
    publish["dependencies"] = publish.pop("depends").replace(".Succeeded", "").split(" && ")
    assert rules.conditions_are_expressions(old) and rules.depends_not_dependencies(old)

    old = copy.deepcopy(m)
    _task(old, "load")["arguments"]["parameters"][0]["value"] = "${{ params.x }}"
    assert rules.no_dollar_braces(old)
    _task(old, "load")["arguments"]["parameters"][0]["value"] = "{{inputs.parameters.nope}}"
    assert rules.tags_resolve(old)
    _task(old, "load")["arguments"]["parameters"][0]["value"] = "{{=asInt(tasks['nope'].outputs.parameters['x'])}}"
    assert rules.tags_resolve(old)

    old = copy.deepcopy(m)
    old["metadata"]["labels"]["mldsl.io/pipeline-version"] = "1.2.0+build.7"
    assert rules.names_and_labels(old)

    old = copy.deepcopy(m)
    _template(old, "train-sklearn-1-1-0-train")["retryStrategy"]["backoff"]["factor"] = "1.5"
    assert rules.intstr_fields(old)

    old = copy.deepcopy(m)
    old["metadata"]["labels"]["team"] = "y"  # written plain, go-yaml v2 reads a bool
    from mldsl.util.yamlout import dump

    assert "team: 'y'" in dump(old) and not rules.yaml11_safe(old)

    old = _golden("churn-release.workflowtemplate.yaml")
    assert rules.approvals_time_out(old) == []
    _template(old, "sign-off-approval")["dag"]["tasks"].pop()  # no expiry check: Argo would resume it as approved
    assert rules.approvals_time_out(old)

    old = _golden("ranker-training.workflowtemplate.yaml")
    assert rules.resource_outputs_from_the_object(old) == []
    job = _template(old, "train-ddp-2-3-0-train")  # the old way: a metric read from a path of the job's pod
    job["outputs"] = {"parameters": [{"name": "final_loss", "valueFrom": {"path": "/mldsl/outputs/final_loss"}}]}
    assert rules.resource_outputs_from_the_object(old)
    old = _golden("ranker-training.workflowtemplate.yaml")
    del _template(old, "train-ddp-2-3-0-train-with-metrics")["outputs"]
    assert rules.resource_outputs_from_the_object(old)  # main reads tasks.train.outputs.parameters.final_loss

    old = _golden("nightly-regions.workflowtemplate.yaml")
    assert rules.continued_tasks_are_leaves(old) == []
    _task(old, "summary")["continueOn"] = {"failed": True}  # alert reads it: a failed summary would fail the run
    assert rules.continued_tasks_are_leaves(old)
    assert rules.yaml11_safe({"a": ["1e-05"]}) == [] and yaml.load("a: [1e-05, y]", Loader=rules._GoYamlV2) == {
        "a": [1e-05, True]
    }


def test_deploy_rule_catches_a_resource_template_deploy() -> None:
    """#10 item 15: the deploy step used to be a resource template waiting on
    ``status.modelStatus.states.activeModelState == Loaded``, true of the old revision at the first poll."""
    body = _golden("churn-release.workflowtemplate.yaml")
    assert rules.deploys_wait_for_the_new_version(body) == []
    from mldsl.backends.argo.deploy import DEPLOY_LABEL

    pod = next(t for t in body["spec"]["templates"] if DEPLOY_LABEL in t.get("metadata", {}).get("labels", {}))
    old = copy.deepcopy(body)
    t = _template(old, pod["name"])
    manifest = t["script"]["env"][-1]["value"]
    del t["script"]
    t["resource"] = {
        "action": "apply",
        "successCondition": "status.modelStatus.states.activeModelState == Loaded",
        "manifest": manifest,
    }
    assert "cannot wait for it" in " ".join(rules.deploys_wait_for_the_new_version(old))
    old = copy.deepcopy(body)
    _template(old, pod["name"])["script"]["source"] = "print('ok')"
    assert "deploy program" in " ".join(rules.deploys_wait_for_the_new_version(old))


SPARK_READS_A_CACHED_ARTIFACT = """\
apiVersion: mldsl/v1
kind: Project
metadata: {name: sp}
spec:
  artifacts: {bucket: s3://art}
---
apiVersion: mldsl/v1
kind: Module
metadata: {name: make, version: 1.0.0}
spec:
  outputs: {t: {type: artifact, format: parquet}}
  run: {python: {source: "open(output_path('t'), 'w').write('x')"}}
---
apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: p}
spec:
  steps:
    c: {uses: make, cache: {ttl: 1h}}
    q: {uses: spark-sql, with: {source: "${{ steps.c.outputs.t }}", query: "select 1"}}
    f: {uses: spark-sql, for_each: [a, b], parallelism: 1, with: {source: "${{ steps.c.outputs.t }}", query: "${{ item }}"}}
"""


def test_operator_jobs_read_a_cached_producers_file_where_it_is(tmp_path: Path) -> None:
    """A cache hit returns the producing run's outputs, files included, at that run's key: a Spark job reads the
    URI the producer reports (``mldsl-uri-t``), never this run's key, in a plain task and inside a fan-out."""
    body = _compiled_p(tmp_path, SPARK_READS_A_CACHED_ARTIFACT)
    assert rules.check(body) == []
    q = _task(body, "q")
    source = next(p["value"] for p in q["arguments"]["parameters"] if p["name"] == "source")
    assert source == "{{='s3a://' + sprig.trimPrefix('s3://', tasks['c'].outputs.parameters['mldsl-uri-t'])}}"
    f = _task(body, "f")
    assert {"name": "c-mldsl-uri-t", "value": "{{tasks.c.outputs.parameters.mldsl-uri-t}}"} in f["arguments"]["parameters"]


def test_a_cached_operator_job_in_a_wrapper_gets_its_inputs_identity(tmp_path: Path) -> None:
    """A cached Spark step that continues on failure (or fans out with a param's parallelism) runs inside a
    wrapper DAG, where sibling tasks are out of scope: the identity of the artifact it reads (its cache key)
    comes in as the wrapper's input, as its URI does. Found by ``tools/rules_fuzz.py``."""
    text = SPARK_READS_A_CACHED_ARTIFACT.replace(
        "q: {uses: spark-sql, with:", "q: {uses: spark-sql, continue_on_failure: true, cache: {ttl: 1h}, with:"
    ).replace("parallelism: 1,", 'parallelism: "${{ params.k }}", cache: {ttl: 1h},')
    text = text.replace("spec:\n  steps:", "spec:\n  params: {k: {type: int, default: 2}}\n  steps:")
    body = _compiled_p(tmp_path, text)
    assert rules.check(body) == []
    for wrapper in ("q-continue", "f-fan-out"):
        inputs = [p["name"] for p in _template(body, wrapper)["inputs"]["parameters"]]
        assert "c-mldsl-id-t" in inputs, (wrapper, inputs)


LITERAL_BRACES = """\
apiVersion: mldsl/v1
kind: Module
metadata: {name: echo, version: 1.0.0}
spec:
  inputs: {lr: float, note: str}
  run:
    container:
      image: busybox
      command: [echo, "{{inputs.parameters.lr}}", "${{ inputs.note }}", "{{=1+1}}"]
---
apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: p}
spec:
  params:
    note: {type: str, default: "{{workflow.name}}"}
  steps:
    e: {uses: echo, with: {lr: 0.5, note: "${{ params.note }} and {{inputs.parameters.lr}}"}}
"""


def _argo_passes(
    body: dict[str, Any], task: dict[str, Any], tpl: dict[str, Any], outputs: dict[str, str] | None = None
) -> list[str]:
    """The command a pod of ``tpl`` runs, substituted scan by scan as Argo v4.1.2 does, each with its own names:
    the spec's arguments once (operator.go substituteGlobalVariables l. 4694-4716), the DAG template's two passes
    with its node's locals (operator.go l. 2240-2256, util.go SubstituteParams), the task's own scan with the
    DAG's scope (dag.go resolveDependencyReferences l. 838), the pod template's two passes (``pod.name`` known
    in the first: no retryStrategy), and the pod's (workflowpod.go substitutePodParams l. 1005-1025: globals,
    inputs, ``pod.name``; no ``node``). Every scan leaves what it cannot resolve (``allowUnresolved``)."""
    from mldsl.argo.template import substitute

    glob = {"workflow.name": "p-x7k2p", "workflow.uid": "u-1", "workflow.status": "Running"}
    args = substitute(body["spec"]["arguments"], glob, strict=False)
    glob.update({f"workflow.parameters.{p['name']}": p["value"] for p in body["spec"]["arguments"]["parameters"]})
    del args  # the entrypoint's inputs; the globals keep the raw values (setGlobalParameters ran first)
    dag_locals = {"node.name": "p-x7k2p", "steps.name": ""}
    t = substitute(task, {**glob, **dag_locals}, strict=False)  # the DAG template's pass 1
    t = substitute(t, {**glob, **dag_locals}, strict=False)  # its pass 2 (the main DAG has no inputs)
    t = substitute(t, {**glob, **(outputs or {})}, strict=False)  # the task's own scan
    inputs = {f"inputs.parameters.{p['name']}": p["value"] for p in t["arguments"]["parameters"]}
    pod_locals = {"pod.name": "p-x7k2p-e-123", "node.name": "p-x7k2p.e", "tasks.name": "e"}
    with_args = {**tpl, "inputs": {"parameters": [{"name": k.rsplit(".", 1)[1], "value": v} for k, v in inputs.items()]}}
    once = substitute(with_args, {**glob, **pod_locals}, strict=False)
    inputs = {f"inputs.parameters.{p['name']}": p["value"] for p in once["inputs"]["parameters"]}
    twice = substitute(once, {**glob, **pod_locals, **inputs}, strict=False)
    inputs = {f"inputs.parameters.{p['name']}": p["value"] for p in twice["inputs"]["parameters"]}
    pod = substitute(twice["container"], {**glob, **inputs, "pod.name": "p-x7k2p-e-123"}, strict=False)
    return list(pod["command"])


def test_literal_braces_survive_every_pass_argo_makes(tmp_path: Path) -> None:
    """#10: a literal ``{{`` in a command, a ``with:`` value and a param default arrives as text, though Argo
    substitutes it four times; the former escape (``{{='{'+'{'}}``) gave ``{{`` back at the first pass, a
    tag to the next, so ``{{inputs.parameters.lr}}`` became 0.5 and ``{{=1+1}}`` became 2."""
    body = _compiled_p(tmp_path, LITERAL_BRACES)
    tpl = next(t for t in body["spec"]["templates"] if "container" in t)
    command = _argo_passes(body, _task(body, "e"), tpl)
    assert command == ["echo", "{{inputs.parameters.lr}}", "{{workflow.name}} and {{inputs.parameters.lr}}", "{{=1+1}}"]
    # the escape before #26 read pod.name, which the pod template's first pass already knows
    old = json.loads(
        json.dumps(body).replace(
            "('pod' in $env and not ('node' in $env) and not ('retries' in $env)) ? '{'+'{' : nil",
            "pod.name == '' ? '{'+'{' : '{'+'{'",
        )
    )
    tpl = next(t for t in old["spec"]["templates"] if "container" in t)
    assert _argo_passes(old, _task(old, "e"), tpl) == ["echo", "0.5", "p-x7k2p and 0.5", "2"]


def test_a_steps_output_holding_tags_arrives_as_text(tmp_path: Path) -> None:
    """SPEC §1.9: Argo puts an input's value in the template before substituting it twice and again in the pod
    (``workflow/common/util.go`` ProcessArgs l. 200-256): a step's output holding ``{{workflow.name}}`` or
    ``{{=1+1}}`` was substituted. It goes in escaped now; passed as a bare tag, as before, it was not text."""
    text = LITERAL_BRACES.replace(
        "    e: {uses: echo,",
        "    src: {uses: echo, with: {lr: 0.1, note: x}}\n    e: {uses: echo,",
    ).replace('"${{ params.note }} and {{inputs.parameters.lr}}"', '"${{ steps.src.outputs.said }}"')
    text = text.replace("  inputs: {lr: float, note: str}\n", "  inputs: {lr: float, note: str}\n  outputs: {said: str}\n")
    body = _compiled_p(tmp_path, text)
    tpl = next(t for t in body["spec"]["templates"] if "container" in t)
    said = {"tasks.src.outputs.parameters.said": "{{workflow.name}} {{=1+1}} {{inputs.parameters.lr}}"}
    assert _argo_passes(body, _task(body, "e"), tpl, said)[2] == said["tasks.src.outputs.parameters.said"]
    old = copy.deepcopy(body)
    note = next(p for p in _task(old, "e")["arguments"]["parameters"] if p["name"] == "note")
    note["value"] = "{{tasks.src.outputs.parameters.said}}"
    assert _argo_passes(old, _task(old, "e"), tpl, said)[2] == "p-x7k2p 2 0.5"


def test_spark_jobs_stop_at_the_step_timeout() -> None:
    """#10 item 16: a SparkApplication has no deadline; without one on its pod templates a timed-out, stopped or
    retried step left it running (and its executors holding their nodes)."""
    gpu = _golden("ranker-training.workflowtemplate.yaml")
    assert rules.operator_jobs_stop_at_the_step_timeout(gpu) == []
    spark = next(t for t in gpu["spec"]["templates"] if "resource" in t and "SparkApplication" in t["resource"]["manifest"])
    assert spark["activeDeadlineSeconds"] == 7200
    for old_text, problem in (
        ('"activeDeadlineSeconds": 7200', "does not end it by the step's 7200s"),
        ('"spark-kubernetes-executor"', "container is not 'spark-kubernetes-executor'"),
        ('"sparkVersion": "3.5.1"', "reads no pod templates"),
    ):
        old = copy.deepcopy(gpu)
        t = _template(old, spark["name"])
        assert old_text in t["resource"]["manifest"]
        t["resource"]["manifest"] = t["resource"]["manifest"].replace(
            old_text, old_text.replace("7200", "99999").replace("executor", "x").replace("3.5.1", "2.4.8")
        )
        assert problem in " ".join(rules.operator_jobs_stop_at_the_step_timeout(old))


def test_rules_catch_old_operator_and_sweep_defects() -> None:
    gpu = _golden("ranker-training.workflowtemplate.yaml")
    spark = next(t for t in gpu["spec"]["templates"] if "resource" in t and "SparkApplication" in t["resource"]["manifest"])
    obj = json.loads(rules.substitute(spark, rules.template_scope(gpu, spark))["resource"]["manifest"])
    old = copy.deepcopy(gpu)
    # the manifest as YAML with single-quoted tags, as mldsl used to embed it: a quote in a value breaks it
    from mldsl.util.yamlout import dump

    args = ["'{{inputs.parameters.%s}}'" % p["name"] for p in spark["inputs"]["parameters"]]
    obj["spec"]["arguments"] = ["__ARG%d__" % i for i in range(len(args))]
    text = dump(obj)
    for i, a in enumerate(args):
        text = text.replace("__ARG%d__" % i, a)
    next(t for t in old["spec"]["templates"] if t["name"] == spark["name"])["resource"]["manifest"] = text
    assert rules.embedded_manifests_survive_values(old)

    train = next(t for t in gpu["spec"]["templates"] if "resource" in t and "PyTorchJob" in t["resource"]["manifest"])
    old = copy.deepcopy(gpu)
    t = next(t for t in old["spec"]["templates"] if t["name"] == train["name"])
    t["resource"]["manifest"] = t["resource"]["manifest"].replace('"Never"', '"OnFailure"')
    assert rules.training_jobs_end(old)

    random = _golden("ranker-random.workflow.yaml")
    trial = _template(random, "trial")
    trial["outputs"]["parameters"][0]["valueFrom"] = {"jsonPath": '{.status.nodes[?(@.displayName=="evaluate")].outputs}'}
    assert rules.jsonpath_filters_over_lists(random)

    tpe = _golden("ranker-tpe.experiment.yaml")
    tpe["spec"]["trialTemplate"]["failureCondition"] = 'status.[@this].#(phase=="Failed")#'
    tpe["spec"]["parameters"].append({"name": "flag", "parameterType": "categorical", "feasibleSpace": {"list": ["True"]}})
    tpe["spec"]["algorithm"] = {
        "algorithmName": "hyperband",
        "algorithmSettings": [{"name": "eta", "value": "3"}, {"name": "r_l", "value": "30"}],
    }
    assert len(rules.katib_experiment(tpe)) == 3
    tpe["metadata"]["name"] = "a-tpe-search-whose-name-is-too-long-for-katib"
    assert rules.names_and_labels(tpe)


# generated projects: a bounded set here, the long run in tools/rules_fuzz.py

EXAMPLES = int(os.environ.get("MLDSL_RULES_EXAMPLES", "15"))


def compile_project(files: dict[str, str], root: Path) -> list[dict[str, Any]]:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    result = compile_paths([root])
    assert result.ok, "\n".join(d.render() for d in result.diagnostics) + "\n" + files["pipeline.yaml"]
    return [m.body for m in emit_all(result.program)]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=projects())
def test_generated_pipelines_keep_every_rule(files: dict[str, str], tmp_path: Path) -> None:
    for body in compile_project(files, tmp_path / "p"):
        problems = rules.check(body)
        assert problems == [], "\n".join(problems) + "\n" + files["pipeline.yaml"]


# the Katib trial conditions, run by gjson itself (Katib evaluates them with tidwall/gjson)

GJSON_MAIN = """\
package main

import (
\t"fmt"
\t"io"
\t"os"

\t"github.com/tidwall/gjson"
)

func main() {
\tdata, _ := io.ReadAll(os.Stdin)
\tr := gjson.Get(string(data), os.Args[1])
\t// katib trial/util/job_util.go: a condition holds when the result is an object or a non-empty array
\tfmt.Println(r.IsObject() || (r.IsArray() && len(r.Array()) > 0))
}
"""


def test_katib_trial_conditions_with_gjson(tmp_path: Path) -> None:
    go = shutil.which("go")
    gopath = Path("/usr/share/gocode")
    if go is None or not (gopath / "src/github.com/tidwall/gjson").is_dir():
        pytest.skip("go and Debian's golang-github-tidwall-gjson-dev are not installed (.ci/run installs them)")
    (tmp_path / "main.go").write_text(GJSON_MAIN)
    env = {**os.environ, "GO111MODULE": "off", "GOPATH": str(gopath), "GOCACHE": str(tmp_path / "cache")}
    subprocess.run([go, "build", "-o", str(tmp_path / "gj"), "main.go"], cwd=tmp_path, env=env, check=True)
    spec = _golden("ranker-tpe.experiment.yaml")["spec"]["trialTemplate"]

    def holds(condition: str, phase: str) -> bool:
        run = subprocess.run(
            [str(tmp_path / "gj"), condition], input=json.dumps({"status": {"phase": phase}}), capture_output=True, text=True
        )
        return run.stdout.strip() == "true"

    assert [holds(spec["failureCondition"], p) for p in ("Failed", "Error", "Succeeded", "Running")] == [True, True, False, False]
    assert [holds(spec["successCondition"], p) for p in ("Failed", "Error", "Succeeded", "Running")] == [
        False,
        False,
        True,
        False,
    ]


def test_semaphore_rule_catches_a_limit_argo_cannot_read() -> None:
    """A fan-out's parallelism from a param (SPEC §1.10) is a semaphore: the rule refuses an iteration that
    does not wait for its ConfigMap, a ConfigMap under another name, and a limit written raw (0 would hang)."""
    wft = _golden("nightly-regions.workflowtemplate.yaml")
    assert rules.semaphores_have_their_limit(wft) == []
    wrapper = _template(wft, "evaluate-region-fan-out")
    old = copy.deepcopy(wft)
    _template(old, "evaluate-region-fan-out")["dag"]["tasks"][1].pop("depends")
    assert "no task before it creates" in " ".join(rules.semaphores_have_their_limit(old))
    old = copy.deepcopy(wft)
    limit = _template(old, "evaluate-region-limit")["resource"]
    limit["manifest"] = limit["manifest"].replace("-evaluate-region-limit", "-limits")
    assert "no task before it creates" in " ".join(rules.semaphores_have_their_limit(old))
    old = copy.deepcopy(wft)
    task = _template(old, "evaluate-region-fan-out")["dag"]["tasks"][0]
    assert task["name"] == wrapper["dag"]["tasks"][0]["name"] == "mldsl-limit"
    task["arguments"]["parameters"][0]["value"] = "{{workflow.parameters.max_parallel}}"
    assert "writes limit '0'" in " ".join(rules.semaphores_have_their_limit(old))


def test_a_continued_fan_out_whose_items_may_all_be_skipped_still_says_whether_it_succeeded(tmp_path: Path) -> None:
    """``mldsl-succeeded`` of a ``continue_on_failure`` fan-out with a ``when`` on ``item`` has a default: Argo
    errors an output expression it cannot resolve that has none (``operator.go`` getTemplateOutputsFromScope)."""
    body = _compiled_p(
        tmp_path,
        "apiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n"
        "  params: {regions: {type: 'list[str]', default: [a, b]}, k: {type: int, default: 2}}\n"
        "  steps:\n"
        "    notify:\n"
        "      uses: notify-webhook@1\n"
        "      for_each: '${{ params.regions }}'\n"
        "      parallelism: '${{ params.k }}'\n"
        "      continue_on_failure: true\n"
        "      when: \"${{ item != 'b' }}\"\n"
        "      with: {url: 'https://h', message: '${{ item }}'}\n",
    )
    assert rules.check(body) == []
    outputs = _template(body, "notify-continue")["outputs"]["parameters"]
    assert next(p for p in outputs if p["name"] == "mldsl-succeeded")["valueFrom"]["default"] == "false"


def test_the_cron_rule_catches_a_field_out_of_range() -> None:
    """#26 item 12: ``61 25 * * *`` passed a field-count check; the controller refuses it (robfig/cron)."""
    from runtime_rules import cron_schedules_parse

    cron = {"kind": "CronWorkflow", "metadata": {"name": "c"}, "spec": {"schedules": ["61 25 * * *"], "timezone": "UTC"}}
    assert cron_schedules_parse(cron)
    good = {"kind": "CronWorkflow", "metadata": {"name": "c"}, "spec": {"schedules": ["30 3 * * *", "@every 1h"]}}
    assert cron_schedules_parse(good) == []
