"""Once-only: which documents of the dossier the state already holds, and which fields need no declaring.

A document can go when every fact it proves that a step needs can reach that step without the applicant.
"""

from __future__ import annotations

from typing import Any

from thutuc.analysis.burden import document_cost
from thutuc.analysis.findings import (
    RULES,
    AnalysisOptions,
    Finding,
    Justification,
    Message,
    Saving,
    Severity,
    Target,
)
from thutuc.analysis.supply import FactSupply, KeyStatus, Supply
from thutuc.model import Catalogue, DocumentRequirement, LegalRef, Procedure, SubmissionMode

__all__ = ["once_only"]


def _label(requirement: DocumentRequirement, catalogue: Catalogue) -> tuple[str, str]:
    if requirement.name is not None:
        return requirement.name.vi, requirement.name.en or requirement.name.vi
    type_ids = [t for alternative in requirement.alternatives for t in alternative]
    names = [catalogue.document_type[t].name for t in type_ids if t in catalogue.document_type]
    if not names:
        return requirement.id, requirement.id
    return " / ".join(n.vi for n in names), " / ".join(n.en or n.vi for n in names)


def _proved_facts(requirement: DocumentRequirement, catalogue: Catalogue) -> list[str]:
    facts: dict[str, None] = {}
    for alternative in requirement.alternatives:
        for type_id in alternative:
            document_type = catalogue.document_type.get(type_id)
            if document_type is not None:
                facts.update(dict.fromkeys(document_type.proves))
    return list(facts)


def declared_facts(requirement: DocumentRequirement, catalogue: Catalogue) -> list[str]:
    """The facts the applicant declares on the requirement's forms (its alternatives that are declarations)."""
    facts: dict[str, None] = {}
    for alternative in requirement.alternatives:
        for type_id in alternative:
            document_type = catalogue.document_type.get(type_id)
            if document_type is not None and document_type.declaration:
                facts.update(dict.fromkeys(document_type.proves))
    return list(facts)


def _is_declaration(requirement: DocumentRequirement, catalogue: Catalogue) -> bool:
    return any(
        catalogue.document_type[t].declaration
        for alternative in requirement.alternatives
        for t in alternative
        if t in catalogue.document_type
    )


def _issued_earlier(requirement: DocumentRequirement, supply: FactSupply) -> str | None:
    """A step of this procedure that issues the document before every step that consumes it."""
    procedure = supply.procedure
    if requirement.document_type is None:
        return None
    consumers = supply.consumers.get(requirement.id, [])
    result_ids = {r.id for r in procedure.results if r.document_type == requirement.document_type}
    producers = [step_id for result in result_ids for step_id in supply.producers.get(result, [])]
    for step_id in producers:
        if consumers and all(supply.precedes(step_id, c) for c in consumers):
            return step_id
    return None


def _justify(supplies: list[Supply], reason: str, **instead: Any) -> Justification:
    """Why the supplies replace a document; ``instead``: fields a rule words its own way."""
    holdings = [s.holding for s in supplies if s.holding is not None]
    dates = [h.since for h in holdings if h.since is not None]
    legal: dict[tuple[str, str | None], LegalRef] = {}
    for holding in holdings:
        for ref in holding.legal_basis:
            legal.setdefault((ref.document, ref.article), ref)
    partial = [s for s in supplies if s.partial]
    fields: dict[str, Any] = {
        "facts": [f"{s.role}:{s.fact}" for s in supplies],
        "data_sources": list(dict.fromkeys(h.source.id for h in holdings)),
        "connected_via": list(dict.fromkeys(h.via for h in holdings)),
        "connected_since": max(dates) if dates and len(dates) == len(holdings) else None,
        "condition": "; ".join(f"{s.fact}: {s.holding.condition}" for s in partial if s.holding and s.holding.condition)
        or None,
        "fallback": "keep the document for applicants the data source does not cover" if partial else None,
        "reason": reason,
        "legal_basis": [*RULES["once-only.replaceable"].legal_basis, *legal.values()],
    }
    return Justification(**(fields | instead))


def _describe(supplies: list[Supply]) -> str:
    parts = []
    for s in supplies:
        if s.earlier_step is not None:
            parts.append(f"{s.fact} is established earlier at step '{s.earlier_step}'")
        elif s.holding is not None:
            assumed = " (assumed connection)" if s.holding.assumed else ""
            parts.append(f"{s.fact} is held by {s.holding.source.id} via {s.holding.via}{assumed}")
    return "; ".join(parts)


def once_only(procedure: Procedure, catalogue: Catalogue, *, options: AnalysisOptions | None = None) -> list[Finding]:
    """A finding for each document the applicant supplies, and for each field they need not declare.

    Each document is ``replaceable``, ``conditional`` (the source covers only part of the
    population), ``unnecessary`` (proves nothing a step needs) or ``must-stay`` (with the
    reason). Documents the officer already retrieves get no finding.

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_catalogue, tiny_procedure
    >>> [f.rule for f in once_only(tiny_procedure(), tiny_catalogue())]
    ['once-only.replaceable']
    """
    options = options or AnalysisOptions()
    supply = FactSupply.of(procedure, catalogue, options)
    return list(supply.remembered(("once-only", options.rules), lambda: _once_only(supply, options)))


def _once_only(supply: FactSupply, options: AnalysisOptions) -> list[Finding]:
    findings: list[Finding] = []
    for requirement in supply.procedure.documents:
        if requirement.mode is SubmissionMode.RETRIEVED:
            continue
        finding = _document_finding(requirement, supply)
        if options.applies(finding.rule):
            findings.append(finding)
    if options.applies("once-only.declared-field"):
        findings += _declared_field_findings(supply)
    return findings


def _document_finding(requirement: DocumentRequirement, supply: FactSupply) -> Finding:
    procedure, catalogue = supply.procedure, supply.catalogue
    vi, en = _label(requirement, catalogue)
    target = Target(kind="document", id=requirement.id)
    role = requirement.about
    proved = _proved_facts(requirement, catalogue)
    needed = [f for f in proved if (role, f) in supply.needed_by]
    cost = document_cost(requirement, catalogue) or 0.0
    saving = Saving(documents=1, cost_vnd=cost)

    def finding(rule: str, severity: Severity, msg_vi: str, msg_en: str, why: Justification, **extra) -> Finding:
        return Finding(
            rule=rule,
            procedure=procedure.id,
            target=target,
            severity=severity,
            message=Message(vi=msg_vi, en=msg_en),
            justification=why,
            **extra,
        )

    if _is_declaration(requirement, catalogue):
        return finding(
            "once-only.must-stay",
            Severity.INFO,
            f"Giữ '{vi}': đây là tờ khai, đơn đề nghị của người dân.",
            f"Keep '{en}': it is the application form itself.",
            Justification(
                facts=[f"{role}:{f}" for f in needed],
                reason="the form carries the request itself; fields the state holds are reported one by one",
            ),
        )
    issued_at = _issued_earlier(requirement, supply)
    if issued_at is not None:
        return finding(
            "once-only.replaceable",
            Severity.OPPORTUNITY,
            f"Bỏ '{vi}': giấy tờ này do chính thủ tục cấp ở bước '{issued_at}'.",
            f"Drop '{en}': this procedure itself issues it at step '{issued_at}'.",
            Justification(
                facts=[f"{role}:{f}" for f in needed],
                reason=f"the document is a result of step '{issued_at}', which comes before every step using it",
                legal_basis=list(RULES["once-only.replaceable"].legal_basis),
            ),
            saving=saving,
        )
    if not needed:
        return finding(
            "once-only.unnecessary",
            Severity.OPPORTUNITY,
            f"Bỏ '{vi}': không bước nào cần thông tin mà giấy tờ này chứng minh.",
            f"Drop '{en}': no step needs anything it proves.",
            Justification(
                facts=[f"{role}:{f}" for f in proved],
                reason="no step needs any fact the document proves",
                legal_basis=list(RULES["once-only.unnecessary"].legal_basis),
            ),
            saving=saving,
        )
    supplies: list[Supply] = []
    missing: list[str] = []
    for fact in needed:
        got, failing = supply.supply_everywhere(role, fact)
        if got is None:
            missing.append(supply.why_not(role, fact, failing or ""))
        else:
            supplies.append(got)
    if missing:
        return finding(
            "once-only.must-stay",
            Severity.INFO,
            f"Giữ '{vi}': nhà nước chưa có sẵn thông tin cần thiết.",
            f"Keep '{en}': " + "; ".join(missing) + ".",
            Justification(facts=[f"{role}:{f}" for f in needed], reason="; ".join(missing)),
        )
    adds = sorted(
        {f"{s.role}:{s.holding.source.lookup_key}" for s in supplies if s.key is KeyStatus.ASKABLE and s.holding}
    )
    how = _describe(supplies)
    ask = f"; the form asks for {', '.join(adds)} instead" if adds else ""
    saving = Saving(documents=1, cost_vnd=cost, declared_fields=-len(adds))
    fallback = requirement.condition is not None and all(s.earlier_step is not None for s in supplies)
    if fallback:
        why = _justify(
            supplies,
            how,
            condition=requirement.condition,
            fallback="the document is the paper fallback of a lookup this procedure already makes",
        )
        return finding(
            "once-only.conditional",
            Severity.OPPORTUNITY,
            f"'{vi}' chỉ là phương án dự phòng khi không khai thác được dữ liệu; giữ làm dự phòng.",
            f"'{en}' is only a fallback: {how}; keep it for when that lookup fails ({requirement.condition}).",
            why,
            saving=saving,
        )
    gaps = [(s, gap) for s in supplies if (gap := supply.may_find_nothing(s)) is not None]
    if gaps:
        # The lookup that establishes the fact may come back empty: the paper stays, for that case.
        lookups = ", ".join(f"'{s.earlier_step}'" for s, _ in gaps)
        why = _justify(
            supplies, how, condition="; ".join(gap for _, gap in gaps), fallback=f"when {lookups} finds nothing"
        )
        return finding(
            "once-only.conditional",
            Severity.OPPORTUNITY,
            f"'{vi}' chỉ cần khi bước khai thác dữ liệu không tìm thấy thông tin; giữ làm dự phòng.",
            f"'{en}' is needed only when {lookups} finds nothing: {how}, but the source holds it for part of "
            "the population; keep it as a fallback.",
            why,
            saving=saving,
        )
    if any(s.partial for s in supplies):
        why = _justify(supplies, how + ask)
        return finding(
            "once-only.conditional",
            Severity.OPPORTUNITY,
            f"Có thể bỏ '{vi}' khi dữ liệu có sẵn; giữ giấy tờ cho trường hợp chưa có dữ liệu.",
            f"Drop '{en}' where the data is there: {how}{ask}; keep it as a fallback.",
            why,
            saving=saving,
            adds_fields=adds,
        )
    return finding(
        "once-only.replaceable",
        Severity.OPPORTUNITY,
        f"Bỏ '{vi}': cán bộ khai thác thông tin từ cơ sở dữ liệu.",
        f"Drop '{en}': {how}{ask}.",
        _justify(supplies, how + ask),
        saving=saving,
        adds_fields=adds,
    )


def _declared_field_findings(supply: FactSupply) -> list[Finding]:
    """Fields the applicant declares that a connected source holds, keyed by a number they give."""
    procedure, catalogue = supply.procedure, supply.catalogue
    declared: dict[tuple[str, str], str] = {}
    for requirement in procedure.documents:
        if requirement.mode is SubmissionMode.RETRIEVED:
            continue
        # Only what a form asks: a certificate the applicant may bring instead proves its facts, they declare none.
        for fact in declared_facts(requirement, catalogue):
            if fact not in requirement.prefilled:
                declared.setdefault((requirement.about, fact), requirement.id)
    first_step = procedure.steps[0].id
    findings = []
    for (role, fact), document_id in declared.items():
        if role not in procedure.role:
            continue
        consumers = supply.consumers.get(document_id) or [first_step]
        got = supply.supply(role, fact, consumers[0])
        if got is None or got.holding is None or got.key not in (KeyStatus.DECLARED, KeyStatus.ASKABLE):
            continue
        key = got.holding.source.lookup_key
        if key == fact:
            continue
        adds = [f"{role}:{key}"] if got.key is KeyStatus.ASKABLE else []
        name = catalogue.fact[fact].name if fact in catalogue.fact else None
        vi_name = name.vi if name else fact
        en_name = (name.en or name.vi) if name else fact
        findings.append(
            Finding(
                rule="once-only.declared-field",
                procedure=procedure.id,
                target=Target(kind="field", id=f"{role}:{fact}"),
                severity=Severity.OPPORTUNITY,
                message=Message(
                    vi=f"Không cần kê khai '{vi_name}' ({role}): điền sẵn từ {got.holding.source.id}.",
                    en=f"No need to declare '{en_name}' ({role}): prefill it from {got.holding.source.id}.",
                ),
                justification=_justify(
                    [got],
                    _describe([got]) + f", keyed by the {role}'s {key}",
                    legal_basis=list(RULES["once-only.declared-field"].legal_basis),
                ),
                saving=Saving(declared_fields=1),
                adds_fields=adds,
            )
        )
    return findings
