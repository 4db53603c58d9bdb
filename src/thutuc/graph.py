"""A procedure as a networkx directed graph of steps, and the flow questions asked of it.

Nodes are step ids carrying the step's attributes; edges carry the transition's condition and loop flag.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import networkx as nx

from thutuc._memo import RecentResults
from thutuc.model import Procedure

__all__ = [
    "Flow",
    "ForwardOrder",
    "SharedFlow",
    "dead_end_steps",
    "end_steps",
    "flow_of",
    "forward_flow",
    "forward_graph",
    "forward_order",
    "incoming",
    "shared_flow",
    "start_steps",
    "to_graph",
    "undeclared_cycles",
    "unreachable_steps",
]


Flow = dict[str, dict[str, bool]]
"""Each step's successors, each with whether the edge is a declared loop, in declaration order.

The analyzers walk the flow many times per procedure: plain dicts are several times cheaper to build and
walk than a networkx graph, and keep the same orders (nodes, successors and predecessors as inserted).
"""


def flow_of(procedure: Procedure) -> Flow:
    """The procedure's flow as plain successor dicts (transitions to undeclared steps left out, as in ``to_graph``).

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_procedure
    >>> flow_of(tiny_procedure())
    {'submit': {'decide': False}, 'decide': {'issue': False}, 'issue': {}}
    """
    return {s.id: {t.to: t.loop for t in s.next if t.to in procedure.step} for s in procedure.steps}


ForwardOrder = tuple[list[str], dict[str, list[str]]]
"""The forward flow's steps in topological order, and each step's forward predecessors (see ``forward_order``)."""


class SharedFlow(NamedTuple):
    """A procedure's flow in the forms the analyzers walk, computed once per procedure object."""

    successors: Flow
    predecessors: Flow
    forward: ForwardOrder | None
    """``None`` when the forward flow has a cycle."""


# Analyzing a procedure walks its flow in the fact supply and in each burden; the flow of a frozen model never
# changes, so they share one.
_FLOWS: RecentResults[SharedFlow] = RecentResults(4)


def shared_flow(procedure: Procedure) -> SharedFlow:
    """``flow_of(procedure)``, its ``incoming`` and its ``forward_order``, computed once for the procedure object
    and shared by whoever asks next: read them, never change them.

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_procedure
    >>> procedure = tiny_procedure()
    >>> shared = shared_flow(procedure)
    >>> shared.forward[0], shared_flow(procedure) is shared
    (['submit', 'decide', 'issue'], True)
    """

    def compute() -> SharedFlow:
        flow = flow_of(procedure)
        return SharedFlow(flow, incoming(flow), forward_order(flow))

    return _FLOWS.get((procedure,), (), compute)


def incoming(flow: Flow) -> Flow:
    """Each step's predecessors, each with whether the edge is a declared loop, in the order networkx keeps them.

    Examples
    --------
    >>> incoming({"a": {"b": False}, "b": {"a": True, "c": False}, "c": {}})
    {'a': {'b': True}, 'b': {'a': False}, 'c': {'b': False}}
    """
    predecessors: Flow = {node: {} for node in flow}
    for node, successors in flow.items():
        for successor, loop in successors.items():
            predecessors[successor][node] = loop
    return predecessors


def forward_order(flow: Flow) -> ForwardOrder | None:
    """The forward flow's steps (no declared loops) in the order networkx's ``topological_sort`` gives, with
    each step's forward predecessors in flow order; ``None`` when the forward flow has a cycle.

    Examples
    --------
    >>> forward_order({"a": {"b": False}, "b": {"a": True, "c": False}, "c": {}})
    (['a', 'b', 'c'], {'a': [], 'b': ['a'], 'c': ['b']})
    """
    indegree = dict.fromkeys(flow, 0)
    predecessors: dict[str, list[str]] = {node: [] for node in flow}
    for node, successors in flow.items():
        for succ, loop in successors.items():
            if not loop:
                indegree[succ] += 1
                predecessors[succ].append(node)
    generation = [node for node, degree in indegree.items() if degree == 0]
    order: list[str] = []
    while generation:
        order += generation
        following = []
        for node in generation:
            for succ, loop in flow[node].items():
                if not loop:
                    indegree[succ] -= 1
                    if indegree[succ] == 0:
                        following.append(succ)
        generation = following
    return (order, predecessors) if len(order) == len(flow) else None


def to_graph(procedure: Procedure) -> nx.DiGraph:
    """The procedure's flow as a ``networkx.DiGraph``.

    Each node is a step id with the attributes ``step`` (the model), ``kind``, ``actor`` and
    ``name``; each edge has ``condition`` and ``loop``. Transitions to undeclared steps are
    left out (the loader reports them).

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_procedure
    >>> g = to_graph(tiny_procedure())
    >>> sorted(g.edges)
    [('decide', 'issue'), ('submit', 'decide')]
    >>> g.nodes["decide"]["kind"]
    'decide'
    """
    graph = nx.DiGraph(procedure=procedure.id)
    for step in procedure.steps:
        graph.add_node(step.id, step=step, kind=step.kind.value, actor=step.actor, name=step.name.vi)
    for step in procedure.steps:
        for transition in step.next:
            if transition.to in graph:
                graph.add_edge(step.id, transition.to, condition=transition.condition, loop=transition.loop)
    return graph


def forward_flow(graph: nx.DiGraph) -> nx.DiGraph:
    """A view of the graph without its declared loop edges: the flow that must be acyclic."""
    return nx.subgraph_view(graph, filter_edge=lambda u, v: not graph.edges[u, v]["loop"])


def forward_graph(graph: nx.DiGraph) -> nx.DiGraph:
    """A new graph of the forward flow (no declared loops): faster to walk than the view of ``forward_flow``."""
    forward = nx.DiGraph()
    forward.add_nodes_from(graph)
    forward.add_edges_from((u, v) for u, v, loop in graph.edges(data="loop") if not loop)
    return forward


def start_steps(graph: nx.DiGraph) -> list[str]:
    """Steps with no predecessor in the forward flow, in declaration order."""
    forward = forward_graph(graph)
    return [n for n in graph if forward.in_degree(n) == 0]


def end_steps(graph: nx.DiGraph) -> list[str]:
    """Steps with no successor, in declaration order."""
    return [n for n in graph if graph.out_degree(n) == 0]


def unreachable_steps(graph: nx.DiGraph, starts: Iterable[str]) -> list[str]:
    """Steps no path from ``starts`` reaches, in declaration order."""
    reached: set[str] = set()
    for start in starts:
        if start not in reached:
            reached.add(start)
            reached |= nx.descendants(graph, start)
    return [n for n in graph if n not in reached]


def dead_end_steps(graph: nx.DiGraph) -> list[str]:
    """Steps from which no end step can be reached, in declaration order."""
    ends = end_steps(graph)
    reverse = graph.reverse(copy=False)
    can_finish: set[str] = set(ends)
    for end in ends:
        can_finish |= nx.descendants(reverse, end)
    return [n for n in graph if n not in can_finish]


def undeclared_cycles(graph: nx.DiGraph) -> list[list[str]]:
    """Cycles of the forward flow, one per strongly connected component, in declaration order.

    Each cycle is a list of step ids ``[v, ..., u]`` whose last edge ``u -> v`` is the one
    that goes back: the latest-declared step leading to an earlier-declared one.

    Examples
    --------
    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "b")])
    >>> nx.set_edge_attributes(g, False, "loop")
    >>> undeclared_cycles(g)
    [['b', 'c']]
    """
    forward = forward_graph(graph)
    order = {n: i for i, n in enumerate(graph)}
    cycles = []
    for component in nx.strongly_connected_components(forward):
        if len(component) == 1 and not forward.has_edge(*(2 * tuple(component))):
            continue  # most steps are their own component: skip them without building a view
        inner = forward.subgraph(component)
        if inner.number_of_edges() == 0:
            continue
        edges = sorted(inner.edges, key=lambda e: (order[e[1]] > order[e[0]], -order[e[0]], order[e[1]]))
        back_from, back_to = edges[0]
        cycles.append(nx.shortest_path(inner, back_to, back_from))
    return sorted(cycles, key=lambda cycle: min(order[n] for n in cycle))
