"""Argo's words, said for people (issue #30 m11). A run's record keeps a step's message as Argo writes it
(``omitted: depends condition not met``, runner/schedule.py; ``Stopped with strategy 'Stop'``, as Argo's
``workflow/controller/operator.go`` words a stopped workflow's nodes); what a person reads (the terminal, the
run's summary, the UI) gets this plain wording instead."""

from __future__ import annotations

from typing import Any

PLAIN = {
    "omitted: depends condition not met": "not run: the steps it waits for did not end the way it needs",
    "Stopped with strategy 'Stop'": "stopped: the run was stopping (a step failed, or it was interrupted)",
}


def plain(message: str) -> str:
    """``message`` in plain words when it is one of Argo's phrasings, else as it is."""
    return PLAIN.get(message, message)


#: the output a module declares to say it succeeded with a warning (modules/notify-webhook: not delivered)
WARNING_OUTPUT = "warning"


def step_warning(step: dict[str, Any]) -> str:
    """What a succeeded step warns about (a record's step): its ``warning`` output when it is a non-empty text.
    The step stays Succeeded (a ``fail_on_error: false`` webhook must not fail a run); people see the warning."""
    outputs = step.get("outputs")
    value = outputs.get(WARNING_OUTPUT) if isinstance(outputs, dict) else None
    ok = step.get("phase") == "Succeeded"
    return value.strip() if ok and isinstance(value, str) else ""


def node_warning(node: Any) -> str:
    """:func:`step_warning` of a node while the run runs (its output params as the step wrote them)."""
    value = getattr(node, "params", {}).get(WARNING_OUTPUT) if getattr(node, "phase", "") == "Succeeded" else None
    return value.strip() if isinstance(value, str) else ""
