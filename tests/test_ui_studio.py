"""`mldsl ui` without HTTP: the studio and the composer's YAML (renames, round trips, saves), the JavaScript types."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ui_support import (
    EXAMPLES,
)

from mldsl.lang.mtypes import assignable, parse_type
from mldsl.ui.compose import model_of, pipelines_in, render
from mldsl.ui.studio import Studio

from conftest import ROOT, run_in_node

pytest_plugins = ["ui_support"]  # its fixtures: project, ui, cluster


def test_renamed_steps_and_params_keep_what_the_composer_does_not_edit() -> None:
    text = (EXAMPLES["churn-train"] / "pipelines" / "churn-train.yaml").read_text()
    [doc] = pipelines_in(text)
    model = model_of(doc)
    model["params"][3].update(was="n_estimators", name="trees")
    model["steps"][3].update(was="train", name="fit")
    out = render(model, text, "churn-train")
    changed = [(a, b) for a, b in zip(text.splitlines(), out.splitlines(), strict=True) if a != b]
    assert changed == [
        (
            "    n_estimators: {type: int, default: 200, min: 10, max: 2000}",
            "    trees: {type: int, default: 200, min: 10, max: 2000}",
        ),
        ("    train:", "    fit:"),
        # issue #14 U1: what the composer does not edit follows the rename too
        ('    model: "${{ steps.train.outputs.model }}"', '    model: "${{ steps.fit.outputs.model }}"'),
        ('    model_uri: "${{ steps.train.outputs.model.uri }}"', '    model_uri: "${{ steps.fit.outputs.model.uri }}"'),
    ]


def test_a_rename_reaches_when_after_outputs_and_on_exit() -> None:
    """Issue #14 U1: renaming `evaluate` and `min_auc` rewrote `with:` only; `when`, outputs... kept the old names."""
    text = (EXAMPLES["churn-train"] / "pipelines" / "churn-train.yaml").read_text()
    text = text.replace("      uses: register-model@1.0.0\n", "      uses: register-model@1.0.0\n      after: evaluate\n")
    [doc] = pipelines_in(text)
    model = model_of(doc)
    model["params"][4].update(was="min_auc", name="auc_floor")
    model["steps"][4].update(was="evaluate", name="score")
    out = render(model, text, "churn-train")
    assert 'when: "${{ steps.score.outputs.auc >= params.auc_floor }}"' in out
    assert 'auc: "${{ steps.score.outputs.auc }}"' in out and "after: score" in out
    assert "steps.evaluate" not in out and "params.min_auc" not in out


def test_swapped_names_are_renamed_at_once() -> None:
    from mldsl.ui.compose_write import _rename_references

    spec = {"outputs": {"a": "${{ steps.x.outputs.v + steps.y.outputs.v }}"}, "steps": {"s": {"after": ["x", "y"]}}}
    _rename_references(spec, {"x": "y", "y": "x"}, {})
    assert spec == {"outputs": {"a": "${{ steps.y.outputs.v + steps.x.outputs.v }}"}, "steps": {"s": {"after": ["y", "x"]}}}


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_every_example_pipeline_round_trips_byte_for_byte(example: str) -> None:
    files = [f for f in EXAMPLES[example].rglob("*.yaml") if pipelines_in(f.read_text())]
    assert files or example == "churn-serving"
    for f in files:
        text = f.read_text()
        for doc in pipelines_in(text):
            assert render(model_of(doc), text, doc["metadata"]["name"]) == text, f


@pytest.mark.parametrize("first", [True, False], ids=["pipeline-first", "pipeline-second"])
def test_saving_one_pipeline_keeps_the_other_documents_bytes(first: bool) -> None:
    """Issue #12 item 4: a save rendered the whole file, so the file's other documents were reformatted."""
    pipeline = (EXAMPLES["churn-train"] / "pipelines" / "churn-train.yaml").read_text()
    other = (
        "# not canonical: flow maps, extra spaces, a 1e-3 and a timestamp\n"
        "apiVersion:   mldsl/v1\nkind: Module\nmetadata:   {version: 1.0.0, name: m, description: 2024-06-01T12:00:00.5Z}\n"
        "spec:\n    inputs: {lr: {type: float, default: 1e-3}}\n    run: {container: {image: busybox}}   \n"
    )
    text = pipeline + "---\n" + other if first else other + "---\n" + pipeline
    [doc] = pipelines_in(text)
    model = model_of(doc)
    assert render(model, text, "churn-train") == text
    model["steps"][1]["with"]["window_days"] = 60
    out = render(model, text, "churn-train")
    assert other in out and out.count("window_days: 60") == 1
    assert len(out.splitlines()) == len(text.splitlines())


def test_text_that_yaml_would_retype_is_quoted_when_saved() -> None:
    """Issue #14 U2: `no`, `on`, `1e-3` were written plain and read back as false, true, 0.001."""
    from mldsl.lang.yamlsource import load_yaml_text

    words = ["no", "yes", "on", "off", "12:30", "1e-3", "~", "true", "0x1F", "010", "plain words"]
    model = {
        "name": "p",
        "description": "",
        "params": [],
        "steps": [{"name": "a", "uses": "notify-webhook@1", "with": {f"k{i}": w for i, w in enumerate(words)}}],
    }
    text = render(model, None, None)
    [doc], diags = load_yaml_text(text, "p.yaml")
    assert not diags and list(doc.data["spec"]["steps"]["a"]["with"].values()) == words
    assert "k10: plain words" in text  # what needs no quotes gets none


TYPES_JS = ROOT / "mldsl" / "ui" / "js" / "types.js"
HINTS_JS = ROOT / "mldsl" / "ui" / "js" / "hints.js"


# --- wiring: only type-compatible choices -----------------------------------------------------------------------------


TYPES = [
    "str", "int", "float", "bool", "artifact", "artifact(parquet)", "artifact(csv)", "secret", "enum", "list[int]",
    "list[float]", "list[str]", "dict[str, int]", "dict[str, float]", "list[list[int]]",
]  # fmt: skip


ENUMS = [("a", "b"), ("a",), (1, 2), (1.5, 2), (True,), ("a", 1)]


def _types() -> list[Any]:
    from mldsl.lang.mtypes import MType

    out: list[Any] = []
    for t in TYPES:
        if t.startswith("artifact("):
            out.append(MType("artifact", format=t[9:-1]))
        elif t != "enum":
            out.append(parse_type(t))
    out += [MType("enum", values=v) for v in ENUMS]
    return [*out, MType("any")]


def test_python_and_javascript_agree_on_what_may_be_wired(tmp_path: Path) -> None:
    from mldsl.ui.studio import type_json

    types = _types()
    pairs = [(a, b) for a in types for b in types]
    cases = [[type_json(a), type_json(b)] for a, b in pairs]
    got = run_in_node(TYPES_JS, "cases.map(([a, b]) => assignable(a, b))", cases, tmp_path)
    expected = [assignable(a, b) for a, b in pairs]
    mismatches = [(str(a), str(b), e) for (a, b), e, g in zip(pairs, expected, got, strict=True) if e != g]
    assert mismatches == [], f"Python and JavaScript disagree on {mismatches}"
    assert len(pairs) > 300 and 0.05 < sum(expected) / len(expected) < 0.5


def test_checks_of_one_opened_file_do_not_leak_into_each_other() -> None:
    """The parse of an opened file is cached between checks; each render starts from the file as opened."""
    existing = (
        "# the team's pipeline\napiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  steps:\n"
        "    a:  # first\n      uses: check-metrics@1\n      with: {metrics: x}\n      retries: 2\n"
    )
    model = model_of(pipelines_in(existing)[0])
    renamed = json.loads(json.dumps(model))
    renamed["steps"][0].update(name="b", was="a")
    first = render(renamed, existing, "p")
    again = render(renamed, existing, "p")  # a renamed step must still find its old self ("was": a)
    assert first == again and "retries: 2" in first and "# first" in first
    assert render(model, existing, "p") == existing


def _random_pipeline(rnd: Any) -> str:
    lines = ["# header", "apiVersion: mldsl/v1", "kind: Pipeline", "metadata:", "  name: p", "spec:"]
    if rnd.random() < 0.5:
        lines += ["  params:", "    day: {type: str, default: x}  # the day"]
    lines.append("  steps:")
    for i in range(rnd.randint(1, 6)):
        if rnd.random() < 0.2:
            lines.append(rnd.choice(["", "    # about the next step", "      # deep"]))
        lines.append(f"    s{i}:" + (" # eol" if rnd.random() < 0.2 else ""))
        lines.append(f"      uses: {rnd.choice(['check-metrics@1', 'split-dataset@1'])}")
        if rnd.random() < 0.7:
            lines.append(f"      with: {{metrics: m{i}, n: {i}}}")
        if rnd.random() < 0.3:
            lines.append("      retries: 2  # flaky")
        if rnd.random() < 0.2:
            lines += ["      when: |", "        ${{ params.day }} != 'x'"]
    if rnd.random() < 0.3:
        lines += ["  outputs:", "    x: ${{ steps.s0.outputs.out }}"]
    if rnd.random() < 0.3:
        lines.append("# trailing")
    text = "\n".join(lines) + "\n"
    if rnd.random() < 0.3:
        text += "---\napiVersion: mldsl/v1\nkind: Project\nmetadata: {name: x}  # other\n"
    return text


def test_a_check_that_re_renders_only_the_changed_steps_gives_the_full_render() -> None:
    """compose._splice against the full ruamel render on generated files and edits."""
    import random

    from mldsl.fmt.format import _yaml, dump_canonical
    from mldsl.ui import compose

    spliced = 0
    for seed in range(150):
        rnd = random.Random(seed)
        existing = _random_pipeline(rnd)
        compose._RENDERS.clear()
        model = model_of(pipelines_in(existing)[0])
        render(model, existing, "p")  # the first check: a full render, remembered
        for _ in range(3):
            edited = json.loads(json.dumps(model))
            for step in rnd.sample(edited["steps"], rnd.randint(1, len(edited["steps"]))):
                pick = rnd.random()
                if pick < 0.4:
                    step["with"]["metrics"] = rnd.choice(["changed", "${{ params.day }}", "two words", "two\nlines"])
                elif pick < 0.6:
                    step["with"] = {}
                elif pick < 0.8:
                    step["uses"] = "train-sklearn@1"
                else:
                    step["with"]["extra"] = [1, 2]
            fast = compose._splice(edited, existing, "p")
            docs = compose._parsed(existing)
            compose._apply(edited, docs, "p")
            full = dump_canonical(_yaml(), docs)
            if fast is not None:
                spliced += 1
                assert fast == full, existing
    assert spliced > 300, spliced


def test_an_edit_made_while_a_save_compiles_is_not_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The changed-on-disk check runs again right before the rename (issue #12, item 5)."""
    root = tmp_path / "p"
    shutil.copytree(EXAMPLES["churn-train"], root)
    studio = Studio(root)
    opened = studio.open("pipelines/churn-train.yaml")
    target = root / "pipelines" / "churn-train.yaml"
    compile_it = studio._compile

    def slow_compile(path: Path, text: str) -> Any:
        target.write_text(target.read_text() + "# an edit made in the editor meanwhile\n")
        return compile_it(path, text)

    monkeypatch.setattr(studio, "_compile", slow_compile)
    opened["model"]["description"] = "changed in the composer"
    with pytest.raises(Exception, match="changed on disk while it was checked") as refused:
        studio.save(opened)
    assert getattr(refused.value, "status", 409) == 409
    assert target.read_text().endswith("# an edit made in the editor meanwhile\n")


def test_writes_keep_the_mode_and_symlinks_and_leave_no_temp_files(tmp_path: Path) -> None:
    """Issue #12, item 9: mkstemp's 0600 is not what a save or a compile should leave behind."""
    from mldsl.util.atomic import write_atomically

    kept = tmp_path / "kept.yaml"
    kept.write_text("a: 1\n")
    kept.chmod(0o664)
    real = tmp_path / "real.yaml"
    real.write_text("b: 1\n")
    (tmp_path / "link.yaml").symlink_to(real)
    old = os.umask(0o022)
    try:
        write_atomically(tmp_path, [("kept.yaml", "a: 2\n"), ("new.yaml", "n: 1\n"), ("link.yaml", "b: 2\n")])
    finally:
        os.umask(old)
    assert (kept.stat().st_mode & 0o777, kept.read_text()) == (0o664, "a: 2\n")
    assert (tmp_path / "new.yaml").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "link.yaml").is_symlink() and real.read_text() == "b: 2\n"

    def refuse() -> None:
        raise RuntimeError("changed meanwhile")

    with pytest.raises(RuntimeError):
        write_atomically(tmp_path, [("kept.yaml", "a: 3\n")], precondition=refuse)
    assert kept.read_text() == "a: 2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.yaml", "link.yaml", "new.yaml", "real.yaml"]


def test_apply_is_offered_only_where_it_can_work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Issue #14 U6: with only ARGO_SERVER set, "Apply project" was offered and failed (apply needs the k8s API)."""
    from mldsl.ui.studio import cluster_configured

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.setenv("ARGO_SERVER", "localhost:2746")
    assert cluster_configured()["configured"] and not cluster_configured()["can_apply"]
    (tmp_path / "kc").write_text("apiVersion: v1\n")
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "kc"))
    assert cluster_configured()["can_apply"]


def test_hints_are_phrased_for_the_form(tmp_path: Path) -> None:
    """Issue #14 U13: the compiler's hints speak YAML; the composer's user sees cards and fields."""
    hints = [
        "add it under 'with:' (int)",
        "quote the value to make it a string",
        "for example 1.2.0 (quote it in YAML if it looks like a number)",
    ]
    got = run_in_node(HINTS_JS, "cases.map(formHint)", hints, tmp_path)
    assert got[0] == "set it in the step's card (choose a value, an expression or a wire) (int)"
    assert "quote" not in " ".join(got) and "YAML" not in " ".join(got) and "with:" not in " ".join(got)


def test_ui_and_forms_files_follow_the_umask(tmp_path: Path, project: Path) -> None:
    """Issue #14 P1: a pipeline saved from the composer and every file `mldsl forms` writes are 0644 under
    umask 022 (not mkstemp's 0600)."""
    old = os.umask(0o022)
    try:
        studio = Studio(project)
        model = {
            "name": "fresh",
            "description": "",
            "params": [],
            "steps": [{"name": "load", "uses": "read-table@1", "with": {"source": "s3://ml-data/k.csv"}}],
        }
        studio.save({"path": "pipelines/fresh.yaml", "token": None, "original": None, "model": model})
        out = tmp_path / "forms"
        p = subprocess.run([sys.executable, "-m", "mldsl", "forms", str(project), "-o", str(out)], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
    finally:
        os.umask(old)
    modes = {f.name: f.stat().st_mode & 0o777 for f in [project / "pipelines" / "fresh.yaml", *out.iterdir()]}
    assert set(modes.values()) == {0o644}, modes


def _through_javascript(value: Any) -> Any:
    """A value as the page sends it back: JavaScript has one number type, so ``1.0`` returns as ``1``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _through_javascript(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_through_javascript(v) for v in value]
    return value


def test_a_float_written_as_1_0_stays_1_0() -> None:
    """Issue #30 m14: saving from the composer changed ``max: 1.0`` to ``max: 1`` (and a step's ``0.0`` to ``0``)."""
    text = (EXAMPLES["churn-train"] / "pipelines" / "churn-train.yaml").read_text()
    assert "max: 1.0}" in text
    text = text.replace("learning_rate: 0.05", "learning_rate: 1.0")
    [doc] = pipelines_in(text)
    model = _through_javascript(model_of(doc))
    out = render(model, text, "churn-train")
    assert out == text
    model["params"][4]["max"] = 0.95  # a real change is written
    assert "max: 0.95}" in render(model, text, "churn-train")
