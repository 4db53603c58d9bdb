"""A one-row-per-procedure summary of a procedure set, as data, Markdown or JSON.

Counts only what the files declare; analysis and burden metrics come from ``thutuc.analysis``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from thutuc.io import ProcedureSet
from thutuc.model import ActorKind, Channel, Confidence, Presence, Procedure, SubmissionMode
from thutuc.model.common import Source

__all__ = ["ProcedureSummary", "confidence_counts", "summarize", "summary_json", "summary_markdown"]

_CONFIDENCE_ORDER = [Confidence.INFERRED, Confidence.SECONDARY, Confidence.VERIFIED]


@dataclass(frozen=True)
class ProcedureSummary:
    """What one procedure file declares, in numbers."""

    id: str
    service_number: int | None
    code: str | None
    name: str
    status: str
    level: str
    steps: int
    citizen_steps: int
    in_person_steps: int
    documents: int
    documents_retrieved: int
    actors: int
    time_limit_working_days: float | None
    fees_vnd: list[int]
    online_status: str
    sources: int
    weakest_confidence: str | None
    file: str | None


def confidence_counts(sources: Iterable[Source]) -> dict[str, int]:
    """How many sources of each confidence, strongest first: verified, secondary, inferred.

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_procedure
    >>> confidence_counts(tiny_procedure().sources)
    {'verified': 0, 'secondary': 0, 'inferred': 1}
    """
    listed = list(sources)
    return {c.value: sum(1 for s in listed if s.confidence is c) for c in reversed(_CONFIDENCE_ORDER)}


def _summarize_one(procedure: Procedure, file: str | None) -> ProcedureSummary:
    citizens = {a.id for a in procedure.actors if a.kind is ActorKind.CITIZEN}
    in_person = [s for s in procedure.steps if Presence.PRESENCE in s.requires or s.channels == [Channel.IN_PERSON]]
    confidences = [s.confidence for s in procedure.sources]
    weakest = min(confidences, key=_CONFIDENCE_ORDER.index) if confidences else None
    return ProcedureSummary(
        id=procedure.id,
        service_number=procedure.service_number,
        code=procedure.code,
        name=procedure.name.vi,
        status=procedure.status.value,
        level=procedure.level.value,
        steps=len(procedure.steps),
        citizen_steps=sum(1 for s in procedure.steps if s.actor in citizens),
        in_person_steps=len(in_person),
        documents=len(procedure.documents),
        documents_retrieved=sum(1 for d in procedure.documents if d.mode is SubmissionMode.RETRIEVED),
        actors=len(procedure.actors),
        time_limit_working_days=procedure.time_limit.in_working_days if procedure.time_limit else None,
        fees_vnd=[f.amount_vnd for f in procedure.fees],
        online_status=procedure.online_status.level.value if procedure.online_status else "unknown",
        sources=len(procedure.sources),
        weakest_confidence=weakest.value if weakest else None,
        file=file,
    )


def summarize(procedure_set: ProcedureSet) -> list[ProcedureSummary]:
    """One summary per procedure, ordered by service number, then status, then id.

    Examples
    --------
    >>> from thutuc.io import ProcedureSet
    >>> from thutuc.testing.examples import tiny_catalogue, tiny_procedure
    >>> [row] = summarize(ProcedureSet(tiny_catalogue(), (tiny_procedure(),)))
    >>> row.steps, row.citizen_steps, row.documents
    (3, 1, 1)
    """
    rows = [_summarize_one(p, procedure_set.files.get(p.id)) for p in procedure_set.procedures]
    return sorted(rows, key=lambda r: (r.service_number or 99, r.status, r.id))


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{round(value, 1):g}"


def summary_markdown(rows: list[ProcedureSummary]) -> str:
    """The summary as a Markdown table."""
    header = (
        "| # | Procedure | Code | Version | Steps | Citizen steps | In person | Documents "
        "| Retrieved | Time limit (wd) | Online (declared) | Sources |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = [
        f"| {r.service_number or ''} | {r.name.replace('|', '/')} (`{r.id}`) | {r.code or '–'} | {r.status} "
        f"| {r.steps} | {r.citizen_steps} | {r.in_person_steps} | {r.documents} | {r.documents_retrieved} "
        f"| {_number(r.time_limit_working_days)} | {r.online_status} | {r.sources} ({r.weakest_confidence}) |"
        for r in rows
    ]
    return header + "\n".join(lines) + "\n"


def summary_json(rows: list[ProcedureSummary]) -> str:
    """The summary as indented JSON."""
    return json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2) + "\n"
