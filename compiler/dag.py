"""The step graph: dependencies, cycles and a stable topological order (networkx)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx


def build(deps: dict[str, set[str]]) -> nx.DiGraph:
    """A graph with an edge ``a -> b`` when step ``b`` depends on step ``a``."""
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(sorted(deps))
    for step in sorted(deps):
        for dep in sorted(deps[step]):
            g.add_edge(dep, step)
    return g


def find_cycle(g: nx.DiGraph) -> list[str] | None:
    """One cycle as the list of its steps, starting at its smallest name; ``None`` when acyclic."""
    import networkx as nx

    try:
        edges = nx.find_cycle(g)
    except nx.NetworkXNoCycle:
        return None
    nodes = [e[0] for e in edges]
    start = nodes.index(min(nodes))
    return nodes[start:] + nodes[:start]


def order(g: nx.DiGraph) -> list[str]:
    """Topological order; among steps that could go next, the alphabetically first."""
    import networkx as nx

    return list(nx.lexicographical_topological_sort(g))
