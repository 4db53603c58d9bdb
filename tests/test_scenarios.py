"""Scenarios: the walk, the built-in properties on hand-built procedures, the strategy, and user properties."""

from __future__ import annotations

import datetime as dt
import importlib.util
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thutuc.io import load_all
from thutuc.model import Catalogue, Procedure
from thutuc.scenarios import PROPERTIES, Scenario, check_scenario, scenario_space, walk
from thutuc.testing.examples import tiny_catalogue
from thutuc.testing.strategies import scenarios

from .conftest import ROOT

TEMPLATE = ROOT / "examples" / "reform-repo"

SOURCE = {"url": "https://example.org/thutuc/test", "confidence": "inferred"}
DAY = dt.date(2025, 1, 1)


def catalogue() -> Catalogue:
    """The tiny catalogue with a civil-status database holding marital status for part of the population."""
    data = tiny_catalogue().model_dump(mode="json", exclude_defaults=True)
    data["facts"].append({"id": "person.marital_status", "name": {"vi": "Tình trạng hôn nhân"}})
    data["document_types"].append(
        {
            "id": "marital-proof",
            "name": {"vi": "Giấy xác nhận"},
            "proves": ["person.marital_status"],
            "sources": [SOURCE],
        }
    )
    data["data_sources"].append(
        {
            "id": "civil-status-db",
            "name": {"vi": "CSDL hộ tịch"},
            "holds": [{"fact": "person.marital_status", "coverage": "partial", "condition": "once digitised"}],
            "lookup_key": "person.id_number",
            "connections": [{"to": "commune-office", "since": "2024-06-01"}],
            "legal_basis": [{"document": "Example law 2/2024"}],
            "sources": [SOURCE],
        }
    )
    return Catalogue.model_validate(data)


def step(step_id: str, kind: str, actor: str = "office", **fields: Any) -> dict[str, Any]:
    return {"id": step_id, "name": {"vi": step_id}, "actor": actor, "kind": kind, **fields}


def procedure(steps: list[dict[str, Any]], documents: list[dict[str, Any]] | None = None, **fields: Any) -> Procedure:
    return Procedure.model_validate(
        {
            "kind": "procedure",
            "id": "marriage-check",
            "name": {"vi": "Xác nhận"},
            "level": "commune",
            "agency": "office",
            "legal_basis": [{"document": "Example law 1/2020"}],
            "roles": [{"id": "applicant", "subject": "person"}],
            "actors": [
                {"id": "citizen", "name": {"vi": "Công dân"}, "kind": "citizen"},
                {"id": "office", "name": {"vi": "UBND xã"}, "kind": "agency", "agency": "commune-office"},
            ],
            "documents": documents if documents is not None else [{"id": "id-card", "document_type": "id-card"}],
            "steps": steps,
            "sources": [SOURCE],
            **fields,
        }
    )


SUBMIT = step(
    "submit",
    "submit",
    actor="citizen",
    channels=["in_person", "online"],
    consumes=["id-card"],
    provides={"applicant": ["person.id_number"]},
    next=["lookup"],
)
LOOKUP = step(
    "lookup",
    "lookup",
    data_source="civil-status-db",
    needs={"applicant": ["person.id_number"]},
    provides={"applicant": ["person.marital_status"]},
)
VERIFY = step("verify", "consult", provides={"applicant": ["person.marital_status"]}, next=["decide"])
DECIDE = step("decide", "decide", needs={"applicant": ["person.identity", "person.marital_status"]}, next=["issue"])
ISSUE = step("issue", "issue")


def with_fallback_branch() -> Procedure:
    lookup = {**LOOKUP, "next": [{"to": "decide", "condition": "found"}, {"to": "verify", "condition": "not found"}]}
    return procedure([SUBMIT, lookup, VERIFY, DECIDE, ISSUE])


def without_fallback() -> Procedure:
    return procedure([SUBMIT, {**LOOKUP, "next": ["decide"]}, DECIDE, ISSUE])


LACKS_MARRIAGE = frozenset({("civil-status-db", "person.marital_status")})


class TestWalk:
    def test_a_step_left_out_of_the_branches_takes_its_first_next_step(self):
        run = walk(with_fallback_branch(), catalogue(), Scenario(DAY))
        assert run.path == ("submit", "lookup", "decide", "issue")
        assert run.failures == ()
        assert run.missing == ()

    def test_the_scenario_chooses_the_branch(self):
        run = walk(with_fallback_branch(), catalogue(), Scenario(DAY, {"lookup": "verify"}))
        assert run.path == ("submit", "lookup", "verify", "decide", "issue")

    def test_a_failed_lookup_takes_its_fallback_branch(self):
        run = walk(
            with_fallback_branch(), catalogue(), Scenario(DAY, {"lookup": "decide"}, missing_data=LACKS_MARRIAGE)
        )
        assert run.path == ("submit", "lookup", "verify", "decide", "issue")
        assert [(f.lookup, f.source) for f in run.failures] == [("lookup", "civil-status-db")]
        assert run.missing == ()

    def test_a_lookup_fails_before_its_source_is_connected(self):
        run = walk(with_fallback_branch(), catalogue(), Scenario(dt.date(2024, 5, 31)))
        assert [f.reason for f in run.failures] == ["civil-status-db is not connected on 2024-05-31"]
        assert "verify" in run.path

    def test_a_conditional_document_proving_a_lost_fact_is_brought_as_a_fallback(self):
        documents = [
            {"id": "id-card", "document_type": "id-card"},
            {"id": "marital-proof", "document_type": "marital-proof", "condition": "if the database lacks it"},
        ]
        fallback = procedure([{**SUBMIT, "consumes": ["id-card", "marital-proof"]}, *without_fallback().steps[1:]])
        fallback = procedure([s.model_dump(mode="json") for s in fallback.steps], documents)
        run = walk(fallback, catalogue(), Scenario(DAY, missing_data=LACKS_MARRIAGE))
        assert run.fallback_documents == {"marital-proof"}
        assert run.missing == ()

    def test_a_declared_loop_is_followed_once_then_another_branch_is_taken(self):
        steps = [
            {**SUBMIT, "next": ["check"]},
            step("check", "check", next=[{"to": "ask-more", "condition": "incomplete"}, "lookup"]),
            step("ask-more", "notify", next=[{"to": "check", "loop": True}]),
            {**LOOKUP, "next": ["decide"]},
            DECIDE,
            ISSUE,
        ]
        run = walk(procedure(steps), catalogue(), Scenario(DAY, {"check": "ask-more"}))
        assert run.path == ("submit", "check", "ask-more", "check", "lookup", "decide", "issue")
        assert run.dead_end is None

    def test_an_undeclared_cycle_ends_the_walk_as_a_dead_end(self):
        steps = [{**SUBMIT, "next": ["check"]}, step("check", "check", next=["recheck"]), step("recheck", "check")]
        steps[2]["next"] = ["check"]
        run = walk(procedure(steps), catalogue(), Scenario(DAY))
        assert run.path == ("submit", "check", "recheck")
        assert run.dead_end == "check"

    def test_days_count_the_agencies_steps_only(self):
        steps = [
            {**SUBMIT, "duration": {"working_days": 5}},
            {**LOOKUP, "next": ["decide"]},
            {**DECIDE, "duration": {"working_days": 2}},
            {**ISSUE, "duration": {"hours": 4}},
        ]
        assert walk(procedure(steps), catalogue(), Scenario(DAY)).days == 2.5

    def test_without_a_chip_card_an_in_person_or_online_step_is_a_visit(self):
        run = walk(with_fallback_branch(), catalogue(), Scenario(DAY, electronic_id=False))
        assert run.visits == ("submit",)
        assert walk(with_fallback_branch(), catalogue(), Scenario(DAY, electronic_id=True)).visits == ()

    def test_the_walk_is_linear_in_the_procedure_not_in_its_paths(self):
        # 60 diamonds in a row have 2**60 paths; one scenario walks one of them.
        steps = [{**SUBMIT, "next": ["d0"]}]
        for i in range(60):
            following = f"d{i + 1}" if i < 59 else "lookup"
            steps += [
                step(f"d{i}", "check", next=[f"a{i}", f"b{i}"]),
                step(f"a{i}", "transfer", next=[following]),
                step(f"b{i}", "transfer", next=[following]),
            ]
        steps += [{**LOOKUP, "next": ["decide"]}, DECIDE, ISSUE]
        run = walk(procedure(steps), catalogue(), Scenario(DAY, {f"d{i}": f"b{i}" for i in range(60)}))
        assert len(run.path) == 1 + 2 * 60 + 3
        assert all(f"b{i}" in run.path for i in range(60))


class TestProperties:
    def test_a_sound_procedure_holds_every_property(self):
        result = check_scenario(
            with_fallback_branch(), catalogue(), Scenario(DAY, missing_data=LACKS_MARRIAGE), simplified=None
        )
        assert result == []

    def test_a_lookup_without_fallback(self):
        problems = check_scenario(without_fallback(), catalogue(), Scenario(DAY, missing_data=LACKS_MARRIAGE))
        assert [(p.property, p.target) for p in problems] == [("lookup-fallback", "lookup")]
        assert "civil-status-db lacks person.marital_status" in problems[0].message
        assert "step 'decide'" in problems[0].message

    def test_a_path_that_skips_the_supplier_of_a_decided_fact(self):
        steps = [
            {**SUBMIT, "next": [{"to": "lookup", "condition": "married"}, {"to": "decide", "condition": "single"}]},
            {**LOOKUP, "next": ["decide"]},
            DECIDE,
            ISSUE,
        ]
        problems = check_scenario(procedure(steps), catalogue(), Scenario(DAY, {"submit": "decide"}))
        assert [(p.property, p.target) for p in problems] == [("facts-collected", "decide")]
        assert "submit → decide" in problems[0].message

    def test_a_path_longer_than_the_time_limit(self):
        steps = [SUBMIT, {**LOOKUP, "next": ["decide"]}, {**DECIDE, "duration": {"working_days": 4}}, ISSUE]
        slow = procedure(steps, time_limit={"working_days": 3})
        problems = check_scenario(slow, catalogue(), Scenario(DAY))
        assert [p.property for p in problems] == ["within-time-limit"]
        assert "4 working days" in problems[0].message
        assert "time limit of 3" in problems[0].message

    def test_a_simplification_that_loses_a_fact_in_a_scenario(self):
        simplified = procedure([SUBMIT, {**LOOKUP, "next": ["decide"]}, DECIDE, ISSUE])
        problems = check_scenario(
            with_fallback_branch(),
            catalogue(),
            Scenario(DAY, missing_data=LACKS_MARRIAGE),
            simplified=simplified,
            properties=["simplification-sound"],
        )
        assert [(p.property, p.target) for p in problems] == [("simplification-sound", "decide")]

    def test_an_unknown_property_is_an_error(self):
        with pytest.raises(ValueError, match="unknown scenario properties: fast"):
            check_scenario(with_fallback_branch(), catalogue(), Scenario(DAY), properties=["fast"])


class TestSpaceAndStrategy:
    def test_the_space_lists_branches_partial_holdings_and_connection_dates(self):
        space = scenario_space(with_fallback_branch(), catalogue(), today=dt.date(2025, 1, 1))
        assert dict(space.branches) == {"lookup": ("decide", "verify")}
        assert space.partial_holdings == (("civil-status-db", "person.marital_status"),)
        assert space.dates == (dt.date(2025, 1, 1),)
        dated = procedure([s.model_dump(mode="json") for s in with_fallback_branch().steps], valid_from="2024-01-01")
        assert scenario_space(dated, catalogue(), today=dt.date(2025, 1, 1)).dates == (
            dt.date(2024, 1, 1),
            dt.date(2024, 5, 31),
            dt.date(2024, 6, 1),
            dt.date(2025, 1, 1),
        )

    def test_bad_arguments_raise_at_once(self):
        with pytest.raises(TypeError, match="procedure: expected a thutuc Procedure"):
            scenarios("birth-registration", catalogue())  # type: ignore[arg-type]

    @settings(max_examples=30)
    @given(scenarios(with_fallback_branch(), catalogue(), outages=True))
    def test_drawn_scenarios_stay_within_the_space(self, scenario: Scenario):
        space = scenario_space(with_fallback_branch(), catalogue())
        assert scenario.as_of in space.dates
        assert all(target in space.branches[s] for s, target in scenario.branches.items())
        assert scenario.missing_data <= set(space.partial_holdings)
        assert scenario.failed_sources <= set(space.sources)

    @settings(max_examples=30)
    @given(st.data())
    def test_every_built_in_property_holds_on_the_sound_example(self, data: st.DataObject):
        scenario = data.draw(scenarios(with_fallback_branch(), catalogue()))
        assert check_scenario(with_fallback_branch(), catalogue(), scenario, properties=PROPERTIES) == []


# The two properties docs/testing.md gives as examples of your own, from the template, on the shipped services.
SHIPPED = load_all(ROOT / "procedures" / "essential")
_spec = importlib.util.spec_from_file_location("reform_properties", TEMPLATE / "reform_properties.py")
assert _spec is not None
assert _spec.loader is not None
reform_properties = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reform_properties)
chip_card_holders_never_visit = reform_properties.chip_card_holders_never_visit
no_fact_asked_twice = reform_properties.no_fact_asked_twice


@pytest.mark.parametrize("procedure_id", ["birth-registration", "temporary-residence-registration"])
@settings(max_examples=40)
@given(data=st.data())
def test_chip_card_holders_never_visit_an_office(procedure_id: str, data: st.DataObject):
    procedure, catalogue = SHIPPED[procedure_id], SHIPPED.catalogue
    scenario = data.draw(scenarios(procedure, catalogue))
    assert chip_card_holders_never_visit(walk(procedure, catalogue, scenario)) == []


def test_a_chip_card_holder_visits_the_passport_office_in_some_scenario():
    procedure, catalogue = SHIPPED["ordinary-passport"], SHIPPED.catalogue
    space = scenario_space(procedure, catalogue)
    run = walk(procedure, catalogue, Scenario(space.dates[-1], electronic_id=True))
    assert chip_card_holders_never_visit(run) != []


@settings(max_examples=40)
@given(data=st.data())
def test_temporary_residence_never_asks_twice_for_a_fact(data: st.DataObject):
    procedure, catalogue = SHIPPED["temporary-residence-registration"], SHIPPED.catalogue
    scenario = data.draw(scenarios(procedure, catalogue))
    assert no_fact_asked_twice(walk(procedure, catalogue, scenario)) == []


def test_id_card_reissue_online_asks_twice_for_the_id_number():
    procedure, catalogue = SHIPPED["id-card-reissue"], SHIPPED.catalogue
    space = scenario_space(procedure, catalogue)
    online = Scenario(space.dates[-1], {"apply": "authenticate-vneid"})
    assert no_fact_asked_twice(walk(procedure, catalogue, online)) == [
        "applicant:person.id_number is asked 2 times (apply, authenticate-vneid)"
    ]
