"""``mldsl`` in a real pseudo-terminal, as a person runs it: what it draws, and when each chunk arrived."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Screen:
    code: int
    text: str
    chunks: list[tuple[float, str]] = field(default_factory=list)  # (seconds since the start, what arrived)


def run_in_pty(
    args: list[str], home: Path, columns: int = 100, lines: int = 40, timeout: float = 120, argv: list[str] | None = None
) -> Screen:
    """Run ``python -m mldsl ARGS`` (or ``argv``) with stdin, stdout and stderr on a pty of this size; wait for its end."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    env = {**os.environ, "MLDSL_HOME": str(home), "COLUMNS": str(columns), "LINES": str(lines), "TERM": "xterm"}
    began = time.monotonic()
    proc = subprocess.Popen(
        argv or [sys.executable, "-m", "mldsl", *args], stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True
    )
    os.close(slave)
    chunks: list[tuple[float, str]] = []
    deadline = began + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the pty
                break
            if not chunk:
                break
            chunks.append((time.monotonic() - began, chunk.decode("utf-8", "replace")))
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(master)
    return Screen(proc.returncode, "".join(c for _, c in chunks), chunks)
