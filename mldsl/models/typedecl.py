"""Declarations of inputs, outputs and params: short (``list[str]``) or long form."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag, model_validator
from pydantic_core import PydanticCustomError

from mldsl.models.base import Strict

Number = int | float


class TypeDecl(Strict):
    """The long form of a type declaration, with its constraints."""

    type: str
    default: Any = None
    optional: bool = False
    min: Number | None = None
    max: Number | None = None
    #: ``true`` makes ``min`` exclusive; a number (JSON Schema's ``exclusiveMinimum: 0``) is read as min + true
    exclusive_min: bool = False
    exclusive_max: bool = False
    pattern: str | None = None
    min_length: Annotated[int, Field(ge=0)] | None = None
    max_length: Annotated[int, Field(ge=0)] | None = None
    values: list[str | Number] | None = None
    format: str | None = None
    description: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _json_schema_exclusive_bounds(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for side in ("min", "max"):
            given = out.get(f"exclusive_{side}")
            if isinstance(given, bool) or not isinstance(given, (int, float)):
                continue
            if out.get(side) is not None:
                raise PydanticCustomError(
                    "MLD202",
                    "'{side}' and a number for 'exclusive_{side}' say the bound twice",
                    {
                        "side": side,
                        "hint": f"write {side}: {given} with exclusive_{side}: true, or only exclusive_{side}: {given}",
                    },
                )
            out[side], out[f"exclusive_{side}"] = given, True
        return out

    @property
    def has_default(self) -> bool:
        return "default" in self.model_fields_set


def _decl_tag(value: Any) -> str:
    return "short" if isinstance(value, str) else "long"


AnyDecl = Annotated[
    Annotated[str, Tag("short")] | Annotated[TypeDecl, Tag("long")],
    Discriminator(_decl_tag),
]

#: Union tags that pydantic puts into error locations; the loader strips them.
UNION_TAGS = frozenset({"short", "long"})
