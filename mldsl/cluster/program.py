"""A compiled program against a cluster: apply each object in order, or plan it with no cluster at all."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from mldsl.cluster.kube import PLURALS, Cluster, Outcome

if TYPE_CHECKING:
    from mldsl.backends import Manifest
    from mldsl.compiler.ir import Program


def apply_program(
    cluster: Cluster,
    program: Program,
    *,
    namespace: str | None,
    dry_run: str = "none",
    force: bool = False,
    wait: float | None = None,
) -> Iterator[tuple[Manifest, Outcome]]:
    """``mldsl apply`` (the CLI's and ``mldsl ui``'s): each compiled object with what became of it, in order.

    A run (a sweep's Workflow) is ``skipped``; ``dry_run``: none, client (reads only) or server; a KServe
    canary goes as :meth:`Cluster.apply` says (the stable model first while none has rolled out).
    """
    from mldsl.backends import kserve

    first = kserve.first_objects(program)
    for man, skipped in _definitions(program):
        body = man.body
        if skipped is not None:
            yield man, skipped
            continue
        stable = first.get(man.name) if man.kind == "InferenceService" else None
        if dry_run == "client":
            yield man, cluster.preview(body, namespace=namespace, stable=stable)
        else:
            yield (
                man,
                cluster.apply(body, namespace=namespace, dry_run=dry_run == "server", force=force, stable=stable, wait=wait),
            )


def _definitions(program: Program) -> Iterator[tuple[Manifest, Outcome | None]]:
    """Each compiled object, with its ``skipped`` outcome when apply leaves it alone (a run, not a definition)."""
    from mldsl.backends import emit_all

    for man in emit_all(program):
        body = man.body
        if (body["apiVersion"], body["kind"]) not in PLURALS:
            why = "a run, not a definition (start it with kubectl create -f)"
            yield man, Outcome(man.kind, f"{body['metadata'].get('generateName', '')}*", "skipped", why)
        else:
            yield man, None


def plan_program(program: Program, *, namespace: str | None) -> Iterator[tuple[Manifest, Outcome]]:
    """``apply --dry-run=client`` with no cluster configured: what would be applied, from the compiled objects
    alone (``planned``, with the namespace when the manifest or ``--namespace`` says it); nothing is compared
    with live objects, since there are none to read."""
    for man, skipped in _definitions(program):
        if skipped is not None:
            yield man, skipped
            continue
        ns = namespace or man.body["metadata"].get("namespace")
        yield man, Outcome(man.kind, man.name, "planned", f"namespace {ns}" if ns else "the context's namespace")
