"""check_procedure: references, ids, flow shape and fact supply, on small inline procedures."""

from __future__ import annotations

from typing import Any

from thutuc.checks import check_procedure
from thutuc.model import Catalogue, Procedure
from thutuc.testing.examples import tiny_catalogue, tiny_procedure


def variant(**changes: Any) -> Procedure:
    data = tiny_procedure().model_dump(mode="json")
    data.update(changes)
    return Procedure.model_validate(data)


def steps(*specs: tuple[str, list[Any]], kind: str = "check") -> list[dict[str, Any]]:
    """Steps named by id with their 'next'; the first is a submit step."""
    return [
        {"id": sid, "name": {"vi": sid}, "actor": "office", "kind": "submit" if i == 0 else kind, "next": nxt}
        for i, (sid, nxt) in enumerate(specs)
    ]


def found(procedure: Procedure, catalogue: Catalogue | None = None) -> list[tuple[str, tuple]]:
    return [(p.code.slug, p.path) for p in check_procedure(procedure, catalogue or tiny_catalogue())]


class TestReferences:
    def test_clean(self):
        assert found(tiny_procedure()) == []

    def test_unknown_actor_with_hint(self):
        [problem] = check_procedure(variant(agency="ofice"), tiny_catalogue())
        assert (problem.code.slug, problem.hint, problem.path) == (
            "unknown-actor",
            "did you mean 'office'?",
            ("agency",),
        )

    def test_unknown_document_type_in_alternatives(self):
        documents = [{"id": "id-card", "any_of": [["id-card"], ["passport"]]}]
        assert found(variant(documents=documents)) == [("unknown-document-type", ("documents", 0, "any_of", 1, 0))]

    def test_unknown_data_source_and_result(self):
        data = tiny_procedure().model_dump(mode="json")
        data["steps"][1].update(kind="lookup", data_source="populaton-db", produces=["certificate"])
        assert found(Procedure.model_validate(data)) == [
            ("unknown-data-source", ("steps", 1, "data_source")),
            ("unknown-result", ("steps", 1, "produces", 0)),
        ]

    def test_unknown_agency(self):
        data = tiny_procedure().model_dump(mode="json")
        data["actors"][1]["agency"] = "commune"
        assert found(Procedure.model_validate(data)) == [("unknown-agency", ("actors", 1, "agency"))]

    def test_subject_kind_of_a_role_must_exist(self):
        assert found(variant(roles=[{"id": "applicant", "subject": "persn"}])) == [
            ("invalid-value", ("roles", 0, "subject"))
        ]


class TestIds:
    def test_duplicate_step_ids(self):
        data = tiny_procedure().model_dump(mode="json")
        data["documents"].append(dict(data["documents"][0]))
        assert found(Procedure.model_validate(data)) == [("duplicate-id", ("documents", 1, "id"))]


class TestFlow:
    def test_several_starts(self):
        procedure = variant(steps=steps(("a", ["c"]), ("b", ["c"]), ("c", [])))
        assert found(procedure) == [("several-starts", ("steps", 1, "id"))]

    def test_declared_loop_is_fine(self):
        procedure = variant(steps=steps(("a", ["b"]), ("b", ["c", {"to": "a", "loop": True}]), ("c", [])))
        assert found(procedure) == []

    def test_undeclared_cycle_points_at_the_back_edge(self):
        procedure = variant(steps=steps(("a", ["b"]), ("b", ["c"]), ("c", ["d", "b"]), ("d", [])))
        [problem] = check_procedure(procedure, tiny_catalogue())
        assert (problem.code.slug, problem.path) == ("undeclared-cycle", ("steps", 2, "next", 1))
        assert "b -> c -> b" in problem.message

    def test_no_start_when_everything_loops(self):
        procedure = variant(steps=steps(("a", ["b"]), ("b", ["a"])))
        assert found(procedure) == [("no-start", ("steps", 0))]

    def test_unreached_cycle_is_unreachable_only(self):
        procedure = variant(steps=steps(("a", ["d"]), ("b", ["c"]), ("c", ["b", "d"]), ("d", [])))
        assert found(procedure) == [("unreachable-step", ("steps", 1, "id")), ("unreachable-step", ("steps", 2, "id"))]

    def test_loop_without_exit_is_a_dead_end(self):
        procedure = variant(steps=steps(("a", ["b", "d"]), ("b", ["c"]), ("c", [{"to": "b", "loop": True}]), ("d", [])))
        assert found(procedure) == [("dead-end", ("steps", 1, "id")), ("dead-end", ("steps", 2, "id"))]

    def test_unknown_step_stops_the_flow_checks(self):
        procedure = variant(steps=steps(("a", ["bb"]), ("b", [])))
        assert found(procedure) == [("unknown-step", ("steps", 0, "next", 0, "to"))]


class TestFactSupply:
    def test_unsupplied_fact(self):
        assert found(variant(documents=[])) == [
            ("unknown-document", ("steps", 0, "consumes", 0)),
            ("unsupplied-fact", ("steps", 1, "needs", "applicant", 0)),
        ]

    def test_a_lookup_supplies_facts(self):
        data = tiny_procedure().model_dump(mode="json")
        data["documents"] = []
        data["steps"][0]["consumes"] = []
        data["steps"][0]["next"] = ["lookup"]
        data["steps"].insert(
            1,
            {
                "id": "lookup",
                "name": {"vi": "Tra cứu"},
                "actor": "office",
                "kind": "lookup",
                "data_source": "population-db",
                "provides": {"applicant": ["person.identity"]},
                "next": ["decide"],
            },
        )
        assert found(Procedure.model_validate(data)) == []

    def test_every_alternative_must_prove_the_fact(self):
        catalogue = tiny_catalogue().model_dump(mode="json")
        catalogue["document_types"].append(
            {
                "id": "number-slip",
                "name": {"vi": "Phiếu"},
                "proves": ["person.id_number"],
                "sources": [{"url": "u", "confidence": "inferred"}],
            }
        )
        documents = [{"id": "id-card", "any_of": [["id-card"], ["number-slip"]]}]
        assert found(variant(documents=documents), Catalogue.model_validate(catalogue)) == [
            ("unsupplied-fact", ("steps", 1, "needs", "applicant", 0))
        ]

    def test_subject_mismatch_is_reported_once(self):
        catalogue = tiny_catalogue().model_dump(mode="json")
        catalogue["facts"].append({"id": "vehicle.owner", "name": {"vi": "Chủ xe"}})
        data = tiny_procedure().model_dump(mode="json")
        data["steps"][1]["needs"] = {"applicant": ["vehicle.owner"]}
        assert found(Procedure.model_validate(data), Catalogue.model_validate(catalogue)) == [
            ("subject-mismatch", ("steps", 1, "needs", "applicant", 0))
        ]
