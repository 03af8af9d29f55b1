"""The end of ``mldsl run`` for people: status, why it failed (the step, in the user's words), the outputs,
steps that succeeded with a warning, and a failed step's error (issue #30 m6, m7, m10).

A path or URI is printed alone on its line, never inside a sentence and never wrapped by mldsl: a terminal
only soft-wraps it, so copying it gives the path back whole (#30 m10).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mldsl.ops.failure import run_message, step_failure
from mldsl.runner.store import log_tail
from mldsl.runner.wording import display_name, plain, step_warning

#: failed steps or items whose log tail the summary prints (a fan-out may have thousands)
TAILS = 5
#: step files listed when the pipeline declares no outputs
FILES = 6
QUOTE = "'"
#: a value printed on a line of its own: a URI, or a path with a folder in it
PATHLIKE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|/|\.{0,2}/|[A-Za-z]:\\)\S*$")

Echo = Callable[[str], None]


def value_lines(label: str, value: Any, indent: str = "  ") -> list[str]:
    """``label value`` on one line, or, for a path or URI, the label and then the value alone on the next."""
    text = value if isinstance(value, str) else json.dumps(value)
    if isinstance(value, str) and PATHLIKE.match(value) and "/" in value:
        return [f"{indent}{label}", f"{indent}  {text}"]
    return [f"{indent}{label} {text}"]


def summary(record: dict[str, Any], folder: Path, echo: Echo) -> None:
    echo(f"run {record['run']}: {record['status']} in {record['duration']:.1f}s")
    if record.get("message") and record["status"] != "Succeeded":
        echo(f"  {run_message(record)}")
    for k, v in record.get("outputs", {}).items():
        for line in value_lines(f"output {k}:", v):
            echo(line)
    if not record.get("outputs"):  # a pipeline that declares no outputs: where its steps' files are (#30 m6)
        _step_files(record, echo)
    for name, step in _steps(record):
        warning = step_warning(step)
        if warning:
            echo(f"  warning: step {name} succeeded, but {warning}")
    _deployed_and_failed(record, folder, echo)
    echo("record:")
    echo(f"    {folder / 'run.json'}")


def _step_files(record: dict[str, Any], echo: Echo) -> None:
    """The files (URIs) the run's steps wrote, the last step's first: a trained model, a report."""
    files = [
        (f"{k} of {name.split(QUOTE)[1]}", v)
        for name, step in reversed(_steps(record))
        if step.get("phase") == "Succeeded"
        for k, v in (step.get("outputs") or {}).items()
        if isinstance(v, str) and "://" in v and PATHLIKE.match(v)
    ]
    for label, uri in files[:FILES]:
        for line in value_lines(f"file {label}:", uri):
            echo(line)
    if len(files) > FILES:
        echo(f"  ({len(files) - FILES} more: mldsl runs show {record['run']})")


def _steps(record: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Each step as ``'name'`` (``'name' (on exit)`` for an exit step) and its record."""
    return [
        (f"'{display_name(str(name))}'" + (" (on exit)" if kind == "on_exit" else ""), s)
        for kind in ("steps", "on_exit")
        for name, s in (record.get(kind) or {}).items()
        if isinstance(s, dict) and not (s.get("internal") and s.get("phase") == "Succeeded")
    ]


def _deployed_and_failed(record: dict[str, Any], folder: Path, echo: Echo) -> None:
    tails = 0
    for step, s in _steps(record):
        if " written to " in s.get("message", ""):
            echo(f"  {step}: {s['message']} (not applied: a local run deploys nothing)")
        failed = [n for n in [s, *s.get("items", [])] if n.get("phase") in ("Failed", "Error") and n.get("log")]
        if len(failed) > TAILS - tails:
            echo(f"  {step}: {len(failed)} failed; the logs of the first {max(0, TAILS - tails)} follow")
        for node in failed[: max(0, TAILS - tails)]:
            tails += 1
            _failed(step.replace("'", "") + (f"({node['item']})" if "item" in node else ""), node, folder, echo)


def _failed(label: str, node: dict[str, Any], folder: Path, echo: Echo) -> None:
    """A failed step's error: its traceback condensed (the user's frames first), else its log's last lines;
    then the log's path, alone on its line."""
    log = folder / node["log"]
    condensed = step_failure(folder, node)
    echo(f"--- {label} failed: {plain(node.get('message', node['phase']))}; its log:")
    echo(f"    {log}")
    for line in condensed if condensed is not None else log_tail(log, 15):  # a 400 MB log costs 64 KiB
        echo(f"    {line}")
