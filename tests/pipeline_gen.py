"""Random valid projects for the runtime-rules tests: DAGs with conditions, fan-outs, caches, operator
steps, outputs and odd values (quotes, newlines, ``{{``, unicode, ``1e-05``, ``y``).

:func:`projects` is a hypothesis strategy of ``{filename: text}``; every project it draws compiles. A static
project also draws, after the rest, constructs combined (:func:`_combined`): a sub-pipeline (``sub.yaml``)
with an approval and a cached step, a ``when`` on its output, an approval, ``continue_on_failure`` on a
fan-out and on a step read by ``.uri``, an exit handler reading a (maybe failed) exit step's outputs.
``projects(runnable=True)`` draws its pipeline as the static projects do (the same draws, in the same
order; what only a runnable project needs is drawn after), in a project that ``mldsl run`` can execute
here: each module has a tiny real implementation that writes every output it declares (python source, a
container's ``local:`` code, a Spark main file, a training script), the ``s3://data`` locations are
folders of the project (``local.mounts``) holding small files, and training jobs are PyTorchJobs or
TFJobs (an MPIJob is refused before a local run). Its file names may hold folders (``code/ct.py``,
``data/in/table.parquet``). What each implementation writes is what ``tools/rules_fuzz.py --run``
predicts:

* ``py``: ``y`` = its input ``f``; ``items`` = ``[x, str(n), str(f)]``; ``out`` a file;
* ``ct``: exits 3 unless ``x`` arrived alike in its command, args and env and ``MODE`` is ``{{literal}}``;
  ``v`` = ``len(x)``; ``tbl`` a file;
* ``sp``, ``tr``: fail unless their input location is there; write their output where they are told.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

#: literal text that must arrive as text (no ``${{``: that is an mldsl expression, checked elsewhere)
ODD = ["a'b", 'q"uote', "new\nline", "{{x}}", "{{=1+1}}", "ü ß 中", "1e-05", "y", "no", "12:30", " spaced ", "$HOME", "a}}b"]

PROJECT = """\
apiVersion: mldsl/v1
kind: Project
metadata: {name: gen}
spec:
  namespace: ml
  artifacts: {bucket: s3://gen-bucket}
  gpu: {node_selector: {gpu: a100}}
"""

MODULES = """\
apiVersion: mldsl/v1
kind: Module
metadata: {name: py, version: 1.0.0+build.7}
spec:
  inputs:
    x: {type: str, default: ""}
    n: {type: int, default: 1}
    f: {type: float, default: 0.5}
    data: {type: artifact, optional: true}
  outputs: {y: float, out: artifact, items: "list[str]"}
  run:
    python:
      source: |
        print(f"{{inputs}}", {"a": 1})
        write_output("y", 0.5)
---
apiVersion: mldsl/v1
kind: Module
metadata: {name: ct, version: 2.0.0}
spec:
  inputs:
    x: {type: str, default: "z"}
    data: {type: artifact, optional: true}
  outputs: {v: int, tbl: artifact}
  run:
    container:
      image: acme/ct:2
      command: [python, -m, ct, "${{ inputs.x }}"]
      args: [--x, "${{ inputs.x }}", "--data=${{ inputs.data.path }}", --out, "${{ outputs.tbl.path }}"]
      env: {MODE: "{{literal}}"}
---
apiVersion: mldsl/v1
kind: Module
metadata: {name: sp, version: 1.0.0}
spec:
  inputs: {src: artifact, day: {type: str, default: "2024-01-01"}}
  outputs: {table: artifact}
  run:
    spark:
      image: acme/spark:3.5
      main: local:///jobs/agg.py
      args: [--in, "${{ inputs.src.path }}", --day, "${{ inputs.day }}", --out, "${{ outputs.table.path }}"]
      conf: {spark.app.tag: "${{ inputs.day }}"}
---
apiVersion: mldsl/v1
kind: Module
metadata: {name: tr, version: 1.0.0}
spec:
  inputs: {data: artifact, lr: {type: float, default: 0.001}}
  outputs: {model: artifact}
  run:
    distributed:
      framework: {framework}
      image: acme/train:1
      command: [python, train.py]
      args: [--data, "${{ inputs.data.path }}", --lr, "${{ inputs.lr }}", --out, "${{ outputs.model.path }}"]
      workers: 2
      gpus_per_worker: 1
"""

#: module -> (its artifact inputs, its scalar inputs with a type, its outputs with a type)
SHAPES: dict[str, tuple[list[str], dict[str, str], dict[str, str]]] = {
    "py": (["data"], {"x": "str", "n": "int", "f": "float"}, {"y": "float", "out": "artifact", "items": "list"}),
    "ct": (["data"], {"x": "str"}, {"v": "int", "tbl": "artifact"}),
    "sp": (["src"], {"day": "str"}, {"table": "artifact"}),
    "tr": (["data"], {"lr": "float"}, {"model": "artifact"}),
}
REQUIRED_ARTIFACT = {"sp": "src", "tr": "data"}
PARAMS = {"p_str": "str", "p_int": "int", "p_float": "float", "p_list": "list", "p_bool": "bool", "p_data": "artifact"}


def _q(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


RUNNABLE_PROJECT = PROJECT + "  local: {mounts: {'s3://data': data}}\n"

#: the python module's code in a runnable project (``BRACES`` adds a line holding ``{{``: compiled base64-encoded)
PY_SOURCE = """\
import os
x, n, f, data = inputs["x"], inputs["n"], inputs["f"], inputs["data"]
if data is not None and not os.path.exists(data):
    raise SystemExit(f"input data {data!r} is not there")
write_output("y", f)
write_output("items", [x, str(n), str(f)])
with open(output_path("out"), "w", encoding="utf-8") as fh:
    fh.write(f"py {x!r} {n} {f}\\n")
"""
BRACES = 'print("{{not a tag}}")\n'

CT_CODE = """\
import os
import sys

x, rest = sys.argv[1], sys.argv[2:]
data = next((a.split("=", 1)[1] for a in rest if a.startswith("--data=")), "")
rest = [a for a in rest if not a.startswith("--data=")]
flags = dict(zip(rest[::2], rest[1::2]))
problems = []
if flags.get("--x") != x or os.environ.get("MLDSL_INPUT_X") != x:
    problems.append(f"x differs: command {x!r}, args {flags.get('--x')!r}, env {os.environ.get('MLDSL_INPUT_X')!r}")
if os.environ.get("MODE") != "{{literal}}":
    problems.append(f"MODE is {os.environ.get('MODE')!r}")
out = flags["--out"]
if problems:
    print("; ".join(problems), file=sys.stderr)
    sys.exit(3)
with open(out, "w", encoding="utf-8") as fh:
    fh.write(f"ct {x!r} {os.path.exists(data)}\\n")
with open(os.path.join(os.environ["MLDSL_OUTPUTS_DIR"], "v"), "w", encoding="utf-8") as fh:
    fh.write(str(len(x)))
"""

#: the Spark main file and the training script: check their input is there, write their output
JOB_CODE = """\
import os
import sys

flags = dict(zip(sys.argv[1::2], sys.argv[2::2]))
src = flags.get("--in", flags.get("--data"))
if not src or not os.path.exists(src):
    raise SystemExit(f"input {src!r} is not there")
out = flags["--out"]
os.makedirs(os.path.dirname(out), exist_ok=True)
tmp = f"{out}.{os.getpid()}.tmp"
with open(tmp, "w", encoding="utf-8") as fh:
    fh.write(f"{os.path.basename(sys.argv[0])} {sorted(flags)}\\n")
os.replace(tmp, out)  # every replica of a training job writes it: the last one wins, whole
"""

RUNNABLE_MODULES = """\
apiVersion: mldsl/v1
kind: Module
metadata: {name: py, version: 1.0.0+build.7}
spec:
  inputs:
    x: {type: str, default: ""}
    n: {type: int, default: 1}
    f: {type: float, default: 0.5}
    data: {type: artifact, optional: true}
  outputs: {y: float, out: artifact, items: "list[str]"}
  run:
    python:
      source: |
{py_source}
---
apiVersion: mldsl/v1
kind: Module
metadata: {name: ct, version: 2.0.0}
spec:
  inputs:
    x: {type: str, default: "z"}
    data: {type: artifact, optional: true}
  outputs: {v: int, tbl: artifact}
  run:
    container:
      image: acme/ct:2
      command: [python, -m, ct, "${{ inputs.x }}"]
      args: [--x, "${{ inputs.x }}", "--data=${{ inputs.data.path }}", --out, "${{ outputs.tbl.path }}"]
      env: {MODE: "{{literal}}"}
      local: {source: code, mount: /app}
---
apiVersion: mldsl/v1
kind: Module
metadata: {name: sp, version: 1.0.0}
spec:
  inputs: {src: artifact, day: {type: str, default: "2024-01-01"}}
  outputs: {table: artifact}
  run:
    spark:
      image: acme/spark:3.5
      main: local:///jobs/agg.py
      args: [--in, "${{ inputs.src.path }}", --day, "${{ inputs.day }}", --out, "${{ outputs.table.path }}"]
      conf: {spark.app.tag: "${{ inputs.day }}"}
      local: {source: code, mount: /jobs}
---
apiVersion: mldsl/v1
kind: Module
metadata: {name: tr, version: 1.0.0}
spec:
  inputs: {data: artifact, lr: {type: float, default: 0.001}}
  outputs: {model: artifact}
  run:
    distributed:
      framework: {framework}
      image: acme/train:1
      command: [python, train.py]
      args: [--data, "${{ inputs.data.path }}", --lr, "${{ inputs.lr }}", --out, "${{ outputs.model.path }}"]
      workers: 2
      gpus_per_worker: 1
      local: {source: code, mount: /app}
"""

#: the small files behind ``s3://data/...`` in a runnable project
DATA = {"data/x/part.parquet": "part\n", "data/in/table.parquet": "table\n"}


def _indent(text: str, prefix: str) -> str:
    return "".join(prefix + line + "\n" for line in text.splitlines())


def runnable_files(framework: str, braces: bool) -> dict[str, str]:
    """The files of a runnable project besides its pipeline (``framework``: pytorch or tensorflow)."""
    source = PY_SOURCE + (BRACES if braces else "")
    modules = RUNNABLE_MODULES.replace("{py_source}", _indent(source, "        ").rstrip("\n"))
    return {
        "mldsl.yaml": RUNNABLE_PROJECT,
        "modules.yaml": modules.replace("{framework}", framework),
        "code/ct.py": CT_CODE,
        "code/agg.py": JOB_CODE,
        "code/train.py": JOB_CODE,
        **DATA,
    }


@st.composite
def projects(draw: st.DrawFn, runnable: bool = False, braces: bool | None = None) -> dict[str, str]:
    """A project; ``runnable``: one ``mldsl run`` can execute (its pipeline drawn as a static project's).
    ``braces``: whether the python module's code holds ``{{`` (drawn when ``None``; runnable projects only)."""
    steps: dict[str, dict[str, Any]] = {}
    outputs: dict[str, str] = {}
    n = draw(st.integers(1, 6))
    for i in range(n):
        name = f"s{i}"
        module = draw(st.sampled_from(sorted(SHAPES)))
        arts, scalars, _ = SHAPES[module]
        earlier = [(s, out, kind) for s, d in steps.items() for out, kind in SHAPES[d["uses"]][2].items() if not d.get("fan")]
        step: dict[str, Any] = {"uses": module, "with": {}}
        for art in arts:
            sources = [f"${{{{ steps.{s}.outputs.{o} }}}}" for s, o, k in earlier if k == "artifact"]
            # an operator job reads an artifact param by the URI it is given with the run (#29 item 1)
            choice = draw(st.sampled_from([*sources, "${{ params.p_data }}", "s3://data/x/part.parquet", None]))
            if choice is None and art == REQUIRED_ARTIFACT.get(module):
                choice = "s3://data/in/"
            if choice is not None:
                step["with"][art] = choice
        fan = module in ("py", "ct") and draw(st.booleans()) and draw(st.booleans())
        for inp, kind in scalars.items():
            options: list[Any] = [None, f"${{{{ params.p_{kind} }}}}"]
            if kind == "str":
                options += [draw(st.sampled_from(ODD)), "run ${{ workflow.name }} on ${{ params.p_str }}"]
                if fan:
                    options.append("${{ item }}")
            if kind == "int":
                options += [draw(st.integers(-5, 5)), "${{ params.p_int * 2 + 1 }}"]
            if kind == "float":
                options += [draw(st.sampled_from([0.001, 0.25, 3.0]))]
                options += [f"${{{{ steps.{s}.outputs.{o} }}}}" for s, o, k in earlier if k == "float"]
            value = draw(st.sampled_from(options))
            if value is not None:
                step["with"][inp] = value
        if fan:
            step["for_each"] = draw(st.sampled_from(["${{ params.p_list }}", ["a", "b'c", "{{d}}"]]))
            step["fan"] = True
            if draw(st.booleans()):
                # a number, or (SPEC §1.10) a param: a semaphore whose limit the fan-out writes first
                step["parallelism"] = draw(st.sampled_from([1, 3, "${{ params.p_int }}", "${{ params.p_int - 2 }}"]))
                if draw(st.booleans()):
                    step["when"] = "${{ item != 'skip' }}"
        floats = [(s, o) for s, o, k in earlier if k == "float"]
        if "when" not in step and draw(st.booleans()):
            conds = ["${{ params.p_bool }}", "${{ params.p_str == 'x y' }}", "${{ params.p_float >= 1e-05 }}"]
            conds += [f"${{{{ steps.{s}.outputs.{o} > params.p_float and not params.p_bool }}}}" for s, o in floats]
            step["when"] = draw(st.sampled_from(conds))
        if draw(st.booleans()):
            step["cache"] = {"ttl": draw(st.sampled_from(["1h", "7d"]))}
        if draw(st.booleans()):
            step["retries"] = {
                "limit": draw(st.integers(1, 3)),
                "backoff": {"duration": "10s", "factor": draw(st.integers(1, 3))},
            }
        if draw(st.booleans()):
            step["timeout"] = draw(st.sampled_from(["10m", "2h"]))
        if earlier and draw(st.booleans()):
            step["after"] = [draw(st.sampled_from(sorted({s for s, _, _ in earlier})))]
        if draw(st.integers(0, 4)) == 0:
            step["continue_on_failure"] = True  # SPEC §1.9: runs in a wrapper; its data consumers are skipped
        steps[name] = step
    for s, d in steps.items():
        if d.get("fan"):
            continue
        for out, kind in SHAPES[d["uses"]][2].items():
            if draw(st.integers(0, 3)) == 0:
                outputs[f"{s}_{out}"] = f"${{{{ steps.{s}.outputs.{out} }}}}"
                if kind == "artifact" and d["uses"] in ("py", "ct") and draw(st.booleans()):
                    outputs[f"{s}_{out}_uri"] = f"${{{{ steps.{s}.outputs.{out}.uri }}}}"
    if draw(st.booleans()):
        outputs["echo"] = "${{ params.p_str }}"
    lines = [
        "apiVersion: mldsl/v1",
        "kind: Pipeline",
        f"metadata: {{name: gen-{draw(st.integers(0, 999))}}}",
        "spec:",
        "  params:",
        f"    p_str: {{type: str, default: {_q(draw(st.sampled_from(ODD)))}}}",
        "    p_int: {type: int, default: 3}",
        "    p_float: {type: float, default: 1.0e-05}",
        f"    p_list: {{type: 'list[str]', default: {_q(['a', 'b c', draw(st.sampled_from(ODD))])}}}",
        "    p_bool: {type: bool, default: true}",
        "    p_data: {type: artifact, default: 's3://data/in/table.parquet'}",
        "  steps:",
    ]
    for name, d in steps.items():
        d = {k: v for k, v in d.items() if k != "fan"}
        lines.append(f"    {name}: {_q(d)}")
    if runnable:
        if outputs:
            lines.append(f"  outputs: {_q(outputs)}")
        pipeline = "\n".join(lines) + "\n"
        framework = draw(st.sampled_from(["pytorch", "tensorflow"]))
        with_braces = draw(st.booleans()) if braces is None else braces
        return {**runnable_files(framework, with_braces), "pipeline.yaml": pipeline}
    framework = draw(st.sampled_from(["pytorch", "mpi", "tensorflow"]))
    files = {"mldsl.yaml": PROJECT, "modules.yaml": MODULES.replace("{framework}", framework)}
    extra, on_exit, sub = _combined(draw, steps)
    for name, d in extra.items():
        out = d.pop("output", None)
        if out is not None:
            outputs[f"{name}_{out[0]}"] = out[1]
        lines.append(f"    {name}: {_q(d)}")
    if outputs:
        lines.append(f"  outputs: {_q(outputs)}")
    if on_exit is not None:
        lines.append(f"  on_exit: {_q(on_exit)}")
    if sub is not None:
        files["sub.yaml"] = sub
    return {**files, "pipeline.yaml": "\n".join(lines) + "\n"}


def _ref(step: str, out: str) -> str:
    return f"${{{{ steps.{step}.outputs.{out} }}}}"


def _sub_pipeline(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    """A Pipeline ``gen-sub`` another step calls (``pipeline: gen-sub``), and its outputs with their kinds:
    maybe an approval first, a (maybe cached) python step, maybe a container step reading its artifact."""
    steps: dict[str, dict[str, Any]] = {}
    if draw(st.booleans()):
        ok: dict[str, Any] = {"approve": {"message": draw(st.sampled_from(ODD)), "timeout": "1h"}}
        if draw(st.booleans()):
            ok["when"] = "${{ params.q_float > 0.1 }}"
        steps["ok"] = ok
    a: dict[str, Any] = {
        "uses": "py",
        "with": {"x": draw(st.sampled_from(["${{ params.q_str }}", *ODD])), "f": "${{ params.q_float }}"},
    }
    if draw(st.booleans()):
        a["with"]["data"] = "${{ params.q_data }}"
    if draw(st.integers(0, 3)) > 0:
        a["cache"] = {"ttl": draw(st.sampled_from(["1h", "7d"]))}
    if "ok" in steps:
        a["after"] = ["ok"]
    steps["a"] = a
    outputs = {"y": (_ref("a", "y"), "float"), "out": (_ref("a", "out"), "artifact"), "out_uri": (_ref("a", "out.uri"), "str")}
    if draw(st.booleans()):
        b: dict[str, Any] = {"uses": "ct", "with": {"x": "${{ params.q_str }}", "data": _ref("a", "out")}}
        if draw(st.booleans()):
            b["cache"] = {"ttl": "1h"}
        if draw(st.booleans()):
            b["continue_on_failure"] = True
        steps["b"] = b
        outputs["v"] = (_ref("b", "v"), "int")
    chosen = {k: v for k, v in outputs.items() if k == "y" or draw(st.booleans())}
    lines = [
        "apiVersion: mldsl/v1",
        "kind: Pipeline",
        "metadata: {name: gen-sub}",
        "spec:",
        "  params:",
        f"    q_str: {{type: str, default: {_q(draw(st.sampled_from(ODD)))}}}",
        "    q_float: {type: float, default: 0.25}",
        "    q_data: {type: artifact, default: 's3://data/in/table.parquet'}",
        "  steps:",
        *(f"    {name}: {_q(d)}" for name, d in steps.items()),
        f"  outputs: {_q({k: v for k, (v, _) in chosen.items()})}",
    ]
    return "\n".join(lines) + "\n", {k: kind for k, (_, kind) in chosen.items()}


def _combined(
    draw: st.DrawFn, steps: dict[str, dict[str, Any]]
) -> tuple[dict[str, dict[str, Any]], dict[str, Any] | None, str | None]:
    """Constructs combined (static projects only, drawn after the rest): a sub-pipeline with an approval and
    a cached step, a ``when`` on its output, an approval, ``continue_on_failure`` on a fan-out and on a step
    whose artifact a later step reads by ``.uri``, an exit handler whose steps read a failed step's output.
    (A fan-out's artifact output cannot be read at all, ``.uri`` included: MLD310.) Returns the extra steps
    (``output``: a pipeline output to add), the ``on_exit`` and the sub-pipeline's document."""
    extra: dict[str, dict[str, Any]] = {}
    sub = None
    earlier = sorted(steps)
    if draw(st.booleans()):
        sub, kinds = _sub_pipeline(draw)
        call: dict[str, Any] = {"pipeline": "gen-sub", "with": {}}
        q_str = draw(st.sampled_from([None, "${{ params.p_str }}", *ODD]))
        if q_str is not None:
            call["with"]["q_str"] = q_str
        floats = [_ref(s, "y") for s in earlier if steps[s]["uses"] == "py" and not steps[s].get("fan")]
        q_float = draw(st.sampled_from([None, "${{ params.p_float }}", *floats]))
        if q_float is not None:
            call["with"]["q_float"] = q_float
        arts = [_ref(s, "out") for s in earlier if steps[s]["uses"] == "py" and not steps[s].get("fan")]
        q_data = draw(st.sampled_from([None, "${{ params.p_data }}", *arts]))
        if q_data is not None:
            call["with"]["q_data"] = q_data
        if draw(st.booleans()):
            call["when"] = "${{ params.p_bool }}"
        if earlier and draw(st.booleans()):
            call["after"] = [draw(st.sampled_from(earlier))]
        extra["sub"] = call
        if draw(st.integers(0, 3)) > 0:
            gate: dict[str, Any] = {"uses": "py", "when": "${{ steps.sub.outputs.y > params.p_float }}", "with": {}}
            if "out_uri" in kinds and draw(st.booleans()):
                gate["with"]["x"] = "${{ steps.sub.outputs.out_uri }}"
            if "out" in kinds and draw(st.booleans()):
                gate["with"]["data"] = "${{ steps.sub.outputs.out }}"
            if "v" in kinds and draw(st.booleans()):
                gate["with"]["n"] = "${{ steps.sub.outputs.v }}"
            if draw(st.booleans()):
                gate["output"] = ("y", _ref("gate", "y"))
            extra["gate"] = gate
        if draw(st.booleans()):
            extra["sub"]["output"] = ("y", "${{ steps.sub.outputs.y }}")
        if draw(st.booleans()):
            extra["sub2"] = {"pipeline": "gen-sub", "with": {"q_str": draw(st.sampled_from(ODD))}}
    if draw(st.integers(0, 3)) == 0:
        sign: dict[str, Any] = {
            "approve": {"message": draw(st.sampled_from(ODD)), "timeout": draw(st.sampled_from(["10m", "24h"]))}
        }
        if draw(st.booleans()):
            sign["when"] = draw(
                st.sampled_from(["${{ params.p_bool }}", *[f"${{{{ steps.{s}.outputs.y > 0.1 }}}}" for s in extra if s == "sub"]])
            )
        if draw(st.booleans()):
            sign["continue_on_failure"] = True
        if earlier and draw(st.booleans()):
            sign["after"] = [draw(st.sampled_from(earlier))]
        extra["sign_off"] = sign
        extra["after_sign"] = {"uses": "ct", "with": {"x": "${{ params.p_str }}"}, "after": ["sign_off"]}
    if draw(st.integers(0, 2)) == 0:
        fan: dict[str, Any] = {
            "uses": "py",
            "for_each": draw(st.sampled_from(["${{ params.p_list }}", ["a", "b'c"]])),
            "with": {"x": "${{ item }}"},
            "continue_on_failure": True,
        }
        if draw(st.booleans()):
            fan["parallelism"] = draw(st.sampled_from([1, "${{ params.p_int }}"]))
        extra["cf_fan"] = fan
        if draw(st.booleans()):
            extra["cf_fan_read"] = {"uses": "py", "with": {"x": "${{ str(steps.cf_fan.outputs.y) }}"}}
    if draw(st.integers(0, 2)) == 0:
        module, art = draw(st.sampled_from([("py", "out"), ("ct", "tbl")]))
        extra["cf_one"] = {"uses": module, "with": {"x": "${{ params.p_str }}"}, "continue_on_failure": True}
        read: dict[str, Any] = {"uses": "py", "with": {"x": _ref("cf_one", f"{art}.uri")}}
        if draw(st.booleans()):
            read["when"] = "${{ params.p_bool }}"
        if draw(st.booleans()):
            read["output"] = ("out_uri", _ref("cf_read", "out.uri"))
        extra["cf_read"] = read
    on_exit: dict[str, Any] | None = None
    kind = draw(st.sampled_from(["none", "none", "module", "steps"]))
    if kind == "module":
        on_exit = {"uses": "py", "with": {"x": "${{ workflow.name }} ${{ workflow.status }}"}}
    elif kind == "steps":
        first: dict[str, Any] = {"uses": draw(st.sampled_from(["py", "ct"])), "with": {"x": "${{ workflow.status }}"}}
        if draw(st.booleans()):
            first["continue_on_failure"] = True
        art, value = ("out", "y") if first["uses"] == "py" else ("tbl", "v")
        then: dict[str, Any] = {"uses": "py", "with": {"x": _ref("e0", f"{art}.uri")}}
        if draw(st.booleans()):
            then["when"] = "${{ workflow.status != 'Succeeded' }}"
        if draw(st.booleans()):
            then["with"]["f" if value == "y" else "n"] = _ref("e0", value)
        if draw(st.booleans()):
            then["with"]["data"] = _ref("e0", art)
        on_exit = {"steps": {"e0": first, "e1": then}}
    return extra, on_exit, sub
