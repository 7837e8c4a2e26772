"""Reads: queue order, waiting times (by municipality, in SQL), units, vacancies, a client's queue status.

Queue order: urgent before normal, then the day queued, then the moment queued, then the entry id
(so two entries queued in the same instant still have one stable order).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, Integer, case, exists, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _
from portal.people.models import Client, Municipality
from portal.programmes.models import Enrolment
from portal.queues.models import (
    EntryStatus,
    HousingQueue,
    HousingUnit,
    Offer,
    OfferStatus,
    QueueEntry,
    QueuePriority,
    Residency,
    Vacancy,
    VacancyStatus,
    housing_unit_staff,
)
from portal.scheduling.timeutil import as_helsinki


class days_between(FunctionElement):  # noqa: N801 (an SQL function, named like one)
    """Whole days from ``earlier`` to ``later`` (two dates), computed by the database."""

    type = Integer()
    inherit_cache = True


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return f"CAST(julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)}) AS INTEGER)"


def today() -> date:
    return as_helsinki(utcnow()).date()


PRIORITY_RANK = case((QueueEntry.priority == QueuePriority.URGENT, 0), else_=1)
ORDER = (PRIORITY_RANK, QueueEntry.queued_on, QueueEntry.queued_at, QueueEntry.id)


# --- small lookups used by operations ------------------------------------------------------------------

def waiting_entry(queue_id: int, enrolment_id: int) -> QueueEntry | None:
    return db.session.scalar(select(QueueEntry).where(
        QueueEntry.queue_id == queue_id, QueueEntry.enrolment_id == enrolment_id,
        QueueEntry.status == EntryStatus.WAITING))


def open_vacancy_count(unit_id: int) -> int:
    return db.session.scalar(select(func.count(Vacancy.id)).where(
        Vacancy.unit_id == unit_id, Vacancy.status == VacancyStatus.OPEN)) or 0


def current_residents(unit_id: int) -> int:
    return db.session.scalar(select(func.count(Residency.id)).where(
        Residency.unit_id == unit_id, Residency.ends_on.is_(None))) or 0


def open_offer(vacancy_id: int) -> Offer | None:
    return db.session.scalar(select(Offer).where(Offer.vacancy_id == vacancy_id, Offer.status == OfferStatus.OPEN))


def offered_vacancies(vacancy_ids: list[int]) -> set[int]:
    """Those of these vacancies offered to someone who has not answered yet: no longer simply "open"."""
    if not vacancy_ids:
        return set()
    return set(db.session.scalars(select(Offer.vacancy_id).where(Offer.vacancy_id.in_(vacancy_ids),
                                                                 Offer.status == OfferStatus.OPEN)))


def has_open_offer(entry_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Offer.entry_id == entry_id,
                                                        Offer.status == OfferStatus.OPEN))))


def answered_entry_ids(vacancy_id: int) -> set[int]:
    return set(db.session.scalars(select(Offer.entry_id).where(
        Offer.vacancy_id == vacancy_id, Offer.status != OfferStatus.OPEN)))


# --- the queue -----------------------------------------------------------------------------------------

def suitable_entries(vacancy: Vacancy) -> list[QueueEntry]:
    """Waiting entries the vacancy may be offered to, in queue order: the queue of the unit's service
    type, no other preferred unit, no open offer, not already answered this vacancy."""
    open_elsewhere = exists().where(Offer.entry_id == QueueEntry.id, Offer.status == OfferStatus.OPEN)
    answered = exists().where(Offer.entry_id == QueueEntry.id, Offer.vacancy_id == vacancy.id)
    return list(db.session.scalars(
        select(QueueEntry).join(HousingQueue).where(
            HousingQueue.service_type == vacancy.unit.service_type, QueueEntry.status == EntryStatus.WAITING,
            or_(QueueEntry.preferred_unit_id.is_(None), QueueEntry.preferred_unit_id == vacancy.unit_id),
            ~open_elsewhere, ~answered,
        ).order_by(*ORDER)))


def next_suitable(vacancy: Vacancy) -> QueueEntry | None:
    entries = suitable_entries(vacancy)
    return entries[0] if entries else None


@dataclass(frozen=True)
class QueueRow:
    entry: QueueEntry
    client: Client
    waiting_days: int
    offer: Offer | None


def queue_rows(queue: HousingQueue, on: date | None = None) -> list[QueueRow]:
    """The queue's waiting entries in order, with their waiting days (counted by the database)."""
    on = on or today()
    waited = days_between(literal(on, Date), QueueEntry.queued_on)
    rows = db.session.execute(
        select(QueueEntry, Client, waited).join(Enrolment, QueueEntry.enrolment_id == Enrolment.id)
        .join(Client, Enrolment.client_id == Client.id)
        .where(QueueEntry.queue_id == queue.id, QueueEntry.status == EntryStatus.WAITING).order_by(*ORDER)).all()
    offers = _open_offers_by_entry([entry.id for entry, _c, _w in rows])
    return [QueueRow(entry, client, int(days), offers.get(entry.id)) for entry, client, days in rows]


def _open_offers_by_entry(entry_ids: list[int]) -> dict[int, Offer]:
    if not entry_ids:
        return {}
    offers = db.session.scalars(select(Offer).where(Offer.entry_id.in_(entry_ids), Offer.status == OfferStatus.OPEN))
    return {o.entry_id: o for o in offers}


def queues() -> list[HousingQueue]:
    return list(db.session.scalars(select(HousingQueue).order_by(HousingQueue.service_type)))


def queue_of(service_type) -> HousingQueue | None:
    return db.session.scalar(select(HousingQueue).where(HousingQueue.service_type == service_type))


@dataclass(frozen=True)
class MunicipalityWait:
    code: str
    name_fi: str
    name_sv: str
    waiting: int
    mean_waiting_days: float | None
    longest_waiting_days: int | None
    placed: int
    mean_days_to_placement: float | None

    def name(self, locale: str) -> str:
        return self.name_sv if locale == "sv" else self.name_fi


def waits_by_municipality(queue: HousingQueue | None = None, on: date | None = None) -> list[MunicipalityWait]:
    """Per municipality of the client's home: how many wait and how long so far, and how long the placed
    waited — in SQL, over all queues or one. Equal treatment wherever one lives is the model's point."""
    on = on or today()
    waiting = QueueEntry.status == EntryStatus.WAITING
    placed = QueueEntry.status == EntryStatus.PLACED
    waited = days_between(literal(on, Date), QueueEntry.queued_on)
    to_placement = days_between(QueueEntry.left_on, QueueEntry.queued_on)
    stmt = (select(Municipality.code, Municipality.name_fi, Municipality.name_sv,
                   func.count(QueueEntry.id).filter(waiting), func.avg(case((waiting, waited))),
                   func.max(case((waiting, waited))), func.count(QueueEntry.id).filter(placed),
                   func.avg(case((placed, to_placement))))
            .select_from(QueueEntry).join(Enrolment, QueueEntry.enrolment_id == Enrolment.id)
            .join(Client, Enrolment.client_id == Client.id)
            .join(Municipality, Client.municipality_code == Municipality.code)
            .where(QueueEntry.status.in_([EntryStatus.WAITING, EntryStatus.PLACED]))
            .group_by(Municipality.code, Municipality.name_fi, Municipality.name_sv).order_by(Municipality.name_fi))
    if queue is not None:
        stmt = stmt.where(QueueEntry.queue_id == queue.id)
    return [MunicipalityWait(code, fi, sv, n_wait, _float(mean), longest, n_placed, _float(mean_placed))
            for code, fi, sv, n_wait, mean, longest, n_placed, mean_placed in db.session.execute(stmt)]


def _float(value) -> float | None:
    return None if value is None else round(float(value), 1)


@dataclass(frozen=True)
class QueueSummary:
    queue: HousingQueue
    waiting: int
    urgent: int
    longest_days: int | None
    open_vacancies: int


def queue_summaries(on: date | None = None) -> list[QueueSummary]:
    on = on or today()
    waiting = QueueEntry.status == EntryStatus.WAITING
    stats = {qid: (n, urgent, longest) for qid, n, urgent, longest in db.session.execute(
        select(QueueEntry.queue_id, func.count(QueueEntry.id),
               func.count(QueueEntry.id).filter(QueueEntry.priority == QueuePriority.URGENT),
               func.max(days_between(literal(on, Date), QueueEntry.queued_on)))
        .where(waiting).group_by(QueueEntry.queue_id))}
    vacancies = dict(db.session.execute(
        select(HousingUnit.service_type, func.count(Vacancy.id)).join(Vacancy.unit)
        .where(Vacancy.status == VacancyStatus.OPEN).group_by(HousingUnit.service_type)).all())
    return [QueueSummary(q, *stats.get(q.id, (0, 0, None)), vacancies.get(q.service_type, 0)) for q in queues()]


# --- units and vacancies -------------------------------------------------------------------------------

def units_for(user, every: bool) -> list[HousingUnit]:
    stmt = select(HousingUnit).order_by(HousingUnit.service_type, HousingUnit.name)
    if not every:
        stmt = stmt.join(housing_unit_staff, housing_unit_staff.c.unit_id == HousingUnit.id).where(
            housing_unit_staff.c.user_id == user.id)
    return list(db.session.scalars(stmt))


def vacancies_of(unit: HousingUnit, limit: int = 20) -> list[Vacancy]:
    return list(db.session.scalars(select(Vacancy).where(Vacancy.unit_id == unit.id)
                                   .order_by(Vacancy.status != VacancyStatus.OPEN, Vacancy.free_from.desc())
                                   .limit(limit)))


def open_vacancies() -> list[Vacancy]:
    return list(db.session.scalars(select(Vacancy).where(Vacancy.status == VacancyStatus.OPEN)
                                   .order_by(Vacancy.free_from)))


def residents_of(unit: HousingUnit) -> list[tuple[Residency, Client]]:
    """Current residencies with the client (the unit sees the name and start date only)."""
    return list(db.session.execute(
        select(Residency, Client).join(Enrolment, Residency.enrolment_id == Enrolment.id)
        .join(Client, Enrolment.client_id == Client.id)
        .where(Residency.unit_id == unit.id, Residency.ends_on.is_(None)).order_by(Residency.starts_on)).all())


def placement_of(vacancy: Vacancy) -> tuple[Residency, Client] | None:
    row = db.session.execute(
        select(Residency, Client).join(Enrolment, Residency.enrolment_id == Enrolment.id)
        .join(Client, Enrolment.client_id == Client.id).where(Residency.vacancy_id == vacancy.id)).first()
    return None if row is None else (row[0], row[1])


def days_to_fill_by_unit() -> dict[int, tuple[int, float | None]]:
    """Per unit: filled vacancies and their mean days to fill."""
    rows = db.session.execute(select(Vacancy.unit_id, func.count(Vacancy.id), func.avg(Vacancy.days_to_fill))
                              .where(Vacancy.status == VacancyStatus.FILLED).group_by(Vacancy.unit_id))
    return {unit_id: (n, _float(mean)) for unit_id, n, mean in rows}


def open_offers_of(queue_id: int) -> list[Offer]:
    return list(db.session.scalars(select(Offer).join(QueueEntry).where(
        QueueEntry.queue_id == queue_id, Offer.status == OfferStatus.OPEN)))


# --- a client's status (the intake feature's client page calls this) ----------------------------------

class QueueStatus(dict):
    """A plain dict that also reads as attributes (``status.offered``), for Python callers and templates."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def client_queue_status(enrolment_id: int) -> QueueStatus | None:
    """Where a housing client stands in the queues, or None if they were never queued.

    Keys: ``service_type``, ``status``, ``in_queue_since``, ``preferred_unit``, ``offered`` (bool),
    ``offer`` ({"unit", "municipality", "free_from", "answer_by"} or None), ``placed`` ({"unit", "starts_on",
    "ends_on"} or None) and ``label``, one plain-language sentence for the client. No queue position: it
    changes when urgent clients arrive and differs by preferred unit, so a number would promise what nobody
    can keep.
    """
    entry = db.session.scalar(select(QueueEntry).where(QueueEntry.enrolment_id == enrolment_id)
                              .order_by(QueueEntry.status != EntryStatus.WAITING, QueueEntry.id.desc()).limit(1))
    if entry is None:
        return None
    offer = db.session.scalar(select(Offer).where(Offer.entry_id == entry.id, Offer.status == OfferStatus.OPEN))
    residency = db.session.scalar(select(Residency).where(Residency.enrolment_id == enrolment_id)
                                  .order_by(Residency.starts_on.desc()).limit(1))
    status = QueueStatus(
        service_type=entry.queue.service_type, status=entry.status, in_queue_since=entry.queued_on,
        preferred_unit=entry.preferred_unit.name if entry.preferred_unit else None, offered=offer is not None,
        offer=None if offer is None else {
            "unit": offer.vacancy.unit.name, "municipality": offer.vacancy.unit.municipality,
            "free_from": offer.vacancy.free_from, "answer_by": offer.answer_by},
        placed=None if residency is None else {"unit": residency.unit.name, "starts_on": residency.starts_on,
                                               "ends_on": residency.ends_on},
    )
    status["label"] = _client_label(status)
    return status


def _client_label(status: QueueStatus) -> str:
    from portal.queues.labels import queue_label
    from portal.web.templating import local_date

    if status.placed is not None:
        return _("Your housing service at %(unit)s starts on %(date)s.", unit=status.placed["unit"],
                 date=local_date(status.placed["starts_on"]))
    if status.offer is not None:
        return _("You have been offered a place at %(unit)s. Please answer by %(date)s; your worker will help you.",
                 unit=status.offer["unit"], date=local_date(status.offer["answer_by"]))
    return _("You are in the queue for %(service)s since %(date)s. We will contact you when a place is free.",
             service=queue_label(status.service_type), date=local_date(status.in_queue_since))
