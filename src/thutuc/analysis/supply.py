"""Where each fact a step needs can come from: an earlier step, or a data source the procedure reaches.

The reasoning every analyzer shares: which data sources are connected on the as-of date, and whether
the lookup key is known at the step that needs a fact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any, TypeVar

import networkx as nx

from thutuc._memo import RecentResults
from thutuc.analysis.findings import AnalysisOptions
from thutuc.graph import shared_flow
from thutuc.model import ActorKind, Catalogue, Coverage, DataSource, LegalRef, Procedure, Step, StepKind

__all__ = ["FactSupply", "Holding", "KeyStatus", "Supply"]

RoleFact = tuple[str, str]
T = TypeVar("T")
# Enough for analyzing, simplifying (a draft a pass) and diffing one procedure. A longer memo kept supplies
# alive past the collector's young generations, to be freed only by full collections.
_RECENT: RecentResults[FactSupply] = RecentResults(4)


class KeyStatus(StrEnum):
    """How the lookup key of a role is known at a step."""

    DECLARED = "declared"  # the applicant gives it on the form
    OBTAINED = "obtained"  # an earlier step establishes it
    ASKABLE = "askable"  # not on the form yet, but the applicant can give it
    UNAVAILABLE = "unavailable"  # the procedure itself creates it later


@dataclass(frozen=True)
class Holding:
    """A data source the procedure reaches that holds a fact, and through which agency."""

    source: DataSource
    fact: str
    coverage: Coverage
    condition: str | None
    via: str
    since: dt.date | None
    legal_basis: tuple[LegalRef, ...]
    assumed: bool


@dataclass(frozen=True)
class _ForwardFlow:
    """The forward flow (no declared loops) by position in topological order."""

    order: list[str]
    position: dict[str, int]
    before: list[list[int]]
    """Each step's forward predecessors, by position."""


@dataclass(frozen=True)
class Supply:
    """How one needed ``(role, fact)`` is supplied at a step, when it can be without the applicant."""

    role: str
    fact: str
    holding: Holding | None = None
    key: KeyStatus | None = None
    earlier_step: str | None = None
    """The step of the procedure that already establishes the fact, when one does."""

    @property
    def partial(self) -> bool:
        """True when the source covers only part of the population."""
        return self.holding is not None and self.holding.coverage is Coverage.PARTIAL


class FactSupply:
    """Answers "can the state supply this fact here?" for one procedure, catalogue and as-of date."""

    def __init__(self, procedure: Procedure, catalogue: Catalogue, options: AnalysisOptions) -> None:
        self.procedure = procedure
        self.catalogue = catalogue
        self.options = options
        # Each step's successors and predecessors, each with whether the edge is a declared loop.
        self.flow, self.incoming, self._sorted_flow = shared_flow(procedure)
        self._descendants: dict[str, set[str]] = {}
        self._reached: dict[RoleFact, list[str | None]] = {}
        self._before_need: dict[RoleFact, set[str]] = {}
        self._everywhere: dict[RoleFact, tuple[Supply | None, str | None]] = {}
        self._results: dict[tuple[object, ...], Any] = {}

    def remembered(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        """``compute()``, once per key for this supply: analyzing, then simplifying, asks the same questions."""
        if key not in self._results:
            self._results[key] = compute()
        return self._results[key]

    @classmethod
    def of(cls, procedure: Procedure, catalogue: Catalogue, options: AnalysisOptions) -> FactSupply:
        """The supply for these inputs, shared by the analyzers of one run (a small memo, not a store)."""
        return _RECENT.get(
            (procedure, catalogue),
            (options.as_of, options.assume_connected),
            lambda: cls(procedure, catalogue, options),
        )

    @cached_property
    def agencies(self) -> tuple[str, ...]:
        """Catalogue agencies of the procedure's offices, officers and systems, in declaration order."""
        seen: dict[str, None] = {}
        for actor in self.procedure.actors:
            if actor.kind is not ActorKind.CITIZEN and actor.agency:
                seen[actor.agency] = None
        return tuple(seen)

    @cached_property
    def reach(self) -> dict[str, str]:
        """Agencies and systems through which the procedure can query, each mapped to the agency using it."""
        reach = {agency: agency for agency in self.agencies}
        for agency in self.agencies:
            known = self.catalogue.agency.get(agency)
            for system in known.systems if known else ():
                reach.setdefault(system, agency)
        return reach

    @cached_property
    def citizen_actors(self) -> frozenset[str]:
        """Actor ids of the applicant's lanes."""
        return frozenset(a.id for a in self.procedure.actors if a.kind is ActorKind.CITIZEN)

    @cached_property
    def reachable(self) -> dict[str, Holding]:
        """For each data source the procedure reaches on the as-of date, a template holding naming the route."""
        return self._routes[0]

    @cached_property
    def _holders(self) -> dict[str, list[Holding]]:
        return self._routes[1]

    @cached_property
    def _routes(self) -> tuple[dict[str, Holding], dict[str, list[Holding]]]:
        # Procedures of the same agencies reach the same sources: a catalogue's routes are worked out once for each
        # set of agencies, not once per procedure (and again per simplify pass).
        key = (tuple(self.reach.items()), self.options.as_of, self.options.assume_connected)
        return _ROUTES.get((self.catalogue,), key, self._find_routes)

    def _find_routes(self) -> tuple[dict[str, Holding], dict[str, list[Holding]]]:
        routes = self._reachable_routes()
        return routes, _holders_of(routes)

    def _reachable_routes(self) -> dict[str, Holding]:
        as_of = self.options.as_of
        agencies = self.reach
        routes: dict[str, Holding] = {}
        for source in self.catalogue.data_sources:
            route = None
            for connection in source.connections:
                live = (connection.since is None or connection.since <= as_of) and (
                    connection.until is None or as_of < connection.until
                )
                if live and connection.to in agencies:
                    route = (connection.to, connection.since, tuple(connection.legal_basis), False)
                    break
            if route is None and source.operator in agencies:
                route = (source.operator, None, (), False)
            if route is None:
                for assumed in self.options.assume_connected:
                    if assumed.source == source.id and (assumed.agency is None or assumed.agency in agencies):
                        via = assumed.agency or (self.agencies[0] if self.agencies else "assumed")
                        route = (via, None, (), True)
                        break
            if route is not None:
                via, since, basis, assumed_flag = route
                routes[source.id] = Holding(
                    source=source,
                    fact="",
                    coverage=Coverage.FULL,
                    condition=None,
                    via=via,
                    since=since,
                    legal_basis=tuple(source.legal_basis) + basis,
                    assumed=assumed_flag,
                )
        return routes

    def holdings(self, fact: str) -> list[Holding]:
        """Reachable data sources that hold ``fact`` and can be queried by a key, full coverage first."""
        return self._holders.get(fact, [])

    @cached_property
    def needed_by(self) -> dict[RoleFact, list[str]]:
        """The steps that need each ``(role, fact)``, in declaration order."""
        return self._indexes[0]

    @cached_property
    def provided_by(self) -> dict[RoleFact, list[str]]:
        """The steps that provide each ``(role, fact)``, in declaration order."""
        return self._indexes[1]

    @cached_property
    def consumers(self) -> dict[str, list[str]]:
        """The steps that consume each document, in declaration order."""
        return self._indexes[2]

    @cached_property
    def producers(self) -> dict[str, list[str]]:
        """The steps that produce each result, in declaration order."""
        return self._indexes[3]

    def steps_of(self, *kinds: StepKind) -> list[Step]:
        """The steps of these kinds, in declaration order: the analyzers ask of a few kinds, and reading every
        step of a large procedure to find them cost more than the questions."""
        if len(kinds) == 1:
            return self._indexes[4].get(kinds[0], [])
        found = [step for kind in kinds for step in self._indexes[4].get(kind, [])]
        return sorted(found, key=lambda step: self.position[step.id])

    @cached_property
    def position(self) -> dict[str, int]:
        """Each step's place in declaration order."""
        return {step_id: index for index, step_id in enumerate(self.flow)}

    @cached_property
    def _indexes(
        self,
    ) -> tuple[
        dict[RoleFact, list[str]],
        dict[RoleFact, list[str]],
        dict[str, list[str]],
        dict[str, list[str]],
        dict[StepKind, list[Step]],
    ]:
        # One pass over the steps for the five indexes: on a large procedure each pass reads every step anew.
        needed: dict[RoleFact, list[str]] = {}
        provided: dict[RoleFact, list[str]] = {}
        consumed: dict[str, list[str]] = {}
        produced: dict[str, list[str]] = {}
        by_kind: dict[StepKind, list[Step]] = {}
        for step in self.procedure.steps:
            by_kind.setdefault(step.kind, []).append(step)
            for role, facts in step.needs.items():
                for fact in facts:
                    needed.setdefault((role, fact), []).append(step.id)
            for role, facts in step.provides.items():
                for fact in facts:
                    provided.setdefault((role, fact), []).append(step.id)
            for item in step.consumes:
                consumed.setdefault(item, []).append(step.id)
            for item in step.produces:
                produced.setdefault(item, []).append(step.id)
        return needed, provided, consumed, produced, by_kind

    def supply_everywhere(self, role: str, fact: str) -> tuple[Supply | None, str | None]:
        """How ``(role, fact)`` reaches every step needing it: the supply at the first, else the step it misses."""
        pair = (role, fact)
        if pair not in self._everywhere:
            first: Supply | None = None
            failing = None
            for step_id in self.needed_by.get(pair, []):
                got = self.supply(role, fact, step_id)
                if got is None:
                    failing = step_id
                    break
                first = first or got
            self._everywhere[pair] = (None, failing) if failing else (first, None)
        return self._everywhere[pair]

    def is_citizen_step(self, step_id: str) -> bool:
        """Whether the applicant's lane does the step."""
        return self.procedure.step[step_id].actor in self.citizen_actors

    def precedes(self, earlier: str, later: str) -> bool:
        """Whether a path of the forward flow leads from ``earlier`` to ``later``."""
        if earlier not in self._descendants:
            reached: set[str] = set()
            frontier = [earlier]
            while frontier:
                for successor, loop in self.flow[frontier.pop()].items():
                    if not loop and successor not in reached:
                        reached.add(successor)
                        frontier.append(successor)
            self._descendants[earlier] = reached
        return later in self._descendants[earlier]

    def earlier_supplier(self, role: str, fact: str, step_id: str) -> str | None:
        """An office or system step that establishes the fact before ``step_id`` on every path to it.

        A lookup counts only when the procedure reaches its data source on the as-of date. A supplier on
        some paths only does not count: a path around it reaches ``step_id`` without the fact.
        """
        pair = (role, fact)
        if pair not in self._reached:
            self._reached[pair] = self._reach_from_suppliers(pair)
        reached = self._reached[pair]
        if not reached:
            return None
        position = self._forward.position.get(step_id)
        return None if position is None else reached[position]

    @cached_property
    def _forward(self) -> _ForwardFlow:
        sorted_flow = self._sorted_flow
        if sorted_flow is None:
            raise nx.NetworkXUnfeasible(f"the forward flow of {self.procedure.id} has a cycle")
        order, predecessors = sorted_flow
        position = {node: index for index, node in enumerate(order)}
        return _ForwardFlow(order, position, [[position[p] for p in predecessors[node]] for node in order])

    def _reach_from_suppliers(self, pair: RoleFact) -> list[str | None]:
        """For each step in flow order, a supplier of ``pair`` that each path to it goes through, else ``None``;
        an empty list when nothing supplies the pair.

        One pass in flow order: a step is reached when each step before it is a supplier or is reached.
        """
        suppliers = [
            supplier
            for supplier in self.provided_by.get(pair, [])
            if not self.is_citizen_step(supplier)
            and (
                self.procedure.step[supplier].data_source is None
                or self.procedure.step[supplier].data_source in self.reachable
            )
        ]
        if not suppliers:
            return []
        forward = self._forward
        order, before = forward.order, forward.before
        supplier_at = [False] * len(order)
        for supplier in suppliers:
            supplier_at[forward.position[supplier]] = True
        reached: list[str | None] = [None] * len(order)
        # Positions as list indices: the pass runs once per fact over the whole flow, and small lists stay
        # in the processor's cache where dicts keyed by step ids, on a large procedure, did not.
        for index in range(min(forward.position[s] for s in suppliers) + 1, len(order)):
            via = None
            for earlier in before[index]:
                through = order[earlier] if supplier_at[earlier] else reached[earlier]
                if through is None:
                    via = None
                    break
                via = via or through
            reached[index] = via
        return reached

    def may_find_nothing(self, got: Supply) -> str | None:
        """For a fact an earlier lookup step establishes: why that lookup may find nothing, else ``None``.

        A lookup in a source that holds the fact for only part of the population can come back empty.
        """
        if got.earlier_step is None:
            return None
        step = self.procedure.step[got.earlier_step]
        source = self.catalogue.data_source.get(step.data_source or "")
        if source is None:
            return None
        for held in source.holds:
            if held.fact == got.fact and held.coverage is Coverage.PARTIAL:
                fallback = f"{source.id} holds {got.fact} for part of the population"
                return held.condition or source.coverage_note or fallback
        return None

    def needed_after(self, step_id: str, role: str, fact: str) -> bool:
        """Whether a step that ``step_id`` precedes needs ``(role, fact)``: one backward pass per fact."""
        pair = (role, fact)
        if pair not in self._before_need:
            before: set[str] = set()
            frontier = [p for n in self.needed_by.get(pair, []) for p, loop in self.incoming[n].items() if not loop]
            while frontier:
                node = frontier.pop()
                if node not in before:
                    before.add(node)
                    frontier.extend(p for p, loop in self.incoming[node].items() if not loop and p not in before)
            self._before_need[pair] = before
        return step_id in self._before_need[pair]

    def registered_here(self, role: str, fact: str, step_id: str) -> str | None:
        """The step of this procedure that registers the event ``fact``, when ``step_id`` does not follow it."""
        known = self.catalogue.fact.get(fact)
        if known is None or not known.event:
            return None
        for supplier in self.provided_by.get((role, fact), []):
            if not self.is_citizen_step(supplier) and not self.precedes(supplier, step_id):
                return supplier
        return None

    def key_status(self, role: str, key: str, step_id: str) -> KeyStatus:
        """How the lookup key ``key`` of ``role`` is known when ``step_id`` runs."""
        suppliers = self.provided_by.get((role, key), [])
        # The applicant declares what their own steps provide, except lookups, whose facts come from a data source.
        if any(self.is_citizen_step(s) and self.procedure.step[s].kind is not StepKind.LOOKUP for s in suppliers):
            return KeyStatus.DECLARED
        if self.earlier_supplier(role, key, step_id) is not None:
            return KeyStatus.OBTAINED
        if suppliers:
            return KeyStatus.UNAVAILABLE  # the procedure creates the key only later
        return KeyStatus.ASKABLE

    def supply(self, role: str, fact: str, step_id: str) -> Supply | None:
        """How ``(role, fact)`` reaches ``step_id`` without the applicant, or ``None`` if it cannot."""
        earlier = self.earlier_supplier(role, fact, step_id)
        if earlier is not None:
            return Supply(role, fact, earlier_step=earlier)
        if self.registered_here(role, fact, step_id) is not None:
            return None
        subject = self.procedure.role[role].subject if role in self.procedure.role else None
        for holding in self.holdings(fact):
            key = holding.source.lookup_key or ""
            if key.split(".", 1)[0] != subject:
                continue
            if key == fact:
                # A lookup by the fact itself only confirms it; the applicant must still give it.
                if self.key_status(role, key, step_id) is KeyStatus.DECLARED:
                    return Supply(role, fact, holding=holding, key=KeyStatus.DECLARED)
                continue
            status = self.key_status(role, key, step_id)
            if status is not KeyStatus.UNAVAILABLE:
                return Supply(role, fact, holding=holding, key=status)
        return None

    def why_not(self, role: str, fact: str, step_id: str) -> str:
        """Why ``(role, fact)`` cannot reach ``step_id`` without the applicant, in one sentence."""
        registering = self.registered_here(role, fact, step_id)
        if registering is not None:
            return f"{fact} is the event this procedure registers, at step '{registering}'"
        anywhere = [s for s in self.catalogue.data_sources if any(h.fact == fact for h in s.holds)]
        if not anywhere:
            return f"no data source in the catalogue holds {fact}"
        reachable = [s for s in anywhere if s.id in self.reachable]
        if not reachable:
            names = ", ".join(s.id for s in anywhere)
            return (
                f"{fact} is held by {names}, which no agency of this procedure is connected to on {self.options.as_of}"
            )
        keyed = [s for s in reachable if s.lookup_key]
        if not keyed:
            return f"{fact} is held by {', '.join(s.id for s in reachable)}, which has no lookup key"
        key = keyed[0].lookup_key or ""
        subject = self.procedure.role[role].subject if role in self.procedure.role else None
        if subject is not None and key.split(".", 1)[0] != subject:
            return f"{', '.join(s.id for s in keyed)} is queried by {key}, and the {role} is a {subject}"
        return f"the {role}'s {key} is created by this procedure only after step '{step_id}' needs {fact}"


def _holders_of(routes: dict[str, Holding]) -> dict[str, list[Holding]]:
    """For each fact, the holdings of it in the routed sources that can be queried by a key, full coverage first."""
    holders: dict[str, list[Holding]] = {}
    for route in routes.values():
        if route.source.lookup_key is None:
            continue
        for held in route.source.holds:
            holding = Holding(
                source=route.source,
                fact=held.fact,
                coverage=held.coverage,
                condition=held.condition,
                via=route.via,
                since=route.since,
                legal_basis=route.legal_basis,
                assumed=route.assumed,
            )
            holders.setdefault(held.fact, []).append(holding)
    for holdings in holders.values():
        holdings.sort(key=lambda h: h.coverage is not Coverage.FULL)  # full coverage first, stable
    return holders


_ROUTES: RecentResults[tuple[dict[str, Holding], dict[str, list[Holding]]]] = RecentResults(64)
