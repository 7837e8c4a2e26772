"""Demo housing queues (seed 001): units in Länsi-Uusimaa, one queue per service type kept by Jonna Laine
with Camilla Nyström as her named deputy, the housing clients waiting, their past placements (vacancies
filled, with days to fill) and one open vacancy to offer.

The demo's own housing clients are used as they are (the demo tests keep the client and enrolment counts
and give every enrolment its contacts), so no clients are added here. Waiting times differ by
municipality on purpose — the western coast (Hanko, Raasepori) waits longer than Espoo, the situation the
centralised model was built to even out. Clients the intake demo already queued (a signed decision) are
kept as they are. Deterministic: its own random generator, ``today`` is the only clock.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.intake.models import Decision, DecisionOutcome, HousingServiceType
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.queues.models import (
    EntryStatus,
    HousingQueue,
    HousingUnit,
    Offer,
    OfferStatus,
    QueueEntry,
    Residency,
    Vacancy,
    VacancyStatus,
)

COORDINATOR_EMAIL = "jonna.laine@silta.example"
DEPUTY_EMAIL = "camilla.nystrom@silta.example"  # "jonokoordinaattorin varahenkilö" in the demo staff
UNIT_LOGIN = "asumispalvelu@silta.example"
S, C, R = HousingServiceType.supported, HousingServiceType.communal, HousingServiceType.round_the_clock

# name, municipality, service type, places, provider, linked to the demo unit login
UNITS = (
    ("Asumisyksikkö Vaahtera", "444", S, 12, "Vaahtera-asumispalvelut Oy", True),
    ("Yhteisökoti Kotipesä", "257", C, 10, "Kotipesä ry", True),
    ("Palvelukoti Lehmus", "049", R, 14, "Lehmus Hoiva Oy", False),
    ("Stödboende Ekenäs / Tukiasunnot Tammisaari", "710", S, 8, "Raaseporin Tukiasunnot ry", False),
    ("Yhteisökoti Koivurinne", "927", C, 9, "Koivurinne Oy", False),
    ("Tukiasunnot Leppävaara", "049", S, 16, "Espoon Asumispalvelut Oy", False),
)
# Mean days in the queue by the client's municipality: unequal on purpose (see the module docstring).
MEAN_WAIT = {"049": 45, "235": 50, "257": 70, "444": 85, "927": 95, "755": 110, "224": 100, "149": 120,
             "710": 150, "078": 170}
DEFAULT_WAIT = 90


def seed_queues(session: Session, today: date, seed: int = 2026) -> None:
    """Insert the housing units, queues, entries, past placements and one open vacancy; flushes."""
    rng = random.Random(seed * 7 + 1)
    coordinator = session.scalar(select(User).where(User.email == COORDINATOR_EMAIL))
    if coordinator is None:
        return  # not the demo county
    deputy = session.scalar(select(User).where(User.email == DEPUTY_EMAIL))
    units = _units(session)
    queues = {t: _queue(session, t, coordinator, deputy) for t in HousingServiceType}
    session.flush()
    waiting = _queue_waiting(session, queues, today, rng)
    _past_placements(session, queues, units, coordinator, waiting, today, rng)
    vaahtera = units[0]
    session.add(Vacancy(unit=vaahtera, free_from=today + timedelta(days=7), status=VacancyStatus.OPEN,
                        reported_at=_at(today - timedelta(days=1)),
                        reported_by_id=vaahtera.staff[0].id if vaahtera.staff else None))
    session.flush()


def _units(session: Session) -> list[HousingUnit]:
    login = session.scalar(select(User).where(User.email == UNIT_LOGIN))
    units = [HousingUnit(name=name, municipality_code=code, service_type=kind, places=places, provider=provider,
                         staff=[login] if linked and login is not None else [])
             for name, code, kind, places, provider, linked in UNITS]
    session.add_all(units)
    return units


def _queue(session: Session, kind: HousingServiceType, coordinator: User, deputy: User | None) -> HousingQueue:
    queue = session.scalar(select(HousingQueue).where(HousingQueue.service_type == kind))
    if queue is None:
        queue = HousingQueue(service_type=kind)
        session.add(queue)
    queue.coordinator, queue.deputy = coordinator, deputy
    return queue


def _wait(enrolment: Enrolment, rng: random.Random, factor: float = 1.0) -> int:
    mean = MEAN_WAIT.get(enrolment.client.municipality_code, DEFAULT_WAIT) * factor
    return max(7, int(rng.gauss(mean, mean * 0.25)))


def _housing(session: Session, phase: str) -> list[Enrolment]:
    return list(session.scalars(select(Enrolment).where(
        Enrolment.programme_code == "housing-guidance", Enrolment.phase == phase).order_by(Enrolment.id)))


def _queue_waiting(session: Session, queues, today: date, rng: random.Random) -> list[QueueEntry]:
    """Active enrolments in phase ``queue`` that no signal queued: by their decision's service type if the
    intake demo wrote one, else by the demo's mix; queued as long ago as their municipality waits."""
    queued = set(session.scalars(select(QueueEntry.enrolment_id)))
    entries = []
    for enrolment in _housing(session, "queue"):
        if enrolment.id in queued or enrolment.status is not EnrolmentStatus.ACTIVE:
            continue
        decision = session.scalar(select(Decision).where(
            Decision.enrolment_id == enrolment.id, Decision.outcome == DecisionOutcome.granted,
            Decision.signed_at.is_not(None)).order_by(Decision.signed_at.desc()).limit(1))
        kind = decision.service_type if decision is not None else rng.choices((S, C, R), (5, 3, 2))[0]
        since = decision.signed_at.date() if decision is not None else today - timedelta(days=_wait(enrolment, rng))
        entry = QueueEntry(queue=queues[kind], enrolment=enrolment, queued_on=since, queued_at=_at(since),
                           decision_id=decision.id if decision else None, status=EntryStatus.WAITING)
        session.add(entry)
        entries.append(entry)
    return entries


def _past_placements(session: Session, queues, units, coordinator: User, waiting: list[QueueEntry], today: date,
                     rng: random.Random) -> None:
    """Enrolments in phase ``placed``: the vacancy they took (days to fill kept), its accepted offer and the
    residency; where a client now waiting had been queued by then, they were offered it first and declined."""
    for n, enrolment in enumerate(_housing(session, "placed")):
        placed_on = min(enrolment.ended_on or today, today) - timedelta(days=rng.randint(0, 20))
        unit = units[n % len(units)]
        fill = rng.choice((0, 3, 6, 9, 14, 21, 35))
        free_from = placed_on - timedelta(days=fill)
        queued_on = min(free_from, placed_on - timedelta(days=_wait(enrolment, rng, 1.2)))
        entry = QueueEntry(queue=queues[unit.service_type], enrolment=enrolment, queued_on=queued_on,
                           queued_at=_at(queued_on), status=EntryStatus.PLACED, left_on=placed_on)
        vacancy = Vacancy(unit=unit, free_from=free_from, status=VacancyStatus.FILLED, filled_on=placed_on,
                          days_to_fill=fill, reported_at=_at(free_from - timedelta(days=14)))
        offered = placed_on - timedelta(days=min(fill, 4))
        session.add_all([entry, vacancy, _offer(vacancy, entry, coordinator, offered, OfferStatus.ACCEPTED, placed_on),
                         Residency(unit=unit, enrolment=enrolment, vacancy=vacancy, starts_on=placed_on)])
        decliner = next((w for w in waiting if w.queue is entry.queue and w.queued_on < offered - timedelta(days=10)),
                        None)
        if decliner is not None and n % 2 == 0:
            first = offered - timedelta(days=9)
            session.add(_offer(vacancy, decliner, coordinator, first, OfferStatus.DECLINED, first + timedelta(days=3)))


def _offer(vacancy: Vacancy, entry: QueueEntry, coordinator: User, offered: date, status: OfferStatus,
           answered: date) -> Offer:
    return Offer(vacancy=vacancy, entry=entry, offered_at=_at(offered), offered_by_id=coordinator.id,
                 answer_by=offered + timedelta(days=7), status=status, answered_at=_at(answered),
                 recorded_by_id=coordinator.id)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)
