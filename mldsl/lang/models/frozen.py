"""Freeze the document models' pydantic-core schemas into ``frozen-schemas.json`` (shipped in the wheel).

pydantic spends most of the CLI's start-up importing itself, building some forty model classes and
generating their core schemas (issue #15). The core schema is plain data but for the classes it builds
and the functions it calls; here each class becomes a name and each function, all in ``checks.py``, a
``module:qualname``. ``fast.py`` thaws the file and validates with ``pydantic_core`` alone. The models stay
the one source: regenerate after changing them (a test fails while the file is stale)::

    python -m mldsl.lang.models.frozen
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pydantic_core
from pydantic import BaseModel

from mldsl.lang.models.kinds import KIND_MODELS

PATH = Path(__file__).with_name("frozen-schemas.json")
#: only these modules may be named: importing them must not import pydantic
FREE_MODULES = ("mldsl.lang.models.checks", "mldsl.lang.models.behaviour")
#: a core schema's ``ref`` ends with the id() of its class: dropped, so the file is the same on every run
_REF_ID = re.compile(r":\d+$")


def freeze() -> dict[str, Any]:
    """The frozen schemas of every kind, with the pydantic-core version they were made by."""
    models: dict[str, dict[str, Any]] = {}
    kinds = {}
    for kind, model in KIND_MODELS.items():
        model.model_rebuild()
        kinds[kind] = _freeze(model.__pydantic_core_schema__, "", models)
    return {"pydantic_core": pydantic_core.__version__, "kinds": kinds, "models": dict(sorted(models.items()))}


def _name(obj: Any) -> str:
    return f"{obj.__module__}:{obj.__qualname__}"


def _model(cls: type[BaseModel], models: dict[str, dict[str, Any]]) -> str:
    """A model class by name; its entry lists the behaviour it mixes in and its default, if it has one."""
    name = cls.__qualname__
    if name not in models:
        models[name] = {"bases": [_name(b) for b in cls.__mro__ if b.__module__ in FREE_MODULES]}
    return name


def _freeze(node: Any, key: str, models: dict[str, dict[str, Any]]) -> Any:
    if isinstance(node, dict):
        schema = isinstance(node.get("type"), str)  # a schema, not a map of fields (which may be called so)
        return {k: _freeze(v, k, models) for k, v in node.items() if not (schema and k in ("serialization", "metadata"))}
    if isinstance(node, (list, tuple)):
        return [_freeze(v, key, models) for v in node]
    if isinstance(node, type) and issubclass(node, BaseModel):
        if key == "default_factory":  # a nested model's defaults: made by validating {} with its own schema
            name = _model(node, models)
            node.model_rebuild()
            models[name]["default"] = _freeze(node.__pydantic_core_schema__, "", models)
            return {"$default": name}
        if key != "cls":
            raise ValueError(f"a model class under {key!r}")
        return {"$model": _model(node, models)}
    if node in (dict, list):
        return {"$builtin": node.__name__}
    if callable(node):
        func = getattr(node, "__func__", node)
        if func.__module__ not in FREE_MODULES:
            raise ValueError(f"{_name(func)} is called while validating: move it to mldsl/lang/models/checks.py")
        return {"$function": _name(func)}
    if isinstance(node, str) and key in ("ref", "schema_ref"):
        return _REF_ID.sub("", node)
    if node is None or isinstance(node, (str, int, float, bool)):
        return node
    raise ValueError(f"cannot freeze {type(node).__name__} under {key!r}")


def render() -> str:
    return json.dumps(freeze(), indent=1) + "\n"


if __name__ == "__main__":
    PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {PATH}", file=sys.stderr)
