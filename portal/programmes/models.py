"""Programmes (operating models) as database rows, and clients' enrolments in them."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import str_enum, utcnow
from portal.extensions import db
from portal.people.models import Client, OrgUnit


class Programme(db.Model):
    """The row behind a definition file: it gives enrolments a foreign key and keeps the version seen."""

    __tablename__ = "programmes"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int]
    checksum: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A definition file that disappeared: its enrolments stay readable, no new ones are made.
    retired: Mapped[bool] = mapped_column(default=False)


class EnrolmentStatus(enum.StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class Enrolment(db.Model):
    """A client in a programme: dates, phase and the named people responsible."""

    __tablename__ = "enrolments"
    __table_args__ = (
        CheckConstraint("planned_end_on IS NULL OR planned_end_on >= start_on", name="planned_end_after_start"),
        CheckConstraint("ended_on IS NULL OR ended_on >= start_on", name="ended_after_start"),
        CheckConstraint("(status = 'ended') = (ended_on IS NOT NULL)", name="ended_has_date"),
        CheckConstraint("deputy_id IS NULL OR deputy_id <> coordinator_id", name="deputy_not_coordinator"),
        CheckConstraint("end_reason IS NULL OR status = 'ended'", name="end_reason_only_ended"),
        CheckConstraint("decision_valid_until IS NULL OR decision_on IS NULL OR decision_valid_until >= decision_on",
                        name="decision_valid_after_made"),
        # One active enrolment per client and programme.
        Index(
            "uq_enrolments_active_client_programme", "client_id", "programme_code", unique=True,
            sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    programme_code: Mapped[str] = mapped_column(ForeignKey("programmes.code"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    status: Mapped[EnrolmentStatus] = mapped_column(
        str_enum(EnrolmentStatus, 16), default=EnrolmentStatus.ACTIVE
    )
    start_on: Mapped[date]
    planned_end_on: Mapped[date | None]
    ended_on: Mapped[date | None]
    phase: Mapped[str] = mapped_column(String(40))
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The coordinator's contact-person role, a code from the definition's contact_roles (null: not set).
    coordinator_role: Mapped[str | None] = mapped_column(String(40))
    # The decision the service rests on, where the programme has one (seed 002): the deciding
    # client-guidance worker keeps read access and is told when the service ends.
    decision_on: Mapped[date | None]
    decision_valid_until: Mapped[date | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Why the service ended, a code from the definition's end_reasons (null for services ended before 2026-12).
    end_reason: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    client: Mapped[Client] = relationship()
    unit: Mapped[OrgUnit] = relationship()
    coordinator: Mapped[User | None] = relationship(foreign_keys=[coordinator_id])
    deputy: Mapped[User | None] = relationship(foreign_keys=[deputy_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    team: Mapped[list[TeamMember]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan"
    )


class TeamMember(db.Model):
    """A member of the client's own team (omatiimi) in one enrolment."""

    __tablename__ = "enrolment_team_members"

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    # A code from the definition's team_roles or contact_roles ("psychiatric-nurse"); rows written before
    # 2026-12 hold the worker's own words, shown as they are.
    team_role: Mapped[str] = mapped_column(String(120))

    enrolment: Mapped[Enrolment] = relationship(back_populates="team")
    user: Mapped[User] = relationship(lazy="joined")


class Transfer(db.Model):
    """The coordinator changed hands, with the handover note for the new worker."""

    __tablename__ = "enrolment_transfers"
    __table_args__ = (CheckConstraint("to_user_id <> from_user_id", name="to_someone_else"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    from_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    to_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    note: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrolment: Mapped[Enrolment] = relationship()
    from_user: Mapped[User | None] = relationship(foreign_keys=[from_user_id])
    to_user: Mapped[User] = relationship(foreign_keys=[to_user_id])
