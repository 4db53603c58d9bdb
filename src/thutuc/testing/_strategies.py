"""Implementation of the hypothesis strategies re-exported by ``thutuc.testing.strategies``.

Every drawn procedure is valid against the catalogue it was drawn with.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from thutuc.model import (
    AgencyKind,
    Catalogue,
    Channel,
    DataSourceKind,
    DocumentForm,
    Presence,
    Procedure,
    StepKind,
    SubmissionMode,
)

__all__ = ["catalogue_and_procedure", "catalogues", "procedures"]

_SOURCE = {"url": "https://example.org/thutuc/generated", "confidence": "inferred"}
_WORDS = ("hồ sơ", "khai sinh", "thường trú", "kết hôn", "tờ khai", "giấy tờ", "xác nhận", "cấp", "đăng ký")
# Whole names are drawn in one step: drawing word by word makes every example several times slower.
_NAMES = tuple(f"{a} {b}" for a in _WORDS for b in _WORDS if a != b)


def _check_range(name: str, low: int, high: int, floor: int) -> None:
    if low < floor:
        raise ValueError(f"{name}: the minimum must be at least {floor}, got {low}")
    if high < low:
        raise ValueError(f"{name}: the maximum ({high}) is below the minimum ({low})")


def _texts(hostile: bool) -> st.SearchStrategy[str]:
    """Readable names, or with ``hostile`` any printable text (quotes, braces, YAML syntax)."""
    readable = st.sampled_from(_NAMES)
    if not hostile:
        return readable
    anything = st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp", "Co", "Cn")),
        min_size=1,
        max_size=30,
    ).filter(lambda s: s.strip())
    yaml_lookalikes = st.sampled_from(["yes", "no", "on", "null", "~", "1.10", "0o17", "- x", "a: b"])
    return st.one_of(readable, anything, yaml_lookalikes)


def _name(draw: st.DrawFn, texts: st.SearchStrategy[str]) -> dict[str, str]:
    name = {"vi": draw(texts)}
    if draw(st.booleans()):
        name["en"] = draw(texts)
    return name


def _slugs(prefix: str, count: int) -> list[str]:
    return [f"{prefix}-{i}" for i in range(count)]


def catalogues(
    *,
    subjects: tuple[str, ...] = ("person",),
    min_facts: int = 2,
    max_facts: int = 10,
    max_document_types: int = 6,
    max_data_sources: int = 3,
    hostile_text: bool = False,
) -> st.SearchStrategy[Catalogue]:
    """Valid catalogues: agencies, facts about ``subjects``, document types and data sources.

    ``hostile_text`` draws names from any printable text, to test escaping and round trips.
    Bad arguments raise ``ValueError`` at once, not while drawing.
    """
    _check_range("facts", min_facts, max_facts, 1)
    _check_range("document types", 1, max_document_types, 1)
    _check_range("data sources", 0, max_data_sources, 0)
    if not subjects or len(set(subjects)) != len(subjects):
        raise ValueError("subjects: give at least one subject kind, each once")

    @st.composite
    def draw_catalogue(draw: st.DrawFn) -> Catalogue:
        texts = _texts(hostile_text)
        agencies = [
            {"id": agency_id, "name": _name(draw, texts), "kind": draw(st.sampled_from(list(AgencyKind))).value}
            for agency_id in _slugs("agency", draw(st.integers(1, 3)))
        ]
        fact_count = draw(st.integers(max(min_facts, len(subjects)), max(max_facts, len(subjects))))
        facts = [
            {"id": f"{subjects[i % len(subjects)]}.attribute_{i}", "name": _name(draw, texts)}
            for i in range(fact_count)
        ]
        by_subject: dict[str, list[str]] = {}
        for fact in facts:
            by_subject.setdefault(fact["id"].split(".")[0], []).append(fact["id"])
        document_types = []
        for type_id in _slugs("document-type", draw(st.integers(1, max_document_types))):
            pool = by_subject[draw(st.sampled_from(sorted(by_subject)))]
            proves = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique=True))
            document_types.append(
                {
                    "id": type_id,
                    "name": _name(draw, texts),
                    "proves": proves,
                    "declaration": draw(st.integers(0, 4)) == 0,
                    "sources": [_SOURCE],
                }
            )
        data_sources = []
        for source_id in _slugs("data-source", draw(st.integers(0, max_data_sources))):
            held = draw(st.lists(st.sampled_from([f["id"] for f in facts]), min_size=1, max_size=6, unique=True))
            connections = [
                {"to": agency["id"], "since": draw(st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31))).isoformat()}
                for agency in draw(st.lists(st.sampled_from(agencies), max_size=2, unique_by=lambda a: a["id"]))
            ]
            data_sources.append(
                {
                    "id": source_id,
                    "name": _name(draw, texts),
                    "kind": draw(st.sampled_from(list(DataSourceKind))).value,
                    "holds": [
                        {"fact": f, "coverage": "partial", "condition": draw(texts)} if draw(st.booleans()) else f
                        for f in held
                    ],
                    "lookup_key": held[0],
                    "connections": connections,
                    "legal_basis": [{"document": draw(texts)}],
                    "sources": [_SOURCE],
                }
            )
        return Catalogue.model_validate(
            {"agencies": agencies, "facts": facts, "document_types": document_types, "data_sources": data_sources}
        )

    return draw_catalogue()


def procedures(
    catalogue: Catalogue | None = None,
    *,
    min_steps: int = 2,
    max_steps: int = 15,
    max_documents: int = 6,
    with_loops: bool = True,
    with_conditions: bool = True,
    with_alternatives: bool = True,
    hostile_text: bool = False,
) -> st.SearchStrategy[Procedure]:
    """Valid procedures against ``catalogue`` (drawn too when not given).

    The flow has one start, every step reaches an end, extra forward branches may carry
    conditions, and declared loops return for supplement. Every fact a step needs is
    supplied by a document about its role or by an earlier lookup.
    Bad arguments raise ``ValueError`` at once, not while drawing.
    """
    _check_range("steps", min_steps, max_steps, 1)
    _check_range("documents", 0, max_documents, 0)
    if catalogue is not None and not catalogue.facts:
        raise ValueError("catalogue: it needs at least one fact")
    catalogue_strategy = st.just(catalogue) if catalogue is not None else catalogues(hostile_text=hostile_text)
    return catalogue_and_procedure(
        catalogue_strategy,
        min_steps=min_steps,
        max_steps=max_steps,
        max_documents=max_documents,
        with_loops=with_loops,
        with_conditions=with_conditions,
        with_alternatives=with_alternatives,
        hostile_text=hostile_text,
    ).map(lambda pair: pair[1])


def catalogue_and_procedure(
    catalogue: st.SearchStrategy[Catalogue] | None = None,
    *,
    min_steps: int = 2,
    max_steps: int = 15,
    max_documents: int = 6,
    with_loops: bool = True,
    with_conditions: bool = True,
    with_alternatives: bool = True,
    hostile_text: bool = False,
) -> st.SearchStrategy[tuple[Catalogue, Procedure]]:
    """Pairs of a catalogue and a procedure valid against it."""
    _check_range("steps", min_steps, max_steps, 1)
    _check_range("documents", 0, max_documents, 0)
    catalogue_strategy = catalogue if catalogue is not None else catalogues(hostile_text=hostile_text)

    @st.composite
    def draw_pair(draw: st.DrawFn) -> tuple[Catalogue, Procedure]:
        drawn_catalogue = draw(catalogue_strategy)
        procedure = _draw_procedure(
            draw,
            drawn_catalogue,
            steps=draw(st.integers(min_steps, max_steps)),
            max_documents=max_documents,
            with_loops=with_loops,
            with_conditions=with_conditions,
            with_alternatives=with_alternatives,
            texts=_texts(hostile_text),
        )
        return drawn_catalogue, procedure

    return draw_pair()


def _draw_procedure(
    draw: st.DrawFn,
    catalogue: Catalogue,
    *,
    steps: int,
    max_documents: int,
    with_loops: bool,
    with_conditions: bool,
    with_alternatives: bool,
    texts: st.SearchStrategy[str],
) -> Procedure:
    subjects = sorted(catalogue.subjects)
    roles = [{"id": "applicant", "subject": "person" if "person" in subjects else subjects[0]}]
    for i, subject in enumerate(draw(st.lists(st.sampled_from(subjects), max_size=2))):
        roles.append({"id": f"role-{i}", "subject": subject})
    subject_of = {r["id"]: r["subject"] for r in roles}

    agency_ids = [a.id for a in catalogue.agencies]
    actors: list[dict[str, Any]] = [{"id": "citizen", "name": {"vi": "Công dân"}, "kind": "citizen"}]
    for i in range(draw(st.integers(1, 3))):
        actor: dict[str, Any] = {"id": f"office-{i}", "name": _name(draw, texts), "kind": "agency"}
        if agency_ids and draw(st.booleans()):
            actor["agency"] = draw(st.sampled_from(agency_ids))
        actors.append(actor)

    types_by_subject: dict[str, list[str]] = {}
    for document_type in catalogue.document_types:
        subject = document_type.proves[0].split(".")[0]
        types_by_subject.setdefault(subject, []).append(document_type.id)

    documents: list[dict[str, Any]] = []
    supplied: set[tuple[str, str]] = set()
    for i in range(draw(st.integers(0, max_documents))):
        role = draw(st.sampled_from(roles))
        pool = types_by_subject.get(role["subject"])
        if not pool:
            continue
        document: dict[str, Any] = {
            "id": f"document-{i}",
            "about": role["id"],
            "form": draw(st.sampled_from(list(DocumentForm))).value,
            "mode": draw(st.sampled_from(list(SubmissionMode))).value,
            "copies": draw(st.integers(1, 3)),
        }
        if with_alternatives and draw(st.booleans()):
            sets = draw(
                st.lists(st.lists(st.sampled_from(pool), min_size=1, max_size=2, unique=True), min_size=1, max_size=3)
            )
            document["any_of"] = sets
        else:
            sets = [[draw(st.sampled_from(pool))]]
            document["document_type"] = sets[0][0]
        if with_conditions and draw(st.booleans()):
            document["condition"] = draw(texts)
        supplied |= {(role["id"], f) for f in catalogue.proved_whichever(sets)}
        documents.append(document)

    step_ids = _slugs("step", steps)
    step_models: list[dict[str, Any]] = []
    kinds = [k for k in StepKind if k is not StepKind.LOOKUP]
    for index, step_id in enumerate(step_ids):
        is_lookup = bool(catalogue.data_sources) and index > 0 and draw(st.integers(0, 4)) == 0
        step: dict[str, Any] = {
            "id": step_id,
            "name": _name(draw, texts),
            "actor": draw(st.sampled_from([a["id"] for a in actors])),
            "kind": StepKind.LOOKUP.value if is_lookup else draw(st.sampled_from(kinds)).value,
            "channels": [c.value for c in draw(st.lists(st.sampled_from(list(Channel)), max_size=2, unique=True))],
            "requires": [p.value for p in draw(st.lists(st.sampled_from(list(Presence)), max_size=2, unique=True))],
        }
        if draw(st.integers(0, 5)) == 0:
            step["mandated"] = True
        if draw(st.booleans()):
            unit = draw(st.sampled_from(["working_days", "days", "hours"]))
            step["duration"] = {unit: draw(st.integers(0, 30))}
        if documents and draw(st.booleans()):
            step["consumes"] = draw(st.lists(st.sampled_from([d["id"] for d in documents]), max_size=3, unique=True))
        if is_lookup:
            source = draw(st.sampled_from(list(catalogue.data_sources)))
            step["data_source"] = source.id
            provides: dict[str, list[str]] = {}
            for held in source.holds:
                owners = [r for r in roles if r["subject"] == held.fact.split(".")[0]]
                if owners:
                    provides.setdefault(draw(st.sampled_from(owners))["id"], []).append(held.fact)
            if provides:
                step["provides"] = provides
                supplied |= {(role, f) for role, facts in provides.items() for f in facts}
        available = sorted(supplied)
        if available and draw(st.booleans()):
            needs: dict[str, list[str]] = {}
            for role_id, fact_id in draw(st.lists(st.sampled_from(available), max_size=4, unique=True)):
                if subject_of[role_id] == fact_id.split(".")[0]:
                    needs.setdefault(role_id, []).append(fact_id)
            if needs:
                step["needs"] = needs
        step_models.append(step)

    # A spine from the start to the last step keeps one start and gives every step a way out.
    for index, step in enumerate(step_models[:-1]):
        transitions: list[Any] = [step_ids[index + 1]]
        later = step_ids[index + 2 :]
        if later and draw(st.booleans()):
            target = draw(st.sampled_from(later))
            transitions.append({"to": target, "condition": draw(texts)} if with_conditions else target)
        if with_loops and index > 0 and draw(st.integers(0, 5)) == 0:
            transitions.append(
                {"to": step_ids[draw(st.integers(0, index))], "loop": True, "condition": "dossier incomplete"}
            )
        step["next"] = transitions

    results = [{"id": "result-0", "name": _name(draw, texts), "electronic": draw(st.booleans())}]
    step_models[-1]["produces"] = ["result-0"]
    procedure = {
        "kind": "procedure",
        "id": draw(st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6}){0,3}", fullmatch=True)),
        "name": _name(draw, texts),
        "code": draw(st.none() | st.from_regex(r"[0-9]\.[0-9]{6}", fullmatch=True)),
        "level": draw(st.sampled_from(["central", "provincial", "district", "commune"])),
        "agency": actors[1]["id"],
        "legal_basis": [{"document": draw(texts), "article": draw(st.none() | texts)}],
        "roles": roles,
        "actors": actors,
        "documents": documents,
        "steps": step_models,
        "results": results,
        "sources": [_SOURCE],
    }
    if draw(st.booleans()):
        procedure["time_limit"] = {"working_days": draw(st.integers(1, 60))}
    if draw(st.booleans()):
        procedure["fees"] = [{"name": _name(draw, texts), "amount_vnd": draw(st.integers(0, 1_000_000))}]
    return Procedure.model_validate(procedure)
