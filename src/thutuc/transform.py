"""simplify: apply once-only and hand-off findings to a procedure, with a trace of what each changed.

Pure: the input is never changed. A removed document becomes a lookup placed where every path to the
steps needing its facts passes; a removed step is contracted, its predecessors joined to its successors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import networkx as nx

from thutuc._gc import paused_gc
from thutuc.analysis.findings import RULES, AnalysisOptions, AssumedConnection, Finding, select_rules
from thutuc.analysis.handoffs import handoffs
from thutuc.analysis.once_only import declared_facts, once_only
from thutuc.analysis.supply import FactSupply, RoleFact
from thutuc.model import ActorKind, Catalogue, Procedure, StepKind
from thutuc.model.common import StrictModel

__all__ = ["APPLICABLE_RULES", "Change", "Simplified", "TraceEntry", "simplify"]

APPLICABLE_RULES = frozenset(
    {
        "once-only.replaceable",
        "once-only.unnecessary",
        "once-only.conditional",
        "once-only.declared-field",
        *(rule for rule in RULES if rule.startswith("handoff.")),
    }
)
"""The rules whose findings simplify applies; the others report and keep."""


class Change(StrEnum):
    """What one trace entry did to the procedure."""

    DOCUMENT_REMOVED = "document-removed"
    DOCUMENT_MADE_FALLBACK = "document-made-fallback"
    LOOKUP_ADDED = "lookup-added"
    FIELD_ADDED = "field-added"
    FIELDS_PREFILLED = "fields-prefilled"
    STEP_REMOVED = "step-removed"
    DOCUMENTS_MOVED = "documents-moved"
    NOT_APPLIED = "not-applied"


class TraceEntry(StrictModel):
    """One change, and the finding that made it."""

    rule: str
    target: str
    change: Change
    detail: str


@dataclass(frozen=True)
class Simplified:
    """The simplified procedure and the trace linking each change to its finding."""

    procedure: Procedure
    trace: tuple[TraceEntry, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> bool:
        """Whether any finding changed the procedure."""
        return any(entry.change is not Change.NOT_APPLIED for entry in self.trace)


@paused_gc()
def simplify(
    procedure: Procedure,
    findings: Iterable[Finding] | None = None,
    *,
    catalogue: Catalogue,
    rules: Iterable[str] | None = None,
    as_of: dt.date | None = None,
    assume_connected: Iterable[AssumedConnection] = (),
) -> Simplified:
    """Apply findings to ``procedure``; with no findings given, analyze and apply until nothing is left.

    ``rules`` selects rule ids or analyzers (``once-only``, ``handoffs``); findings of other
    rules, and those that only report (must-stay, online blockers), are not applied.

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_catalogue, tiny_procedure
    >>> result = simplify(tiny_procedure(), catalogue=tiny_catalogue())
    >>> [(e.change.value, e.target) for e in result.trace]
    [('lookup-added', 'lookup-population-db'), ('document-removed', 'id-card'), ('field-added', 'submit')]
    >>> [s.id for s in result.procedure.steps]
    ['submit', 'lookup-population-db', 'decide', 'issue']
    """
    options = AnalysisOptions(
        as_of=as_of or dt.date.today(),
        assume_connected=tuple(assume_connected),
        rules=select_rules(list(rules)) if rules is not None else None,
    )
    if findings is not None:
        applicable = [f for f in findings if f.rule in APPLICABLE_RULES and options.applies(f.rule)]
        return _apply(procedure, catalogue, applicable, options)
    current, trace = procedure, []
    # Each pass removes at least one document or step, so the passes are bounded.
    for _ in range(len(procedure.steps) + len(procedure.documents) + 2):
        everything = AnalysisOptions(options.as_of, options.assume_connected)
        found = once_only(current, catalogue, options=everything)
        found += handoffs(current, catalogue, options=everything, once_only_findings=found)
        applicable = [f for f in found if f.rule in APPLICABLE_RULES and options.applies(f.rule)]
        supply = FactSupply.of(current, catalogue, everything)
        if all(_changes_nothing(supply, f) for f in applicable):
            break
        result = _apply(current, catalogue, applicable, options)
        if not result.changed:
            break
        current = result.procedure
        trace += [e for e in result.trace if e.change is not Change.NOT_APPLIED]
    return Simplified(current, tuple(trace))


class _DominatorTree:
    """Immediate dominators, numbered in one walk of their tree so that "does a dominate b" is two comparisons:
    a lookup asks it for every step it serves, and walking up the tree each time grew with the square of
    the procedure. A lookup inserted into the flow updates the tree instead of recomputing it."""

    def __init__(self, immediate: dict[str, str]) -> None:
        self.immediate = immediate
        self.children: dict[str, list[str]] = {}
        for node, parent in immediate.items():
            if node != parent:
                self.children.setdefault(parent, []).append(node)
        self._number()

    def _number(self) -> None:
        # A node's subtree holds the nodes numbered from its ``enter`` up to (not including) its ``leave``.
        self.enter: dict[str, int] = {}
        self.leave: dict[str, int] = {}
        roots = [node for node, parent in self.immediate.items() if node == parent]
        stack: list[tuple[str, bool]] = [(root, False) for root in roots]
        while stack:
            node, finished = stack.pop()
            if finished:
                self.leave[node] = len(self.enter)
                continue
            self.enter[node] = len(self.enter)
            stack.append((node, True))
            stack.extend((child, False) for child in self.children.get(node, ()))

    def insert_before(self, new: str, target: str) -> None:
        """``new`` now stands on every forward edge into ``target``: it takes ``target``'s place in the tree."""
        parent = self.immediate[target]
        siblings = self.children[parent]
        siblings[siblings.index(target)] = new
        self.immediate[new], self.immediate[target] = parent, new
        self.children[new] = [target]
        self._number()

    def insert_after(self, new: str, source: str) -> None:
        """``new`` now takes every forward edge out of ``source``: what ``source`` immediately dominated, ``new``
        does, since a path leaves ``source`` only through ``new``."""
        moved = self.children.get(source, [])
        for node in moved:
            self.immediate[node] = new
        self.immediate[new] = source
        self.children[new], self.children[source] = moved, [new]
        self._number()

    def dominates(self, node: str, other: str) -> bool:
        if node not in self.enter or other not in self.enter:
            return False
        return self.enter[node] <= self.enter[other] < self.leave[node]

    def nearest_common(self, nodes: list[str]) -> str | None:
        """The nearest node dominating every one of ``nodes``; ``None`` when one is unreachable."""
        if any(node not in self.enter for node in nodes):
            return None
        # The first and last in walk order have the same nearest common dominator as the whole set. Walking up
        # from the first: on a long chain of steps it already dominates the last.
        first = min(nodes, key=self.enter.__getitem__)
        last = max(nodes, key=self.enter.__getitem__)
        node = first
        while not self.dominates(node, last):
            node = self.immediate[node]
        return node


# The parts of a procedure that are lists of models with ids: the draft reuses those a pass left unchanged.
_BY_ID = ("steps", "documents", "actors")


@dataclass(frozen=True)
class _Place:
    """Where a lookup goes: just before ``step``, or just after it; ``needing``: the steps it serves."""

    step: str
    after: bool = False
    needing: tuple[str, ...] = ()


class _Draft:
    """A mutable copy of a procedure's data, edited by the findings and validated at the end."""

    def __init__(self, procedure: Procedure, catalogue: Catalogue, options: AnalysisOptions) -> None:
        self.original = procedure
        self.catalogue = catalogue
        self.supply = FactSupply.of(procedure, catalogue, options)
        self.data: dict[str, Any] = procedure.model_dump(mode="json", exclude_defaults=True)
        self.data.setdefault("documents", [])
        # The original's steps and documents an edit changed, as (part, id): the others are taken from the original.
        self._edited: set[tuple[str, str]] = set()
        self.trace: list[TraceEntry] = []
        self._forward: tuple[nx.DiGraph, list[str]] | None = None
        self._starts: list[str] = []
        self._dominators: _DominatorTree | None = None
        # Indexes kept through every edit, so that an edit costs its neighbourhood, not the flow. The step
        # indexes may name steps since contracted: a question checks the step is still there.
        self._steps_by_id: dict[str, dict[str, Any]] = {s["id"]: s for s in self.data["steps"]}
        self._documents_by_id: dict[str, dict[str, Any]] = {d["id"]: d for d in self.data["documents"]}
        self._incoming: dict[str, set[str]] | None = None
        self._needing: dict[RoleFact, dict[str, None]] = {}
        self._providing: dict[RoleFact, dict[str, None]] = {}
        self._consuming: dict[str, dict[str, None]] = {}
        self._proving: dict[RoleFact, list[str]] | None = None
        self._contracted = False
        for step in self.data["steps"]:
            self._index_step(step)

    # --- access ---------------------------------------------------------------------------

    def step(self, step_id: str) -> dict[str, Any] | None:
        return self._steps_by_id.get(step_id)

    def steps(self) -> list[dict[str, Any]]:
        """The draft's steps in declaration order. A contraction leaves its step in the list until the list is
        next needed whole: taking each out at once made contracting grow with the size of the flow."""
        if self._contracted:
            self.data["steps"] = [s for s in self.data["steps"] if self._steps_by_id.get(s["id"]) is s]
            self._contracted = False
        return self.data["steps"]

    def _index_step(self, step: dict[str, Any]) -> None:
        for role, facts in step.get("needs", {}).items():
            for fact in facts:
                self._needing.setdefault((role, fact), {})[step["id"]] = None
        for role, facts in step.get("provides", {}).items():
            for fact in facts:
                self._providing.setdefault((role, fact), {})[step["id"]] = None
        for document_id in step.get("consumes", []):
            self._consuming.setdefault(document_id, {})[step["id"]] = None

    def incoming(self) -> dict[str, set[str]]:
        """For each step, the steps with a transition to it (declared loops included)."""
        if self._incoming is None:
            self._incoming = {s["id"]: set() for s in self.steps()}
            for step in self.steps():
                for transition in step.get("next", []):
                    self._incoming.setdefault(transition["to"], set()).add(step["id"])
        return self._incoming

    def document(self, document_id: str) -> dict[str, Any] | None:
        return self._documents_by_id.get(document_id)

    def validated(self) -> Procedure:
        """The draft as a procedure. What no edit changed (a step, a document, an actor, any other field) is the
        original's own model rather than validated again: validating every step anew cost as much as the rest
        of a pass, and most steps do not change."""
        data = {key: getattr(self.original, key) for key in self.data}
        for key in _BY_ID:
            originals = {model.id: model for model in getattr(self.original, key)}
            data[key] = [
                originals[item["id"]] if item["id"] in originals and (key, item["id"]) not in self._edited else item
                for item in self.data[key]
            ]
        return Procedure.model_validate(data)

    def edited(self, part: str, item: dict[str, Any]) -> None:
        """Say that an edit changed this step's or document's data: every edit of an existing one must."""
        self._edited.add((part, item["id"]))

    def record(self, finding: Finding, change: Change, detail: str, target: str | None = None) -> None:
        self.trace.append(
            TraceEntry(rule=finding.rule, target=target or finding.target.id, change=change, detail=detail)
        )

    def forward(self) -> tuple[nx.DiGraph, list[str]]:
        """The draft's forward flow (declared loops left out) and its topological order, built from its data.

        Kept until the flow changes (a step inserted or contracted): each lookup asks for it, and rebuilding it
        per question made the passes grow with the square of the procedure.
        """
        if self._forward is None:
            forward = nx.DiGraph()
            forward.add_nodes_from(s["id"] for s in self.steps())
            forward.add_edges_from(
                (step["id"], transition["to"])
                for step in self.steps()
                for transition in step.get("next", [])
                if not transition.get("loop")
            )
            self._forward = (forward, list(nx.topological_sort(forward)))
            self._starts = [n for n, degree in forward.in_degree() if degree == 0]
            self._dominators = None
        return self._forward

    def starts(self) -> list[str]:
        """The steps of the forward flow with no step before them."""
        self.forward()
        return self._starts

    def dominators(self) -> _DominatorTree:
        """The forward flow's dominator tree: a step dominates another when every path from a start to the
        other passes it. With several starts, their common root is ``""``."""
        forward, _ = self.forward()
        if self._dominators is None:
            starts = self._starts
            if len(starts) == 1:  # the usual case: no copy of the flow
                immediate = nx.immediate_dominators(forward, starts[0])
                immediate[starts[0]] = ""
            else:
                rooted = forward.copy()
                rooted.add_edges_from(("", n) for n in starts)
                immediate = nx.immediate_dominators(rooted, "")
            immediate[""] = ""  # networkx 3.6 leaves the start out of its answer; the tree needs its root
            self._dominators = _DominatorTree(immediate)
        return self._dominators

    def dominates(self, step_id: str, other: str) -> bool:
        """Whether every path from a start to ``other`` passes ``step_id`` (a step dominates itself)."""
        return step_id == other or self.dominators().dominates(step_id, other)

    # --- documents ------------------------------------------------------------------------

    def remove_document(self, document_id: str) -> None:
        self.data["documents"] = [d for d in self.data["documents"] if d["id"] != document_id]
        self._documents_by_id.pop(document_id, None)
        for step_id in self._consuming.pop(document_id, {}):
            step = self._steps_by_id.get(step_id)
            if step is not None and document_id in step.get("consumes", []):
                step["consumes"] = [d for d in step["consumes"] if d != document_id]
                self.edited("steps", step)

    def first_submission(self) -> dict[str, Any] | None:
        citizens = {a["id"] for a in self.data["actors"] if a["kind"] == ActorKind.CITIZEN.value}
        return next(
            (
                s
                for s in self.data["steps"]  # without compacting it: a contraction may have left steps in it
                if s["actor"] in citizens and s["kind"] == StepKind.SUBMIT.value and self._steps_by_id.get(s["id"]) is s
            ),
            None,
        )

    def suppliers(self, role: str, fact: str, *, without: Collection[str] = ()) -> set[str]:
        """Steps that provide the fact, or consume a document of the role that proves it whichever
        alternative the applicant brings; documents in ``without`` (about to go) do not count."""
        if self._proving is None:
            # Which documents prove what does not change: simplify removes documents but never edits their types.
            self._proving = {}
            for document in self.data["documents"]:
                alternatives = document.get("any_of") or [[document.get("document_type")]]
                for proved in self.catalogue.proved_whichever(alternatives):
                    self._proving.setdefault((document.get("about", "applicant"), proved), []).append(document["id"])
        found = {
            step_id
            for step_id in self._providing.get((role, fact), ())
            if fact in self._steps_by_id.get(step_id, {}).get("provides", {}).get(role, [])
        }
        for document_id in self._proving.get((role, fact), ()):
            if document_id in without or document_id not in self._documents_by_id:
                continue
            found.update(
                step_id
                for step_id in self._consuming.get(document_id, ())
                if document_id in self._steps_by_id.get(step_id, {}).get("consumes", [])
            )
        return found

    def add_provided(self, step: dict[str, Any], role: str, fact: str) -> bool:
        provides = step.setdefault("provides", {})
        facts = provides.setdefault(role, [])
        if fact in facts:
            return False
        facts.append(fact)
        self._providing.setdefault((role, fact), {})[step["id"]] = None
        self.edited("steps", step)
        return True

    def add_consumed(self, step: dict[str, Any], document_id: str) -> bool:
        consumes = step.setdefault("consumes", [])
        if document_id in consumes:
            return False
        consumes.append(document_id)
        self._consuming.setdefault(document_id, {})[step["id"]] = None
        self.edited("steps", step)
        return True

    # --- lookups --------------------------------------------------------------------------

    def lookups_for(self, finding: Finding) -> dict[str, dict[str, list[str]]]:
        """For each data source the finding relies on, the facts by role it must provide."""
        return _lookups_for(self.supply, finding)

    def ensure_lookup(self, finding: Finding, source_id: str, facts_by_role: dict[str, list[str]]) -> None:
        source = self.catalogue.data_source[source_id]
        lookup_id = f"lookup-{source_id}"
        existing = self.step(lookup_id)
        if existing is not None:
            added = [
                f"{role}:{fact}"
                for role, facts in facts_by_role.items()
                for fact in facts
                if self.add_provided(existing, role, fact)
            ]
            if added:
                self.record(
                    finding, Change.LOOKUP_ADDED, f"'{lookup_id}' now also provides {', '.join(added)}", lookup_id
                )
                self.move_to_its_place(existing)
            return
        actor_id = f"{source_id}-system"
        if not any(a["id"] == actor_id for a in self.data["actors"]):
            route = self.supply.reachable.get(source_id)
            actor: dict[str, Any] = {
                "id": actor_id,
                "name": source.name.model_dump(exclude_none=True),
                "kind": "system",
            }
            if route is not None and route.via in self.catalogue.agency:
                actor["agency"] = route.via
            self.data["actors"].append(actor)
        key = source.lookup_key or ""
        lookup = {
            "id": lookup_id,
            "name": {
                "vi": f"Khai thác dữ liệu từ {source.name.vi}",
                "en": f"Look up {source.name.en or source.name.vi}",
            },
            "actor": actor_id,
            "kind": StepKind.LOOKUP.value,
            "channels": ["system"],
            "data_source": source_id,
            "needs": {role: [key] for role in facts_by_role},
            "provides": {role: list(facts) for role, facts in facts_by_role.items()},
        }
        place = self.lookup_place(facts_by_role, lookup_id)
        if place is None:
            return  # refused up front by _keys_cannot_be_asked
        self.insert(lookup, place)
        where = f"{'after' if place.after else 'before'} '{place.step}'"
        self.record(finding, Change.LOOKUP_ADDED, f"'{lookup_id}' queries {source_id} {where}", lookup_id)

    def move_to_its_place(self, lookup: dict[str, Any]) -> None:
        """Move a lookup that gained facts so that it still comes before every step needing them."""
        place = self.lookup_place(lookup["provides"], lookup["id"])
        if place is None or self.covers(lookup["id"], place):
            return
        if self.contract(lookup["id"]):
            lookup.pop("next", None)
            self.insert(lookup, place)

    def lookup_place(self, facts_by_role: dict[str, list[str]], lookup_id: str) -> _Place | None:
        """Where the lookup ``lookup_id`` of these facts goes: at the last step that every path to every other
        step needing them passes (just before it when it needs them too, else just after it), so that no
        branch reaches a need around the lookup. ``None`` when only the starts are common to those paths."""
        _, order = self.forward()
        needing = list(
            dict.fromkeys(
                step_id
                for role, facts in facts_by_role.items()
                for fact in facts
                for step_id in self._needing.get((role, fact), ())
                if step_id != lookup_id  # by its key, which may be one of the facts it gives
            )
        )
        if not needing:
            submission = self.first_submission()
            successors = submission.get("next", []) if submission else []
            return _Place(successors[0]["to"] if successors else order[-1])
        common = self.dominators().nearest_common(needing)
        if common is None or common == "":
            return None
        return _Place(common, after=common not in needing, needing=tuple(needing))

    def covers(self, lookup_id: str, place: _Place) -> bool:
        """Whether the lookup already stands on every path to the steps that ``place`` serves."""
        return all(self.dominates(lookup_id, step_id) for step_id in place.needing or (place.step,))

    def insert(self, new_step: dict[str, Any], place: _Place) -> None:
        if place.after:
            self.insert_after(new_step, place.step)
        else:
            self.insert_before(new_step, place.step)

    def insert_after(self, new_step: dict[str, Any], source: str) -> None:
        """Put ``new_step`` between ``source`` and its forward successors; its declared loops stay on ``source``."""
        step = self.step(source)
        assert step is not None, "a place is a step of the draft"
        new_id = new_step["id"]
        transitions = step.get("next", [])
        onward = [t for t in transitions if not t.get("loop")]
        new_step["next"] = onward
        step["next"] = [{"to": new_id}, *(t for t in transitions if t.get("loop"))]
        self.edited("steps", step)
        self.edited("steps", new_step)  # a lookup moved to its place is an existing step
        self._add_step(new_step, self.steps().index(step) + 1)
        if self._incoming is not None:
            for transition in onward:
                if not any(t["to"] == transition["to"] for t in step["next"]):
                    self._incoming[transition["to"]].discard(source)
                self._incoming[transition["to"]].add(new_id)
            self._incoming[new_id] = {source}
        if self._forward is not None:
            # The flow, its order and its dominators change around the two steps only.
            forward, order = self._forward
            forward.remove_edges_from([(source, t["to"]) for t in onward])
            forward.add_edges_from([(source, new_id), *((new_id, t["to"]) for t in onward)])
            order.insert(order.index(source) + 1, new_id)
            if self._dominators is not None:
                self._dominators.insert_after(new_id, source)

    def insert_before(self, new_step: dict[str, Any], target: str) -> None:
        """Put ``new_step`` on every forward edge into ``target``; declared loops still return to ``target``."""
        new_id = new_step["id"]
        incoming = self.incoming()
        redirected: list[str] = []
        for predecessor in sorted(incoming[target]):
            transitions = self._steps_by_id[predecessor].get("next", [])
            for transition in transitions:
                if transition["to"] == target and not transition.get("loop"):
                    transition["to"] = new_id
            if any(t["to"] == new_id for t in transitions):
                redirected.append(predecessor)
                self.edited("steps", self._steps_by_id[predecessor])
            if not any(t["to"] == target for t in transitions):
                incoming[target].discard(predecessor)
        new_step["next"] = [{"to": target}]
        self.edited("steps", new_step)
        target_step = self._steps_by_id[target]
        self._add_step(new_step, self.steps().index(target_step))
        incoming[new_id] = set(redirected)
        incoming[target].add(new_id)
        if self._forward is not None:
            forward, order = self._forward
            forward.remove_edges_from([(p, target) for p in redirected])
            forward.add_edges_from([*((p, new_id) for p in redirected), (new_id, target)])
            order.insert(order.index(target), new_id)
            if target in self._starts:
                self._starts[self._starts.index(target)] = new_id
            if self._dominators is not None:
                self._dominators.insert_before(new_id, target)

    def _add_step(self, new_step: dict[str, Any], position: int) -> None:
        self.steps().insert(position, new_step)
        self._steps_by_id[new_step["id"]] = new_step
        self._index_step(new_step)

    # --- steps ----------------------------------------------------------------------------

    def contract(self, step_id: str) -> bool:
        """Remove a step, joining each predecessor to each successor; False if that breaks the flow."""
        removed = self.step(step_id)
        if removed is None:
            return False
        outgoing = removed.get("next", [])
        incoming = self.incoming()
        predecessors = [self._steps_by_id[p] for p in sorted(incoming.get(step_id, ())) if p != step_id]
        # Joining predecessors to successors keeps every path, so the flow stays sound, except when the
        # step is the start (its successors would become starts) or leads nowhere forward.
        has_forward_in = any(t["to"] == step_id and not t.get("loop") for s in predecessors for t in s.get("next", []))
        if not has_forward_in or not any(not t.get("loop") for t in outgoing):
            return False
        for step in predecessors:
            transitions = step.get("next", [])
            rebuilt: list[dict[str, Any]] = []
            for transition in transitions:
                if transition["to"] != step_id:
                    rebuilt.append(transition)
                    continue
                for onward in outgoing:
                    if onward["to"] == step["id"] or any(t["to"] == onward["to"] for t in rebuilt + transitions):
                        continue
                    joined: dict[str, Any] = {"to": onward["to"]}
                    conditions = [c for c in (transition.get("condition"), onward.get("condition")) if c]
                    if conditions:
                        joined["condition"] = "; ".join(conditions)
                    if transition.get("loop") or onward.get("loop"):
                        joined["loop"] = True
                    rebuilt.append(joined)
            step["next"] = rebuilt
            if not rebuilt:
                del step["next"]
            self.edited("steps", step)
            for transition in rebuilt:
                incoming.setdefault(transition["to"], set()).add(step["id"])
            if self._forward is not None:
                forward = self._forward[0]
                forward.remove_edges_from(list(forward.out_edges(step["id"])))
                forward.add_edges_from((step["id"], t["to"]) for t in rebuilt if not t.get("loop"))
        for transition in outgoing:
            incoming.get(transition["to"], set()).discard(step_id)
        del incoming[step_id]
        del self._steps_by_id[step_id]
        self._contracted = True
        for role, facts in removed.get("needs", {}).items():
            for fact in facts:
                self._needing.get((role, fact), {}).pop(step_id, None)
        if self._forward is not None:
            # Each joined edge runs from a step before the removed one to a step after it: the order holds.
            forward, order = self._forward
            forward.remove_node(step_id)
            order.remove(step_id)
        self._dominators = None
        return True


def _lookups_for(supply: FactSupply, finding: Finding) -> dict[str, dict[str, list[str]]]:
    """For each data source the finding relies on, the facts by role a lookup in it must provide."""
    by_source: dict[str, dict[str, list[str]]] = {}
    for pair in finding.justification.facts:
        role, _, fact = pair.partition(":")
        steps = supply.needed_by.get((role, fact)) or [supply.procedure.steps[0].id]
        # Every step needing the fact: one that an earlier step supplies may share it with one on a branch
        # around that step, which only a lookup can supply.
        holdings = (supply.supply(role, fact, step_id) for step_id in steps)
        supplied = next((s for s in holdings if s is not None and s.holding is not None), None)
        if supplied is None or supplied.holding is None:
            continue
        facts = by_source.setdefault(supplied.holding.source.id, {}).setdefault(role, [])
        if fact not in facts:
            facts.append(fact)
    return by_source


def _changes_nothing(supply: FactSupply, finding: Finding) -> bool:
    """Whether applying ``finding`` to the supply's procedure surely changes nothing. A document kept as the fallback
    of a lookup that may find nothing comes back on every pass, and making a draft to learn that it changes nothing
    cost as much as the rest of a pass. ``False`` when unsure."""
    if finding.rule == "once-only.conditional":
        document = supply.procedure.document.get(finding.target.id)
        return document is None or not finding.justification.data_sources or not _lookups_for(supply, finding)
    return False


def _apply(
    procedure: Procedure, catalogue: Catalogue, findings: Collection[Finding], options: AnalysisOptions
) -> Simplified:
    draft = _Draft(procedure, catalogue, options)
    for finding in findings:
        if finding.target.kind == "document":
            _apply_document(draft, finding)
        elif finding.rule == "once-only.declared-field":
            _apply_field(draft, finding)
    for finding in findings:
        if finding.target.kind == "step":
            _apply_step(draft, finding)
    draft.steps()
    return Simplified(draft.validated(), tuple(draft.trace))


def _keys_cannot_be_asked(draft: _Draft, finding: Finding) -> bool:
    """Whether a lookup the finding needs would stand where some path has not yet given its key.

    A key the finding asks the applicant for is given at their first submission. A lookup goes where every
    path to the steps needing its facts passes (an existing one moves there when it must), so every path to
    that place must pass a supplier of the key, or the simplified procedure would look up with nothing to
    look up by.
    """
    submission = draft.first_submission()
    asked = {tuple(pair.split(":", 1)) for pair in finding.adds_fields}
    if asked and submission is None:
        draft.record(finding, Change.NOT_APPLIED, "no submission step of the applicant can ask for the lookup key")
        return True
    for source_id, facts_by_role in draft.lookups_for(finding).items():
        key = draft.catalogue.data_source[source_id].lookup_key or ""
        existing = draft.step(f"lookup-{source_id}")
        wanted = {role: list(facts) for role, facts in (existing or {}).get("provides", {}).items()}
        for role, facts in facts_by_role.items():
            wanted.setdefault(role, []).extend(facts)
        place = draft.lookup_place(wanted, f"lookup-{source_id}")
        if place is None:
            draft.record(
                finding,
                Change.NOT_APPLIED,
                f"no one step stands on every path to the steps needing what {source_id} gives (the flow has several "
                "starts, or no path reaches one of them)",
            )
            return True
        if existing is not None and draft.covers(existing["id"], place):
            # The lookup stays where it is; what gave its key there may be the document now going.
            place = _Place(existing["id"])
        for role in wanted:
            # The document the finding removes, or makes a fallback, no longer gives the key.
            going = [finding.target.id] if finding.target.kind == "document" else []
            suppliers = draft.suppliers(role, key, without=going) - {f"lookup-{source_id}"}
            if (role, key) in asked and submission is not None:
                suppliers.add(submission["id"])
            # Just after a step, that step giving the key is enough; just before it, it is too late.
            if place.after and place.step in suppliers:
                continue
            if _reached_around(draft, suppliers, place.step):
                where = "just after" if place.after else "before"
                draft.record(
                    finding,
                    Change.NOT_APPLIED,
                    f"its lookup in {source_id} would come {where} '{place.step}', which a path reaches with no step "
                    f"giving {role}:{key}",
                )
                return True
    return False


def _reached_around(draft: _Draft, suppliers: set[str], target: str) -> bool:
    """Whether a path from a start reaches ``target`` passing no supplier before it.

    A lookup goes just before ``target``, so ``target`` itself supplying the key does not help. When one
    supplier stands on every path to ``target`` (usually the applicant's submission), the dominator tree
    answers at once; otherwise one walk of the flow from its starts.
    """
    if any(s != target and draft.dominates(s, target) for s in suppliers):
        return False
    forward, _ = draft.forward()
    frontier = [n for n in draft.starts() if n == target or n not in suppliers]
    seen = set(frontier)
    while frontier:
        node = frontier.pop()
        if node == target:
            return True
        for successor in forward.successors(node):
            if successor not in seen and (successor == target or successor not in suppliers):
                seen.add(successor)
                frontier.append(successor)
    return False


# The condition a document kept as a fallback of lookups gets; simplify adds it once.
_FALLBACK = "Only when the lookup finds nothing"


def _apply_document(draft: _Draft, finding: Finding) -> None:
    document = draft.document(finding.target.id)
    if document is None or _keys_cannot_be_asked(draft, finding):
        return
    if finding.rule == "once-only.conditional":
        sources = draft.lookups_for(finding)
        if not finding.justification.data_sources or not sources:
            return  # already the fallback of a lookup the procedure makes
        for source_id, facts_by_role in sources.items():
            draft.ensure_lookup(finding, source_id, facts_by_role)
        if _FALLBACK in (document.get("condition") or ""):
            # Already a fallback: a lookup it relies on stands on some paths only, and the analysis says so
            # again on every pass; only the lookups above may still change.
            return
        coverage = finding.justification.condition or "the data source does not hold the data"
        fallback = f"{_FALLBACK} ({coverage})"
        document["condition"] = f"{document['condition']}; {fallback}" if document.get("condition") else fallback
        draft.edited("documents", document)
        draft.record(finding, Change.DOCUMENT_MADE_FALLBACK, f"kept as a fallback: {coverage}")
        _ask_for_keys(draft, finding)
        return
    if finding.rule == "once-only.replaceable":
        for source_id, facts_by_role in draft.lookups_for(finding).items():
            draft.ensure_lookup(finding, source_id, facts_by_role)
    draft.remove_document(finding.target.id)
    reason = (
        "proves nothing any step needs" if finding.rule == "once-only.unnecessary" else "the state supplies its facts"
    )
    draft.record(finding, Change.DOCUMENT_REMOVED, reason)
    _ask_for_keys(draft, finding)


def _ask_for_keys(draft: _Draft, finding: Finding) -> None:
    submission = draft.first_submission()
    for pair in finding.adds_fields:
        role, _, key = pair.partition(":")
        if submission is not None and draft.add_provided(submission, role, key):
            draft.record(finding, Change.FIELD_ADDED, f"'{submission['id']}' asks for {pair}", submission["id"])


def _apply_field(draft: _Draft, finding: Finding) -> None:
    role, _, fact = finding.target.id.partition(":")
    # Simplify removes documents but never changes what they are: the original says which are forms.
    originals = draft.original.documents
    declaring = (d.id for d in originals if d.about == role and fact in declared_facts(d, draft.catalogue))
    forms = [form for form in map(draft.document, declaring) if form is not None]
    if not forms or _keys_cannot_be_asked(draft, finding):
        return
    for source_id, facts_by_role in draft.lookups_for(finding).items():
        draft.ensure_lookup(finding, source_id, facts_by_role)
    for form in forms:
        prefilled = form.setdefault("prefilled", [])
        if fact not in prefilled:
            prefilled.append(fact)
            draft.edited("documents", form)
            draft.record(finding, Change.FIELDS_PREFILLED, f"'{form['id']}' is prefilled with {fact}", form["id"])
    _ask_for_keys(draft, finding)


def _apply_step(draft: _Draft, finding: Finding) -> None:
    step = draft.step(finding.target.id)
    if step is None:
        return
    if not draft.contract(step["id"]):
        draft.record(finding, Change.NOT_APPLIED, "removing it would break the flow (a second start or a dead end)")
        return
    bypass = ", ".join(f"{p} → {s}" for p, s in finding.bypass) or "an end"
    draft.record(finding, Change.STEP_REMOVED, f"contracted: {bypass}")
    first = draft.first_submission() if finding.rule == "handoff.resubmission" else None
    if first is None or first["id"] == step["id"]:
        return
    moved = []
    for document_id in step.get("consumes", []):
        if draft.document(document_id) is not None and draft.add_consumed(first, document_id):
            moved.append(document_id)
    for role, facts in step.get("provides", {}).items():
        for fact in facts:
            draft.add_provided(first, role, fact)
    if moved:
        draft.record(finding, Change.DOCUMENTS_MOVED, f"{', '.join(moved)} now given at '{first['id']}'", first["id"])
