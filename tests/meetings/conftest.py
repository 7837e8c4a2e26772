"""A past one-to-one appointment to record, booked through scheduling as a worker would."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from portal.auth.models import Role
from portal.meetings.models import ContactStatus
from portal.meetings.operations import ContactRecord, record_meeting
from portal.programmes.definitions_schema import Modality
from portal.scheduling.operations import BookingRequest, book
from portal.scheduling.timeutil import local

MONDAY = date(2026, 11, 16)  # in the past on this machine's clock; the operations get ``now`` explicitly
FIRST_VISIT = date(2026, 11, 9)
BOOKED_AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
AFTER = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)  # after every appointment below


@pytest.fixture(autouse=True)
def english(app):
    """Messages are lazy and translated when read: read them in English here."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER, name="Sanna Virtanen", locale="en")


@pytest.fixture
def enrolment(db, create_client, create_enrolment, worker):
    """A remote-guidance client whose first meeting (a home visit, the programme's rule) was held and recorded."""
    row = create_enrolment(create_client(), coordinator=worker)
    first, _ = book(worker, BookingRequest(enrolment=row, contact_type="guidance-meeting", modality=Modality.HOME_VISIT,
                                           starts_at=local(FIRST_VISIT, time(10)), minutes=60), now=BOOKED_AT)
    record_meeting(worker, first, ContactRecord(ContactStatus.HELD, Modality.HOME_VISIT, first.starts_at,
                                                first.ends_at), now=first.ends_at)
    return row


@pytest.fixture
def make_appointment(db, worker, enrolment):
    """Book an appointment for the enrolment at ``at`` (Helsinki time) on MONDAY, as if booked the week before."""

    def factory(at: time = time(10), modality: Modality = Modality.VIDEO, minutes: int = 45, day: date = MONDAY,
                contact_type: str = "guidance-meeting", for_enrolment=None, by=None):
        request = BookingRequest(enrolment=for_enrolment or enrolment, contact_type=contact_type, modality=modality,
                                 starts_at=local(day, at), minutes=minutes, urgent=True)
        appointment, _ = book(by or worker, request, now=BOOKED_AT)
        db.session.flush()
        return appointment

    return factory


@pytest.fixture
def appointment(make_appointment):
    return make_appointment()
