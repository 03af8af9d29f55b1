"""The frozen core schemas (``mldsl/lang/models/fast.py``) accept what the pydantic models accept, and give the same.

The CLI validates with them to start without pydantic (issue #15); the pydantic models stay the source
and explain the errors. Every document of the examples, the built-in library, the invalid corpus and
generated projects goes through both.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pydantic_core
import pytest
from hypothesis import HealthCheck, given, settings
from pipeline_gen import projects

from mldsl.lang.models import fast, frozen
from mldsl.lang.models.kinds import KIND_MODELS
from mldsl.lang.yamlsource import load_yaml_text

from conftest import ROOT

#: what the compiler reads besides the fields
PROPERTIES = ("kind", "has_default", "after_list", "crons", "args", "model_fields_set")


def _documents() -> list[tuple[str, Any]]:
    files = [
        f
        for folder in ("examples", "modules", "tests/invalid", "tests/projects")
        for f in sorted((ROOT / folder).rglob("*.yaml"))
        if ".mldsl" not in f.parts
    ]
    docs = []
    for f in files:  # read as the CLI reads them (YAML 1.2 numbers, refused tags)
        loaded, _ = load_yaml_text(f.read_text(encoding="utf-8"), str(f))
        docs += [(f"{f.relative_to(ROOT)}#{i}", d.data) for i, d in enumerate(loaded) if isinstance(d.data, dict)]
    return [(n, d) for n, d in docs if isinstance(d.get("kind"), str) and d["kind"] in KIND_MODELS]


DOCUMENTS = _documents()


def shape(obj: Any) -> Any:
    """A model (either kind) as plain data: its class name, fields and computed properties."""
    if isinstance(obj, (list, tuple)):
        return [shape(v) for v in obj]
    if isinstance(obj, dict):
        return {k: shape(v) for k, v in obj.items()}
    if hasattr(obj, "__pydantic_fields_set__"):
        props = {}
        for p in PROPERTIES:
            try:
                props[p] = shape(sorted(getattr(obj, p)) if p == "model_fields_set" else getattr(obj, p))
            except (AttributeError, StopIteration, TypeError):
                continue
        return {"class": type(obj).__name__, "fields": {k: shape(v) for k, v in vars(obj).items()}, **props}
    return obj


def both(kind: str, data: Any) -> tuple[Any, Any]:
    """(pydantic's result or None, the frozen schema's result or None)."""
    results = []
    for validate in (KIND_MODELS[kind].model_validate, fast.validator(kind).validate_python):  # type: ignore[union-attr]
        try:
            results.append(validate(data))
        except pydantic_core.ValidationError:
            results.append(None)
    return results[0], results[1]


def test_the_frozen_file_is_current() -> None:
    if fast.thawed() is None:
        pytest.skip(f"frozen with another pydantic-core than {pydantic_core.__version__}: the CLI uses the pydantic models")
    assert fast.PATH.read_text(encoding="utf-8") == frozen.render(), "stale: run `python -m mldsl.lang.models.frozen`"


def test_the_corpus_is_broad() -> None:
    kinds = {d["kind"] for _, d in DOCUMENTS}
    assert kinds == set(KIND_MODELS) and len(DOCUMENTS) > 150


@pytest.mark.parametrize(("name", "doc"), DOCUMENTS, ids=[n for n, _ in DOCUMENTS])
def test_fast_validation_agrees_with_pydantic(name: str, doc: dict[str, Any]) -> None:
    slow, quick = both(doc["kind"], doc)
    assert (slow is None) == (quick is None), f"{name}: pydantic {'refuses' if slow is None else 'accepts'} it"
    if slow is not None:
        assert shape(quick) == shape(slow)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=projects())
def test_generated_documents_validate_alike(files: dict[str, str]) -> None:
    for text in files.values():
        for loaded in load_yaml_text(text, "generated.yaml")[0]:
            doc = loaded.data
            if isinstance(doc, dict) and isinstance(doc.get("kind"), str) and doc["kind"] in KIND_MODELS:
                slow, quick = both(doc["kind"], doc)
                assert shape(quick) == shape(slow)


def test_defaults_of_nested_models_are_objects_of_their_own() -> None:
    """``spec: {}`` of a Project fills gpu, artifacts and local from their models' defaults (default factories)."""
    doc = {"apiVersion": "mldsl/v1", "kind": "Project", "metadata": {"name": "p"}}
    slow, quick = both("Project", doc)
    assert shape(quick) == shape(slow)
    assert quick.spec.gpu.resource == "nvidia.com/gpu" and quick.spec.gpu is not both("Project", doc)[1].spec.gpu
    with pytest.raises(AttributeError):
        quick.spec.image = "x"  # frozen, as the models are


def test_validate_starts_without_pydantic(tmp_path: Path) -> None:
    """A valid file is validated without importing pydantic; one with errors imports it to explain them."""
    good = ROOT / "examples" / "churn-train"
    code = (
        "import sys; from mldsl.cli.main import main\n"
        "sys.argv = ['mldsl', 'validate', sys.argv[1]]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    print(e.code, 'pydantic' in sys.modules, file=sys.stderr)\n"
    )
    p = subprocess.run([sys.executable, "-c", code, str(good)], capture_output=True, text=True)
    assert p.stderr.strip().splitlines()[-1] == "0 False", p.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: mldsl/v1\nkind: Module\nmetadata: {name: m, version: 1.0.0}\nspec: {run: {container: {imag: x}}}\n"
    )
    p = subprocess.run([sys.executable, "-c", code, str(bad)], capture_output=True, text=True)
    assert p.stderr.strip().splitlines()[-1] == "1 True" and "did you mean 'image'" in p.stderr


def test_without_the_frozen_schemas_the_models_validate(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another pydantic-core than the file was frozen with: every document goes to the pydantic models."""
    from mldsl.compiler import compile_paths

    monkeypatch.setattr(fast, "validator", lambda kind: None)
    result = compile_paths([ROOT / "examples" / "churn-train"])
    assert result.ok and result.program.pipelines
    assert type(result.program.pipelines[0]).__name__ == "Pipeline"
