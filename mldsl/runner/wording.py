"""Argo's words, said for people (issue #30 m11). A run's record keeps a step's message as Argo writes it
(``omitted: depends condition not met``, runner/schedule.py; ``Stopped with strategy 'Stop'``, as Argo's
``workflow/controller/operator.go`` words a stopped workflow's nodes); what a person reads (the terminal, the
run's summary, the UI) gets this plain wording instead."""

from __future__ import annotations

PLAIN = {
    "omitted: depends condition not met": "not run: the steps it waits for did not end the way it needs",
    "Stopped with strategy 'Stop'": "stopped: the run was stopping (a step failed, or it was interrupted)",
}


def plain(message: str) -> str:
    """``message`` in plain words when it is one of Argo's phrasings, else as it is."""
    return PLAIN.get(message, message)
