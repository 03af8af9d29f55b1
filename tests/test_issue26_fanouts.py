"""Issue #26, items 3, 4, 5, 6 and 11: compiled workflows that Argo v4.1.2 runs as the language says.

Each behaviour is checked twice: the compiled manifest against Argo's own validation and the runtime rules
(``tests/runtime_rules.py``), and by running it with ``mldsl run``, whose runner follows the controller.
Each rule is also shown to catch the form mldsl used to compile.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import runtime_rules as rules
import yaml

from mldsl.argo.validate import validate_workflow
from mldsl.backends import emit_all
from mldsl.compiler import compile_paths


def _python(inputs: str, outputs: str, code: str) -> str:
    body = textwrap.indent(textwrap.dedent(code).strip(), "        ")
    return f"spec:\n  inputs: {inputs}\n  outputs: {outputs}\n  run:\n    python:\n      source: |\n{body}\n"


MODULES = {
    # fails for x == 3, after writing its output
    "double": _python(
        "{x: {type: int}}", "{out: int}", "import sys\nwrite_output('out', inputs['x'] * 2)\nsys.exit(inputs['x'] == 3)"
    ),
    "count": _python("{xs: 'list[str]'}", "{n: int}", "write_output('n', len(inputs['xs']))"),
    "total": _python("{xs: 'list[int]'}", "{sum: int}", "write_output('sum', sum(inputs['xs']))"),
    "show": _python("{v: {type: str, default: ''}}", "{out: str}", "write_output('out', 'got:' + str(inputs['v']))"),
    # writes both outputs, then fails
    "half-done": _python(
        "{}",
        "{out: int, data: {type: artifact, format: csv}}",
        "open(output_path('data'), 'w').write('a\\n1\\n')\nwrite_output('out', 7)\nraise SystemExit('fails after its outputs')",
    ),
}


def project(tmp: Path, spec: str) -> Path:
    """A project folder with :data:`MODULES` and a pipeline ``p`` whose ``spec:`` is ``spec``."""
    root = tmp / "proj"
    (root / "modules").mkdir(parents=True)
    (root / "mldsl.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: t}\n"
        "spec:\n  module_paths: [modules]\n  artifacts: {bucket: s3://default}\n",
        encoding="utf-8",
    )
    for name, module in MODULES.items():
        (root / "modules" / f"{name}.yaml").write_text(
            f"apiVersion: mldsl/v1\nkind: Module\nmetadata: {{name: {name}, version: 1.0.0}}\n{module}", encoding="utf-8"
        )
    body = textwrap.indent(textwrap.dedent(spec).strip("\n"), "  ")
    (root / "pipeline.yaml").write_text(f"apiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {{name: p}}\nspec:\n{body}\n")
    return root


def compiled(root: Path) -> dict[str, Any]:
    result = compile_paths([root])
    assert result.ok, [d.render() for d in result.diagnostics]
    (body,) = [m.body for m in emit_all(result.program) if m.filename == "p.workflowtemplate.yaml"]
    return dict(body)


def run(root: Path, home: Path, *args: str) -> dict[str, Any]:
    """``mldsl run`` of the project: its run record."""
    return _run([str(root), *args], home, root)


def run_manifest(m: dict[str, Any], folder: Path) -> dict[str, Any]:
    """``mldsl run`` of the compiled manifest itself, as a plain Argo file: Argo's validation first, and each
    pod's outputs kept whatever its phase, as the executor keeps them (``postmain.go`` l. 41-66). The
    bucket ``s3://default`` is the one such a run gives the artifact repository."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "p.workflowtemplate.yaml"
    path.write_text(yaml.safe_dump(m, sort_keys=False), encoding="utf-8")
    return _run([str(path)], folder / "home", folder)


def _run(args: list[str], home: Path, cwd: Path) -> dict[str, Any]:
    env = {**os.environ, "MLDSL_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-m", "mldsl", "run", *args, "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )
    assert done.stdout.strip(), done.stderr
    return dict(json.loads(done.stdout))


def template(m: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in m["spec"]["templates"] if t["name"] == name)


def task(tpl: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in tpl["dag"]["tasks"] if t["name"] == name)


def argo_refuses(m: dict[str, Any]) -> list[str]:
    """What Argo's validation and the runtime rules find in ``m``."""
    return validate_workflow(m) + rules.check(m)


# --- item 3: continue_on_failure + for_each + parallelism from a param -------------------------------

THROTTLED_AND_CONTINUED = """
params:
  xs: {type: 'list[int]', default: [1, 2, 3]}
  k: {type: int, default: 2}
steps:
  d:
    uses: double@1
    for_each: "${{ params.xs }}"
    parallelism: "${{ params.k }}"
    continue_on_failure: true
    with: {x: "${{ item }}"}
  t: {uses: total@1, with: {xs: "${{ steps.d.outputs.out }}"}}
  after_d: {uses: show@1, after: [d]}
outputs:
  ds: "${{ steps.d.outputs.out }}"
"""


def test_a_continued_throttled_fan_out_has_no_dag_with_continue_on_and_depends(tmp_path: Path) -> None:
    """validate.go l. 1476-1478 refuses ``continueOn`` in a DAG that uses ``depends``: the semaphore's limit is
    written first (``depends``), so ``continueOn`` sits one DAG out, on the whole fan-out."""
    m = compiled(project(tmp_path, THROTTLED_AND_CONTINUED))
    assert argo_refuses(m) == []
    continued, body = template(m, "d-continue"), template(m, "d-fan-out")
    assert task(continued, "d") == {
        "name": "d",
        "template": "d-fan-out",
        "arguments": {"parameters": [{"name": "items", "value": "{{inputs.parameters.items}}"}]},
        "continueOn": {"failed": True, "error": True},
    }
    assert [t.get("depends") for t in body["dag"]["tasks"]] == [None, "mldsl-limit"]
    assert not any("continueOn" in t for t in body["dag"]["tasks"])


def test_the_rule_and_argo_refuse_continue_on_beside_depends(tmp_path: Path) -> None:
    """The form mldsl compiled before: the looped task with ``continueOn`` after the task writing the limit."""
    m = compiled(project(tmp_path, THROTTLED_AND_CONTINUED))
    old = copy.deepcopy(m)
    task(template(old, "d-fan-out"), "d")["continueOn"] = {"failed": True, "error": True}
    assert rules.continue_on_not_beside_depends(old) == ["d-fan-out: d has continueOn, and d uses depends"]
    assert any("cannot use 'continueOn' when using 'depends'" in p for p in validate_workflow(old))


def test_a_continued_throttled_fan_out_runs_and_its_failure_continues(tmp_path: Path) -> None:
    record = run(project(tmp_path, THROTTLED_AND_CONTINUED), tmp_path / "home")
    steps = record["steps"]
    assert record["status"] == "Succeeded", record
    assert steps["d"]["phase"] == "Failed" and "continued" in steps["d"]["message"]
    assert steps["t"]["phase"] == "Skipped"  # a data consumer of a step that failed
    assert steps["after_d"]["phase"] == "Succeeded"
    assert record["outputs"] == {"ds": None}  # not the items that succeeded: the step did not (item 5)
    ok = run(project(tmp_path / "ok", THROTTLED_AND_CONTINUED), tmp_path / "home2", "-p", "xs=[1, 2]")
    assert ok["status"] == "Succeeded" and ok["steps"]["d"]["phase"] == "Succeeded"
    assert ok["steps"]["t"]["outputs"] == {"sum": 6}
    assert len(ok["outputs"]["ds"]) == 2  # the two items' outputs (as Argo aggregates them: JSON strings)


# --- item 4: a fan-out that runs no item is a skipped step -------------------------------------------

NO_ITEM_RUNS = """
params:
  xs: {type: 'list[str]', default: [a, b]}
  none: {type: 'list[str]', default: []}
  k: {type: int, default: 2}
steps:
  # every item skipped by its condition
  plain: {uses: show@1, for_each: "${{ params.xs }}", when: "${{ item == 'z' }}", with: {v: "${{ item }}"}}
  throttled:
    uses: show@1
    for_each: "${{ params.xs }}"
    parallelism: "${{ params.k }}"
    when: "${{ item == 'z' }}"
    with: {v: "${{ item }}"}
  continued:
    uses: show@1
    for_each: "${{ params.xs }}"
    continue_on_failure: true
    when: "${{ item == 'z' }}"
    with: {v: "${{ item }}"}
  # an empty list
  empty: {uses: show@1, for_each: "${{ params.none }}", with: {v: "${{ item }}"}}
  empty_throttled: {uses: show@1, for_each: "${{ params.none }}", parallelism: 2, with: {v: "${{ item }}"}}
  empty_continued: {uses: show@1, for_each: "${{ params.none }}", continue_on_failure: true, with: {v: "${{ item }}"}}
  # some items run
  some: {uses: show@1, for_each: "${{ params.xs }}", when: "${{ item == 'b' }}", parallelism: 1, with: {v: "${{ item }}"}}
  c_plain: {uses: count@1, with: {xs: "${{ steps.plain.outputs.out }}"}}
  c_throttled: {uses: count@1, with: {xs: "${{ steps.throttled.outputs.out }}"}}
  c_continued: {uses: count@1, with: {xs: "${{ steps.continued.outputs.out }}"}}
  c_empty: {uses: count@1, with: {xs: "${{ steps.empty.outputs.out }}"}}
  c_empty_throttled: {uses: count@1, with: {xs: "${{ steps.empty_throttled.outputs.out }}"}}
  c_empty_continued: {uses: count@1, with: {xs: "${{ steps.empty_continued.outputs.out }}"}}
  c_some: {uses: count@1, with: {xs: "${{ steps.some.outputs.out }}"}}
  # only ordered after them: runs
  later: {uses: show@1, after: [plain, throttled, continued, empty, empty_throttled, empty_continued]}
outputs:
  plain: "${{ steps.plain.outputs.out }}"
  throttled: "${{ steps.throttled.outputs.out }}"
  continued: "${{ steps.continued.outputs.out }}"
  empty: "${{ steps.empty.outputs.out }}"
  empty_throttled: "${{ steps.empty_throttled.outputs.out }}"
  empty_continued: "${{ steps.empty_continued.outputs.out }}"
  some: "${{ steps.some.outputs.out }}"
"""

NONE_RAN = ("plain", "throttled", "continued", "empty", "empty_throttled", "empty_continued")


def test_a_fan_out_that_runs_no_item_is_skipped_its_outputs_empty(tmp_path: Path) -> None:
    """SPEC §1.9: a fan-out none of whose items ran is a skipped step: its data consumers are skipped (not
    requeued for ever on an aggregate Argo never sets, nor run with ``[]``), ``after:`` ones run, and the
    pipeline outputs read from it are empty; with some items run, the consumer gets their outputs."""
    root = project(tmp_path, NO_ITEM_RUNS)
    for record in (run(root, tmp_path / "home"), run_manifest(compiled(root), tmp_path / "plain")):
        steps = {k.replace("-", "_"): v for k, v in record["steps"].items()}
        assert record["status"] == "Succeeded", record.get("message")
        for name in NONE_RAN:
            assert steps[f"c_{name}"]["phase"] in ("Skipped", "Omitted"), (name, steps[f"c_{name}"])
            assert record["outputs"][name] is None, name
        assert steps["later"]["phase"] == "Succeeded"
        assert steps["c_some"]["outputs"] == {"n": 1}
        assert record["outputs"]["some"] == ["got:b"]


def test_every_wrapper_says_whether_its_fan_out_ran_and_consumers_read_it(tmp_path: Path) -> None:
    m = compiled(project(tmp_path, NO_ITEM_RUNS))
    assert argo_refuses(m) == []
    main = template(m, "main")
    # a fan-out with a condition per item runs in a DAG of its own, which says whether any item ran
    assert task(main, "plain")["template"] == "plain-fan-out"
    ran = next(p for p in template(m, "plain-fan-out")["outputs"]["parameters"] if p["name"] == "mldsl-succeeded")
    ran_code = "tasks['plain'].status == 'Succeeded' && type(tasks['plain'].outputs.parameters) == 'map'"
    assert ran["valueFrom"] == {"expression": f"{ran_code} ? 'true' : 'false'", "default": "false"}
    for name in ("plain", "throttled", "continued", "empty_throttled", "empty_continued", "some"):
        guard = "{{=tasks['%s'].outputs.parameters['mldsl-succeeded'] == 'true'}}" % name.replace("_", "-")
        assert task(main, f"c-{name}".replace("_", "-"))["when"] == guard, name
    # an empty list alone makes the task Skipped (dag.go l. 634-638): no wrapper, ``depends`` omits the consumer
    assert "withParam" in task(main, "empty") and "when" not in task(main, "c-empty")


def test_the_rule_catches_consumers_of_a_fan_out_that_ran_no_item(tmp_path: Path) -> None:
    """The forms mldsl compiled before: the consumer of a fan-out filtered by item in the same DAG (requeued for
    ever when no item ran), a wrapper whose outputs default to ``[]`` and whose consumer is not guarded."""
    m = compiled(project(tmp_path, NO_ITEM_RUNS))
    old = copy.deepcopy(m)
    main = template(old, "main")
    looped = task(template(old, "plain-fan-out"), "plain")
    task(main, "plain").update({k: v for k, v in looped.items() if k in ("template", "arguments", "when")})
    task(main, "plain")["withParam"] = "{{workflow.parameters.xs}}"
    del task(main, "c-plain")["when"]
    assert any("main/c-plain: when the when of plain skips every item" in p for p in rules.check(old))

    old = copy.deepcopy(m)
    for p in template(old, "empty-throttled-fan-out")["outputs"]["parameters"]:
        p["valueFrom"]["default"] = "[]" if p["name"] == "out" else p["valueFrom"]["default"]
    del task(template(old, "main"), "c-empty-throttled")["when"]
    problems = rules.outputs_survive_skipped_steps(old)
    assert "main/c-empty-throttled: runs when empty-throttled loops over an empty list" in " ".join(problems)
    assert "main.outputs.empty_throttled: is '[]' when empty-throttled loops over an empty list, not empty" in problems


# --- item 5: continue_on_failure on a step that wrote outputs and then failed ---------------------------

HALF_DONE = """
steps:
  f: {uses: half-done@1, continue_on_failure: true}
  r: {uses: show@1, with: {v: "${{ str(steps.f.outputs.out) }}"}}
outputs:
  out: "${{ steps.f.outputs.out }}"
  data: "${{ steps.f.outputs.data }}"
  uri: "${{ steps.f.outputs.data.uri }}"
"""


def test_a_continued_step_that_failed_after_writing_its_outputs_has_none(tmp_path: Path) -> None:
    """SPEC §1.9: the outputs of a step that did not succeed are empty, its URI too, though its pod kept them."""
    root = project(tmp_path, HALF_DONE)
    m = compiled(root)
    for record in (run(root, tmp_path / "home"), run_manifest(m, tmp_path / "plain")):
        assert record["status"] == "Succeeded", record
        assert record["steps"]["f"]["phase"] == "Failed" and record["steps"]["f"]["outputs"] == {"out": None}
        assert record["steps"]["r"]["phase"] == "Skipped"
        assert record["outputs"] == {"out": None, "uri": None}  # and no artifact ``data``
    assert argo_refuses(m) == []
    # the step runs in a DAG of its own, which resolves outputs only when it succeeded (dag.go l. 373-382)
    assert task(template(m, "f-continue"), "f")["template"] == "f-run"
    assert task(template(m, "f-run"), "f")["template"] == "half-done-1-0-0-f"


def test_the_rule_catches_the_outputs_of_a_continued_pod(tmp_path: Path) -> None:
    m = compiled(project(tmp_path, HALF_DONE))
    old = copy.deepcopy(m)
    task(template(old, "f-continue"), "f")["template"] = "half-done-1-0-0-f"  # as before: the pod itself
    assert rules.continued_outputs_are_empty(old) == [
        "f-continue.outputs.out: reads f, which may have failed",
        "f-continue.outputs.mldsl-uri-data: reads f, which may have failed",
        "f-continue.outputs.data: reads f, which may have failed",
    ]


# --- item 6: step names that are expr-lang words; YAML 1.2 booleans ---------------------------------------

WORDS = """
steps:
  in: {uses: show@1, with: {v: a}}
  not: {uses: show@1, with: {v: "${{ steps.in.outputs.out }}"}}
  matches: {uses: show@1, with: {v: "${{ steps.not.outputs.out }}"}}
  contains: {uses: show@1, after: [matches]}
  true: {uses: show@1, after: [contains]}
  yes: {uses: show@1, with: {v: "${{ steps.matches.outputs.out }}"}, after: ["true"]}
outputs:
  last: "${{ steps.yes.outputs.out }}"
"""


def test_steps_named_like_expr_lang_words_run_and_keep_their_names(tmp_path: Path) -> None:
    """Argo evaluates ``depends`` as expr-lang (dag.go l. 1021-1024): a task ``in`` or ``true`` would error every
    task that waits for it. Such a step's task is ``<name>-step``; the run record, ``graph`` and ``diff`` show
    the step's own name. ``yes:`` is the step ``yes`` (YAML 1.2), not ``True``."""
    root = project(tmp_path, WORDS)
    m = compiled(root)
    assert argo_refuses(m) == []
    tasks = [t["name"] for t in template(m, "main")["dag"]["tasks"]]
    assert tasks == ["in-step", "not-step", "matches-step", "contains-step", "true-step", "yes"]
    assert task(template(m, "main"), "not-step")["depends"] == "in-step.Succeeded"
    record = run(root, tmp_path / "home")
    assert record["status"] == "Succeeded", record.get("message")
    assert sorted(record["steps"]) == sorted(["in", "not", "matches", "contains", "true", "yes"])
    assert record["outputs"] == {"last": "got:got:got:got:a"}
    graph = _cli("graph", str(root))
    assert "<b>in</b>" in graph and "<b>true</b>" in graph and "in-step" not in graph
    changed = tmp_path / "changed"
    (changed / "proj").mkdir(parents=True)
    for f in root.rglob("*.yaml"):
        (changed / "proj" / f.relative_to(root)).parent.mkdir(parents=True, exist_ok=True)
        (changed / "proj" / f.relative_to(root)).write_text(f.read_text().replace("{v: a}", "{v: b}"))
    assert "~ step in (changed)" in _cli("diff", str(root), str(changed / "proj"))


def _cli(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "mldsl", *args], capture_output=True, text=True, timeout=120, check=False)
    return done.stdout + done.stderr


def test_the_words_are_expr_langs_and_the_rule_catches_a_task_named_like_one(tmp_path: Path) -> None:
    from mldsl.argo.exprlang import RESERVED_NAMES
    from mldsl.compiler import ir

    assert ir.EXPR_WORDS == RESERVED_NAMES
    assert [ir.step_key(s) for s in ("in", "If", "nil", "startsWith", "in_x", "yes")] == [
        "in-step",
        "if-step",
        "nil-step",
        "startswith",  # lowercase: a name, not the operator
        "in-x",
        "yes",
    ]
    old = compiled(project(tmp_path, WORDS))
    for t in template(old, "main")["dag"]["tasks"]:  # the names mldsl gave before
        t["name"] = t["name"].removesuffix("-step")
        if "depends" in t:
            t["depends"] = t["depends"].replace("-step", "")
    problems = rules.depends_evaluate(old)
    assert problems[0].startswith("main/not: depends 'in.Succeeded': unable to evaluate expression")
    assert 'unexpected token Operator("in")' in problems[0]


def test_a_step_renamed_from_a_word_cannot_take_another_steps_name(tmp_path: Path) -> None:
    root = project(tmp_path, "steps:\n  in: {uses: show@1}\n  in_step: {uses: show@1}\n")
    result = compile_paths([root])
    assert [d.code for d in result.diagnostics] == ["MLD409"]
    assert "'in' and 'in_step' are too alike" in result.diagnostics[0].render()


def test_yaml_reads_booleans_as_yaml_1_2_does() -> None:
    """The README promises YAML 1.2: only true/false are booleans; yes, no, on, off are text, as keys too."""
    from mldsl.lang.yamlsource import load_yaml_text

    docs, diags = load_yaml_text("a: [yes, no, on, off, Yes, true, TRUE, False, ~]\nb: {yes: 1, on: 2, true: 3, 0x1F: 4}\n", "f")
    assert not diags
    assert docs[0].data == {
        "a": ["yes", "no", "on", "off", "Yes", True, True, False, None],
        "b": {"yes": 1, "on": 2, "true": 3, "31": 4},  # keys as written; numbers as their value reads
    }


def test_a_bool_param_written_yes_is_text_not_a_bool(tmp_path: Path) -> None:
    root = project(tmp_path, "params:\n  go: {type: bool, default: yes}\nsteps:\n  s: {uses: show@1}\n")
    result = compile_paths([root])
    assert not result.ok
    assert any("default of 'go': expected bool, got 'yes' (str)" in d.render() for d in result.diagnostics)


# --- item 11: one template per module and cache policy ------------------------------------------------------


def _steps(n: int, extra: str) -> str:
    return "steps:\n" + "\n".join(f"  s{i}: {{uses: show@1, with: {{v: 'x{i}'}}{extra}}}" for i in range(n))


def test_cached_steps_of_one_module_share_one_template(tmp_path: Path) -> None:
    """100 cached steps of one module: one template (the memoize key reads the template's inputs, which Argo
    substitutes per step: operator.go executeTemplate l. 2240-2261, l. 2363-2374), not 100 copies."""
    cached = compiled(project(tmp_path / "c", _steps(100, ", cache: {ttl: 1h}")))
    plain = compiled(project(tmp_path / "u", _steps(100, "")))
    assert argo_refuses(cached) == []
    names = [t["name"] for t in cached["spec"]["templates"]]
    assert names == ["main", "show-1-0-0--cache-1h"]
    assert {t["template"] for t in template(cached, "main")["dag"]["tasks"]} == {"show-1-0-0--cache-1h"}
    memo = template(cached, "show-1-0-0--cache-1h")["memoize"]
    assert memo["key"].endswith("-{{=sprig.sha256sum(toJson([inputs.parameters['v']]))}}")
    assert memo["maxAge"] == "3600s"
    size = len(yaml.safe_dump(cached))
    assert size < 1.2 * len(yaml.safe_dump(plain)), size


def test_templates_differ_by_cache_policy_and_by_what_a_step_needs_of_its_own(tmp_path: Path) -> None:
    text = (
        "steps:\n  a: {uses: show@1, cache: {ttl: 1h}}\n  b: {uses: show@1, cache: {ttl: 1h}}\n"
        "  c: {uses: show@1, cache: {ttl: 2d}}\n  d: {uses: show@1, cache: {ttl: 1h}, retries: 2}\n  e: {uses: show@1}\n"
    )
    m = compiled(project(tmp_path, text))
    main = template(m, "main")
    assert [task(main, s)["template"] for s in "abcde"] == [
        "show-1-0-0--cache-1h",
        "show-1-0-0--cache-1h",
        "show-1-0-0--cache-2d",
        "show-1-0-0-d",  # a retry is the step's own
        "show-1-0-0",
    ]
    assert template(m, "show-1-0-0-d")["memoize"]["maxAge"] == "3600s"
    assert "memoize" not in template(m, "show-1-0-0")


def test_steps_sharing_a_cached_template_are_served_by_their_inputs(tmp_path: Path) -> None:
    """One template for three steps: a step whose inputs were cached by another step is served that result,
    one with other inputs runs."""
    root = project(
        tmp_path, _steps(2, ", cache: {ttl: 1h}") + "\n  s2: {uses: show@1, with: {v: x0}, cache: {ttl: 1h}, after: [s0]}\n"
    )
    record = run(root, tmp_path / "home")
    steps = record["steps"]
    assert record["status"] == "Succeeded"
    assert [steps[s]["cached"] for s in ("s0", "s1", "s2")] == [False, False, True]
    assert [steps[s]["outputs"]["out"] for s in ("s0", "s1", "s2")] == ["got:x0", "got:x1", "got:x0"]
    again = run(root, tmp_path / "home")
    assert all(s["cached"] for s in again["steps"].values())
