"""At most so many threads at once for a fan-out's items, a steps group or a DAG's ready tasks.

A thread per item made a fan-out of 100,000 items start 22,000 threads (670 MB after 40 s), lose one to
``MemoryError`` and take 41 s to stop (#28 item 9). Items still *run* as before, at most ``--parallel`` pods
at once (``Execution.pods``); a thread only waits for its item, so a bounded number of them is enough. The
bound is per fan-out, so nested fan-outs (an item that is a DAG with a fan-out of its own) cannot starve each
other into a deadlock: each one's items always have threads of their own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

#: threads per fan-out beyond ``--parallel`` (items waiting for a pod, a semaphore or a person): cheap, and
#: enough that items which finish at once (skipped, cached) do not wait for a thread
SPARE = 16


def limit_for(parallel: int) -> int:
    """The threads a fan-out may use when ``parallel`` pods may run at once."""
    return max(1, parallel) + SPARE


def run_bounded(jobs: Iterable[Callable[[], None]], limit: int, stopping: threading.Event) -> int:
    """Run each job in a thread of its own, at most ``limit`` at once, until every started one has ended.

    No new job starts once ``stopping`` is set (a stop, a terminate, a hang, a full disk): returns how many
    started, in order, so that the caller can say what never ran. A job must not raise: what it raises is
    lost with its thread (the callers' jobs end their node with the error).
    """
    cond = threading.Condition()
    active = 0
    started = 0

    def wrap(job: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            nonlocal active
            try:
                job()
            finally:
                with cond:
                    active -= 1
                    cond.notify_all()

        return run

    for job in jobs:
        with cond:
            while active >= limit and not stopping.is_set():
                cond.wait(0.5)  # a stop is seen within this, even if no job ends
            if stopping.is_set():
                break
            active += 1
        try:
            threading.Thread(target=wrap(job), daemon=True).start()
        except BaseException:  # RuntimeError: can't start new thread
            with cond:
                active -= 1
            raise
        started += 1
    with cond:
        while active:
            cond.wait()
    return started
