"""Programmes (operating models) as database rows, and clients' enrolments in them."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    client: Mapped[Client] = relationship()
    unit: Mapped[OrgUnit] = relationship()
    coordinator: Mapped[User | None] = relationship(foreign_keys=[coordinator_id])
    deputy: Mapped[User | None] = relationship(foreign_keys=[deputy_id])
    team: Mapped[list[TeamMember]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan", lazy="selectin"
    )


class TeamMember(db.Model):
    """A member of the client's own team (omatiimi) in one enrolment."""

    __tablename__ = "enrolment_team_members"

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    # Free text in the worker's words, e.g. "psykiatrinen sairaanhoitaja".
    team_role: Mapped[str] = mapped_column(String(120))

    enrolment: Mapped[Enrolment] = relationship(back_populates="team")
    user: Mapped[User] = relationship(lazy="joined")
