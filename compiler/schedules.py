"""A pipeline's cron schedules as Argo's cron controller parses them, each problem at its field.

Argo v4.1.2 parses every schedule with robfig/cron v3.0.1 (``workflow/validate/validate.go``
l. 448-452 ``cron.ParseStandard``; the controller's ``cron.New()`` in
``workflow/cron/cron_facade.go`` l. 23 uses the same standard parser: robfig ``cron.go`` l. 125), after putting
``CRON_TZ=<timezone> `` in front when the CronWorkflow has a ``timezone``
(``pkg/apis/workflow/v1alpha1/cron_workflow_types.go`` l. 193-197). robfig/cron
(``parser.go`` l. 88-140, ``getRange`` l. 252-318) takes five fields with ranges, steps,
lists and month / day names, the ``@daily``-style descriptors, ``@every <duration>``, and
one ``TZ=`` / ``CRON_TZ=`` prefix. ``mldsl.argo.validate.schedule_error`` ports that parser;
this module turns what it says into positioned diagnostics (MLD413).
"""

from __future__ import annotations

import re
from collections.abc import Container
from typing import TYPE_CHECKING, NamedTuple

from mldsl.compiler.context import Context, Loc
from mldsl.lang.diagnostics import Span
from mldsl.lang.loader import Loaded

if TYPE_CHECKING:
    from mldsl.argo.validate import CronError
    from mldsl.lang.models.pipeline import Schedule

#: (name, what it takes) per field, as robfig/cron v3.0.1 bounds them (spec.go l. 21-49)
FIELDS = (
    ("minute", "0-59"),
    ("hour", "0-23"),
    ("day of month", "1-31"),
    ("month", "1-12 or jan-dec"),
    ("day of week", "0-6 or sun-sat (0 is Sunday; 7 is refused)"),
)
_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
SHAPE = "five fields: minute hour day-of-month month day-of-week, e.g. '30 3 * * *' (or @daily, @every 6h)"
DESCRIPTORS = "@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, or @every <duration> such as @every 1h30m"
ZONES = "use an IANA name such as Europe/Paris or Asia/Shanghai"


class CronProblem(NamedTuple):
    message: str
    hint: str
    offset: int | None = None  #: where the bad field starts in the schedule; None: the schedule as a whole


def _plain(cron: str) -> bool:
    """Five fields, each ``*`` or a number within its bounds: valid without asking the parser (whose
    module, ``mldsl.argo.validate``, costs a compile ~0.2 s to import)."""
    fields = cron.split(" ")
    if len(fields) != 5:
        return False
    for text, (low, high) in zip(fields, _BOUNDS, strict=True):
        if text != "*" and not (text.isdigit() and text.isascii() and len(text) <= 2 and low <= int(text) <= high):
            return False
    return True


def _known_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _problem(cron: str, err: CronError) -> CronProblem:
    if err.field is not None:
        name, takes = FIELDS[err.field]
        return CronProblem(
            f"invalid cron expression {cron!r}: {name}: {err.message}",
            f"the {name} takes {takes}: a value, a range a-b, a step */n or a-b/n, or a list of those (a,b)",
            err.offset,
        )
    if err.message.startswith("provided bad location"):
        return CronProblem(f"invalid cron expression {cron!r}: {err.message}", ZONES)
    if err.message.startswith(("unrecognized descriptor", "failed to parse duration")):
        return CronProblem(f"invalid cron expression {cron!r}: {err.message}", DESCRIPTORS)
    return CronProblem(f"invalid cron expression {cron!r}: {err.message}", SHAPE)


def cron_problems(cron: str, timezone: str | None = None) -> list[CronProblem]:
    """What Argo's cron controller refuses in ``cron`` (a schedule of a CronWorkflow with ``timezone``).

    robfig/cron stops at the first bad field; every bad field is reported here (each is checked with
    the fields before it that were wrong read as ``*``).
    """
    if _plain(cron):
        return []
    from mldsl.argo.validate import schedule_error

    if timezone and cron.startswith(("TZ=", "CRON_TZ=")):
        # Argo prefixes CRON_TZ=<timezone>; robfig/cron reads one prefix (parser.go l. 95-103), so the
        # schedule's own becomes a sixth field
        return [
            CronProblem(
                f"invalid cron expression {cron!r}: it names its own time zone and the schedule has timezone: {timezone}",
                "give the time zone once: remove the schedule's timezone, or the expression's TZ= / CRON_TZ= prefix",
                0,
            )
        ]
    out: list[CronProblem] = []
    text = cron
    for _ in range(5):
        err = schedule_error(text, known_zone=_known_zone)
        if err is None:
            break
        out.append(_problem(cron, err))
        if err.field is None or err.offset is None:
            break
        bad = re.match(r"\S+", text[err.offset :])
        width = len(bad.group()) if bad else 1
        text = text[: err.offset] + "*".ljust(width) + text[err.offset + width :]
    return out


def check_crons(ctx: Context, doc: Loaded, schedule: Schedule, *, skip: Container[Span] = ()) -> bool:
    """Report every problem of each of ``schedule``'s crons at its field: True when there is none.
    ``skip``: the spans of crons already refused as a whole, not reported twice."""
    ok = True
    loc: Loc = ("spec", "schedule", "cron")
    for i, cron in enumerate(schedule.crons):
        where = loc + ((i,) if isinstance(schedule.cron, list) else ())
        if ctx.span(doc, where) in skip:
            continue
        for p in cron_problems(cron, schedule.timezone):
            ctx.error(doc, where, "MLD413", p.message, p.hint, offset=p.offset)
            ok = False
    return ok
