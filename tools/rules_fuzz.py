"""Run the runtime rules over many generated pipelines (the test suite runs a bounded subset).

    python tools/rules_fuzz.py --count 2000
    python tools/rules_fuzz.py --count 0 --run 300          # also run 300 generated projects with `mldsl run`

Prints how many projects were compiled and checked, and every problem found (exit 1 if any).

With ``--run N``, N more projects are drawn in their runnable form (``projects(runnable=True)`` in
``tests/pipeline_gen.py``: the same pipelines, each module a tiny real implementation) and each is run with
``mldsl run PROJECT --format json`` (its own ``MLDSL_HOME``, some params given with ``-p``, a timeout per
run). What the run must show is predicted from the pipeline and the params, as SPEC §1.9 and Argo say a DAG
runs, and from the runtime rules (``tests/runtime_rules.py``):

* the run ends: a JSON record, no traceback, no hang past ``--timeout``; exit 0 when Succeeded, else 1;
* every module can succeed, so the run Succeeds and no step Fails or Errors;
* a step runs (Succeeded) unless its ``when`` is false (Skipped) or a step whose outputs it reads did not
  run (Omitted or Skipped); a task the rules say cannot be skipped (``_skippable_tasks``) ran;
* fan-out items run in item order, one per item, an item whose ``when`` is false Skipped;
* a step that did not run has no outputs, and a pipeline output that reads it is absent (null);
* the values arrive as written: ``y``, ``items``, ``v`` hold what the implementations write from their
  inputs (text with quotes, newlines, ``{{``, unicode), ``echo`` is ``p_str``, artifacts exist;
* the runnable project's manifests keep every runtime rule.

Each disagreement is printed with the project's seed and number, a command that reproduces it, and the
folder kept with its project; the last line is ``N runs, K disagreements`` (exit 1 if K > 0).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

DEFAULT_TIMEOUT = 180.0  # s: above the longest retry backoff a generated step has (10 s + 30 s + 90 s)


# --- drawing projects ---------------------------------------------------------------------------------


def draw_projects(seed: int, count: int, *, runnable: bool = False, braces: bool | None = None) -> list[dict[str, str]]:
    """The ``count`` projects hypothesis draws with ``seed`` (the same list for the same arguments)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as with_seed
    from pipeline_gen import projects

    drawn: list[dict[str, str]] = []
    if count <= 0:
        return drawn

    @with_seed(seed)
    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(files=projects(runnable=runnable, braces=braces))
    def collect(files: dict[str, str]) -> None:
        drawn.append(files)

    collect()
    return drawn[:count]


def write_project(files: dict[str, str], folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def compile_folder(folder: Path) -> list[dict[str, Any]]:
    """The manifests ``mldsl compile`` makes of the project in ``folder`` (AssertionError if it does not compile)."""
    from mldsl.backends import emit_all
    from mldsl.ops.project import compile_project

    result = compile_project([folder])
    assert result.ok, "\n".join(d.render() for d in result.diagnostics)
    return [m.body for m in emit_all(result.program)]


# --- what a run of a generated project must show ------------------------------------------------------

#: -p values a run may be given (None: the default); each run draws one per param from its seed
OVERRIDES: dict[str, list[str | None]] = {
    "p_bool": [None, None, "false"],
    "p_str": [None, None, "x y", "{{workflow.name}}", "ü ß 中 'q' \"d\"", "null", "42"],
    "p_float": [None, None, "0.5", "5"],
    "p_int": [None, None, "0", "1", "-1"],
    "p_list": [None, None, "[]", '["skip"]', '["a", "skip", "{{x}}"]', '["only"]'],
    "p_data": [None, None, "LOCAL"],  # LOCAL: the project's own data/in/table.parquet, as a path
}


def draw_overrides(seed: int, number: int) -> dict[str, str]:
    rng = random.Random(f"{seed}/{number}")
    return {name: value for name, choices in OVERRIDES.items() if (value := rng.choice(choices)) is not None}


class ModelError(Exception):
    """The generator wrote something this model does not know: extend the model with the generator."""


_TAG = re.compile(r"\$\{\{ (.*?) \}\}")
_STEP_REF = re.compile(r"\bsteps\.(s\d+)\.outputs\.(\w+)")


@dataclass
class Step:
    name: str
    uses: str
    spec: dict[str, Any]
    state: str = "run"  # run | skip (its when is false) | notrun (a step it reads did not run)
    items: list[Any] | None = None  # a fan-out's items
    item_runs: list[bool] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)  # non-fan steps that run: their input values
    item_inputs: list[dict[str, Any]] = field(default_factory=list)


class Model:
    """What a run of a generated pipeline must do, given its params (each module can succeed)."""

    def __init__(self, pipeline: dict[str, Any], overrides: dict[str, str], local_data: str):
        spec = pipeline["spec"]
        self.params: dict[str, Any] = {k: v.get("default") for k, v in spec["params"].items()}
        for k, raw in overrides.items():
            kind = spec["params"][k]["type"]
            if kind == "artifact":
                self.params[k] = local_data if raw == "LOCAL" else raw
            elif kind == "str":
                self.params[k] = raw
            elif kind in ("int", "float"):
                self.params[k] = {"int": int, "float": float}[kind](raw)
            else:
                self.params[k] = json.loads(raw)
        self.steps: dict[str, Step] = {}
        self.outputs: dict[str, str] = dict(spec.get("outputs") or {})
        for name, d in spec["steps"].items():
            step = Step(name, d.get("uses", "approve" if "approve" in d else "?"), d)
            self.steps[name] = step
            self._predict(step)

    # values, as the generator writes them

    def value(self, v: Any, item: Any = None) -> Any:
        if not isinstance(v, str) or "${{" not in v:
            return v
        whole = re.fullmatch(r"\$\{\{ (.*?) \}\}", v)
        if whole is None:
            if re.fullmatch(r"run \$\{\{ workflow\.name \}\} on \$\{\{ params\.p_str \}\}", v):
                return ("run-on", self.params["p_str"])
            raise ModelError(f"value {v!r}")
        code = whole[1]
        if m := re.fullmatch(r"params\.(p_\w+)", code):
            return self.params[m[1]]
        if code == "params.p_int * 2 + 1":
            return self.params["p_int"] * 2 + 1
        if code == "params.p_int - 2":
            return self.params["p_int"] - 2
        if code == "item":
            return item
        if m := re.fullmatch(r"steps\.(s\d+)\.outputs\.(\w+)", code):
            producer = self.steps[m[1]]
            if m[2] == "y":
                return float(producer.inputs["f"])
            return ("artifact", m[1], m[2])
        raise ModelError(f"value {v!r}")

    def condition(self, when: str, item: Any = None) -> bool:
        code = (re.fullmatch(r"\$\{\{ (.*) \}\}", when) or [None, ""])[1]
        p = self.params
        if code == "params.p_bool":
            return bool(p["p_bool"])
        if code == "params.p_str == 'x y'":
            return p["p_str"] == "x y"
        if code == "params.p_float >= 1e-05":
            return float(p["p_float"]) >= 1e-05
        if code == "item != 'skip'":
            return item != "skip"
        if m := re.fullmatch(r"steps\.(s\d+)\.outputs\.y > params\.p_float and not params\.p_bool", code):
            return float(self.steps[m[1]].inputs["f"]) > float(p["p_float"]) and not p["p_bool"]
        raise ModelError(f"when {when!r}")

    def _predict(self, step: Step) -> None:
        d = step.spec
        reads = {
            m[0] for text in [*map(str, d.get("with", {}).values()), str(d.get("when", ""))] for m in _STEP_REF.findall(text)
        }
        if any(self.steps[r].state != "run" for r in reads):
            step.state = "notrun"  # depends not met: Omitted (dag.go l. 590-594)
            return
        item_when = "item" in _TAG.sub(lambda m: m[1], str(d.get("when", "")))
        if "when" in d and not item_when and not self.condition(d["when"]):
            step.state = "skip"  # a fan-out's too: a when that does not read item is the step's (SPEC §1.9)
        elif "for_each" in d:
            # a when that reads item is each item's; over no items the fan-out is Skipped (Argo's "empty
            # params", dag.go l. 634-638)
            items = d["for_each"]
            step.items = list(self.value(items) if isinstance(items, str) else items)
            step.item_runs = [not item_when or self.condition(d["when"], item) for item in step.items]
            step.item_inputs = [self._inputs(step, item) for item in step.items]
        else:
            step.inputs = self._inputs(step, None)

    def _inputs(self, step: Step, item: Any) -> dict[str, Any]:
        defaults = {"py": {"x": "", "n": 1, "f": 0.5}, "ct": {"x": "z"}}.get(step.uses, {})
        given = {k: self.value(v, item) for k, v in step.spec.get("with", {}).items()}
        return {**defaults, **given}


def _expected_x(x: Any, workflow_name: str) -> Any:
    if isinstance(x, tuple) and x[0] == "run-on":
        return f"run {workflow_name} on {x[1]}"
    return x


def _file_exists(uri: Any) -> bool:
    return isinstance(uri, str) and (not uri.startswith("file://") or Path(uri.removeprefix("file://")).exists())


def judge(model: Model, result: RunResult, manifests: list[dict[str, Any]]) -> list[str]:
    """Every way ``result`` differs from what ``model`` and the runtime rules predict."""
    import runtime_rules as rules

    out: list[str] = []
    for body in manifests:
        out += [f"rule broken by the runnable project: {p}" for p in rules.check(body)]
    if result.timed_out:
        tail = " | ".join(result.stderr.strip().splitlines()[-4:])
        return [*out, f"hang: no end within {result.timeout:.0f}s (last lines: {tail})"]
    if "Traceback (most recent call last)" in result.stderr:
        return [*out, "internal error: " + " | ".join(result.stderr.strip().splitlines()[-3:])]
    record = result.record
    if not record:
        return [*out, f"no run record (exit {result.returncode}): " + " | ".join(result.stderr.strip().splitlines()[-3:])]
    status = record.get("status")
    if status not in ("Succeeded", "Failed", "Error"):
        out.append(f"run ended in phase {status!r}")
    if result.returncode != (0 if status == "Succeeded" else 1):
        out.append(f"exit code {result.returncode} with status {status}")
    steps = record.get("steps") or {}
    if status != "Succeeded":
        # what went wrong first: the steps that failed or errored (the rest follows from them)
        out.append(f"every step can succeed, yet the run is {status}: {str(record.get('message', ''))[:300]}")
        for name, rec in steps.items():
            for label, node in _nodes(name, rec):
                if node.get("phase") in ("Failed", "Error") and not str(node.get("message", "")).startswith("child "):
                    out.append(f"{label}: {node['phase']} ({str(node.get('message', ''))[:200]})")
        return out
    for k, v in model.params.items():
        got = (record.get("params") or {}).get(k, "<missing>")
        if k != "p_data" and (got != v or type(got) is not type(v)):
            out.append(f"param {k} in the record: {got!r}, the run was given {v!r}")
    wf = record.get("run", "")
    main = next(
        (t for m in manifests if m.get("kind") == "WorkflowTemplate" for t in m["spec"]["templates"] if t["name"] == "main"),
        None,
    )
    always = set()
    if main is not None and "dag" in main:
        always = {t["name"] for t in main["dag"]["tasks"]} - rules._skippable_tasks(main)
    for name, step in model.steps.items():
        rec = steps.get(name)
        if rec is None:
            out.append(f"{name}: not in the run record")
            continue
        phase = rec.get("phase")
        why = f" ({str(rec.get('message', ''))[:200]})" if rec.get("message") else ""
        if name in always and step.state != "run":
            out.append(f"{name}: the rules say it always runs, the pipeline says it does not ({step.state})")
        if name in always and phase != "Succeeded":
            out.append(f"{name}: the rules say it always runs; it is {phase}{why}")
        if phase in ("Failed", "Error"):
            inner = [f"{label}: {n['phase']} ({str(n.get('message', ''))[:200]})" for label, n in _nodes(name, rec)[1:]]
            inner = [i for i in inner if ": Failed (" in i or ": Error (" in i if "(child " not in i]
            out.append(f"{name}: {phase}{why}" + (f"; {inner[0]}" if inner else ""))
            continue
        if step.state == "skip" and phase != "Skipped":
            out.append(f"{name}: its when is false, so Skipped; it is {phase}{why}")
        elif step.state == "notrun" and phase not in ("Omitted", "Skipped"):
            out.append(f"{name}: a step it reads did not run, so Omitted (or Skipped); it is {phase}{why}")
        elif step.state == "run":
            out += _judge_ran(name, step, rec, phase, why, wf)
        if step.state != "run" and any(v is not None for v in (rec.get("outputs") or {}).values()):
            out.append(f"{name}: did not run, yet has outputs {rec['outputs']}")
    for key, expr in model.outputs.items():
        got = (record.get("outputs") or {}).get(key, "<missing>")
        if got == "<missing>" and status != "Succeeded":
            continue  # a run that failed need not have its outputs
        if got == "<missing>" and not re.search(r"steps\.(s\d+)", expr):
            out.append(f"pipeline output {key}: not in the record")
            continue
        if expr == "${{ params.p_str }}":
            if got != model.params["p_str"]:
                out.append(f"pipeline output {key}: {got!r}, p_str is {model.params['p_str']!r}")
            continue
        m = re.fullmatch(r"\$\{\{ steps\.(s\d+)\.outputs\.(\w+)(\.uri)? \}\}", expr)
        if m is None:
            raise ModelError(f"output {expr!r}")
        step = model.steps[m[1]]
        if step.state != "run":
            if got not in (None, "<missing>"):  # absent: null, or (an artifact) not in the record
                out.append(f"pipeline output {key}: {m[1]} did not run ({step.state}), yet the output is {got!r}")
            continue
        want = _want_outputs(step, step.inputs, wf).get(m[2], "<any>")
        if got in (None, "<missing>"):
            out.append(f"pipeline output {key}: absent, though {m[1]} ran")
        elif m[3] is None and want not in ("<any>", "<file>") and got != want:
            out.append(f"pipeline output {key}: {got!r}, expected {want!r}")
        elif m[3] is None and want == "<file>" and not _file_exists(got):
            out.append(f"pipeline output {key}: {got!r} is not there")
    return out


def _nodes(label: str, rec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A step's record and those inside it (a wrapper's steps, a fan-out's items), each with a label."""
    out = [(label, rec)]
    for k, inner in (rec.get("steps") or {}).items():
        out += _nodes(f"{label}/{k}", inner)
    for i, item in enumerate(rec.get("items") or []):
        out += _nodes(f"{label}[{i}]", item)
    return out


def _want_outputs(step: Step, inputs: dict[str, Any], wf: str) -> dict[str, Any]:
    if step.uses == "py":
        x = _expected_x(inputs["x"], wf)
        # an input with a default is optional: its empty text reads as None (mldsl/lang/runtime.py _mldsl_read)
        x = None if x == "" else x
        f = float(inputs["f"])
        return {"y": f, "items": [x, str(int(inputs["n"])), str(f)], "out": "<file>"}
    if step.uses == "ct":
        return {"v": len(_expected_x(inputs["x"], wf)), "tbl": "<file>"}
    # an operator job's output is a location its step passes on, not an output of the step's own record
    return {"sp": {"table": "<file>"}, "tr": {"model": "<file>"}}.get(step.uses, {})


def _step_outputs(step: Step, inputs: dict[str, Any], wf: str) -> dict[str, Any]:
    return _want_outputs(step, inputs, wf) if step.uses in ("py", "ct") else {}


def _judge_outputs(label: str, want: dict[str, Any], got: dict[str, Any]) -> list[str]:
    out = []
    for k, w in want.items():
        g = got.get(k)
        if w == "<file>":
            if g is None or not _file_exists(g):
                out.append(f"{label}: artifact output {k} is {g!r}")
        elif g != w:
            out.append(f"{label}: output {k} is {g!r}, expected {w!r}")
    return out


def _judge_ran(name: str, step: Step, rec: dict[str, Any], phase: str, why: str, wf: str) -> list[str]:
    if step.items is None:
        if phase != "Succeeded":
            return [f"{name}: runs, so Succeeded; it is {phase}{why}"]
        return _judge_outputs(name, _step_outputs(step, step.inputs, wf), rec.get("outputs") or {})
    out = []
    # mldsl runs a fan-out with a parallelism or continue_on_failure inside a DAG of its own (a wrapper):
    # over no items its fan-out task is Skipped and the wrapper Succeeded, and the record may show either;
    # a group whose items are all Skipped is Succeeded on Argo (dag.go l. 704-712), and may be called Skipped
    wrapped = "parallelism" in step.spec or step.spec.get("continue_on_failure")
    if not step.items:
        want: tuple[str, ...] = ("Succeeded", "Skipped") if wrapped else ("Skipped",)
    else:
        want = ("Succeeded",) if any(step.item_runs) else ("Succeeded", "Skipped")
    if phase not in want:
        out.append(f"{name}: a fan-out over {len(step.items)} items is {' or '.join(want)}; it is {phase}{why}")
    items = rec.get("items")
    if items is None:
        items = next((s.get("items") for s in (rec.get("steps") or {}).values() if s.get("items") is not None), None)
    if items is None:
        if step.items:
            out.append(f"{name}: a fan-out over {len(step.items)} items has no items in the record")
        return out
    if len(items) != len(step.items):
        return [*out, f"{name}: {len(items)} items in the record, {len(step.items)} to run ({step.items!r})"]
    for i, (item, runs, inputs, got) in enumerate(zip(step.items, step.item_runs, step.item_inputs, items, strict=True)):
        label = f"{name}[{i}]"
        if got.get("item") not in (item, None) and json.dumps(got.get("item")) != json.dumps(item):
            out.append(f"{label}: item {got.get('item')!r}, expected {item!r}")
        want_phase = "Succeeded" if runs else "Skipped"
        if got.get("phase") != want_phase:
            out.append(f"{label} ({item!r}): {got.get('phase')}, expected {want_phase} ({str(got.get('message', ''))[:200]})")
        elif runs:
            out += _judge_outputs(label, _step_outputs(step, inputs, wf), got.get("outputs") or {})
    return out


# --- running one project ------------------------------------------------------------------------------


@dataclass
class RunResult:
    returncode: int | None
    record: dict[str, Any]
    stderr: str
    seconds: float
    timed_out: bool
    timeout: float


def mldsl_run(folder: Path, home: Path, args: list[str], timeout: float) -> RunResult:
    """``mldsl run FOLDER --format json ARGS`` in its own process group, killed whole after ``timeout``."""
    env = {**os.environ, "MLDSL_HOME": str(home)}
    argv = [sys.executable, "-m", "mldsl", "run", str(folder), "--format", "json", *args]
    start = time.monotonic()
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True, start_new_session=True, cwd=folder
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        timed_out = True
    try:
        record = json.loads(stdout) if stdout.strip() else {}
    except json.JSONDecodeError:
        record = {}
        stderr += "\n(stdout is not JSON: " + stdout[:200] + ")"
    return RunResult(proc.returncode, record, stderr, time.monotonic() - start, timed_out, timeout)


def run_args(overrides: dict[str, str], folder: Path, approvals: Sequence[str] = ()) -> list[str]:
    """``mldsl run`` flags: two steps at once, every ``approve:`` step approved up front, the ``-p`` values."""
    args = ["--parallel", "2"]
    for name in approvals:
        args += ["--approve", name]
    for k, v in overrides.items():
        args += ["-p", f"{k}={folder / 'data/in/table.parquet' if v == 'LOCAL' else v}"]
    return args


@dataclass
class Outcome:
    number: int
    seconds: float
    disagreements: list[str]
    folder: Path | None = None
    command: str = ""
    pipeline: str = ""
    model: Model | None = None
    run_folder: str = ""


def check_run(
    files: dict[str, str],
    number: int,
    seed: int,
    work: Path,
    timeout: float = DEFAULT_TIMEOUT,
    keep: bool = True,
    overrides: dict[str, str] | None = None,
) -> Outcome:
    """Run project ``number`` (drawn with ``seed``) and judge its run; its folder is kept when they disagree.
    ``overrides``: the ``-p`` values (drawn from the seed and number when ``None``)."""
    folder = write_project(files, work / f"project-{number}")
    home = work / f"home-{number}"
    shutil.rmtree(home, ignore_errors=True)
    if overrides is None:
        overrides = draw_overrides(seed, number)
    steps = (yaml.safe_load(files["pipeline.yaml"])["spec"].get("steps") or {}).items()
    args = run_args(overrides, folder, [name for name, d in steps if "approve" in d])
    command = f"MLDSL_HOME=$(mktemp -d) {shlex.join(['python', '-m', 'mldsl', 'run', str(folder), '--format', 'json', *args])}"
    try:
        manifests = compile_folder(folder)
    except AssertionError as exc:
        return Outcome(number, 0.0, [f"does not compile: {exc}"], folder, command, files["pipeline.yaml"])
    pipeline = yaml.safe_load(files["pipeline.yaml"])
    model = Model(pipeline, overrides, str(folder / "data/in/table.parquet"))
    result = mldsl_run(folder, home, args, timeout)
    found = judge(model, result, manifests)
    outcome = Outcome(number, result.seconds, found, folder, command, files["pipeline.yaml"], model)
    outcome.run_folder = str(result.record.get("folder", ""))
    if not found or not keep:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)
        outcome.folder = None
    return outcome


def check_pipeline(
    pipeline: str, work: Path, overrides: dict[str, str] | None = None, *, braces: bool = False, timeout: float = 60
) -> Outcome:
    """Run one hand-written pipeline (over the runnable modules of ``tests/pipeline_gen.py``) and judge it."""
    from pipeline_gen import runnable_files

    files = {**runnable_files("pytorch", braces), "pipeline.yaml": pipeline}
    return check_run(files, 0, 0, work, timeout, overrides=overrides or {})


KNOWN_HEAD = """\
apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: p}
spec:
  params:
    p_str: {type: str, default: "a"}
    p_bool: {type: bool, default: true}
    p_list: {type: 'list[str]', default: ["a"]}
    p_int: {type: int, default: 2}
  steps:
"""

#: the defects runs of generated projects found, each as a small pipeline over the runnable modules: (its steps
#: and outputs, the -p values, whether the python module's code holds '{{'); ``--known`` runs them
KNOWN: dict[str, tuple[str, dict[str, str], bool]] = {
    # runner: Argo's passes leave a tag they cannot resolve as written (common/util.go l. 280, 319, workflowpod.go
    # l. 1015: allowUnresolved; simple_template.go l. 48-53); the runner's pod pass refused it (Error). Gone at 06d0f05
    "a-literal-tag-in-a-container-env": ("    s0: {uses: ct}\n", {}, False),
    # compiler (#26 item 2): the bootstrap comment of base64-encoded python code holds '{{'. Argo tokenizes the
    # template's JSON in Go's field order (env before source): no '}}' after it refuses the workflow (validate.go
    # l. 855-860, "Cannot find end tag"), a memoize key after it is swallowed (invalid cache key). The runner
    # marshals in the manifest's key order (source before env): the tag runs into MLDSL_INPUT_X's, which stays
    # unsubstituted, and the step Succeeds with x = '{{inputs.parameters.x}}' (Error before 06d0f05). The comment
    # is gone at 3428886; the runner's key order (mldsl/argo/template.py, validate/fields.py _go_json) is still not Go's
    "python-code-holding-braces": ("    s0: {uses: py}\n", {}, True),
    # compiler (#26 item 2): the escape of a submitted value resolved in the first pass, then the tag it gave (the
    # step's value is text at 3428886); where no pod pass comes (a DAG output, the record's params) the escape's
    # own text shows, on Argo too (the DAG's output expression reads its input as substituted, escape and all)
    "a-param-holding-a-tag": (
        "    s0: {uses: py, with: {x: '${{ params.p_str }}'}}\n  outputs: {echo: '${{ params.p_str }}'}\n",
        {"p_str": "{{workflow.name}}"},
        False,
    ),
    # runner: the record types a str param and output from its text (session.py typed): '1e-05' -> 1e-05,
    # '42' -> 42, 'null' -> null (as a skipped step's output)
    "a-str-param-that-reads-as-a-number": (
        "    s0: {uses: py, with: {x: '${{ params.p_str }}'}}\n  outputs: {echo: '${{ params.p_str }}'}\n",
        {"p_str": "1e-05"},
        False,
    ),
    # compiler: a fan-out's own when goes on each item (backends/argo/workflow.py task: when and withItems on one
    # task; dag.go l. 648-661), so the group Succeeds (l. 704-712) where SPEC §1.9 skips the step
    "a-fan-out-whose-when-is-false": (
        "    s0: {uses: py, for_each: [a, b], with: {x: '${{ item }}'}, when: '${{ params.p_bool }}'}\n",
        {"p_bool": "false"},
        False,
    ),
    # runner, with the one above: the consumer's tasks['s0'].outputs... is never set, so Argo requeues it for ever
    # (expression_template.go l. 75-101 reads the member path, dag.go l. 838-843); the runner's strict check sees
    # only 'tasks' in a bracketed path (mldsl/argo/template.py _reads_strict) and runs it with the tag as its value
    "a-consumer-of-a-fan-out-that-ran-no-item": (
        "    s0: {uses: py, for_each: [a, b], with: {x: '${{ item }}'}, when: '${{ params.p_bool }}'}\n"
        "    s1: {uses: py, with: {x: '${{ str(steps.s0.outputs.y) }}'}}\n",
        {"p_bool": "false"},
        False,
    ),
    # rules: _skippable_tasks missed a fan-out over no items, which Argo skips ("empty params", dag.go l. 634-638).
    # Gone at 82140f1
    "a-fan-out-over-no-items": (
        "    s0: {uses: py, for_each: '${{ params.p_list }}', with: {x: '${{ item }}'}}\n",
        {"p_list": "[]"},
        False,
    ),
    # compiler (#26 item 1): a literal item holding '{{' was substituted strictly by processItem (operator.go
    # l. 4147): Error. At b840c00 it runs, and the record names the item by its escape's text
    "a-literal-item-holding-braces": ("    s0: {uses: py, for_each: ['{{d}}'], with: {x: '${{ item }}'}}\n", {}, False),
    # compiler (#26 item 1): a wrapped fan-out (parallelism from a param) passes a with: literal holding '{{' to
    # its fan-out task as the escape, which processItem's strict scan refuses ($env is missing, operator.go
    # l. 4147; expression_template.go l. 80-92): every item Errors. The rules (tags_resolve) and the runner agree
    "a-wrapped-fan-out-with-a-literal-holding-braces": (
        "    s0: {uses: py, for_each: [a], parallelism: '${{ params.p_int }}', with: {x: '{{x}}'}}\n",
        {},
        False,
    ),
}


def run_generated(
    seed: int,
    count: int,
    *,
    work: Path,
    jobs: int = 2,
    timeout: float = DEFAULT_TIMEOUT,
    braces: bool | None = None,
    only: list[int] | None = None,
    keep: bool = True,
    progress: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Draw ``count`` runnable projects with ``seed`` and run them (those numbered ``only``, if given)."""
    drawn = draw_projects(seed, count, runnable=True, braces=braces)
    numbers = [i for i in range(len(drawn)) if only is None or i in only]
    work.mkdir(parents=True, exist_ok=True)

    def one(i: int) -> Outcome:
        outcome = check_run(drawn[i], i, seed, work, timeout, keep)
        if progress is not None:
            progress(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, numbers))


def signature(disagreement: str) -> str:
    """What kind of disagreement this is (names, numbers and quoted text taken out), to count them by kind."""
    text = disagreement.split(" (last lines")[0]
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", text)
    text = re.sub(r"\bs\d+(\[\d+\])?", "sN", text)
    text = re.sub(r"\d+(\.\d+)?", "N", text)
    return text[:140]


# --- the command --------------------------------------------------------------------------------------


def static_check(seed: int, count: int) -> tuple[int, list[str]]:
    import runtime_rules as rules
    from test_runtime_rules import compile_project

    failures: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="mldsl-rules-"))
    drawn = draw_projects(seed, count)
    for files in drawn:
        try:
            bodies = compile_project(files, tmp / "p")
        except AssertionError as exc:
            failures.append(f"does not compile: {exc}\n{files.get('sub.yaml', '')}")
            continue
        for body in bodies:
            for problem in rules.check(body):
                failures.append(problem + "\n" + files["pipeline.yaml"] + files.get("sub.yaml", ""))
    shutil.rmtree(tmp, ignore_errors=True)
    return len(drawn), failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="projects checked against the runtime rules")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--run", type=int, default=0, metavar="N", help="also run N runnable projects with mldsl run")
    parser.add_argument("--only", type=int, action="append", metavar="K", help="run only project K of the N (repeatable)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds one run may take")
    parser.add_argument("--jobs", type=int, default=2, help="runs at once")
    parser.add_argument(
        "--braces",
        choices=["draw", "never", "always"],
        default="draw",
        help="whether the python module's code holds '{{' (compiled base64-encoded)",
    )
    parser.add_argument("--work", type=Path, default=None, help="where projects and run stores go (kept on disagreement)")
    parser.add_argument("--known", action="store_true", help="run the small pipeline of each defect found so far")
    args = parser.parse_args()

    status = 0
    if args.known:
        work = args.work or Path(tempfile.mkdtemp(prefix="mldsl-run-known-"))
        still = 0
        for name, (steps, overrides, braces) in KNOWN.items():
            o = check_pipeline(KNOWN_HEAD + steps, work / name, overrides, braces=braces)
            found = o.disagreements
            still += bool(found)
            print(f"{name}: {'still there' if found else 'gone'}")
            for d in found:
                print(f"  {d}")
            if found:
                print(f"  reproduce: {o.command}")
        print(f"{still} of {len(KNOWN)} known defects still there")
        status = 1 if still else 0
    if args.count > 0:
        start = time.monotonic()
        done, failures = static_check(args.seed, args.count)
        print(f"rules_fuzz: {done} generated projects checked in {time.monotonic() - start:.0f} s, {len(failures)} problems")
        for f in failures[:20]:
            print(f)
        status = 1 if failures else status
    if args.run > 0:
        work = args.work or Path(tempfile.mkdtemp(prefix=f"mldsl-run-fuzz-{args.seed}-"))
        braces = {"draw": None, "never": False, "always": True}[args.braces]
        start = time.monotonic()
        flags = f" --braces {args.braces}" if args.braces != "draw" else ""

        def report(o: Outcome) -> None:
            if not o.disagreements:
                return
            print(f"--- project {o.number} (seed {args.seed}): {len(o.disagreements)} disagreements, {o.seconds:.1f}s")
            for d in o.disagreements:
                print(f"  {d}")
            again = f"--count 0 --seed {args.seed} --run {args.run} --only {o.number}{flags}"
            print(f"  reproduce: python tools/rules_fuzz.py {again}")
            print(f"  or: {o.command}")
            if o.run_folder:
                print(f"  run folder: {o.run_folder}")
            print("  " + o.pipeline.replace("\n", "\n  ").rstrip())
            sys.stdout.flush()

        outcomes = run_generated(
            args.seed,
            args.run,
            work=work,
            jobs=args.jobs,
            timeout=args.timeout,
            braces=braces,
            only=args.only,
            progress=report,
        )
        bad = [o for o in outcomes if o.disagreements]
        kinds = Counter(signature(d) for o in bad for d in o.disagreements)
        seconds = time.monotonic() - start
        slowest = max((o.seconds for o in outcomes), default=0.0)
        print(f"rules_fuzz --run: {len(outcomes)} runs in {seconds:.0f} s (slowest {slowest:.1f} s); work folder {work}")
        for kind, n in kinds.most_common():
            print(f"  {n:5d} x {kind}")
        print(f"{len(outcomes)} runs, {sum(len(o.disagreements) for o in outcomes)} disagreements ({len(bad)} runs with any)")
        if bad:
            status = 1
        elif args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
