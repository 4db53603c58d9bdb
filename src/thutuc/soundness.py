"""The invariants a simplification keeps, as a check users can call in their own tests.

``check(before, after, catalogue)`` lists what ``after`` breaks that ``before`` kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import networkx as nx

from thutuc import graph as flow
from thutuc.analysis.burden import Burden, burden
from thutuc.model import Catalogue, Procedure, StepKind

__all__ = ["Violation", "ViolationKind", "check", "proved_facts", "unsupplied_needs"]


class ViolationKind(StrEnum):
    """What a simplification must never do."""

    FACT_NOT_SUPPLIED = "fact-not-supplied"
    END_UNREACHABLE = "end-unreachable"
    PROTECTED_STEP_REMOVED = "protected-step-removed"
    BURDEN_INCREASED = "burden-increased"


@dataclass(frozen=True)
class Violation:
    """One broken invariant, with the step, fact or metric concerned."""

    kind: ViolationKind
    target: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.message}"


def proved_facts(procedure: Procedure, catalogue: Catalogue, document_id: str) -> set[tuple[str, str]]:
    """``(role, fact)`` a dossier document proves whichever alternative the applicant brings."""
    requirement = procedure.document.get(document_id)
    if requirement is None:
        return set()
    return {(requirement.about, fact) for fact in catalogue.proved_whichever(requirement.alternatives)}


def unsupplied_needs(procedure: Procedure, catalogue: Catalogue) -> set[tuple[str, str, str]]:
    """``(step, role, fact)`` for each need not supplied on every path to its step.

    A fact is supplied before a step when, on every path from the start, an earlier step
    provides it or a document consumed on the way (or by the step itself) proves it.
    Documents no step consumes count as given at the start.

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_catalogue, tiny_procedure
    >>> unsupplied_needs(tiny_procedure(), tiny_catalogue())
    set()
    """
    forward = flow.forward_graph(flow.to_graph(procedure))
    if not nx.is_directed_acyclic_graph(forward):
        return set()
    consumed = {d for s in procedure.steps for d in s.consumes}
    initial: set[tuple[str, str]] = set()
    for requirement in procedure.documents:
        if requirement.id not in consumed:
            initial |= proved_facts(procedure, catalogue, requirement.id)
    documents_at = {
        s.id: set().union(*(proved_facts(procedure, catalogue, d) for d in s.consumes)) if s.consumes else set()
        for s in procedure.steps
    }
    provided_at = {s.id: {(role, f) for role, facts in s.provides.items() for f in facts} for s in procedure.steps}
    before: dict[str, set[tuple[str, str]]] = {}
    missing = set()
    for step_id in nx.topological_sort(forward):
        incoming = [before[p] | documents_at[p] | provided_at[p] for p in forward.predecessors(step_id)]
        before[step_id] = set.intersection(*incoming) if incoming else set(initial)
        available = before[step_id] | documents_at[step_id] | initial
        for role, facts in procedure.step[step_id].needs.items():
            missing |= {(step_id, role, fact) for fact in facts if (role, fact) not in available}
    return missing


def _shape(procedure: Procedure) -> Iterable[Violation]:
    graph = flow.to_graph(procedure)
    starts = flow.start_steps(graph)
    if not flow.end_steps(graph):
        yield Violation(ViolationKind.END_UNREACHABLE, procedure.id, "the procedure has no end")
    for step in flow.unreachable_steps(graph, starts[:1]):
        yield Violation(ViolationKind.END_UNREACHABLE, step, f"step '{step}' cannot be reached from the start")
    for step in flow.dead_end_steps(graph):
        yield Violation(ViolationKind.END_UNREACHABLE, step, f"no end can be reached from step '{step}'")


_METRICS = ("steps", "citizen_steps", "visits", "documents", "unconditional_documents", "handoffs")


def _burden_violations(before: Burden, after: Burden) -> Iterable[Violation]:
    for metric in _METRICS:
        old, new = getattr(before, metric), getattr(after, metric)
        if new > old:
            yield Violation(ViolationKind.BURDEN_INCREASED, metric, f"{metric} rose from {old} to {new}")
    for metric in ("critical_path_days", "cost_per_application_vnd"):
        old, new = getattr(before, metric), getattr(after, metric)
        if metric == "critical_path_days" and before.days_basis != after.days_basis:
            continue  # a sum of step durations and a legal time limit do not compare
        if old is not None and new is not None and new > old + 1e-9:
            yield Violation(ViolationKind.BURDEN_INCREASED, metric, f"{metric} rose from {old:g} to {new:g}")
    # A field may be added only in exchange for a document: the ID number asked instead of a paper, removed or
    # kept only as the fallback of a lookup.
    exchanged = max(
        0, before.documents - after.documents, before.unconditional_documents - after.unconditional_documents
    )
    if after.declared_fields > before.declared_fields + exchanged:
        yield Violation(
            ViolationKind.BURDEN_INCREASED,
            "declared_fields",
            f"declared fields rose from {before.declared_fields} to {after.declared_fields} "
            f"with {exchanged} document(s) removed in exchange",
        )


def check(before: Procedure, after: Procedure, catalogue: Catalogue) -> list[Violation]:
    """What ``after`` breaks that ``before`` kept; an empty list when the change is sound.

    The invariants: every fact a step needs is still supplied before it; the start still
    reaches every end; no decision, signature or mandated step is removed; no burden metric
    rises (declared fields may rise only by as many as the documents removed).

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_catalogue, tiny_procedure
    >>> check(tiny_procedure(), tiny_procedure(), tiny_catalogue())
    []
    """
    violations: list[Violation] = []
    lost = unsupplied_needs(after, catalogue) - unsupplied_needs(before, catalogue)
    for step, role, fact in sorted(lost):
        violations.append(
            Violation(ViolationKind.FACT_NOT_SUPPLIED, step, f"step '{step}' needs {role}:{fact}, no longer supplied")
        )
    violations += _shape(after)
    for step in before.steps:
        protected = step.kind in (StepKind.DECIDE, StepKind.SIGN) or step.mandated
        if protected and step.id not in after.step:
            violations.append(
                Violation(
                    ViolationKind.PROTECTED_STEP_REMOVED, step.id, f"{step.kind.value} step '{step.id}' was removed"
                )
            )
    violations += _burden_violations(burden(before, catalogue), burden(after, catalogue))
    return violations
