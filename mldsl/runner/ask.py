"""Asking a person on the terminal whether an ``approve:`` step may continue."""

from __future__ import annotations

import contextlib
import select
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import IO

from mldsl.lang.durations import format_duration


class TerminalApprover:
    """``approve: {message, timeout}`` on a terminal: ``y`` approves, anything else rejects, silence expires.

    ``pause`` hides a live view while the question is on screen. One question at a time:
    approvals in parallel branches queue up.
    """

    def __init__(
        self,
        stdin: IO[str] | None = None,
        out: IO[str] | None = None,
        pause: Callable[[], AbstractContextManager[None]] | None = None,
    ):
        self.stdin = stdin or sys.stdin
        self.out = out or sys.stderr
        self.pause = pause or contextlib.nullcontext
        self.lock = threading.Lock()

    def __call__(self, step: str, message: str, timeout: float | None) -> str:
        with self.lock, self.pause():
            deadline = None if timeout is None else time.time() + timeout
            left = f" (times out in {format_duration(int(timeout))})" if timeout is not None else ""
            print(f"\napproval {step}: {message}{left}", file=self.out)
            print("approve? [y/N] ", end="", file=self.out, flush=True)
            line = self._readline(deadline)
            if line is None:
                print(f"\napproval {step}: nobody answered in time", file=self.out, flush=True)
                return "expired"
            answer = line.strip().lower()
            return "approved" if answer in ("y", "yes") else "rejected"

    def _readline(self, deadline: float | None) -> str | None:
        """A line from the terminal, or ``None`` when the deadline passes first (or input ends)."""
        while True:
            wait = None if deadline is None else max(0.0, deadline - time.time())
            ready, _, _ = select.select([self.stdin], [], [], wait)
            if ready:
                line = self.stdin.readline()
                return line if line else ""
            if deadline is not None and time.time() >= deadline:
                return None


@contextlib.contextmanager
def no_pause() -> Iterator[None]:
    yield
