"""The shape of an instrument definition file (ORS, SRS, 3X10D, feedback forms), validated at start-up.

An instrument is data: an organisation installs its licensed wording by adding a file with a higher
``version``; answers keep the version they were given on (``models.InstrumentVersion``).
"""

from __future__ import annotations

import enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from portal.programmes.definitions_schema import Code, Names


class ItemType(enum.StrEnum):
    LINE = "line"  # a 10 cm visual-analogue line scored 0–10 to one decimal (FIT)
    CHOICE = "choice"  # whole numbers min..max (3X10D)
    YES_NO = "yes_no"
    TEXT = "text"  # open text (feedback forms)


class Total(enum.StrEnum):
    SUM = "sum"
    MEAN = "mean"
    NONE = "none"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(_Strict):
    code: Code
    type: ItemType
    text: Names
    low: Names | None = None  # the label at the left end (lowest value)
    high: Names | None = None
    min: int = Field(default=0, ge=0, le=100)
    max: int = Field(default=10, ge=1, le=100)
    required: bool = True

    @property
    def scored(self) -> bool:
        return self.type in (ItemType.LINE, ItemType.CHOICE)

    @property
    def step(self) -> float:
        return 0.1 if self.type is ItemType.LINE else 1


class Band(_Strict):
    """A traffic-light reading of one item's value (3X10D: 0–5 / 6–7 / 8–10)."""

    code: Code
    min: float
    max: float
    name: Names


class Scoring(_Strict):
    total: Total = Total.NONE
    # ORS: the clinical cutoff, for adults and (lower age limit to upper) for young people.
    cutoff_adult: float | None = None
    cutoff_youth: float | None = None
    youth_age_max: int | None = Field(default=None, ge=1, le=30)
    reliable_change: float | None = Field(default=None, gt=0)
    # SRS: a total at or below this flags the working alliance.
    alliance_threshold: float | None = None


class InstrumentDefinition(_Strict):
    code: Code
    version: int = Field(ge=1)
    name: Names
    instructions: Names
    notice: Names  # licence or trademark notice shown with the form
    source: str = Field(min_length=1, max_length=300)
    # True for wording that is not the licensed or official text (shipped in the repository).
    placeholder_wording: bool = False
    # Languages whose wording is not the official text while the others are (3X10D: Diak's Finnish form is
    # shipped verbatim, its Swedish and English are Silta's own translation until Diak's are installed).
    placeholder_locales: list[Literal["fi", "sv", "en"]] = []
    # Feedback about the service (seed 000's satisfaction survey, seed 002's written feedback): the answers go
    # only into the programme reports (aggregated, small cells hidden; open texts without names to the team
    # lead). Never shown to the client's own worker, who cannot enter or correct them either.
    confidential: bool = False
    scoring: Scoring = Scoring()
    bands: list[Band] = []
    items: list[Item] = Field(min_length=1, max_length=60)

    @model_validator(mode="after")
    def _consistent(self):
        codes = [item.code for item in self.items]
        if len(set(codes)) != len(codes):
            raise ValueError("duplicate item codes")
        if self.scoring.total is not Total.NONE and not all(item.scored for item in self.items):
            raise ValueError("a total is only possible when every item is scored")
        for item in self.items:
            if item.min >= item.max:
                raise ValueError(f"item {item.code}: min must be below max")
        return self

    def placeholder_in(self, locale: str) -> bool:
        """Whether the wording shown in this language is not the licensed or official text."""
        return self.placeholder_wording or locale in self.placeholder_locales

    @property
    def scored_items(self) -> list[Item]:
        return [item for item in self.items if item.scored]

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)

    def max_total(self) -> float:
        items = self.scored_items
        if self.scoring.total is Total.SUM:
            return float(sum(i.max for i in items))
        return float(max((i.max for i in items), default=0))
