"""Hand-offs: steps that decide nothing and only move, re-check or ask for what the state already has.

Removing one contracts the flow: each predecessor is joined to each successor. Decisions, signatures and
steps the law sets are never reported.
"""

from __future__ import annotations

from collections.abc import Collection

from thutuc.analysis.burden import document_cost, is_visit, visit_cost
from thutuc.analysis.findings import RULES, AnalysisOptions, Finding, Justification, Message, Saving, Severity, Target
from thutuc.analysis.once_only import once_only
from thutuc.analysis.supply import FactSupply
from thutuc.model import ActorKind, Catalogue, Channel, Procedure, Step, StepKind

__all__ = ["handoffs", "removed_documents"]

_KEEP = {StepKind.DECIDE, StepKind.SIGN}


def removed_documents(findings: list[Finding]) -> set[str]:
    """Documents the once-only findings take out of the dossier (conditional ones stay as a fallback)."""
    return {f.target.id for f in findings if f.rule in ("once-only.replaceable", "once-only.unnecessary")}


def _protected(step: Step) -> bool:
    return step.kind in _KEEP or step.mandated


def _automatic(step: Step, procedure: Procedure) -> bool:
    actor = procedure.actor.get(step.actor)
    system_actor = actor is not None and actor.kind is ActorKind.SYSTEM
    return system_actor or (bool(step.channels) and set(step.channels) <= {Channel.SYSTEM})


def _needed_later(step: Step, supply: FactSupply) -> bool:
    """Whether a fact the step provides is needed by a step it precedes."""
    return any(supply.needed_after(step.id, role, fact) for role, facts in step.provides.items() for fact in facts)


def handoffs(
    procedure: Procedure,
    catalogue: Catalogue,
    *,
    options: AnalysisOptions | None = None,
    once_only_findings: list[Finding] | None = None,
) -> list[Finding]:
    """Removable steps: pure transfers and receipts, re-checks, consultations, waits and re-submissions.

    ``once_only_findings`` are the once-only findings to build on; they are computed when not given.

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_catalogue, tiny_procedure
    >>> handoffs(tiny_procedure(), tiny_catalogue())
    []
    """
    options = options or AnalysisOptions()
    supply = FactSupply.of(procedure, catalogue, options)
    if once_only_findings is None:
        once_only_findings = once_only(
            procedure, catalogue, options=AnalysisOptions(options.as_of, options.assume_connected)
        )
    gone_documents = frozenset(removed_documents(once_only_findings))
    key = ("handoffs", options.rules, gone_documents)
    return list(supply.remembered(key, lambda: _handoffs(supply, options, gone_documents)))


def _handoffs(supply: FactSupply, options: AnalysisOptions, gone_documents: frozenset[str]) -> list[Finding]:
    procedure, catalogue = supply.procedure, supply.catalogue
    found: dict[str, tuple[str, str]] = {}  # step id -> (rule, reason)
    found |= _resubmissions(supply, gone_documents)
    found |= _rechecks_and_consultations(supply, gone_documents, found)
    found |= _waits(supply, found)
    found |= _pure_moves(supply, found)

    findings = []
    for step_id in sorted(found, key=supply.position.__getitem__):  # declaration order keeps the output deterministic
        step = procedure.step[step_id]
        rule, reason = found[step_id]
        if not options.applies(rule):
            continue
        findings.append(_finding(procedure, catalogue, supply, step, rule, reason, gone_documents))
    return findings


Found = dict[str, tuple[str, str]]


def _resubmissions(supply: FactSupply, gone_documents: Collection[str]) -> Found:
    """Later submissions of the applicant to another agency than an earlier one."""
    procedure = supply.procedure
    submits = [s for s in supply.steps_of(StepKind.SUBMIT) if s.actor in supply.citizen_actors]

    def receiving_agencies(step: Step) -> set[str]:
        agencies = set()
        for successor in supply.flow[step.id]:
            actor = procedure.actor.get(procedure.step[successor].actor)
            if actor is not None and actor.kind is not ActorKind.CITIZEN and actor.agency:
                agencies.add(actor.agency)
        return agencies

    found: Found = {}
    for step in submits:
        if _protected(step) or not step.consumes:
            continue
        if any(supply.flow[step.id].values()):
            continue  # a supplement answers a request; it is not a new submission
        here = receiving_agencies(step)
        elsewhere = [
            s
            for s in submits
            if s.id != step.id
            and supply.precedes(s.id, step.id)
            and here
            and receiving_agencies(s)
            and not here & receiving_agencies(s)
        ]
        if elsewhere:
            first = elsewhere[0].id
            kept = [d for d in step.consumes if d not in gone_documents]
            moved = f"; {', '.join(kept)} move to '{first}'" if kept else ""
            found[step.id] = (
                "handoff.resubmission",
                f"the applicant already submitted at '{first}', to another agency{moved}",
            )
    return found


def _rechecks_and_consultations(supply: FactSupply, gone_documents: Collection[str], found: Found) -> Found:
    """Checks of documents once-only removes, and consultations for facts a reachable source holds."""
    more: Found = {}
    for step in supply.steps_of(StepKind.CHECK, StepKind.CONSULT):
        # A consultation exists to supply facts later steps need: what matters is whether a source holds them.
        if step.id in found or _protected(step) or step.produces:
            continue
        if step.kind is StepKind.CHECK and step.consumes and set(step.consumes) <= gone_documents:
            if _needed_later(step, supply):
                continue
            needs = [(role, fact) for role, facts in step.needs.items() for fact in facts]
            if all(supply.supply(role, fact, step.id) is not None for role, fact in needs):
                more[step.id] = (
                    "handoff.recheck",
                    f"it checks only {', '.join(step.consumes)}, which once-only removes; the lookup replaces it",
                )
        elif step.kind is StepKind.CONSULT and step.provides:
            pairs = [(role, fact) for role, facts in step.provides.items() for fact in facts]
            supplies = [supply.supply(role, fact, step.id) for role, fact in pairs]
            holdings = [s.holding for s in supplies if s is not None and s.holding is not None]
            if len(holdings) == len(pairs):
                sources = sorted({h.source.id for h in holdings})
                asked = ", ".join(f"{r}:{f}" for r, f in pairs)
                more[step.id] = ("handoff.consult", f"it asks for {asked}, held by {', '.join(sources)}")
    return more


def _waits(supply: FactSupply, found: Found) -> Found:
    """Transfers, receipts and notices whose only neighbours are removable consultations."""
    consults = {s for s, (rule, _) in found.items() if rule == "handoff.consult"}
    more: Found = {}
    if not consults:
        return more
    for step in supply.steps_of(StepKind.TRANSFER, StepKind.RECEIVE, StepKind.NOTIFY):
        # Whether a later step needs what it provides is asked last: it costs a walk of the flow per fact.
        if step.id in found or _protected(step) or step.produces or step.needs or _needed_later(step, supply):
            continue
        preds, succs = set(supply.incoming[step.id]), set(supply.flow[step.id])
        if (preds and preds <= consults) or (succs and succs <= consults):
            more[step.id] = ("handoff.wait", "it exists only around a consultation the lookup replaces")
    return more


def _pure_moves(supply: FactSupply, found: Found) -> Found:
    """Transfers, and receipts that do not acknowledge the applicant's own submission."""
    procedure = supply.procedure
    removed_submissions = {s for s, (rule, _) in found.items() if rule == "handoff.resubmission"}
    more: Found = {}
    for step in supply.steps_of(StepKind.TRANSFER, StepKind.RECEIVE):
        # Whether a later step needs what it provides is asked last: it costs a walk of the flow per fact.
        if _automatic(step, procedure):
            continue
        if step.id in found or _protected(step) or step.produces or step.needs or step.consumes:
            continue
        if _needed_later(step, supply):
            continue
        if step.kind is StepKind.TRANSFER:
            more[step.id] = ("handoff.transfer", "it only moves the dossier to the next actor")
        elif step.kind is StepKind.RECEIVE:
            from_applicant = [
                p for p in supply.incoming[step.id] if supply.is_citizen_step(p) and p not in removed_submissions
            ]
            if not from_applicant:
                more[step.id] = ("handoff.receipt", "it only receives the dossier from another actor")
    return more


def _finding(
    procedure: Procedure,
    catalogue: Catalogue,
    supply: FactSupply,
    step: Step,
    rule: str,
    reason: str,
    gone_documents: Collection[str],
) -> Finding:
    preds = [p for p, loop in supply.incoming[step.id].items() if not loop]
    succs = [s for s, loop in supply.flow[step.id].items() if not loop]
    bypass = [(p, s) for p in preds for s in succs if p != s]
    citizen = step.actor in supply.citizen_actors
    visit = is_visit(procedure, step.id)

    def agency(step_id: str) -> str | None:
        actor = procedure.actor.get(procedure.step[step_id].actor)
        return actor.agency if actor is not None and actor.kind is not ActorKind.CITIZEN else None

    crossings = sum(1 for p in preds if agency(p) and agency(step.id) and agency(p) != agency(step.id))
    cost = (visit_cost(catalogue) or 0.0) if visit else 0.0
    if rule == "handoff.resubmission":
        cost += sum(
            document_cost(procedure.document[d], catalogue) or 0.0 for d in step.consumes if d in gone_documents
        )
    saving = Saving(
        steps=1,
        citizen_steps=1 if citizen else 0,
        visits=1 if visit else 0,
        handoffs=crossings,
        working_days=step.duration.in_working_days if step.duration else 0.0,
        cost_vnd=cost,
    )
    name_vi, name_en = step.name.vi, step.name.en or step.name.vi
    joined = ", ".join(f"{p} → {s}" for p, s in bypass) or "nothing to join"
    return Finding(
        rule=rule,
        procedure=procedure.id,
        target=Target(kind="step", id=step.id),
        severity=Severity.OPPORTUNITY,
        message=Message(
            vi=f"Bỏ bước '{name_vi}': {_VI_REASON[rule]}.",
            en=f"Remove '{name_en}': {reason}. Joins {joined}.",
        ),
        justification=Justification(reason=reason, legal_basis=list(RULES[rule].legal_basis)),
        saving=saving,
        bypass=bypass,
    )


_VI_REASON = {
    "handoff.transfer": "bước này chỉ chuyển hồ sơ, không quyết định gì",
    "handoff.receipt": "bước này chỉ tiếp nhận hồ sơ từ bộ phận khác",
    "handoff.recheck": "chỉ kiểm tra giấy tờ đã được thay bằng khai thác dữ liệu",
    "handoff.consult": "thông tin cần xác minh đã có trong cơ sở dữ liệu được kết nối",
    "handoff.wait": "chỉ phục vụ việc xác minh có thể thay bằng khai thác dữ liệu",
    "handoff.resubmission": "người dân đã nộp hồ sơ ở bước trước; gộp vào một lần nộp",
}
