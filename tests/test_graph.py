"""to_graph and the flow questions asked of it."""

from __future__ import annotations

import networkx as nx

from thutuc import graph as flow
from thutuc.testing.examples import tiny_procedure


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
