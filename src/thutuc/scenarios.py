"""Scenarios: the situations a procedure must handle, and what happens to one applicant in each.

A ``Scenario`` fixes the branch taken at each choice, the conditional documents that apply, the
data the applicant's records lack, the data sources that are down, the as-of date and whether the
applicant holds an electronic identity. ``walk`` follows the one path the scenario takes, so
checking a scenario costs time linear in the size of the procedure, never a walk over every path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from thutuc.analysis.findings import AnalysisOptions
from thutuc.analysis.supply import FactSupply
from thutuc.model import ActorKind, Catalogue, Channel, Coverage, Presence, Procedure, StepKind, SubmissionMode
from thutuc.soundness import proved_facts

__all__ = [
    "PROPERTIES",
    "LookupFailure",
    "MissingFact",
    "Scenario",
    "ScenarioProblem",
    "ScenarioRun",
    "ScenarioSpace",
    "check_scenario",
    "scenario_space",
    "walk",
]

RoleFact = tuple[str, str]

PROPERTIES = {
    "facts-collected": "every path from the start to an end collects every fact its decide steps need",
    "lookup-fallback": "every lookup that can fail has a fallback",
    "no-dead-end": "no scenario reaches a dead end",
    "within-time-limit": "no scenario's path takes longer than the procedure's legal time limit",
    "simplification-sound": "the simplified procedure is sound in every scenario",
}
"""The built-in scenario properties, by name."""


@dataclass(frozen=True)
class Scenario:
    """One situation: which branches are taken, which conditions hold, which lookups fail, and when.

    ``branches`` maps a step with several next steps to the one taken; a step left out takes its
    first. ``missing_data`` holds ``(data source, fact)`` pairs of partial coverage the applicant's
    record lacks (data not in the database); ``failed_sources`` are data sources that answer no
    lookup at all. ``electronic_id`` says whether the applicant has a chip ID card, and so a level-2
    electronic identity to file online with.
    """

    as_of: dt.date
    branches: Mapping[str, str] = field(default_factory=dict)
    documents: frozenset[str] = frozenset()
    missing_data: frozenset[tuple[str, str]] = frozenset()
    failed_sources: frozenset[str] = frozenset()
    electronic_id: bool = True

    def describe(self) -> str:
        """The scenario in one line, for failure messages.

        Examples
        --------
        >>> Scenario(dt.date(2025, 7, 1), {"check": "decide"}, frozenset({"authorisation"})).describe()
        'as of 2025-07-01; branches: check→decide; conditions holding: authorisation; no lookup fails; chip ID card'
        """
        parts = [f"as of {self.as_of.isoformat()}"]
        if self.branches:
            parts.append("branches: " + ", ".join(f"{s}→{t}" for s, t in sorted(self.branches.items())))
        parts.append(
            "conditions holding: " + ", ".join(sorted(self.documents)) if self.documents else "no conditional document"
        )
        failing = [f"{source} lacks {fact}" for source, fact in sorted(self.missing_data)]
        failing += [f"{source} down" for source in sorted(self.failed_sources)]
        parts.append("lookups failing: " + ", ".join(failing) if failing else "no lookup fails")
        parts.append("chip ID card" if self.electronic_id else "no chip ID card")
        return "; ".join(parts)


@dataclass(frozen=True)
class ScenarioSpace:
    """What the scenarios of one procedure can vary: the choices a strategy draws from."""

    branches: Mapping[str, tuple[str, ...]]
    """Steps with several next steps (a declared loop back included), and the ids they can go to."""
    conditional_documents: tuple[str, ...]
    partial_holdings: tuple[tuple[str, str], ...]
    """``(data source, fact)`` of partial coverage that a lookup of this procedure relies on."""
    sources: tuple[str, ...]
    """Data sources this procedure's lookups and retrieved documents query."""
    dates: tuple[dt.date, ...]
    """As-of dates within the version's validity: the connection dates that matter and the days between."""


@dataclass(frozen=True)
class LookupFailure:
    """A lookup step or retrieved document that cannot supply some facts in a scenario, and why."""

    lookup: str
    """The lookup step or the retrieved document."""
    source: str
    lost: frozenset[RoleFact]
    reason: str


@dataclass(frozen=True)
class MissingFact:
    """A fact a step on the scenario's path needs that nothing supplied before it."""

    step: str
    role: str
    fact: str
    lost_by: LookupFailure | None
    """The failed lookup that would have supplied it, when one would have."""


@dataclass(frozen=True)
class ScenarioProblem:
    """One scenario property broken: which, where, and in words."""

    property: str
    target: str
    message: str

    def __str__(self) -> str:
        return f"{self.property}: {self.message}"


@dataclass(frozen=True)
class ScenarioRun:
    """What happens to the applicant in one scenario: the path taken and what it collects."""

    procedure: Procedure
    catalogue: Catalogue
    scenario: Scenario
    path: tuple[str, ...]
    dead_end: str | None
    """The step the path stopped at without reaching an end, if it did."""
    failures: tuple[LookupFailure, ...]
    missing: tuple[MissingFact, ...]
    fallback_documents: frozenset[str]
    """Conditional documents the applicant brings because a lookup failed."""
    applied_documents: frozenset[str]

    @cached_property
    def days(self) -> float:
        """Working days the agencies take along the path (the applicant's own time is not counted)."""
        citizens = {a.id for a in self.procedure.actors if a.kind is ActorKind.CITIZEN}
        total = 0.0
        for step_id in self.path:
            step = self.procedure.step[step_id]
            if step.duration is not None and step.actor not in citizens:
                total += step.duration.in_working_days
        return total

    @cached_property
    def visits(self) -> tuple[str, ...]:
        """Steps on the path that need the applicant at an office, in this scenario.

        Without an electronic identity the applicant cannot file online and goes in person where
        no post channel is offered; with one, only steps requiring presence or offering nothing
        remote are visits.
        """
        citizens = {a.id for a in self.procedure.actors if a.kind is ActorKind.CITIZEN}
        remote = {Channel.POST, Channel.ONLINE} if self.scenario.electronic_id else {Channel.POST}
        found = []
        for step_id in dict.fromkeys(self.path):
            step = self.procedure.step[step_id]
            in_person = Presence.PRESENCE in step.requires or (
                step.actor in citizens and Channel.IN_PERSON in step.channels and not remote & set(step.channels)
            )
            if in_person:
                found.append(step_id)
        return tuple(found)

    @cached_property
    def asked(self) -> tuple[tuple[str, str, str], ...]:
        """``(role, fact, where)`` for each time the applicant supplies a fact, in path order.

        ``where`` is the document they bring (retrieved ones excluded, forms included) or their own
        step that provides it (a number they key in). A loop back does not ask again.
        """
        return _asked(self)


def _asked(run: ScenarioRun) -> tuple[tuple[str, str, str], ...]:
    procedure, catalogue = run.procedure, run.catalogue
    citizens = {a.id for a in procedure.actors if a.kind is ActorKind.CITIZEN}
    brought = {d for d in run.applied_documents if procedure.document[d].mode is not SubmissionMode.RETRIEVED}
    consumed = {d for s in procedure.steps for d in s.consumes}
    asked: list[tuple[str, str, str]] = []
    for document in sorted(brought - consumed):
        asked += [(role, fact, document) for role, fact in sorted(proved_facts(procedure, catalogue, document))]
    seen: set[str] = set()
    for step_id in dict.fromkeys(run.path):
        step = procedure.step[step_id]
        here: set[RoleFact] = set()
        for document in step.consumes:
            if document in brought and document not in seen:
                seen.add(document)
                proved = proved_facts(procedure, catalogue, document)
                here |= proved
                asked += [(role, fact, document) for role, fact in sorted(proved)]
        if step.actor in citizens:
            # A number keyed in at a step is a field of the form handed in there, not a second question.
            keyed = {(role, fact) for role, facts in step.provides.items() for fact in facts} - here
            asked += [(role, fact, step_id) for role, fact in sorted(keyed)]
    return tuple(asked)


def _lookup_failures(
    procedure: Procedure, catalogue: Catalogue, scenario: Scenario, supply: FactSupply
) -> dict[str, LookupFailure]:
    """Lookup steps and retrieved documents that lose facts in the scenario, by id."""
    reachable = set(supply.reachable)
    # A source the catalogue records no route to on any date is a gap in the catalogue, not a date
    # the lookup fails on: the procedure file states the lookup, so it is taken as made.
    routes = supply.reach
    recorded = {
        source.id
        for source in catalogue.data_sources
        if source.operator in routes or any(c.to in routes for c in source.connections)
    }
    failures: dict[str, LookupFailure] = {}
    for step in procedure.steps:
        if step.kind is not StepKind.LOOKUP or step.data_source is None:
            continue
        source = step.data_source
        provided = {(role, fact) for role, facts in step.provides.items() for fact in facts}
        if not provided:
            continue
        if source in scenario.failed_sources:
            failures[step.id] = LookupFailure(step.id, source, frozenset(provided), f"{source} is down")
        elif source not in reachable and source in recorded:
            failures[step.id] = LookupFailure(
                step.id, source, frozenset(provided), f"{source} is not connected on {scenario.as_of.isoformat()}"
            )
        else:
            lost = frozenset(pair for pair in provided if (source, pair[1]) in scenario.missing_data)
            if lost:
                facts = ", ".join(sorted({fact for _, fact in lost}))
                failures[step.id] = LookupFailure(step.id, source, lost, f"{source} lacks {facts} for this applicant")
    for requirement in procedure.documents:
        if requirement.mode is not SubmissionMode.RETRIEVED:
            continue
        lost_facts: set[RoleFact] = set()
        reasons: list[str] = []
        first_source = ""
        for role, fact in sorted(proved_facts(procedure, catalogue, requirement.id)):
            holders = [s for s in catalogue.data_sources if s.id in recorded and any(h.fact == fact for h in s.holds)]
            if not holders:
                continue  # where the data come from is not modelled, so the retrieval cannot be judged
            working = [
                holder.id
                for holder in holders
                if holder.id in reachable
                and holder.id not in scenario.failed_sources
                and (holder.id, fact) not in scenario.missing_data
            ]
            if not working:
                lost_facts.add((role, fact))
                first_source = first_source or holders[0].id
                reasons.append(f"no data source holding {fact} answers")
        if lost_facts:
            failures[requirement.id] = LookupFailure(
                requirement.id, first_source, frozenset(lost_facts), "; ".join(dict.fromkeys(reasons))
            )
    return failures


def _fallback_branches(procedure: Procedure, step_id: str, lost: frozenset[RoleFact]) -> list[str]:
    """Next steps of ``step_id`` from which a step supplies a lost fact before any step needs it."""
    found = []
    for transition in procedure.step[step_id].next:
        if transition.loop or transition.to not in procedure.step:
            continue
        seen: set[str] = set()
        frontier = [transition.to]
        while frontier:
            current = procedure.step[frontier.pop()]
            if current.id in seen:
                continue
            seen.add(current.id)
            if any((role, fact) in lost for role, facts in current.provides.items() for fact in facts):
                found.append(transition.to)
                break
            if any((role, fact) in lost for role, facts in current.needs.items() for fact in facts):
                continue
            frontier.extend(t.to for t in current.next if not t.loop and t.to in procedure.step)
    return found


def _next_step(
    procedure: Procedure, step_id: str, scenario: Scenario, used: set[tuple[str, str]], fallback: list[str]
) -> str | None:
    """The step the scenario goes to after ``step_id``.

    A declared loop is taken at most once; back at a step already left, the scenario takes a branch
    it has not taken yet, when there is one. So the walk ends, after at most one pass per loop.
    """
    step = procedure.step[step_id]
    forward = [t.to for t in step.next if not t.loop and t.to in procedure.step]
    loops = [t.to for t in step.next if t.loop and t.to in procedure.step and (step_id, t.to) not in used]
    if fallback:
        forward = [t for t in forward if t in fallback]
        loops = []
    fresh = [t for t in forward if (step_id, t) not in used] or forward
    chosen = scenario.branches.get(step_id)
    if chosen in loops or chosen in fresh:
        return chosen
    if fresh:
        return fresh[0]
    return loops[0] if loops else None


def walk(procedure: Procedure, catalogue: Catalogue, scenario: Scenario) -> ScenarioRun:
    """Follow the scenario's path from the start and record what it collects and what it lacks.

    A failed lookup with a branch that supplies its facts another way (a fallback) takes that
    branch; a conditional document proving a fact a failed lookup lost is brought as a fallback.
    Documents no step consumes count as given at the start. A declared loop is followed once, then
    the steps it returns to take branches not taken yet; so the walk visits each step at most once
    per declared loop, and costs time linear in the size of the procedure.

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_catalogue, tiny_procedure
    >>> run = walk(tiny_procedure(), tiny_catalogue(), Scenario(dt.date(2025, 1, 1)))
    >>> run.path, run.dead_end, run.missing
    (('submit', 'decide', 'issue'), None, ())
    """
    supply = FactSupply.of(procedure, catalogue, AnalysisOptions(as_of=scenario.as_of))
    failures = _lookup_failures(procedure, catalogue, scenario, supply)
    lost_anywhere = {pair for failure in failures.values() for pair in failure.lost}
    conditional = [d for d in procedure.documents if d.condition is not None and d.mode is not SubmissionMode.RETRIEVED]
    fallback_documents = frozenset(
        d.id
        for d in conditional
        if d.id not in scenario.documents and proved_facts(procedure, catalogue, d.id) & lost_anywhere
    )
    applied = set(fallback_documents)
    for requirement in procedure.documents:
        if requirement.condition is None or requirement.id in scenario.documents:
            applied.add(requirement.id)
    supplied_by_document = {
        d: proved_facts(procedure, catalogue, d) - (failures[d].lost if d in failures else frozenset()) for d in applied
    }
    conditional_needs = _conditional_needs(procedure, catalogue, supply)

    consumed = {d for s in procedure.steps for d in s.consumes}
    collected: set[RoleFact] = set()
    lost_on_path: dict[RoleFact, LookupFailure] = {}

    def bring(document: str) -> None:
        collected.update(supplied_by_document[document])
        if document in failures:
            lost_on_path.update(dict.fromkeys(failures[document].lost, failures[document]))

    for document in sorted(applied - consumed):
        bring(document)
    entered = {t.to for s in procedure.steps for t in s.next if not t.loop}
    starts = [s.id for s in procedure.steps if s.id not in entered]
    path: list[str] = []
    missing: list[MissingFact] = []
    reported: set[tuple[str, str, str]] = set()
    used: set[tuple[str, str]] = set()
    current = starts[0] if starts else None
    dead_end = None
    # Each declared loop is taken once, so a valid flow visits a step at most once per loop; the bound
    # only stops a walk round an undeclared cycle, which the loader reports (THT023).
    longest = (1 + sum(1 for s in procedure.steps for t in s.next if t.loop)) * len(procedure.steps)
    while current is not None:
        if len(path) >= longest:
            dead_end = current
            break
        path.append(current)
        step = procedure.step[current]
        for document in step.consumes:
            if document in supplied_by_document:
                bring(document)
        for role, facts in step.needs.items():
            for fact in facts:
                pair = (role, fact)
                if pair in collected or (current, role, fact) in reported:
                    continue
                only_if = conditional_needs.get((current, role, fact))
                if only_if is not None and not any(d in applied for d in only_if):
                    continue  # only a document that does not apply here would make the step need it
                reported.add((current, role, fact))
                missing.append(MissingFact(current, role, fact, lost_on_path.get(pair)))
        lost_here = failures[current].lost if current in failures else frozenset()
        if current in failures:
            lost_on_path.update(dict.fromkeys(lost_here, failures[current]))
        collected |= {(role, fact) for role, facts in step.provides.items() for fact in facts} - lost_here
        fallback = _fallback_branches(procedure, current, lost_here) if lost_here else []
        following = _next_step(procedure, current, scenario, used, fallback)
        if following is None:
            if step.next:
                dead_end = current
            break
        used.add((current, following))
        current = following
    return ScenarioRun(
        procedure=procedure,
        catalogue=catalogue,
        scenario=scenario,
        path=tuple(path),
        dead_end=dead_end,
        failures=tuple(failures[k] for k in sorted(failures)),
        missing=tuple(missing),
        fallback_documents=fallback_documents,
        applied_documents=frozenset(applied),
    )


def _conditional_needs(
    procedure: Procedure, catalogue: Catalogue, supply: FactSupply
) -> dict[tuple[str, str, str], tuple[str, ...]]:
    """Needs ``(step, role, fact)`` that only conditional documents supply, with those documents.

    Such a need arises only in the situations the documents' conditions describe; the model does not
    say which conditions exclude each other ("the birth notice, unless the e-notice was retrieved"),
    so a scenario where none of them applies is taken as one where the step does not need the fact.
    """
    documents: dict[RoleFact, list[str]] = {}
    unconditional: set[RoleFact] = set()
    for requirement in procedure.documents:
        for pair in proved_facts(procedure, catalogue, requirement.id):
            if requirement.condition is None:
                unconditional.add(pair)
            else:
                documents.setdefault(pair, []).append(requirement.id)
    found = {}
    for step in procedure.steps:
        for role, facts in step.needs.items():
            for fact in facts:
                pair = (role, fact)
                if pair not in documents or pair in unconditional:
                    continue
                if any(supply.precedes(s, step.id) for s in supply.provided_by.get(pair, [])):
                    continue
                found[(step.id, role, fact)] = tuple(documents[pair])
    return found


def scenario_space(procedure: Procedure, catalogue: Catalogue, *, today: dt.date | None = None) -> ScenarioSpace:
    """The choices that make up the scenarios of ``procedure``.

    As-of dates run from the version's ``valid_from`` (or ``today`` when it is not known) to its
    ``valid_until`` (or ``today``): the connection dates of the data sources it queries that fall
    in that span, the day before each, and the ends of the span.

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_catalogue, tiny_procedure
    >>> space = scenario_space(tiny_procedure(), tiny_catalogue(), today=dt.date(2025, 1, 1))
    >>> dict(space.branches), space.conditional_documents, space.dates
    ({}, (), (datetime.date(2025, 1, 1),))
    """
    today = today or dt.date.today()
    branches = {
        s.id: tuple(t.to for t in s.next if t.to in procedure.step)
        for s in procedure.steps
        if sum(1 for t in s.next if t.to in procedure.step) > 1
    }
    conditional = tuple(d.id for d in procedure.documents if d.condition is not None)
    queried: dict[str, set[str]] = {}
    for step in procedure.steps:
        if step.kind is StepKind.LOOKUP and step.data_source is not None:
            queried.setdefault(step.data_source, set()).update(f for facts in step.provides.values() for f in facts)
    for requirement in procedure.documents:
        if requirement.mode is SubmissionMode.RETRIEVED:
            for _, fact in proved_facts(procedure, catalogue, requirement.id):
                for source in catalogue.data_sources:
                    if any(h.fact == fact for h in source.holds):
                        queried.setdefault(source.id, set()).add(fact)
    partial = tuple(
        sorted(
            (source_id, held.fact)
            for source_id, facts in queried.items()
            if source_id in catalogue.data_source
            for held in catalogue.data_source[source_id].holds
            if held.coverage is Coverage.PARTIAL and held.fact in facts
        )
    )
    start = procedure.valid_from or today
    end = procedure.valid_until - dt.timedelta(days=1) if procedure.valid_until else max(today, start)
    dates = {start, end}
    for source_id in queried:
        known = catalogue.data_source.get(source_id)
        for connection in known.connections if known else ():
            for boundary in (connection.since, connection.until):
                if boundary is None:
                    continue
                for day in (boundary - dt.timedelta(days=1), boundary):
                    if start <= day <= end:
                        dates.add(day)
    return ScenarioSpace(
        branches=branches,
        conditional_documents=conditional,
        partial_holdings=partial,
        sources=tuple(sorted(queried)),
        dates=tuple(sorted(dates)),
    )


def _facts(pairs: Iterable[RoleFact]) -> str:
    return ", ".join(f"{role}:{fact}" for role, fact in sorted(pairs))


def check_scenario(
    procedure: Procedure,
    catalogue: Catalogue,
    scenario: Scenario,
    *,
    simplified: Procedure | None = None,
    properties: Iterable[str] | None = None,
) -> list[ScenarioProblem]:
    """The built-in scenario properties ``procedure`` breaks in ``scenario``; empty when it holds them all.

    ``simplified`` is the procedure's simplification, for ``simplification-sound``: in the same
    scenario it must not lack a fact the procedure had, nor stop where it went on. ``properties``
    selects names of ``PROPERTIES``.

    Raises
    ------
    ValueError
        If a property is not one of ``PROPERTIES``.

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_catalogue, tiny_procedure
    >>> check_scenario(tiny_procedure(), tiny_catalogue(), Scenario(dt.date(2025, 1, 1)))
    []
    """
    selected = set(PROPERTIES) if properties is None else set(properties)
    unknown = selected - set(PROPERTIES)
    if unknown:
        raise ValueError(f"unknown scenario properties: {', '.join(sorted(unknown))}; known: {', '.join(PROPERTIES)}")
    run = walk(procedure, catalogue, scenario)
    problems: list[ScenarioProblem] = []
    if "facts-collected" in selected:
        for gap in run.missing:
            if gap.lost_by is None and procedure.step[gap.step].kind is StepKind.DECIDE:
                problems.append(
                    ScenarioProblem(
                        "facts-collected",
                        gap.step,
                        f"decide step '{gap.step}' needs {gap.role}:{gap.fact}, which nothing on the path "
                        f"{' → '.join(run.path[: run.path.index(gap.step) + 1])} supplies",
                    )
                )
    if "lookup-fallback" in selected:
        for gap in run.missing:
            if gap.lost_by is not None:
                failure = gap.lost_by
                problems.append(
                    ScenarioProblem(
                        "lookup-fallback",
                        failure.lookup,
                        f"lookup '{failure.lookup}' fails ({failure.reason}) and nothing else supplies "
                        f"{gap.role}:{gap.fact} to step '{gap.step}': no fallback branch or document",
                    )
                )
    if "no-dead-end" in selected and run.dead_end is not None:
        problems.append(
            ScenarioProblem(
                "no-dead-end",
                run.dead_end,
                f"the path {' → '.join(run.path)} stops at step '{run.dead_end}', which is not an end",
            )
        )
    if "within-time-limit" in selected and procedure.time_limit is not None:
        limit = procedure.time_limit.in_working_days
        if run.days > limit + 1e-9:
            timed = [s for s in run.path if procedure.step[s].duration is not None]
            problems.append(
                ScenarioProblem(
                    "within-time-limit",
                    procedure.id,
                    f"the path takes {run.days:g} working days (steps with a duration: {', '.join(timed)}), "
                    f"over the time limit of {limit:g}",
                )
            )
    if "simplification-sound" in selected and simplified is not None:
        problems += _simplification_problems(procedure, simplified, catalogue, scenario, run)
    return problems


def _simplification_problems(
    procedure: Procedure, simplified: Procedure, catalogue: Catalogue, scenario: Scenario, run: ScenarioRun
) -> list[ScenarioProblem]:
    after = walk(simplified, catalogue, scenario)
    had = {(g.step, g.role, g.fact) for g in run.missing}
    problems = []
    for gap in after.missing:
        if (gap.step, gap.role, gap.fact) in had or gap.step not in procedure.step:
            continue
        if gap.step not in run.path:
            continue  # the scenario took another branch in the original: nothing to compare
        problems.append(
            ScenarioProblem(
                "simplification-sound",
                gap.step,
                f"after simplification, step '{gap.step}' lacks {gap.role}:{gap.fact}, which the procedure supplied",
            )
        )
    if after.dead_end is not None and run.dead_end is None:
        problems.append(
            ScenarioProblem(
                "simplification-sound",
                after.dead_end,
                f"after simplification the path stops at step '{after.dead_end}', which is not an end",
            )
        )
    return problems
