"""simplify and diff on the shipped services: sound results, and baselines that read as the reforms."""

from __future__ import annotations

import datetime as dt

import pytest

from thutuc import check_procedure, dumps, loads
from thutuc.diff import diff, gate
from thutuc.io import ProcedureSet, load_all
from thutuc.soundness import check
from thutuc.transform import simplify

from .conftest import ROOT

AS_OF = dt.date(2026, 11, 28)
SHIPPED = load_all(ROOT / "procedures")
CURRENT = sorted(p.id for p in SHIPPED.procedures if p.status.value == "current")


@pytest.fixture(scope="module")
def shipped() -> ProcedureSet:
    return SHIPPED


@pytest.mark.parametrize("procedure_id", CURRENT)
def test_simplifying_a_service_gives_a_valid_and_sound_file(shipped: ProcedureSet, procedure_id: str):
    procedure = shipped[procedure_id]
    result = simplify(procedure, catalogue=shipped.catalogue, as_of=AS_OF).procedure
    reloaded = loads(dumps(result), catalogue=shipped.catalogue)
    assert check_procedure(reloaded, shipped.catalogue) == []
    assert check(procedure, reloaded, shipped.catalogue) == []


@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        (
            "birth-registration-baseline",
            "birth-registration",
            {"document dropped, now retrieved from population-db", "document made a fallback", "channel moved online"},
        ),
        (
            "birth-residence-health-insurance-baseline",
            "birth-residence-health-insurance",
            {
                "document dropped, now retrieved from population-db",
                "separate submission merged",
                "presence removed",
                "channel moved online",
            },
        ),
        (
            "death-residence-funeral-allowance-baseline",
            "death-residence-funeral-allowance",
            {"document dropped, now retrieved from population-db", "presence removed", "channel moved online"},
        ),
        (
            "marriage-registration-baseline",
            "marriage-registration",
            {"document dropped, now retrieved from population-db", "channel moved online"},
        ),
        (
            "permanent-residence-registration-baseline",
            "permanent-residence-registration",
            {"document dropped, now retrieved from population-db", "channel moved online"},
        ),
    ],
)
def test_the_diff_of_a_baseline_reads_as_the_official_reform(
    shipped: ProcedureSet, baseline: str, current: str, expected: set[str]
):
    result = diff(shipped[baseline], shipped[current], catalogue=shipped.catalogue)
    assert expected <= set(result.reforms())
    assert result.deltas["visits"] < 0
    assert result.deltas["documents"] < 0


def test_the_linked_groups_diff_shows_the_household_book_and_the_separate_submissions_gone(shipped: ProcedureSet):
    result = diff(
        shipped["birth-residence-health-insurance-baseline"],
        shipped["birth-residence-health-insurance"],
        catalogue=shipped.catalogue,
    )
    removed = {c.id for c in result.changes if c.kind == "removed"}
    assert {"parents-residence-proof", "submit-residence", "submit-hi-declaration"} <= removed


@pytest.mark.parametrize("procedure_id", ["birth-registration-baseline", "birth-residence-health-insurance-baseline"])
def test_the_gate_passes_the_simplification_of_a_baseline(shipped: ProcedureSet, procedure_id: str):
    procedure = shipped[procedure_id]
    result = simplify(procedure, catalogue=shipped.catalogue, as_of=AS_OF).procedure
    changes = diff(procedure, result, catalogue=shipped.catalogue)
    conditions = ["burden-increase", "readiness-decrease", "document-added", "visit-added", "presence-added"]
    assert gate(changes, conditions) == []
