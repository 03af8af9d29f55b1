"""Shared fixtures: paths, the official upstream schemas, and a strict CRD index."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
#: The official schemas live beside the clone (../shared), never inside the project.
UPSTREAM = Path(os.environ.get("MLDSL_UPSTREAM_SCHEMAS", ROOT.parent / "shared" / "upstream-schemas"))


def example_dirs() -> list[Path]:
    return sorted(p for p in EXAMPLES.iterdir() if p.is_dir() and any(p.rglob("*.yaml")) and p.name != "ci")


@pytest.fixture(scope="session")
def argo_crds():
    """Strict schemas of Argo's WorkflowTemplate / CronWorkflow / Workflow CRDs (v4.1.2)."""
    folder = UPSTREAM / "argo-workflows"
    if not folder.is_dir():
        pytest.skip(f"upstream Argo CRDs not found at {folder}: set MLDSL_UPSTREAM_SCHEMAS or put shared/ beside the clone")
    from mldsl.backends.crdcheck import CrdIndex

    index = CrdIndex()
    index.add_files(sorted(folder.glob("*.yaml")))
    return index
