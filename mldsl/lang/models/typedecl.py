"""Declarations of inputs, outputs and params: short (``list[str]``) or long form."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag, model_validator

from mldsl.lang.models import checks
from mldsl.lang.models.base import Strict
from mldsl.lang.models.behaviour import TypeDeclBehaviour

Number = int | float


class TypeDecl(Strict, TypeDeclBehaviour):
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

    _json_schema_exclusive_bounds = model_validator(mode="before")(staticmethod(checks.exclusive_bounds))


AnyDecl = Annotated[
    Annotated[str, Tag("short")] | Annotated[TypeDecl, Tag("long")],
    Discriminator(checks.decl_tag),
]
