"""The procedure model: actors, roles, the dossier, steps and their flow.

One procedure per YAML file; cross-references are checked by ``thutuc.checks``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from functools import cached_property
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from thutuc.model.common import Duration, FactId, LegalRef, Name, Slug, Source, StrictModel

__all__ = [
    "Actor",
    "ActorKind",
    "Channel",
    "DocumentForm",
    "DocumentRequirement",
    "Fee",
    "Level",
    "OnlineLevel",
    "OnlineStatus",
    "Presence",
    "Procedure",
    "ProcedureStatus",
    "Result",
    "Role",
    "Step",
    "StepKind",
    "SubmissionMode",
    "Transition",
    "Volume",
]


class StepKind(StrEnum):
    """The small typology of steps that makes "decides nothing" decidable."""

    SUBMIT = "submit"
    RECEIVE = "receive"
    CHECK = "check"
    TRANSFER = "transfer"
    CONSULT = "consult"
    DECIDE = "decide"
    SIGN = "sign"
    PAY = "pay"
    APPEAR = "appear"
    ISSUE = "issue"
    DELIVER = "deliver"
    NOTIFY = "notify"
    LOOKUP = "lookup"
    PUBLISH = "publish"


class Channel(StrEnum):
    """How a step can be done."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    POST = "post"
    SYSTEM = "system"  # between information systems, no person involved


class Presence(StrEnum):
    """Burdens a step puts on the citizen that keep a service offline."""

    PRESENCE = "presence"
    WET_SIGNATURE = "wet_signature"
    CASH = "cash"
    PAPER_ORIGINAL = "paper_original"


class ActorKind(StrEnum):
    """Who acts in a step: the citizen, an office, or a system."""

    CITIZEN = "citizen"
    AGENCY = "agency"
    OFFICER = "officer"
    SYSTEM = "system"
    ORGANISATION = "organisation"


class Level(StrEnum):
    """The level of government that handles a procedure."""

    CENTRAL = "central"
    PROVINCIAL = "provincial"
    DISTRICT = "district"
    COMMUNE = "commune"


class DocumentForm(StrEnum):
    """The form in which a document is asked for."""

    ORIGINAL = "original"
    CERTIFIED_COPY = "certified_copy"
    PLAIN_COPY = "plain_copy"
    ELECTRONIC = "electronic"


class SubmissionMode(StrEnum):
    """How a document reaches the agency."""

    SUBMITTED = "submitted"  # nộp: handed over and kept
    SHOWN = "shown"  # xuất trình: shown, checked and handed back
    UPLOADED = "uploaded"  # tải lên: scanned or e-copy attached online
    RETRIEVED = "retrieved"  # khai thác: the officer queries a data source


class ProcedureStatus(StrEnum):
    """Whether a file models the version in force or an earlier baseline."""

    CURRENT = "current"
    BASELINE = "baseline"


class OnlineLevel(StrEnum):
    """Online level as officially declared (Decree 42/2022, Art. 11)."""

    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"
    UNKNOWN = "unknown"


class Role(StrictModel):
    """Who a fact is about inside one procedure (applicant, child, mother...)."""

    id: Slug
    """Kebab-case id: applicant, child, mother, deceased, spouse..."""
    subject: Slug = Field(description="Subject kind, e.g. 'person'.")
    name: Name | None = None
    """Who the role is, in words."""


class Actor(StrictModel):
    """A lane of the procedure: the citizen, an office, an officer or a system."""

    id: Slug
    """Kebab-case id."""
    name: Name
    """Name of the lane."""
    kind: ActorKind
    """citizen, agency, officer, system or organisation."""
    agency: Slug | None = Field(default=None, description="Catalogue agency id this actor belongs to.")


class DocumentRequirement(StrictModel):
    """A document of the dossier: one document type, or alternative sets of them."""

    id: Slug
    """Kebab-case id, unique in the dossier."""
    name: Name | None = None
    """Name as the procedure states it, when it differs from the type's."""
    document_type: Slug | None = None
    """Catalogue document type (or give 'any_of')."""
    any_of: list[list[Slug]] | None = Field(
        default=None,
        description="Alternative sets of document types: any one set satisfies the requirement.",
    )
    about: Slug = Field(default="applicant", description="Role the document is about.")
    form: DocumentForm = DocumentForm.ORIGINAL
    """original, certified_copy, plain_copy or electronic."""
    mode: SubmissionMode = SubmissionMode.SUBMITTED
    """submitted, shown, uploaded or retrieved (by the officer from a data source)."""
    copies: int = Field(default=1, ge=1, le=100)
    """Number of copies."""
    condition: str | None = Field(default=None, description="When given, the document is conditional.")
    prefilled: list[FactId] = Field(
        default_factory=list,
        description="For a form: facts the system fills in from a data source; the applicant only checks them.",
    )
    legal_basis: list[LegalRef] = Field(default_factory=list)
    """Where the law asks for it."""
    note: str | None = None
    """Anything a reader should know."""

    @model_validator(mode="after")
    def _one_way_to_name_the_document(self) -> DocumentRequirement:
        if (self.document_type is None) == (self.any_of is None):
            raise PydanticCustomError(
                "document_or_any_of",
                "give either 'document_type' or 'any_of', not both and not neither",
            )
        if self.any_of is not None and (not self.any_of or not all(self.any_of)):
            raise PydanticCustomError("empty_alternative", "'any_of' needs at least one set, and no set may be empty")
        return self

    @property
    def alternatives(self) -> list[list[str]]:
        """The document-type sets that satisfy the requirement (one set for a single type)."""
        return self.any_of if self.any_of is not None else [[self.document_type or ""]]


class Transition(StrictModel):
    """An edge of the flow, with an optional condition; ``loop`` marks a declared return."""

    to: Slug
    """Id of the next step."""
    condition: str | None = None
    """When this transition is taken, in words."""
    loop: bool = False
    """True for a declared return, e.g. for supplement."""


class Step(StrictModel):
    """One step: who does what, how, with which documents and facts."""

    id: Slug
    """Kebab-case id, unique in the procedure."""
    name: Name
    """What happens, in words."""
    actor: Slug
    """Actor id: the lane the step is in."""
    kind: StepKind
    """The kind of step; see StepKind."""
    channels: list[Channel] = Field(default_factory=list)
    """in_person, online, post or system."""
    duration: Duration | None = None
    """How long the step may take."""
    consumes: list[Slug] = Field(default_factory=list, description="Dossier document ids.")
    needs: dict[Slug, list[FactId]] = Field(default_factory=dict, description="Facts the step needs, by role.")
    provides: dict[Slug, list[FactId]] = Field(
        default_factory=dict, description="Facts the step establishes or retrieves, by role."
    )
    data_source: Slug | None = Field(default=None, description="Catalogue data source queried.")
    produces: list[Slug] = Field(default_factory=list, description="Result ids.")
    requires: list[Presence] = Field(default_factory=list)
    """presence, wet_signature, cash or paper_original."""
    mandated: bool = Field(default=False, description="The law requires this step as such.")
    legal_basis: list[LegalRef] = Field(default_factory=list)
    """Where the law sets the step."""
    next: list[Transition] = Field(default_factory=list)
    """Following steps: ids, or {to, condition, loop}. No 'next' makes an end."""
    note: str | None = None
    """Anything a reader should know; say here when the step is inferred."""

    @field_validator("next", mode="before")
    @classmethod
    def _transition_shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            return [{"to": item} if isinstance(item, str) else item for item in value]
        return value

    @model_validator(mode="after")
    def _lookup_names_its_source(self) -> Step:
        if self.kind is StepKind.LOOKUP and self.data_source is None:
            raise PydanticCustomError("lookup_without_source", "a 'lookup' step must name its 'data_source'")
        return self


class Fee(StrictModel):
    """A fee or charge; leave the fee out when its amount is not known."""

    name: Name
    """What the fee is for."""
    amount_vnd: int = Field(ge=0)
    """Amount in VND; 0 when exempt."""
    channel: Channel | None = None
    """The channel it applies to, when it differs by channel."""
    condition: str | None = None
    """When it applies."""
    legal_basis: list[LegalRef] = Field(default_factory=list)
    """The act that sets the amount."""
    note: str | None = None
    """Anything a reader should know."""


class Result(StrictModel):
    """What the procedure gives the citizen."""

    id: Slug
    """Kebab-case id."""
    name: Name
    """What the citizen receives."""
    document_type: Slug | None = None
    """Catalogue document type of the result."""
    electronic: bool = Field(default=False, description="Issued as an electronic result.")


class OnlineStatus(StrictModel):
    """The online level as officially declared, with where it was read."""

    level: OnlineLevel
    """full, partial, none or unknown."""
    note: str | None = None
    """Discrepancies between sources, if any."""
    sources: list[Source] = Field(default_factory=list)
    """Where the status was read."""


class Volume(StrictModel):
    """How many applications a year, for the yearly compliance cost (Circular 02/2017/TT-VPCP, Art. 27)."""

    per_year: int = Field(ge=1)
    """Applications a year: times each subject applies, times the subjects."""
    year: int | None = Field(default=None, ge=1900, le=2100)
    """The year the figure is for."""
    note: str | None = None
    """How the figure was derived."""
    sources: list[Source] = Field(min_length=1)
    """Where the figure was read."""


class Procedure(StrictModel):
    """An administrative procedure as a graph of steps with the dossier each step needs."""

    kind: Literal["procedure"]
    """Always 'procedure'."""
    id: Slug
    """Kebab-case id, unique among procedures."""
    code: str | None = Field(default=None, description="Official code in the national database.")
    service_number: int | None = Field(
        default=None, ge=1, le=25, description="Number in the list of 25 essential services."
    )
    name: Name
    """Official name."""
    status: ProcedureStatus = ProcedureStatus.CURRENT
    """current (in force) or baseline (an earlier version)."""
    valid_from: dt.date | None = None
    """Date this version took effect."""
    valid_until: dt.date | None = None
    """Date this version ceased to apply."""
    level: Level
    """central, provincial, district or commune."""
    agency: Slug = Field(description="Actor id of the competent agency.")
    online_status: OnlineStatus | None = None
    """Online level as officially declared."""
    legal_basis: list[LegalRef] = Field(min_length=1)
    """The acts that set the procedure."""
    roles: list[Role] = Field(min_length=1)
    """Who facts are about."""
    actors: list[Actor] = Field(min_length=1)
    """Lanes: the citizen, offices, officers and systems."""
    documents: list[DocumentRequirement] = Field(default_factory=list)
    """The dossier."""
    steps: list[Step] = Field(min_length=1)
    """The steps; the one without predecessor is the start."""
    fees: list[Fee] = Field(default_factory=list)
    """Fees and charges; leave out what is not known."""
    time_limit: Duration | None = None
    """Legal processing time limit."""
    results: list[Result] = Field(default_factory=list)
    """What the citizen receives."""
    volume: Volume | None = None
    """Applications a year, when a source gives the figure."""
    note: str | None = None
    """Anything a reader should know."""
    sources: list[Source] = Field(min_length=1)
    """Where the procedure was read."""

    @cached_property
    def step(self) -> dict[str, Step]:
        """Steps by id."""
        return {s.id: s for s in self.steps}

    @cached_property
    def document(self) -> dict[str, DocumentRequirement]:
        """Dossier documents by id."""
        return {d.id: d for d in self.documents}

    @cached_property
    def actor(self) -> dict[str, Actor]:
        """Actors by id."""
        return {a.id: a for a in self.actors}

    @cached_property
    def role(self) -> dict[str, Role]:
        """Roles by id."""
        return {r.id: r for r in self.roles}
