"""Full-online readiness: which applicant steps can be done remotely, what blocks the rest, and the verdict.

The verdict is the weakest link, on the scale of Decree 42/2022 and against the four conditions of the EU's Art. 6.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

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
from thutuc.analysis.supply import FactSupply
from thutuc.model import (
    ActorKind,
    Catalogue,
    Channel,
    DataSourceKind,
    Presence,
    Procedure,
    Step,
    StepKind,
    SubmissionMode,
)
from thutuc.model.common import StrictModel

__all__ = ["ArticleSix", "OnlineVerdict", "StepReadiness", "online_findings", "online_verdict"]

_REMOTE = {Channel.ONLINE, Channel.POST, Channel.SYSTEM}


class StepReadiness(StrictModel):
    """Whether one applicant-facing step can be completed remotely, and what blocks it."""

    step: str
    remote: bool
    blockers: list[str] = Field(default_factory=list)
    """Rule ids of the blockers."""


class ArticleSix(StrictModel):
    """The four conditions of "fully online" in Art. 6 of Regulation (EU) 2018/1724."""

    identify_supply_sign_submit: bool
    acknowledgement: bool
    electronic_outcome: bool
    completion_notice: bool


class OnlineVerdict(StrictModel):
    """The readiness verdict of one procedure: the weakest applicant step sets the level."""

    level: Literal["offline", "partial", "full", "proactive"]
    """offline (no online submission), partial, full, or proactive (the state could start it itself)."""
    decree_42: Literal["full-process", "partial", "none"]
    """On the scale of Decree 42/2022, Art. 11(1)."""
    legacy_level: int | None
    """The older four levels (3: submit online; 4: also pay online and get the result remotely); None below 3."""
    article_6: ArticleSix
    blocking_steps: list[str]
    """Applicant steps that cannot be done remotely, in declaration order."""
    legal_presence: list[str]
    """Steps where the law requires presence: these keep the service partial until the law changes."""
    steps: list[StepReadiness]


@dataclass(frozen=True)
class _Blocker:
    """Something that keeps an applicant step, a document or the result from being remote."""

    rule: str
    target_kind: Literal["step", "document"]
    target: str
    remedy: str | None
    remediable: bool


def _remedy(kind: DataSourceKind, catalogue: Catalogue, supply: FactSupply, what: str) -> tuple[str, bool]:
    sources = [s for s in catalogue.data_sources if s.kind is kind]
    if not sources:
        return f"{what} (no such platform in the catalogue)", False
    names = ", ".join(s.id for s in sources)
    connected = any(s.id in supply.reachable for s in sources)
    return f"{what} ({names}{'' if connected else ', not yet connected to this procedure'})", True


def _applicant_facing(procedure: Procedure, supply: FactSupply) -> list[Step]:
    """The steps the applicant does or must be present for, in declaration order, found once per procedure: the
    blockers and each verdict ask, and on a large procedure reading every step anew cost more than the answer."""
    return supply.remembered(
        ("applicant-facing",),
        lambda: [s for s in procedure.steps if s.actor in supply.citizen_actors or s.requires],
    )


def _step_blockers(
    procedure: Procedure, catalogue: Catalogue, supply: FactSupply, gone_documents: Collection[str]
) -> list[_Blocker]:
    """Every blocker of the applicant's steps and documents, in declaration order."""
    # Each verdict and the findings ask, with other documents gone: the steps are read once, and only the
    # remedy of a paper depends on which documents go.
    found = supply.remembered(("step-blockers",), lambda: _find_blockers(procedure, catalogue, supply))
    blockers = []
    for blocker, papers in found:
        if papers is not None:
            retrieved = all(d in gone_documents for d in papers)
            if blocker.target_kind == "step":
                remedy = "retrieval by the officer (once-only)" if retrieved else "an electronic copy (Decree 45/2020)"
            else:
                remedy = "retrieval (once-only)" if retrieved else "an uploaded copy"
            blocker = _Blocker(blocker.rule, blocker.target_kind, blocker.target, remedy, True)
        blockers.append(blocker)
    return blockers


def _find_blockers(
    procedure: Procedure, catalogue: Catalogue, supply: FactSupply
) -> list[tuple[_Blocker, tuple[str, ...] | None]]:
    """The blockers, each with the papers whose going remedies it (``None`` when none does)."""
    blockers: list[tuple[_Blocker, tuple[str, ...] | None]] = []
    for step in _applicant_facing(procedure, supply):
        if Presence.PRESENCE in step.requires:
            if step.mandated or step.legal_basis:
                blockers.append((_Blocker("online.presence-by-law", "step", step.id, None, False), None))
            else:
                remedy, ok = _kind_remedy(step, catalogue, supply)
                blockers.append((_Blocker("online.presence", "step", step.id, remedy, ok), None))
        elif step.channels and not set(step.channels) & _REMOTE and step.actor in supply.citizen_actors:
            remedy, ok = _kind_remedy(step, catalogue, supply)
            blockers.append((_Blocker("online.no-remote-channel", "step", step.id, remedy, ok), None))
        if Presence.WET_SIGNATURE in step.requires:
            remedy, ok = _remedy(DataSourceKind.SIGNATURE, catalogue, supply, "remote digital signature")
            blockers.append((_Blocker("online.wet-signature", "step", step.id, remedy, ok), None))
        if Presence.CASH in step.requires:
            remedy, ok = _remedy(DataSourceKind.PAYMENT, catalogue, supply, "online payment")
            blockers.append((_Blocker("online.cash", "step", step.id, remedy, ok), None))
        if Presence.PAPER_ORIGINAL in step.requires:
            papers = tuple(d for d in step.consumes if procedure.document[d].mode is not SubmissionMode.RETRIEVED)
            blockers.append((_Blocker("online.paper-evidence", "step", step.id, None, True), papers))
    for requirement in procedure.documents:
        if requirement.mode is SubmissionMode.SHOWN:
            blockers.append(
                (_Blocker("online.paper-evidence", "document", requirement.id, None, True), (requirement.id,))
            )
    return blockers


def _kind_remedy(step: Step, catalogue: Catalogue, supply: FactSupply) -> tuple[str, bool]:
    if step.kind is StepKind.PAY:
        return _remedy(DataSourceKind.PAYMENT, catalogue, supply, "online payment")
    if step.kind in (StepKind.DELIVER, StepKind.ISSUE):
        return _remedy(DataSourceKind.DELIVERY, catalogue, supply, "electronic result or public postal delivery")
    return _remedy(DataSourceKind.IDENTITY, catalogue, supply, "online filing, identified with e-ID level 2")


def _result_remote(procedure: Procedure, supply: FactSupply, removed_steps: Collection[str]) -> bool:
    if any(r.electronic for r in procedure.results):
        return True
    # Asked before and after the findings of one analysis: the steps are found once.
    remote = supply.remembered(
        ("remote-results",),
        lambda: [
            s.id
            for s in procedure.steps
            if (s.kind is StepKind.DELIVER or s.produces) and set(s.channels) & {Channel.ONLINE, Channel.POST}
        ],
    )
    return any(step_id not in removed_steps for step_id in remote)


def _online_submission(procedure: Procedure, supply: FactSupply) -> Step | None:
    def find() -> Step | None:
        for step in procedure.steps:
            if step.kind is StepKind.SUBMIT and step.actor in supply.citizen_actors and Channel.ONLINE in step.channels:
                return step
        return None

    # Each verdict and the findings ask: the steps are read once.
    return supply.remembered(("online-submission",), find)


def _acknowledged(procedure: Procedure, supply: FactSupply, submission: Step | None) -> bool:
    if submission is None:
        return False
    for successor in supply.flow[submission.id]:
        step = procedure.step[successor]
        actor = procedure.actor.get(step.actor)
        automatic = actor is not None and actor.kind is ActorKind.SYSTEM
        if step.kind in (StepKind.RECEIVE, StepKind.NOTIFY, StepKind.LOOKUP) and (
            automatic or set(step.channels) & {Channel.ONLINE, Channel.SYSTEM}
        ):
            return True
    return False


def _completion_notice(procedure: Procedure, supply: FactSupply) -> bool:
    ends = [n for n, successors in supply.flow.items() if not successors]
    return any(
        procedure.step[e].kind in (StepKind.NOTIFY, StepKind.DELIVER) and Channel.ONLINE in procedure.step[e].channels
        for e in ends
    ) or any(r.electronic for r in procedure.results)


def _fully_supplied(procedure: Procedure, supply: FactSupply) -> bool:
    return all(
        supply.supply(role, fact, step.id) is not None
        for step in procedure.steps
        for role, facts in step.needs.items()
        for fact in facts
    )


def online_verdict(
    procedure: Procedure,
    catalogue: Catalogue,
    *,
    options: AnalysisOptions | None = None,
    removed_documents: Collection[str] = (),
    removed_steps: Collection[str] = (),
    remedied: bool = False,
) -> OnlineVerdict:
    """The readiness verdict, or the verdict once documents and steps go and (``remedied``) every remedy applies.

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_catalogue, tiny_procedure
    >>> v = online_verdict(tiny_procedure(), tiny_catalogue())
    >>> v.level, v.blocking_steps
    ('offline', ['submit'])
    """
    supply = FactSupply.of(procedure, catalogue, options or AnalysisOptions())
    # Analyzing a procedure judges it, and diffing it against its simplified version judges it again.
    key = ("verdict", tuple(removed_documents), tuple(removed_steps), remedied)
    return supply.remembered(
        key, lambda: _verdict(procedure, catalogue, supply, removed_documents, removed_steps, remedied)
    )


def _verdict(
    procedure: Procedure,
    catalogue: Catalogue,
    supply: FactSupply,
    removed_documents: Collection[str],
    removed_steps: Collection[str],
    remedied: bool,
) -> OnlineVerdict:
    gone = {"step": set(removed_steps), "document": set(removed_documents)}
    blockers = [
        b
        for b in _step_blockers(procedure, catalogue, supply, removed_documents)
        if b.target not in gone[b.target_kind] and not (remedied and b.remediable)
    ]
    by_step: dict[str, list[str]] = {}
    for blocker in blockers:
        if blocker.target_kind == "step":
            by_step.setdefault(blocker.target, []).append(blocker.rule)
        else:
            for step_id in supply.consumers.get(blocker.target, []):
                if step_id not in removed_steps:
                    by_step.setdefault(step_id, []).append(blocker.rule)
    readiness = [
        StepReadiness(step=s.id, remote=s.id not in by_step, blockers=by_step.get(s.id, []))
        for s in _applicant_facing(procedure, supply)
        if s.id not in removed_steps
    ]
    blocking_steps = sorted(by_step, key=supply.position.__getitem__)
    submission = _online_submission(procedure, supply)
    result_remote = _result_remote(procedure, supply, removed_steps) or remedied
    acknowledged = _acknowledged(procedure, supply, submission) or (remedied and submission is not None)
    notice = _completion_notice(procedure, supply) or remedied
    online_start = submission is not None or remedied
    article_6 = ArticleSix(
        identify_supply_sign_submit=online_start and not by_step,
        acknowledgement=acknowledged,
        electronic_outcome=result_remote,
        completion_notice=notice,
    )
    legal = [b.target for b in blockers if b.rule == "online.presence-by-law"]
    full = online_start and not by_step and result_remote
    if full:
        level: Literal["offline", "partial", "full", "proactive"] = (
            "proactive" if remedied and _fully_supplied(procedure, supply) else "full"
        )
    else:
        level = "partial" if online_start else "offline"
    pays_remotely = not any(r in ("online.cash",) for rs in by_step.values() for r in rs) and not any(
        "online.no-remote-channel" in rs and procedure.step[s].kind is StepKind.PAY for s, rs in by_step.items()
    )
    legacy = None
    if online_start:
        legacy = 4 if pays_remotely and result_remote else 3
    return OnlineVerdict(
        level=level,
        decree_42="full-process" if full else ("partial" if online_start else "none"),
        legacy_level=legacy,
        article_6=article_6,
        blocking_steps=blocking_steps,
        legal_presence=legal,
        steps=readiness,
    )


def online_findings(
    procedure: Procedure,
    catalogue: Catalogue,
    *,
    options: AnalysisOptions | None = None,
    removed_documents: Collection[str] = (),
) -> list[Finding]:
    """A finding for each blocker to full online service, with its remedy or its legal ground.

    ``removed_documents`` are those once-only takes out: a paper they are is remedied by retrieval.
    """
    options = options or AnalysisOptions()
    supply = FactSupply.of(procedure, catalogue, options)
    findings = []
    for blocker in _step_blockers(procedure, catalogue, supply, removed_documents):
        if options.applies(blocker.rule):
            findings.append(_finding(procedure, blocker.rule, blocker.target_kind, blocker.target, blocker.remedy))
    submission = _online_submission(procedure, supply)
    acknowledged = submission is None or _acknowledged(procedure, supply, submission)
    if submission is not None and not acknowledged and options.applies("online.no-acknowledgement"):
        findings.append(
            _finding(procedure, "online.no-acknowledgement", "step", submission.id, "automatic acknowledgement")
        )
    if not _result_remote(procedure, supply, ()) and options.applies("online.result-not-remote"):
        findings.append(
            _finding(procedure, "online.result-not-remote", "procedure", procedure.id, "electronic result or post")
        )
    if not _completion_notice(procedure, supply) and options.applies("online.no-completion-notice"):
        findings.append(
            _finding(procedure, "online.no-completion-notice", "procedure", procedure.id, "an online notice at the end")
        )
    return findings


_VI_MESSAGE = {
    "online.presence-by-law": "pháp luật yêu cầu có mặt trực tiếp",
    "online.presence": "yêu cầu có mặt trực tiếp nhưng hồ sơ không nêu căn cứ pháp lý",
    "online.no-remote-channel": "chỉ thực hiện được tại cơ quan",
    "online.wet-signature": "yêu cầu chữ ký tay trên giấy",
    "online.cash": "yêu cầu nộp tiền mặt",
    "online.paper-evidence": "giấy tờ phải nộp hoặc xuất trình bản giấy",
    "online.result-not-remote": "kết quả chỉ nhận trực tiếp",
    "online.no-acknowledgement": "không có xác nhận tiếp nhận hồ sơ trực tuyến",
    "online.no-completion-notice": "không có thông báo trực tuyến khi hoàn thành",
}


def _finding(procedure: Procedure, rule: str, kind: str, target: str, remedy: str | None) -> Finding:
    legal = list(RULES[rule].legal_basis)
    if kind == "step":
        step = procedure.step[target]
        label_vi, label_en = step.name.vi, step.name.en or step.name.vi
        legal = [*step.legal_basis, *legal] if rule == "online.presence-by-law" else legal
    elif kind == "document":
        requirement = procedure.document[target]
        label_vi = requirement.name.vi if requirement.name else target
        label_en = (requirement.name.en or requirement.name.vi) if requirement.name else target
    else:
        label_vi, label_en = procedure.name.vi, procedure.name.en or procedure.name.vi
    title = RULES[rule].title
    fix = (
        f"; remedy: {remedy}"
        if remedy
        else (
            "; the law must change or the step move off the applicant's path"
            if rule == "online.presence-by-law"
            else ""
        )
    )
    return Finding(
        rule=rule,
        procedure=procedure.id,
        target=Target(kind=kind, id=target),  # type: ignore[arg-type]
        severity=Severity.BLOCKER,
        message=Message(vi=f"'{label_vi}': {_VI_MESSAGE[rule]}.", en=f"'{label_en}': {title.lower()}{fix}."),
        justification=Justification(reason=RULES[rule].policy, remedy=remedy, legal_basis=legal),
        saving=Saving(),
    )
