"""Contacts with a client: what happened, with the record the worker keeps.

This is the record every programme's figures stand on (seed 000: duration, support given, whether it
worked remotely). Scheduling and video calls build on it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import str_enum, utcnow
from portal.extensions import db
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment

NOTE_MAX = 500


class ContactStatus(enum.StrEnum):
    """What happened; what is planned is an appointment (portal/scheduling)."""

    HELD = "held"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class ContactOutcome(enum.StrEnum):
    """Where a held contact left the matter (seed 004 counts the clients served in a single contact).

    Recorded only by programmes that keep this figure; null for the others.
    """

    SERVED = "served"
    FOLLOW_UP = "follow_up"
    REFERRED_ONWARDS = "referred_onwards"


class Contact(db.Model):
    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("duration_minutes IS NULL OR duration_minutes BETWEEN 0 AND 720", name="duration_range"),
        CheckConstraint("status = 'held' OR duration_minutes IS NULL", name="duration_only_when_held"),
        CheckConstraint("status = 'held' OR outcome IS NULL", name="outcome_only_when_held"),
        Index("ix_contacts_worker_starts", "worker_id", "starts_at"),
        Index("ix_contacts_enrolment_starts", "enrolment_id", "starts_at"),
        # The reports read held contacts in a period: on PostgreSQL an index-only range scan (bench/reports.py).
        Index("ix_contacts_held_starts", "starts_at",
              postgresql_include=["id", "enrolment_id", "modality", "duration_minutes", "worked_remotely"],
              sqlite_where=text("status = 'held'"), postgresql_where=text("status = 'held'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"))
    # The appointment this contact was held for; None for contacts logged without one (a phone call
    # the client made, an email).
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"), unique=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    contact_type: Mapped[str] = mapped_column(String(40))
    modality: Mapped[Modality] = mapped_column(str_enum(Modality, 16))
    status: Mapped[ContactStatus] = mapped_column(str_enum(ContactStatus, 16))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    duration_minutes: Mapped[int | None] = mapped_column(SmallInteger)
    support_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    worked_remotely: Mapped[bool | None]
    # The worker's own short words on the meeting (personal data: audited by field name only).
    note: Mapped[str | None] = mapped_column(String(NOTE_MAX))
    outcome: Mapped[ContactOutcome | None] = mapped_column(str_enum(ContactOutcome, 24))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrolment: Mapped[Enrolment] = relationship()
    worker: Mapped[User] = relationship()
