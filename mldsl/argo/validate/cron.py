"""Cron schedules and CronWorkflows as the controller parses them (robfig/cron, ``cron_workflow_types.go``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mldsl.argo.validate.fields import _MAX_CRON_NAME, _atoi, _d, _l, _str

# -- CronWorkflow -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CronError:
    """Why robfig/cron v3.0.1 ``ParseStandard`` refuses a schedule.

    ``field`` is the 0-based index of the wrong field among the five (minute, hour, day of month,
    month, day of week), or None when the schedule as a whole is wrong (field count, descriptor,
    time zone); ``offset`` the character offset of that field in the schedule.
    """

    message: str
    field: int | None = None
    offset: int | None = None

    @property
    def field_name(self) -> str | None:
        return None if self.field is None else _CRON_FIELDS[self.field][0]


# robfig/cron v3.0.1 parser.go: the standard parser's fields and their bounds
_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_DAYS = {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
_CRON_FIELDS: tuple[tuple[str, int, int, dict[str, int] | None], ...] = (
    ("minute", 0, 59, None),
    ("hour", 0, 23, None),
    ("day of month", 1, 31, None),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 6, _DAYS),
)
_DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
_DURATION = re.compile(r"[-+]?(0|((\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)")


def _zone_error(name: str, known_zone: Callable[[str], bool] | None) -> str | None:
    """Go's time.LoadLocation: "" and "UTC" and "Local" always load; others from the zone database."""
    if name in ("", "UTC", "Local"):
        return None
    if ".." in name or name[0] in "/\\":
        return "time: invalid location name"
    if known_zone is not None and not known_zone(name):
        return f"unknown time zone {name}"
    return None


def _cron_int(text: str) -> tuple[int | None, str | None]:
    """mustParseInt: strconv.Atoi, and not negative."""
    n = _atoi(text)
    if n is None:
        return None, f'failed to parse int from {text}: strconv.Atoi: parsing "{text}": invalid syntax'
    if n < 0:
        return None, f"negative number ({n}) not allowed: {text}"
    return n, None


def _cron_range(expr: str, low: int, high: int, names: dict[str, int] | None) -> str | None:
    """getRange (parser.go): ``*``/``?``, ``a``, ``a-b``, each optionally ``/step``."""
    range_step = expr.split("/")
    lo_hi = range_step[0].split("-")
    single = len(lo_hi) == 1

    def value(text: str) -> tuple[int | None, str | None]:
        if names is not None and text.lower() in names:
            return names[text.lower()], None
        return _cron_int(text)

    if lo_hi[0] in ("*", "?"):
        start, end = low, high
    else:
        s, err = value(lo_hi[0])
        if err or s is None:
            return err
        start = end = s
        if len(lo_hi) == 2:
            e, err = value(lo_hi[1])
            if err or e is None:
                return err
            end = e
        elif len(lo_hi) > 2:
            return f"too many hyphens: {expr}"
    step = 1
    if len(range_step) == 2:
        st, err = _cron_int(range_step[1])
        if err or st is None:
            return err
        step = st
        if single:
            end = high  # "N/step" means N-max/step
    elif len(range_step) > 2:
        return f"too many slashes: {expr}"
    if start < low:
        return f"beginning of range ({start}) below minimum ({low}): {expr}"
    if end > high:
        return f"end of range ({end}) above maximum ({high}): {expr}"
    if start > end:
        return f"beginning of range ({start}) beyond end of range ({end}): {expr}"
    if step == 0:
        return f"step of range should be a positive number: {expr}"
    return None


def schedule_error(schedule: str, *, known_zone: Callable[[str], bool] | None = None) -> CronError | None:
    """What robfig/cron v3.0.1 ``ParseStandard`` (validate.go l. 449) says of ``schedule``, or None."""
    if not schedule:
        return CronError("empty spec string")
    spec, shift = schedule, 0
    if spec.startswith(("TZ=", "CRON_TZ=")):
        space, eq = spec.find(" "), spec.find("=")
        if space < 0:  # Go slices spec[eq+1:-1] and panics
            return CronError(f"a time zone must be followed by a schedule: {spec}")
        zone = spec[eq + 1 : space]
        why = _zone_error(zone, known_zone)
        if why:
            return CronError(f"provided bad location {zone}: {why}")
        rest = spec[space:]
        spec = rest.strip()
        shift = space + (len(rest) - len(rest.lstrip()))
    if spec.startswith("@"):
        if spec in _DESCRIPTORS:
            return None
        if spec.startswith("@every "):
            duration = spec[len("@every ") :]
            if not _DURATION.fullmatch(duration):
                return CronError(f'failed to parse duration {spec}: time: invalid duration "{duration}"')
            return None
        return CronError(f"unrecognized descriptor: {spec}")
    fields = [(m.group(), m.start() + shift) for m in re.finditer(r"\S+", spec)]
    if len(fields) != 5:
        return CronError(f"expected exactly 5 fields, found {len(fields)}: [{' '.join(f for f, _ in fields)}]")
    for i, ((text, offset), (_, low, high, names)) in enumerate(zip(fields, _CRON_FIELDS, strict=True)):
        for part in (p for p in text.split(",") if p):  # getField: strings.FieldsFunc on ','
            why = _cron_range(part, low, high, names)
            if why:
                return CronError(why, i, offset)
    return None


def validate_cron(cron: Mapping[str, Any], *, known_zone: Callable[[str], bool] | None = None) -> list[str]:
    """A CronWorkflow's own checks (validate.go l. 436-469), each ``path: message``; a bad schedule
    names the field (``field 3 (month)``) and its character offset."""
    problems: list[str] = []
    name = _str(_d(cron.get("metadata")).get("name"))
    if len(name) > _MAX_CRON_NAME:  # l. 440-442
        problems.append(
            f"metadata.name: cron workflow name {name!r} must not be more than 52 characters long (currently {len(name)})"
        )
    spec = _d(cron.get("spec"))
    schedules = _l(spec.get("schedules"))
    if not schedules:  # l. 444-446
        problems.append("spec.schedules: cron workflow must have at least one schedule")
    for i, s in enumerate(schedules):  # l. 448-452
        err = schedule_error(_str(s), known_zone=known_zone)
        if err is not None:
            where = "" if err.field is None else f" (field {err.field + 1}, {err.field_name}, at offset {err.offset})"
            problems.append(f"spec.schedules[{i}]: cron schedule {_str(s)} is malformed: {err.message}{where}")
    zone = _str(spec.get("timezone"))
    if zone:  # l. 454-458
        why = _zone_error(zone, known_zone)
        if why:
            problems.append(f"spec.timezone: invalid timezone {zone!r}: {why}")
    policy = _str(spec.get("concurrencyPolicy"))
    if policy not in ("Allow", "Forbid", "Replace", ""):  # l. 460-465
        problems.append(f"spec.concurrencyPolicy: '{policy}' is not a valid concurrencyPolicy")
    deadline = spec.get("startingDeadlineSeconds")
    if isinstance(deadline, int) and not isinstance(deadline, bool) and deadline < 0:  # l. 467-469
        problems.append("spec.startingDeadlineSeconds: startingDeadlineSeconds must be positive")
    return problems
