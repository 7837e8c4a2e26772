"""Appointments and who takes part in them; working hours and absences.

No double booking is enforced by the database, not only by the application: each participant row
carries the participant's busy interval (the appointment, plus travel buffers for the worker), and
two blocking rows of one person may not overlap — an exclusion constraint on PostgreSQL
(``btree_gist``) and a trigger on SQLite, both created by the migration. A group session is one
appointment with many participants, so its members do not conflict with each other.
"""

from __future__ import annotations

import enum
from datetime import datetime, time

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import str_enum, utcnow
from portal.extensions import db
from portal.people.models import Client
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment


class AppointmentStatus(enum.StrEnum):
    BOOKED = "booked"
    CONFIRMED = "confirmed"  # by the client
    CANCELLED = "cancelled"
    HELD = "held"
    NO_SHOW = "no_show"


ACTIVE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)
OPEN_APPOINTMENTS = "status IN ('booked', 'confirmed')"  # ACTIVE_STATUSES in SQL, for partial indexes


class ParticipantRole(enum.StrEnum):
    HOST = "host"
    WORKER = "worker"
    CLIENT = "client"
    GUEST = "guest"


class Appointment(db.Model):
    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("(status = 'cancelled') = (cancelled_at IS NOT NULL)", name="cancelled_has_time"),
        Index("ix_appointments_starts_at", "starts_at"),
        # A caseload's meetings in a period, and those still booked (meetings to record, "needs attention":
        # portal/tasks/attention.py); created by migration a17c0de00007.
        Index("ix_appointments_enrolment_ends", "enrolment_id", "ends_at"),
        Index("ix_appointments_open_enrolment", "enrolment_id", "ends_at",
              postgresql_where=text(OPEN_APPOINTMENTS), sqlite_where=text(OPEN_APPOINTMENTS)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_code: Mapped[str] = mapped_column(ForeignKey("programmes.code"))
    # The client's enrolment for one-to-one contacts; group sessions name their members as participants.
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolments.id"), index=True)
    contact_type: Mapped[str] = mapped_column(String(40))
    modality: Mapped[Modality] = mapped_column(str_enum(Modality, 16))
    status: Mapped[AppointmentStatus] = mapped_column(str_enum(AppointmentStatus, 16), default=AppointmentStatus.BOOKED)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(String(300))
    travel_minutes: Mapped[int] = mapped_column(SmallInteger, default=0)
    series_key: Mapped[str | None] = mapped_column(String(36), index=True)
    organizer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # The last change and a version counted up on every change (FHIR meta and ETag, iCalendar LAST-MODIFIED).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"), onupdate=literal_column("version + 1"))

    enrolment: Mapped[Enrolment | None] = relationship()
    organizer: Mapped[User] = relationship()
    participants: Mapped[list[Participant]] = relationship(
        back_populates="appointment", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class Participant(db.Model):
    __tablename__ = "appointment_participants"
    __table_args__ = (
        CheckConstraint(
            "CASE WHEN user_id IS NULL THEN 0 ELSE 1 END + CASE WHEN client_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN guest_name IS NULL THEN 0 ELSE 1 END = 1", name="one_kind",
        ),
        CheckConstraint("busy_until > busy_from", name="busy_interval"),
        CheckConstraint("person_key IS NOT NULL OR guest_name IS NOT NULL", name="person_key_for_people"),
        UniqueConstraint("appointment_id", "person_key"),
        Index("ix_appointment_participants_person_busy", "person_key", "busy_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"))
    role: Mapped[ParticipantRole] = mapped_column(str_enum(ParticipantRole, 16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True)
    guest_name: Mapped[str | None] = mapped_column(String(200))
    # 'u:<user id>' or 'c:<client id>': one column for the exclusion constraint to compare.
    person_key: Mapped[str | None] = mapped_column(String(24))
    busy_from: Mapped[datetime]
    busy_until: Mapped[datetime]
    blocking: Mapped[bool] = mapped_column(default=True)

    appointment: Mapped[Appointment] = relationship(back_populates="participants")
    user: Mapped[User | None] = relationship()
    client: Mapped[Client | None] = relationship()


class WorkingHours(db.Model):
    """A worker's regular hours on one weekday (0 = Monday), in Europe/Helsinki local time."""

    __tablename__ = "working_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("ends > starts", name="ends_after_start"),
        UniqueConstraint("user_id", "weekday", "starts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    starts: Mapped[time]
    ends: Mapped[time]


class Absence(db.Model):
    __tablename__ = "absences"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(String(200))


class ChangeRequestStatus(enum.StrEnum):
    OPEN = "open"
    HANDLED = "handled"


class ChangeRequest(db.Model):
    """A client asks for another time or another way of meeting; the worker handles it."""

    __tablename__ = "appointment_change_requests"
    __table_args__ = (
        CheckConstraint("(status = 'handled') = (handled_at IS NOT NULL)", name="handled_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    preferred_times: Mapped[str | None] = mapped_column(Text)
    wants_modality: Mapped[Modality | None] = mapped_column(str_enum(Modality, 16))
    message: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ChangeRequestStatus] = mapped_column(
        str_enum(ChangeRequestStatus, 16), default=ChangeRequestStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None]
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    appointment: Mapped[Appointment] = relationship()


class CalendarFeed(db.Model):
    """A private, revocable calendar subscription (iCalendar) for a client or a worker.

    Only a hash of the secret token is stored: the URL is shown once, and a leaked database does not
    reveal it.
    """

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        CheckConstraint(
            "CASE WHEN user_id IS NULL THEN 0 ELSE 1 END + CASE WHEN client_id IS NULL THEN 0 ELSE 1 END = 1",
            name="one_owner",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class CallSlot(db.Model):
    """A phone-call time a worker publishes (health social work books its phone contacts into these).

    Free until a booking takes it; the booked appointment is linked here. Publishing blocks nobody's
    calendar: the worker's time is taken only by the appointment, so the no-double-booking rule also
    decides between two bookings racing for one slot. A cancelled appointment frees the slot again.
    """

    __tablename__ = "call_slots"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        UniqueConstraint("user_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id", ondelete="SET NULL"),
                                                       unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    appointment: Mapped[Appointment | None] = relationship()

    @property
    def free(self) -> bool:
        return self.appointment is None or not self.appointment.active
