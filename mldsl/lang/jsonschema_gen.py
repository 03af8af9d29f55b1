"""The JSON Schema of the language, generated from the pydantic models.

Checked in as ``schemas/mldsl.schema.json`` (a test fails when it is stale)
so that editors can point yaml-language-server at it.
"""

from __future__ import annotations

import json
from typing import Any

SCHEMA_ID = "https://mldsl.dev/schemas/mldsl.schema.json"


def language_schema() -> dict[str, Any]:
    from pydantic.json_schema import models_json_schema

    from mldsl.lang.loader import API_VERSION
    from mldsl.lang.models.kinds import KIND_MODELS

    _, top = models_json_schema([(m, "validation") for m in KIND_MODELS.values()], ref_template="#/$defs/{model}")
    defs = top["$defs"]
    one_of = []
    for kind, model in KIND_MODELS.items():
        d = defs[model.__name__]
        d["properties"]["apiVersion"] = {"const": API_VERSION, "description": "Always mldsl/v1."}
        d["properties"]["kind"] = {"const": kind}
        d["required"] = sorted(set(d.get("required", [])) | {"apiVersion", "kind", "metadata"})
        one_of.append({"$ref": f"#/$defs/{model.__name__}"})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "mldsl document",
        "description": "A Project, Module or Pipeline document of the mldsl language (apiVersion mldsl/v1).",
        "oneOf": one_of,
        "$defs": dict(sorted(defs.items())),
    }


def schema_text() -> str:
    return json.dumps(language_schema(), indent=2, sort_keys=False, ensure_ascii=False) + "\n"
