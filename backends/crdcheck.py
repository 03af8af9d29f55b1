"""Check manifests against CustomResourceDefinitions, strictly.

CRD schemas accept unknown fields, so a typo in an emitted manifest would
pass a plain check. :func:`strict_schema` turns an ``openAPIV3Schema`` into a
JSON Schema that refuses them (``additionalProperties: false`` wherever
``properties`` is given and ``x-kubernetes-preserve-unknown-fields`` is not)
and that understands ``x-kubernetes-int-or-string`` and ``nullable``.
Used by the tests (with ``../shared/upstream-schemas``) and by
``mldsl compile --crds DIR`` (with ``kubectl get crd -o yaml`` output).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A strict JSON Schema (draft 2020-12) from a CRD ``openAPIV3Schema``."""
    out = copy.deepcopy(schema)
    _tighten(out)
    out["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return out


def _tighten(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _tighten(item)
        return
    if not isinstance(node, dict):
        return
    if node.pop("x-kubernetes-int-or-string", False):
        node.pop("type", None)
        node["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.pop("nullable", False) and "type" in node:
        node["type"] = [node["type"], "null"] if isinstance(node["type"], str) else node["type"] + ["null"]
    preserve = node.get("x-kubernetes-preserve-unknown-fields", False)
    if "properties" in node and not preserve and "additionalProperties" not in node:
        node["additionalProperties"] = False
    for key, value in list(node.items()):
        if key in ("properties", "patternProperties", "definitions", "$defs"):
            for sub in value.values():
                _tighten(sub)
        elif (key in ("items", "additionalProperties", "not") and isinstance(value, (dict, list))) or key in (
            "allOf",
            "anyOf",
            "oneOf",
        ):
            _tighten(value)


@dataclass
class CrdIndex:
    """Strict schemas by (apiVersion, kind)."""

    schemas: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    sources: dict[tuple[str, str], str] = field(default_factory=dict)

    def add_crd(self, crd: dict[str, Any], source: str = "") -> None:
        if not isinstance(crd, dict) or crd.get("kind") != "CustomResourceDefinition":
            return
        spec = crd.get("spec", {})
        group = spec.get("group", "")
        kind = spec.get("names", {}).get("kind", "")
        for version in spec.get("versions", []):
            schema = (version.get("schema") or {}).get("openAPIV3Schema")
            if schema is None:
                continue
            key = (f"{group}/{version['name']}", kind)
            self.schemas[key] = strict_schema(schema)
            self.sources[key] = source

    def add_files(self, paths: Iterable[Path]) -> None:
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        for path in paths:
            with open(path, encoding="utf-8") as fh:
                for doc in yaml.load_all(fh, Loader=loader):
                    if isinstance(doc, dict) and doc.get("kind") == "List":
                        for item in doc.get("items", []):
                            self.add_crd(item, str(path))
                    else:
                        self.add_crd(doc, str(path))

    @classmethod
    def from_dir(cls, folder: Path) -> CrdIndex:
        index = cls()
        files = sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())
        index.add_files(files)
        return index

    def check(self, manifest: dict[str, Any]) -> list[str] | None:
        """Problems with ``manifest`` (``None`` when no CRD here covers its kind)."""
        from jsonschema import Draft202012Validator

        key = (str(manifest.get("apiVersion")), str(manifest.get("kind")))
        schema = self.schemas.get(key)
        if schema is None:
            return None
        validator = Draft202012Validator(schema)
        problems = []
        for err in sorted(validator.iter_errors(manifest), key=lambda e: list(map(str, e.absolute_path))):
            where = "/".join(str(p) for p in err.absolute_path) or "(root)"
            problems.append(f"{where}: {err.message}")
        return problems


class SwaggerIndex:
    """Strict JSON Schemas from Swagger 2.0 ``definitions`` (Katib publishes its API this way).

    References to definitions the file does not hold (Kubernetes' own types) are
    accepted as any object; everything the file does define is checked strictly.
    """

    def __init__(self, swagger: dict[str, Any]):
        self.definitions = swagger.get("definitions", {})

    @classmethod
    def from_file(cls, path: Path) -> SwaggerIndex:
        import json

        return cls(json.loads(path.read_text(encoding="utf-8")))

    def schema(self, definition: str) -> dict[str, Any]:
        defs = copy.deepcopy(self.definitions)
        missing: set[str] = set()

        def fix(node: Any) -> None:
            if isinstance(node, list):
                for item in node:
                    fix(item)
            elif isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str):
                    name = ref.rsplit("/", 1)[-1]
                    node["$ref"] = f"#/$defs/{name}"
                    if name not in defs:
                        missing.add(name)
                for value in node.values():
                    fix(value)

        fix(defs)
        for name in missing:
            defs[name] = {"type": "object"}
        for d in defs.values():
            _tighten(d)
        return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": defs, "$ref": f"#/$defs/{definition}"}

    def check(self, obj: dict[str, Any], definition: str) -> list[str]:
        from jsonschema import Draft202012Validator

        validator = Draft202012Validator(self.schema(definition))
        return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(obj)]
