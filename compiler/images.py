"""A module's ``image``: fixed text, or a tag from the module's inputs (set per CI build), checked against the
image reference grammar (``mldsl/lang/imageref.py``) where it is written and where a step binds its parts."""

from __future__ import annotations

from typing import Any

from mldsl.compiler import ir
from mldsl.compiler.context import Context, Loc
from mldsl.compiler.exprscope import Scope
from mldsl.compiler.values import compile_value
from mldsl.lang.imageref import PLACEHOLDER, reference_problem
from mldsl.lang.loader import Loaded

#: input types an image may hold: text a tag or a path is made of
_IMAGE_KINDS = ("str", "int", "enum")


def image_value(ctx: Context, doc: Loaded, loc: Loc, text: str | None, scope: Scope) -> ir.IValue | None:
    """A container or python module's ``image``: fixed text, or text with ``${{ inputs.x }}`` parts (the tag of
    each CI build), which Argo substitutes in a template's image. Checked against the image reference grammar,
    each part standing for a valid word (``mldsl/lang/imageref.py``); a step that binds the parts to known
    values is checked again with them (``check_step_image``). None for fixed text."""
    if text is None:
        return None
    if "${{" not in text:
        if (why := reference_problem(text)) is not None:
            ctx.error(doc, loc, "MLD608", f"image {text!r} is not a valid image reference: {why}", IMAGE_HINT)
        return None
    value = compile_value(ctx, doc, loc, text, scope)
    if value is None:
        return None
    bad = [n for n in ir.walk(value) if not isinstance(n, (ir.IInterp, ir.IInput, ir.ILit))]
    wrong = [n for n in ir.walk(value) if isinstance(n, ir.IInput) and (n.field or n.type.kind not in _IMAGE_KINDS)]
    if bad or wrong:
        ctx.error(
            doc,
            loc,
            "MLD603",
            "an image may hold only the module's str, int or enum inputs (${{ inputs.tag }}), nothing computed",
            'declare an input for the tag and bind it in the step: with: {tag: "${{ params.tag }}"}',
        )
        return None
    shown = image_text(value, {})
    if (why := reference_problem(shown)) is not None:
        ctx.error(doc, loc, "MLD608", f"image {text!r} cannot be a valid image reference: {why}", IMAGE_HINT)
        return None
    return value


IMAGE_HINT = "write it as [registry[:port]/]path[:tag][@digest], lowercase path, e.g. ghcr.io/acme/train:1.4.0"


def image_text(value: ir.IValue, known: dict[str, Any]) -> str:
    """The image with each input part replaced by its value in ``known``, else by a placeholder word."""
    if isinstance(value, ir.IInterp):
        return "".join(p if isinstance(p, str) else image_text(p, known) for p in value.parts)
    if isinstance(value, ir.IInput):
        got = known.get(value.name)
        return PLACEHOLDER if got is None else str(got).lower() if isinstance(got, bool) else str(got)
    if isinstance(value, ir.ILit):
        return str(value.value)
    return PLACEHOLDER


def check_step_image(ctx: Context, doc: Loaded, loc: Loc, module: ir.Module, bindings: tuple[tuple[str, ir.IValue], ...]) -> None:
    """A module image with ``${{ inputs.tag }}`` parts, checked again with what this step binds them to where that
    is known (a literal, or the input's default): ``tag: "v1.2/nightly"`` makes no image a registry accepts."""
    run = module.run
    value = run.image_value if isinstance(run, (ir.ContainerRun, ir.PythonRun)) else None
    if value is None:
        return
    known: dict[str, Any] = {p.name: p.default for p in module.inputs if p.has_default and p.default is not None}
    given = dict(bindings)
    for name, v in given.items():
        known.pop(name, None)
        if isinstance(v, ir.ILit) and v.value is not None:
            known[name] = v.value
    text = image_text(value, known)
    if (why := reference_problem(text)) is not None:
        where = next(((*loc, "with", n) for n in given if n in known), loc)
        ctx.error(doc, where, "MLD608", f"the step's image would be {text!r}, not a valid image reference: {why}", IMAGE_HINT)
