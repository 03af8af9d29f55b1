"""`mldsl fmt`: canonical, comment-keeping, idempotent, atomic; `--check` for CI."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mldsl.fmt import format_text
from mldsl.yamlsource import load_yaml_text

from conftest import ROOT, example_dirs

FILES = sorted(
    [f for d in example_dirs() for f in d.rglob("*.yaml")]
    + list((ROOT / "modules").rglob("*.yaml"))
    + [f for f in (ROOT / "tests" / "invalid").rglob("*.yaml") if not load_yaml_text(f.read_text(), "x")[1]]
)


def comments(text: str) -> list[str]:
    return [m.group(0).strip() for m in re.finditer(r"#[^\n]*", text) if not m.group(0).startswith("#{")]


def test_examples_keep_every_comment_and_are_idempotent() -> None:
    assert len(FILES) > 40
    for f in FILES:
        text = f.read_text(encoding="utf-8")
        once, diags = format_text(text)
        assert not diags, f
        twice, _ = format_text(once)
        assert twice == once, f"fmt is not idempotent on {f}"
        assert sorted(comments(once)) == sorted(comments(text)), f"comments lost in {f}"
        a, _ = load_yaml_text(text, "a")
        b, _ = load_yaml_text(once, "b")
        assert [d.data for d in a] == [d.data for d in b], f"fmt changed the data of {f}"


def test_canonical_layout() -> None:
    messy = (
        "spec:   # the spec\n    steps:\n        a:\n            uses: x\n            after:\n            - b\n"
        "kind: Pipeline\nmetadata:\n    version: 1.0.0\n    name: p\napiVersion: mldsl/v1   \n"
    )
    out, _ = format_text(messy)
    assert out == (
        "apiVersion: mldsl/v1\nkind: Pipeline\nmetadata:\n  name: p\n  version: 1.0.0\nspec:   # the spec\n"
        "  steps:\n    a:\n      uses: x\n      after:\n        - b\n"
    )


def test_invalid_yaml_is_reported_and_left_alone() -> None:
    text = "a: [1\n"
    out, diags = format_text(text, "f.yaml")
    assert out == text and [d.code for d in diags] == ["MLD002"]


def test_cli_check_and_write(tmp_path: Path) -> None:
    src = next(d for d in example_dirs() if d.name == "churn-train")
    work = tmp_path / "p"
    shutil.copytree(src, work)
    target = work / "pipelines" / "churn-train.yaml"
    target.write_text(
        target.read_text().replace("\n  steps:", "\n  steps:   # keep me").replace("  params:\n", "  params:\n  \n")
    )
    (work / "values.yaml").write_text("not:   mldsl\n")  # other tools' YAML is left alone
    run = [sys.executable, "-m", "mldsl", "fmt"]
    check = subprocess.run([*run, "--check", str(work)], capture_output=True, text=True)
    assert check.returncode == 1 and "would reformat" in check.stdout and "churn-train.yaml" in check.stdout
    gh = subprocess.run([*run, "--check", "--format", "github", str(work)], capture_output=True, text=True)
    assert gh.returncode == 1 and "title=MLD010::file is not formatted" in gh.stdout
    before = target.read_text()
    assert subprocess.run([*run, str(work)], capture_output=True, text=True).returncode == 0
    after = target.read_text()
    assert after != before and "# keep me" in after
    assert (work / "values.yaml").read_text() == "not:   mldsl\n"
    assert subprocess.run([*run, "--check", str(work)], capture_output=True, text=True).returncode == 0
    assert not list(work.rglob(".*.yaml.*")), "temporary files left behind"


@st.composite
def reindented(draw: st.DrawFn) -> str:
    """An example re-indented with a random width, keys of the top level shuffled."""
    text = draw(st.sampled_from(FILES)).read_text(encoding="utf-8")
    width = draw(st.sampled_from([2, 3, 4]))
    lines = [re.sub(r"^( +)", lambda m: " " * (len(m.group(1)) // 2 * width), line) for line in text.splitlines()]
    return "\n".join(lines) + draw(st.sampled_from(["\n", "\n\n", ""]))


@settings(max_examples=60, deadline=None)
@given(reindented())
def test_fmt_is_idempotent(text: str) -> None:
    once, diags = format_text(text)
    if diags:
        return  # re-indenting block scalars can make invalid YAML: reported, not formatted
    assert format_text(once)[0] == once
