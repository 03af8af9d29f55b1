"""``mldsl run FILE`` on plain Argo workflows: the runner held to the controller's verdicts (issue #25, items 1-8).

Each case is a small workflow whose outcome the Argo v4.1.2 source decides; the line it follows is cited.
Real processes: each pod in a filesystem of its own (``mldsl/runner/podroot.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

MLDSL = [sys.executable, "-m", "mldsl"]


def _isolation() -> str | None:
    from mldsl.runner.podroot import isolation_available

    return isolation_available()


pytestmark = pytest.mark.skipif(
    os.environ.get("CI") != "true" and _isolation() is not None, reason="no pod filesystems on this machine"
)


def run_wf(tmp_path: Path, text: str, *extra: str) -> tuple[int, dict[str, Any], str]:
    wf = tmp_path / "wf.yaml"
    wf.write_text(text, encoding="utf-8")
    env = {**os.environ, "MLDSL_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [*MLDSL, "run", str(wf), "--format", "json", *extra],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    record = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}
    return done.returncode, record, done.stderr


def step(record: dict[str, Any], name: str) -> dict[str, Any]:
    for key, s in record["steps"].items():
        if key == name or key.split(".", 1)[-1] == name:
            return dict(s)
    raise KeyError(name)


HEAD = """apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: t-}
spec:
  entrypoint: main
  templates:
"""

PRODUCER = """  - name: produce
    inputs: {parameters: [{name: x}]}
    container: {image: busybox, command: [sh, -c, "echo -n {{inputs.parameters.x}} > /tmp/out"]}
    outputs: {parameters: [{name: out, valueFrom: {path: /tmp/out}}]}
  - name: consume
    inputs: {parameters: [{name: v}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.v}}"]}
"""


def test_fan_out_all_skipped_would_hang(tmp_path: Path) -> None:
    """Item 1: a group whose items were all skipped is Succeeded (dag.go executeDAGTask l. 704-714) but has no
    per-output aggregate (operator.go processAggregateNodeOutputs l. 3760-3806): the consumer's reference is
    requeued for ever on a cluster (dag.go resolveDependencyReferences l. 838-846). Locally: Error at once."""
    text = (
        HEAD
        + """  - name: main
    dag:
      tasks:
      - name: fan
        template: produce
        withItems: [a, b]
        when: "{{item}} == z"
        arguments: {parameters: [{name: x, value: "{{item}}"}]}
      - name: use
        template: consume
        depends: fan
        arguments: {parameters: [{name: v, value: "{{tasks.fan.outputs.parameters.out}}"}]}
"""
        + PRODUCER
    )
    code, record, _ = run_wf(tmp_path, text)
    assert code == 1
    assert record["status"] == "Error"
    assert "wait for it for ever" in record["message"]
    assert step(record, "fan")["phase"] == "Succeeded"
    assert [i["phase"] for i in step(record, "fan")["items"]] == ["Skipped", "Skipped"]


def test_empty_for_each_is_skipped(tmp_path: Path) -> None:
    """Item 2: an empty withItems list makes the task Skipped, "Skipped, empty params" (dag.go l. 631-635);
    its dependents run (a bare dependency accepts Skipped, ancestry.go)."""
    text = (
        HEAD
        + """  - name: main
    dag:
      tasks:
      - {name: fan, template: produce, withParam: "[]", arguments: {parameters: [{name: x, value: "{{item}}"}]}}
      - {name: after, template: consume, depends: fan, arguments: {parameters: [{name: v, value: done}]}}
"""
        + PRODUCER
    )
    code, record, _ = run_wf(tmp_path, text)
    assert record["status"] == "Succeeded", record
    assert step(record, "fan")["phase"] == "Skipped"
    assert step(record, "fan")["message"] == "Skipped, empty params"
    assert step(record, "after")["phase"] == "Succeeded"
    assert code == 0


def test_failed_step_keeps_its_outputs(tmp_path: Path) -> None:
    """Item 3: a step that wrote its output and then failed keeps it (the wait container saves outputs after
    the main container, cmd/argoexec postmain; operator.go buildLocalScope l. 3632-3685 adds them whatever the
    phase): with continueOn, the next step group reads it (steps.go executeStepGroup l. 362-372)."""
    text = (
        HEAD
        + """  - name: main
    steps:
    - - {name: half, template: half, continueOn: {failed: true}}
    - - {name: use, template: consume, arguments: {parameters: [{name: v, value: "{{steps.half.outputs.parameters.out}}"}]}}
  - name: half
    container: {image: busybox, command: [sh, -c, "echo -n written > /tmp/out; exit 3"]}
    outputs: {parameters: [{name: out, valueFrom: {path: /tmp/out}}]}
  - name: consume
    inputs: {parameters: [{name: v}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.v}}"]}
"""
    )
    code, record, _ = run_wf(tmp_path, text)
    assert step(record, "half")["phase"] == "Failed"
    assert step(record, "half")["outputs"] == {"out": "written"}
    assert step(record, "use")["phase"] == "Succeeded"
    log = Path(record["folder"]) / step(record, "use")["log"]
    assert log.read_text().strip() == "written"
    assert record["status"] == "Succeeded" and code == 0


def test_continue_on_with_depends_is_an_invalid_spec(tmp_path: Path) -> None:
    """Item 4: continueOn in a DAG that uses depends is refused when the controller starts the workflow
    (validate.go l. 1476-1478): the workflow is Failed, "invalid spec: ..." (operator.go l. 4521-4533); nothing ran."""
    text = (
        HEAD
        + """  - name: main
    dag:
      tasks:
      - {name: a, template: consume, arguments: {parameters: [{name: v, value: x}]}}
      - {name: b, template: consume, depends: a, continueOn: {failed: true}, arguments: {parameters: [{name: v, value: y}]}}
  - name: consume
    inputs: {parameters: [{name: v}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.v}}"]}
"""
    )
    code, record, _ = run_wf(tmp_path, text)
    assert code == 1
    assert record["status"] == "Failed"
    assert record["message"].startswith("invalid spec:")
    assert "continueOn" in record["message"]
    assert record["steps"] == {}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # expr-lang builtin string() formats with fmt.Sprintf("%v") (expr builtin/builtin.go "string")
        ("string([1, 2])", "[1 2]"),
        ("string({'a': 1})", "map[a:1]"),
        ("join(['a', 'b'], ',')", "a,b"),
    ],
)
def test_expression_tags_follow_expr_lang(tmp_path: Path, expression: str, expected: str) -> None:
    """Item 5: ``{{=...}}`` is expr-lang: Go's formatting, not Python's."""
    text = (
        HEAD
        + f"""  - name: main
    container: {{image: busybox, command: [sh, -c, "echo -n \\"{{{{={expression}}}}}\\" > /tmp/out"]}}
    outputs: {{parameters: [{{name: out, valueFrom: {{path: /tmp/out}}}}]}}
"""
    )
    _, record, stderr = run_wf(tmp_path, text)
    assert record["status"] == "Succeeded", (record, stderr)
    assert record["outputs"]["out"] == expected


def test_join_over_numbers_errors(tmp_path: Path) -> None:
    """Item 5: ``join`` over numbers is a run-time error in expr-lang (builtin.go "join" takes []string): an
    output expression, which the controller evaluates strictly (scope.go resolveParameter), errors the node.
    (In a pod's text a failing expression is left as written: every pass there allows unresolved tags.)"""
    text = (
        HEAD
        + """  - name: main
    steps:
    - - {name: a, template: hello}
    outputs:
      parameters:
      - name: joined
        valueFrom: {expression: "join([1, 2], ',')"}
  - name: hello
    container: {image: busybox, command: [echo, hi]}
"""
    )
    code, record, _ = run_wf(tmp_path, text)
    assert record["status"] == "Error", record
    assert code == 1


def test_output_keeps_all_but_one_trailing_newline(tmp_path: Path) -> None:
    """Item 6: an output parameter is its file with one trailing newline trimmed (executor.go saveParameters),
    so "42\\r\\n" stays "42\\r", and asInt refuses it as Go's strconv.Atoi does (an output expression,
    evaluated strictly)."""
    text = (
        HEAD
        + """  - name: main
    steps:
    - - {name: make, template: make}
    outputs:
      parameters:
      - name: next
        valueFrom: {expression: "asInt(steps.make.outputs.parameters.out) + 1"}
  - name: make
    container: {image: busybox, command: [sh, -c, "printf '42\\\\r\\\\n' > /tmp/out"]}
    outputs: {parameters: [{name: out, valueFrom: {path: /tmp/out}}]}
"""
    )
    code, record, _ = run_wf(tmp_path, text)
    out = Path(record["folder"]) / "steps" / "001-make" / "pod" / "upper" / "tmp" / "out"
    assert out.read_bytes() == b"42\r\n"
    assert record["status"] == "Error", record
    assert code == 1


def test_task_named_like_an_expr_keyword_breaks_depends(tmp_path: Path) -> None:
    """Item 7: Argo evaluates ``depends`` with expr-lang (dag.go evaluateDependsLogic); a task named
    ``contains`` is an operator to its lexer (expr parser/lexer), so the dependent task errors."""
    text = (
        HEAD
        + """  - name: main
    dag:
      tasks:
      - {name: contains, template: consume, arguments: {parameters: [{name: v, value: x}]}}
      - {name: after, template: consume, depends: contains, arguments: {parameters: [{name: v, value: y}]}}
  - name: consume
    inputs: {parameters: [{name: v}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.v}}"]}
"""
    )
    code, record, _ = run_wf(tmp_path, text)
    assert step(record, "after")["phase"] == "Error"
    assert record["status"] == "Error"
    assert code == 1


def test_pod_name_is_known_in_the_pod_pass_not_in_a_fan_out(tmp_path: Path) -> None:
    """Item 8: ``pod.name`` is a local parameter of every pod template's first substitution pass
    (operator.go executeTemplate l. 2240-2256), but a fan-out task is substituted by processItem strictly,
    without it (operator.go processItem, ``tmpl.Replace(..., false)``): there it errors the task."""
    ok = (
        HEAD
        + """  - name: main
    container: {image: busybox, command: [sh, -c, "echo -n {{pod.name}} > /tmp/out"]}
    outputs: {parameters: [{name: out, valueFrom: {path: /tmp/out}}]}
"""
    )
    code, record, stderr = run_wf(tmp_path, ok)
    assert record["status"] == "Succeeded", (record, stderr)
    fan = (
        HEAD
        + """  - name: main
    dag:
      tasks:
      - {name: fan, template: consume, withItems: [a], arguments: {parameters: [{name: v, value: "{{item}} {{pod.name}}"}]}}
  - name: consume
    inputs: {parameters: [{name: v}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.v}}"]}
"""
    )
    code, record, _ = run_wf(tmp_path, fan)
    assert record["status"] in ("Error", "Failed")
    assert code == 1


def test_refused_before_it_starts(tmp_path: Path) -> None:
    """A workflow that needs what one machine cannot give is refused, exit 2, naming the field and why."""
    text = (
        HEAD
        + """  - name: main
    daemon: true
    container: {image: nginx:1.13}
"""
    )
    code, _, stderr = run_wf(tmp_path, text)
    assert code == 2
    assert "cannot run here: spec.templates[0].container.image: image nginx:1.13 has no stand-in" in stderr


def test_pods_have_networks_of_their_own(tmp_path: Path) -> None:
    """Each pod has its own network (a Kubernetes pod has its own IP): two pods listen on one port at once."""
    text = (
        HEAD
        + """  - name: main
    steps:
    - - {name: a, template: serve}
      - {name: b, template: serve}
  - name: serve
    container:
      image: alpine:3.23
      command: [sh, -c, "nc -l -p 9999 -e /bin/echo hi & sleep 0.5; nc 127.0.0.1 9999 </dev/null"]
"""
    )
    code, record, stderr = run_wf(tmp_path, text)
    assert record["status"] == "Succeeded", (record, stderr)
    for name in ("a", "b"):
        assert (Path(record["folder"]) / step(record, name)["log"]).read_text().strip() == "hi"
    assert code == 0


def test_daemon_serves_until_its_steps_end(tmp_path: Path) -> None:
    """A daemon is daemoned once its readiness probe passes; the next group runs beside it; when the steps end
    it is killed and Succeeded (operator.go l. 1534-1550; exec_control.go killDaemonedChildren)."""
    text = (
        HEAD
        + """  - name: main
    steps:
    - - {name: svc, template: svc}
    - - {name: after, template: after, arguments: {parameters: [{name: ip, value: "{{steps.svc.ip}}"}]}}
  - name: svc
    daemon: true
    container:
      image: alpine:3.23
      command: [sh, -c, "sleep 0.3; nc -lk -p 9999 -e /bin/true"]
      readinessProbe: {tcpSocket: {port: 9999}}
  - name: after
    inputs: {parameters: [{name: ip}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.ip}}"]}
"""
    )
    code, record, stderr = run_wf(tmp_path, text)
    assert record["status"] == "Succeeded", (record, stderr)
    assert step(record, "svc")["phase"] == "Succeeded"
    assert step(record, "after")["phase"] == "Succeeded"
    assert code == 0


def test_a_mutex_lets_one_step_in_at_a_time(tmp_path: Path) -> None:
    """Templates holding one mutex never overlap (sync/mutex.go: a semaphore of one, by name): each item writes
    "in" and "out" to a volume the run's pods share, and no two "in" follow each other."""
    text = """apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: t-}
spec:
  entrypoint: main
  volumeClaimTemplates:
  - metadata: {name: shared}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Mi}}}
  templates:
  - name: main
    steps:
    - - {name: a, template: locked, withItems: [1, 2, 3]}
  - name: locked
    synchronization: {mutexes: [{name: the-lock}]}
    container:
      image: busybox
      command: [sh, -c, "echo in >> /mnt/log; sleep 0.2; echo out >> /mnt/log"]
      volumeMounts: [{name: shared, mountPath: /mnt}]
"""
    code, record, stderr = run_wf(tmp_path, text, "--parallel", "3")
    assert record["status"] == "Succeeded", (record, stderr)
    log = (Path(record["folder"]) / "volumes" / "shared" / "log").read_text().split()
    assert log == ["in", "out"] * 3
    assert code == 0


def test_a_suspend_is_approved_with_approve(tmp_path: Path) -> None:
    """A plain workflow's suspend step waits for a person: ``--approve STEP`` resumes it (``argo resume``); without
    a terminal or the flag, the run stops as ``argo stop`` would (the suspended node fails)."""
    text = (
        HEAD
        + """  - name: main
    steps:
    - - {name: wait, template: wait}
    - - {name: after, template: after}
  - name: wait
    suspend: {}
  - name: after
    container: {image: busybox, command: [echo, resumed]}
"""
    )
    code, record, stderr = run_wf(tmp_path, text, "--approve", "wait")
    assert record["status"] == "Succeeded", (record, stderr)
    assert code == 0
    code, record, _ = run_wf(tmp_path, text)
    assert record["status"] == "Failed"
    assert code == 1


def test_template_defaults_merge_env_by_name(tmp_path: Path) -> None:
    """templateDefaults are strategically merged under the template (operator.go:4649-4692): ``env`` lists
    merge by name (workflow_types.go's patchMergeKey), so the default's A and the template's B both reach
    the pod, and the template's own B wins over the default's."""
    text = (
        HEAD.replace(
            "  templates:\n",
            "  templateDefaults:\n    container: {env: [{name: A, value: a}, {name: B, value: default}]}\n  templates:\n",
        )
        + """  - name: main
    steps:
    - - {name: make, template: make}
  - name: make
    container:
      image: busybox
      command: [sh, -c, "printf %s%s \\"$A\\" \\"$B\\" > /tmp/out"]
      env: [{name: B, value: b}]
"""
    )
    code, record, stderr = run_wf(tmp_path, text)
    assert code == 0, stderr
    out = Path(record["folder"]) / "steps" / "001-make" / "pod" / "upper" / "tmp" / "out"
    assert out.read_bytes() == b"ab"
