"""simplify and diff on the benchmarks' synthetic catalogue: larger and more tangled flows than the strategies draw.

This catalogue found lookups placed where a branch went around them, a fallback made again on every
pass, and step days compared with a legal time limit; each procedure must simplify soundly, once. Its
large procedures found a diff comparing every renamed step with every other.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import random

import pytest

import thutuc.diff as diff_module
from thutuc.analysis.findings import AnalysisOptions
from thutuc.model import Catalogue, Procedure
from thutuc.soundness import check
from thutuc.testing.examples import tiny_catalogue, tiny_procedure
from thutuc.transform import _Draft, _Place, simplify

from .conftest import ROOT, every_pass_validated_in_full, every_skipped_finding_applied

AS_OF = dt.date(2026, 1, 1)
PROCEDURES = 120


def _synthetic():
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "benchmarks" / "synthetic.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def catalogue_and_generator():
    synthetic = _synthetic()
    data = {k: v for k, v in synthetic.catalogue_data().items() if k != "kind"}
    return Catalogue.model_validate(data), synthetic.procedure_data


@pytest.mark.parametrize("seed", range(PROCEDURES))
def test_a_synthetic_procedure_simplifies_soundly_and_once(catalogue_and_generator, seed: int):
    catalogue, procedure_data = catalogue_and_generator
    procedure = Procedure.model_validate(procedure_data(seed))
    once = simplify(procedure, catalogue=catalogue, as_of=AS_OF)
    assert check(procedure, once.procedure, catalogue) == []
    assert simplify(once.procedure, catalogue=catalogue, as_of=AS_OF).procedure == once.procedure
    made_fallback = [e.target for e in once.trace if e.change.value == "document-made-fallback"]
    assert len(made_fallback) == len(set(made_fallback)), "a document is made a fallback once"


@pytest.mark.parametrize("seed", range(0, PROCEDURES, 3))
def test_edits_keep_the_drafts_flow_order_and_dominators_as_if_rebuilt(catalogue_and_generator, seed: int):
    """Inserting and contracting steps updates the draft's flow, order, starts and dominator tree in place;
    each must equal what its data gives when built afresh."""
    catalogue, procedure_data = catalogue_and_generator
    procedure = Procedure.model_validate(procedure_data(seed))
    draft = _Draft(procedure, catalogue, AnalysisOptions(as_of=AS_OF))
    draft.dominators()
    draft.incoming()
    rng = random.Random(seed)
    for number in range(6):
        step_ids = [s["id"] for s in draft.steps()]
        if number % 3 == 2:
            draft.contract(rng.choice(step_ids))
        else:
            new_step = {"id": f"inserted-{number}", "name": {"vi": "Chèn"}, "actor": draft.steps()[0]["actor"]}
            draft.insert(new_step, _Place(rng.choice(step_ids), after=number % 3 == 1))
        edited = (set(draft.forward()[0].edges), list(draft.forward()[1]), list(draft.starts()), draft.dominators())
        incoming = {k: set(v) for k, v in draft.incoming().items()}
        draft._forward, draft._dominators, draft._incoming = None, None, None
        forward, _ = draft.forward()
        assert edited[0] == set(forward.edges)
        position = {step_id: i for i, step_id in enumerate(edited[1])}
        assert sorted(position) == sorted(forward.nodes)
        assert all(position[a] < position[b] for a, b in forward.edges), "the kept order is a flow order"
        assert sorted(edited[2]) == sorted(draft.starts())
        assert incoming == draft.incoming()
        rebuilt = draft.dominators()
        nodes = list(forward.nodes)
        assert edited[3].immediate == rebuilt.immediate
        assert [[edited[3].dominates(a, b) for b in nodes] for a in nodes] == [
            [rebuilt.dominates(a, b) for b in nodes] for a in nodes
        ]
        some = rng.sample(nodes, min(3, len(nodes)))
        assert edited[3].nearest_common(some) == rebuilt.nearest_common(some)


@pytest.fixture
def compared_names(monkeypatch) -> list[tuple[str, str]]:
    """The pairs of names the diff compares from now on."""
    compared: list[tuple[str, str]] = []
    real_ratio = diff_module._ratio

    def counted(a: str, b: str) -> float:
        compared.append((a, b))
        return real_ratio(a, b)

    monkeypatch.setattr(diff_module, "_ratio", counted)
    return compared


def test_renaming_every_step_of_a_large_procedure_is_found_with_comparisons_growing_with_the_steps(
    catalogue_and_generator, compared_names
):
    catalogue, procedure_data = catalogue_and_generator
    data = procedure_data(7, steps=400, documents=20)
    before = Procedure.model_validate(data)
    text = json.dumps(data)
    for step in sorted(before.steps, key=lambda s: len(s.id), reverse=True):
        text = text.replace(f'"{step.id}"', f'"renamed-{step.id}"')
    after = Procedure.model_validate(json.loads(text))
    renamed = {
        c.old_id: c.id for c in diff_module.diff(before, after, catalogue=catalogue).changes if c.kind == "renamed"
    }
    assert renamed == {s.id: f"renamed-{s.id}" for s in before.steps}
    assert len(before.steps) ** 2 > diff_module._ALL_PAIRS, "beyond the size where every pair is compared"
    assert len(compared_names) <= len(before.steps) * 4 * (diff_module._NEIGHBOURS + 1)


def test_names_of_pairs_that_cannot_match_are_not_compared_and_the_diff_is_the_same(
    catalogue_and_generator, compared_names, monkeypatch
):
    catalogue, procedure_data = catalogue_and_generator
    pairs = [
        (before, simplify(before, catalogue=catalogue, as_of=AS_OF).procedure)
        for before in (Procedure.model_validate(procedure_data(seed)) for seed in range(20))
    ]
    pruned = [diff_module.diff(before, after, catalogue=catalogue) for before, after in pairs]
    pruned_comparisons = len(compared_names)
    monkeypatch.setattr(diff_module, "_unmatchable", lambda rest, names_weight: False)
    assert [diff_module.diff(before, after, catalogue=catalogue) for before, after in pairs] == pruned
    assert pruned_comparisons < len(compared_names) - pruned_comparisons


def test_each_pass_reuses_only_what_no_edit_changed_and_skips_only_what_changes_nothing(
    catalogue_and_generator, shipped_set
):
    catalogue, procedure_data = catalogue_and_generator
    pairs = [(Procedure.model_validate(procedure_data(seed)), catalogue) for seed in range(PROCEDURES)]
    pairs += [(p, shipped_set.catalogue) for p in shipped_set.procedures]
    with every_pass_validated_in_full() as checked, every_skipped_finding_applied() as skipped:
        for procedure, known in pairs:
            simplify(procedure, catalogue=known, as_of=AS_OF)
    assert len(set(checked)) > PROCEDURES  # the check ran, on most of them
    assert "once-only.conditional" in skipped


@pytest.mark.parametrize("edit", ["add_consumed", "add_provided"])
def test_a_drafts_edit_of_a_step_is_in_the_procedure_it_validates(edit: str):
    # Each edit method marks the step it changes; a step no edit marked is the original's own model.
    procedure, catalogue = tiny_procedure(), tiny_catalogue()
    draft = _Draft(procedure, catalogue, AnalysisOptions(as_of=AS_OF))
    decide = draft.step("decide")
    assert decide is not None
    if edit == "add_consumed":
        assert draft.add_consumed(decide, "id-card")
    else:
        assert draft.add_provided(decide, "applicant", "person.full_name")
    result = draft.validated()
    assert result == Procedure.model_validate(draft.data)
    assert result.step["decide"] != procedure.step["decide"]
    assert result.step["issue"] is procedure.step["issue"]
