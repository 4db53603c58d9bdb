"""The words on the diagrams, in Vietnamese and English, shared by the DOT and Mermaid builders."""

from __future__ import annotations

from typing import Literal

from thutuc.model import Catalogue, Duration, Name, Presence, Procedure, Step, SubmissionMode

__all__ = ["Lang", "document_label", "duration_text", "markers", "name_of", "step_label", "title_lines"]

Lang = Literal["vi", "en"]

_MARKERS = {
    Presence.PRESENCE: ("trực tiếp", "in person"),
    Presence.PAPER_ORIGINAL: ("bản giấy", "paper original"),
    Presence.CASH: ("tiền mặt", "cash"),
    Presence.WET_SIGNATURE: ("ký tay", "wet signature"),
}
_MODES = {
    SubmissionMode.SUBMITTED: ("nộp", "submitted"),
    SubmissionMode.SHOWN: ("xuất trình", "shown"),
    SubmissionMode.UPLOADED: ("tải lên", "uploaded"),
    SubmissionMode.RETRIEVED: ("khai thác", "retrieved"),
}


def name_of(name: Name | None, lang: Lang, fallback: str) -> str:
    """The name in ``lang``, falling back to Vietnamese, then to ``fallback``; on one line."""
    if name is None:
        return fallback
    text = name.en if lang == "en" and name.en else name.vi
    return " ".join(text.split())


def duration_text(duration: Duration | None, lang: Lang) -> str | None:
    """'2 working days', '24 h', '3 days' (or in Vietnamese)."""
    if duration is None:
        return None
    for value, vi, en in (
        (duration.working_days, "ngày làm việc", "working day"),
        (duration.days, "ngày", "day"),
        (duration.hours, "giờ", "h"),
    ):
        if value is not None:
            plural = "s" if en != "h" and value != 1 else ""
            return f"{value:g} {vi if lang == 'vi' else en + plural}"
    return None


def markers(step: Step, lang: Lang) -> list[str]:
    """The burdens a step puts on the applicant, as words that read in greyscale."""
    words = [_MARKERS[p][0 if lang == "vi" else 1] for p in step.requires if p in _MARKERS]
    if step.mandated:
        words.append("luật quy định" if lang == "vi" else "set by law")
    return words


def step_label(step: Step, lang: Lang) -> list[str]:
    """The lines of a step's label: its name, then duration and markers."""
    lines = [name_of(step.name, lang, step.id)]
    details = [d for d in [duration_text(step.duration, lang)] if d] + markers(step, lang)
    if step.data_source:
        details.append(step.data_source)
    if details:
        lines.append(" · ".join(details))
    return lines


def document_label(procedure: Procedure, document_id: str, lang: Lang, catalogue: Catalogue | None = None) -> list[str]:
    """A document's name (its own, else its type's from the catalogue) and how it reaches the agency."""
    requirement = procedure.document[document_id]
    type_name = None
    if requirement.name is None and catalogue is not None and requirement.document_type in catalogue.document_type:
        type_name = catalogue.document_type[requirement.document_type].name
    name = name_of(requirement.name or type_name, lang, requirement.document_type or requirement.id)
    mode = _MODES[requirement.mode][0 if lang == "vi" else 1]
    extra = " · " + ("có điều kiện" if lang == "vi" else "conditional") if requirement.condition else ""
    return [name, f"({mode}{extra})"]


def title_lines(procedure: Procedure, lang: Lang, metrics: str | None) -> list[str]:
    """The title: name and code, then the readiness verdict and key metrics when known."""
    head = name_of(procedure.name, lang, procedure.id)
    if procedure.code:
        head += f" ({procedure.code})"
    return [head] + ([metrics] if metrics else [])
