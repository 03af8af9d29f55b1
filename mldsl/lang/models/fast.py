"""Validate a document with ``pydantic_core`` alone, from the frozen core schemas (``frozen.py``).

The same schema pydantic would build, so the same documents pass and fail; what a passing document
gives is an object per model with the model's fields, ``model_fields_set`` and its behaviour
(``behaviour.py``): what the compiler reads. A document that fails goes to the pydantic models, whose
errors the loader turns into diagnostics (``model_errors.py``): the slow path is paid only to explain.

``thawed()`` is ``None`` when this pydantic-core is not the one the file was frozen with (the schema
format is pydantic-core's own): the loader then uses the pydantic models for every document.
"""

from __future__ import annotations

import functools
import importlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mldsl.lang.models.core import core

if TYPE_CHECKING:
    from pydantic_core import SchemaValidator

PATH = Path(__file__).with_name("frozen-schemas.json")


class FrozenModel:
    """A validated document part: fields as attributes, read-only, compared by value like the model."""

    __slots__ = ("__dict__", "__pydantic_extra__", "__pydantic_fields_set__", "__pydantic_private__")
    __pydantic_fields_set__: set[str]

    @property
    def model_fields_set(self) -> set[str]:
        return self.__pydantic_fields_set__

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    def __hash__(self) -> int:
        return hash((type(self).__name__, *self.__dict__.values()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.__dict__.items())})"


def _import(name: str) -> Any:
    module, _, qualname = name.partition(":")
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


class _Thaw:
    """The frozen file back into core schemas: names into the classes and functions they stand for."""

    def __init__(self, frozen: dict[str, Any]):
        self.frozen = frozen
        self.classes: dict[str, type] = {}

    def cls(self, name: str) -> type:
        if name not in self.classes:
            bases = tuple(_import(b) for b in self.frozen["models"][name]["bases"])
            self.classes[name] = type(name, (*bases, FrozenModel), {"__slots__": (), "__module__": __name__})
        return self.classes[name]

    def default(self, name: str) -> Any:
        """A factory of the model's default object (its fields' defaults), validated on first use."""
        schema = self.frozen["models"][name]["default"]

        @functools.cache
        def validator() -> SchemaValidator:
            return core.SchemaValidator(self.schema(schema))  # type: ignore[no-any-return]

        return lambda: validator().validate_python({})

    def schema(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.schema(v) for v in node]
        if not isinstance(node, dict):
            return node
        if "$model" in node:
            return self.cls(node["$model"])
        if "$function" in node:
            return _import(node["$function"])
        if "$builtin" in node:
            return {"dict": dict, "list": list}[node["$builtin"]]
        if "$default" in node:
            return self.default(node["$default"])
        return {k: self.schema(v) for k, v in node.items()}


@functools.cache
def thawed() -> _Thaw | None:
    frozen = json.loads(PATH.read_text(encoding="utf-8"))
    if frozen.get("pydantic_core") != core.__version__:
        return None
    return _Thaw(frozen)


@functools.cache
def validator(kind: str) -> SchemaValidator | None:
    """The validator of a document kind, or ``None`` when the loader must use the pydantic models."""
    thaw = thawed()
    if thaw is None:
        return None
    return core.SchemaValidator(thaw.schema(thaw.frozen["kinds"][kind]))  # type: ignore[no-any-return]
