"""Reminders: due a day and an hour before, once each, in the client's language and channel."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from portal.auth.models import Role
from portal.db import utcnow
from portal.notifications.models import Channel
from portal.notifications.operations import queue_due_reminders, reminder_at
from portal.people.models import ClientLanguage, ContactChannel
from portal.programmes.definitions_schema import Modality
from portal.scheduling.models import AppointmentStatus
from portal.scheduling.timeutil import local
from tests.notifications import make_appointment, outbox

BOOKED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
MONDAY_9 = local(date(2026, 11, 23), time(9))  # 07:00 UTC
DAY_BEFORE = local(date(2026, 11, 22), time(9))
HOUR_BEFORE = MONDAY_9 - timedelta(hours=1)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER, name="Sanna Virtanen")


@pytest.fixture
def client_row(create_client):
    return create_client()


def test_running_the_job_twice_queues_once(db, worker, client_row):
    appointment = make_appointment(worker, [client_row], MONDAY_9, booked_at=BOOKED)
    assert queue_due_reminders(DAY_BEFORE) == 1
    assert queue_due_reminders(DAY_BEFORE + MINUTE) == 0
    [message] = outbox()
    assert (message.channel, message.recipient, message.client_id) == (Channel.SMS, "+358401234567", client_row.id)
    assert message.dedupe_key == f"reminder:1440:{appointment.id}:{client_row.id}:202611230700"
    assert message.appointment_id == appointment.id and message.send_after == DAY_BEFORE


def test_a_day_and_an_hour_before(db, worker, client_row):
    make_appointment(worker, [client_row], MONDAY_9, booked_at=BOOKED)
    assert queue_due_reminders(DAY_BEFORE - MINUTE) == 0
    assert queue_due_reminders(DAY_BEFORE) == 1
    assert queue_due_reminders(HOUR_BEFORE - MINUTE) == 0
    assert queue_due_reminders(HOUR_BEFORE) == 1
    assert queue_due_reminders(MONDAY_9 + MINUTE) == 0
    assert [m.dedupe_key.split(":")[1] for m in outbox()] == ["1440", "60"]


@pytest.mark.parametrize(("appointment_day", "hours_between"), [
    (date(2026, 3, 30), 24),  # Monday after the spring change: Sunday 9:00 is already summer time
    (date(2026, 3, 29), 23),  # the spring-forward Sunday itself: Saturday 9:00 was winter time
    (date(2026, 10, 25), 25),  # the fall-back Sunday
    (date(2026, 10, 26), 24),  # Monday after it
])
def test_the_day_before_is_on_the_helsinki_clock(db, worker, client_row, appointment_day, hours_between):
    starts = local(appointment_day, time(9))
    expected = local(appointment_day - timedelta(days=1), time(9))
    assert reminder_at(starts, 1440) == expected
    assert starts - expected == timedelta(hours=hours_between)
    make_appointment(worker, [client_row], starts, booked_at=starts - timedelta(days=10))
    assert queue_due_reminders(expected - MINUTE) == 0
    assert queue_due_reminders(expected) == 1


def test_each_client_in_their_language(db, worker, create_client):
    finn, swede, other = (create_client(language=lang) for lang in ClientLanguage)
    make_appointment(worker, [finn, swede, other], MONDAY_9, booked_at=BOOKED)
    queue_due_reminders(DAY_BEFORE)
    bodies = {m.client_id: m.body for m in outbox()}
    assert "maanantai 23. marraskuuta 2026" in bodies[finn.id]
    assert "måndag 23 november 2026" in bodies[swede.id]
    assert "maanantai" in bodies[other.id]  # "other" → Finnish
    for body in bodies.values():
        # When, not what or with whom: no contact type, programme or worker in a text message.
        assert "Sanna" not in body and "Hoitovastaava" not in body and "Möte" not in body


@pytest.mark.parametrize(("preference", "email", "expected"), [
    (ContactChannel.SMS, None, (Channel.SMS, "+358401234567")),
    (ContactChannel.EMAIL, "aino@example.com", (Channel.EMAIL, "aino@example.com")),
    (ContactChannel.EMAIL, None, None),  # no address for the channel: nothing
    (ContactChannel.PHONE, "aino@example.com", None),  # prefers a call: no automatic message
    (ContactChannel.LETTER, "aino@example.com", None),
])
def test_preferred_channel(db, worker, client_row, preference, email, expected):
    client_row.preferred_channel, client_row.email = preference, email
    make_appointment(worker, [client_row], MONDAY_9, booked_at=BOOKED)
    queue_due_reminders(DAY_BEFORE)
    assert [(m.channel, m.recipient) for m in outbox()] == ([expected] if expected else [])


def test_cancelled_appointments_get_no_reminder(db, worker, client_row):
    appointment = make_appointment(worker, [client_row], MONDAY_9, booked_at=BOOKED)
    appointment.status, appointment.cancelled_at = AppointmentStatus.CANCELLED, utcnow()
    db.session.flush()
    assert queue_due_reminders(DAY_BEFORE) == 0 and queue_due_reminders(HOUR_BEFORE) == 0


def test_video_reminders_carry_the_link(app, db, worker, client_row, create_client):
    app.config["PUBLIC_BASE_URL"] = "https://silta.example.fi/"
    video = make_appointment(worker, [client_row], MONDAY_9, booked_at=BOOKED, modality=Modality.VIDEO)
    make_appointment(worker, [create_client()], MONDAY_9 + timedelta(hours=2), booked_at=BOOKED)
    queue_due_reminders(DAY_BEFORE + timedelta(hours=2))
    by_appointment = {m.appointment_id: m.body for m in outbox()}
    assert "https://silta.example.fi/me/appointments" in by_appointment.pop(video.id)
    assert "https://" not in next(iter(by_appointment.values()))


def test_a_reminder_due_before_the_booking_is_not_sent(db, worker, client_row, create_client, create_staff):
    make_appointment(worker, [client_row], MONDAY_9, booked_at=MONDAY_9 - timedelta(minutes=30))
    three_hours_ahead = create_client()
    make_appointment(create_staff(), [three_hours_ahead], MONDAY_9, booked_at=MONDAY_9 - timedelta(hours=3))
    assert queue_due_reminders(HOUR_BEFORE) == 1
    assert queue_due_reminders(MONDAY_9 - MINUTE) == 0
    [message] = outbox()
    assert message.client_id == three_hours_ahead.id and message.dedupe_key.startswith("reminder:60:")


def test_after_a_pause_only_the_nearest_reminder_goes(db, worker, client_row):
    make_appointment(worker, [client_row], MONDAY_9, booked_at=BOOKED)
    assert queue_due_reminders(HOUR_BEFORE + MINUTE) == 1  # the runner was down all Sunday
    assert [m.dedupe_key.split(":")[1] for m in outbox()] == ["60"]


def test_a_moved_appointment_is_reminded_again(db, worker, client_row):
    appointment = make_appointment(worker, [client_row], MONDAY_9, booked_at=BOOKED)
    queue_due_reminders(DAY_BEFORE)
    appointment.starts_at += timedelta(days=1)
    appointment.ends_at += timedelta(days=1)
    db.session.flush()
    assert queue_due_reminders(DAY_BEFORE + timedelta(days=1)) == 1
    assert "tiistai 24. marraskuuta 2026" in outbox()[-1].body


def test_offsets_come_from_the_configuration(app, db, worker, client_row):
    app.config["REMINDER_OFFSETS"] = [2 * 1440 + 30]  # two days and half an hour before
    make_appointment(worker, [client_row], MONDAY_9, booked_at=BOOKED)
    due = local(date(2026, 11, 21), time(8, 30))
    assert queue_due_reminders(due - MINUTE) == 0
    assert queue_due_reminders(due) == 1
