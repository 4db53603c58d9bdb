"""Findings, the rules that make them, and the options every analyzer takes.

A finding explains itself: the facts, data source, connection and legal ground behind it, and what it saves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from pydantic import Field

from thutuc.model.common import LegalRef, StrictModel

__all__ = [
    "RULES",
    "AnalysisOptions",
    "AssumedConnection",
    "Finding",
    "Justification",
    "Message",
    "Rule",
    "Saving",
    "Severity",
    "Target",
    "select_rules",
]


class Severity(StrEnum):
    """How a finding weighs: a burden that can go, a blocker to full online, or a reasoned keep."""

    OPPORTUNITY = "opportunity"
    BLOCKER = "blocker"
    INFO = "info"


class Message(StrictModel):
    """A finding's message in Vietnamese and English."""

    vi: str
    en: str


class Target(StrictModel):
    """What a finding is about: a dossier document, a step, a declared field, or the procedure."""

    kind: Literal["document", "step", "field", "procedure"]
    id: str
    """Document or step id, ``role:fact`` for a field, the procedure id for the procedure."""


class Justification(StrictModel):
    """Why a finding holds: the facts, where the state holds them, and the legal ground."""

    facts: list[str] = Field(default_factory=list)
    """The facts concerned, as ``role:subject.attribute``."""
    data_sources: list[str] = Field(default_factory=list)
    """Catalogue data sources that hold the facts."""
    connected_via: list[str] = Field(default_factory=list)
    """Agencies or systems of the procedure through which it reaches those sources."""
    connected_since: dt.date | None = None
    """Latest of the connection dates, when all are known."""
    condition: str | None = None
    """Who is covered, when the finding holds only for part of the population."""
    fallback: str | None = None
    """What stays for those not covered."""
    reason: str | None = None
    """The reasoning in one sentence (English)."""
    remedy: str | None = None
    """What would lift a blocker, when something can."""
    legal_basis: list[LegalRef] = Field(default_factory=list)
    """The legal ground of the finding."""


class Saving(StrictModel):
    """What applying a finding would save one applicant or the administration."""

    steps: int = 0
    citizen_steps: int = 0
    visits: int = 0
    documents: int = 0
    declared_fields: int = 0
    handoffs: int = 0
    working_days: float = 0.0
    cost_vnd: float = 0.0
    """Compliance cost per application, by the formula of Circular 02/2017/TT-VPCP, Art. 27."""


class Finding(StrictModel):
    """One finding of one rule about one target of one procedure."""

    rule: str
    """Rule id, e.g. ``once-only.replaceable``; see docs/rules.md."""
    procedure: str
    """Procedure id."""
    target: Target
    severity: Severity
    message: Message
    justification: Justification = Field(default_factory=Justification)
    saving: Saving = Field(default_factory=Saving)
    bypass: list[tuple[str, str]] = Field(default_factory=list)
    """Flow edges that replace a removed step: each predecessor to each successor."""
    adds_fields: list[str] = Field(default_factory=list)
    """Fields the form must ask for instead (``role:fact``), e.g. a personal ID number as lookup key."""


@dataclass(frozen=True)
class Rule:
    """A rule: its id, the analyzer that applies it, its policy and legal ground."""

    id: str
    analyzer: Literal["once-only", "handoffs", "online"]
    title: str
    policy: str
    legal_basis: tuple[LegalRef, ...] = ()
    title_vi: str = ""
    """The title in Vietnamese, for reports in Vietnamese."""


@dataclass(frozen=True)
class AssumedConnection:
    """A what-if connection: ``source`` reachable by ``agency``, or by every agency of a procedure."""

    source: str
    agency: str | None = None

    @classmethod
    def parse(cls, text: str) -> AssumedConnection:
        """``SOURCE`` or ``SOURCE@AGENCY``.

        Examples
        --------
        >>> AssumedConnection.parse("tax-db@commune-police")
        AssumedConnection(source='tax-db', agency='commune-police')
        """
        source, _, agency = text.partition("@")
        return cls(source.strip(), agency.strip() or None)


@dataclass(frozen=True)
class AnalysisOptions:
    """What every analyzer is asked: the date, what-if connections and the rules to apply."""

    as_of: dt.date = field(default_factory=dt.date.today)
    assume_connected: tuple[AssumedConnection, ...] = ()
    rules: frozenset[str] | None = None
    """Rule ids or analyzer names to apply; ``None`` applies every rule."""

    def applies(self, rule_id: str) -> bool:
        """Whether ``rule_id`` is selected, by its id or by its analyzer's name."""
        if self.rules is None:
            return True
        analyzer = RULES[rule_id].analyzer
        return rule_id in self.rules or analyzer in self.rules


def _ref(document: str, article: str | None = None, note: str | None = None, url: str | None = None) -> LegalRef:
    return LegalRef(document=document, article=article, note=note, url=url)


_DECREE_45 = _ref(
    "Nghị định 45/2020/NĐ-CP",
    note="Agencies may not ask again for information or data that state agencies already manage or can share.",
    url="https://hoatieu.vn/phap-luat/nghi-dinh-45-2020-nd-cp-thuc-hien-thu-tuc-hanh-chinh-tren-moi-truong-dien-tu-197693",
)
_DECREE_104 = _ref(
    "Nghị định 104/2022/NĐ-CP",
    note="Residence is looked up in the population database; a paper may be asked for only when every lookup fails.",
    url="https://thuvienphapluat.vn/van-ban/Bo-may-hanh-chinh/Nghi-dinh-104-2022-ND-CP-sua-doi-Nghi-dinh-nop-xuat-trinh-so-ho-khau-thuc-hien-thu-tuc-hanh-chinh-544177.aspx",
)
_DIRECTIVE_05 = _ref(
    "Chỉ thị 05/CT-TTg (2023)",
    note="E-forms must cut at least 20% of the information users declare by reusing digitised data.",
    url="https://www.sggpnews.org.vn/citizens-neednt-display-household-registration-books-pm-post100483.html",
)
_DECREE_118 = _ref(
    "Nghị định 118/2025/NĐ-CP",
    note="One-stop and interconnected handling of procedures, replacing Decrees 61/2018 and 107/2021 from 1 Jul 2025.",
)
_DECREE_42 = _ref(
    "Nghị định 42/2022/NĐ-CP",
    article="Art. 11(1)",
    note="Full-process online: the whole filing and handling happen online; the result is returned online or by post.",
    url="https://lawnet.vn/thong-tin-phap-luat/en/tu-van-luat/levels-of-online-public-services-of-a-regulatory-body-in-vietnam-117453.html",
)
_SDGR_ART_6 = _ref(
    "Regulation (EU) 2018/1724",
    article="Art. 6",
    note="Fully online: identify, supply evidence, sign and submit remotely; acknowledgement; electronic outcome; "
    "completion notice. Presence only in justified exceptions (Art. 6(3)).",
    url="https://eur-lex.europa.eu/legal-content/en/ALL/?uri=CELEX%3A32018R1724",
)

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "once-only.replaceable",
            "once-only",
            "A document the state already holds",
            "Every fact the document proves that a step needs is held by a data source the procedure's agencies "
            "are connected to on the as-of date, and the lookup key is known or can be asked on the form "
            "(or the fact is established by an earlier step of the procedure). The officer retrieves it instead.",
            (_DECREE_45, _DECREE_104),
            title_vi="Giấy tờ Nhà nước đã có trong cơ sở dữ liệu",
        ),
        Rule(
            "once-only.conditional",
            "once-only",
            "A document the state holds for part of the population",
            "As replaceable, but a data source holds a needed fact only for part of the population, or the "
            "lookup can fail. The document can go for those covered; the finding names the condition and keeps "
            "the paper as a fallback.",
            (_DECREE_45, _DECREE_104),
            title_vi="Giấy tờ Nhà nước chỉ có cho một phần người dân",
        ),
        Rule(
            "once-only.unnecessary",
            "once-only",
            "A document that proves nothing any step needs",
            "No step of the procedure needs any fact the document proves. Asking for it adds a burden and "
            "serves no decision.",
            (_DECREE_45,),
            title_vi="Giấy tờ không chứng minh điều gì mà bước nào cần",
        ),
        Rule(
            "once-only.must-stay",
            "once-only",
            "A document that must stay, with the reason",
            "A needed fact is held by no data source the procedure reaches, or its lookup key is not available "
            "when the fact is needed, or the document is the application itself. The finding says which.",
            title_vi="Giấy tờ phải giữ lại, kèm lý do",
        ),
        Rule(
            "once-only.declared-field",
            "once-only",
            "A field the applicant no longer has to declare",
            "The applicant declares a fact on the form that a connected data source holds. The form can fill it "
            "in from the source, keyed by a number the applicant gives (or is asked for instead: the finding "
            "then lists it in adds_fields, and the count of declared fields includes it).",
            (_DIRECTIVE_05, _DECREE_45),
            title_vi="Thông tin người dân không phải kê khai nữa",
        ),
        Rule(
            "handoff.transfer",
            "handoffs",
            "A pure transfer between actors",
            "A transfer that decides nothing, produces nothing and supplies no fact a later step needs; it only "
            "moves the dossier. Removing it connects its predecessors to its successors. Automatic routing "
            "between information systems is not reported: it costs no one's time.",
            (_DECREE_118,),
            title_vi="Bước chỉ chuyển hồ sơ giữa các bên",
        ),
        Rule(
            "handoff.receipt",
            "handoffs",
            "A pure receipt from another actor",
            "A receipt that checks nothing and produces nothing and does not acknowledge the applicant's own "
            "submission (that acknowledgement stays: it is a condition of full online service).",
            (_DECREE_118,),
            title_vi="Bước chỉ tiếp nhận hồ sơ từ bên khác",
        ),
        Rule(
            "handoff.recheck",
            "handoffs",
            "A check of documents that once-only removes",
            "A check step whose documents are all replaceable or unnecessary, and whose facts are all "
            "available without them: the lookup replaces the check.",
            (_DECREE_45,),
            title_vi="Kiểm tra giấy tờ mà nguyên tắc chỉ một lần đã bỏ",
        ),
        Rule(
            "handoff.consult",
            "handoffs",
            "A consultation of another agency for facts a connected database holds",
            "The step asks another agency for facts that a data source the procedure reaches already holds; "
            "a lookup replaces the request.",
            (_DECREE_45, _DECREE_104),
            title_vi="Hỏi cơ quan khác thông tin mà cơ sở dữ liệu đã có",
        ),
        Rule(
            "handoff.wait",
            "handoffs",
            "A wait or hand-off that exists only for a removable consultation",
            "A transfer, receipt or notice whose only neighbours in the flow are removable consultations "
            "goes with them.",
            (_DECREE_45,),
            title_vi="Bước chờ chỉ phục vụ một lần hỏi ý kiến có thể bỏ",
        ),
        Rule(
            "handoff.resubmission",
            "handoffs",
            "A separate submission of the same applicant",
            "The applicant submits a dossier again, to another agency, later in the same procedure: the "
            "separate submissions of procedures run one after the other. What is still needed there (documents "
            "once-only keeps, and the facts declared there) can be given at the first submission and routed to "
            "the other agency, so the second submission, and any visit it takes, can go.",
            (_DECREE_118, _DECREE_45),
            title_vi="Người dân nộp hồ sơ thêm một lần nữa",
        ),
        Rule(
            "online.presence-by-law",
            "online",
            "Presence the law requires",
            "The step needs the applicant in person and the file gives the legal ground. It keeps the service "
            "partial unless the law changes or the step moves off the applicant's path.",
            (_DECREE_42, _SDGR_ART_6),
            title_vi="Luật yêu cầu có mặt trực tiếp",
        ),
        Rule(
            "online.presence",
            "online",
            "Presence with no legal ground given",
            "The step needs the applicant in person and the file gives no legal ground for it. Identification "
            "with e-ID level 2 (VNeID) and online filing remove the need.",
            (_DECREE_42, _SDGR_ART_6),
            title_vi="Yêu cầu có mặt trực tiếp không nêu căn cứ pháp lý",
        ),
        Rule(
            "online.no-remote-channel",
            "online",
            "An applicant step with no remote channel",
            "The applicant can do the step only at an office. The remedy depends on the step: online filing "
            "with e-ID level 2, online payment, or an electronic or posted result.",
            (_DECREE_42, _SDGR_ART_6),
            title_vi="Bước của người dân không làm được từ xa",
        ),
        Rule(
            "online.wet-signature",
            "online",
            "A handwritten signature",
            "The step needs a signature on paper. A remote digital signature removes the need.",
            (_SDGR_ART_6,),
            title_vi="Chữ ký tay trên giấy",
        ),
        Rule(
            "online.cash",
            "online",
            "Payment in cash",
            "The step needs payment at an office. The online payment platform removes the need.",
            (_DECREE_42,),
            title_vi="Nộp tiền mặt",
        ),
        Rule(
            "online.paper-evidence",
            "online",
            "Evidence that must be handed in or shown on paper",
            "A document must reach the agency as a paper original or be shown in person. Retrieval from a data "
            "source (when once-only finds it replaceable) or an electronic copy removes the need.",
            (_DECREE_45, _SDGR_ART_6),
            title_vi="Giấy tờ phải nộp hoặc xuất trình bản giấy",
        ),
        Rule(
            "online.result-not-remote",
            "online",
            "A result that can only be collected in person",
            "No result is issued electronically and no delivery step sends it online or by post.",
            (_DECREE_42, _SDGR_ART_6),
            title_vi="Kết quả chỉ nhận trực tiếp",
        ),
        Rule(
            "online.no-acknowledgement",
            "online",
            "No acknowledgement of an online submission",
            "No receipt or notice follows the applicant's online submission through an online or system channel.",
            (_SDGR_ART_6,),
            title_vi="Không xác nhận đã nhận hồ sơ nộp trực tuyến",
        ),
        Rule(
            "online.no-completion-notice",
            "online",
            "No notice that the procedure is complete",
            "No end of the procedure notifies or delivers to the applicant online.",
            (_SDGR_ART_6,),
            title_vi="Không thông báo thủ tục đã hoàn thành",
        ),
    )
}


def select_rules(names: list[str] | tuple[str, ...]) -> frozenset[str]:
    """The rule selection for ``names`` (rule ids or analyzer names).

    Raises
    ------
    ValueError
        If a name is neither a rule id nor an analyzer; the message suggests the closest.

    Examples
    --------
    >>> sorted(select_rules(["once-only.replaceable", "handoffs"]))
    ['handoffs', 'once-only.replaceable']
    """
    from thutuc.errors import did_you_mean

    known = set(RULES) | {rule.analyzer for rule in RULES.values()}
    unknown = [name for name in names if name not in known]
    if unknown:
        hint = did_you_mean(unknown[0], sorted(known))
        raise ValueError(f"unknown rule '{unknown[0]}'" + (f"; {hint}" if hint else ""))
    return frozenset(names)
