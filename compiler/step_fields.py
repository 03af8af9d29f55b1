"""The fields of a step read as written: durations, retries, tolerations (a step's pod settings beside its run)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mldsl.compiler import ir
from mldsl.compiler.context import Context, Loc
from mldsl.lang.durations import parse_duration
from mldsl.lang.loader import Loaded

if TYPE_CHECKING:  # the document models are read, never built, here (models/fast.py builds them)
    from mldsl.lang.models.base import Toleration as TolerationModel
    from mldsl.lang.models.pipeline import Step


def version_tuple(text: str) -> tuple[int, ...]:
    """``3.5.1`` -> (3, 5, 1); what is not a number counts as 0."""
    return tuple(int(p) if p.isdigit() else 0 for p in text.split(".")[:3])


def toleration(t: TolerationModel) -> ir.Toleration:
    return ir.Toleration(t.key, t.operator, t.value, t.effect, t.tolerationSeconds)


def written_durations(step: Step) -> tuple[tuple[str, str], ...]:
    """The step's durations as written, for reviews (``ir.Step.written``)."""
    backoff = step.retries.backoff if step.retries is not None and not isinstance(step.retries, int) else None
    texts = (
        ("timeout", step.timeout),
        ("cache", step.cache.ttl if step.cache else None),
        ("backoff.duration", backoff.duration if backoff else None),
        ("backoff.max_duration", backoff.max_duration if backoff else None),
        ("approve.timeout", step.approve.timeout if step.approve else None),
    )
    return tuple((k, str(t)) for k, t in texts if t is not None)


def duration_seconds(ctx: Context, doc: Loaded, loc: Loc, text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return parse_duration(text)
    except ValueError as exc:
        ctx.error(doc, loc, "MLD412", str(exc), "durations look like 30s, 15m, 2h, 7d or 1h30m")
        return None


def retry_policy(ctx: Context, doc: Loaded, loc: Loc, step: Step) -> ir.Retry | None:
    r = step.retries
    if r is None:
        return None
    if isinstance(r, int):
        return ir.Retry(limit=r)
    b = r.backoff
    if b is not None and b.factor is not None and float(b.factor) != int(b.factor):
        # Argo reads backoff.factor as an int-or-string and parses the string as an integer: a factor
        # of 1.5 fails to parse and the step is not retried (argo-workflows v4.1.2
        # util/intstr/parametrizable.go Int, l. 12-20: strconv.Atoi)
        ctx.error(
            doc,
            (*loc, "backoff", "factor"),
            "MLD416",
            f"backoff factor {b.factor} is not a whole number: Argo would not retry the step",
            f"use a whole factor, e.g. factor: {max(1, round(b.factor))}",
        )
        return None
    return ir.Retry(
        limit=r.limit,
        policy=r.policy,
        backoff_seconds=duration_seconds(ctx, doc, (*loc, "backoff", "duration"), b.duration) if b else None,
        backoff_factor=int(b.factor) if b and b.factor is not None else None,
        backoff_max_seconds=duration_seconds(ctx, doc, (*loc, "backoff", "max_duration"), b.max_duration) if b else None,
    )
