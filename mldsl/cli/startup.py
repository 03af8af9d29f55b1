"""Run first by the command line (``mldsl.cli.main``), before its other imports: tune the garbage collector.

A command is a short process that allocates many small objects (YAML nodes, documents, the IR,
manifests) and frees few: CPython's default collects its youngest generation every 700 allocations,
some 10 % of a 1,000-step compile (issue #15). mypy, a similar short-lived tool, runs its collector
less often for the same reason (``mypy/main.py``: ``gc.set_threshold(200 * 1000, 30, 30)``); so do we.
"""

import gc
import sys

if sys.implementation.name == "cpython":
    gc.set_threshold(200_000, 30, 30)
