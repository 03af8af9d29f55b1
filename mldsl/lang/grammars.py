"""Load the lark grammars shipped as package data (``mldsl.grammar``)."""

from __future__ import annotations

import functools
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lark import Lark


@functools.cache
def parser(name: str) -> Lark:
    """The LALR parser for ``grammar/<name>.lark``, built once per process."""
    from lark import Lark  # lazy: only commands that parse expressions pay for it

    text = resources.files("mldsl.grammar").joinpath(f"{name}.lark").read_text(encoding="utf-8")
    return Lark(text, parser="lalr", propagate_positions=True, maybe_placeholders=True)
