"""Properties every analysis keeps, over procedures drawn with the shipped strategies."""

from __future__ import annotations

import copy
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from thutuc.analysis import AnalysisOptions, AssumedConnection, analyze, handoffs, once_only
from thutuc.analysis.burden import _contract_flow, contract
from thutuc.graph import flow_of, incoming, to_graph
from thutuc.model import Catalogue, Procedure, StepKind
from thutuc.testing.strategies import catalogue_and_procedure

OPTIONS = AnalysisOptions(as_of=dt.date(2026, 1, 1))
CAN_GO = ("once-only.replaceable", "once-only.conditional")


def _unconnected(catalogue: Catalogue) -> Catalogue:
    return catalogue.model_copy(
        update={
            "data_sources": tuple(
                s.model_copy(update={"connections": [], "operator": None}) for s in catalogue.data_sources
            ),
            "agencies": tuple(a.model_copy(update={"systems": []}) for a in catalogue.agencies),
        }
    )


@given(catalogue_and_procedure())
def test_no_removal_targets_a_decision_a_signature_or_a_mandated_step(pair: tuple[Catalogue, Procedure]):
    catalogue, procedure = pair
    for finding in handoffs(procedure, catalogue, options=OPTIONS):
        step = procedure.step[finding.target.id]
        assert step.kind not in (StepKind.DECIDE, StepKind.SIGN), finding
        assert not step.mandated, finding


@given(catalogue_and_procedure())
def test_with_no_data_source_connected_no_document_is_replaceable(pair: tuple[Catalogue, Procedure]):
    catalogue, procedure = pair
    findings = once_only(procedure, _unconnected(catalogue), options=OPTIONS)
    assert not [f for f in findings if f.rule in CAN_GO]


@given(catalogue_and_procedure(), st.data())
def test_adding_a_connection_never_reduces_the_documents_that_can_go(
    pair: tuple[Catalogue, Procedure], data: st.DataObject
):
    catalogue, procedure = pair
    if not catalogue.data_sources:
        return
    source = data.draw(st.sampled_from([s.id for s in catalogue.data_sources]))
    before = {f.target.id for f in once_only(procedure, catalogue, options=OPTIONS) if f.rule in CAN_GO}
    wider = AnalysisOptions(as_of=OPTIONS.as_of, assume_connected=(AssumedConnection(source),))
    after = {f.target.id for f in once_only(procedure, catalogue, options=wider) if f.rule in CAN_GO}
    assert before <= after


@given(catalogue_and_procedure())
def test_findings_are_deterministic(pair: tuple[Catalogue, Procedure]):
    catalogue, procedure = pair
    first = analyze(procedure, catalogue, options=OPTIONS)
    again = analyze(Procedure.model_validate(procedure.model_dump()), catalogue, options=OPTIONS)
    assert first.model_dump_json() == again.model_dump_json()


@given(catalogue_and_procedure())
def test_applying_the_findings_never_increases_the_burden(pair: tuple[Catalogue, Procedure]):
    catalogue, procedure = pair
    result = analyze(procedure, catalogue, options=OPTIONS)
    before, after = result.burden_before, result.burden_after
    assert after.steps <= before.steps
    assert after.documents <= before.documents
    assert after.visits <= before.visits
    assert after.citizen_steps <= before.citizen_steps


@given(catalogue_and_procedure(min_steps=2, max_steps=12), st.data())
def test_contracting_a_shared_flow_changes_neither_it_nor_its_predecessors(
    pair: tuple[Catalogue, Procedure], data: st.DataObject
):
    # Burden contracts the flow every analyzer shares; it copies only what a removal changes.
    _, procedure = pair
    flow = flow_of(procedure)
    predecessors = incoming(flow)
    flow_before, predecessors_before = copy.deepcopy(flow), copy.deepcopy(predecessors)
    removed = data.draw(st.lists(st.sampled_from(list(flow)), unique=True))
    contracted = _contract_flow(flow, removed, predecessors)
    assert flow == flow_before
    assert predecessors == predecessors_before
    assert contracted == _contract_flow(copy.deepcopy(flow), removed)
    graph = contract(to_graph(procedure), removed)
    assert {n: list(s) for n, s in contracted.items()} == {n: list(graph.successors(n)) for n in graph}
    assert all(contracted[u][v] == graph.edges[u, v]["loop"] for u, v in graph.edges)
