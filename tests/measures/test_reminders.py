"""Questionnaire reminders: one message per open, unanswered occurrence, daytime only, once an hour,
SRS after a phone meeting but not after a video one (the call page asks it), nothing without an address."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from portal.measures.reminders import queue_questionnaire_reminders
from portal.notifications.jobs import run_jobs
from portal.notifications.models import OutboxMessage
from portal.people.models import ContactChannel
from portal.programmes.definitions_schema import Modality
from portal.scheduling.operations import BookingRequest, book
from portal.scheduling.timeutil import local

START = date(2026, 11, 23)  # a Monday




def messages(db) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("measure:%"))))


def test_3x10d_at_the_start_is_reminded_once_in_daytime(db, worker, person, create_enrolment):
    create_enrolment(person, coordinator=worker, programme="intensive-rehabilitation", start_on=START)
    db.session.commit()
    assert queue_questionnaire_reminders(local(START, time(7, 0))) == 0  # not before nine
    assert queue_questionnaire_reminders(local(START, time(10, 30))) == 0  # only the hour's first runs scan
    assert queue_questionnaire_reminders(local(START, time(10, 0))) == 1
    assert queue_questionnaire_reminders(local(START, time(11, 1))) == 0  # the same occurrence: once
    [message] = messages(db)
    assert message.recipient == "+358401111111" and message.dedupe_key.endswith(":3x10d:start")
    assert "/q/" in message.body and "3X10D" not in message.body  # links to it, says nothing of which or why


def test_srs_after_a_phone_meeting_but_not_after_a_video_meeting(app, db, worker, person, create_enrolment):
    enrolment = create_enrolment(person, coordinator=worker, programme="remote-guidance", start_on=START)
    visit = local(START, time(9))
    book(worker, BookingRequest(enrolment=enrolment, contact_type="guidance-meeting", modality=Modality.HOME_VISIT,
                                starts_at=visit, minutes=60, urgent=True), now=visit - timedelta(days=1))
    phone_at, video_at = local(START + timedelta(days=1), time(9)), local(START + timedelta(days=1), time(11))
    phone, _ = book(worker, BookingRequest(enrolment=enrolment, contact_type="guidance-meeting",
                                           modality=Modality.PHONE, starts_at=phone_at, minutes=30, urgent=True),
                    now=visit)
    video, _ = book(worker, BookingRequest(enrolment=enrolment, contact_type="guidance-meeting",
                                           modality=Modality.VIDEO, starts_at=video_at, minutes=30, urgent=True),
                    now=visit)
    db.session.commit()
    queue_questionnaire_reminders(local(START + timedelta(days=1), time(9, 0)))  # still on the phone
    assert not any(f":srs:appt-{phone.id}" in m.dedupe_key for m in messages(db))
    queue_questionnaire_reminders(local(START + timedelta(days=1), time(10, 0)))  # between the two meetings
    assert f"measure:{enrolment.id}:srs:appt-{phone.id}" in {m.dedupe_key for m in messages(db)}
    queue_questionnaire_reminders(local(START + timedelta(days=1), time(13, 0)))  # the video SRS is open now
    keys = {m.dedupe_key for m in messages(db)}
    assert not any(f"appt-{video.id}" in key for key in keys)
    assert not any(":ors:" in key for key in keys)


def test_no_address_no_message_and_the_job_runner_queues_them(app, db, worker, person, create_enrolment):
    person.preferred_channel = ContactChannel.PHONE  # prefers a call: no automatic messages
    create_enrolment(person, coordinator=worker, programme="intensive-rehabilitation", start_on=START)
    db.session.commit()
    assert queue_questionnaire_reminders(local(START, time(10, 0))) == 0
    person.preferred_channel = ContactChannel.SMS
    db.session.commit()
    assert run_jobs(app, now=local(START, time(10, 0)))["queued"] >= 1
