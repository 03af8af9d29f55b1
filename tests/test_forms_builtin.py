"""Issue #30 m16: `mldsl forms` wrote nothing for the built-in modules a project uses; `--builtin` writes a form
for each, every version apart (register-model 1.0.0 and 1.1.0 wrote one file, the second over the first)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from mldsl.lang.sourcefiles import builtin_modules_dir

from conftest import ROOT


def mldsl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mldsl", *args], capture_output=True, text=True)


def builtin_versions() -> set[tuple[str, str]]:
    out = set()
    for f in builtin_modules_dir().rglob("*.yaml"):
        doc = yaml.safe_load(f.read_text())
        if isinstance(doc, dict) and doc.get("kind") == "Module":
            out.add((doc["metadata"]["name"], str(doc["metadata"]["version"])))
    return out


def test_builtin_writes_a_form_per_module_and_version(tmp_path: Path) -> None:
    p = mldsl("forms", "--builtin", "-o", str(tmp_path / "out"))
    assert p.returncode == 0, p.stderr
    pages = sorted(x.name for x in (tmp_path / "out").glob("module-*.html"))
    versions = builtin_versions()
    assert len(pages) == len(versions) and len(versions) > len({n for n, _ in versions})  # one module has two versions
    one = (tmp_path / "out" / "module-register-model-1.0.0.html").read_text()
    two = (tmp_path / "out" / "module-register-model-1.1.0.html").read_text()
    assert "register-model 1.0.0" in one and "register-model 1.1.0" in two
    index = (tmp_path / "out" / "index.html").read_text()
    assert all(f'href="{page}"' in index for page in pages)
    assert f"({len(pages)} forms, listed in index.html)" in p.stderr


def test_a_project_says_which_builtin_modules_it_uses_and_builtin_adds_their_forms(tmp_path: Path) -> None:
    project = tmp_path / "churn"
    shutil.copytree(ROOT / "examples" / "churn-train", project)
    p = mldsl("forms", str(project), "-o", str(tmp_path / "plain"))
    assert p.returncode == 0, p.stderr
    assert "built-in modules used here (evaluate-classifier, notify-webhook, read-table" in p.stderr
    assert not list((tmp_path / "plain").glob("module-read-table*"))
    p = mldsl("forms", str(project), "--builtin", "-o", str(tmp_path / "all"))
    assert p.returncode == 0, p.stderr
    names = {x.name for x in (tmp_path / "all").glob("*.html")}
    assert {"pipeline-churn-train.html", "module-add-features.html", "module-read-table.html"} <= names
    assert "--builtin" not in p.stderr


def test_forms_without_a_path_or_builtin_is_a_usage_error(tmp_path: Path) -> None:
    p = mldsl("forms", "-o", str(tmp_path / "out"))
    assert p.returncode == 2 and "give a PATH (a project, a folder or a file), or --builtin" in p.stderr
    assert not (tmp_path / "out").exists()
