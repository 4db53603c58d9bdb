"""Small, valid example models for doctests, tutorials and users' own tests.

They are built in code so that they need no file on disk.
"""

from __future__ import annotations

from thutuc.model import Catalogue, Procedure

__all__ = ["tiny_catalogue", "tiny_procedure"]

_SOURCE = {"url": "https://example.org/thutuc/tiny", "confidence": "inferred", "note": "made-up example"}


def tiny_catalogue() -> Catalogue:
    """A catalogue with two facts, one document type and one data source."""
    return Catalogue.model_validate(
        {
            "agencies": [{"id": "commune-office", "name": {"vi": "UBND xã", "en": "Commune office"}, "kind": "agency"}],
            "facts": [
                {"id": "person.identity", "name": {"vi": "Nhân thân", "en": "Identity"}},
                {"id": "person.id_number", "name": {"vi": "Số định danh", "en": "Personal ID number"}},
            ],
            "document_types": [
                {
                    "id": "id-card",
                    "name": {"vi": "Thẻ căn cước", "en": "ID card"},
                    "proves": ["person.identity", "person.id_number"],
                    "sources": [_SOURCE],
                }
            ],
            "data_sources": [
                {
                    "id": "population-db",
                    "name": {"vi": "CSDL dân cư", "en": "Population database"},
                    "holds": ["person.identity", "person.id_number"],
                    "lookup_key": "person.id_number",
                    "connections": [{"to": "commune-office", "since": "2023-01-01"}],
                    "legal_basis": [{"document": "Example law 1/2020"}],
                    "sources": [_SOURCE],
                }
            ],
        }
    )


def tiny_procedure() -> Procedure:
    """A three-step procedure: the citizen submits, the office decides and issues."""
    return Procedure.model_validate(
        {
            "kind": "procedure",
            "id": "tiny-certificate",
            "name": {"vi": "Cấp giấy xác nhận", "en": "Issue a certificate"},
            "level": "commune",
            "agency": "office",
            "legal_basis": [{"document": "Example law 1/2020", "article": "Art. 1"}],
            "roles": [{"id": "applicant", "subject": "person"}],
            "actors": [
                {"id": "citizen", "name": {"vi": "Công dân", "en": "Citizen"}, "kind": "citizen"},
                {"id": "office", "name": {"vi": "UBND xã"}, "kind": "agency", "agency": "commune-office"},
            ],
            "documents": [{"id": "id-card", "document_type": "id-card", "mode": "shown"}],
            "steps": [
                {
                    "id": "submit",
                    "name": {"vi": "Nộp hồ sơ"},
                    "actor": "citizen",
                    "kind": "submit",
                    "channels": ["in_person"],
                    "consumes": ["id-card"],
                    "next": ["decide"],
                },
                {
                    "id": "decide",
                    "name": {"vi": "Xét duyệt"},
                    "actor": "office",
                    "kind": "decide",
                    "needs": {"applicant": ["person.identity"]},
                    "next": ["issue"],
                },
                {"id": "issue", "name": {"vi": "Trả kết quả"}, "actor": "office", "kind": "issue"},
            ],
            "sources": [_SOURCE],
        }
    )
