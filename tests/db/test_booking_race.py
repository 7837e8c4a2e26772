"""Many simultaneous bookings race for one worker's slot on PostgreSQL: exactly one wins."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from portal.auth.models import Role, User
from portal.extensions import db as _db
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment
from portal.scheduling.models import Appointment
from portal.scheduling.operations import BookingConflict, BookingRequest, book
from portal.scheduling.timeutil import local

pytestmark = pytest.mark.postgres
RACERS = 16
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def app_config():
    # Every racer holds a connection while it waits at the barrier.
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": RACERS + 2}}


@pytest.fixture
def contenders(db, create_staff, create_client, create_enrolment):
    worker = create_staff(Role.WORKER)
    enrolments = [create_enrolment(create_client(), coordinator=worker, programme="many-services")
                  for _ in range(RACERS)]
    db.session.commit()
    return worker.id, [e.id for e in enrolments]


def test_exactly_one_of_many_simultaneous_bookings_wins(app, db, contenders):
    worker_id, enrolment_ids = contenders
    start = local(date(2026, 11, 23), time(10, 0))
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []

    def race(enrolment_id: int) -> None:
        with app.app_context():  # each thread: its own session and connection, as in separate requests
            worker = _db.session.get(User, worker_id)
            request = BookingRequest(enrolment=_db.session.get(Enrolment, enrolment_id),
                                     contact_type="coordinator-meeting", modality=Modality.VIDEO,
                                     starts_at=start, minutes=45)
            barrier.wait()
            try:
                book(worker, request, now=NOW)
                _db.session.commit()
                outcomes.append("booked")
            except BookingConflict:
                _db.session.rollback()
                outcomes.append("conflict")
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=race, args=(e,)) for e in enrolment_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["booked"] + ["conflict"] * (RACERS - 1)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 1
