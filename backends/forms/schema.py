"""JSON Schema (draft 2020-12) and UI schema of a form's fields, from declared params."""

from __future__ import annotations

from typing import Any

from mldsl.lang.constraints import Param
from mldsl.lang.mtypes import MType


def type_schema(t: MType) -> dict[str, Any]:
    if t.kind == "str":
        return {"type": "string"}
    if t.kind == "int":
        return {"type": "integer"}
    if t.kind == "float":
        return {"type": "number"}
    if t.kind == "bool":
        return {"type": "boolean"}
    if t.kind == "enum":
        return {"enum": list(t.values or ())}
    if t.kind == "list":
        return {"type": "array", "items": type_schema(t.item or MType("any"))}
    if t.kind == "dict":
        return {"type": "object", "additionalProperties": type_schema(t.item or MType("any"))}
    if t.kind == "artifact":
        out: dict[str, Any] = {"type": "string", "format": "uri"}
        if t.format:
            out["x-mldsl-artifact-format"] = t.format
        return out
    if t.kind == "secret":
        return {
            "type": "object",
            "properties": {"name": {"type": "string", "minLength": 1}, "key": {"type": "string", "minLength": 1}},
            "required": ["name", "key"],
            "additionalProperties": False,
        }
    return {}


def field_schema(p: Param) -> dict[str, Any]:
    s = {"title": p.name, **type_schema(p.type)}
    if p.description:
        s["description"] = p.description
    if p.has_default:
        s["default"] = p.default
    if p.minimum is not None:
        s["exclusiveMinimum" if p.exclusive_min else "minimum"] = p.minimum
    if p.maximum is not None:
        s["exclusiveMaximum" if p.exclusive_max else "maximum"] = p.maximum
    if p.pattern is not None:
        s["pattern"] = p.pattern
    for ours, theirs in (("min_length", "min"), ("max_length", "max")):
        v = getattr(p, ours)
        if v is not None:
            word = {"string": "Length", "array": "Items", "object": "Properties"}.get(s.get("type", ""), "Length")
            s[f"{theirs}{word}"] = v
    return s


def form_schema(title: str, params: tuple[Param, ...]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "type": "object",
        "properties": {p.name: field_schema(p) for p in params},
        "required": [p.name for p in params if p.required],
        "additionalProperties": False,
    }


WIDGETS = {
    "enum": "select",
    "bool": "checkbox",
    "int": "number",
    "float": "number",
    "list": "list",
    "dict": "keyvalue",
    "artifact": "artifact",
    "secret": "secret",
    "str": "text",
}


def ui_schema(params: tuple[Param, ...]) -> dict[str, Any]:
    ui: dict[str, Any] = {"ui:order": [p.name for p in params]}
    for p in params:
        entry: dict[str, Any] = {"ui:widget": WIDGETS.get(p.type.kind, "text")}
        if p.type.kind in ("int", "float"):
            entry["ui:step"] = 1 if p.type.kind == "int" else "any"
        if p.type.kind in ("list", "dict") and p.type.item is not None:
            entry["ui:items"] = WIDGETS.get(p.type.item.kind, "text")
        if p.description:
            entry["ui:help"] = p.description
        if p.optional:
            entry["ui:optional"] = True
        ui[p.name] = entry
    return ui
