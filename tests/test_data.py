"""The shipped procedures: valid, sourced, and with stable ids."""

from __future__ import annotations

import pytest

from thutuc import load_all, validate_paths
from thutuc.model import Confidence

from .conftest import ROOT

PROCEDURES = ROOT / "procedures"
# A rename is a visible change: update this list on purpose.
STABLE_IDS = {
    "birth-registration",
    "birth-registration-baseline",
    "birth-residence-health-insurance",
    "birth-residence-health-insurance-baseline",
    "camera-fine-payment",
    "criminal-record-certificate",
    "death-registration",
    "death-residence-funeral-allowance",
    "death-residence-funeral-allowance-baseline",
    "driving-licence",
    "electricity-contract-holder-change",
    "exam-and-admission-registration",
    "household-health-insurance-renewal",
    "household-individual-tax-registration",
    "id-card-reissue",
    "id-number-confirmation",
    "land-change-registration",
    "marriage-registration",
    "marriage-registration-baseline",
    "miniature-seal-registration",
    "motorcycle-registration",
    "new-low-voltage-electricity-connection",
    "new-seal-registration",
    "notification-of-stay",
    "ordinary-passport",
    "ordinary-passport-baseline",
    "permanent-residence-registration",
    "permanent-residence-registration-baseline",
    "temporary-absence-declaration",
    "temporary-residence-registration",
    "unemployment-benefit",
}


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


def test_each_of_the_25_services_appears_exactly_once_among_current_versions(shipped):
    numbers = sorted(p.service_number for p in shipped.procedures if p.status.value == "current")
    assert numbers == list(range(1, 26))


def test_baselines_are_marked_and_filed_apart(shipped):
    for procedure in shipped.procedures:
        folder = shipped.files[procedure.id].replace("\\", "/").split("/")[-2]
        assert folder == ("baselines" if procedure.status.value == "baseline" else "essential"), procedure.id


def test_every_baseline_has_a_current_version_of_its_service(shipped):
    current = {p.service_number for p in shipped.procedures if p.status.value == "current"}
    for procedure in shipped.procedures:
        if procedure.status.value == "baseline":
            assert procedure.service_number in current, procedure.id
            assert procedure.note, f"{procedure.id}: a baseline says in its note what was required then"


def test_baselines_exist_for_the_reformed_services(shipped):
    with_baseline = {p.service_number for p in shipped.procedures if p.status.value == "baseline"}
    assert with_baseline >= {3, 9, 11, 12, 15, 16}


def test_file_names_start_with_the_service_number(shipped):
    for procedure in shipped.procedures:
        name = shipped.files[procedure.id].replace("\\", "/").rsplit("/", 1)[-1]
        assert name.startswith(f"{procedure.service_number:02d}-"), name


def test_cost_parameters_are_sourced_or_marked_assumed(shipped):
    parameters = shipped.catalogue.cost_parameters
    assert {"hourly-income"} <= {c.id for c in parameters}
    for parameter in parameters:
        assert parameter.sources or parameter.basis.value == "assumed", parameter.id


def test_required_data_sources_are_in_the_catalogue(shipped):
    required = {
        "population-db",
        "residence-db",
        "civil-status-db",
        "insurance-db",
        "business-registration-db",
        "land-db",
        "judicial-records-db",
        "vehicle-registration-db",
        "driving-licence-db",
        "vneid-level-1",
        "vneid-level-2",
        "personal-data-warehouse",
        "payment-platform",
        "remote-signature",
        "public-postal-delivery",
    }
    assert required <= set(shipped.catalogue.data_source)
