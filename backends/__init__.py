"""Backends: one emitter module per target, registered in :data:`BACKENDS`.

A backend is a module with ``emit(program) -> list[Manifest]``; it reads
only the IR (``mldsl.compiler.ir``). Adding a target means adding one module
and one line here. Backends are imported lazily, so a command pays only for
the targets it uses.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mldsl.compiler.ir import Program
    from mldsl.compiler.targets import TargetCheck

#: name -> module that implements ``emit``
BACKENDS: dict[str, str] = {
    "argo": "mldsl.backends.argo",
    "argo-sweeps": "mldsl.backends.argo.sweep",
    "katib": "mldsl.backends.katib",
    "seldon-v1": "mldsl.backends.seldon_v1",
    "seldon-v2": "mldsl.backends.seldon_v2",
    "kserve": "mldsl.backends.kserve",
}


#: name -> module whose ``check(program)`` says what that target refuses (``compiler/targets.py``)
CHECKS: dict[str, str] = {
    "katib": "mldsl.backends.katib_rules",
    "serving": "mldsl.backends.serving_rules",  # seldon-v1, seldon-v2, kserve
}


def target_checks() -> list[TargetCheck]:
    """Every backend's check, for the compiler to run and position (``ops.project.compile_project``)."""
    return [importlib.import_module(module).check for module in CHECKS.values()]


@dataclass(frozen=True)
class Manifest:
    """One Kubernetes object and the file it is written to."""

    filename: str
    body: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.body["kind"])

    @property
    def name(self) -> str:
        return str(self.body["metadata"]["name"])


def emit_all(program: Program, targets: tuple[str, ...] = tuple(BACKENDS)) -> list[Manifest]:
    """Every manifest of ``program`` from the named backends, in a stable order."""
    out: list[Manifest] = []
    for name in targets:
        module = importlib.import_module(BACKENDS[name])
        out.extend(module.emit(program))
    return sorted(out, key=lambda m: m.filename)
