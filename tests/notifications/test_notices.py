"""Notices of changes: booking, cancelling and changing an appointment tell the client, through the signals."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from portal import signals
from portal.appointments.operations import request_change
from portal.auth.models import Role
from portal.notifications.models import Channel, OutboxStatus
from portal.notifications.operations import queue_due_reminders
from portal.people.models import ClientLanguage, ContactChannel
from portal.programmes.definitions_schema import Modality
from portal.scheduling.operations import BookingRequest, book, cancel, confirm
from portal.scheduling.timeutil import local
from tests.notifications import make_appointment, outbox

# Far ahead: a notice is not sent for an appointment already over, and these are booked "now".
NOW = datetime(2036, 11, 20, 10, 0, tzinfo=UTC)
MONDAY = date(2036, 11, 24)


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER, name="Sanna Virtanen")


@pytest.fixture
def enrolment(worker, create_client, create_enrolment):
    return create_enrolment(create_client(language=ClientLanguage.SV), coordinator=worker, programme="many-services")


def booking(enrolment, hour: int = 10, modality=Modality.RECEPTION) -> BookingRequest:
    return BookingRequest(enrolment=enrolment, contact_type="coordinator-meeting", modality=modality,
                          starts_at=local(MONDAY, time(hour)), minutes=45, urgent=True)


def test_booking_tells_the_client(db, worker, enrolment):
    appointment, _ = book(worker, booking(enrolment), now=NOW)
    [message] = outbox()
    assert (message.channel, message.recipient, message.status) == (Channel.SMS, "+358401234567", OutboxStatus.QUEUED)
    assert message.subject == "Nytt möte"  # the client speaks Swedish
    assert message.dedupe_key == f"notice:booked:{appointment.id}:{enrolment.client_id}"
    assert "måndag 24 november 2036" in message.body and "10.00" in message.body  # as sv_FI writes the time
    assert "/me/appointments" in message.body and "Sanna" not in message.body


def test_cancelling_tells_the_client_and_withdraws_waiting_reminders(db, worker, enrolment):
    appointment, _ = book(worker, booking(enrolment), now=NOW)
    assert queue_due_reminders(local(MONDAY - timedelta(days=1), time(10))) == 1
    cancel(worker, appointment, "sairastuminen")
    kinds = [m.subject for m in outbox()]
    assert kinds == ["Nytt möte", "Mötet har ställts in"]  # the reminder was withdrawn
    assert "sairastuminen" not in outbox()[-1].body  # the reason is never in a message


def test_a_clients_own_change_is_not_echoed_back(db, worker, enrolment):
    appointment, _ = book(worker, booking(enrolment), now=NOW)
    confirm(enrolment.client.user, appointment)  # the client did it and saw it on the screen
    assert [m.subject for m in outbox()] == ["Nytt möte"]
    request_change(enrolment.client.user, enrolment.client, appointment, "Thursday afternoon", None, now=NOW)
    assert len(outbox()) == 1  # a request for a change is not a change (the worker's task list shows it)
    signals.appointment_changed.send(worker, appointment=appointment)  # e.g. the worker moved it
    assert [m.subject for m in outbox()] == ["Nytt möte", "Ändring i mötet"]


def test_no_notice_without_a_channel(db, worker, enrolment):
    enrolment.client.preferred_channel = ContactChannel.PHONE
    book(worker, booking(enrolment), now=NOW)
    assert outbox() == []


def test_a_notice_rolls_back_with_its_booking(db, worker, enrolment):
    book(worker, booking(enrolment), now=NOW)
    db.session.rollback()
    assert outbox() == []


def test_no_notice_for_an_appointment_already_over(db, worker, create_client):
    past = datetime(2020, 3, 2, 8, 0, tzinfo=UTC)
    appointment = make_appointment(worker, [create_client()], past, booked_at=past - timedelta(days=7))
    signals.appointment_cancelled.send(worker, appointment=appointment)
    assert outbox() == []


def test_group_sessions_tell_every_client(db, worker, create_client):
    members = [create_client(), create_client(language=ClientLanguage.SV)]
    starts = local(MONDAY, time(14))
    appointment = make_appointment(worker, members, starts, booked_at=NOW)
    signals.appointment_booked.send(worker, appointment=appointment)
    assert sorted(m.client_id for m in outbox()) == sorted(c.id for c in members)
