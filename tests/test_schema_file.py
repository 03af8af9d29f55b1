"""The checked-in JSON Schema of the language is current, and describes what the loader accepts."""

from __future__ import annotations

import json

import yaml
from jsonschema import Draft202012Validator

from mldsl.lang.jsonschema_gen import schema_text

from conftest import ROOT, example_dirs

SCHEMA = ROOT / "schemas" / "mldsl.schema.json"


def test_schema_is_current() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == schema_text(), "stale: run `mldsl schema -o schemas/mldsl.schema.json`"


def test_examples_and_modules_validate_against_the_schema() -> None:
    validator = Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    files = [f for d in example_dirs() for f in d.rglob("*.yaml") if ".mldsl" not in f.parts] + list(
        (ROOT / "modules").rglob("*.yaml")
    )
    assert len(files) > 8
    for f in files:
        for doc in yaml.safe_load_all(f.read_text(encoding="utf-8")):
            errors = list(validator.iter_errors(doc))
            assert not errors, f"{f}: {errors[0].message}"


def test_schema_refuses_unknown_fields() -> None:
    validator = Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    doc = {
        "apiVersion": "mldsl/v1",
        "kind": "Module",
        "metadata": {"name": "m", "version": "1.0.0"},
        "spec": {"run": {"container": {"imag": "x"}}},
    }
    assert list(validator.iter_errors(doc))
