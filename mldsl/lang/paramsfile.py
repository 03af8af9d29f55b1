"""A form's download is values, not an mldsl document: a params file (a mapping of a pipeline's params to values,
for ``--params-file``) or a step's ``with:`` block for a module. Which one, and whose, is said by its first line,
which the forms write (``# mldsl params of pipeline NAME``, ``# mldsl with: block for module NAME@VERSION``), or,
for a params file, by its name (``NAME.params.yaml``); ``mldsl validate`` then checks it against that pipeline or
module (``mldsl/ops/params_file.py``) instead of saying "missing apiVersion" (issue #30 m16)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mldsl.lang.diagnostics import Diagnostic
from mldsl.lang.yamlsource import Positions

MARKER = "# mldsl params of pipeline "
WITH_MARKER = "# mldsl with: block for module "
_NAME = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_MARKED = re.compile("^" + re.escape(MARKER) + f"({_NAME})" + r"\s*$")
_WITH = re.compile("^" + re.escape(WITH_MARKER) + rf"({_NAME}@[0-9A-Za-z.+-]+)\s*$")
_NAMED = re.compile(rf"^(?P<name>{_NAME})\.params\.ya?ml$")


def marker(pipeline: str, command: str) -> str:
    """The first lines of a params file for ``pipeline``: whose it is, and the command that uses it."""
    return f"{MARKER}{pipeline}\n# {command}\n"


def with_marker(module_key: str) -> str:
    """The first lines of a ``with:`` block for the module ``name@version``: whose it is, and where it goes."""
    return f"{WITH_MARKER}{module_key}\n# paste it into a step that uses {module_key}\n"


def form_file_of(path: Path) -> tuple[str, str] | None:
    """``("pipeline", name)`` for a params file, ``("module", name@version)`` for a with: block, else None."""
    try:
        if not path.is_file():
            return None
        with path.open(encoding="utf-8") as f:
            first = f.readline(300)
    except (OSError, UnicodeDecodeError):
        return None
    if m := _MARKED.match(first):
        return "pipeline", m.group(1)
    if m := _WITH.match(first):
        return "module", m.group(1)
    m = _NAMED.match(path.name)
    return ("pipeline", m.group("name")) if m else None


def values_not_document(data: dict[Any, Any], pos: Positions) -> Diagnostic | None:
    """One error for a mapping with none of a document's keys (a params file or a with: block given to ``validate``
    without the first line that says whose): what it seems to be and how to use it, not MLD100 and MLD101."""
    if any(k in data for k in ("apiVersion", "kind", "metadata", "spec")):
        return None
    return Diagnostic(
        "MLD100",
        "not an mldsl document: no apiVersion, kind, metadata or spec",
        pos.span(()),
        hint="if it holds a pipeline's params, it goes to `mldsl run --params-file FILE`; named PIPELINE.params.yaml, or "
        f"with the first line '{MARKER}PIPELINE' (a form writes it), `mldsl validate FILE` checks it against that pipeline",
    )
