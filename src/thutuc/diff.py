"""diff: what changed between two versions of a procedure, in the terms of a reform, and what it saves.

Elements are matched by id, then by kind and label similarity, so that a rename reads as a rename.
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from thutuc._gc import paused_gc
from thutuc.analysis.burden import Burden, burden
from thutuc.analysis.online import online_verdict
from thutuc.model import Catalogue, Presence, Procedure, StepKind, SubmissionMode
from thutuc.model.common import StrictModel

__all__ = [
    "GATES",
    "READINESS_ORDER",
    "Aspect",
    "ElementChange",
    "FieldChange",
    "ProcedureDiff",
    "diff",
    "diff_json",
    "diff_markdown",
    "diff_text",
    "gate",
]

READINESS_ORDER = ("offline", "partial", "full", "proactive")
METRICS = (
    "steps",
    "citizen_steps",
    "visits",
    "documents",
    "unconditional_documents",
    "declared_fields",
    "handoffs",
    "lookups",
    "critical_path_days",
    "cost_per_application_vnd",
    "cost_per_year_vnd",
)
RENAME_THRESHOLD = 0.75


class Aspect(StrEnum):
    """The part of a procedure a change touches."""

    PROCEDURE = "procedure"
    STEP = "step"
    DOCUMENT = "document"
    ACTOR = "actor"
    FLOW = "flow"
    FEE = "fee"
    LEGAL_BASIS = "legal-basis"


class FieldChange(StrictModel):
    """One field of a matched element, before and after."""

    field: str
    old: Any = None
    new: Any = None


class ElementChange(StrictModel):
    """An element added, removed, changed or renamed, with the reform it amounts to."""

    aspect: Aspect
    kind: Literal["added", "removed", "changed", "renamed"]
    id: str
    """The element's id in the newer version (in the older one when removed)."""
    old_id: str | None = None
    """The id in the older version, for a rename."""
    fields: list[FieldChange] = Field(default_factory=list)
    reform: str | None = None
    """The change in the terms of a reform, e.g. 'document dropped, now retrieved from population-db'."""

    def inverse(self) -> ElementChange:
        """The same change seen from the other side (added and removed swap, old and new swap)."""
        kind = {"added": "removed", "removed": "added"}.get(self.kind, self.kind)
        if self.kind == "renamed":
            return ElementChange(
                aspect=self.aspect,
                kind="renamed",
                id=self.old_id or self.id,
                old_id=self.id,
                fields=[FieldChange(field=f.field, old=f.new, new=f.old) for f in self.fields],
            )
        return ElementChange(
            aspect=self.aspect,
            kind=kind,  # type: ignore[arg-type]
            id=self.id,
            fields=[FieldChange(field=f.field, old=f.new, new=f.old) for f in self.fields],
        )


class ProcedureDiff(StrictModel):
    """Everything that changed from ``before`` to ``after``, with the burden and readiness deltas."""

    before: str
    after: str
    changes: list[ElementChange]
    burden_before: Burden
    burden_after: Burden
    deltas: dict[str, float | None]
    """after − before for each burden metric; None where either side is unknown."""
    readiness_before: str
    readiness_after: str

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return not self.changes

    def reforms(self) -> list[str]:
        """The distinct reform labels, in order."""
        return list(dict.fromkeys(c.reform for c in self.changes if c.reform))


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def _unmatchable(rest: float, names_weight: float) -> bool:
    """Whether a pair scoring ``rest`` apart from its names stays below ``RENAME_THRESHOLD`` even with equal names.
    Comparing names is the costly part of matching, and a pair below the threshold is never matched, whatever
    its exact score: its names need not be compared."""
    return rest + names_weight < RENAME_THRESHOLD - 1e-9


# Up to this many (removed, added) pairs, every pair is compared; real procedures stay far below it.
_ALL_PAIRS = 10_000
# Beyond it, each removed element is compared with this many added ones on each side of its place in the
# order, and as many of the same name: renaming every id of a 1,000-step procedure took 12 s.
_NEIGHBOURS = 8


def _match(
    old: dict[str, Any],
    new: dict[str, Any],
    similarity: Callable[[Any, Any], float],
) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """Pairs (old id, new id) matched by id then by similarity, and the ids left on each side."""
    pairs = [(i, i) for i in old if i in new]
    left = [i for i in old if i not in new]
    right = [i for i in new if i not in old]
    candidates = sorted(
        ((similarity(old[a], new[b]), a, b) for a, b in _candidate_pairs(old, new, left, right)),
        key=lambda t: (-t[0], min(t[1], t[2]), max(t[1], t[2])),
    )
    taken_left: set[str] = set()
    taken_right: set[str] = set()
    for score, a, b in candidates:
        if score < RENAME_THRESHOLD or a in taken_left or b in taken_right:
            continue
        pairs.append((a, b))
        taken_left.add(a)
        taken_right.add(b)
    return pairs, [i for i in left if i not in taken_left], [i for i in right if i not in taken_right]


def _candidate_pairs(
    old: dict[str, Any], new: dict[str, Any], left: list[str], right: list[str]
) -> Iterable[tuple[str, str]]:
    """The (removed, added) pairs worth comparing: all of them while they are few, else each removed element's
    neighbours at the same place in the order and its namesakes, so that the comparisons grow with the elements."""
    if len(left) * len(right) <= _ALL_PAIRS:
        return ((a, b) for a in left for b in right)
    scale = (len(right) - 1) / max(1, len(left) - 1)
    by_label: dict[str, list[int]] = {}
    for position, b in enumerate(right):
        by_label.setdefault(_label(new[b]), []).append(position)
    chosen: dict[tuple[str, str], None] = {}
    for index, a in enumerate(left):
        place = round(index * scale)
        for position in range(max(0, place - _NEIGHBOURS), min(len(right), place + _NEIGHBOURS + 1)):
            chosen[(a, right[position])] = None
        namesakes = by_label.get(_label(old[a]), [])
        nearest = bisect.bisect_left(namesakes, place)
        for position in namesakes[max(0, nearest - _NEIGHBOURS) : nearest + _NEIGHBOURS]:
            chosen[(a, right[position])] = None
    return chosen


def _label(element: Any) -> str:
    """An actor's, document's or step's name in Vietnamese, else its id."""
    return element.name.vi if element.name else element.id


def _field_changes(old: Any, new: Any, fields: Sequence[str], rename: dict[str, str]) -> list[FieldChange]:
    # Models compare as their fields do (at once for the models simplify left unchanged, the same objects on
    # both sides); only the fields that differ are dumped, once per element.
    differing = []
    for name in fields:
        before, after = getattr(old, name), getattr(new, name)
        if name == "consumes":
            before = [rename.get(d, d) for d in before]
        if before != after:
            differing.append(name)
    if not differing:
        return []
    old_values = old.model_dump(mode="json", include=set(differing), exclude_none=False)
    new_values = new.model_dump(mode="json", include=set(differing), exclude_none=False)
    changes = []
    for name in differing:
        before, after = old_values.get(name), new_values.get(name)
        if name == "consumes":
            before = [rename.get(d, d) for d in before]
        if before != after:
            changes.append(FieldChange(field=name, old=before, new=after))
    return changes


_STEP_FIELDS = (
    "name",
    "actor",
    "kind",
    "channels",
    "duration",
    "consumes",
    "needs",
    "provides",
    "data_source",
    "produces",
    "requires",
    "mandated",
)
_DOCUMENT_FIELDS = ("name", "document_type", "any_of", "about", "form", "mode", "copies", "condition", "prefilled")
_ACTOR_FIELDS = ("name", "kind", "agency")
_PROCEDURE_FIELDS = ("id", "code", "name", "status", "valid_from", "valid_until", "level", "agency", "time_limit")


def _step_similarity(before: Procedure, after: Procedure) -> Callable[[Any, Any], float]:
    """Name, kind, lane and place in the flow: of two similar submissions, the first matches the first."""
    place_before = {s.id: i / max(1, len(before.steps) - 1) for i, s in enumerate(before.steps)}
    place_after = {s.id: i / max(1, len(after.steps) - 1) for i, s in enumerate(after.steps)}

    def similarity(a: Any, b: Any) -> float:
        place = 1 - abs(place_before[a.id] - place_after[b.id])
        if _unmatchable(0.2 * (a.kind == b.kind) + 0.2 * (a.actor == b.actor) + 0.2 * place, 0.4):
            return 0.0
        return 0.4 * _ratio(a.name.vi, b.name.vi) + 0.2 * (a.kind == b.kind) + 0.2 * (a.actor == b.actor) + 0.2 * place

    return similarity


def _document_similarity(a: Any, b: Any) -> float:
    types_a = {t for alternative in a.alternatives for t in alternative}
    types_b = {t for alternative in b.alternatives for t in alternative}
    overlap = len(types_a & types_b) / len(types_a | types_b) if types_a | types_b else 0.0
    if _unmatchable(0.5 * overlap + 0.25 * (a.about == b.about), 0.25):
        return 0.0
    return 0.5 * overlap + 0.25 * _ratio(_label(a), _label(b)) + 0.25 * (a.about == b.about)


def _actor_similarity(a: Any, b: Any) -> float:
    if _unmatchable(0.4 * (a.kind == b.kind and a.agency == b.agency), 0.6):
        return 0.0
    return 0.6 * _ratio(a.name.vi, b.name.vi) + 0.4 * (a.kind == b.kind and a.agency == b.agency)


def _elements(
    aspect: Aspect,
    old: dict[str, Any],
    new: dict[str, Any],
    similarity: Callable[[Any, Any], float],
    fields: Sequence[str],
    rename: dict[str, str],
) -> tuple[list[ElementChange], dict[str, str]]:
    pairs, removed, added = _match(old, new, similarity)
    changes: list[ElementChange] = []
    mapping = {}
    for a, b in pairs:
        mapping[a] = b
        field_changes = _field_changes(old[a], new[b], fields, rename)
        if a != b:
            changes.append(ElementChange(aspect=aspect, kind="renamed", id=b, old_id=a, fields=field_changes))
        elif field_changes:
            changes.append(ElementChange(aspect=aspect, kind="changed", id=b, fields=field_changes))
    changes += [ElementChange(aspect=aspect, kind="removed", id=i) for i in removed]
    changes += [ElementChange(aspect=aspect, kind="added", id=i) for i in added]
    return changes, mapping


def _edges(procedure: Procedure, rename: dict[str, str]) -> dict[tuple[str, str], tuple[str | None, bool]]:
    return {
        (rename.get(s.id, s.id), rename.get(t.to, t.to)): (t.condition, t.loop) for s in procedure.steps for t in s.next
    }


def _flow_changes(before: Procedure, after: Procedure, step_map: dict[str, str]) -> list[ElementChange]:
    old, new = _edges(before, step_map), _edges(after, {})
    changes = []
    for edge in old.keys() | new.keys():
        label = f"{edge[0]} → {edge[1]}"
        if edge not in new:
            changes.append(ElementChange(aspect=Aspect.FLOW, kind="removed", id=label))
        elif edge not in old:
            changes.append(ElementChange(aspect=Aspect.FLOW, kind="added", id=label))
        elif old[edge] != new[edge]:
            fields = [
                FieldChange(field=name, old=o, new=n)
                for name, o, n in zip(("condition", "loop"), old[edge], new[edge], strict=True)
                if o != n
            ]
            changes.append(ElementChange(aspect=Aspect.FLOW, kind="changed", id=label, fields=fields))
    return sorted(changes, key=lambda c: c.id)


def _keyed_changes(aspect: Aspect, old: dict[str, Any], new: dict[str, Any]) -> list[ElementChange]:
    changes = []
    for key in [*old, *(k for k in new if k not in old)]:
        if key not in new:
            changes.append(ElementChange(aspect=aspect, kind="removed", id=key))
        elif key not in old:
            changes.append(ElementChange(aspect=aspect, kind="added", id=key))
        elif old[key] != new[key]:
            fields = [
                FieldChange(field=f, old=old[key].get(f), new=new[key].get(f))
                for f in sorted(old[key].keys() | new[key].keys())
                if old[key].get(f) != new[key].get(f)
            ]
            changes.append(ElementChange(aspect=aspect, kind="changed", id=key, fields=fields))
    return changes


def _fees(procedure: Procedure) -> dict[str, Any]:
    fees: dict[str, Any] = {}
    for fee in procedure.fees:
        key = (
            fee.name.vi
            + (f" ({fee.channel.value})" if fee.channel else "")
            + (f" [{fee.condition}]" if fee.condition else "")
        )
        fees[key] = {"amount_vnd": fee.amount_vnd}
    return fees


def _legal(procedure: Procedure) -> dict[str, Any]:
    return {f"{r.document}{', ' + r.article if r.article else ''}": {} for r in procedure.legal_basis}


def _classify(change: ElementChange, before: Procedure, after: Procedure, catalogue: Catalogue | None) -> str | None:
    if change.aspect is Aspect.DOCUMENT:
        retrieved = change.kind == "removed" or any(
            f.field == "mode" and f.new == SubmissionMode.RETRIEVED.value for f in change.fields
        )
        if retrieved:
            sources = _sources_for(before.document[change.old_id or change.id], after, catalogue)
            return f"document dropped, now retrieved from {', '.join(sources)}" if sources else "document dropped"
        if change.kind == "added":
            return "document added"
        changed = {f.field: f for f in change.fields}
        condition = changed.get("condition")
        if condition is not None and condition.new and (not condition.old or condition.old in condition.new):
            return "document made a fallback"
        if "document_type" in changed or "any_of" in changed:
            return "document replaced"
        if "mode" in changed and changed["mode"].new == SubmissionMode.UPLOADED.value:
            return "paper moved online"
    if change.aspect is Aspect.STEP:
        if change.kind == "removed":
            step = before.step[change.id]
            if step.kind is StepKind.SUBMIT:
                return "separate submission merged"
            if Presence.PRESENCE in step.requires:
                return "presence removed"
            if step.kind in (StepKind.TRANSFER, StepKind.RECEIVE, StepKind.CONSULT, StepKind.CHECK, StepKind.NOTIFY):
                return "hand-off contracted"
            return "step removed"
        if change.kind == "added":
            return "lookup added" if after.step[change.id].kind is StepKind.LOOKUP else "step added"
        for f in change.fields:
            if f.field == "channels" and "online" in (f.new or []) and "online" not in (f.old or []):
                return "channel moved online"
            if f.field == "requires":
                if "presence" in (f.old or []) and "presence" not in (f.new or []):
                    return "presence removed"
                if "presence" in (f.new or []) and "presence" not in (f.old or []):
                    return "presence added"
    if change.aspect is Aspect.FEE:
        return {"added": "fee added", "removed": "fee removed"}.get(change.kind, "fee changed")
    return None


def _sources_for(requirement: Any, after: Procedure, catalogue: Catalogue | None) -> list[str]:
    """Data sources of the lookups in ``after`` that provide facts the document proved."""
    proved: set[str] = set()
    if catalogue is not None:
        for alternative in requirement.alternatives:
            for type_id in alternative:
                if type_id in catalogue.document_type:
                    proved |= set(catalogue.document_type[type_id].proves)
    sources = []
    for step in after.steps:
        if step.data_source is None:
            continue
        provided = set(step.provides.get(requirement.about, []))
        if (proved & provided) and step.data_source not in sources:
            sources.append(step.data_source)
    return sources


@paused_gc()
def diff(before: Procedure, after: Procedure, *, catalogue: Catalogue | None = None) -> ProcedureDiff:
    """What changed from ``before`` to ``after``: elements, flow, fees, legal basis, burden and readiness.

    Without a catalogue the cost and the sources of retrieved documents are not known.

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_catalogue, tiny_procedure
    >>> diff(tiny_procedure(), tiny_procedure()).empty
    True
    """
    known = catalogue if catalogue is not None else Catalogue()
    changes, _ = _elements(Aspect.ACTOR, before.actor, after.actor, _actor_similarity, _ACTOR_FIELDS, {})
    document_changes, document_map = _elements(
        Aspect.DOCUMENT, before.document, after.document, _document_similarity, _DOCUMENT_FIELDS, {}
    )
    step_changes, step_map = _elements(
        Aspect.STEP, before.step, after.step, _step_similarity(before, after), _STEP_FIELDS, document_map
    )
    procedure_fields = _field_changes(before, after, _PROCEDURE_FIELDS, {})
    if procedure_fields:
        changes.insert(
            0, ElementChange(aspect=Aspect.PROCEDURE, kind="changed", id="procedure", fields=procedure_fields)
        )
    changes += document_changes + step_changes + _flow_changes(before, after, step_map)
    changes += _keyed_changes(Aspect.FEE, _fees(before), _fees(after))
    changes += _keyed_changes(Aspect.LEGAL_BASIS, _legal(before), _legal(after))
    # Most changes are no reform of their own: only those that are get a copy naming it.
    reforms = [_classify(c, before, after, catalogue) for c in changes]
    changes = [c if r is None else c.model_copy(update={"reform": r}) for c, r in zip(changes, reforms, strict=True)]
    burden_before, burden_after = burden(before, known), burden(after, known)
    deltas: dict[str, float | None] = {}
    for metric in METRICS:
        old, new = getattr(burden_before, metric), getattr(burden_after, metric)
        deltas[metric] = None if old is None or new is None else new - old
    if burden_before.days_basis != burden_after.days_basis:
        deltas["critical_path_days"] = None  # a sum of step durations and a legal time limit do not compare
    return ProcedureDiff(
        before=before.id,
        after=after.id,
        changes=changes,
        burden_before=burden_before,
        burden_after=burden_after,
        deltas=deltas,
        readiness_before=online_verdict(before, known).level,
        readiness_after=online_verdict(after, known).level,
    )


GATES = {
    "burden-increase": "a burden metric rose",
    "readiness-decrease": "the readiness verdict fell",
    "document-added": "a document was added",
    "visit-added": "an in-person visit was added",
    "step-added": "a step people take was added",
    "fee-increase": "a fee was added or raised",
    "presence-added": "a step now needs the applicant in person",
}
"""The conditions ``thutuc diff --fail-on`` can refuse a change for."""


def gate(result: ProcedureDiff, fail_on: Iterable[str]) -> list[str]:
    """The reasons the change fails the gate, one line each; an empty list passes.

    Raises
    ------
    ValueError
        If a condition is not one of ``GATES``.
    """
    from thutuc.errors import did_you_mean

    reasons: list[str] = []
    for condition in fail_on:
        if condition not in GATES:
            hint = did_you_mean(condition, GATES)
            raise ValueError(f"unknown gate '{condition}'" + (f"; {hint}" if hint else ""))
        reasons += _gate_reasons(result, condition)
    return reasons


def _gate_reasons(result: ProcedureDiff, condition: str) -> list[str]:
    deltas = result.deltas
    if condition == "burden-increase":
        rose = [m for m in METRICS if m not in ("lookups", "declared_fields") and (deltas[m] or 0) > 1e-9]
        exchanged = max(0, -(deltas["documents"] or 0), -(deltas["unconditional_documents"] or 0))
        if (deltas["declared_fields"] or 0) > exchanged:
            rose.append("declared_fields")
        return [f"burden-increase: {m} {_signed(deltas[m])}" for m in rose]
    if condition == "readiness-decrease":
        if READINESS_ORDER.index(result.readiness_after) < READINESS_ORDER.index(result.readiness_before):
            return [f"readiness-decrease: {result.readiness_before} → {result.readiness_after}"]
        return []
    if condition == "visit-added":
        return [f"visit-added: visits {_signed(deltas['visits'])}"] if (deltas["visits"] or 0) > 0 else []
    labels = {
        "document-added": ("document added",),
        "step-added": ("step added",),
        "fee-increase": ("fee added", "fee changed"),
        "presence-added": ("presence added",),
    }[condition]
    reasons = []
    for change in result.changes:
        if change.reform not in labels:
            continue
        if change.reform == "fee changed" and not any((f.new or 0) > (f.old or 0) for f in change.fields):
            continue
        reasons.append(f"{condition}: {change.aspect.value} '{change.id}'")
    return reasons


def _signed(value: float | None) -> str:
    return "unknown" if value is None else f"{value:+g}"


def diff_json(result: ProcedureDiff) -> str:
    """The diff as indented JSON."""
    return result.model_dump_json(indent=2) + "\n"


def _describe(change: ElementChange) -> str:
    parts = []
    if change.old_id:
        parts.append(f"was `{change.old_id}`")
    for f in change.fields:
        parts.append(f"{f.field}: {_short(f.old)} → {_short(f.new)}")
    return "; ".join(parts)


def _short(value: Any) -> str:
    text = str(value) if value is not None else "–"
    return text if len(text) <= 60 else text[:57] + "..."


def diff_markdown(result: ProcedureDiff) -> str:
    """The diff for a review comment: a summary, the table of changes, and the burden delta."""
    lines = [f"### `{result.before}` → `{result.after}`", ""]
    reforms = result.reforms()
    if result.empty:
        lines += ["No change.", ""]
    else:
        summary = f"{len(result.changes)} change(s)"
        if reforms:
            summary += ": " + "; ".join(reforms)
        lines += [summary + ".", ""]
        lines += [
            f"Readiness: {result.readiness_before} → {result.readiness_after}.",
            "",
            "| Aspect | Change | Element | Reform | Details |",
            "|---|---|---|---|---|",
        ]
        for change in result.changes:
            details = _describe(change).replace("|", "/")
            lines.append(
                f"| {change.aspect.value} | {change.kind} | `{change.id}` | {change.reform or ''} | {details} |"
            )
        lines.append("")
    lines += ["| Burden | Before | After | Change |", "|---|---|---|---|"]
    for metric in METRICS:
        old, new = getattr(result.burden_before, metric), getattr(result.burden_after, metric)
        lines.append(
            f"| {metric.replace('_', ' ')} | {_value(old)} | {_value(new)} | {_signed(result.deltas[metric])} |"
        )
    return "\n".join(lines) + "\n"


def _value(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{round(value):,}" if abs(value) >= 1000 else f"{round(value, 1):g}"


def diff_text(result: ProcedureDiff) -> str:
    """The diff as plain text."""
    lines = [f"{result.before} → {result.after}: {len(result.changes)} change(s)"]
    for change in result.changes:
        reform = f" [{change.reform}]" if change.reform else ""
        details = _describe(change)
        lines.append(
            f"  {change.kind:<8} {change.aspect.value:<11} {change.id}{reform}" + (f": {details}" if details else "")
        )
    lines.append(f"  readiness {result.readiness_before} → {result.readiness_after}")
    changed = [m for m in METRICS if result.deltas[m]]
    for metric in changed:
        old, new = getattr(result.burden_before, metric), getattr(result.burden_after, metric)
        lines.append(f"  {metric}: {_value(old)} → {_value(new)} ({_signed(result.deltas[metric])})")
    return "\n".join(lines) + "\n"
