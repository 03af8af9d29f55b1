"""A wheel built from the repository works outside the checkout: grammars, library and schema included."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, example_dirs


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Build from a copy: setuptools reuses ./build, whose stale files would hide a package missing from pyproject.toml.
    source = tmp_path_factory.mktemp("source") / "mldsl"
    skip = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "tests", "examples")
    shutil.copytree(ROOT, source, ignore=skip)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{proc.stderr[-2000:]}")
    [whl] = out.glob("mldsl-*.whl")
    return whl


def test_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "mldsl/grammar/expression.lark",
        "mldsl/grammar/type.lark",
        "mldsl/compiler/passes.py",
        "mldsl/backends/argo/workflow.py",
        "mldsl/backends/forms/form.js",
        "mldsl/backends/forms/form.css",
        "mldsl/ui/js/main.js",
        "mldsl/ui/js/canvas.js",
        "mldsl/ui/vendor/dagre.min.js",
        "mldsl/ui/app.css",
        "mldsl/ui/app.html",
        "mldsl/backends/argo/pick_best.py",
        "mldsl/modules/train-sklearn/module.yaml",
        "mldsl/modules/train-sklearn/main.py",
        "mldsl/schemas/mldsl.schema.json",
        "mldsl/py.typed",
    ):
        assert needed in names, needed
    assert not any(n.startswith(("tests/", "examples/", "compiler/", "backends/")) for n in names)


def test_wheel_has_every_package(wheel: Path) -> None:
    """A subpackage missing from pyproject's list would import in the checkout and fail once installed."""
    names = set(zipfile.ZipFile(wheel).namelist())
    mapping = {"mldsl": "mldsl", "compiler": "mldsl/compiler", "backends": "mldsl/backends"}
    for top, installed in mapping.items():
        for init in sorted((ROOT / top).rglob("__init__.py")):
            sub = init.parent.relative_to(ROOT / top).as_posix()
            where = f"{installed}/{sub}/__init__.py" if sub != "." else f"{installed}/__init__.py"
            assert where in names, f"{init.relative_to(ROOT)} is not in the wheel: add its package to pyproject.toml"


def test_wheel_compiles_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)], check=True
    )
    example = next(d for d in example_dirs() if d.name == "nightly-regions")
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = (
        "import sys, mldsl, mldsl.lang.grammars; from mldsl.cli.main import main\n"
        "assert mldsl.__file__.startswith(sys.argv[1]), mldsl.__file__\n"
        "mldsl.lang.grammars.parser('expression')\n"
        "from mldsl.ui.page import module_script, page\n"
        "assert '/js/main.js' in page('token', 'nonce', '/')[0] and 'startComposer' in module_script('main.js')\n"
        "main(['compile', sys.argv[2], '-o', 'out'])"
    )
    p = subprocess.run(
        [sys.executable, "-c", code, str(target), str(example)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "out" / "nightly-regions.workflowtemplate.yaml").is_file()
