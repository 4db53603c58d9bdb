"""The shared catalogue: agencies, facts, document types and data sources.

A reform team extends it with data, never with code; procedures refer to it by id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from functools import cached_property
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from thutuc.model.common import FactId, LegalRef, Name, NonEmptyText, Slug, Source, StrictModel

__all__ = [
    "Agency",
    "AgencyKind",
    "Catalogue",
    "CatalogueFile",
    "Connection",
    "CostBasis",
    "CostParameter",
    "Coverage",
    "DataSource",
    "DataSourceKind",
    "DocumentType",
    "Fact",
    "HeldFact",
]


class AgencyKind(StrEnum):
    """What sort of body an agency is."""

    AGENCY = "agency"  # a state body that decides (People's Committee, police)
    SERVICE_CENTRE = "service_centre"  # a one-stop desk that receives and returns
    PORTAL = "portal"  # a public-service portal or app
    SYSTEM = "system"  # an information system run by an agency
    ORGANISATION = "organisation"  # a non-state body (hospital, utility, post)


class Agency(StrictModel):
    """A kind of agency, portal or system that procedures involve and databases connect to."""

    id: Slug
    """Kebab-case id."""
    name: Name
    """Name of the agency, portal or system."""
    kind: AgencyKind
    """agency, service_centre, portal, system or organisation."""
    level: Literal["central", "provincial", "commune", "any"] = "any"
    """Level of government it sits at."""
    systems: list[Slug] = Field(default_factory=list)
    """Agency ids of the information systems its officers work in: data sources connected to one are reachable."""
    note: str | None = None
    """Anything a reader should know."""
    sources: list[Source] = Field(default_factory=list)
    """Where its role was read."""


class Fact(StrictModel):
    """One piece of information about a subject, named ``subject.attribute``."""

    id: FactId
    """'subject.attribute' in snake_case, e.g. 'person.marital_status'."""
    name: Name
    """What the fact is."""
    description: str | None = None
    """Its meaning, and the legal field it corresponds to."""
    event: bool = False
    """A life event (birth, death) that reaches the databases only once registered: the procedure that
    registers it cannot look it up first."""
    sources: list[Source] = Field(default_factory=list)
    """Where the field is defined."""

    @property
    def subject(self) -> str:
        """The subject kind the fact is about (``person`` for ``person.marital_status``)."""
        return self.id.split(".", 1)[0]


class DocumentType(StrictModel):
    """A kind of paper or electronic document and the facts it proves about its holder."""

    id: Slug
    """Kebab-case id."""
    name: Name
    """The document's usual name."""
    proves: list[FactId] = Field(min_length=1)
    """Facts the document proves about its holder."""
    declaration: bool = False
    """A form the applicant fills in (tờ khai, đơn): each fact it proves is a field they declare."""
    issuer: str | None = None
    """Who issues it."""
    legal_basis: list[LegalRef] = Field(default_factory=list)
    """Where the document is defined."""
    note: str | None = None
    """Anything a reader should know."""
    sources: list[Source] = Field(min_length=1)
    """Where the facts about it were read."""


class Coverage(StrEnum):
    """Whether a data source holds a fact for everyone or only part of the population."""

    FULL = "full"
    PARTIAL = "partial"


class HeldFact(StrictModel):
    """A fact a data source holds; ``partial`` coverage names who is left out."""

    fact: FactId
    """Fact id."""
    coverage: Coverage = Coverage.FULL
    """full, or partial when part of the population is missing."""
    condition: str | None = None
    """Who is covered, when coverage is partial."""


class Connection(StrictModel):
    """An agency, portal or system that can query a data source, and since when."""

    to: Slug = Field(description="Catalogue agency id.")
    since: dt.date | None = Field(default=None, description="Leave out when unknown.")
    until: dt.date | None = None
    """Date the connection ended, if it did."""
    legal_basis: list[LegalRef] = Field(default_factory=list)
    """The legal ground for sharing the data."""
    note: str | None = None
    """What is known of the connection."""
    sources: list[Source] = Field(default_factory=list)
    """Where the connection was reported."""


class DataSourceKind(StrEnum):
    """What a shared system offers: data, identity, payment, signature or delivery."""

    DATABASE = "database"
    IDENTITY = "identity"
    WAREHOUSE = "warehouse"
    PAYMENT = "payment"
    SIGNATURE = "signature"
    DELIVERY = "delivery"
    PLATFORM = "platform"


class DataSource(StrictModel):
    """A national database or shared system: what it holds, how it is queried, who reaches it."""

    id: Slug
    """Kebab-case id."""
    name: Name
    """Name of the database or system."""
    kind: DataSourceKind = DataSourceKind.DATABASE
    """database, identity, warehouse, payment, signature, delivery or platform."""
    operator: Slug | None = Field(default=None, description="Catalogue agency id of the operator.")
    holds: list[HeldFact] = Field(default_factory=list)
    """Facts it holds; a bare fact id means full coverage."""
    lookup_key: FactId | None = None
    """The fact it is queried by, usually 'person.id_number'."""
    connections: list[Connection] = Field(default_factory=list)
    """Agencies, portals and systems that can query it."""
    coverage_note: str | None = None
    """Gaps in coverage worth knowing."""
    legal_basis: list[LegalRef] = Field(min_length=1)
    """The law that sets it up and its fields."""
    note: str | None = None
    """Anything a reader should know."""
    sources: list[Source] = Field(min_length=1)
    """Where the facts about it were read."""

    @field_validator("holds", mode="before")
    @classmethod
    def _held_fact_shorthand(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"fact": item} if isinstance(item, str) else item for item in value]
        return value


class CostBasis(StrEnum):
    """Whether a cost parameter was read in a source or is an assumed default."""

    SOURCED = "sourced"
    ASSUMED = "assumed"


class CostParameter(StrictModel):
    """A parameter of the compliance-cost formula (Circular 02/2017/TT-VPCP, Art. 27)."""

    id: Slug
    """Kebab-case id, e.g. 'hourly-income'."""
    name: Name
    """What the parameter is."""
    value: float = Field(ge=0)
    """Its value, in ``unit``."""
    unit: NonEmptyText
    """Unit of the value, e.g. 'VND/hour', 'VND', 'hours'."""
    basis: CostBasis
    """sourced (read in a source) or assumed (a default a team should replace)."""
    legal_basis: list[LegalRef] = Field(default_factory=list)
    """The act that sets it, if any."""
    note: str | None = None
    """How the value was derived."""
    sources: list[Source] = Field(default_factory=list)
    """Where the value was read; required unless the value is assumed."""

    @model_validator(mode="after")
    def _sourced_values_cite_a_source(self) -> CostParameter:
        if self.basis is CostBasis.SOURCED and not self.sources:
            raise PydanticCustomError("sourced_without_source", "a 'sourced' value needs at least one source")
        if self.basis is CostBasis.ASSUMED and not self.note:
            raise PydanticCustomError("assumed_without_note", "an 'assumed' value needs a note saying how it was set")
        return self


class CatalogueFile(StrictModel):
    """One YAML file of the catalogue; a catalogue folder may split entries over several."""

    kind: Literal["catalogue"]
    """Always 'catalogue'."""
    agencies: list[Agency] = Field(default_factory=list)
    """Agencies, portals and systems."""
    facts: list[Fact] = Field(default_factory=list)
    """Facts, by 'subject.attribute'."""
    document_types: list[DocumentType] = Field(default_factory=list)
    """Document types."""
    data_sources: list[DataSource] = Field(default_factory=list)
    """National databases and shared systems."""
    cost_parameters: list[CostParameter] = Field(default_factory=list)
    """Parameters of the compliance-cost formula."""


class Catalogue(StrictModel):
    """Every catalogue entry in force, merged from one or more catalogue files."""

    agencies: tuple[Agency, ...] = ()
    facts: tuple[Fact, ...] = ()
    document_types: tuple[DocumentType, ...] = ()
    data_sources: tuple[DataSource, ...] = ()
    cost_parameters: tuple[CostParameter, ...] = ()

    @classmethod
    def merge(cls, files: list[CatalogueFile]) -> Catalogue:
        """One catalogue from several files, in the order given."""
        return cls(
            agencies=tuple(a for f in files for a in f.agencies),
            facts=tuple(x for f in files for x in f.facts),
            document_types=tuple(d for f in files for d in f.document_types),
            data_sources=tuple(s for f in files for s in f.data_sources),
            cost_parameters=tuple(c for f in files for c in f.cost_parameters),
        )

    @cached_property
    def agency(self) -> dict[str, Agency]:
        """Agencies by id."""
        return {a.id: a for a in self.agencies}

    @cached_property
    def fact(self) -> dict[str, Fact]:
        """Facts by id."""
        return {f.id: f for f in self.facts}

    @cached_property
    def document_type(self) -> dict[str, DocumentType]:
        """Document types by id."""
        return {d.id: d for d in self.document_types}

    @cached_property
    def data_source(self) -> dict[str, DataSource]:
        """Data sources by id."""
        return {s.id: s for s in self.data_sources}

    @cached_property
    def cost_parameter(self) -> dict[str, CostParameter]:
        """Cost parameters by id."""
        return {c.id: c for c in self.cost_parameters}

    @cached_property
    def subjects(self) -> frozenset[str]:
        """The subject kinds the facts are about."""
        return frozenset(f.subject for f in self.facts)

    def proved_whichever(self, alternatives: Iterable[Iterable[str]]) -> set[str]:
        """The facts proved whichever alternative set of document types the applicant brings.

        Unknown document types prove nothing; no alternative at all proves nothing.

        Examples
        --------
        >>> from thutuc.testing.examples import tiny_catalogue
        >>> catalogue = tiny_catalogue()
        >>> sorted(catalogue.proved_whichever([["id-card"]]))
        ['person.id_number', 'person.identity']
        >>> catalogue.proved_whichever([["id-card"], ["no-such-type"]])
        set()
        """
        sets = [
            {fact for t in alternative if t in self.document_type for fact in self.document_type[t].proves}
            for alternative in alternatives
        ]
        return set.intersection(*sets) if sets else set()
