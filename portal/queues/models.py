"""Queues per housing service, housing units, vacancies, offers and residencies (seed 001).

One queue per housing service type (supported, communal, round-the-clock), not per unit: the point of
the centralised model is that a client waits in one line wherever they live. An entry may name a
preferred unit; it is then suitable only for that unit's vacancies, otherwise for any unit of the type.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import str_enum, utcnow
from portal.extensions import db
from portal.intake.models import HousingServiceType
from portal.people.models import Municipality
from portal.programmes.models import Enrolment


class QueuePriority(enum.StrEnum):
    """Urgent entries come first; within a priority, the earlier queued."""

    URGENT = "urgent"
    NORMAL = "normal"


class EntryStatus(enum.StrEnum):
    WAITING = "waiting"
    PLACED = "placed"
    WITHDRAWN = "withdrawn"


class VacancyStatus(enum.StrEnum):
    OPEN = "open"
    FILLED = "filled"
    CANCELLED = "cancelled"


class OfferStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"  # no answer by the date asked


housing_unit_staff = Table(
    "housing_unit_staff",
    db.metadata,
    Column("unit_id", ForeignKey("housing_units.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class HousingUnit(db.Model):
    """A housing-service unit of a provider; its staff (role housing_unit) report vacancies and residencies."""

    __tablename__ = "housing_units"
    __table_args__ = (CheckConstraint("places > 0", name="places_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    service_type: Mapped[HousingServiceType] = mapped_column(str_enum(HousingServiceType, 32), index=True)
    places: Mapped[int]
    provider: Mapped[str] = mapped_column(String(200))

    municipality: Mapped[Municipality] = relationship(lazy="joined")
    staff: Mapped[list[User]] = relationship(secondary=housing_unit_staff, lazy="selectin")


class HousingQueue(db.Model):
    """The queue of one housing service type, kept by a coordinator with a named deputy."""

    __tablename__ = "housing_queues"
    __table_args__ = (
        CheckConstraint("deputy_id IS NULL OR deputy_id <> coordinator_id", name="deputy_not_coordinator"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_type: Mapped[HousingServiceType] = mapped_column(str_enum(HousingServiceType, 32), unique=True)
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    coordinator: Mapped[User | None] = relationship(foreign_keys=[coordinator_id], lazy="joined")
    deputy: Mapped[User | None] = relationship(foreign_keys=[deputy_id], lazy="joined")


class QueueEntry(db.Model):
    """A granted client waiting in a queue, from the signed decision until placed or withdrawn."""

    __tablename__ = "queue_entries"
    __table_args__ = (
        CheckConstraint("(status = 'waiting') = (left_on IS NULL)", name="left_has_date"),
        CheckConstraint("left_on IS NULL OR left_on >= queued_on", name="left_after_queued"),
        # A client waits at most once in a queue at a time.
        Index("uq_queue_entries_waiting_enrolment", "queue_id", "enrolment_id", unique=True,
              sqlite_where=text("status = 'waiting'"), postgresql_where=text("status = 'waiting'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("housing_queues.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    preferred_unit_id: Mapped[int | None] = mapped_column(ForeignKey("housing_units.id"))
    priority: Mapped[QueuePriority] = mapped_column(str_enum(QueuePriority, 16), default=QueuePriority.NORMAL)
    queued_on: Mapped[date]
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)  # breaks ties within one day
    status: Mapped[EntryStatus] = mapped_column(str_enum(EntryStatus, 16), default=EntryStatus.WAITING)
    left_on: Mapped[date | None]

    queue: Mapped[HousingQueue] = relationship(lazy="joined")
    enrolment: Mapped[Enrolment] = relationship()
    preferred_unit: Mapped[HousingUnit | None] = relationship()


class Vacancy(db.Model):
    """A place free in a unit from a date; filled by an accepted offer (days to fill kept)."""

    __tablename__ = "vacancies"
    __table_args__ = (
        CheckConstraint("(status = 'filled') = (filled_on IS NOT NULL)", name="filled_has_date"),
        CheckConstraint("days_to_fill IS NULL OR days_to_fill >= 0", name="days_to_fill_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("housing_units.id"), index=True)
    free_from: Mapped[date]
    status: Mapped[VacancyStatus] = mapped_column(str_enum(VacancyStatus, 16), default=VacancyStatus.OPEN)
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filled_on: Mapped[date | None]
    # Days from free_from to the accepted offer (0 when filled before the place was free): the seed's
    # "asiakasvirran hallinta" figure, kept so that reports need not recompute it from offers.
    days_to_fill: Mapped[int | None]

    unit: Mapped[HousingUnit] = relationship(lazy="joined")
    offers: Mapped[list[Offer]] = relationship(back_populates="vacancy", order_by="Offer.id")


class Offer(db.Model):
    """A vacancy offered to one queue entry, and the client's answer."""

    __tablename__ = "housing_offers"
    __table_args__ = (
        CheckConstraint("(status = 'open') = (answered_at IS NULL)", name="answered_has_time"),
        # One open offer per vacancy: two coordinators offering at once cannot both succeed.
        Index("uq_housing_offers_open_vacancy", "vacancy_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("queue_entries.id"), index=True)
    offered_at: Mapped[datetime] = mapped_column(default=utcnow)
    offered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    answer_by: Mapped[date]
    # Why the coordinator passed over someone ahead in the queue (equal treatment needs a reason).
    skip_reason: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[OfferStatus] = mapped_column(str_enum(OfferStatus, 16), default=OfferStatus.OPEN)
    answered_at: Mapped[datetime | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    vacancy: Mapped[Vacancy] = relationship(back_populates="offers")
    entry: Mapped[QueueEntry] = relationship(lazy="joined")
    offered_by: Mapped[User] = relationship(foreign_keys=[offered_by_id])


class Residency(db.Model):
    """A client living in a unit: starts from an accepted offer, ends when the unit reports it."""

    __tablename__ = "residencies"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        Index("uq_residencies_current_enrolment", "enrolment_id", unique=True,
              sqlite_where=text("ends_on IS NULL"), postgresql_where=text("ends_on IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("housing_units.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancies.id"))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    unit: Mapped[HousingUnit] = relationship(lazy="joined")
    enrolment: Mapped[Enrolment] = relationship()
    vacancy: Mapped[Vacancy | None] = relationship()
