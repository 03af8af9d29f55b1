"""Params files (a form's download, ``--params-file``): a mapping of a pipeline's params to values, not an mldsl
document. Which pipeline one is for is said by its first line, which the forms write (``# mldsl params of pipeline
NAME``), or by its name (``NAME.params.yaml``); ``mldsl validate`` then checks it against that pipeline
(``mldsl/ops/params_file.py``) instead of saying "missing apiVersion" (issue #30 m16)."""

from __future__ import annotations

import re
from pathlib import Path

MARKER = "# mldsl params of pipeline "
_MARKED = re.compile("^" + MARKER + r"([a-z0-9]([-a-z0-9]*[a-z0-9])?)\s*$")
_NAMED = re.compile(r"^(?P<name>[a-z0-9]([-a-z0-9]*[a-z0-9])?)\.params\.ya?ml$")


def marker(pipeline: str, command: str) -> str:
    """The first lines of a params file for ``pipeline``: whose it is, and the command that uses it."""
    return f"{MARKER}{pipeline}\n# {command}\n"


def pipeline_of(path: Path) -> str | None:
    """The pipeline a params file is for (its first line, else its name), or None when ``path`` is no params file."""
    try:
        if not path.is_file():
            return None
        with path.open(encoding="utf-8") as f:
            first = f.readline(300)
    except (OSError, UnicodeDecodeError):
        return None
    if m := _MARKED.match(first):
        return m.group(1)
    m = _NAMED.match(path.name)
    return m.group("name") if m else None
