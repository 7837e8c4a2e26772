"""A plan per enrolment: goals with steps, notes, agreed versions, and the audited phase transitions.

Goals and steps are the living plan; an agreed version is a frozen JSON snapshot of them, so later
edits never change what was agreed, and any two versions can be compared.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import str_enum, utcnow
from portal.extensions import db
from portal.programmes.models import Enrolment

MAX_GOAL = 500
MAX_STEP = 300
MAX_NOTE = 2000
MAX_CONTINUATION = 4000


class GoalStatus(enum.StrEnum):
    PROPOSED = "proposed"  # the client's proposal, waiting for the worker
    AGREED = "agreed"
    ACHIEVED = "achieved"
    DROPPED = "dropped"


class StepOwner(enum.StrEnum):
    """Who takes the step (seed 002: clear steps, each with a person)."""

    CLIENT = "client"
    WORKER = "worker"
    TEAM_MEMBER = "team_member"
    RELATIVE = "relative"


class NoteKind(enum.StrEnum):
    COMMENT = "comment"  # the client's
    PROGRESS = "progress"  # the worker's


class Plan(db.Model):
    __tablename__ = "plans"
    __table_args__ = (
        CheckConstraint("review_interval_days IS NULL OR review_interval_days BETWEEN 7 AND 365",
                        name="review_interval_range"),
        CheckConstraint("estimate_months IS NULL OR estimate_months BETWEEN 1 AND 60", name="estimate_months_range"),
        CheckConstraint("estimate_contacts_per_month IS NULL OR estimate_contacts_per_month BETWEEN 1 AND 60",
                        name="estimate_contacts_range"),
        CheckConstraint("(estimated_on IS NULL) = (estimate_months IS NULL)", name="estimate_dated"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), unique=True)
    review_on: Mapped[date | None]
    review_interval_days: Mapped[int | None]
    # The continuation plan (PPT phase 4): what next, what the client can do, where to get support.
    next_steps: Mapped[str | None] = mapped_column(Text)
    self_care: Mapped[str | None] = mapped_column(Text)
    support: Mapped[str | None] = mapped_column(Text)
    continuation_at: Mapped[datetime | None]
    # PPT phase 1 (seed 003): the preliminary estimate, made with the client, of how long and how much service
    # is needed (months; contacts a month; which services), before the multidisciplinary assessment of phase 2.
    estimate_months: Mapped[int | None] = mapped_column(SmallInteger)
    estimate_contacts_per_month: Mapped[int | None] = mapped_column(SmallInteger)
    estimate_services: Mapped[str | None] = mapped_column(Text)
    estimated_on: Mapped[date | None]
    estimated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrolment: Mapped[Enrolment] = relationship()
    goals: Mapped[list[Goal]] = relationship(back_populates="plan", order_by="Goal.id", lazy="selectin")
    notes: Mapped[list[PlanNote]] = relationship(order_by="PlanNote.id", lazy="selectin")
    versions: Mapped[list[PlanVersion]] = relationship(order_by="PlanVersion.number", lazy="selectin")

    @property
    def has_continuation(self) -> bool:
        return bool(self.next_steps or self.self_care or self.support)

    @property
    def latest_version(self) -> PlanVersion | None:
        return self.versions[-1] if self.versions else None


class Goal(db.Model):
    __tablename__ = "plan_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    # In the client's own words: never rewritten by the worker, only accepted or set aside.
    text: Mapped[str] = mapped_column(String(MAX_GOAL))
    status: Mapped[GoalStatus] = mapped_column(str_enum(GoalStatus, 16))
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="goals")
    steps: Mapped[list[Step]] = relationship(back_populates="goal", order_by="Step.id", lazy="selectin")


class Step(db.Model):
    __tablename__ = "plan_steps"
    __table_args__ = (CheckConstraint("done = (done_at IS NOT NULL)", name="done_has_time"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("plan_goals.id", ondelete="CASCADE"), index=True)
    what: Mapped[str] = mapped_column(String(MAX_STEP))
    owner: Mapped[StepOwner] = mapped_column(str_enum(StepOwner, 16))
    due_on: Mapped[date | None]
    done: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    goal: Mapped[Goal] = relationship(back_populates="steps")


class PlanNote(db.Model):
    """A client's comment or a worker's progress note, on the plan or one goal."""

    __tablename__ = "plan_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("plan_goals.id", ondelete="CASCADE"))
    kind: Mapped[NoteKind] = mapped_column(str_enum(NoteKind, 16))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")


class PlanVersion(db.Model):
    """An agreed version: numbered from 1, never changed."""

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    agreed_at: Mapped[datetime] = mapped_column(default=utcnow)
    agreed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    review_on: Mapped[date | None]
    snapshot: Mapped[dict] = mapped_column(JSON)

    agreed_by: Mapped[User] = relationship(lazy="joined")


class PhaseTransition(db.Model):
    """One move of an enrolment from a phase to the next: who and when (PPT's four phases, or any programme's)."""

    __tablename__ = "phase_transitions"
    # Time in a phase is measured from the move before (the reports look it up per enrolment in time order).
    __table_args__ = (Index("ix_phase_transitions_enrolment_at", "enrolment_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    from_phase: Mapped[str] = mapped_column(String(40))
    to_phase: Mapped[str] = mapped_column(String(40))
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by: Mapped[User] = relationship(lazy="joined")


class BreakGlass(db.Model):
    """Urgent access by a worker outside the client's team: the reason is required, the grant expires, all audited."""

    __tablename__ = "break_glass_access"
    __table_args__ = (CheckConstraint("expires_at > at", name="expires_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


PHOTO_MAX_SIDE = 512  # pixels: a card shows it at about 96 px; twice that for sharp screens, with room to spare
PHOTO_MAX_STORED = 1024 * 1024


class StaffPhoto(db.Model):
    """A staff member's photo for the client's care-team card: always re-encoded JPEG, never the uploaded bytes."""

    __tablename__ = "staff_photos"
    __table_args__ = (
        CheckConstraint(f"size > 0 AND size <= {PHOTO_MAX_STORED}", name="size_range"),
        CheckConstraint(f"width BETWEEN 1 AND {PHOTO_MAX_SIDE} AND height BETWEEN 1 AND {PHOTO_MAX_SIDE}",
                        name="dimensions"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
