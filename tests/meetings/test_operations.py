"""Recording a meeting: one record per appointment, corrections audited, scheduling's status kept in step,
and what cannot have happened refused. Group attendance writes its records through the same operation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditAction, AuditRecord
from portal.meetings import queries
from portal.meetings.models import Contact, ContactStatus
from portal.meetings.operations import ContactRecord, RecordError, record_meeting
from portal.programmes.definitions_schema import Modality
from portal.scheduling.models import AppointmentStatus
from portal.video.models import VideoParticipant, VideoRoom
from tests.meetings.conftest import AFTER


def held(appointment, minutes: int = 40, modality: Modality = Modality.VIDEO, support=("benefits", "money"),
         worked: bool | None = True, late: int = 3) -> ContactRecord:
    starts = appointment.starts_at + timedelta(minutes=late)
    return ContactRecord(ContactStatus.HELD, modality, starts, starts + timedelta(minutes=minutes), tuple(support),
                         worked)


def audit(db, feature: str, object_type: str, object_id: int) -> list[AuditRecord]:
    return list(db.session.scalars(select(AuditRecord).where(
        AuditRecord.feature == feature, AuditRecord.object_type == object_type,
        AuditRecord.object_id == str(object_id)).order_by(AuditRecord.id)))


def contacts(db, appointment) -> int:
    return db.session.scalar(select(func.count(Contact.id)).where(Contact.appointment_id == appointment.id))


def test_recording_creates_the_contact_and_marks_the_appointment_held(db, worker, enrolment, appointment):
    contact = record_meeting(worker, appointment, held(appointment), now=AFTER)
    assert (contact.appointment_id, contact.enrolment_id, contact.worker_id) == (appointment.id, enrolment.id,
                                                                                 worker.id)
    assert contact.status is ContactStatus.HELD and contact.duration_minutes == 40
    assert contact.starts_at == appointment.starts_at + timedelta(minutes=3)
    assert contact.support_types == ["benefits", "money"] and contact.worked_remotely is True
    assert contact.contact_type == "guidance-meeting" and contact.modality is Modality.VIDEO
    assert appointment.status is AppointmentStatus.HELD
    [created] = audit(db, "meetings", "contact", contact.id)
    assert (created.action, created.client_id, created.object_id) == (AuditAction.CREATE, enrolment.client_id,
                                                                      str(contact.id))
    [status] = audit(db, "scheduling", "appointment", appointment.id)[1:]  # the first is the booking
    assert status.detail == {"fields": ["status"]} and status.client_id == enrolment.client_id


def test_saving_again_changes_nothing_and_a_correction_is_audited(db, worker, appointment):
    first = record_meeting(worker, appointment, held(appointment), now=AFTER)
    again = record_meeting(worker, appointment, held(appointment), now=AFTER)
    assert again is first and contacts(db, appointment) == 1
    assert len(audit(db, "meetings", "contact", first.id)) == 1
    assert len(audit(db, "scheduling", "appointment", appointment.id)) == 2
    record_meeting(worker, appointment, held(appointment, minutes=55, support=("health",)), now=AFTER)
    assert contacts(db, appointment) == 1 and first.duration_minutes == 55 and first.support_types == ["health"]
    update = audit(db, "meetings", "contact", first.id)[-1]
    assert update.action is AuditAction.UPDATE
    assert update.detail == {"fields": ["ends_at", "duration_minutes", "support_types"]}  # names, never values


def test_the_database_keeps_one_record_per_appointment(db, worker, appointment):
    record_meeting(worker, appointment, held(appointment), now=AFTER)
    duplicate = Contact(enrolment_id=appointment.enrolment_id, appointment_id=appointment.id, worker_id=worker.id,
                        contact_type="guidance-meeting", modality=Modality.VIDEO, status=ContactStatus.HELD,
                        starts_at=appointment.starts_at, ends_at=appointment.ends_at)
    db.session.add(duplicate)
    with pytest.raises(Exception, match="UNIQUE|unique"):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(("status", "appointment_status"), [(ContactStatus.NO_SHOW, AppointmentStatus.NO_SHOW),
                                                            (ContactStatus.CANCELLED, AppointmentStatus.CANCELLED)])
def test_a_meeting_not_held_keeps_the_booked_times_and_no_support(db, worker, appointment, status,
                                                                  appointment_status):
    entry = held(appointment)
    contact = record_meeting(worker, appointment, ContactRecord(status, entry.modality, entry.starts_at,
                                                                entry.ends_at, entry.support_types, True), now=AFTER)
    assert contact.status is status and contact.duration_minutes is None
    assert contact.support_types == [] and contact.worked_remotely is None
    assert (contact.starts_at, contact.ends_at) == (appointment.starts_at, appointment.ends_at)
    assert appointment.status is appointment_status
    cancelled = status is ContactStatus.CANCELLED
    assert (appointment.cancelled_at is not None) is cancelled
    assert all(p.blocking is not cancelled for p in appointment.participants)


def test_a_cancelled_meeting_recorded_as_held_after_all(db, worker, appointment):
    entry = held(appointment)
    record_meeting(worker, appointment, ContactRecord(ContactStatus.CANCELLED, entry.modality, entry.starts_at,
                                                      entry.ends_at), now=AFTER)
    contact = record_meeting(worker, appointment, entry, now=AFTER)
    db.session.flush()  # the database's own check: cancelled exactly when it has a cancellation time
    assert contact.status is ContactStatus.HELD and contact.duration_minutes == 40
    assert appointment.status is AppointmentStatus.HELD and appointment.cancelled_at is None


def test_a_planned_video_that_became_a_phone_call(db, worker, appointment):
    contact = record_meeting(worker, appointment, held(appointment, modality=Modality.PHONE, worked=False), now=AFTER)
    assert contact.modality is Modality.PHONE and contact.worked_remotely is False


def test_worked_remotely_is_not_stored_for_a_home_visit(db, worker, make_appointment):
    visit = make_appointment(modality=Modality.HOME_VISIT)
    contact = record_meeting(worker, visit, held(visit, modality=Modality.HOME_VISIT, worked=True), now=AFTER)
    assert contact.worked_remotely is None


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"minutes": -5}, "minutes", "The end must be after the start."),
    ({"minutes": 0}, "minutes", "The end must be after the start."),
    ({"minutes": 721}, "minutes", "at most 720 minutes"),
    ({"support": ("benefits", "astrology")}, "support_types", "Choose the support given from the list."),
    ({"modality": Modality.EMAIL}, "modality", "Choose one of the ways of meeting offered."),
    ({"late": 60 * 13}, "start", "within 12 hours"),
    ({"late": 60 * 4}, "minutes", "ending in the future"),  # 14.00 + 40 min Helsinki: after AFTER (14.00)
])
def test_what_cannot_have_happened_is_refused_and_nothing_is_saved(db, worker, appointment, change, field,
                                                                    message):
    with pytest.raises(RecordError, match=message) as refused:
        record_meeting(worker, appointment, held(appointment, **change), now=AFTER)
    assert refused.value.field == field
    assert contacts(db, appointment) == 0 and appointment.status is AppointmentStatus.BOOKED


def test_a_meeting_cannot_be_recorded_before_it_begins(db, worker, appointment):
    with pytest.raises(RecordError, match="once it has begun"):
        record_meeting(worker, appointment, held(appointment), now=appointment.starts_at - timedelta(minutes=1))
    assert contacts(db, appointment) == 0


def test_a_programme_without_support_types_refuses_any(db, worker, create_client, create_enrolment,
                                                       make_appointment):
    housing = create_enrolment(create_client(), coordinator=worker, programme="housing-guidance")
    meeting = make_appointment(modality=Modality.PHONE, contact_type="phone-contact", for_enrolment=housing)
    with pytest.raises(RecordError, match="from the list"):
        record_meeting(worker, meeting, held(meeting, modality=Modality.PHONE, support=("benefits",)), now=AFTER)
    contact = record_meeting(worker, meeting, held(meeting, modality=Modality.PHONE, support=()), now=AFTER)
    assert contact.support_types == []


def test_prefill_prefers_the_record_then_the_call_then_the_booking(db, worker, appointment):
    booked = queries.prefill(appointment, None, None)
    assert (booked.starts_at, booked.minutes, booked.from_call) == (appointment.starts_at, 45, False)
    # The call's first and last moments as portal.video keeps them (40 min 10 s here: 41 minutes).
    start = appointment.starts_at + timedelta(minutes=2)
    room = VideoRoom(started_at=start, ended_at=start + timedelta(minutes=40, seconds=10), participants=[])
    from_call = queries.prefill(appointment, None, room)
    assert (from_call.starts_at, from_call.minutes, from_call.from_call) == (start, 41, True)
    assert from_call.modality is Modality.VIDEO
    # The host closed the tab instead of ending the call: it finished when the last person left.
    left = VideoRoom(started_at=start, ended_at=None, participants=[
        VideoParticipant(display_name="A", in_call=False, last_left_at=start + timedelta(minutes=20)),
        VideoParticipant(display_name="B", in_call=False, last_left_at=start + timedelta(minutes=25))])
    assert queries.prefill(appointment, None, left).minutes == 25
    going_on = VideoRoom(started_at=start, ended_at=None, participants=[
        VideoParticipant(display_name="A", in_call=True, last_left_at=None)])
    assert queries.prefill(appointment, None, going_on).starts_at == appointment.starts_at
    contact = record_meeting(worker, appointment, held(appointment, minutes=30), now=AFTER)
    corrected = queries.prefill(appointment, contact, room)
    assert (corrected.starts_at, corrected.minutes) == (contact.starts_at, 30)
