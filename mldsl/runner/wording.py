"""Argo's words, said for people (issue #30 m11). A run's record keeps a step's message as Argo writes it
(``omitted: depends condition not met``, runner/schedule.py; ``Stopped with strategy 'Stop'``, as Argo's
``workflow/controller/operator.go`` words a stopped workflow's nodes); what a person reads (the terminal, the
run's summary, the UI) gets this plain wording instead; and the user's step names (#30 m8) and a succeeded step's
warning (#30 m7)."""

from __future__ import annotations

import re
from typing import Any

PLAIN = {
    "omitted: depends condition not met": "not run: the steps it waits for did not end the way it needs",
    "Stopped with strategy 'Stop'": "stopped: the run was stopping (a step failed, or it was interrupted)",
}


#: a skipped step's message (runner/flows.py, as Argo's ``dag.go`` words it): ``when 'false' evaluated false``
WHEN_FALSE = re.compile(r"^when '(?P<cond>.*)' evaluated false$", re.S)
#: what joins a ``pipeline:`` step's name and its inner step's (compiler/subpipelines.py SEPARATOR)
CALL_SEPARATOR = "__"


def plain(message: str) -> str:
    """``message`` in plain words when it is one of Argo's phrasings, else as it is (#30 m8, m11)."""
    m = WHEN_FALSE.match(message)
    if m:  # the condition as the run evaluated it: 'false' says no more than "false"
        cond = m["cond"].strip()
        return "its when: condition is false" + ("" if cond.lower() == "false" else f" ({cond})")
    return PLAIN.get(message, message)


def display_name(name: str) -> str:
    """A step's name as the user reads it (#30 m8): a ``pipeline:`` step's inner step, which the compiler
    names ``forest__load``, is ``load (in forest)``; ``a__b__c`` is ``c (in a/b)``."""
    *calls, own = name.split(CALL_SEPARATOR)
    return f"{own} (in {'/'.join(calls)})" if calls and all(calls) and own else name


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
