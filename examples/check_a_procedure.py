"""Load the shipped procedures, look at one as a graph, and see a located error.

Run from the repository root: python examples/check_a_procedure.py
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

import thutuc
from thutuc.graph import forward_flow

ROOT = Path(__file__).resolve().parent.parent

procedure_set = thutuc.load_all(ROOT / "procedures")
birth = procedure_set["birth-registration"]
graph = thutuc.to_graph(birth)
print(f"{birth.name.vi} ({birth.code}): {graph.number_of_nodes()} steps, {graph.number_of_edges()} transitions")
print("longest path:", " -> ".join(nx.dag_longest_path(forward_flow(graph))))

broken = thutuc.dumps(birth).replace("actor: civil-status-officer", "actor: civil-status-oficer", 1)
try:
    thutuc.loads(broken, catalogue=procedure_set.catalogue, filename="birth-edited.yaml")
except thutuc.LoadError as error:
    for problem in error.problems:
        print(problem.format())
