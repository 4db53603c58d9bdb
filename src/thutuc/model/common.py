"""Value types shared by procedures and the catalogue.

Names, legal references, sources, durations and the id formats every file uses.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

__all__ = [
    "Confidence",
    "Duration",
    "FactId",
    "LegalRef",
    "Name",
    "Slug",
    "Source",
    "StrictModel",
]

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
FACT_PATTERN = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
"""A kebab-case id such as ``birth-registration``."""

FactId = Annotated[str, StringConstraints(pattern=FACT_PATTERN, max_length=120)]
"""A fact id ``subject.attribute`` such as ``person.marital_status``."""

NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class StrictModel(BaseModel):
    """Base of every thutuc model: frozen, and unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    def __reduce__(self) -> tuple[Any, ...]:
        # The model cache holds procedures as pickles, a hundred nested models each. Pickling the fields alone
        # (no cached properties) and restoring them in one call each, not through pydantic's __setstate__,
        # loads them a quarter faster.
        fields = type(self).model_fields
        kept = {name: value for name, value in self.__dict__.items() if name in fields}
        return (_restored, (type(self), kept, self.__pydantic_fields_set__))


def _restored(cls: type[StrictModel], fields: dict[str, Any], fields_set: set[str]) -> StrictModel:
    """A model unpickled from what ``StrictModel.__reduce__`` kept: its fields, validated when it was made."""
    model = cls.__new__(cls)
    object.__setattr__(model, "__dict__", fields)
    object.__setattr__(model, "__pydantic_fields_set__", fields_set)
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)
    return model


class Name(StrictModel):
    """A name in Vietnamese (required) with an optional English gloss."""

    vi: NonEmptyText
    """Name in Vietnamese, as in the official text."""
    en: NonEmptyText | None = None
    """English gloss."""


class LegalRef(StrictModel):
    """A legal ground: document number, optionally the article, and where it was read."""

    document: NonEmptyText = Field(description="Document number, e.g. 'Luật Hộ tịch 60/2014/QH13'.")
    article: str | None = Field(default=None, description="Article and clause, e.g. 'Art. 16(1)'.")
    title: str | None = None
    """Title of the document, e.g. 'Luật Hộ tịch'."""
    url: str | None = None
    """Where the text was read."""
    note: str | None = None
    """What this ground says, in your own words."""


class Confidence(StrEnum):
    """How sure a source makes us of a fact."""

    VERIFIED = "verified"  # read in the official text or on an official portal
    SECONDARY = "secondary"  # read in a secondary source (press, legal site, crawl)
    INFERRED = "inferred"  # not read anywhere: reasoned from other facts


class Source(StrictModel):
    """Where a fact was read, when, and how far it can be trusted."""

    url: NonEmptyText
    """Address of the page or document read."""
    read_on: dt.date | None = Field(default=None, description="Date the page was read.")
    confidence: Confidence
    """verified (official text or portal), secondary (press, legal site, crawl) or inferred."""
    note: str | None = None
    """What was read there, or why the fact is inferred."""


class Duration(StrictModel):
    """A duration in exactly one unit: working days, calendar days or hours."""

    working_days: float | None = Field(default=None, ge=0)
    """Working days (Monday to Friday, public holidays excluded)."""
    days: float | None = Field(default=None, ge=0)
    """Calendar days."""
    hours: float | None = Field(default=None, ge=0)
    """Hours (working hours when the law counts them so)."""

    @model_validator(mode="after")
    def _exactly_one_unit(self) -> Duration:
        given = [u for u in ("working_days", "days", "hours") if getattr(self, u) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "one_unit",
                "a duration has exactly one unit (working_days, days or hours); got {given}",
                {"given": ", ".join(given) or "none"},
            )
        return self

    @property
    def in_working_days(self) -> float:
        """The duration in working days (8 working hours a day, 5 working days a week)."""
        if self.working_days is not None:
            return self.working_days
        if self.days is not None:
            return self.days * 5 / 7
        return (self.hours or 0.0) / 8
