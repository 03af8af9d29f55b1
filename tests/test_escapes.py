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
