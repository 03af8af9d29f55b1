"""Applying a compiled project to a cluster, written once for ``mldsl apply`` and the studio's Apply button.

Every object goes by server-side apply (field manager ``mldsl``, ``cluster/kube.py``); ``--prune`` then deletes
what the project no longer has, only objects carrying the project's id (SECURITY.md). Lines are handed to
``say`` as they happen, so the command line streams them and the studio collects them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from mldsl.cluster.kube import Cluster, NoClusterError, Outcome
from mldsl.cluster.program import apply_program, plan_program
from mldsl.ops.project import UsageError

if TYPE_CHECKING:
    from mldsl.compiler.ir import Program

#: ``say(line, err)``: one line of the report; ``err`` marks notes and skips (stderr on the command line)
Say = Callable[[str, bool], None]


def check_prune(program: Program) -> None:
    """``--prune`` deletes only objects of this project, known by its id: refuse before anything is applied."""
    if not program.project.name:
        raise UsageError("--prune needs a Project (mldsl.yaml): only that project's objects may be pruned")
    if not program.project.id:
        raise UsageError(
            "--prune needs the project's id: add 'id: " + str(uuid.uuid4()) + "' under spec in mldsl.yaml and commit "
            "it (apply writes it on every object; prune deletes only objects that carry it)"
        )


def apply_project(
    program: Program,
    say: Say,
    *,
    context: str | None,
    namespace: str | None,
    dry_run: str = "none",
    force: bool = False,
    wait: float | None = None,
    prune: bool = False,
    outcomes: list[Outcome] | None = None,
) -> None:
    """Apply every object of ``program`` (then prune, when asked); a refusal raises ``ClusterError``. Each outcome is
    also appended to ``outcomes`` when given (``--format json`` prints them as one document)."""
    kept: list[Outcome] = outcomes if outcomes is not None else []
    if prune:
        check_prune(program)
    suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry_run, "")
    try:
        cluster = Cluster.connect(context)
    except NoClusterError as exc:
        if dry_run != "client" or prune or context:  # pruning lists live objects; a named context must exist
            raise
        _plan_without_cluster(program, say, namespace, kept, str(exc).split("\n", 1)[0])
        return
    keep: set[tuple[str, str, str]] = set()
    namespaces: set[str] = set()
    for man, outcome in apply_program(cluster, program, namespace=namespace, dry_run=dry_run, force=force, wait=wait):
        kept.append(outcome)
        if outcome.action == "skipped":
            say(outcome.line(""), True)
            continue
        keep.add((man.body["apiVersion"], man.kind, man.name))
        namespaces.add(cluster.namespace_for(man.body, namespace))
        say(outcome.line(suffix), False)
        if outcome.note:
            say(outcome.note_line(), True)
    if prune:
        _prune(program, cluster, say, keep, namespaces, dry_run, suffix, kept)


def _plan_without_cluster(program: Program, say: Say, namespace: str | None, kept: list[Outcome], reason: str) -> None:
    """``--dry-run=client`` with no cluster: what would be applied, from the compiled objects alone."""
    say(f"mldsl: {reason}: listing what would be applied, not compared with a cluster", True)
    for _man, outcome in plan_program(program, namespace=namespace):
        kept.append(outcome)
        say(outcome.line("" if outcome.action == "skipped" else " (dry run, no cluster)"), outcome.action == "skipped")


def _prune(
    program: Program,
    cluster: Cluster,
    say: Say,
    keep: set[tuple[str, str, str]],
    namespaces: set[str],
    dry_run: str,
    suffix: str,
    kept: list[Outcome],
) -> None:
    """Delete this project's objects (known by its id) that ``keep`` no longer names."""
    project, project_id = program.project.name, program.project.id
    assert project and project_id  # check_prune
    pruned, skipped = cluster.prune(keep, project=project, project_id=project_id, namespaces=namespaces, dry_run=dry_run)
    kept.extend(skipped)
    kept.extend(pruned)
    for outcome in skipped:
        say(outcome.line(""), True)
    if pruned:
        names = ", ".join(f"{o.kind.lower()}/{o.name}" for o in pruned)
        say(f"mldsl: project {project} no longer has {names}: pruning{suffix}", True)
    for outcome in pruned:
        say(outcome.line(suffix), False)
