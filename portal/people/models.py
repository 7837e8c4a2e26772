"""The organisation and the people it serves: units, municipalities, clients."""

from __future__ import annotations

import enum
from contextvars import ContextVar
from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Table,
    Text,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import str_enum, utcnow
from portal.extensions import db

# The ids of the clients whose names the current request has shown, while someone collects them (the audit
# trail does, per request: portal/audit/pages.py; people knows nothing of it). A context variable, not a signal:
# a page may show hundreds of names, and adding to a set costs a fraction of a blinker send.
names_shown: ContextVar[set[int] | None] = ContextVar("names_shown", default=None)


def note_shown(client_id: int | None) -> None:
    """The current request shows this client's name (a record of another feature that names a known client)."""
    shown = names_shown.get()
    if shown is not None and client_id is not None:
        shown.add(client_id)


class Gender(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class ClientLanguage(enum.StrEnum):
    """The client's language of service (the Finnish background-data classes: fi / sv / other)."""

    FI = "fi"
    SV = "sv"
    OTHER = "other"


class DiagnosisGroup(enum.StrEnum):
    """Recorded only where a programme asks for it (seed 000: psychosis or mood disorder)."""

    PSYCHOSIS = "psychosis"
    MOOD = "mood"
    OTHER = "other"


class ContactChannel(enum.StrEnum):
    """How the client prefers to be contacted about appointments and messages."""

    SMS = "sms"
    EMAIL = "email"
    PHONE = "phone"
    LETTER = "letter"


unit_municipalities = Table(
    "unit_municipalities",
    db.metadata,
    Column("unit_id", ForeignKey("org_units.id", ondelete="CASCADE"), primary_key=True),
    Column("municipality_code", ForeignKey("municipalities.code"), primary_key=True),
)


class Municipality(db.Model):
    """A Finnish municipality by its official three-digit code (Statistics Finland)."""

    __tablename__ = "municipalities"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name_fi: Mapped[str] = mapped_column(String(80))
    name_sv: Mapped[str] = mapped_column(String(80))

    def name(self, locale: str) -> str:
        return self.name_sv if locale == "sv" else self.name_fi


class OrgUnit(db.Model):
    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_fi: Mapped[str] = mapped_column(String(200))
    name_sv: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    county: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    # How a client reaches the unit (portal/reach): its phone, answered on weekdays (not on Finnish public
    # holidays) between these local times, and the promise on the message form: read within N working days.
    phone: Mapped[str | None] = mapped_column(String(32))
    phone_opens: Mapped[time | None]
    phone_closes: Mapped[time | None]
    reply_days: Mapped[int] = mapped_column(default=2, server_default=text("2"))

    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=unit_municipalities, lazy="selectin", order_by=Municipality.name_fi
    )
    members: Mapped[list[UnitMembership]] = relationship(back_populates="unit", cascade="all, delete-orphan")

    def name(self, locale: str) -> str:
        return {"sv": self.name_sv, "en": self.name_en}.get(locale, self.name_fi)


class UnitMembership(db.Model):
    """A staff member works in a unit; team leads lead the units they are members of."""

    __tablename__ = "unit_memberships"

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)

    unit: Mapped[OrgUnit] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class Client(db.Model):
    """A person served, with the background data the operating models collect."""

    __tablename__ = "clients"
    __table_args__ = (
        CheckConstraint("birth_year BETWEEN 1900 AND 2100", name="birth_year_range"),
        CheckConstraint("phone IS NULL OR length(phone) <= 32", name="phone_length"),
        # The duplicate check of a registration without an identity code (people/queries.py).
        Index("ix_clients_birth_year", "birth_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    birth_year: Mapped[int] = mapped_column(SmallInteger)
    # Known when the worker entered a full birth date or an identity code; else only the year.
    birth_date: Mapped[date | None]
    # HMAC-SHA256 of the personal identity code under IDENTITY_HASH_KEY (portal/people/identity.py): the
    # code itself is never stored. Unique: a second client with the same code is the same person.
    identity_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Why the worker registered a new client although one with the same name and birth year existed.
    duplicate_reason: Mapped[str | None] = mapped_column(Text)
    gender: Mapped[Gender] = mapped_column(str_enum(Gender, 16))
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    language: Mapped[ClientLanguage] = mapped_column(str_enum(ClientLanguage, 8))
    pensioner: Mapped[bool] = mapped_column(default=False)
    # Seed 004 counts clients who had no social-welfare client relationship before (60 % did not).
    social_welfare_client: Mapped[bool] = mapped_column(default=False)
    diagnosis_group: Mapped[DiagnosisGroup | None] = mapped_column(
        str_enum(DiagnosisGroup, 16)
    )
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(Text)
    preferred_channel: Mapped[ContactChannel] = mapped_column(
        str_enum(ContactChannel, 16), default=ContactChannel.SMS
    )
    # "Remote is never mandatory" (seed 000): the client can always ask for home visits instead.
    prefers_home_visits: Mapped[bool] = mapped_column(default=False)
    contact_notes: Mapped[str | None] = mapped_column(Text)
    # Good times for meetings (portal/people/preferences.py): weekdays 0–4 and parts of the day; empty: any.
    # The slot finder offers these first-hand, so the client is not asked to move every booking.
    preferred_weekdays: Mapped[list[int]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    preferred_day_parts: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    # Calm mode (the client's choice): no sounds or animations, own picture hidden and camera off when
    # joining a video meeting, one task per screen on the home page.
    calm_mode: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The last change and a version counted up on every change (FHIR Patient meta and ETag).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"), onupdate=literal_column("version + 1"))

    user: Mapped[User | None] = relationship()
    # Loaded when asked (the client's page, a referral's candidates, FHIR), not joined into every load of a client:
    # the signed-in client's own record, message threads and participants never show it, and the join with its
    # row mapping cost ~0.1 ms of CPU a statement (bench/pages.py). Municipalities are few, so a list that does
    # show them loads each once per request (the identity map answers the rest).
    municipality: Mapped[Municipality] = relationship()

    units: Mapped[list[ClientUnit]] = relationship(back_populates="client", cascade="all, delete-orphan")

    @property
    def full_name(self) -> str:
        self._shown()
        return f"{self.first_name} {self.last_name}"

    @property
    def listed_name(self) -> str:
        """"Last, First", as lists sort them."""
        self._shown()
        return f"{self.last_name}, {self.first_name}"

    def _shown(self) -> None:
        note_shown(self.id)

    def age_on(self, year: int) -> int:
        return year - self.birth_year


class ClientUnit(db.Model):
    """A unit that registered the client (or took in a client another unit had registered).

    Its workers see the client's identity and contact details to start a service; the care records
    stay with the named people of each service (people/permissions.py).
    """

    __tablename__ = "client_units"

    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    client: Mapped[Client] = relationship(back_populates="units")
    unit: Mapped[OrgUnit] = relationship()
