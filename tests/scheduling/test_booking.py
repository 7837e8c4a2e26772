"""Booking one appointment: the programmes' rules, clear refusals, and no double booking."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import Role
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import EnrolmentStatus
from portal.scheduling.models import Absence, AppointmentStatus
from portal.scheduling.operations import BookingConflict, BookingRequest, book, cancel, confirm
from portal.scheduling.rules import BookingError, NeedsConfirmation
from portal.scheduling.timeutil import local

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
MONDAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def english(app):
    """Messages are lazy and translated when read: read them in English here."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER, name="Sanna Virtanen")


@pytest.fixture
def enrolment(db, worker, create_client, create_enrolment):
    return create_enrolment(create_client(), coordinator=worker, programme="many-services")


def request_for(enrolment, at: datetime, modality=Modality.RECEPTION, contact_type="coordinator-meeting",
                minutes=45, **extra) -> BookingRequest:
    return BookingRequest(enrolment=enrolment, contact_type=contact_type, modality=modality, starts_at=at,
                          minutes=minutes, **extra)


def test_booking_creates_participants_and_audits(db, worker, enrolment):
    appointment, warnings = book(worker, request_for(enrolment, local(MONDAY, _t(10))), now=NOW)
    assert warnings == [] and appointment.status is AppointmentStatus.BOOKED
    keys = sorted(p.person_key for p in appointment.participants)
    assert keys == sorted([f"u:{worker.id}", f"c:{enrolment.client_id}"])
    entry = db.session.scalar(select(AuditRecord).where(AuditRecord.object_type == "appointment"))
    assert (entry.action, entry.client_id) == (AuditAction.CREATE, enrolment.client_id)


def test_worker_cannot_be_in_two_places(db, worker, enrolment, create_client, create_enrolment):
    book(worker, request_for(enrolment, local(MONDAY, _t(10))), now=NOW)
    other = create_enrolment(create_client(), coordinator=worker, programme="many-services")
    with pytest.raises(BookingConflict):
        book(worker, request_for(other, local(MONDAY, _t(10, 30))), now=NOW)
    # The refused booking left the transaction usable and nothing half-saved.
    book(worker, request_for(other, local(MONDAY, _t(11))), now=NOW)
    db.session.commit()


def test_client_cannot_be_in_two_places(db, worker, enrolment, create_staff):
    book(worker, request_for(enrolment, local(MONDAY, _t(10))), now=NOW)
    with pytest.raises(BookingConflict):
        book(create_staff(Role.WORKER), request_for(enrolment, local(MONDAY, _t(10, 15))), now=NOW)


def test_home_visits_keep_travel_time_free(db, worker, create_client, create_enrolment):
    first = create_enrolment(create_client(), coordinator=worker, programme="many-services")
    second = create_enrolment(create_client(), coordinator=worker, programme="many-services")
    book(worker, request_for(first, local(MONDAY, _t(10)), Modality.HOME_VISIT), now=NOW)
    with pytest.raises(BookingConflict):  # ends 10:45, travel until 11:15
        book(worker, request_for(second, local(MONDAY, _t(11))), now=NOW)
    book(worker, request_for(second, local(MONDAY, _t(11, 15))), now=NOW)


def test_cancelling_frees_the_time(db, worker, enrolment, create_client, create_enrolment):
    appointment, _ = book(worker, request_for(enrolment, local(MONDAY, _t(10))), now=NOW)
    cancel(worker, appointment, "sairastuminen")
    assert appointment.status is AppointmentStatus.CANCELLED and appointment.cancelled_at is not None
    other = create_enrolment(create_client(), coordinator=worker, programme="many-services")
    book(worker, request_for(other, local(MONDAY, _t(10))), now=NOW)
    with pytest.raises(BookingError):
        cancel(worker, appointment)


def test_client_confirms(db, worker, enrolment):
    appointment, _ = book(worker, request_for(enrolment, local(MONDAY, _t(10))), now=NOW)
    confirm(enrolment.client.user, appointment)
    assert appointment.status is AppointmentStatus.CONFIRMED
    with pytest.raises(BookingError):
        confirm(enrolment.client.user, appointment)


@pytest.mark.parametrize(("change", "message"), [
    ({"starts_at": NOW - timedelta(hours=1)}, "passed"),
    ({"modality": Modality.TEXT_MESSAGE}, "cannot be held"),
    ({"contact_type": "karaoke"}, "no such contact type"),
    ({"minutes": 2}, "between 5 minutes"),
    ({"minutes": 600}, "between 5 minutes"),
])
def test_bad_requests_are_refused_clearly(db, worker, enrolment, change, message):
    request = request_for(enrolment, local(MONDAY, _t(10)))
    for key, value in change.items():
        setattr(request, key, value)
    with pytest.raises(BookingError, match=message):
        book(worker, request, now=NOW)


def test_first_remote_guidance_meeting_is_a_home_visit(db, worker, create_client, create_enrolment):
    enrolment = create_enrolment(create_client(), coordinator=worker, programme="remote-guidance")
    video = request_for(enrolment, local(MONDAY, _t(10)), Modality.VIDEO, "guidance-meeting", 60)
    with pytest.raises(BookingError, match="first meeting"):
        book(worker, video, now=NOW)
    book(worker, request_for(enrolment, local(MONDAY, _t(10)), Modality.HOME_VISIT, "guidance-meeting", 60), now=NOW)
    book(worker, request_for(enrolment, local(MONDAY + timedelta(days=7), _t(10)), Modality.VIDEO,
                             "guidance-meeting", 60), now=NOW)


def test_intensive_rehabilitation_cannot_pass_its_end_date(db, worker, create_client, create_enrolment):
    enrolment = create_enrolment(create_client(birth_year=2004), coordinator=worker,
                                 programme="intensive-rehabilitation")
    enrolment.planned_end_on = MONDAY
    with pytest.raises(BookingError, match="planned end date"):
        book(worker, request_for(enrolment, local(MONDAY + timedelta(days=1), _t(10)), Modality.RECEPTION,
                                 "individual", 60), now=NOW)


def test_ended_enrolment_gets_no_bookings(db, worker, enrolment):
    enrolment.status, enrolment.ended_on = EnrolmentStatus.ENDED, date(2026, 11, 1)
    with pytest.raises(BookingError, match="ended"):
        book(worker, request_for(enrolment, local(MONDAY, _t(10))), now=NOW)


def test_unusual_times_need_an_urgent_confirmation(db, worker, enrolment):
    independence_day = local(date(2026, 12, 7), _t(10)) - timedelta(days=1)  # Sunday 6.12.
    with pytest.raises(NeedsConfirmation) as refused:
        book(worker, request_for(enrolment, independence_day), now=NOW)
    assert "public holiday" in str(refused.value)
    late = local(MONDAY, _t(19))
    with pytest.raises(NeedsConfirmation, match="working hours"):
        book(worker, request_for(enrolment, late), now=NOW)
    _, warnings = book(worker, request_for(enrolment, late, urgent=True), now=NOW)
    assert any("working hours" in w for w in warnings)


def test_absence_is_warned_about(db, worker, enrolment):
    db.session.add(Absence(user_id=worker.id, starts_at=local(MONDAY, _t(0)), ends_at=local(MONDAY, _t(23)),
                           reason="koulutus"))
    with pytest.raises(NeedsConfirmation, match="away"):
        book(worker, request_for(enrolment, local(MONDAY, _t(10))), now=NOW)


def _t(hour: int, minute: int = 0):
    from datetime import time

    return time(hour, minute)
