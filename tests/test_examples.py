"""Every example compiles; its manifests match the golden files byte for byte and pass the strict CRD schemas.

Regenerate the golden files after a reviewed change with::

    MLDSL_REGEN_GOLDEN=1 pytest tests/test_examples.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mldsl.backends import emit_all
from mldsl.compiler import compile_paths
from mldsl.util.yamlout import dump

from conftest import ROOT, embedded_manifests, example_dirs

GOLDEN = ROOT / "tests" / "golden"
REGEN = os.environ.get("MLDSL_REGEN_GOLDEN") == "1"


def _compiled(example: Path) -> dict[str, str]:
    result = compile_paths([example])
    assert result.ok, "\n".join(d.render() for d in result.diagnostics)
    return {m.filename: dump(m.body) for m in emit_all(result.program)}


@pytest.mark.parametrize("example", example_dirs(), ids=lambda p: p.name)
def test_golden(example: Path) -> None:
    files = _compiled(example)
    folder = GOLDEN / example.name
    if REGEN:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.yaml"):
            old.unlink()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
    expected = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml"))}
    assert sorted(files) == sorted(expected), "the set of compiled files changed"
    for name, text in files.items():
        assert text == expected[name], f"{example.name}/{name} differs from its golden file"


@pytest.mark.parametrize("example", example_dirs(), ids=lambda p: p.name)
def test_manifests_pass_strict_upstream_schemas(example: Path, argo_crds, katib_swagger, operator_crds) -> None:
    result = compile_paths([example])
    assert result.ok
    manifests = emit_all(result.program)
    assert manifests
    for m in manifests:
        assert yaml.safe_load(dump(m.body)) == m.body, f"{m.filename} does not read back as written"
        if m.body["apiVersion"] == "kubeflow.org/v1beta1":
            assert katib_swagger.check(m.body, "v1beta1.Experiment") == [], m.filename
            continue
        if not m.body["apiVersion"].startswith("argoproj.io/"):
            assert operator_crds.check(m.body) == [], m.filename  # Seldon and KServe serving objects
            continue
        problems = argo_crds.check(m.body)
        assert problems is not None, f"no upstream CRD for {m.body['apiVersion']} {m.kind}"
        assert problems == [], f"{m.filename}: " + "\n".join(problems)


def core_object_problems(obj: dict) -> list[str]:
    """A core ``v1`` object against the Kubernetes client's models (generated from the API's OpenAPI): only
    known fields, string data, and a name the API server accepts (a DNS-1123 subdomain)."""
    import re

    from kubernetes import client

    model = getattr(client, f"V1{obj['kind']}", None)
    if model is None:
        return [f"no core v1 kind {obj['kind']}"]
    problems = [f"unknown field {k}" for k in obj if k not in model.attribute_map.values()]
    meta = obj.get("metadata", {})
    problems += [f"unknown field metadata.{k}" for k in meta if k not in client.V1ObjectMeta.attribute_map.values()]
    name = meta.get("name", "")
    if len(name) > 253 or not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", name):
        problems.append(f"invalid name {name!r}")
    problems += [f"data.{k} is not a string" for k, v in (obj.get("data") or {}).items() if not isinstance(v, str)]
    return problems


@pytest.mark.parametrize("example", example_dirs(), ids=lambda p: p.name)
def test_created_resources_pass_strict_upstream_schemas(example: Path, operator_crds) -> None:
    """SparkApplications and training jobs created by resource templates are checked too."""
    for m in emit_all(compile_paths([example]).program):
        for obj in embedded_manifests(m.body):
            if obj["kind"] == "Workflow":
                continue  # a sweep's trial: checked against Argo's CRD in test_sweeps
            if obj["apiVersion"] == "v1":  # a core object (a semaphore's ConfigMap): no CRD describes it
                assert core_object_problems(obj) == [], f"{m.filename} creates a {obj['kind']} the API would refuse"
                continue
            problems = operator_crds.check(obj)
            assert problems is not None, f"no upstream CRD for {obj['apiVersion']} {obj['kind']}"
            assert problems == [], f"{m.filename} creates a {obj['kind']} the cluster would refuse: " + "\n".join(problems)


def test_strict_check_catches_a_typo(argo_crds) -> None:
    """The strict conversion must refuse unknown fields the plain CRD schema would accept."""
    example = next(d for d in example_dirs() if d.name == "churn-train")
    body = emit_all(compile_paths([example]).program)[0].body
    body["spec"]["templates"][0]["dagg"] = {}
    problems = argo_crds.check(body)
    assert problems and any("dagg" in p for p in problems)


def test_compile_is_deterministic_across_working_directories(tmp_path: Path) -> None:
    """Same input, same bytes: no absolute paths, timestamps or random names leak in."""
    example = example_dirs()[0]
    first = _compiled(example)
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, "-m", "mldsl", "compile", str(example), "-o", str(out)], cwd=tmp_path, check=True, capture_output=True
    )
    second = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.yaml")}
    assert first == second
    for text in first.values():
        assert str(ROOT) not in text
