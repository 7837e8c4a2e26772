"""Closed groups: a leader, fixed members (each through their enrolment), sessions and attendance.

A session is an ordinary appointment (contact type with ``group = true``, no enrolment) whose
participants are the leader (host) and the members (clients), so scheduling's no-double-booking
constraint covers it. ``GroupSession`` links a group to its appointments in this feature's own table
rather than adding a column to scheduling's: one group can have several series (another term, a
moved session), which a single series key on the group could not hold.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import str_enum, utcnow
from portal.extensions import db
from portal.meetings.models import Contact
from portal.people.models import OrgUnit
from portal.programmes.models import Enrolment
from portal.scheduling.models import Appointment

MIN_CAPACITY, MAX_CAPACITY = 2, 30


class Group(db.Model):
    __tablename__ = "groups"
    __table_args__ = (
        CheckConstraint(f"capacity BETWEEN {MIN_CAPACITY} AND {MAX_CAPACITY}", name="capacity_range"),
        CheckConstraint("closed = (closed_at IS NOT NULL)", name="closed_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_code: Mapped[str] = mapped_column(ForeignKey("programmes.code"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(SmallInteger)
    leader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed: Mapped[bool] = mapped_column(default=False)
    closed_at: Mapped[datetime | None]

    unit: Mapped[OrgUnit] = relationship()
    leader: Mapped[User] = relationship()
    members: Mapped[list[GroupMember]] = relationship(back_populates="group", order_by="GroupMember.id")

    @property
    def current_members(self) -> list[GroupMember]:
        return [m for m in self.members if m.left_at is None]


class GroupMember(db.Model):
    __tablename__ = "group_members"
    __table_args__ = (
        UniqueConstraint("group_id", "enrolment_id"),
        CheckConstraint("left_at IS NULL OR left_at >= joined_at", name="left_after_joined"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]

    group: Mapped[Group] = relationship(back_populates="members")
    enrolment: Mapped[Enrolment] = relationship(lazy="joined")

    @property
    def client_id(self) -> int:
        return self.enrolment.client_id


class GroupSession(db.Model):
    """One appointment of a group (an appointment belongs to at most one group)."""

    __tablename__ = "group_sessions"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"),
                                                primary_key=True, unique=True)

    appointment: Mapped[Appointment] = relationship()


class AttendanceStatus(enum.StrEnum):
    ATTENDED = "attended"
    ABSENT = "absent"
    EXCUSED = "excused"  # told beforehand


class Attendance(db.Model):
    """Whether a member came to a held session; ``contact`` is the member's contact record for reports.

    The contact is linked here rather than through ``contacts.appointment_id``, which is unique (one
    contact per one-to-one appointment) while a session gives one contact per member.
    """

    __tablename__ = "group_attendance"
    __table_args__ = (UniqueConstraint("appointment_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(str_enum(AttendanceStatus, 16))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    contact: Mapped[Contact | None] = relationship()
