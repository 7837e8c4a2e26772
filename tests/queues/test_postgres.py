"""Coordinators offering one vacancy at the same moment on PostgreSQL: exactly one offer is made;
and the waiting-time queries (date arithmetic in SQL) give the same figures as on SQLite."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.auth.models import Role, User
from portal.extensions import db as _db
from portal.intake.models import HousingServiceType
from portal.queues import operations, queries
from portal.queues.models import HousingQueue, Offer, QueueEntry, Vacancy

pytestmark = pytest.mark.postgres
RACERS = 6
TODAY = queries.today()


@pytest.fixture
def app(pg_app):
    return pg_app


@pytest.fixture
def app_config():
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": RACERS + 2}}


def test_simultaneous_offers_of_one_vacancy_make_exactly_one(app, db, create_staff, create_unit, housing_client):
    coordinators = [create_staff(Role.QUEUE_COORDINATOR) for _ in range(RACERS)]
    queue = operations.ensure_queue(HousingServiceType.supported)  # no named keeper: every coordinator may act
    entries = [operations.enqueue(coordinators[0], housing_client(), HousingServiceType.supported,
                                  queued_on=TODAY - timedelta(days=30 - i)) for i in range(RACERS)]
    vacancy = operations.report_vacancy(coordinators[0], create_unit(), TODAY)
    db.session.commit()
    ids = [(c.id, e.id) for c, e in zip(coordinators, entries, strict=True)]
    vacancy_id, barrier, outcomes = vacancy.id, threading.Barrier(RACERS), []

    def race(user_id: int, entry_id: int) -> None:
        with app.app_context():  # each thread: its own session and connection, as in separate requests
            user, entry = _db.session.get(User, user_id), _db.session.get(QueueEntry, entry_id)
            target = _db.session.get(Vacancy, vacancy_id)
            barrier.wait()
            try:
                operations.offer_vacancy(user, target, entry, skip_reason="kilpailutesti")
                _db.session.commit()
                outcomes.append("offered")
            except operations.QueueError:
                _db.session.rollback()
                outcomes.append("refused")
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=race, args=pair) for pair in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["offered"] + ["refused"] * (RACERS - 1)
    assert db.session.scalar(select(func.count(Offer.id)).where(Offer.vacancy_id == vacancy_id)) == 1
    assert db.session.get(HousingQueue, queue.id) is not None


def test_waiting_days_by_municipality_on_postgres(db, create_staff, housing_client, raasepori):
    coordinator = create_staff(Role.QUEUE_COORDINATOR)
    for days, where in ((100, raasepori), (40, raasepori), (10, None)):
        operations.enqueue(coordinator, housing_client(where), HousingServiceType.supported,
                           queued_on=TODAY - timedelta(days=days))
    queue = queries.queue_of(HousingServiceType.supported)
    assert [r.waiting_days for r in queries.queue_rows(queue)] == [100, 40, 10]
    waits = {w.code: w for w in queries.waits_by_municipality()}
    assert (waits["710"].waiting, waits["710"].mean_waiting_days, waits["710"].longest_waiting_days) == (2, 70.0, 100)
    assert queries.queue_summaries()[0].longest_days == 100
