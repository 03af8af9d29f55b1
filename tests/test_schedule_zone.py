"""``format_time(workflow.scheduled_time, ...)`` gives the run's time in its schedule's zone (SPEC 1.10, #26 item 7).

A stock controller runs its cron in ``time.Local``, UTC in its image: robfig/cron returns times there and
``workflow/cron`` formats them RFC 3339 (convert.go l. 53), so ``workflow.scheduledTime`` is UTC. A ``30 3 * * *``
Asia/Shanghai run fires at 19:30 UTC the day before: its date must be converted, not read.
"""

from __future__ import annotations

from pathlib import Path

from test_run import MODULES, _python, project

from mldsl.argo.template import replace
from mldsl.backends import emit_all
from mldsl.compiler import compile_paths

SAY = {**MODULES, "say": _python("{text: {type: str}}", "{text: str}", "write_output('text', inputs['text'])")}


def _date_arg(tmp_path: Path, schedule: str) -> str:
    root = project(
        tmp_path,
        SAY,
        f"""  schedule: {schedule}
  steps:
    d: {{uses: say@1, with: {{text: "${{{{ format_time(workflow.scheduled_time, '%Y-%m-%d %H:%M') }}}}"}}}}
""",
    )
    result = compile_paths([root])
    assert result.ok, [d.message for d in result.diagnostics]
    body = next(m.body for m in emit_all(result.program) if m.kind == "WorkflowTemplate")
    task = body["spec"]["templates"][0]["dag"]["tasks"][0]
    return str(task["arguments"]["parameters"][0]["value"])


def test_a_scheduled_runs_date_is_in_its_schedules_zone(tmp_path: Path) -> None:
    value = _date_arg(tmp_path, '{cron: "30 3 * * *", timezone: Asia/Shanghai}')
    utc = {"workflow.scheduledTime": "2026-12-06T19:30:00Z", "workflow.creationTimestamp": "2026-12-06T19:30:00Z"}
    assert replace(value, utc) == "2026-12-07 03:30"


def test_without_a_zone_the_time_is_the_controllers(tmp_path: Path) -> None:
    value = _date_arg(tmp_path, '{cron: "30 3 * * *"}')
    utc = {"workflow.scheduledTime": "2026-12-07T03:30:00Z", "workflow.creationTimestamp": "2026-12-07T03:30:00Z"}
    assert replace(value, utc) == "2026-12-07 03:30"
