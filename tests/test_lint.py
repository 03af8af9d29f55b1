"""Code hygiene is part of the suite: ruff (lint and format) and mypy --strict stay clean."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from conftest import ROOT


def _need(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (pip install -e '.[dev]')")


def test_ruff() -> None:
    _need("ruff")
    for args in (["check", "."], ["format", "--check", "."]):
        p = subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True)
        assert p.returncode == 0, p.stdout + p.stderr


def test_mypy_strict() -> None:
    _need("mypy")
    p = subprocess.run([sys.executable, str(ROOT / "tools" / "typecheck.py")], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
