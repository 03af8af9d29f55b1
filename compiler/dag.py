"""The step graph: dependencies, cycles and a stable topological order.

Built on the standard library's :mod:`graphlib`. (networkx, which issue #2
suggests, costs ~116 ms to import on our CI machines: a quarter of the whole
1,000-step compile budget, for the two algorithms used here.)

>>> g = build({"train": {"load"}, "load": set(), "eval": {"train", "load"}, "docs": set()})
>>> order(g)
['docs', 'load', 'train', 'eval']
>>> find_cycle(build({"a": {"c"}, "b": {"a"}, "c": {"b"}}))
['a', 'b', 'c']
"""

from __future__ import annotations

import heapq
from graphlib import CycleError, TopologicalSorter

Graph = dict[str, set[str]]


def build(deps: dict[str, set[str]]) -> Graph:
    """The graph as step -> the steps it depends on (every dependency is also a node)."""
    g: Graph = {step: set(d) for step, d in deps.items()}
    for d in deps.values():
        for dep in d:
            g.setdefault(dep, set())
    return g


def find_cycle(g: Graph) -> list[str] | None:
    """One cycle in dependency order, starting at its smallest name; ``None`` when acyclic."""
    try:
        TopologicalSorter(g).prepare()
    except CycleError as exc:
        nodes: list[str] = list(exc.args[1][:-1])  # graphlib gives [a, ..., a] following "depends on"
        nodes.reverse()  # so that each step comes before the one that depends on it
        start = nodes.index(min(nodes))
        return nodes[start:] + nodes[:start]
    return None


def order(g: Graph) -> list[str]:
    """Topological order; among steps that could go next, the alphabetically first."""
    ts = TopologicalSorter(g)
    ts.prepare()
    ready = list(ts.get_ready())
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        node = heapq.heappop(ready)
        out.append(node)
        ts.done(node)
        for nxt in ts.get_ready():
            heapq.heappush(ready, nxt)
    return out
