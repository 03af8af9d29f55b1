"""The README's language tour is valid mldsl: a new user can copy it and it compiles."""

from __future__ import annotations

import re
from pathlib import Path

from mldsl.backends import emit_all
from mldsl.compiler import compile_paths

from conftest import ROOT


def test_readme_documents_compile(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "apiVersion: mldsl/v1" in b]
    kinds = [re.search(r"^kind: (\w+)", b, re.M).group(1) for b in blocks]  # type: ignore[union-attr]
    assert kinds == ["Project", "Module", "Pipeline", "Sweep", "Serving"]
    del blocks[3], kinds[3]  # the Sweep searches the gpu-training example: checked below
    project = tmp_path / "project"
    (project / "modules").mkdir(parents=True)
    (tmp_path / "platform" / "modules").mkdir(parents=True)
    for kind, block in zip(kinds, blocks, strict=True):
        name = {
            "Project": "mldsl.yaml",
            "Module": "modules/add-features.yaml",
            "Pipeline": "pipeline.yaml",
            "Serving": "serving.yaml",
        }[kind]
        (project / name).write_text(block, encoding="utf-8")
    result = compile_paths([project])
    assert result.ok, "\n".join(d.render() for d in result.diagnostics)
    assert [m.filename for m in emit_all(result.program)] == [
        "churn-api.inferenceservice.yaml",
        "churn-train.cronworkflow.yaml",
        "churn-train.workflowtemplate.yaml",
    ]


def test_readme_sweep_compiles_against_the_gpu_example(tmp_path: Path) -> None:
    import shutil

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    [sweep] = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "kind: Sweep" in b]
    project = tmp_path / "gpu"
    shutil.copytree(ROOT / "examples" / "gpu-training", project)
    (project / "sweeps.yaml").write_text(sweep.replace("name: ranker-random", "name: readme-sweep"), encoding="utf-8")
    result = compile_paths([project])
    assert result.ok, "\n".join(d.render() for d in result.diagnostics)
    assert "readme-sweep.workflow.yaml" in [m.filename for m in emit_all(result.program)]


def _tree() -> list[tuple[str, str]]:
    """(parent, folder) for each folder the README's tree names under "How it is built"."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## How it is built", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    out, parent = [], ""
    for line in block.splitlines():
        for name in re.findall(r"(?:^|\s)([a-z_]+)/(?=\s|$)", line):
            if not line.startswith(" "):
                parent = name if name == "mldsl" else ""
                out.append(("", name))
            else:
                out.append((parent, name))
    return out


def test_the_readme_tree_matches_the_folders() -> None:
    named = _tree()
    for parent, name in named:
        assert (ROOT / parent / name).is_dir(), f"the README's tree names {parent}/{name}, which is not a folder"
    rooms = {p.name for p in (ROOT / "mldsl").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert rooms == {n for p, n in named if p == "mldsl"}, "every room of mldsl/ is in the README's tree, and no other"
