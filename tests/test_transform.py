"""simplify, the soundness check and diff on small hand-built procedures."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest

from thutuc.analysis import AnalysisOptions, analyze, burden
from thutuc.diff import diff, diff_markdown, gate
from thutuc.graph import forward_graph, to_graph
from thutuc.model import Catalogue, Procedure
from thutuc.soundness import ViolationKind, check, unsupplied_needs
from thutuc.transform import Change, simplify

from .test_analysis import build, procedure_data, step

AS_OF = dt.date(2025, 1, 1)


def simplified(procedure: dict | None = None, **options):
    built, catalogue = build(procedure)
    return built, catalogue, simplify(built, catalogue=catalogue, as_of=AS_OF, **options)


class TestSimplify:
    def test_a_removed_document_becomes_a_lookup_before_the_first_step_that_needs_it(self):
        before, catalogue, result = simplified()
        after = result.procedure
        assert [d.id for d in after.documents] == []
        lookup = after.step["lookup-population-db"]
        assert lookup.kind.value == "lookup"
        assert lookup.data_source == "population-db"
        assert lookup.provides == {"applicant": ["person.identity", "person.residence"]}
        assert [t.to for t in lookup.next] == ["examine"]
        assert after.step["receive"].next[0].to == "lookup-population-db"  # the transfer is contracted
        assert check(before, after, catalogue) == []

    def test_every_change_is_traced_to_its_finding(self):
        _, _, result = simplified()
        changes = {(e.rule, e.change, e.target) for e in result.trace}
        assert ("once-only.replaceable", Change.DOCUMENT_REMOVED, "household-book") in changes
        assert ("once-only.replaceable", Change.LOOKUP_ADDED, "lookup-population-db") in changes
        assert ("handoff.transfer", Change.STEP_REMOVED, "transfer") in changes

    def test_the_input_is_not_changed_and_twice_is_once(self):
        before, catalogue, result = simplified()
        assert before == Procedure.model_validate(procedure_data())
        again = simplify(result.procedure, catalogue=catalogue, as_of=AS_OF)
        assert again.procedure == result.procedure
        assert not again.changed

    def test_conditions_are_kept_on_bypass_edges(self):
        procedure = procedure_data()
        procedure["steps"][1]["next"] = [{"to": "transfer", "condition": "dossier complete"}]
        procedure["steps"][2]["next"] = [{"to": "examine", "condition": "in office hours"}]
        _, _, result = simplified(procedure, rules=["handoff.transfer"])
        [edge] = result.procedure.step["receive"].next
        assert (edge.to, edge.condition) == ("examine", "dossier complete; in office hours")

    def test_rules_select_what_is_applied(self):
        _, _, result = simplified(rules=["handoffs"])
        assert {e.rule for e in result.trace} == {"handoff.transfer"}
        assert len(result.procedure.documents) == 2

    def test_given_findings_are_applied_once(self):
        from thutuc.analysis import once_only

        before, catalogue = build()
        findings = [f for f in once_only(before, catalogue) if f.target.id == "id-card"]
        result = simplify(before, findings, catalogue=catalogue, as_of=AS_OF)
        assert [d.id for d in result.procedure.documents] == ["household-book"]

    def test_a_partly_held_document_becomes_a_fallback(self):
        procedure = procedure_data()
        procedure["documents"].append({"id": "marriage", "document_type": "marriage-paper"})
        procedure["steps"][4]["needs"]["applicant"].append("person.marital_status")
        procedure["steps"][0]["consumes"].append("marriage")
        before, catalogue, result = simplified(procedure)
        kept = result.procedure.document["marriage"]
        assert "Only when the lookup finds nothing" in (kept.condition or "")
        assert burden(result.procedure, catalogue).unconditional_documents == 0
        assert check(before, result.procedure, catalogue) == []

    def test_a_separate_submission_moves_its_documents_to_the_first(self):
        procedure = procedure_data()
        procedure["actors"].append({"id": "second", "name": {"vi": "Nơi 2"}, "kind": "agency", "agency": "police"})
        procedure["documents"].append({"id": "photo", "document_type": "photo"})
        procedure["steps"][5]["next"] = ["submit-again"]
        procedure["steps"] += [
            step(
                "submit-again", "citizen", "submit", channels=["in_person"], consumes=["photo"], next=["receive-again"]
            ),
            step("receive-again", "second", "receive", needs={"applicant": ["person.photo"]}),
        ]
        before, catalogue, result = simplified(procedure)
        assert "submit-again" not in result.procedure.step
        assert "photo" in result.procedure.step["submit"].consumes
        assert check(before, result.procedure, catalogue) == []

    def test_decisions_signatures_and_mandated_steps_stay(self):
        _, _, result = simplified()
        assert {"decide", "issue"} <= set(result.procedure.step)


class TestSoundness:
    def test_removing_a_document_without_a_lookup_is_caught(self):
        before, catalogue = build()
        data = before.model_dump(mode="json", exclude_defaults=True)
        data["documents"] = [d for d in data["documents"] if d["id"] != "household-book"]
        data["steps"][0]["consumes"] = ["id-card"]
        after = Procedure.model_validate(data)
        lost = {v.target for v in check(before, after, catalogue) if v.kind is ViolationKind.FACT_NOT_SUPPLIED}
        assert lost == {"examine", "decide"}

    def test_a_lookup_after_the_step_that_needs_it_does_not_count(self):
        procedure = procedure_data()
        procedure["documents"] = []
        procedure["steps"][0]["consumes"] = []
        procedure["steps"][4]["next"] = ["late-lookup"]
        procedure["steps"].insert(
            5,
            step(
                "late-lookup",
                "office-lane",
                "lookup",
                data_source="population-db",
                provides={"applicant": ["person.identity", "person.residence"]},
                next=["issue"],
            ),
        )
        built, catalogue = build(procedure)
        assert ("examine", "applicant", "person.identity") in unsupplied_needs(built, catalogue)

    def test_removing_a_decision_is_caught(self):
        before, catalogue = build()
        data = before.model_dump(mode="json", exclude_defaults=True)
        data["steps"][3]["next"] = [{"to": "issue"}]
        data["steps"] = [s for s in data["steps"] if s["id"] != "decide"]
        kinds = {v.kind for v in check(before, Procedure.model_validate(data), catalogue)}
        assert ViolationKind.PROTECTED_STEP_REMOVED in kinds

    def test_a_dead_end_is_caught(self):
        before, catalogue = build()
        data = before.model_dump(mode="json", exclude_defaults=True)
        data["steps"][5]["next"] = [{"to": "decide", "loop": True}]
        kinds = {v.kind for v in check(before, Procedure.model_validate(data), catalogue)}
        assert ViolationKind.END_UNREACHABLE in kinds

    def test_an_added_visit_is_caught(self):
        before, catalogue = build()
        data = before.model_dump(mode="json", exclude_defaults=True)
        data["steps"][3]["requires"] = ["presence"]
        violations = check(before, Procedure.model_validate(data), catalogue)
        assert {v.kind for v in violations} == {ViolationKind.BURDEN_INCREASED}
        assert {v.target for v in violations} == {"visits", "cost_per_application_vnd"}


class TestDiff:
    def test_the_same_procedure_has_an_empty_diff(self):
        before, catalogue = build()
        result = diff(before, before, catalogue=catalogue)
        assert result.empty
        assert all(delta == 0 for delta in result.deltas.values() if delta is not None)

    def test_a_simplification_reads_as_a_reform(self):
        before, catalogue, result = simplified()
        changes = diff(before, result.procedure, catalogue=catalogue)
        reforms = changes.reforms()
        assert "document dropped, now retrieved from population-db" in reforms
        assert "hand-off contracted" in reforms
        assert changes.deltas["documents"] == -2

    def test_a_rename_is_reported_as_a_rename(self):
        before, catalogue = build()
        data = procedure_data()
        data["steps"][3]["id"] = "examine-dossier"
        data["steps"][2]["next"] = ["examine-dossier"]
        after = Procedure.model_validate(data)
        [renamed] = [c for c in diff(before, after, catalogue=catalogue).changes if c.kind == "renamed"]
        assert (renamed.aspect.value, renamed.old_id, renamed.id) == ("step", "examine", "examine-dossier")

    def test_changed_fields_carry_old_and_new_values(self):
        before, catalogue = build()
        data = procedure_data()
        data["steps"][0]["channels"] = ["in_person", "online"]
        data["fees"] = [{"name": {"vi": "Lệ phí"}, "amount_vnd": 10000}]
        result = diff(before, Procedure.model_validate(data), catalogue=catalogue)
        [submit] = [c for c in result.changes if c.id == "submit"]
        assert submit.fields[0].model_dump() == {
            "field": "channels",
            "old": ["in_person"],
            "new": ["in_person", "online"],
        }
        assert submit.reform == "channel moved online"
        assert "fee added" in result.reforms()

    @pytest.mark.parametrize(
        ("change", "condition"),
        [
            ("document", "document-added"),
            ("presence", "visit-added"),
            ("presence", "presence-added"),
            ("fee", "fee-increase"),
        ],
    )
    def test_the_gate_fails_a_change_that_adds_burden(self, change: str, condition: str):
        before, catalogue = build()
        data = procedure_data()
        if change == "document":
            data["documents"].append({"id": "photo", "document_type": "photo"})
            data["steps"][0]["consumes"].append("photo")
        elif change == "presence":
            data["steps"][3]["requires"] = ["presence"]
        else:
            data["fees"] = [{"name": {"vi": "Lệ phí"}, "amount_vnd": 10000}]
        reasons = gate(diff(before, Procedure.model_validate(data), catalogue=catalogue), [condition])
        assert reasons
        assert all(reason.startswith(condition) for reason in reasons)

    def test_the_gate_passes_a_simplification(self):
        before, catalogue, result = simplified()
        changes = diff(before, result.procedure, catalogue=catalogue)
        assert gate(changes, ["burden-increase", "readiness-decrease", "document-added", "visit-added"]) == []

    def test_an_unknown_gate_suggests_the_closest(self):
        before, catalogue = build()
        with pytest.raises(ValueError, match="did you mean 'document-added'"):
            gate(diff(before, before, catalogue=catalogue), ["document-add"])

    def test_markdown_has_a_summary_a_table_and_the_burden(self):
        before, catalogue, result = simplified()
        text = diff_markdown(diff(before, result.procedure, catalogue=catalogue))
        assert "| Aspect | Change | Element | Reform | Details |" in text
        assert "| Burden | Before | After | Change |" in text
        assert "| documents | 2 | 0 | -2 |" in text


KEY_SOURCES = [{"url": "https://example.org/thutuc/test", "confidence": "inferred"}]


def small_catalogue(facts: int, document_types: list[dict], data_sources: list[dict]) -> Catalogue:
    """One agency, ``facts`` person facts, and the given document types and data sources."""
    return Catalogue.model_validate(
        {
            "agencies": [{"id": "agency-0", "name": {"vi": "Cơ quan"}, "kind": "agency"}],
            "facts": [{"id": f"person.attribute_{i}", "name": {"vi": f"Dữ kiện {i}"}} for i in range(facts)],
            "document_types": document_types,
            "data_sources": data_sources,
        }
    )


def document_type(type_id: str, proves: list[int], *, declaration: bool = False) -> dict:
    return {
        "id": type_id,
        "name": {"vi": "Giấy tờ"},
        "proves": [f"person.attribute_{i}" for i in proves],
        "declaration": declaration,
        "sources": KEY_SOURCES,
    }


def connected_source(source_id: str, holds: list[dict], key: int) -> dict:
    """A data source connected to agency-0, looked up by fact ``key``."""
    return {
        "id": source_id,
        "name": {"vi": "Nguồn"},
        "kind": "database",
        "holds": holds,
        "lookup_key": f"person.attribute_{key}",
        "connections": [{"to": "agency-0", "since": "2015-01-01"}],
        "legal_basis": [{"document": "test"}],
        "sources": KEY_SOURCES,
    }


class TestLookupKeys:
    """Cases the property tests found: a lookup key the applicant gives must be asked before its lookup."""

    def pair(
        self, steps: list[dict], *, key_source_holds_key: bool = False, form_proves_more: bool = False
    ) -> tuple[Catalogue, Procedure]:
        # document-0 declares fact 0; source-0 is looked up by fact 0 itself, source-1 by fact 1 and is connected.
        held = ["person.attribute_0", "person.attribute_1"] if key_source_holds_key else ["person.attribute_0"]
        catalogue = Catalogue.model_validate(
            {
                "agencies": [{"id": "agency-0", "name": {"vi": "Cơ quan"}, "kind": "agency"}],
                "facts": [{"id": f"person.attribute_{i}", "name": {"vi": f"Dữ kiện {i}"}} for i in range(3)],
                "document_types": [
                    {
                        "id": "form",
                        "name": {"vi": "Tờ khai"},
                        "proves": ["person.attribute_0", *(["person.attribute_2"] if form_proves_more else [])],
                        "declaration": True,
                        "sources": KEY_SOURCES,
                    }
                ],
                "data_sources": [
                    {
                        "id": "source-0",
                        "name": {"vi": "Nguồn 0"},
                        "kind": "database",
                        "holds": [{"fact": f, "coverage": "full"} for f in held],
                        "lookup_key": "person.attribute_0",
                        "legal_basis": [{"document": "test"}],
                        "sources": KEY_SOURCES,
                    },
                    {
                        "id": "source-1",
                        "name": {"vi": "Nguồn 1"},
                        "kind": "database",
                        "holds": [{"fact": f"person.attribute_{i}", "coverage": "full"} for i in (1, 0, 2)],
                        "lookup_key": "person.attribute_1",
                        "connections": [{"to": "agency-0", "since": "2015-01-01"}],
                        "legal_basis": [{"document": "test"}],
                        "sources": KEY_SOURCES,
                    },
                ],
            }
        )
        procedure = Procedure.model_validate(
            {
                "kind": "procedure",
                "id": "keys",
                "name": {"vi": "Thủ tục"},
                "level": "central",
                "agency": "office",
                "legal_basis": [{"document": "test"}],
                "roles": [{"id": "applicant", "subject": "person"}],
                "actors": [
                    {"id": "citizen", "name": {"vi": "Công dân"}, "kind": "citizen"},
                    {"id": "office", "name": {"vi": "Cán bộ"}, "kind": "officer", "agency": "agency-0"},
                ],
                "documents": [{"id": "document-0", "document_type": "form", "about": "applicant"}],
                "steps": steps,
                "results": [{"id": "result-0", "name": {"vi": "Kết quả"}}],
                "sources": KEY_SOURCES,
            }
        )
        return catalogue, procedure

    @staticmethod
    def step(step_id: str, kind: str, *, to: str | None = None, **fields) -> dict:
        return {"id": step_id, "name": {"vi": step_id}, "actor": "citizen", "kind": kind, **fields} | (
            {"next": [{"to": to}]} if to else {}
        )

    def applicants_lookup(self, provides: list[str]) -> dict:
        return self.step(
            "look", "lookup", provides={"applicant": provides}, data_source="source-0", produces=["result-0"]
        )

    def test_a_lookup_in_the_applicants_lane_declares_nothing(self):
        catalogue, procedure = self.pair(
            [self.step("submit", "submit", to="look"), self.applicants_lookup(["person.attribute_0"])]
        )
        result = simplify(procedure, catalogue=catalogue, as_of=AS_OF)
        assert check(procedure, result.procedure, catalogue) == []
        assert burden(result.procedure, catalogue).declared_fields <= burden(procedure, catalogue).declared_fields

    def test_a_key_a_later_lookup_provides_is_not_declared(self):
        catalogue, procedure = self.pair(
            [
                self.step("submit", "submit", to="look"),
                self.applicants_lookup(["person.attribute_0", "person.attribute_1"]),
            ],
            key_source_holds_key=True,
        )
        assert check(procedure, simplify(procedure, catalogue=catalogue, as_of=AS_OF).procedure, catalogue) == []

    def test_a_lookup_does_not_move_before_the_step_that_gives_its_key(self):
        # The submission needs fact 0 and is where the applicant gives source-1's key: a lookup of fact 0 in
        # source-1 would have to come before the submission, so that finding is not applied.
        submit = self.step("submit", "submit", to="look", needs={"applicant": ["person.attribute_0"]})
        look = self.applicants_lookup(["person.attribute_0"])
        catalogue, procedure = self.pair([submit, look], form_proves_more=True)
        result = simplify(procedure, catalogue=catalogue, as_of=AS_OF)
        assert check(procedure, result.procedure, catalogue) == []
        order = [s.id for s in result.procedure.steps]
        assert "lookup-source-1" not in order or order.index("lookup-source-1") > order.index("submit")

    @staticmethod
    def key_catalogue() -> Catalogue:
        # An ID paper proving fact 0 and fact 1; a connected source holding fact 0, looked up by fact 1.
        return Catalogue.model_validate(
            {
                "agencies": [{"id": "agency-0", "name": {"vi": "Cơ quan"}, "kind": "agency"}],
                "facts": [{"id": f"person.attribute_{i}", "name": {"vi": f"Dữ kiện {i}"}} for i in range(2)],
                "document_types": [
                    {"id": t, "name": {"vi": "Giấy tờ"}, "proves": proves, "sources": KEY_SOURCES}
                    for t, proves in (
                        ("id-paper", ["person.attribute_0", "person.attribute_1"]),
                        ("plain-paper", ["person.attribute_0"]),
                    )
                ],
                "data_sources": [
                    {
                        "id": "source-1",
                        "name": {"vi": "Nguồn 1"},
                        "kind": "database",
                        "holds": [{"fact": "person.attribute_0", "coverage": "full"}],
                        "lookup_key": "person.attribute_1",
                        "connections": [{"to": "agency-0", "since": "2015-01-01"}],
                        "legal_basis": [{"document": "test"}],
                        "sources": KEY_SOURCES,
                    }
                ],
            }
        )

    def with_paper(self, steps: list[dict], *, proves_key: bool) -> Procedure:
        _, procedure = self.pair(steps)
        data = procedure.model_dump(mode="json", exclude_defaults=True)
        paper_type = "id-paper" if proves_key else "plain-paper"
        data["documents"] = [{"id": "paper", "document_type": paper_type, "about": "applicant"}]
        return Procedure.model_validate(data)

    def test_the_document_a_finding_removes_does_not_give_the_key_of_its_lookup(self):
        # The ID paper proves fact 0 and the key (fact 1) and goes at the office's first step; the
        # applicant's submission, where the key would be asked, comes after the step needing fact 0.
        catalogue = self.key_catalogue()
        office = {"actor": "office"}
        steps = [
            self.step("check", "check", to="decide", consumes=["paper"]) | office,
            self.step("decide", "decide", to="submit", needs={"applicant": ["person.attribute_0"]}) | office,
            self.step("submit", "submit", produces=["result-0"]),
        ]
        procedure = self.with_paper(steps, proves_key=True)
        result = simplify(procedure, catalogue=catalogue, as_of=AS_OF)
        assert check(procedure, result.procedure, catalogue) == []
        assert "paper" in result.procedure.document

    def test_an_office_lookup_on_one_branch_does_not_supply_the_other_branch(self):
        # The office looks the fact up on one branch only; the other branch reaches the decision with the
        # paper alone, so the paper is not replaceable by that lookup.
        catalogue = self.key_catalogue()
        office = {"actor": "office"}
        steps = [
            self.step("receive", "receive", consumes=["paper"]) | office | {"next": [{"to": "look"}, {"to": "decide"}]},
            self.step(
                "look", "lookup", to="decide", data_source="source-1", provides={"applicant": ["person.attribute_0"]}
            )
            | office,
            self.step("decide", "decide", needs={"applicant": ["person.attribute_0"]}, produces=["result-0"]) | office,
        ]
        procedure = self.with_paper(steps, proves_key=False)
        result = simplify(procedure, catalogue=catalogue, as_of=AS_OF)
        assert check(procedure, result.procedure, catalogue) == []
        assert "paper" in result.procedure.document

    def test_a_key_given_on_one_path_only_does_not_feed_a_lookup_every_path_reaches(self):
        # The office may decide straight after receiving the paper, or after the applicant's submission,
        # where the key would be asked: a lookup before the decision would lack it on the first path.
        catalogue = self.key_catalogue()
        office = {"actor": "office"}
        steps = [
            self.step("receive", "receive", consumes=["paper"])
            | office
            | {"next": [{"to": "submit"}, {"to": "decide"}]},
            self.step("submit", "submit", to="decide"),
            self.step("decide", "decide", needs={"applicant": ["person.attribute_0"]}, produces=["result-0"]) | office,
        ]
        procedure = self.with_paper(steps, proves_key=False)
        result = simplify(procedure, catalogue=catalogue, as_of=AS_OF)
        assert check(procedure, result.procedure, catalogue) == []
        assert "paper" in result.procedure.document

    @pytest.mark.parametrize(
        "steps",
        [
            pytest.param(["receive"], id="no-submission"),
            pytest.param(["receive", "submit"], id="submission-last"),
        ],
    )
    def test_a_key_no_step_before_the_lookup_can_ask_is_not_applied(self, steps: list[str]):
        flow = [self.step(kind, kind, to=steps[i + 1] if i + 1 < len(steps) else None) for i, kind in enumerate(steps)]
        flow[-1]["produces"] = ["result-0"]
        catalogue, procedure = self.pair(flow)
        findings = analyze(procedure, catalogue, options=AnalysisOptions(as_of=AS_OF)).findings
        asking = [f for f in findings if f.adds_fields]
        assert asking, "the case needs a finding that asks the applicant for a lookup key"
        result = simplify(procedure, asking, catalogue=catalogue, as_of=AS_OF)
        assert {(e.target, e.change) for e in result.trace} == {(f.target.id, Change.NOT_APPLIED) for f in asking}
        assert check(procedure, simplify(procedure, catalogue=catalogue, as_of=AS_OF).procedure, catalogue) == []


class TestFallbacks:
    """A document kept as the fallback of lookups stays one: simplifying again changes nothing."""

    @staticmethod
    def catalogue() -> Catalogue:
        # The paper proves facts 0 and 1; source-0 holds fact 0 for everyone, source-1 fact 1 for some; both
        # are looked up by fact 2.
        some = {"coverage": "partial", "condition": "registered holders only"}
        return small_catalogue(
            3,
            [document_type("paper", [0, 1])],
            [
                connected_source("source-0", [{"fact": "person.attribute_0", "coverage": "full"}], key=2),
                connected_source("source-1", [{"fact": "person.attribute_1"} | some], key=2),
            ],
        )

    def test_a_fallback_whose_lookup_stands_on_one_branch_is_made_once(self):
        # The office looks fact 0 up on one branch only, so the paper is still asked on the other, and it is
        # kept as the fallback of source-1's lookup: once, not again on every pass.
        step, office = TestLookupKeys.step, {"actor": "office"}
        steps = [
            step("submit", "submit", to="receive", provides={"applicant": ["person.attribute_2"]}),
            step("receive", "receive", consumes=["paper"])
            | office
            | {"next": [{"to": "lookup-source-0"}, {"to": "decide"}]},
            step(
                "lookup-source-0",
                "lookup",
                to="decide",
                data_source="source-0",
                needs={"applicant": ["person.attribute_2"]},
                provides={"applicant": ["person.attribute_0"]},
            )
            | office,
            step(
                "decide",
                "decide",
                needs={"applicant": ["person.attribute_0", "person.attribute_1"]},
                produces=["result-0"],
            )
            | office,
        ]
        catalogue = self.catalogue()
        procedure = TestLookupKeys().with_paper(steps, proves_key=False)
        data = procedure.model_dump(mode="json", exclude_defaults=True)
        data["documents"][0]["document_type"] = "paper"
        procedure = Procedure.model_validate(data)
        result = simplify(procedure, catalogue=catalogue, as_of=AS_OF)
        assert check(procedure, result.procedure, catalogue) == []
        made_fallback = [e for e in result.trace if e.change is Change.DOCUMENT_MADE_FALLBACK]
        assert [e.target for e in made_fallback] == ["paper"]
        condition = result.procedure.document["paper"].condition or ""
        assert condition.count("Only when the lookup finds nothing") == 1
        assert simplify(result.procedure, catalogue=catalogue, as_of=AS_OF).procedure == result.procedure


class TestBranches:
    """Cases the synthetic catalogue found: a fact needed on two branches, supplied on one of them only."""

    def procedure(self, steps: list[dict]) -> tuple[Catalogue, Procedure]:
        # The plain paper proves fact 0, which source-1 holds and looks up by fact 1, given at the submission.
        procedure = TestLookupKeys().with_paper(steps, proves_key=False)
        return TestLookupKeys.key_catalogue(), procedure

    def test_a_lookup_goes_where_every_path_to_every_need_passes(self):
        step, office = TestLookupKeys.step, {"actor": "office"}
        fact = {"applicant": ["person.attribute_0"]}
        steps = [
            step("submit", "submit", to="receive", consumes=["paper"], provides={"applicant": ["person.attribute_1"]}),
            step("receive", "receive") | office | {"next": [{"to": "sign"}, {"to": "join"}]},
            step("sign", "sign", to="decide") | office,
            step("decide", "decide", to="join", needs=fact) | office,
            step("join", "notify", to="check") | office,
            step("check", "check", needs=fact, produces=["result-0"]) | office,
        ]
        catalogue, procedure = self.procedure(steps)
        result = simplify(procedure, catalogue=catalogue, as_of=AS_OF)
        assert check(procedure, result.procedure, catalogue) == []
        assert "paper" not in result.procedure.document
        flow = forward_graph(to_graph(result.procedure))
        flow.remove_node("lookup-source-1")
        reached = nx.descendants(flow, "submit")
        assert not {"decide", "check"} & reached, "every path to either need passes the lookup"

    def test_a_fact_an_office_looks_up_on_one_branch_is_looked_up_for_the_other(self):
        step, office = TestLookupKeys.step, {"actor": "office"}
        fact = {"applicant": ["person.attribute_0"]}
        steps = [
            step("submit", "submit", consumes=["paper"], provides={"applicant": ["person.attribute_1"]})
            | {"next": [{"to": "look"}, {"to": "join"}]},
            step("look", "lookup", to="check", data_source="source-1", provides=fact) | office,
            step("check", "check", to="join", needs=fact) | office,
            step("join", "notify", to="decide") | office,
            step("decide", "decide", needs=fact, produces=["result-0"]) | office,
        ]
        catalogue, procedure = self.procedure(steps)
        result = simplify(procedure, catalogue=catalogue, as_of=AS_OF)
        assert check(procedure, result.procedure, catalogue) == []
        assert simplify(result.procedure, catalogue=catalogue, as_of=AS_OF).procedure == result.procedure

    def test_removing_the_only_timed_step_is_not_compared_with_the_time_limit(self):
        step, office = TestLookupKeys.step, {"actor": "office"}
        steps = [
            step("submit", "submit", to="transfer"),
            step("transfer", "transfer", to="decide", duration={"working_days": 1}) | office,
            step("decide", "decide", produces=["result-0"]) | office,
        ]
        catalogue, procedure = self.procedure(steps)
        data = procedure.model_dump(mode="json", exclude_defaults=True)
        data["time_limit"] = {"working_days": 4}
        procedure = Procedure.model_validate(data)
        result = simplify(procedure, catalogue=catalogue, as_of=AS_OF)
        assert "transfer" not in result.procedure.step, "the case needs the timed step to go"
        assert burden(procedure, catalogue, removed_steps=["transfer"]).critical_path_days == 0
        assert check(procedure, result.procedure, catalogue) == []
        assert diff(procedure, result.procedure, catalogue=catalogue).deltas["critical_path_days"] is None

    def test_branches_leaving_the_submission_get_one_lookup_right_after_it(self):
        # Both branches need fact 0 straight after the submission, which gives the key: the only step every
        # path to them passes is the submission, so the lookup goes just after it.
        step, office = TestLookupKeys.step, {"actor": "office"}
        fact = {"applicant": ["person.attribute_0"]}
        steps = [
            step("submit", "submit", consumes=["paper"], provides={"applicant": ["person.attribute_1"]})
            | {"next": [{"to": "check", "condition": "online"}, {"to": "decide"}]},
            step("check", "check", to="decide", needs=fact) | office,
            step("decide", "decide", needs=fact, produces=["result-0"]) | office,
        ]
        catalogue, procedure = self.procedure(steps)
        result = simplify(procedure, catalogue=catalogue, as_of=AS_OF)
        assert check(procedure, result.procedure, catalogue) == []
        assert "paper" not in result.procedure.document
        assert [t.to for t in result.procedure.step["submit"].next] == ["lookup-source-1"]
        onward = result.procedure.step["lookup-source-1"].next
        assert [(t.to, t.condition) for t in onward] == [("check", "online"), ("decide", None)]


def test_a_key_asked_for_a_lookup_whose_paper_stays_as_a_fallback_is_an_exchange():
    # The property tests found it: the paper becomes the fallback of a lookup by a key the applicant is now
    # asked for; that field is given instead of the paper in most cases, not on top of it.
    step, office = TestLookupKeys.step, {"actor": "office"}
    steps = [
        step("submit", "submit", to="receive"),
        step("receive", "receive", to="decide", consumes=["paper"]) | office,
        step("decide", "decide", needs={"applicant": ["person.attribute_1"]}, produces=["result-0"]) | office,
    ]
    catalogue = TestFallbacks.catalogue()
    data = TestLookupKeys().with_paper(steps, proves_key=False).model_dump(mode="json", exclude_defaults=True)
    data["documents"][0]["document_type"] = "paper"
    procedure = Procedure.model_validate(data)
    result = simplify(procedure, catalogue=catalogue, as_of=AS_OF)
    changes = {e.change for e in result.trace}
    assert {Change.DOCUMENT_MADE_FALLBACK, Change.FIELD_ADDED} <= changes, "the case needs a fallback and a key"
    assert check(procedure, result.procedure, catalogue) == []
    assert gate(diff(procedure, result.procedure, catalogue=catalogue), ["burden-increase"]) == []


def test_a_lookup_that_stays_still_needs_its_key_before_it():
    # The property tests found it: the paper giving the lookup's key goes, and the key is asked at a
    # submission after the lookup, so the lookup would have nothing to look up by.
    held = [{"fact": f"person.attribute_{i}", "coverage": "full"} for i in range(2)]
    catalogue = small_catalogue(
        2,
        [document_type("id-paper", [0, 1]), document_type("form", [1], declaration=True)],
        [connected_source("source-0", held, key=0)],
    )
    step = TestLookupKeys.step
    steps = [
        step("hand-in", "receive", to="submit", consumes=["paper"]),
        step("submit", "submit", produces=["result-0"]),
    ]
    data = TestLookupKeys().with_paper(steps, proves_key=True).model_dump(mode="json", exclude_defaults=True)
    data["documents"].append({"id": "form", "document_type": "form", "about": "applicant"})
    data["actors"][1]["kind"] = "agency"
    procedure = Procedure.model_validate(data)
    result = simplify(procedure, catalogue=catalogue, as_of=AS_OF)
    assert check(procedure, result.procedure, catalogue) == []
