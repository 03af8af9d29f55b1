"""``pipeline:`` steps as the composer sees them: the called pipeline's params and outputs, typed as the compiler types
them, so wiring and editing a pipeline step follows the same rules as a module step (issue #30 M9).

The compiler makes a called pipeline a module whose inputs are its params and whose outputs are its outputs, each
typed by its value (compiler/subpipelines.py ``module_for_pipeline``); the same facts are read here from the
compiled program, never computed a second time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mldsl.backends.forms import field
from mldsl.lang.constraints import Param
from mldsl.lang.mtypes import MType

if TYPE_CHECKING:
    from mldsl.compiler import ir


def type_json(t: MType) -> dict[str, Any]:
    """A type as the page's ``assignable`` reads it."""
    out: dict[str, Any] = {"kind": t.kind}
    if t.item is not None:
        out["item"] = type_json(t.item)
    if t.values is not None:
        out["values"] = list(t.values)
    if t.format:
        out["format"] = t.format
    return out


def input_json(p: Param) -> dict[str, Any]:
    """A module's input (or a called pipeline's param) as the page's cards and ports read it."""
    return {**field(p), "type": type_json(p.type), "typeText": str(p.type)}


def output_json(name: str, t: MType, description: str | None) -> dict[str, Any]:
    """An output as the page's ports read it."""
    return {"name": name, "type": type_json(t), "typeText": str(t), "description": description or ""}


def as_module(p: ir.Pipeline) -> dict[str, Any]:
    """A called pipeline in the library's shape: what ``moduleOf`` answers for a ``pipeline:`` step."""
    return {
        "key": "pipeline " + p.name,
        "name": p.name,
        "version": p.version or "",
        "description": p.description or "",
        "pipeline": True,
        "inputs": [input_json(q) for q in p.params],
        "outputs": [output_json(n, v.type, None) for n, v in (p.written_outputs or p.outputs)],
    }


def called(steps: list[dict[str, Any]], pipelines: tuple[ir.Pipeline, ...]) -> dict[str, dict[str, Any]]:
    """Each ``pipeline:`` step of the composer's model whose pipeline compiled: its params and outputs."""
    by_name = {p.name: p for p in pipelines if p.trial_of is None}
    return {s["name"]: as_module(by_name[s["pipeline"]]) for s in steps if s.get("pipeline") in by_name}
