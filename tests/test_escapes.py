"""Text holding ``{{`` arrives as text after every scan Argo makes (SPEC §1.9; issue #26 items 1 and 2): run with
``mldsl run``, whose runner substitutes in exactly Argo v4.1.2's scans (tests/test_argo_run.py holds it to them)."""

from __future__ import annotations

from pathlib import Path

from test_run import MODULES, _python, project, run_json

SAY = {**MODULES, "say": _python("{text: {type: str}}", "{text: str}", "write_output('text', inputs['text'])")}


def test_a_fan_out_tasks_own_text_keeps_its_braces(tmp_path: Path) -> None:
    """Item 1: a fan-out task's text is substituted strictly by processItem (operator.go l. 4147), which refuses
    the pod-pass escape's ``$env``: there the escape reads ``item`` first. A literal, an item and a param default
    holding tags all arrive as written."""
    root = project(
        tmp_path,
        SAY,
        """  params:
    given: {type: str, default: "{{workflow.name}}"}
  steps:
    each: {uses: say@1, for_each: ["{{=1+1}}", b], with: {text: "{{x}} ${{ item }} ${{ params.given }}"}}
""",
    )
    code, record, err = run_json(root, tmp_path / "home")
    assert code == 0, err
    said = [i["outputs"]["text"] for i in record["steps"]["each"]["items"]]
    assert said == ["{{x}} {{=1+1}} {{workflow.name}}", "{{x}} b {{workflow.name}}"]


def test_a_submitted_value_in_a_fan_out_keeps_its_braces(tmp_path: Path) -> None:
    """A value given with -p reaches a fan-out task's text escaped for the pod's scan; it is converted there."""
    root = project(
        tmp_path,
        SAY,
        """  params:
    given: {type: str, default: plain}
  steps:
    each: {uses: say@1, for_each: [a], with: {text: "${{ params.given }}"}}
""",
    )
    code, record, err = run_json(root, tmp_path / "home", "-p", "given={{workflow.uid}} {{=2*3}}")
    assert code == 0, err
    assert record["steps"]["each"]["items"][0]["outputs"]["text"] == "{{workflow.uid}} {{=2*3}}"


def test_a_module_whose_code_holds_braces_runs(tmp_path: Path) -> None:
    """Item 2: Python code with ``{{`` (an f-string's literal braces) runs as written."""
    modules = {
        **MODULES,
        "fmt": _python("{}", "{text: str}", "x = 1\nwrite_output('text', f'{{{{x}}}} is {x}')"),
    }
    root = project(tmp_path, modules, "  steps:\n    f: {uses: fmt@1}\n")
    code, record, err = run_json(root, tmp_path / "home")
    assert code == 0, err
    assert record["steps"]["f"]["outputs"]["text"] == "{{x}} is 1"


def test_a_value_reaches_a_spark_manifest_as_written(tmp_path: Path) -> None:
    """Item 10: a param default holding ``{{workflow.serviceAccountName}}`` and ``{{=sprig.env('HOME')}}`` reaches the
    SparkApplication's arguments as written, after every scan Argo makes of the DAG task and the resource
    template: the DAG's two passes, the task's own, the template's two (``pod.name`` known in the first) and the
    pod's (workflowpod.go substitutePodParams: the manifest travels in the pod's template)."""
    import json

    import yaml

    from mldsl.argo.template import substitute
    from mldsl.backends import emit_all
    from mldsl.compiler import compile_paths

    (tmp_path / "mldsl.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: t}\nspec: {module_paths: [.], artifacts: {bucket: s3://bucket}}\n",
        encoding="utf-8",
    )
    (tmp_path / "agg.yaml").write_text(
        """apiVersion: mldsl/v1
kind: Module
metadata: {name: agg, version: 1.0.0}
spec:
  inputs: {day: str}
  outputs: {table: artifact}
  run:
    spark:
      image: acme/spark:3.5
      main: local:///jobs/agg.py
      args: [--day, "${{ inputs.day }}", --out, "${{ outputs.table.path }}"]
""",
        encoding="utf-8",
    )
    text = "{{workflow.serviceAccountName}} {{=sprig.env('HOME')}}"
    (tmp_path / "p.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n"
        f"  params: {{day: {{type: str, default: {json.dumps(text)}}}}}\n"
        '  steps:\n    agg: {uses: agg, with: {day: "${{ params.day }}"}}\n',
        encoding="utf-8",
    )
    result = compile_paths([tmp_path])
    assert result.ok, [d.message for d in result.diagnostics]
    body = next(m.body for m in emit_all(result.program) if m.kind == "WorkflowTemplate")
    glob = {"workflow.name": "p-1", "workflow.serviceAccountName": "runner", "workflow.status": "Running"}
    glob |= {f"workflow.parameters.{p['name']}": p["value"] for p in body["spec"]["arguments"]["parameters"]}
    task = body["spec"]["templates"][0]["dag"]["tasks"][0]
    for scan in ({**glob, "node.name": "p-1"}, {**glob, "node.name": "p-1"}, glob):  # the DAG's passes, the task's
        task = substitute(task, scan, strict=False)
    tpl = next(t for t in body["spec"]["templates"] if t["name"] == task["template"])
    inputs = {p["name"]: p["value"] for p in task["arguments"]["parameters"]}
    tpl = {
        **tpl,
        "inputs": {"parameters": [{**p, "value": inputs.get(p["name"], p.get("value"))} for p in tpl["inputs"]["parameters"]]},
    }
    local = {"pod.name": "p-1-agg-1", "node.name": "p-1.agg", "tasks.name": "agg"}
    tpl = substitute(tpl, {**glob, **local}, strict=False)
    values = {f"inputs.parameters.{p['name']}": p["value"] for p in tpl["inputs"]["parameters"]}
    tpl = substitute(tpl, {**glob, **local, **values}, strict=False)
    values = {f"inputs.parameters.{p['name']}": p["value"] for p in tpl["inputs"]["parameters"]}
    pod = substitute(tpl, {**glob, **values, "pod.name": "p-1-agg-1"}, strict=False)
    manifest = yaml.safe_load(pod["resource"]["manifest"])
    args = manifest["spec"]["arguments"]
    assert args[args.index("--day") + 1] == text
