"""The burden a procedure puts on applicants: steps, visits, documents, fields, days and cost.

The cost follows Circular 02/2017/TT-VPCP, Art. 27: the cost of the required tasks plus fees, times applications a year.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Literal, NamedTuple

import networkx as nx
from pydantic import Field

from thutuc._memo import RecentResults
from thutuc.graph import Flow, ForwardOrder, forward_order, incoming, shared_flow
from thutuc.model import (
    ActorKind,
    Catalogue,
    Channel,
    DocumentForm,
    DocumentRequirement,
    Presence,
    Procedure,
    Step,
    StepKind,
    SubmissionMode,
)
from thutuc.model.common import StrictModel

__all__ = ["COST_PARAMETERS", "Burden", "CostBreakdown", "StepBurden", "burden", "contract", "document_cost"]

COST_PARAMETERS = (
    "hourly-income",
    "time-per-visit",
    "travel-cost-per-visit",
    "document-preparation-time",
    "copy-cost",
    "copy-certification-fee",
)
"""Catalogue cost parameters the formula reads; a missing one leaves the cost unknown."""


class StepBurden(StrictModel):
    """One step's share of the burden."""

    step: str
    kind: str
    actor: str
    citizen: bool
    """Done by the applicant."""
    visit: bool
    """Needs the applicant at an office."""
    documents: int
    """Documents the applicant supplies at this step (first use only)."""
    handoff: bool
    """The dossier arrives from another agency."""
    working_days: float | None
    on_critical_path: bool
    cost_vnd: float | None
    """Time, travel and copies of this step, per application."""


class CostBreakdown(StrictModel):
    """The parts of the compliance cost of one application, in VND."""

    time: float
    travel: float
    copies: float
    fees: float


class Burden(StrictModel):
    """The burden metrics of one procedure, with their breakdown by step."""

    steps: int
    """Steps a person takes: every step but the automatic lookups."""
    lookups: int
    """Automatic lookups of a data source."""
    citizen_steps: int
    visits: int
    """In-person visits on the critical path (one application going through)."""
    documents: int
    """Documents the applicant supplies (all, conditional ones included)."""
    unconditional_documents: int
    declared_fields: int
    """Facts the applicant declares on forms (Directive 05/CT-TTg counts these)."""
    handoffs: int
    """Steps where the dossier arrives from another agency, whoever carried it (applicant steps and lookups
    in between are looked through)."""
    critical_path: list[str]
    critical_path_days: float | None
    """Working days along the critical path; from the legal time limit when no step has a duration."""
    days_basis: Literal["steps", "time_limit", "unknown"]
    fees_known: bool
    cost_per_application_vnd: float | None
    """Compliance cost per application; ``None`` when a cost parameter is missing."""
    cost_breakdown: CostBreakdown | None
    applications_per_year: int | None
    cost_per_year_vnd: float | None
    missing_parameters: list[str] = Field(default_factory=list)
    by_step: list[StepBurden]


def _contract_flow(flow: Flow, removed: Iterable[str], predecessors: Flow | None = None) -> Flow:
    """``flow`` without ``removed``, each removed step's predecessors joined to its successors.

    ``predecessors`` is the flow's ``incoming``, when the caller has it. Neither is changed: what a removal changes
    is copied first, and the rest shared, so that removing a few steps of a large flow costs those steps.
    """
    result = dict(flow)
    # Predecessors in the order a networkx graph keeps them, so that ties are broken in the same order.
    before = dict(predecessors if predecessors is not None else incoming(flow))
    own_successors: set[str] = set()
    own_predecessors: set[str] = set()

    def successors_of(node: str) -> dict[str, bool]:
        if node not in own_successors:
            own_successors.add(node)
            result[node] = dict(result[node])
        return result[node]

    def predecessors_of(node: str) -> dict[str, bool | None]:
        if node not in own_predecessors:
            own_predecessors.add(node)
            before[node] = dict(before[node])
        return before[node]

    for node in removed:
        if node not in result:
            continue
        outgoing = result.pop(node)
        for pred in before.pop(node):
            if pred == node:
                continue
            joined = successors_of(pred)
            incoming_loop = joined.pop(node)
            for succ, outgoing_loop in outgoing.items():
                if succ in (node, pred):
                    continue
                loop = incoming_loop or outgoing_loop
                if succ in joined:
                    loop = loop and joined[succ]
                joined[succ] = loop
                predecessors_of(succ)[pred] = None
        for succ in outgoing:
            if succ != node:
                predecessors_of(succ).pop(node, None)
    return result


def contract(graph: nx.DiGraph, removed: Iterable[str]) -> nx.DiGraph:
    """A copy of ``graph`` without ``removed``, each removed step's predecessors joined to its successors.

    A joined edge is a declared loop when either edge it replaces was one.

    Examples
    --------
    >>> g = nx.DiGraph()
    >>> g.add_edge("a", "b", loop=False, condition=None)
    >>> g.add_edge("b", "c", loop=False, condition=None)
    >>> sorted(contract(g, ["b"]).edges)
    [('a', 'c')]
    """
    flow = {node: {succ: bool(data.get("loop", False)) for succ, data in graph[node].items()} for node in graph}
    contracted = _contract_flow(flow, removed)
    result = nx.DiGraph(**graph.graph)
    result.add_nodes_from((node, graph.nodes[node]) for node in contracted)
    for node, successors in contracted.items():
        for succ, loop in successors.items():
            data = graph.edges[node, succ] if graph.has_edge(node, succ) else {"condition": None}
            result.add_edge(node, succ, **{**data, "loop": loop})
    return result


def _parameters(catalogue: Catalogue) -> tuple[dict[str, float], list[str]]:
    values = {p: catalogue.cost_parameter[p].value for p in COST_PARAMETERS if p in catalogue.cost_parameter}
    return values, [p for p in COST_PARAMETERS if p not in values]


def document_cost(requirement: DocumentRequirement, catalogue: Catalogue) -> float | None:
    """Time and copy cost of supplying one document, per application; ``None`` if a parameter is missing.

    One page per copy is assumed; a certified copy is a photocopy plus the certification fee.
    """
    values, missing = _parameters(catalogue)
    if missing:
        return None
    cost = values["document-preparation-time"] * values["hourly-income"]
    if requirement.form is DocumentForm.PLAIN_COPY:
        cost += requirement.copies * values["copy-cost"]
    elif requirement.form is DocumentForm.CERTIFIED_COPY:
        cost += requirement.copies * (values["copy-cost"] + values["copy-certification-fee"])
    return cost


def visit_cost(catalogue: Catalogue) -> float | None:
    """Time and travel cost of one visit to an office; ``None`` if a parameter is missing."""
    values, missing = _parameters(catalogue)
    if missing:
        return None
    return values["time-per-visit"] * values["hourly-income"] + values["travel-cost-per-visit"]


def is_visit(procedure: Procedure, step_id: str) -> bool:
    """Whether the step needs the applicant at an office."""
    step = procedure.step[step_id]
    actor = procedure.actor.get(step.actor)
    return _needs_a_visit(step, actor is not None and actor.kind is ActorKind.CITIZEN)


def _needs_a_visit(step: Step, by_the_applicant: bool) -> bool:
    return Presence.PRESENCE in step.requires or (by_the_applicant and step.channels == [Channel.IN_PERSON])


class _StepFacts(NamedTuple):
    """What the burden reads of a step, read once per procedure: each measure asks it of every step, and on a
    large procedure reading the step models again cost more than the questions."""

    id: str
    kind: str
    actor: str
    citizen: bool
    agency: str | None
    lookup: bool
    visit: bool
    days: float | None
    produces: bool
    consumes: list[str]
    declared: list[str]
    """The facts the applicant types at this step, as ``role:fact``."""


def _step_facts(procedure: Procedure) -> list[_StepFacts]:
    def read() -> list[_StepFacts]:
        citizens = {a.id for a in procedure.actors if a.kind is ActorKind.CITIZEN}
        agencies = {a.id: a.agency for a in procedure.actors if a.kind is not ActorKind.CITIZEN}
        facts = []
        for step in procedure.steps:
            citizen = step.actor in citizens
            lookup = step.kind is StepKind.LOOKUP
            facts.append(
                _StepFacts(
                    id=step.id,
                    kind=step.kind.value,
                    actor=step.actor,
                    citizen=citizen,
                    agency=agencies.get(step.actor),
                    lookup=lookup,
                    visit=_needs_a_visit(step, citizen),
                    days=step.duration.in_working_days if step.duration else None,
                    produces=bool(step.produces),
                    consumes=step.consumes,
                    # A lookup's facts come from its data source, even when the applicant's own actor runs it.
                    declared=[f"{role}:{fact}" for role, facts in step.provides.items() for fact in facts]
                    if citizen and not lookup
                    else [],
                )
            )
        return facts

    return _STEP_FACTS.get((procedure,), (), read)


_STEP_FACTS: RecentResults[list[_StepFacts]] = RecentResults(4)


def _critical_path(steps: list[_StepFacts], flow: Flow, sorted_flow: ForwardOrder | None) -> tuple[list[str], float]:
    """The longest path in working days (then in steps) from a start to an end that yields a result, given the
    flow's steps in declaration order and its ``forward_order``."""
    if sorted_flow is None:
        return [], 0.0
    order, predecessors = sorted_flow
    days: dict[str, float] = {}
    after_a_result: set[str] = set()
    for step in steps:
        days[step.id] = step.days or 0.0
        if step.produces:
            after_a_result.add(step.id)
    # The best path to each step: its days, its length in steps, and the step before it.
    total: dict[str, float] = {}
    length: dict[str, int] = {}
    previous: dict[str, str | None] = {}
    for node in order:
        preds = predecessors[node]
        if not preds:
            total[node], length[node], previous[node] = days[node], 1, None
            continue
        top = preds[0] if len(preds) == 1 else max(preds, key=lambda p: (total[p], length[p]))
        total[node], length[node], previous[node] = total[top] + days[node], length[top] + 1, top
    for node in order:  # one pass: a step follows a result when any predecessor does
        if node not in after_a_result and any(p in after_a_result for p in predecessors[node]):
            after_a_result.add(node)
    ends = [n for n, successors in flow.items() if not successors]
    successful = [e for e in ends if e in after_a_result] or ends or order[-1:]
    end = max(successful, key=lambda n: (total[n], length[n]))
    path = []
    node: str | None = end
    while node is not None:
        path.append(node)
        node = previous[node]
    return path[::-1], total[end]


def _declared_fields(
    procedure: Procedure,
    catalogue: Catalogue,
    documents: Collection[str],
    removed_fields: Collection[str],
    added_fields: Collection[str],
) -> int:
    fields: set[str] = set()
    for requirement in procedure.documents:
        if requirement.id not in documents:
            continue
        for alternative in requirement.alternatives:
            for type_id in alternative:
                document_type = catalogue.document_type.get(type_id)
                if document_type is not None and document_type.declaration:
                    fields |= {
                        f"{requirement.about}:{fact}"
                        for fact in document_type.proves
                        if fact not in requirement.prefilled
                    }
    for step in _step_facts(procedure):
        fields.update(step.declared)
    return len((fields - set(removed_fields)) | set(added_fields))


def burden(
    procedure: Procedure,
    catalogue: Catalogue,
    *,
    removed_documents: Collection[str] = (),
    removed_steps: Collection[str] = (),
    removed_fields: Collection[str] = (),
    added_fields: Collection[str] = (),
) -> Burden:
    """The burden of ``procedure``, or of what remains once the given documents, steps and fields go.

    Removed steps are contracted out of the flow, their predecessors joined to their successors.

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_catalogue, tiny_procedure
    >>> b = burden(tiny_procedure(), tiny_catalogue())
    >>> b.steps, b.citizen_steps, b.visits, b.documents, b.critical_path
    (3, 1, 1, 1, ['submit', 'decide', 'issue'])
    >>> burden(tiny_procedure(), tiny_catalogue(), removed_documents=["id-card"]).documents
    0
    """
    # Analyzing a procedure measures it, and diffing it against its simplified version measures it again.
    removals = tuple(tuple(c) for c in (removed_documents, removed_steps, removed_fields, added_fields))
    return _MEASURED.get(
        (procedure, catalogue),
        removals,
        lambda: _measure(procedure, catalogue, removed_documents, removed_steps, removed_fields, added_fields),
    )


_MEASURED: RecentResults[Burden] = RecentResults(4)


def _measure(
    procedure: Procedure,
    catalogue: Catalogue,
    removed_documents: Collection[str],
    removed_steps: Collection[str],
    removed_fields: Collection[str],
    added_fields: Collection[str],
) -> Burden:
    flow, predecessors, sorted_flow = shared_flow(procedure)
    contracted = [s for s in removed_steps if s in procedure.step]
    if contracted:
        flow = _contract_flow(flow, contracted, predecessors)
        predecessors, sorted_flow = None, forward_order(flow)
    supplied = [
        d for d in procedure.documents if d.mode is not SubmissionMode.RETRIEVED and d.id not in removed_documents
    ]
    supplied_ids = {d.id for d in supplied}
    every_step = _step_facts(procedure)
    # Steps in flow order: the questions below are asked of every step and edge.
    steps = [s for s in every_step if s.id in flow] if contracted else every_step
    path, path_days = _critical_path(steps, flow, sorted_flow)
    on_path = set(path)
    # The procedure's own steps decide the basis: removing its only timed step leaves 0 days, not the time limit.
    has_durations = any(s.days is not None for s in every_step)
    if has_durations:
        days, basis = path_days, "steps"
    elif procedure.time_limit is not None:
        days, basis = procedure.time_limit.in_working_days, "time_limit"
    else:
        days, basis = None, "unknown"

    agency_of = {s.id: s.agency for s in steps}
    lookups = [s.id for s in steps if s.lookup]
    # The dossier changes agency whoever carries it: the applicant's own steps and lookups are looked through.
    carried = [s.id for s in steps if s.citizen]
    people = _contract_flow(flow, lookups + carried, predecessors)
    handoff_targets = set()
    for u, successors in people.items():
        if from_agency := agency_of[u]:
            for v, loop in successors.items():
                if not loop and (to_agency := agency_of[v]) and from_agency != to_agency:
                    handoff_targets.add(v)
    one_visit = visit_cost(catalogue)
    costs = {d.id: document_cost(d, catalogue) or 0.0 for d in supplied} if one_visit is not None else {}
    seen_documents: set[str] = set()
    rows = []
    for step in steps:
        first_use = [d for d in step.consumes if d in supplied_ids and d not in seen_documents]
        seen_documents.update(first_use)
        cost: float | None = None
        if one_visit is not None:
            cost = (one_visit if step.visit else 0.0) + sum(costs[d] for d in first_use)
        rows.append(
            StepBurden(
                step=step.id,
                kind=step.kind,
                actor=step.actor,
                citizen=step.citizen,
                visit=step.visit,
                documents=len(first_use),
                handoff=step.id in handoff_targets,
                working_days=step.days,
                on_critical_path=step.id in on_path,
                cost_vnd=cost,
            )
        )
    visits = sum(1 for r in rows if r.visit and r.on_critical_path)
    unconditional = [d for d in supplied if d.condition is None]
    values, missing = _parameters(catalogue)
    fees = min((f.amount_vnd for f in procedure.fees), default=0)
    breakdown = None
    per_application = None
    if not missing:
        hours = visits * values["time-per-visit"] + len(unconditional) * values["document-preparation-time"]
        copies = sum((document_cost(d, catalogue) or 0.0) for d in unconditional) - len(unconditional) * (
            values["document-preparation-time"] * values["hourly-income"]
        )
        breakdown = CostBreakdown(
            time=hours * values["hourly-income"],
            travel=visits * values["travel-cost-per-visit"],
            copies=copies,
            fees=float(fees),
        )
        per_application = breakdown.time + breakdown.travel + breakdown.copies + breakdown.fees
    per_year = procedure.volume.per_year if procedure.volume else None
    return Burden(
        steps=len(flow) - len(lookups),
        lookups=len(lookups),
        citizen_steps=sum(1 for r in rows if r.citizen),
        visits=visits,
        documents=len(supplied),
        unconditional_documents=len(unconditional),
        declared_fields=_declared_fields(procedure, catalogue, supplied_ids, removed_fields, added_fields),
        handoffs=sum(1 for r in rows if r.handoff),
        critical_path=path,
        critical_path_days=days,
        days_basis=basis,
        fees_known=bool(procedure.fees),
        cost_per_application_vnd=per_application,
        cost_breakdown=breakdown,
        applications_per_year=per_year,
        cost_per_year_vnd=per_application * per_year if per_application is not None and per_year else None,
        missing_parameters=missing,
        by_step=rows,
    )
