"""On PostgreSQL: the last minutes of a decision meeting go to one worker only; the database's own refusals."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from portal.auth.models import Role, User
from portal.extensions import db as _db
from portal.intake import operations
from portal.intake.models import DecisionMeeting, DecisionMeetingItem, IntakeChannel
from portal.programmes.models import Enrolment
from tests.intake.conftest import NOW, TODAY, details, notification

pytestmark = pytest.mark.postgres
RACERS = 6


@pytest.fixture
def app_config():
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": RACERS + 2}}


@pytest.fixture
def app(pg_app):
    return pg_app


def test_simultaneous_bookings_never_overfill_the_meeting(app, db, create_staff, create_client, create_enrolment,
                                                         unit):
    worker = create_staff(Role.WORKER, Role.TEAM_LEAD)
    enrolment_ids = [create_enrolment(create_client(), coordinator=worker, programme="housing-guidance").id
                     for _ in range(RACERS)]
    chair = create_staff(Role.SERVICE_MANAGER)
    meeting = operations.schedule_meetings(chair, unit, date.today() + timedelta(days=1), 1,
                                           {"INTAKE_SAP_MINUTES": 20})[0]  # room for two 10-minute slots
    db.session.commit()
    worker_id, meeting_id = worker.id, meeting.id
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []

    def race(enrolment_id: int) -> None:
        with app.app_context():  # each thread: its own session and connection, as in separate requests
            actor = _db.session.get(User, worker_id)
            target = _db.session.get(DecisionMeeting, meeting_id)
            enrolment = _db.session.get(Enrolment, enrolment_id)
            barrier.wait()
            try:
                operations.book_slot(actor, target, enrolment, 10, NOW)
                _db.session.commit()
                outcomes.append("booked")
            except (operations.IntakeError, IntegrityError):
                _db.session.rollback()
                outcomes.append("refused")
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=race, args=(e,)) for e in enrolment_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["booked"] * 2 + ["refused"] * (RACERS - 2)
    db.session.expire_all()
    assert db.session.scalar(select(func.sum(DecisionMeetingItem.estimated_minutes))) == 20


def test_the_database_refuses_what_operations_refuse(db, create_staff):
    worker = create_staff(Role.WORKER)
    item = operations.receive(worker, IntakeChannel.notification_35, notification(), TODAY, TODAY)
    db.session.commit()
    for statement in (f"UPDATE intake_items SET person_consented = NULL WHERE id = {item.id}",
                      f"UPDATE intake_items SET status = 'registered' WHERE id = {item.id}"):
        with pytest.raises(IntegrityError):
            db.session.execute(text(statement))
            db.session.flush()
        db.session.rollback()


def test_one_draft_per_client_account(db, create_client):
    user = create_client().user
    operations.save_draft(user, details())
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(text(
            "INSERT INTO intake_items (channel, status, first_name, last_name, language, description,"
            " highest_care_allowance, submitted_by_id, created_at, updated_at) VALUES ('service_request', 'draft',"
            f" '', '', 'fi', '', false, {user.id}, now(), now())"))
        db.session.flush()
    db.session.rollback()
