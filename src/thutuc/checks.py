"""Checks beyond the schema: references, duplicate ids, the shape of the flow, and fact supply.

Each check returns problems with a path into the file; the loader turns paths into line:column.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from thutuc import graph as flow
from thutuc.errors import ErrorCode, Problem, did_you_mean
from thutuc.model import Catalogue, CatalogueFile, Procedure

__all__ = ["check_catalogue", "check_procedure"]

Path = tuple[str | int, ...]


def _unknown(code: ErrorCode, what: str, name: str, known: Iterable[str], path: Path) -> Problem:
    known = list(known)
    hint = did_you_mean(name, known)
    if hint is None and not known:
        hint = f"declare a {what} first; none is declared"
    return Problem(code, f"unknown {what} '{name}'", hint=hint, path=path)


def _duplicates(ids: Sequence[str], what: str, section: str) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for index, entry_id in enumerate(ids):
        if entry_id in first:
            yield Problem(
                ErrorCode.DUPLICATE_ID,
                f"{what} id '{entry_id}' is already used by {section}[{first[entry_id]}]",
                hint=f"give each {what} its own id",
                path=(section, index, "id"),
            )
        else:
            first[entry_id] = index


def check_procedure(procedure: Procedure, catalogue: Catalogue) -> list[Problem]:
    """Every problem in ``procedure`` that the schema alone cannot see.

    Unknown references, duplicate ids, the start and ends of the flow, unreachable and
    dead-end steps, undeclared cycles, and facts that nothing supplies.

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_catalogue, tiny_procedure
    >>> check_procedure(tiny_procedure(), tiny_catalogue())
    []
    """
    problems: list[Problem] = []
    problems += _check_ids(procedure)
    problems += _check_references(procedure, catalogue)
    # Checks downstream of a broken reference would only repeat it in other words.
    if not any(p.code is ErrorCode.UNKNOWN_STEP for p in problems):
        problems += _check_flow(procedure)
    problems += _check_fact_supply(procedure, catalogue)
    return problems


def _check_ids(procedure: Procedure) -> Iterator[Problem]:
    yield from _duplicates([r.id for r in procedure.roles], "role", "roles")
    yield from _duplicates([a.id for a in procedure.actors], "actor", "actors")
    yield from _duplicates([d.id for d in procedure.documents], "document", "documents")
    yield from _duplicates([s.id for s in procedure.steps], "step", "steps")
    yield from _duplicates([r.id for r in procedure.results], "result", "results")


def _check_references(procedure: Procedure, catalogue: Catalogue) -> Iterator[Problem]:
    actors, roles = procedure.actor, procedure.role
    if procedure.agency not in actors:
        yield _unknown(ErrorCode.UNKNOWN_ACTOR, "actor", procedure.agency, actors, ("agency",))
    for i, role in enumerate(procedure.roles):
        if catalogue.facts and role.subject not in catalogue.subjects:
            yield Problem(
                ErrorCode.INVALID_VALUE,
                f"no catalogue fact is about subject '{role.subject}'",
                hint=did_you_mean(role.subject, catalogue.subjects),
                path=("roles", i, "subject"),
            )
    for i, actor in enumerate(procedure.actors):
        if actor.agency is not None and actor.agency not in catalogue.agency:
            yield _unknown(ErrorCode.UNKNOWN_AGENCY, "agency", actor.agency, catalogue.agency, ("actors", i, "agency"))
    for i, document in enumerate(procedure.documents):
        if document.about not in roles:
            yield _unknown(ErrorCode.UNKNOWN_ROLE, "role", document.about, roles, ("documents", i, "about"))
        if document.document_type is not None and document.document_type not in catalogue.document_type:
            yield _unknown(
                ErrorCode.UNKNOWN_DOCUMENT_TYPE,
                "document type",
                document.document_type,
                catalogue.document_type,
                ("documents", i, "document_type"),
            )
        for j, alternative in enumerate(document.any_of or []):
            for k, type_id in enumerate(alternative):
                if type_id not in catalogue.document_type:
                    yield _unknown(
                        ErrorCode.UNKNOWN_DOCUMENT_TYPE,
                        "document type",
                        type_id,
                        catalogue.document_type,
                        ("documents", i, "any_of", j, k),
                    )
    for i, result in enumerate(procedure.results):
        if result.document_type is not None and result.document_type not in catalogue.document_type:
            yield _unknown(
                ErrorCode.UNKNOWN_DOCUMENT_TYPE,
                "document type",
                result.document_type,
                catalogue.document_type,
                ("results", i, "document_type"),
            )
    result_ids = {r.id for r in procedure.results}
    for i, step in enumerate(procedure.steps):
        at: Path = ("steps", i)
        if step.actor not in actors:
            yield _unknown(ErrorCode.UNKNOWN_ACTOR, "actor", step.actor, actors, (*at, "actor"))
        for j, document_id in enumerate(step.consumes):
            if document_id not in procedure.document:
                problem = _unknown(
                    ErrorCode.UNKNOWN_DOCUMENT, "document", document_id, procedure.document, (*at, "consumes", j)
                )
                yield Problem(
                    problem.code,
                    f"step '{step.id}' consumes '{document_id}', which is not in the dossier",
                    hint=problem.hint or "add it under 'documents'",
                    path=problem.path,
                )
        if step.data_source is not None and step.data_source not in catalogue.data_source:
            yield _unknown(
                ErrorCode.UNKNOWN_DATA_SOURCE,
                "data source",
                step.data_source,
                catalogue.data_source,
                (*at, "data_source"),
            )
        for j, result_id in enumerate(step.produces):
            if result_id not in result_ids:
                yield _unknown(ErrorCode.UNKNOWN_RESULT, "result", result_id, result_ids, (*at, "produces", j))
        for j, transition in enumerate(step.next):
            if transition.to not in procedure.step:
                yield _unknown(ErrorCode.UNKNOWN_STEP, "step", transition.to, procedure.step, (*at, "next", j, "to"))
        for field in ("needs", "provides"):
            for role_id, facts in getattr(step, field).items():
                yield from _check_role_facts(procedure, catalogue, role_id, facts, (*at, field, role_id))


def _check_role_facts(
    procedure: Procedure, catalogue: Catalogue, role_id: str, facts: list[str], at: Path
) -> Iterator[Problem]:
    role = procedure.role.get(role_id)
    if role is None:
        yield _unknown(ErrorCode.UNKNOWN_ROLE, "role", role_id, procedure.role, at)
    for k, fact_id in enumerate(facts):
        if fact_id not in catalogue.fact:
            yield _unknown(ErrorCode.UNKNOWN_FACT, "fact", fact_id, catalogue.fact, (*at, k))
        elif (
            role is not None and role.subject in catalogue.subjects and catalogue.fact[fact_id].subject != role.subject
        ):
            yield Problem(
                ErrorCode.SUBJECT_MISMATCH,
                f"fact '{fact_id}' is about a {catalogue.fact[fact_id].subject}, "
                f"but role '{role_id}' is a {role.subject}",
                hint="use a role of the right subject kind, or another fact",
                path=(*at, k),
            )


def _check_flow(procedure: Procedure) -> Iterator[Problem]:
    # One root cause, one problem: a step behind an unreached cycle is reported as
    # unreachable, not also as a cycle or a dead end.
    graph = flow.to_graph(procedure)
    index = {step.id: i for i, step in enumerate(procedure.steps)}
    starts = flow.start_steps(graph)
    cycles = flow.undeclared_cycles(graph)
    if not starts:
        loop = " -> ".join([*cycles[0], cycles[0][0]]) if cycles else ""
        yield Problem(
            ErrorCode.NO_START,
            f"every step has a predecessor ({loop}), so the flow has no start",
            hint="mark the transition that returns for supplement with 'loop: true'",
            path=("steps", 0),
        )
        return
    for extra in starts[1:]:
        yield Problem(
            ErrorCode.SEVERAL_STARTS,
            f"step '{extra}' has no predecessor, like the start '{starts[0]}'",
            hint=f"link a step to '{extra}' with 'next', or remove it",
            path=("steps", index[extra], "id"),
        )
    unreachable = flow.unreachable_steps(graph, starts)
    for step_id in unreachable:
        yield Problem(
            ErrorCode.UNREACHABLE_STEP,
            f"step '{step_id}' cannot be reached from the start '{starts[0]}'",
            hint="link it from a step on the way, or remove it",
            path=("steps", index[step_id], "id"),
        )
    unreached = set(unreachable)
    for cycle in cycles:
        source, target = cycle[-1], cycle[0]
        if source in unreached:
            continue
        position = next(j for j, t in enumerate(procedure.step[source].next) if t.to == target)
        loop = " -> ".join([*cycle, target])
        yield Problem(
            ErrorCode.UNDECLARED_CYCLE,
            f"the flow loops back ({loop}) without a declared loop",
            hint="if this is a return for supplement, mark the transition back with 'loop: true'",
            path=("steps", index[source], "next", position),
        )
    for step_id in flow.dead_end_steps(graph):
        if step_id not in unreached:
            yield Problem(
                ErrorCode.DEAD_END,
                f"no end can be reached from step '{step_id}'",
                hint="a loop needs a way out: add a transition that leaves it",
                path=("steps", index[step_id], "id"),
            )


def _check_fact_supply(procedure: Procedure, catalogue: Catalogue) -> Iterator[Problem]:
    supplied: set[tuple[str, str]] = set()
    # Roles with an unknown document type may be supplied by it: that root cause is reported.
    unsure_roles = {
        d.about
        for d in procedure.documents
        if any(t not in catalogue.document_type for ts in d.alternatives for t in ts)
    }
    for document in procedure.documents:
        # With alternatives, a fact counts as supplied only if every set proves it:
        # the citizen may bring any one of them.
        supplied |= {(document.about, f) for f in catalogue.proved_whichever(document.alternatives)}
    for step in procedure.steps:
        supplied |= {(role, f) for role, facts in step.provides.items() for f in facts}
    for i, step in enumerate(procedure.steps):
        for role_id, facts in step.needs.items():
            role = procedure.role.get(role_id)
            if role is None or role_id in unsure_roles:
                continue
            for k, fact_id in enumerate(facts):
                fact = catalogue.fact.get(fact_id)
                if fact is None or fact.subject != role.subject:
                    continue
                if (role_id, fact_id) not in supplied:
                    yield Problem(
                        ErrorCode.UNSUPPLIED_FACT,
                        f"step '{step.id}' needs '{fact_id}' of the {role_id}, but no document or step supplies it",
                        hint="add a document that proves it, or a step that 'provides' it",
                        path=("steps", i, "needs", role_id, k),
                    )


def check_catalogue(files: Sequence[tuple[str, CatalogueFile]]) -> list[tuple[str, Problem]]:
    """Problems across catalogue files: duplicate ids and references to undefined entries.

    Returns ``(file name, problem)`` pairs, since a duplicate may span two files.
    """
    found: list[tuple[str, Problem]] = []
    merged = Catalogue.merge([f for _, f in files])
    for section, what in (
        ("agencies", "agency"),
        ("facts", "fact"),
        ("document_types", "document type"),
        ("data_sources", "data source"),
        ("cost_parameters", "cost parameter"),
    ):
        first: dict[str, str] = {}
        for name, catalogue_file in files:
            for index, entry in enumerate(getattr(catalogue_file, section)):
                if entry.id in first:
                    found.append(
                        (
                            name,
                            Problem(
                                ErrorCode.DUPLICATE_ID,
                                f"{what} id '{entry.id}' is already defined in {first[entry.id]}",
                                hint=f"give each {what} its own id",
                                path=(section, index, "id"),
                            ),
                        )
                    )
                else:
                    first[entry.id] = name
    for name, catalogue_file in files:
        for problem in _catalogue_file_references(catalogue_file, merged):
            found.append((name, problem))
    return found


def _catalogue_file_references(catalogue_file: CatalogueFile, merged: Catalogue) -> Iterator[Problem]:
    facts, agencies = merged.fact, merged.agency
    for i, agency in enumerate(catalogue_file.agencies):
        for k, system in enumerate(agency.systems):
            if system not in agencies:
                yield _unknown(ErrorCode.UNKNOWN_AGENCY, "agency", system, agencies, ("agencies", i, "systems", k))
    for i, document_type in enumerate(catalogue_file.document_types):
        for k, fact_id in enumerate(document_type.proves):
            if fact_id not in facts:
                yield _unknown(ErrorCode.UNKNOWN_FACT, "fact", fact_id, facts, ("document_types", i, "proves", k))
    for i, source in enumerate(catalogue_file.data_sources):
        at: Path = ("data_sources", i)
        for k, held in enumerate(source.holds):
            if held.fact not in facts:
                yield _unknown(ErrorCode.UNKNOWN_FACT, "fact", held.fact, facts, (*at, "holds", k, "fact"))
        if source.lookup_key is not None and source.lookup_key not in facts:
            yield _unknown(ErrorCode.UNKNOWN_FACT, "fact", source.lookup_key, facts, (*at, "lookup_key"))
        if source.operator is not None and source.operator not in agencies:
            yield _unknown(ErrorCode.UNKNOWN_AGENCY, "agency", source.operator, agencies, (*at, "operator"))
        for k, connection in enumerate(source.connections):
            if connection.to not in agencies:
                yield _unknown(
                    ErrorCode.UNKNOWN_AGENCY, "agency", connection.to, agencies, (*at, "connections", k, "to")
                )
