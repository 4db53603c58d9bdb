"""The analyzers on small hand-built procedures: each rule where it fires and where it must not."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from thutuc.analysis import (
    AnalysisOptions,
    AssumedConnection,
    analyze,
    burden,
    handoffs,
    once_only,
    online_findings,
    online_verdict,
    select_rules,
)
from thutuc.analysis.burden import contract
from thutuc.analysis.supply import FactSupply
from thutuc.graph import to_graph
from thutuc.model import Catalogue, Procedure
from thutuc.transform import simplify

from .conftest import every_pass_validated_in_full

SOURCE = {"url": "https://example.org/test", "confidence": "inferred", "note": "test data"}
AS_OF = AnalysisOptions(as_of=dt.date(2025, 1, 1))


def catalogue_data() -> dict[str, Any]:
    return {
        "agencies": [
            {"id": "office", "name": {"vi": "UBND xã"}, "kind": "agency", "systems": ["registry-system"]},
            {"id": "police", "name": {"vi": "Công an xã"}, "kind": "agency"},
            {"id": "registry-system", "name": {"vi": "Phần mềm"}, "kind": "system"},
            {"id": "elsewhere", "name": {"vi": "Nơi khác"}, "kind": "agency"},
        ],
        "facts": [
            {"id": f"person.{name}", "name": {"vi": name}}
            for name in ("id_number", "identity", "residence", "marital_status", "full_name", "photo")
        ]
        + [{"id": "person.birth", "name": {"vi": "birth"}, "event": True}],
        "document_types": [
            {
                "id": "id-card",
                "name": {"vi": "Thẻ"},
                "proves": ["person.identity", "person.id_number"],
                "sources": [SOURCE],
            },
            {"id": "household-book", "name": {"vi": "Sổ hộ khẩu"}, "proves": ["person.residence"], "sources": [SOURCE]},
            {"id": "marriage-paper", "name": {"vi": "Giấy"}, "proves": ["person.marital_status"], "sources": [SOURCE]},
            {"id": "photo", "name": {"vi": "Ảnh"}, "proves": ["person.photo"], "sources": [SOURCE]},
            {"id": "birth-notice", "name": {"vi": "Giấy chứng sinh"}, "proves": ["person.birth"], "sources": [SOURCE]},
            {"id": "certificate", "name": {"vi": "Giấy xác nhận"}, "proves": ["person.residence"], "sources": [SOURCE]},
            {
                "id": "form",
                "name": {"vi": "Tờ khai"},
                "proves": ["person.full_name", "person.residence"],
                "declaration": True,
                "sources": [SOURCE],
            },
        ],
        "data_sources": [
            {
                "id": "population-db",
                "name": {"vi": "CSDL dân cư"},
                "holds": [
                    "person.id_number",
                    "person.identity",
                    "person.residence",
                    "person.full_name",
                    "person.birth",
                    {"fact": "person.marital_status", "coverage": "partial", "condition": "only registered marriages"},
                ],
                "lookup_key": "person.id_number",
                "connections": [{"to": "office", "since": "2023-01-01"}],
                "legal_basis": [{"document": "Law 1/2020", "article": "Art. 9"}],
                "sources": [SOURCE],
            },
            {
                "id": "photo-db",
                "name": {"vi": "Ảnh"},
                "holds": ["person.photo"],
                "lookup_key": "person.id_number",
                "connections": [{"to": "elsewhere"}],
                "legal_basis": [{"document": "Law 2/2021"}],
                "sources": [SOURCE],
            },
            {
                "id": "e-id",
                "name": {"vi": "Định danh điện tử"},
                "kind": "identity",
                "holds": ["person.identity"],
                "lookup_key": "person.id_number",
                "legal_basis": [{"document": "Decree 4/2022"}],
                "sources": [SOURCE],
            },
            {
                "id": "payment",
                "name": {"vi": "Thanh toán"},
                "kind": "payment",
                "legal_basis": [{"document": "Decision 3/2022"}],
                "sources": [SOURCE],
            },
        ],
        "cost_parameters": [
            {"id": p, "name": {"vi": p}, "value": v, "unit": "u", "basis": "assumed", "note": "test value"}
            for p, v in (
                ("hourly-income", 30000),
                ("time-per-visit", 2),
                ("travel-cost-per-visit", 30000),
                ("document-preparation-time", 0.5),
                ("copy-cost", 500),
                ("copy-certification-fee", 2000),
            )
        ],
    }


def step(step_id: str, actor: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {"id": step_id, "name": {"vi": step_id}, "actor": actor, "kind": kind, **fields}


def procedure_data() -> dict[str, Any]:
    """The applicant submits an ID card and a household book; the office checks, decides and issues."""
    return {
        "kind": "procedure",
        "id": "test-procedure",
        "name": {"vi": "Thủ tục thử", "en": "Test procedure"},
        "level": "commune",
        "agency": "office-lane",
        "legal_basis": [{"document": "Law 1/2020"}],
        "roles": [{"id": "applicant", "subject": "person"}],
        "actors": [
            {"id": "citizen", "name": {"vi": "Công dân"}, "kind": "citizen"},
            {"id": "desk", "name": {"vi": "Một cửa"}, "kind": "officer", "agency": "office"},
            {"id": "office-lane", "name": {"vi": "Cán bộ"}, "kind": "officer", "agency": "office"},
            {"id": "leader", "name": {"vi": "Chủ tịch"}, "kind": "officer", "agency": "office"},
        ],
        "documents": [
            {"id": "id-card", "document_type": "id-card", "mode": "shown"},
            {"id": "household-book", "document_type": "household-book", "form": "plain_copy"},
        ],
        "steps": [
            step(
                "submit",
                "citizen",
                "submit",
                channels=["in_person"],
                consumes=["id-card", "household-book"],
                provides={"applicant": ["person.id_number"]},
                next=["receive"],
            ),
            step("receive", "desk", "receive", channels=["in_person"], next=["transfer"]),
            step("transfer", "desk", "transfer", next=["examine"]),
            step(
                "examine",
                "office-lane",
                "check",
                needs={"applicant": ["person.identity", "person.residence"]},
                next=["decide"],
            ),
            step("decide", "leader", "decide", needs={"applicant": ["person.residence"]}, next=["issue"]),
            step("issue", "desk", "deliver", channels=["in_person"], produces=["result"]),
        ],
        "results": [{"id": "result", "name": {"vi": "Kết quả"}}],
        "sources": [SOURCE],
    }


def build(
    procedure: dict[str, Any] | None = None, catalogue: dict[str, Any] | None = None
) -> tuple[Procedure, Catalogue]:
    return (
        Procedure.model_validate(procedure or procedure_data()),
        Catalogue.model_validate(catalogue or catalogue_data()),
    )


def rules_by_target(findings: list[Any]) -> dict[str, str]:
    return {f.target.id: f.rule for f in findings}


# --- once-only ----------------------------------------------------------------------------


class TestOnceOnly:
    def test_documents_a_connected_source_holds_are_replaceable(self):
        found = rules_by_target(once_only(*build(), options=AS_OF))
        assert found == {"id-card": "once-only.replaceable", "household-book": "once-only.replaceable"}

    def test_the_finding_names_source_connection_and_legal_ground(self):
        [finding] = [f for f in once_only(*build(), options=AS_OF) if f.target.id == "household-book"]
        assert finding.justification.data_sources == ["population-db"]
        assert finding.justification.connected_via == ["registry-system"] or finding.justification.connected_via
        assert finding.justification.connected_since == dt.date(2023, 1, 1)
        assert any(ref.document == "Law 1/2020" for ref in finding.justification.legal_basis)
        assert finding.saving.documents == 1
        assert finding.message.vi
        assert finding.message.en

    def test_a_connection_later_than_the_as_of_date_does_not_count(self):
        found = rules_by_target(once_only(*build(), options=AnalysisOptions(as_of=dt.date(2022, 12, 31))))
        assert set(found.values()) == {"once-only.must-stay"}

    def test_an_ended_connection_does_not_count(self):
        catalogue = catalogue_data()
        catalogue["data_sources"][0]["connections"][0]["until"] = "2024-06-30"
        found = rules_by_target(once_only(*build(catalogue=catalogue), options=AS_OF))
        assert set(found.values()) == {"once-only.must-stay"}

    def test_an_unconnected_agency_must_keep_the_document_and_says_why(self):
        catalogue = catalogue_data()
        catalogue["data_sources"][0]["connections"] = [{"to": "elsewhere"}]
        catalogue["agencies"][0]["systems"] = []
        findings = once_only(*build(catalogue=catalogue), options=AS_OF)
        assert {f.rule for f in findings} == {"once-only.must-stay"}
        assert all("no agency of this procedure is connected" in f.message.en for f in findings)

    def test_a_system_the_agency_works_in_reaches_the_source(self):
        catalogue = catalogue_data()
        catalogue["data_sources"][0]["connections"] = [{"to": "registry-system"}]
        found = rules_by_target(once_only(*build(catalogue=catalogue), options=AS_OF))
        assert found["household-book"] == "once-only.replaceable"

    def test_an_assumed_connection_answers_what_if(self):
        catalogue = catalogue_data()
        catalogue["data_sources"][0]["connections"] = []
        catalogue["agencies"][0]["systems"] = []
        procedure, built = build(catalogue=catalogue)
        before = rules_by_target(once_only(procedure, built, options=AS_OF))
        what_if = AnalysisOptions(as_of=AS_OF.as_of, assume_connected=(AssumedConnection("population-db"),))
        after = rules_by_target(once_only(procedure, built, options=what_if))
        assert before["household-book"] == "once-only.must-stay"
        assert after["household-book"] == "once-only.replaceable"

    def test_procedures_of_the_same_agencies_share_their_routes_and_others_get_their_own(self):
        # Routes are worked out once per catalogue, set of agencies, date and assumed connections.
        procedure, catalogue = build()
        same_agencies = Procedure.model_validate(procedure_data())
        elsewhere_data = procedure_data()
        for actor in elsewhere_data["actors"]:
            if actor.get("agency") == "office":
                actor["agency"] = "police"
        elsewhere = Procedure.model_validate(elsewhere_data)
        earlier = AnalysisOptions(as_of=dt.date(2022, 6, 1))
        assumed = AnalysisOptions(as_of=AS_OF.as_of, assume_connected=(AssumedConnection("photo-db"),))
        supplies = [
            FactSupply.of(procedure, catalogue, AS_OF),
            FactSupply.of(same_agencies, catalogue, AS_OF),
            FactSupply.of(elsewhere, catalogue, AS_OF),
            FactSupply.of(procedure, catalogue, earlier),
            FactSupply.of(procedure, catalogue, assumed),
        ]
        reached = [sorted(s.reachable) for s in supplies]
        assert supplies[0].reachable is supplies[1].reachable
        # The office reaches the population database; the police do not, nor did the office before 2023.
        assert reached == [["population-db"], ["population-db"], [], [], ["photo-db", "population-db"]]
        found = rules_by_target(once_only(elsewhere, catalogue, options=AS_OF))
        assert found["household-book"] == "once-only.must-stay"

    def test_a_key_not_on_the_form_is_asked_for_instead(self):
        procedure = procedure_data()
        del procedure["steps"][0]["provides"]
        findings = once_only(*build(procedure), options=AS_OF)
        [book] = [f for f in findings if f.target.id == "household-book"]
        assert book.rule == "once-only.replaceable"
        assert book.adds_fields == ["applicant:person.id_number"]

    def test_a_key_the_procedure_creates_later_blocks_the_lookup(self):
        procedure = procedure_data()
        del procedure["steps"][0]["provides"]
        procedure["steps"][4]["provides"] = {"applicant": ["person.id_number"]}
        found = rules_by_target(once_only(*build(procedure), options=AS_OF))
        assert found["household-book"] == "once-only.must-stay"

    def test_partial_coverage_makes_it_conditional_and_keeps_a_fallback(self):
        procedure = procedure_data()
        procedure["documents"].append({"id": "marriage", "document_type": "marriage-paper"})
        procedure["steps"][4]["needs"]["applicant"].append("person.marital_status")
        [finding] = [f for f in once_only(*build(procedure), options=AS_OF) if f.target.id == "marriage"]
        assert finding.rule == "once-only.conditional"
        assert "only registered marriages" in (finding.justification.condition or "")
        assert finding.justification.fallback

    def test_a_paper_fallback_of_an_existing_lookup_is_conditional(self):
        procedure = procedure_data()
        procedure["documents"].append({"id": "fallback", "document_type": "certificate", "condition": "lookup fails"})
        procedure["steps"].insert(
            1,
            step(
                "lookup",
                "office-lane",
                "lookup",
                data_source="population-db",
                needs={"applicant": ["person.id_number"]},
                provides={"applicant": ["person.residence"]},
                next=["receive"],
            ),
        )
        procedure["steps"][0]["next"] = ["lookup"]
        procedure["steps"][0]["consumes"].append("fallback")
        [finding] = [f for f in once_only(*build(procedure), options=AS_OF) if f.target.id == "fallback"]
        assert finding.rule == "once-only.conditional"
        assert finding.justification.condition == "lookup fails"

    def test_a_document_no_step_needs_is_unnecessary(self):
        procedure = procedure_data()
        procedure["documents"].append({"id": "photo", "document_type": "photo"})
        found = rules_by_target(once_only(*build(procedure), options=AS_OF))
        assert found["photo"] == "once-only.unnecessary"

    def test_a_needed_fact_no_reachable_source_holds_must_stay(self):
        procedure = procedure_data()
        procedure["documents"].append({"id": "photo", "document_type": "photo"})
        procedure["steps"][3]["needs"]["applicant"].append("person.photo")
        found = rules_by_target(once_only(*build(procedure), options=AS_OF))
        assert found["photo"] == "once-only.must-stay"

    def test_the_event_a_procedure_registers_cannot_be_looked_up_first(self):
        procedure = procedure_data()
        procedure["documents"].append({"id": "birth-notice", "document_type": "birth-notice"})
        procedure["steps"][3]["needs"]["applicant"].append("person.birth")
        procedure["steps"][4]["provides"] = {"applicant": ["person.birth"]}
        [finding] = [f for f in once_only(*build(procedure), options=AS_OF) if f.target.id == "birth-notice"]
        assert finding.rule == "once-only.must-stay"
        assert "registers" in finding.message.en

    def test_the_same_event_registered_elsewhere_is_looked_up(self):
        procedure = procedure_data()
        procedure["documents"].append({"id": "birth-notice", "document_type": "birth-notice"})
        procedure["steps"][3]["needs"]["applicant"].append("person.birth")
        found = rules_by_target(once_only(*build(procedure), options=AS_OF))
        assert found["birth-notice"] == "once-only.replaceable"

    def test_a_document_the_procedure_itself_issued_earlier_is_replaceable(self):
        procedure = procedure_data()
        procedure["results"] = [{"id": "result", "name": {"vi": "Giấy"}, "document_type": "certificate"}]
        procedure["documents"].append({"id": "copy", "document_type": "certificate"})
        procedure["steps"][1]["produces"] = ["result"]
        procedure["steps"][3]["consumes"] = ["copy"]
        catalogue = catalogue_data()
        catalogue["data_sources"][0]["connections"] = []
        catalogue["agencies"][0]["systems"] = []
        [finding] = [f for f in once_only(*build(procedure, catalogue), options=AS_OF) if f.target.id == "copy"]
        assert finding.rule == "once-only.replaceable"
        assert "'receive'" in finding.message.en

    def test_the_form_itself_stays_and_its_held_fields_are_reported(self):
        procedure = procedure_data()
        procedure["documents"].append({"id": "form", "document_type": "form"})
        findings = once_only(*build(procedure), options=AS_OF)
        assert rules_by_target(findings)["form"] == "once-only.must-stay"
        fields = {f.target.id for f in findings if f.rule == "once-only.declared-field"}
        assert fields == {"applicant:person.full_name", "applicant:person.residence"}

    def test_what_a_certificate_brought_instead_of_the_form_proves_is_not_a_declared_field(self):
        procedure = procedure_data()
        procedure["documents"].append({"id": "form-or-card", "any_of": [["form"], ["id-card"]]})
        findings = once_only(*build(procedure), options=AS_OF)
        fields = {f.target.id for f in findings if f.rule == "once-only.declared-field"}
        assert fields == {"applicant:person.full_name", "applicant:person.residence"}  # not the card's identity

    def test_without_the_key_on_the_form_the_prefill_asks_for_it(self):
        procedure = procedure_data()
        procedure["documents"].append({"id": "form", "document_type": "form"})
        del procedure["steps"][0]["provides"]
        fields = [f for f in once_only(*build(procedure), options=AS_OF) if f.rule == "once-only.declared-field"]
        assert fields
        assert all(f.adds_fields == ["applicant:person.id_number"] for f in fields)

    def test_no_prefill_for_a_key_the_procedure_creates(self):
        procedure = procedure_data()
        procedure["documents"].append({"id": "form", "document_type": "form"})
        del procedure["steps"][0]["provides"]
        procedure["steps"][4]["provides"] = {"applicant": ["person.id_number"]}
        findings = once_only(*build(procedure), options=AS_OF)
        assert not [f for f in findings if f.rule == "once-only.declared-field"]

    def test_retrieved_documents_get_no_finding(self):
        procedure = procedure_data()
        procedure["documents"][0]["mode"] = "retrieved"
        assert "id-card" not in rules_by_target(once_only(*build(procedure), options=AS_OF))


# --- hand-offs ----------------------------------------------------------------------------


class TestHandoffs:
    def test_a_pure_transfer_is_removable_and_its_bypass_given(self):
        findings = handoffs(*build(), options=AS_OF)
        [transfer] = [f for f in findings if f.target.id == "transfer"]
        assert transfer.rule == "handoff.transfer"
        assert transfer.bypass == [("receive", "examine")]
        assert transfer.saving.steps == 1

    @pytest.mark.parametrize(
        "change",
        [{"mandated": True}, {"produces": ["result"]}, {"actor": "system-lane"}, {"channels": ["system"]}],
        ids=["mandated", "produces", "system-actor", "system-channel"],
    )
    def test_transfers_that_stay(self, change):
        procedure = procedure_data()
        procedure["actors"].append({"id": "system-lane", "name": {"vi": "Hệ thống"}, "kind": "system"})
        procedure["steps"][2].update(change)
        assert "transfer" not in rules_by_target(handoffs(*build(procedure), options=AS_OF))

    def test_decisions_and_signatures_are_never_reported(self):
        procedure = procedure_data()
        procedure["steps"][2]["kind"] = "sign"
        procedure["steps"][4]["needs"] = {}
        found = rules_by_target(handoffs(*build(procedure), options=AS_OF))
        assert "transfer" not in found
        assert "decide" not in found

    def test_the_receipt_of_the_applicants_submission_stays(self):
        assert "receive" not in rules_by_target(handoffs(*build(), options=AS_OF))

    def test_a_receipt_from_another_office_is_removable(self):
        procedure = procedure_data()
        procedure["steps"][2]["next"] = ["second-receive"]
        procedure["steps"].insert(3, step("second-receive", "office-lane", "receive", next=["examine"]))
        found = rules_by_target(handoffs(*build(procedure), options=AS_OF))
        assert found["second-receive"] == "handoff.receipt"

    @staticmethod
    def comparing(document: str, fact: str) -> dict[str, Any]:
        """The procedure with a check that compares ``document`` for ``fact`` before the examination."""
        procedure = procedure_data()
        procedure["documents"].append({"id": "photo", "document_type": "photo"})
        procedure["steps"][2]["next"] = ["compare"]
        compare = step("compare", "office-lane", "check", consumes=[document], next=["examine"])
        procedure["steps"].insert(3, {**compare, "needs": {"applicant": [fact]}})
        return procedure

    def test_a_check_of_removed_documents_is_removable(self):
        found = rules_by_target(handoffs(*build(self.comparing("id-card", "person.identity")), options=AS_OF))
        assert found["compare"] == "handoff.recheck"

    def test_a_check_of_a_document_that_stays_is_kept(self):
        found = rules_by_target(handoffs(*build(self.comparing("photo", "person.photo")), options=AS_OF))
        assert "compare" not in found

    def consulting(self) -> dict[str, Any]:
        procedure = procedure_data()
        procedure["actors"].append(
            {"id": "police-lane", "name": {"vi": "Công an"}, "kind": "agency", "agency": "police"}
        )
        procedure["steps"][2]["next"] = ["send-request"]
        procedure["steps"][3:3] = [
            step("send-request", "office-lane", "transfer", next=["verify"]),
            step("verify", "police-lane", "consult", provides={"applicant": ["person.residence"]}, next=["reply"]),
            step("reply", "police-lane", "transfer", next=["examine"]),
        ]
        return procedure

    def test_a_consultation_for_held_facts_and_its_waits_are_removable(self):
        found = rules_by_target(handoffs(*build(self.consulting()), options=AS_OF))
        assert found["verify"] == "handoff.consult"
        assert found["send-request"] == "handoff.wait"
        assert found["reply"] == "handoff.wait"

    def test_a_consultation_for_facts_no_source_holds_stays(self):
        procedure = self.consulting()
        procedure["steps"][4]["provides"] = {"applicant": ["person.photo"]}
        procedure["steps"][5]["needs"] = {"applicant": ["person.residence", "person.photo"]}
        procedure["documents"].append({"id": "photo", "document_type": "photo"})
        found = rules_by_target(handoffs(*build(procedure), options=AS_OF))
        assert "verify" not in found

    def submitting_twice(self, agency: str) -> dict[str, Any]:
        procedure = procedure_data()
        procedure["actors"].append({"id": "second", "name": {"vi": "Nơi nộp 2"}, "kind": "agency", "agency": agency})
        procedure["documents"].append({"id": "photo", "document_type": "photo"})
        procedure["steps"][5]["next"] = ["submit-again"]
        procedure["steps"] += [
            step(
                "submit-again", "citizen", "submit", channels=["in_person"], consumes=["photo"], next=["receive-again"]
            ),
            step("receive-again", "second", "receive", channels=["in_person"], needs={"applicant": ["person.photo"]}),
        ]
        return procedure

    def test_a_second_submission_to_another_agency_is_removable(self):
        findings = handoffs(*build(self.submitting_twice("police")), options=AS_OF)
        [again] = [f for f in findings if f.target.id == "submit-again"]
        assert again.rule == "handoff.resubmission"
        assert again.saving.visits == 1
        assert "photo move to 'submit'" in again.message.en

    def test_simplify_moves_the_documents_of_a_second_submission_to_the_first(self):
        procedure, catalogue = build(self.submitting_twice("police"))
        with every_pass_validated_in_full() as checked:
            result = simplify(procedure, catalogue=catalogue, as_of=AS_OF.as_of)
        assert checked
        assert "submit-again" not in result.procedure.step
        assert "photo" in result.procedure.step["submit"].consumes

    def test_a_second_submission_to_the_same_agency_stays(self):
        found = rules_by_target(handoffs(*build(self.submitting_twice("office")), options=AS_OF))
        assert "submit-again" not in found

    def test_a_supplement_is_not_a_new_submission(self):
        procedure = self.submitting_twice("police")
        procedure["steps"][-2]["next"] = ["receive-again", {"to": "receive", "loop": True}]
        assert "submit-again" not in rules_by_target(handoffs(*build(procedure), options=AS_OF))


# --- online readiness ---------------------------------------------------------------------


def online_procedure() -> dict[str, Any]:
    procedure = procedure_data()
    procedure["actors"].append({"id": "portal", "name": {"vi": "Cổng"}, "kind": "system", "agency": "registry-system"})
    procedure["documents"][0]["mode"] = "uploaded"
    procedure["steps"][0]["channels"] = ["online"]
    procedure["steps"][1].update(actor="portal", channels=["system"])
    procedure["steps"][5]["channels"] = ["online"]
    return procedure


class TestOnline:
    def test_an_online_procedure_is_full_on_both_scales(self):
        verdict = online_verdict(*build(online_procedure()), options=AS_OF)
        assert verdict.level == "full"
        assert verdict.decree_42 == "full-process"
        assert verdict.legacy_level == 4
        assert all(verdict.article_6.model_dump().values())
        assert online_findings(*build(online_procedure()), options=AS_OF) == []

    def test_an_office_only_procedure_is_offline_with_its_blocking_steps(self):
        procedure, catalogue = build()
        verdict = online_verdict(procedure, catalogue, options=AS_OF)
        assert verdict.level == "offline"
        assert verdict.decree_42 == "none"
        assert verdict.blocking_steps == ["submit"]  # the delivery is the office's step: reported on the result
        rules = {(f.rule, f.target.id) for f in online_findings(procedure, catalogue, options=AS_OF)}
        assert ("online.no-remote-channel", "submit") in rules
        assert ("online.paper-evidence", "id-card") in rules
        assert ("online.result-not-remote", "test-procedure") in rules
        assert ("online.no-completion-notice", "test-procedure") in rules

    def test_presence_with_a_legal_ground_is_reported_with_it_and_keeps_the_service_partial(self):
        procedure = online_procedure()
        procedure["steps"][3].update(
            actor="citizen",
            kind="appear",
            channels=["in_person"],
            requires=["presence"],
            legal_basis=[{"document": "Law 9/2019", "article": "Art. 5"}],
        )
        procedure["steps"][3]["needs"] = {}
        built = build(procedure)
        [finding] = [f for f in online_findings(*built, options=AS_OF) if f.target.id == "examine"]
        assert finding.rule == "online.presence-by-law"
        assert finding.justification.legal_basis[0].document == "Law 9/2019"
        after = online_verdict(*built, options=AS_OF, remedied=True)
        assert after.level == "partial"
        assert after.legal_presence == ["examine"]

    def test_presence_without_a_legal_ground_has_a_remedy(self):
        procedure = online_procedure()
        procedure["steps"][3].update(actor="citizen", kind="appear", channels=["in_person"], requires=["presence"])
        built = build(procedure)
        [finding] = [f for f in online_findings(*built, options=AS_OF) if f.target.id == "examine"]
        assert finding.rule == "online.presence"
        assert finding.justification.remedy
        assert online_verdict(*built, options=AS_OF, remedied=True).level in ("full", "proactive")

    def test_proactive_only_when_the_state_holds_every_needed_fact(self):
        procedure = online_procedure()
        assert online_verdict(*build(procedure), options=AS_OF, remedied=True).level == "proactive"
        procedure["documents"].append({"id": "photo", "document_type": "photo", "mode": "uploaded"})
        procedure["steps"][3]["needs"]["applicant"].append("person.photo")
        assert online_verdict(*build(procedure), options=AS_OF, remedied=True).level == "full"

    @pytest.mark.parametrize(
        ("requirement", "rule"), [("wet_signature", "online.wet-signature"), ("cash", "online.cash")]
    )
    def test_signature_and_cash_are_blockers_with_their_remedy(self, requirement, rule):
        procedure = online_procedure()
        procedure["steps"][0]["requires"] = [requirement]
        findings = online_findings(*build(procedure), options=AS_OF)
        [finding] = [f for f in findings if f.rule == rule]
        assert finding.target.id == "submit"
        assert finding.justification.remedy

    def test_a_missing_acknowledgement_is_reported(self):
        procedure = online_procedure()
        procedure["steps"][1].update(actor="desk", channels=["in_person"])
        rules = {f.rule for f in online_findings(*build(procedure), options=AS_OF)}
        assert "online.no-acknowledgement" in rules

    def test_applying_the_findings_can_lift_the_verdict(self):
        result = analyze(*build(), options=AS_OF)
        assert result.online_before.level == "offline"
        assert result.online_after.level in ("full", "proactive")


# --- burden ------------------------------------------------------------------------------


def parameter(catalogue: Catalogue, name: str) -> float:
    return catalogue.cost_parameter[name].value


class TestBurden:
    def test_counts_and_critical_path(self):
        procedure, catalogue = build()
        result = burden(procedure, catalogue)
        assert (result.steps, result.citizen_steps, result.documents) == (6, 1, 2)
        assert result.visits == 1  # the submission; the in-person delivery is by an officer without presence
        assert result.critical_path == ["submit", "receive", "transfer", "examine", "decide", "issue"]

    def test_cost_follows_the_formula_with_the_catalogue_parameters(self):
        procedure, catalogue = build()
        result = burden(procedure, catalogue)
        hourly = parameter(catalogue, "hourly-income")
        visit = parameter(catalogue, "time-per-visit") * hourly + parameter(catalogue, "travel-cost-per-visit")
        documents = 2 * parameter(catalogue, "document-preparation-time") * hourly + parameter(catalogue, "copy-cost")
        assert result.cost_per_application_vnd == pytest.approx(visit + documents)
        assert result.cost_per_year_vnd is None

    def test_a_missing_parameter_leaves_the_cost_unknown_and_named(self):
        catalogue = catalogue_data()
        catalogue["cost_parameters"] = catalogue["cost_parameters"][1:]
        result = burden(*build(catalogue=catalogue))
        assert result.cost_per_application_vnd is None
        assert result.missing_parameters == ["hourly-income"]

    def test_yearly_cost_needs_the_volume(self):
        procedure = procedure_data()
        procedure["volume"] = {"per_year": 1000, "sources": [SOURCE]}
        result = burden(*build(procedure))
        assert result.cost_per_year_vnd == pytest.approx(1000 * result.cost_per_application_vnd)

    def test_durations_give_the_critical_path_days(self):
        procedure = procedure_data()
        procedure["steps"][3]["duration"] = {"working_days": 2}
        procedure["steps"][4]["duration"] = {"hours": 4}
        procedure["time_limit"] = {"working_days": 10}
        result = burden(*build(procedure))
        assert result.days_basis == "steps"
        assert result.critical_path_days == pytest.approx(2.5)

    def test_without_durations_the_time_limit_is_used(self):
        procedure = procedure_data()
        procedure["time_limit"] = {"working_days": 10}
        result = burden(*build(procedure))
        assert (result.days_basis, result.critical_path_days) == ("time_limit", 10)

    def test_removing_steps_contracts_the_flow(self):
        procedure, catalogue = build()
        result = burden(procedure, catalogue, removed_steps=["transfer"], removed_documents=["id-card"])
        assert result.steps == 5
        assert result.documents == 1
        assert result.critical_path == ["submit", "receive", "examine", "decide", "issue"]

    def test_contract_keeps_declared_loops(self):
        graph = to_graph(Procedure.model_validate(procedure_data()))
        graph.add_edge("examine", "receive", loop=True, condition=None)
        contracted = contract(graph, ["transfer"])
        assert contracted.edges["receive", "examine"]["loop"] is False
        assert ("examine", "receive") in contracted.edges

    def test_handoffs_count_agency_changes(self):
        procedure = procedure_data()
        procedure["actors"][3]["agency"] = "police"
        assert burden(*build(procedure)).handoffs == 2  # into the leader's lane and out of it


# --- the whole analysis --------------------------------------------------------------------


class TestAnalyze:
    def test_findings_come_in_a_fixed_order(self):
        result = analyze(*build(), options=AS_OF)
        rules = [f.rule for f in result.findings]
        assert (
            rules.index("once-only.replaceable")
            < rules.index("handoff.transfer")
            < rules.index("online.no-remote-channel")
        )
        assert analyze(*build(), options=AS_OF) == result

    def test_burden_after_applies_the_findings(self):
        result = analyze(*build(), options=AS_OF)
        assert result.burden_after.documents == 0
        assert result.burden_after.steps == result.burden_before.steps - 1
        assert result.burden_after.cost_per_application_vnd < result.burden_before.cost_per_application_vnd

    def test_rule_selection_applies_only_those_rules(self):
        options = AnalysisOptions(as_of=AS_OF.as_of, rules=select_rules(["handoffs"]))
        result = analyze(*build(), options=options)
        assert {f.rule for f in result.findings} == {"handoff.transfer"}
        assert result.burden_after.documents == result.burden_before.documents

    def test_an_unknown_rule_suggests_the_closest(self):
        with pytest.raises(ValueError, match=r"did you mean 'once-only\.replaceable'"):
            select_rules(["once-only.replacable"])

    def test_the_input_is_not_changed(self):
        procedure, catalogue = build()
        snapshot = copy.deepcopy(procedure.model_dump())
        analyze(procedure, catalogue, options=AS_OF)
        assert procedure.model_dump() == snapshot
