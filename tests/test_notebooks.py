"""Notebooks as pipeline steps (SPEC §1.12): compile-time checks with positions in the notebook, the cache
key and ``diff`` over its cells, and real runs with papermill and a real kernel (the ``notebook`` extra)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mldsl.compiler import compile_paths

from conftest import EXAMPLES

MLDSL = [sys.executable, "-m", "mldsl"]
PROJECT = "apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: lab}\nspec: {image: python:3.11-slim}\n"


def notebook(*cells: dict[str, Any], nbformat: int = 4) -> str:
    meta = {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    return json.dumps({"cells": list(cells), "metadata": meta, "nbformat": nbformat, "nbformat_minor": 5}, indent=1) + "\n"


def code(source: str, *tags: str) -> dict[str, Any]:
    meta = {"tags": list(tags)} if tags else {}
    return {"cell_type": "code", "execution_count": None, "metadata": meta, "outputs": [], "source": source.splitlines(True)}


def markdown(source: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": source.splitlines(True)}


def module(inputs: str, outputs: str = "{auc: float}", name: str = "explore", file: str = "explore.ipynb") -> str:
    return (
        f"apiVersion: mldsl/v1\nkind: Module\nmetadata: {{name: {name}, version: 1.0.0}}\n"
        f"spec:\n  inputs: {inputs}\n  outputs: {outputs}\n  run:\n    notebook: {{file: {file}}}\n"
    )


def lab(tmp: Path, module_text: str, nb_text: str, pipeline: str | None = None) -> Path:
    root = tmp / "lab"
    root.mkdir(parents=True, exist_ok=True)
    (root / "mldsl.yaml").write_text(PROJECT, encoding="utf-8")
    (root / "module.yaml").write_text(module_text, encoding="utf-8")
    (root / "explore.ipynb").write_text(nb_text, encoding="utf-8")
    if pipeline is not None:
        (root / "pipeline.yaml").write_text(
            "apiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n" + pipeline, encoding="utf-8"
        )
    return root


def diagnostics(root: Path) -> list[tuple[str, str, int, int, str]]:
    out = []
    for d in compile_paths([root]).diagnostics:
        out.append((Path(d.span.path).name, d.code, d.span.line, d.span.col, d.severity))
    return out


PARAMS = code("rows = 100\nrate = 0.5", "parameters")
INPUTS = "{rows: {type: int, default: 100}, rate: {type: float, default: 0.1}}"


# --- compile-time checks -------------------------------------------------------------------------------


def test_a_notebook_that_fits_compiles_without_a_word(tmp_path: Path) -> None:
    root = lab(tmp_path, module(INPUTS), notebook(markdown("# Explore"), PARAMS, code("print(rows * rate)")))
    assert diagnostics(root) == []


def test_missing_parameters_cell_is_an_error_at_the_notebook(tmp_path: Path) -> None:
    root = lab(tmp_path, module(INPUTS), notebook(markdown("# Explore"), code("rows = 1\nrate = 0.5")))
    result = compile_paths([root])
    (d,) = result.diagnostics
    assert (Path(d.span.path).name, d.code, d.span.line) == ("explore.ipynb", "MLD611", 3)
    assert "rows, rate" in d.message and d.hint and "parameters" in d.hint
    assert not result.ok


def test_input_missing_from_the_parameters_cell_names_cell_and_line(tmp_path: Path) -> None:
    nb = notebook(markdown("# Explore"), code("rows = 100\n# rate comes later", "parameters"))
    root = lab(tmp_path, module(INPUTS), nb)
    (d,) = compile_paths([root]).diagnostics
    line = next(i for i, text in enumerate(nb.splitlines(), 1) if '"rows = 100' in text)
    assert (Path(d.span.path).name, d.code, d.span.line, d.span.col) == ("explore.ipynb", "MLD612", line, 5)
    assert "'rate'" in d.message and "cell 2" in d.message
    assert d.hint == "add `rate = 0.1` to cell 2"


def test_a_default_of_another_type_is_a_warning_at_its_line(tmp_path: Path) -> None:
    nb = notebook(code("rows = 100\nrate = 'fast'", "parameters"))
    root = lab(tmp_path, module(INPUTS), nb)
    result = compile_paths([root])
    (d,) = result.diagnostics
    line = next(i for i, text in enumerate(nb.splitlines(), 1) if "rate = 'fast'" in text)
    assert (d.code, d.severity, d.span.line) == ("MLD614", "warning", line)
    assert "'rate' is a float" in d.message and "'fast' (str)" in d.message
    assert result.ok and result.program.modules  # a warning compiles the module all the same


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ('{"cells": [\n  {"cell_type": "code"\n  "source": []}\n]}', (3, 3), "not valid JSON"),
        ("[1, 2]", (1, 1), "a JSON object"),
        (notebook(PARAMS, nbformat=3), (1, 1), "nbformat 3"),
        ('{"nbformat": 4, "cells": [{"cell_type": "code", "source": 7}]}', (1, 27), "cell 1's source"),
        ('{"nbformat": 4, "cells": [{"cell_type": "widget"}]}', (1, 27), "cell 1 is not a notebook cell"),
        (notebook(code("rows = = 1", "parameters")), (13, 5), "not Python"),
        (notebook(code("rows = 1\x00", "parameters")), (13, 5), "not Python"),
    ],
    ids=["json", "not-an-object", "nbformat-3", "source-not-text", "cell-type", "parameters-not-python", "nul"],
)
def test_a_broken_notebook_is_an_error_never_a_traceback(tmp_path: Path, text: str, where: tuple[int, int], words: str) -> None:
    root = lab(tmp_path, module(INPUTS), text)
    done = subprocess.run([*MLDSL, "validate", str(root)], capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    (d,) = compile_paths([root]).diagnostics
    assert (Path(d.span.path).name, d.code, (d.span.line, d.span.col)) == ("explore.ipynb", "MLD613", where), d.render()
    assert words in d.message


def test_missing_notebook_file_is_positioned_at_the_field(tmp_path: Path) -> None:
    root = lab(tmp_path, module(INPUTS, file="nowhere.ipynb"), notebook(PARAMS))
    (d,) = compile_paths([root]).diagnostics
    assert (Path(d.span.path).name, d.code, d.span.line) == ("module.yaml", "MLD602", 8)


def test_secret_inputs_are_never_injected(tmp_path: Path) -> None:
    """A secret would be written into the executed notebook, an artifact anyone may read: the step reads it
    from MLDSL_INPUT_<NAME>, and the parameters cell need not name it."""
    root = lab(tmp_path, module("{rows: int, token: secret}"), notebook(code("rows = 1", "parameters")))
    result = compile_paths([root])
    assert result.diagnostics == []
    (m,) = result.program.modules
    assert "{n: inputs[n] for n in ['rows']}" in m.run.source


def test_executed_is_an_output_of_every_notebook_step(tmp_path: Path) -> None:
    root = lab(tmp_path, module(INPUTS), notebook(PARAMS))
    (m,) = compile_paths([root]).program.modules
    executed = m.output("executed")
    assert executed is not None and (executed.type.kind, executed.type.format) == ("artifact", "ipynb")


# --- the cache key and diff ----------------------------------------------------------------------------


def _digest(root: Path) -> str:
    from mldsl.backends.argo.policies import cache_key, module_digest

    (m,) = compile_paths([root]).program.modules
    return module_digest(m) + cache_key(m)


def test_the_notebooks_code_is_part_of_the_module_digest(tmp_path: Path) -> None:
    root = lab(tmp_path, module(INPUTS), notebook(PARAMS, code("auc = rows * rate")))
    before = _digest(root)
    ran = json.loads((root / "explore.ipynb").read_text())
    ran["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["50.0\n"]}]
    ran["cells"][1]["execution_count"] = 4
    (root / "explore.ipynb").write_text(json.dumps(ran), encoding="utf-8")
    assert _digest(root) == before, "running the notebook in Jupyter (new outputs) does not change what the step computes"
    (root / "explore.ipynb").write_text(notebook(PARAMS, code("auc = rows * rate * 2")), encoding="utf-8")
    assert _digest(root) != before


def test_diff_names_the_changed_cells(tmp_path: Path) -> None:
    old = lab(tmp_path / "old", module(INPUTS), notebook(markdown("# A"), PARAMS, code("x = 1"), code("y = 2")))
    new = lab(
        tmp_path / "new",
        module(INPUTS),
        notebook(markdown("# A"), PARAMS, code("w = 0"), code("x = 1"), code("y = 3")),
    )
    done = subprocess.run([*MLDSL, "diff", str(old), str(new), "--format", "json"], capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    (mod,) = json.loads(done.stdout)["modules"]
    changes = {c["path"]: c for c in mod["changes"]}
    assert set(changes) == {"run.notebook.cell 3", "run.notebook.cell 5"}, changes
    assert changes["run.notebook.cell 3"]["change"] == "added" and "w = 0" in changes["run.notebook.cell 3"]["after"]
    assert "y = 2" in changes["run.notebook.cell 5"]["before"] and "y = 3" in changes["run.notebook.cell 5"]["after"]


# --- the driver ----------------------------------------------------------------------------------------


def test_failure_message_names_cell_line_and_error() -> None:
    from mldsl.lang.notebook_driver import _cell_line, failure_message

    tb = ["\x1b[0;31mZeroDivisionError\x1b[0m", "Cell \x1b[0;32mIn[3], line 2\x1b[0m\n      1 a = 1\n----> 2 b = a / 0"]
    line = _cell_line(tb)
    assert line == 2
    text = failure_message("explore.ipynb", 4, 3, "a = 1\nb = a / 0", line, "ZeroDivisionError", "division by zero")
    assert text == "notebook failed at explore.ipynb cell 4 (In [3]), line 2 `b = a / 0`: ZeroDivisionError: division by zero"


# --- real runs: papermill, nbconvert and a kernel --------------------------------------------------------

EXPLORE = notebook(
    markdown("# Explore"),
    code("rows = 10\nrate = 0.5\ntable = None\nlabel = 'x'", "parameters"),
    code(
        "import os\n"
        "n = sum(1 for _ in open(table)) if table else rows\n"
        "auc = round(n * rate, 3)\n"
        "print(f'{label}: n={n} auc={auc} types={type(rows).__name__},{type(rate).__name__}')\n"
        "open(os.environ['MLDSL_OUTPUT_AUC'], 'w').write(str(auc))"
    ),
)
RUN_MODULE = module(
    "{rows: {type: int, default: 10}, rate: {type: float, default: 0.5}, table: {type: artifact, optional: true}, "
    "label: {type: str, default: x}}",
    "{auc: float, report: {type: artifact, format: html}}",
)
GATED = """\
  params: {rate: {type: float, default: 0.5}}
  steps:
    explore:
      uses: explore@1
      with: {rows: 8, rate: "${{ params.rate }}", label: gated}
    high:
      uses: explore@1
      when: "${{ steps.explore.outputs.auc >= 3 }}"
      with: {rows: 1, label: high}
    low:
      uses: explore@1
      when: "${{ steps.explore.outputs.auc < 3 }}"
      with: {rows: 2, rate: "${{ steps.explore.outputs.auc }}", label: low, table: "${{ steps.explore.outputs.executed }}"}
  outputs: {auc: "${{ steps.explore.outputs.auc }}", report: "${{ steps.explore.outputs.report }}"}
"""


def _run(root: Path, home: Path, *extra: str, timeout: float = 300) -> tuple[int, dict[str, Any], str]:
    env = {**os.environ, "MLDSL_HOME": str(home)}
    done = subprocess.run(
        [*MLDSL, "run", str(root), "--format", "json", *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    return done.returncode, (json.loads(done.stdout) if done.stdout.strip() else {}), done.stderr


def _file(uri: str) -> Path:
    assert uri.startswith("file://"), uri
    return Path(uri.removeprefix("file://"))


def test_a_notebook_step_runs_with_papermill_and_feeds_when(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("papermill", reason="the notebook extra: pip install -e '.[notebook]'")
    pytest.importorskip("nbconvert", reason="the notebook extra: pip install -e '.[notebook]'")
    root = lab(tmp_path, RUN_MODULE, EXPLORE, GATED)
    code_, record, err = _run(root, tmp_path / "home")
    assert code_ == 0, err
    steps = record["steps"]
    assert steps["explore"]["outputs"]["auc"] == 4.0  # 8 rows * 0.5, typed inputs injected over the cell's defaults
    assert steps["high"]["phase"] == "Succeeded" and steps["low"]["phase"] == "Skipped"
    assert record["outputs"]["auc"] == 4.0
    executed = json.loads(_file(steps["explore"]["notebook"]["executed"]).read_text(encoding="utf-8"))
    injected = next(c for c in executed["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    assert "rows = 8\n" in "".join(injected["source"]) and "rate = 0.5\n" in "".join(injected["source"])
    printed = "".join("".join(o.get("text", "")) for c in executed["cells"] for o in c.get("outputs", []))
    assert "gated: n=8 auc=4.0 types=int,float" in printed  # a real kernel ran it
    html = _file(steps["explore"]["notebook"]["html"]["report"]).read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and "gated: n=8 auc=4.0" in html
    assert steps["explore"]["notebook"]["file"] == "explore.ipynb"

    # the other branch: the gate reads the notebook's output, and an artifact input arrives as a local path
    code_, record, err = _run(root, tmp_path / "home2", "-p", "rate=0.25")
    assert code_ == 0, err
    assert record["steps"]["high"]["phase"] == "Skipped" and record["steps"]["low"]["phase"] == "Succeeded"
    low = json.loads(_file(record["steps"]["low"]["notebook"]["executed"]).read_text(encoding="utf-8"))
    printed = "".join("".join(o.get("text", "")) for c in low["cells"] for o in c.get("outputs", []))
    assert "low: n=" in printed and "types=int,float" in printed
    shown = subprocess.run(
        [*MLDSL, "runs", "show", "latest"],
        capture_output=True,
        text=True,
        env={**os.environ, "MLDSL_HOME": str(tmp_path / "home2")},
        check=False,
    )
    # each URI alone on the line after its label (#30 m10)
    assert "notebook explore.ipynb as it ran:\n      file://" in shown.stdout, shown.stdout + shown.stderr
    assert "notebook as HTML (report):\n      file://" in shown.stdout

    # the UI's runs panel shows the same (mldsl/ui/runs.py feeds js/runs.js's showRun)
    from mldsl.ui.runs import LocalRuns

    monkeypatch.setenv("MLDSL_HOME", str(tmp_path / "home2"))
    shown_ui = LocalRuns(root).show(record["run"])
    assert shown_ui is not None and shown_ui["steps"]["low"]["notebook"]["executed"].startswith("file://")


def test_a_failing_cell_is_reported_with_its_number_line_and_error(tmp_path: Path) -> None:
    pytest.importorskip("papermill", reason="the notebook extra: pip install -e '.[notebook]'")
    nb = notebook(
        markdown("# Explore"),
        code("rows = 10", "parameters"),
        code("total = rows\nratio = total / (rows - rows)\nprint(ratio)"),
    )
    root = lab(
        tmp_path, module("{rows: {type: int, default: 10}}", "{total: int}"), nb, "  steps:\n    explore: {uses: explore@1}\n"
    )
    code_, record, _err = _run(root, tmp_path / "home")
    assert code_ == 1
    step = record["steps"]["explore"]
    assert step["phase"] == "Failed"
    assert step["message"] == (
        "Error (exit code 1): notebook failed at explore.ipynb cell 3 (In [3]), line 2 `ratio = total / (rows - rows)`: "
        "ZeroDivisionError: division by zero"
    ), step["message"]
    assert _file(step["outputs"]["executed"]).is_file(), "the executed notebook is kept when a cell fails"


def test_the_example_runs_end_to_end(tmp_path: Path) -> None:
    """Spark features, the notebook, and the gate on its AUC: what the README shows."""
    pytest.importorskip("papermill", reason="the notebook extra: pip install -e '.[notebook]'")
    pytest.importorskip("pyspark", reason="the spark extra: pip install -e '.[spark]'")
    if shutil.which("java") is None:
        pytest.skip("pyspark needs a Java runtime")
    root = tmp_path / "churn-notebook"
    shutil.copytree(EXAMPLES / "churn-notebook", root, ignore=shutil.ignore_patterns(".mldsl"))
    code_, record, err = _run(root, tmp_path / "home", timeout=600)
    assert code_ == 0, err
    steps = record["steps"]
    assert [steps[s]["phase"] for s in ("load", "features", "explore", "publish")] == ["Succeeded"] * 4
    assert 0.8 < record["outputs"]["auc"] <= 1.0
    executed = json.loads(_file(record["outputs"]["notebook"]).read_text(encoding="utf-8"))
    printed = "".join("".join(o.get("text", "")) for c in executed["cells"] for o in c.get("outputs", []))
    assert "400 customers" in printed and "AUC on 100 held-out customers" in printed


def test_compile_output_names_the_notebook(tmp_path: Path) -> None:
    """The Argo template runs the notebook as a script in the module's image, annotated with the notebook."""
    import yaml

    root = lab(tmp_path, RUN_MODULE, EXPLORE, GATED)
    out = tmp_path / "out"
    done = subprocess.run([*MLDSL, "compile", str(root), "-o", str(out)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    wf = yaml.safe_load((out / "p.workflowtemplate.yaml").read_text())
    tpl = next(t for t in wf["spec"]["templates"] if "script" in t)
    assert tpl["metadata"]["annotations"]["mldsl.io/notebook"] == "explore.ipynb"
    assert tpl["script"]["image"] == "python:3.11-slim" and tpl["script"]["command"] == ["python"]
    assert {"name": "executed", "path": "/mldsl/outputs/executed"} in tpl["outputs"]["artifacts"]
    assert "papermill.execute_notebook(" in tpl["script"]["source"]


def test_forms_treat_a_notebook_module_like_any_other(tmp_path: Path) -> None:
    out = tmp_path / "forms"
    done = subprocess.run(
        [*MLDSL, "forms", str(EXAMPLES / "churn-notebook"), "-o", str(out)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    schema = json.loads((out / "module-explore-churn.schema.json").read_text(encoding="utf-8"))
    assert list(schema["properties"]) == ["table", "test_fraction", "seed"]
    assert schema["properties"]["test_fraction"]["maximum"] == 0.5
    assert (out / "module-explore-churn.html").is_file()


def test_without_papermill_the_step_says_what_to_install(tmp_path: Path) -> None:
    """The step's own script, run where papermill cannot be imported: a message and exit 1, no traceback."""
    root = lab(tmp_path, module(INPUTS), notebook(PARAMS))
    (m,) = compile_paths([root]).program.modules
    script = tmp_path / "step.py"
    script.write_text(m.run.source, encoding="utf-8")
    message = tmp_path / "termination-log"
    env = {
        **os.environ,
        "MLDSL_OUTPUTS_DIR": str(tmp_path / "out"),
        "MLDSL_LOCAL_RUN": "1",
        "MLDSL_TERMINATION_LOG": str(message),
    }
    blocked = "import sys; sys.modules['papermill'] = None; p = sys.argv[1]; exec(compile(open(p).read(), p, 'exec'))"
    done = subprocess.run([sys.executable, "-c", blocked, str(script)], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "needs papermill in this machine's Python (pip install 'mldsl[notebook]')" in done.stderr
    assert message.read_text(encoding="utf-8").startswith("this notebook step needs papermill")


def test_mldsl_run_refuses_before_any_step_when_papermill_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from mldsl.ops.local_run import notebook_tools_missing

    root = lab(tmp_path, RUN_MODULE, EXPLORE, GATED)
    (pipeline,) = compile_paths([root]).program.pipelines
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name in ("papermill", "nbconvert") else real(name, *a)
    )
    assert notebook_tools_missing(pipeline) == ["nbconvert", "papermill"]


def test_the_local_cache_reuses_a_notebook_step_until_a_cell_changes(tmp_path: Path) -> None:
    pytest.importorskip("papermill", reason="the notebook extra: pip install -e '.[notebook]'")
    spec = "  steps:\n    explore: {uses: explore@1, with: {rows: 3}, cache: {ttl: 1d}}\n"
    root = lab(tmp_path, RUN_MODULE, EXPLORE, spec)
    home = tmp_path / "home"
    runs = []
    for edit in (None, None, "auc = round(n * rate, 3)"):
        if edit is not None:  # the same notebook with a changed cell
            (root / "explore.ipynb").write_text(EXPLORE.replace(edit, "auc = round(n * rate * 2, 3)"), encoding="utf-8")
        code_, record, err = _run(root, home)
        assert code_ == 0, err
        runs.append((record["steps"]["explore"]["cached"], record["steps"]["explore"]["outputs"]["auc"]))
    assert runs == [(False, 1.5), (True, 1.5), (False, 3.0)]


def test_a_deeply_nested_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    root = lab(tmp_path, module(INPUTS), "[" * 100_000 + "]" * 100_000)
    (d,) = compile_paths([root]).diagnostics
    assert (d.code, d.span.line) == ("MLD613", 1) and "nested too deeply" in d.message


def test_diff_between_git_revisions_reads_each_revisions_notebook(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("no git on this machine")
    root = lab(tmp_path, module(INPUTS), notebook(PARAMS, code("x = 1")))

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=root, check=True, capture_output=True
        )

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "one")
    (root / "explore.ipynb").write_text(notebook(PARAMS, code("x = 2")), encoding="utf-8")
    git("commit", "-qam", "two")
    done = subprocess.run([*MLDSL, "diff", "HEAD~1", "HEAD", "--format", "json"], cwd=root, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    (mod,) = json.loads(done.stdout)["modules"]
    assert [c["path"] for c in mod["changes"]] == ["run.notebook.cell 2"]


def test_a_markdown_cell_tagged_parameters_is_named(tmp_path: Path) -> None:
    tagged = {**markdown("rows and rate"), "metadata": {"tags": ["parameters"]}}
    root = lab(tmp_path, module(INPUTS), notebook(markdown("# A"), tagged, code("rows = 1\nrate = 0.5")))
    (d,) = compile_paths([root]).diagnostics
    assert d.code == "MLD611" and d.message.startswith("cell 2, tagged 'parameters', is a markdown cell"), d.render()
