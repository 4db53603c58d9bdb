"""The shipped procedures: valid, sourced, and with stable ids."""

from __future__ import annotations

import pytest

from thutuc import load_all, validate_paths
from thutuc.model import Confidence

from .conftest import ROOT

PROCEDURES = ROOT / "procedures"
# A rename is a visible change: update this list on purpose.
STABLE_IDS = {"birth-registration", "marriage-registration", "permanent-residence-registration"}


@pytest.fixture(scope="module")
def shipped():
    return load_all(PROCEDURES)


def test_every_file_validates():
    report = validate_paths([PROCEDURES])
    assert report.ok, "\n".join(p.format() for p in report.problems)


def test_ids_are_stable(shipped):
    assert {p.id for p in shipped.procedures} == STABLE_IDS


def test_every_procedure_cites_law_and_sources(shipped):
    for procedure in shipped.procedures:
        assert procedure.legal_basis, procedure.id
        assert procedure.sources, procedure.id
        assert all(s.url.startswith("http") for s in procedure.sources), procedure.id


def test_every_catalogue_entry_with_evidence_cites_it(shipped):
    catalogue = shipped.catalogue
    for entry in (*catalogue.document_types, *catalogue.data_sources):
        assert entry.sources, entry.id
    for source in catalogue.data_sources:
        assert source.legal_basis, source.id


def test_inferred_sources_say_why(shipped):
    entries = [*shipped.procedures, *shipped.catalogue.document_types, *shipped.catalogue.data_sources]
    for entry in entries:
        for source in entry.sources:
            if source.confidence is Confidence.INFERRED:
                assert source.note, f"{entry.id}: an inferred source needs a note saying why"


def test_service_numbers_are_unique_among_current_versions(shipped):
    numbers = [p.service_number for p in shipped.procedures if p.status.value == "current" and p.service_number]
    assert len(numbers) == len(set(numbers))


def test_codes_are_written_as_text_with_their_digits(shipped):
    codes = {p.id: p.code for p in shipped.procedures}
    assert codes["birth-registration"] == "1.001193"
    assert codes["permanent-residence-registration"] == "1.004222"
