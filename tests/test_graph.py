"""to_graph and the flow questions asked of it."""

from __future__ import annotations

import networkx as nx
from hypothesis import given
from hypothesis import strategies as st

from thutuc import graph as flow
from thutuc.testing.examples import tiny_procedure
from thutuc.testing.strategies import procedures


def digraph(edges: list[tuple[str, str, bool]]) -> nx.DiGraph:
    g = nx.DiGraph()
    for u, v, loop in edges:
        g.add_edge(u, v, loop=loop, condition=None)
    return g


class TestToGraph:
    def test_nodes_carry_the_step(self):
        g = flow.to_graph(tiny_procedure())
        assert list(g.nodes) == ["submit", "decide", "issue"]
        assert g.nodes["submit"]["actor"] == "citizen"
        assert g.nodes["issue"]["step"].kind.value == "issue"
        assert g.graph["procedure"] == "tiny-certificate"

    def test_edges_carry_condition_and_loop(self):
        g = flow.to_graph(tiny_procedure())
        assert g.edges["submit", "decide"] == {"condition": None, "loop": False}


class TestQuestions:
    def test_starts_ignore_declared_loops(self):
        g = digraph([("a", "b", False), ("b", "a", True), ("b", "c", False)])
        assert flow.start_steps(g) == ["a"]
        assert flow.end_steps(g) == ["c"]
        assert flow.undeclared_cycles(g) == []

    def test_unreachable_and_dead_ends(self):
        g = digraph([("a", "b", False), ("c", "d", False), ("d", "c", False), ("e", "e", True)])
        assert flow.unreachable_steps(g, ["a"]) == ["c", "d", "e"]
        assert flow.dead_end_steps(g) == ["c", "d", "e"]

    def test_cycles_are_reported_once_per_component_in_order(self):
        g = digraph([("a", "b", False), ("b", "a", False), ("c", "c", False), ("a", "c", False)])
        assert flow.undeclared_cycles(g) == [["a", "b"], ["c"]]


def _random_flows() -> st.SearchStrategy[flow.Flow]:
    """Flows with loops flagged at random, cycles included: every order must still agree with networkx."""
    nodes = [f"s{i}" for i in range(8)]
    edge = st.tuples(st.sampled_from(nodes), st.sampled_from(nodes), st.booleans())

    def build(edges: list[tuple[str, str, bool]]) -> flow.Flow:
        result: flow.Flow = {node: {} for node in nodes}
        for u, v, loop in edges:
            result[u][v] = loop
        return result

    return st.lists(edge, max_size=20).map(build)


class TestPlainFlow:
    """The plain-dict flow the analyzers walk keeps networkx's orders, so their results do not change."""

    @given(procedures())
    def test_flow_of_matches_to_graph(self, procedure):
        graph = flow.to_graph(procedure)
        plain = flow.flow_of(procedure)
        assert list(plain) == list(graph)
        assert {n: list(s) for n, s in plain.items()} == {n: list(graph.successors(n)) for n in graph}
        assert {n: list(p) for n, p in flow.incoming(plain).items()} == {n: list(graph.predecessors(n)) for n in graph}
        before = flow.incoming(plain)
        assert all(plain[u][v] == before[v][u] == graph.edges[u, v]["loop"] for u, v in graph.edges)

    @given(_random_flows())
    def test_forward_order_matches_networkx(self, plain):
        forward = nx.DiGraph()
        forward.add_nodes_from(plain)
        forward.add_edges_from((u, v) for u, successors in plain.items() for v, loop in successors.items() if not loop)
        sorted_flow = flow.forward_order(plain)
        if not nx.is_directed_acyclic_graph(forward):
            assert sorted_flow is None
            return
        assert sorted_flow is not None
        order, predecessors = sorted_flow
        assert order == list(nx.topological_sort(forward))
        assert predecessors == {n: list(forward.predecessors(n)) for n in forward}
