"""The meeting record on a real PostgreSQL: the note column from migration 5e6f7a8b9c0d, the
one-record-per-appointment constraint, the status checks and the list still to record."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from portal.meetings import queries
from portal.meetings.models import Contact, ContactStatus
from portal.meetings.operations import ContactRecord, record_meeting
from portal.programmes.definitions_schema import Modality
from portal.scheduling.models import AppointmentStatus
from tests.meetings.conftest import AFTER

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(pg_app):
    return pg_app


def test_record_correct_and_list_on_postgres(db, worker, make_appointment):
    first = make_appointment(at=time(9), day=date(2026, 11, 11))
    second = make_appointment(at=time(13))
    assert [a.id for a in queries.pending(worker, AFTER)] == [first.id, second.id]
    assert queries.pending_count(worker, AFTER) == 2
    starts = first.starts_at + timedelta(minutes=5)
    entry = ContactRecord(ContactStatus.HELD, Modality.PHONE, starts, starts + timedelta(minutes=30), ("health",),
                          False, "Soitettiin videon sijaan. " * 30)
    contact = record_meeting(worker, first, entry, now=AFTER)
    db.session.flush()
    db.session.expire_all()
    assert len(contact.note) == 500 and contact.support_types == ["health"] and contact.duration_minutes == 30
    assert queries.pending_count(worker, AFTER) == 1
    # Cancelled after all, then held after all: the checks on both tables hold at each step.
    record_meeting(worker, first, ContactRecord(ContactStatus.CANCELLED, Modality.PHONE, starts, starts), now=AFTER)
    db.session.flush()
    assert first.status is AppointmentStatus.CANCELLED and contact.duration_minutes is None
    record_meeting(worker, first, entry, now=AFTER)
    db.session.flush()
    assert first.status is AppointmentStatus.HELD and first.cancelled_at is None


def test_one_record_per_appointment_on_postgres(db, worker, appointment):
    record_meeting(worker, appointment, ContactRecord(ContactStatus.NO_SHOW, Modality.VIDEO, appointment.starts_at,
                                                      appointment.ends_at), now=AFTER)
    db.session.add(Contact(enrolment_id=appointment.enrolment_id, appointment_id=appointment.id, worker_id=worker.id,
                           contact_type="guidance-meeting", modality=Modality.VIDEO, status=ContactStatus.HELD,
                           starts_at=appointment.starts_at, ends_at=appointment.ends_at))
    with pytest.raises(IntegrityError, match="appointment_id"):
        with db.session.begin_nested():
            db.session.flush()
