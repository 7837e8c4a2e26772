"""The shape of a programme definition file, validated at start-up.

A programme (an operating model) is data: an organisation edits a TOML file, not code. A bad file
stops start-up with a message that names the file and the field.
"""

from __future__ import annotations

import enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class Modality(enum.StrEnum):
    """The channel a contact happens through."""

    VIDEO = "video"
    PHONE = "phone"
    HOME_VISIT = "home_visit"
    RECEPTION = "reception"
    EMAIL = "email"
    TEXT_MESSAGE = "text_message"

    @property
    def remote(self) -> bool:
        return self in REMOTE_MODALITIES


REMOTE_MODALITIES = frozenset({Modality.VIDEO, Modality.PHONE, Modality.EMAIL, Modality.TEXT_MESSAGE})


class MeasureWhen(enum.StrEnum):
    BEFORE_MEETING = "before_meeting"
    AFTER_MEETING = "after_meeting"
    AT_START = "at_start"
    AT_MONTH = "at_month"
    AT_END = "at_end"


class FeedbackSchedule(enum.StrEnum):
    AT_END = "at_end"
    YEARLY = "yearly"
    QUARTER_START_PERIODS = "quarter_start_periods"


class StartThrough(enum.StrEnum):
    """Where a service in the programme starts: the client page's form, intake (seed 001), a referral (004)."""

    FORM = "form"
    INTAKE = "intake"
    REFERRAL = "referral"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Names(_Strict):
    """A label in every language the portal speaks."""

    fi: Text
    sv: Text
    en: Text

    def get(self, locale: str) -> str:
        return getattr(self, locale, self.fi)


class Phase(_Strict):
    code: Code
    name: Names


class ContactType(_Strict):
    code: Code
    name: Names
    modalities: list[Modality] = Field(min_length=1)
    default_minutes: int = Field(ge=5, le=480)
    # The model's rule for the very first contact (seed 000: the first meeting is a home visit).
    first_contact_modality: Modality | None = None
    group: bool = False

    @model_validator(mode="after")
    def _first_is_offered(self):
        if self.first_contact_modality and self.first_contact_modality not in self.modalities:
            raise ValueError(f"first_contact_modality {self.first_contact_modality} is not in modalities")
        return self


class Measure(_Strict):
    instrument: Code
    when: MeasureWhen
    months: int | None = Field(default=None, ge=1, le=60)

    @model_validator(mode="after")
    def _months_when_needed(self):
        if (self.when is MeasureWhen.AT_MONTH) != (self.months is not None):
            raise ValueError("'months' is required with when = 'at_month' and only then")
        return self


class Feedback(_Strict):
    form: Code
    schedule: FeedbackSchedule
    # How long a collection period stays open (quarter_start_periods: seed 002 says two weeks; yearly: 30).
    period_days: int | None = Field(default=None, ge=1, le=90)
    # Yearly surveys: the month (1–12) in which the collection period starts.
    month: int | None = Field(default=None, ge=1, le=12)

    @model_validator(mode="after")
    def _month_only_yearly(self):
        if self.month is not None and self.schedule is not FeedbackSchedule.YEARLY:
            raise ValueError("'month' is only for schedule = 'yearly'")
        return self


class Eligibility(_Strict):
    age_min: int | None = Field(default=None, ge=0, le=120)
    age_max: int | None = Field(default=None, ge=0, le=120)
    records_diagnosis_group: bool = False


class Intensity(_Strict):
    min_contacts_per_week: float | None = Field(default=None, gt=0, le=21)
    max_duration_days: int | None = Field(default=None, ge=1, le=3650)
    remote_share_target: float | None = Field(default=None, ge=0, le=1)


class SupportType(_Strict):
    code: Code
    name: Names


class PlanRules(_Strict):
    """How the client's plan is reviewed (PPT: regularly, the review booked as an appointment)."""

    review_interval_days: int = Field(ge=7, le=365)
    review_contact_type: Code
    # Seed 003 (PPT phase 1): a preliminary estimate of how long and how much service is needed, made with the
    # client before the plan, is recorded on the plan page.
    preliminary_estimate: bool = False


class NamedItem(_Strict):
    """A coded choice with translated names: a contact-person role, an own-team role, an end reason."""

    code: Code
    name: Names


class DecisionRules(_Strict):
    """The service rests on a decision (seed 002: a time-limited decision by client guidance)."""

    # The decision's "valid until" date is the service's planned end.
    valid_until_is_planned_end: bool = True


class EndRules(_Strict):
    """What ending the service does beyond closing it (the 3X10D and feedback "at the end" come from
    ``measures`` and ``feedback``)."""

    # Seed 003 (PPT phase 4): the continuation plan is written when the service ends.
    continuation_plan: bool = False
    # Seed 004: a contact recorded as "served in this contact" offers to end the service with this reason.
    single_contact_reason: Code | None = None


# Social Welfare Act §42: a social-care client has a named worker (omatyöntekijä); a programme that
# names no contact-person roles gets this one.
DEFAULT_CONTACT_ROLES = (
    NamedItem(code="omatyontekija", name=Names(fi="Omatyöntekijä", sv="Egen kontaktperson", en="Named worker")),
)
DEFAULT_END_REASONS = (
    NamedItem(code="goals-reached", name=Names(fi="Tavoitteet saavutettiin", sv="Målen uppnåddes",
                                               en="Goals reached")),
    NamedItem(code="moved", name=Names(fi="Asiakas muutti pois alueelta", sv="Klienten flyttade från området",
                                       en="The client moved away")),
    NamedItem(code="client-ended", name=Names(fi="Asiakas päätti palvelun", sv="Klienten avslutade tjänsten",
                                              en="The client ended the service")),
    NamedItem(code="no-contact", name=Names(fi="Asiakkaaseen ei saatu yhteyttä", sv="Ingen kontakt med klienten",
                                            en="No contact with the client")),
)


class Kpi(_Strict):
    code: Code
    name: Names
    target: float | None = None
    # A share of contacts: the channels it counts (seed 000's remote-share: video meetings instead of home
    # visits, so video by default; an organisation may count more channels toward its target).
    modalities: list[Modality] = []


class ProgrammeDefinition(_Strict):
    code: Code
    version: int = Field(ge=1)
    seed: str | None = None
    name: Names
    summary: Names
    eligibility: Eligibility = Eligibility()
    intensity: Intensity = Intensity()
    phases: list[Phase] = Field(min_length=1)
    contact_types: list[ContactType] = Field(min_length=1)
    measures: list[Measure] = []
    feedback: list[Feedback] = []
    support_types: list[SupportType] = []
    kpis: list[Kpi] = []
    plan: PlanRules | None = None
    starts_through: StartThrough = StartThrough.FORM
    contact_roles: list[NamedItem] = Field(default=list(DEFAULT_CONTACT_ROLES), min_length=1)
    team_roles: list[NamedItem] = []
    end_reasons: list[NamedItem] = Field(default=list(DEFAULT_END_REASONS), min_length=1)
    decision: DecisionRules | None = None
    end: EndRules = EndRules()

    @model_validator(mode="after")
    def _codes_unique(self):
        for label, items in (("phase", self.phases), ("contact type", self.contact_types),
                             ("support type", self.support_types), ("kpi", self.kpis),
                             ("role", self.contact_roles + self.team_roles), ("end reason", self.end_reasons)):
            codes = [item.code for item in items]
            duplicates = sorted({c for c in codes if codes.count(c) > 1})
            if duplicates:
                raise ValueError(f"duplicate {label} codes: {', '.join(duplicates)}")
        if self.plan and self.contact_type(self.plan.review_contact_type) is None:
            raise ValueError(f"plan.review_contact_type {self.plan.review_contact_type} is not a contact type")
        reason = self.end.single_contact_reason
        if reason and self.end_reason(reason) is None:
            raise ValueError(f"end.single_contact_reason {reason} is not an end reason")
        e = self.eligibility
        if e.age_min is not None and e.age_max is not None and e.age_min > e.age_max:
            raise ValueError("eligibility.age_min is greater than age_max")
        return self

    @property
    def first_phase(self) -> str:
        return self.phases[0].code

    def phase(self, code: str) -> Phase | None:
        return next((p for p in self.phases if p.code == code), None)

    def contact_type(self, code: str) -> ContactType | None:
        return next((c for c in self.contact_types if c.code == code), None)

    def contact_role(self, code: str | None) -> NamedItem | None:
        return next((r for r in self.contact_roles if r.code == code), None)

    def team_role(self, code: str | None) -> NamedItem | None:
        """An own-team member's role: one of the team roles, or a contact-person role held by a team member
        (seed 003: the omatyöntekijä beside the hoitovastaava who coordinates)."""
        return next((r for r in self.team_roles + self.contact_roles if r.code == code), None)

    def end_reason(self, code: str | None) -> NamedItem | None:
        return next((r for r in self.end_reasons if r.code == code), None)
