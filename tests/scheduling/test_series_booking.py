"""Booking a weekly series: a contact someone books between the plan and the write is reported, never
half-written, and the rest are booked (the statement count, on PostgreSQL: test_series_booking_postgres.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.programmes.definitions_schema import Modality
from portal.scheduling import operations, rules
from portal.scheduling.availability import plan_series
from portal.scheduling.models import Appointment, Participant
from portal.scheduling.operations import BookingRequest
from portal.scheduling.timeutil import local

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
MONDAY = date(2026, 11, 23)


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER, name="Sanna Virtanen", locale="en")


@pytest.fixture
def enrolment(worker, create_client, create_enrolment):
    return create_enrolment(create_client(), coordinator=worker, programme="many-services")


def request_for(enrolment, starts_at) -> BookingRequest:
    return BookingRequest(enrolment=enrolment, contact_type="coordinator-meeting", modality=Modality.RECEPTION,
                          starts_at=starts_at, minutes=45)


def book(worker, enrolment, weeks: int, first: datetime):
    request = request_for(enrolment, first)
    plan = plan_series([worker.id], enrolment.client_id, 45, first, weeks=weeks)
    return operations.book_series(worker, request, plan, now=NOW)


def test_a_time_taken_after_planning_is_reported_and_the_rest_booked(db, worker, enrolment, create_client,
                                                                    create_enrolment):
    first = local(MONDAY, time(9))
    plan = plan_series([worker.id], enrolment.client_id, 45, first, weeks=3)
    other = create_enrolment(create_client(), coordinator=worker, programme="many-services")
    operations.book(worker, request_for(other, first + timedelta(weeks=1)), now=NOW)  # meanwhile
    result = operations.book_series(worker, request_for(enrolment, first), plan, now=NOW)
    assert [o.booked for o in result.outcomes] == [True, False, True]
    assert result.outcomes[1].reasons == (rules.MESSAGES["conflict"],)
    rows = db.session.scalars(select(Participant.appointment_id).join(Appointment).where(
        Appointment.enrolment_id == enrolment.id)).all()
    assert len(rows) == 4  # two contacts, two people each: nothing of the refused one was left behind
