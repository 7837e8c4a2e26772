"""Referrals and consultations from primary-care staff (seed 004).

A *referral* offers health social work to a named client who has consented; a *consultation* asks a
health social worker about a situation, possibly without naming anyone. Both go to one unit's inbox.
The referral keeps the person's details as the referrer typed them (the referrer cannot browse the
client register); accepting it finds or creates the client and enrols them (``client_id``,
``enrolment_id``).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import str_enum, utcnow
from portal.extensions import db
from portal.people.models import Client, ClientLanguage, Gender, Municipality, OrgUnit
from portal.programmes.models import Enrolment

SITUATION_MAX = 2000
ANSWER_MAX = 2000


class ReferralKind(enum.StrEnum):
    REFERRAL = "referral"
    CONSULTATION = "consultation"


class Urgency(enum.StrEnum):
    """How soon the referrer hopes for contact; the inbox orders by this, then by age."""

    TODAY = "today"
    THIS_WEEK = "this_week"
    NORMAL = "normal"


URGENCY_ORDER = (Urgency.TODAY, Urgency.THIS_WEEK, Urgency.NORMAL)


class ReferralStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"  # a referral: the client is enrolled in health social work
    ANSWERED = "answered"  # a consultation: the answer went back to the referrer


class ConsentBy(enum.StrEnum):
    """Who agreed to the referral."""

    CLIENT = "client"
    REPRESENTATIVE = "representative"  # a guardian or another legal representative


class ConsentHow(enum.StrEnum):
    VERBAL = "verbal"
    WRITTEN = "written"


class Referral(db.Model):
    __tablename__ = "referrals"
    __table_args__ = (
        # A referral names the person and says who consented, when and how; a consultation need not.
        CheckConstraint(
            "kind = 'consultation' OR (first_name IS NOT NULL AND last_name IS NOT NULL AND birth_year IS NOT NULL"
            " AND gender IS NOT NULL AND municipality_code IS NOT NULL AND language IS NOT NULL"
            " AND pensioner IS NOT NULL AND social_welfare_client IS NOT NULL)", name="referral_names_person"),
        CheckConstraint(
            "kind = 'consultation' OR (consent_by IS NOT NULL AND consent_on IS NOT NULL AND consent_how IS NOT NULL)",
            name="referral_has_consent"),
        CheckConstraint("birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100", name="birth_year_range"),
        CheckConstraint("(status = 'accepted') = (enrolment_id IS NOT NULL)", name="accepted_has_enrolment"),
        CheckConstraint("status <> 'accepted' OR kind = 'referral'", name="only_referrals_accepted"),
        CheckConstraint("(status = 'answered') = (answer IS NOT NULL)", name="answered_has_answer"),
        CheckConstraint("status <> 'answered' OR kind = 'consultation'", name="only_consultations_answered"),
        CheckConstraint("(handled_at IS NULL) = (handled_by_id IS NULL)", name="handled_by_whom"),
        CheckConstraint("(status = 'open') = (handled_at IS NULL)", name="handled_when_closed"),
        # One open referral per person and unit: a second one is a duplicate (the operation says so first).
        Index("uq_referrals_open_person", "unit_id", "person_key", unique=True,
              sqlite_where=text("status = 'open' AND kind = 'referral'"),
              postgresql_where=text("status = 'open' AND kind = 'referral'")),
        Index("ix_referrals_inbox", "unit_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReferralKind] = mapped_column(str_enum(ReferralKind, 16))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    referrer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    urgency: Mapped[Urgency] = mapped_column(str_enum(Urgency, 16))
    status: Mapped[ReferralStatus] = mapped_column(str_enum(ReferralStatus, 16), default=ReferralStatus.OPEN)
    # The situation in the referrer's words (personal data: audited by field name only).
    situation: Mapped[str] = mapped_column(Text)
    # The person, as typed by the referrer; empty for an anonymous consultation.
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    gender: Mapped[Gender | None] = mapped_column(str_enum(Gender, 16))
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipalities.code"))
    language: Mapped[ClientLanguage | None] = mapped_column(str_enum(ClientLanguage, 8))
    phone: Mapped[str | None] = mapped_column(String(32))
    # Seed 004's statistics: pensioner, and whether the person already was a social-welfare client.
    pensioner: Mapped[bool | None]
    social_welfare_client: Mapped[bool | None]
    # "lastname|firstname|birthyear", lower-cased: how a duplicate referral of the same person is recognised.
    person_key: Mapped[str | None] = mapped_column(String(220))
    consent_by: Mapped[ConsentBy | None] = mapped_column(str_enum(ConsentBy, 16))
    consent_on: Mapped[date | None]
    consent_how: Mapped[ConsentHow | None] = mapped_column(str_enum(ConsentHow, 16))
    answer: Mapped[str | None] = mapped_column(Text)
    handled_at: Mapped[datetime | None]
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True)
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolments.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[OrgUnit] = relationship()
    referrer: Mapped[User] = relationship(foreign_keys=[referrer_id])
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])
    municipality: Mapped[Municipality | None] = relationship()
    client: Mapped[Client | None] = relationship()
    enrolment: Mapped[Enrolment | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status is ReferralStatus.OPEN

    @property
    def names_person(self) -> bool:
        return bool(self.first_name or self.last_name)

    @property
    def person_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


def person_key(first_name: str, last_name: str, birth_year: int) -> str:
    return f"{last_name.strip().casefold()}|{first_name.strip().casefold()}|{birth_year}"
