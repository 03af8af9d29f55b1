"""What a run shows while it runs: a live table on a terminal (rich), plain lines elsewhere."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterator
from typing import IO, Any

from mldsl.runner.nodes import Node
from mldsl.runner.wording import display_name, node_warning, plain

_STYLE = {"Succeeded": "green", "Failed": "red", "Error": "red", "Skipped": "dim", "Omitted": "dim", "Running": "cyan"}


def _steps(ex: Any, names: dict[str, str]) -> list[tuple[str, str, Node]]:
    """The run's steps now, as (task, the name the user reads, node). ``list(d.items())`` copies in one step
    under the GIL; a comprehension over the dict raised "dictionary changed size during iteration" when a step
    started meanwhile (#30 M8). With ``names`` (a project's run), the compiler's own tasks (a sweep's
    ``evaluate-objective`` report) are not the user's steps and are left out (#30 m8)."""
    out = []
    for on_exit, inner in ((False, ex.main.inner), (True, ex.exit.inner)):
        for task, n in list(inner.items()):
            if names and task not in names:
                continue
            out.append((task, display_name(names.get(task, task)) + (" (on exit)" if on_exit else ""), n))
    return out


def _secs(n: Node) -> str:
    d = n.duration
    return "" if d is None else f"{d:.1f}s"


class Lines:
    """One line per change of a step's phase: for logs, CI and pipes."""

    def __init__(self, stream: IO[str] | None = None, names: dict[str, str] | None = None):
        self.stream = stream or sys.stderr
        self.names = names or {}
        self.seen: dict[str, tuple[str, int]] = {}
        self.lock = threading.Lock()
        self.held: list[str] | None = None  # lines kept back while a question is on the terminal

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Hold progress lines while a person is asked (an ``approve:`` step); print them after."""
        with self.lock:
            self.held = []
        try:
            yield
        finally:
            with self.lock:
                held, self.held = self.held or [], None
                for line in held:
                    print(line, file=self.stream, flush=True)

    def __call__(self, node: Node) -> None:
        if node.task in ("main", "exit-handler") and node.id in ("main", "exit"):
            return
        if self.names and node.task not in self.names:  # a step's own inner tasks (an approval's wait)
            return
        state = (node.phase, node.attempts if node.attempts > 1 else 1)
        with self.lock:
            if self.seen.get(node.id) == state:
                return
            label = display_name(self.names.get(node.task, node.task)) + (f"({node.item})" if node.is_item else "")
            if not node.is_item:  # a throttled fan-out's wrapper and its loop are one step
                if self.seen.get(label) == state:
                    return
                self.seen[label] = state
            self.seen[node.id] = state
            extra = ""
            if node.phase == "Running" and node.attempts > 1:
                extra = f" (attempt {node.attempts})"
            elif node.done:
                extra = f" in {_secs(node)}" if node.started else ""
                if node.cached:
                    extra += " (cached)"
                if node.message and node.phase != "Succeeded":
                    extra += f": {plain(node.message)}"
                if node_warning(node):  # a webhook not delivered: succeeded, but said (#30 m7)
                    extra += f", with a warning: {node_warning(node)}"
            if node.phase in ("Running", "Pending") and node.total is not None and node.group:
                extra = f" ({node.total} items)"
            line = f"{label}: {node.phase}{extra}"
            if self.held is not None:
                self.held.append(line)
            else:
                print(line, file=self.stream, flush=True)

    def close(self, ex: Any) -> None:
        pass


def _pending_and_total(table: Any, steps: list[tuple[str, str, Node]], names: dict[str, str], started: float) -> None:
    """The steps not started yet, as Pending rows, and a caption: steps done of all, time since the start
    (issue #30 m9: the table showed only the steps that had started)."""
    from rich.text import Text

    seen = {task for task, _, _ in steps}
    pending = [display_name(names[k]) for k in names if k not in seen]
    for name in pending:
        table.add_row(Text(name), Text("Pending", style="dim"), "", "", "")
    done = sum(1 for _, _, n in steps if n.done)
    table.caption = f"{done}/{len(steps) + len(pending)} steps done · {time.monotonic() - started:.1f}s"
    table.caption_justify = "left"


class Live:
    """A live table (rich): each step's phase, attempt, duration and a bar for fan-outs; the steps still to
    start; how many are done and the time since the start."""

    def __init__(self, ex_getter: Any, names: dict[str, str] | None = None):
        self.names = names or {}
        self.started = time.monotonic()
        from rich.console import Console
        from rich.live import Live as RichLive

        # soft_wrap: a line printed while the table is live (rich redirects stdout and stderr above it) is written
        # as it is, a long path never broken by a newline of rich's; the table's cells still wrap in their columns
        self.console = Console(stderr=True, soft_wrap=True)
        self.get = ex_getter
        # no rich refresh thread: a frame that fails to render killed it silently and froze the screen (#30 M8);
        # the ticker below draws every frame itself and survives a bad one
        self.live = RichLive(self._table(), console=self.console, auto_refresh=False, transient=False)
        self.live.start(refresh=True)
        self.drawing = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._tick, daemon=True)
        self.thread.start()

    def __call__(self, node: Node) -> None:
        pass  # the ticker redraws

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """The table off the screen while a question is asked (an ``approve:`` step)."""
        with self.drawing:
            self.live.stop()
        try:
            yield
        finally:
            with self.drawing:
                self.live.start()

    def _tick(self) -> None:
        while not self.stop.wait(TICK):
            with self.drawing:
                if self.live.is_started:
                    self._draw()

    def _draw(self) -> None:
        """One frame. Never raises: the run's threads change the nodes while this reads them (a dict that grows
        under the reading), and a frame that cannot be drawn is skipped, not the view (#30 M8)."""
        with contextlib.suppress(Exception):
            self.live.update(self._table(), refresh=True)

    def _table(self) -> Any:
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
        for col in ("step", "phase", "attempt", "time", ""):
            table.add_column(col, overflow="fold")  # a long step name wraps in its column, never cut
        ex = self.get()
        if ex is None:
            return table
        steps = _steps(ex, self.names)
        for _, name, n in steps:
            bar: Any = ""
            if n.total:
                done = sum(1 for c in list(n.children) if c.done)
                bar = ProgressBar(total=n.total, completed=done, width=20)
                name = f"{name} {done}/{n.total}"
            attempt = str(n.attempts) if n.attempts > 1 else ""
            phase = n.phase + (" (cached)" if n.cached else "")
            style = _STYLE.get(n.phase, "")
            if node_warning(n):  # succeeded with a warning (#30 m7): yellow, and the summary says what
                phase, style = phase + ", with a warning", "yellow"
            # Text, not markup: "[]Pending[/]" (a phase with no style) raised MarkupError in the drawing (#30 M8)
            table.add_row(Text(name), Text(phase, style=style), attempt, _secs(n), bar)
        _pending_and_total(table, steps, self.names, self.started)
        return table

    def close(self, ex: Any) -> None:
        self.stop.set()
        self.thread.join()
        self._draw()
        self.live.stop()


def make_view(tty: bool, ex_getter: Any, names: dict[str, str] | None = None) -> Lines | Live:
    return Live(ex_getter, names) if tty else Lines(names=names)


class Terminated(BaseException):
    """SIGTERM reached ``mldsl run`` (raised in its main thread by the handler :func:`wait_loop` installs)."""


def wait_loop(runner: Any, poll: float = 0.2) -> str:
    """Wait for the run: ``""`` when it ended by itself, else how it was shut down.

    A Ctrl-C stops it as ``argo stop`` does (the exit handler still runs); a second Ctrl-C, or a SIGTERM,
    terminates it as ``argo terminate`` does (nothing more runs). After a terminate, the run's thread is
    waited for :data:`TERMINATE_WAIT` seconds at most (its processes get SIGKILL after 5 s).
    """
    import signal

    def on_term(signum: int, frame: Any) -> None:
        raise Terminated

    previous = None
    with contextlib.suppress(ValueError):  # not the main thread: no handler (a test driving a run)
        previous = signal.signal(signal.SIGTERM, on_term)
    how = ""
    deadline: float | None = None
    checkpoint = getattr(runner, "checkpoint", None)
    every, last = CHECKPOINT, time.monotonic()
    try:
        while True:
            try:
                while not runner.wait(poll):
                    if deadline is not None and time.time() > deadline:
                        return how
                    if checkpoint is not None and time.monotonic() - last >= every:
                        began = time.monotonic()
                        checkpoint()
                        last = time.monotonic()  # a big record (a fan-out of 100,000 items) is saved less often
                        every = max(CHECKPOINT, 20 * (last - began))
                return how
            except (KeyboardInterrupt, Terminated) as exc:
                if how == "" and isinstance(exc, KeyboardInterrupt):
                    how = "Stop"
                    print("\nmldsl run: stopping every step (Ctrl-C; the exit handler still runs, Ctrl-C again to end it)...",
                          file=sys.stderr, flush=True)  # fmt: skip
                elif how != "Terminate":
                    how = "Terminate"
                    why = "Ctrl-C again" if isinstance(exc, KeyboardInterrupt) else "SIGTERM"
                    print(f"\nmldsl run: terminating ({why}): every step ends now", file=sys.stderr, flush=True)
                    deadline = time.time() + TERMINATE_WAIT
                threading.Thread(target=runner.stop, args=(how,), daemon=True).start()
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


#: seconds between two frames of the live table
TICK = 0.125
#: seconds between saves of the record while a run runs (at least; more when saving it takes long)
CHECKPOINT = 1.0
#: seconds ``mldsl run`` waits for a terminated run to end before it saves the record as it is
TERMINATE_WAIT = 15.0
