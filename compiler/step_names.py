"""Step names that must become Argo task names: DNS labels, distinct once normalised."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mldsl.compiler import ir
from mldsl.compiler.context import Context, Loc
from mldsl.compiler.subpipelines import SEPARATOR
from mldsl.lang.loader import Loaded

if TYPE_CHECKING:  # the document models are read, never built, here (models/fast.py builds them)
    from mldsl.lang.models.pipeline import Step


def check_step_names(ctx: Context, doc: Loaded, steps: dict[str, Step], base: Loc) -> None:
    seen: dict[str, str] = {}
    for name in steps:
        t = ir.step_key(name)
        if not re.match(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", t) or len(t) > 63:
            ctx.error(
                doc,
                (*base, name),
                "MLD409",
                f"step name {name!r} cannot become a task name",
                "start and end with a letter or digit, at most 63 characters",
                key=True,
            )
        elif t in seen:
            ctx.error(
                doc,
                (*base, name),
                "MLD409",
                f"step names {seen[t]!r} and {name!r} are too alike",
                "they map to the same task name; rename one",
                key=True,
            )
        seen[t] = name


def check_inlined_names(ctx: Context, doc: Loaded, steps: tuple[ir.Step, ...]) -> None:
    """Inlined steps are named ``<call>__<step>``: each must still become a task name of its own."""
    seen: dict[str, str] = {}
    for s in steps:
        key = ir.step_key(s.name)
        call = s.name.split(SEPARATOR)[0]
        if SEPARATOR in s.name and len(key) > 63:
            ctx.error(
                doc,
                ("spec", "steps", call),
                "MLD409",
                f"step {s.name!r} (a step of the pipeline {call!r} calls) would be a task name of {len(key)} characters",
                "at most 63: shorten this step's name or the called pipeline's step names",
                key=True,
            )
        elif key in seen:
            ctx.error(
                doc,
                ("spec", "steps", call),
                "MLD409",
                f"step names {seen[key]!r} and {s.name!r} are too alike",
                f"the called pipeline's steps are named <call>{SEPARATOR}<step>: rename one",
                key=True,
            )
        seen[key] = s.name
