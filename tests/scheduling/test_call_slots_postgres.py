"""Many workers take one published call slot at the same moment on PostgreSQL: exactly one call is booked."""

from __future__ import annotations

import threading
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from portal.auth.models import Role, User
from portal.extensions import db as _db
from portal.programmes.models import Enrolment
from portal.scheduling import calls
from portal.scheduling.models import Appointment, CallSlot
from portal.scheduling.rules import BookingError

pytestmark = pytest.mark.postgres
RACERS = 8
NOW = datetime(2036, 11, 20, 10, tzinfo=ZoneInfo("Europe/Helsinki"))


@pytest.fixture
def app_config():
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": RACERS + 2}}


@pytest.fixture
def app(pg_app):
    return pg_app


@pytest.fixture
def contenders(db, create_staff, create_client, create_enrolment):
    owner = create_staff(Role.WORKER, name="Puhelinaika")
    [slot, *_] = calls.publish(owner, date(2036, 11, 24), time(9), time(10), 20, now=NOW)
    bookers = [create_staff(Role.WORKER) for _ in range(RACERS)]
    enrolments = [create_enrolment(create_client(), coordinator=b, programme="health-social-work") for b in bookers]
    db.session.commit()
    return slot.id, [(b.id, e.id) for b, e in zip(bookers, enrolments, strict=True)]


def test_exactly_one_of_many_simultaneous_takers_wins(app, db, contenders):
    slot_id, pairs = contenders
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []

    def race(user_id: int, enrolment_id: int) -> None:
        with app.app_context():  # each thread: its own session and connection, as separate requests
            actor, enrolment = _db.session.get(User, user_id), _db.session.get(Enrolment, enrolment_id)
            slot = _db.session.get(CallSlot, slot_id)
            barrier.wait()
            try:
                calls.take(actor, slot, enrolment, now=NOW)
                _db.session.commit()
                outcomes.append("booked")
            except BookingError:  # the owner's time is taken (the exclusion constraint) or the slot linked
                _db.session.rollback()
                outcomes.append("refused")
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=race, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["booked"] + ["refused"] * (RACERS - 1)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 1
    assert db.session.get(CallSlot, slot_id).appointment_id is not None
