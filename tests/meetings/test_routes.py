"""The record page and the list of meetings to record, through the routes: who may enter, what the form
starts with, what it saves, and bad input (translated errors, typed values kept, nothing half-saved)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import Role
from portal.groups import operations as groups
from portal.groups.operations import SessionsRequest
from portal.meetings.models import Contact, ContactStatus
from portal.programmes.definitions_schema import Modality
from portal.scheduling.models import Appointment, AppointmentStatus
from portal.scheduling.operations import cancel
from portal.scheduling.timeutil import local
from tests.meetings.conftest import BOOKED_AT


def url(appointment) -> str:
    return f"/meetings/appointments/{appointment.id}/record"


def form(**changes) -> dict:
    data = {"status": "held", "modality": "video", "day": "2026-11-16", "start": "10:05", "minutes": "35",
            "support_types": ["benefits", "money"], "worked_remotely": "yes", "note": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def contact_of(db, appointment) -> Contact | None:
    db.session.expire_all()
    return db.session.scalar(select(Contact).where(Contact.appointment_id == appointment.id))


def test_the_form_starts_with_the_booking_and_the_programme_s_support_types(client, db, login, worker,
                                                                             appointment):
    login(worker)
    page = client.get(url(appointment)).get_data(as_text=True)
    assert 'value="2026-11-16"' in page and 'value="10:00"' in page and 'value="45"' in page
    assert 'value="video" selected' in page or 'selected value="video"' in page
    assert "Applying for benefits" in page and "Money matters" in page  # the programme's, in English
    assert "Did the support work remotely?" in page
    read = db.session.scalar(select(AuditRecord).where(AuditRecord.feature == "meetings",
                                                       AuditRecord.action == AuditAction.READ))
    assert read.object_id == str(appointment.id) and read.client_id == appointment.enrolment.client_id


def test_saving_records_the_meeting_once(client, db, login, worker, appointment):
    login(worker)
    response = client.post(url(appointment), data=form(note="Kävimme läpi Kelan hakemuksen."))
    assert response.status_code == 302 and response.headers["Location"].endswith("/meetings/to-record")
    contact = contact_of(db, appointment)
    assert contact.status is ContactStatus.HELD and contact.duration_minutes == 35
    assert contact.support_types == ["benefits", "money"] and contact.worked_remotely is True
    assert contact.note == "Kävimme läpi Kelan hakemuksen."
    assert contact.starts_at == local(date(2026, 11, 16), time(10, 5))
    assert client.post(url(appointment), data=form(note="Kävimme läpi Kelan hakemuksen.")).status_code == 302
    assert db.session.scalar(select(func.count(Contact.id)).where(Contact.appointment_id == appointment.id)) == 1
    # Opening it again shows the record, not the booking: the worker is correcting it.
    page = client.get(url(appointment)).get_data(as_text=True)
    assert 'value="35"' in page and "Kelan hakemuksen" in page and "saving changes the earlier record" in page


def test_a_correction_is_an_audited_change_naming_fields_only(client, db, login, worker, appointment):
    login(worker)
    client.post(url(appointment), data=form())
    client.post(url(appointment), data=form(status="no_show", note="Ei vastannut puhelimeen."))
    contact = contact_of(db, appointment)
    assert contact.status is ContactStatus.NO_SHOW and contact.duration_minutes is None
    assert db.session.get(Appointment, appointment.id).status is AppointmentStatus.NO_SHOW
    change = db.session.scalar(select(AuditRecord).where(
        AuditRecord.feature == "meetings", AuditRecord.action == AuditAction.UPDATE))
    assert "status" in change.detail["fields"] and "note" in change.detail["fields"]
    assert "puhelimeen" not in str(change.detail)


@pytest.mark.parametrize(("changes", "message"), [
    ({"minutes": "0"}, "Enter a length between 1 and 720 minutes."),
    ({"minutes": "800"}, "Enter a length between 1 and 720 minutes."),
    ({"minutes": "abc"}, "Write the length as whole minutes, for example 45."),
    ({"support_types": ["benefits", "astrology"]}, "Choose the support given from the list."),
    ({"worked_remotely": None}, "Tell whether the support worked remotely."),
    ({"start": "23:30", "day": "2026-11-17"}, "within 12 hours of the booked time"),
    ({"modality": "email"}, "Choose one of the ways of meeting offered."),
    ({"status": "maybe"}, "Choose what happened."),
    ({"note": "x" * 501}, "at most 500 characters"),
])
def test_bad_input_is_refused_with_the_typed_values_kept(client, db, login, worker, appointment, changes, message):
    login(worker)
    response = client.post(url(appointment), data=form(**{"note": "Muistiinpano", **changes}))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert "Muistiinpano" in page or "x" * 501 in page  # what was typed stays
    assert 'class="hds-error-summary"' in page
    assert contact_of(db, appointment) is None and appointment.status is AppointmentStatus.BOOKED


def test_a_meeting_not_held_needs_no_times(client, db, login, worker, appointment):
    login(worker)
    response = client.post(url(appointment), data=form(status="cancelled", day="", start="", minutes=""))
    assert response.status_code == 302
    contact = contact_of(db, appointment)
    assert contact.status is ContactStatus.CANCELLED and contact.starts_at == appointment.starts_at


def test_changing_to_a_remote_way_asks_whether_it_worked_remotely(client, db, login, worker, make_appointment):
    visit = make_appointment(modality=Modality.HOME_VISIT)
    login(worker)
    page = client.get(url(visit)).get_data(as_text=True)
    assert "Did the support work remotely?" not in page  # a home visit: not asked
    response = client.post(url(visit), data=form(modality="phone", worked_remotely=None))
    assert response.status_code == 400 and "Tell whether the support worked remotely." in response.get_data(
        as_text=True)
    assert client.post(url(visit), data=form(modality="phone", worked_remotely="no")).status_code == 302
    assert contact_of(db, visit).modality is Modality.PHONE and contact_of(db, visit).worked_remotely is False


def test_no_support_fieldset_when_the_programme_has_none(client, db, login, worker, create_client, create_enrolment,
                                                         make_appointment):
    housing = create_enrolment(create_client(), coordinator=worker, programme="housing-guidance")
    call = make_appointment(modality=Modality.PHONE, contact_type="phone-contact", for_enrolment=housing)
    login(worker)
    page = client.get(url(call)).get_data(as_text=True)
    assert "Support given" not in page and 'name="support_types"' not in page
    response = client.post(url(call), data=form(modality="phone", support_types=None, worked_remotely="yes"))
    assert response.status_code == 302 and contact_of(db, call).support_types == []


def test_a_future_appointment_cannot_be_recorded_yet(client, db, login, worker, make_appointment):
    later = make_appointment(day=date(2030, 1, 7))
    login(worker)
    page = client.get(url(later)).get_data(as_text=True)
    assert "can be recorded once it has begun" in page and 'name="minutes"' not in page
    response = client.post(url(later), data=form(day="2030-01-07", start="10:00"))
    assert response.status_code == 400 and "once it has begun" in response.get_data(as_text=True)
    assert contact_of(db, later) is None


# --- who may record -----------------------------------------------------------------------------

def test_the_client_s_deputy_and_the_unit_s_team_lead_may_record(client, db, login, create_staff, appointment):
    deputy = create_staff(Role.WORKER, locale="en")
    appointment.enrolment.deputy = deputy
    login(deputy)
    assert client.get(url(appointment)).status_code == 200
    client.post("/logout")
    lead = create_staff(Role.WORKER, Role.TEAM_LEAD, locale="en")
    login(lead)
    assert client.post(url(appointment), data=form()).status_code == 302
    # The team lead recorded it; the contact is the worker's who held it (the host).
    assert contact_of(db, appointment).worker_id == appointment.organizer_id


@pytest.mark.parametrize("who", ["other worker", "team lead elsewhere", "own-team member", "admin"])
def test_others_are_refused(client, db, login, create_staff, appointment, who):
    if who == "other worker":
        user = create_staff(Role.WORKER)
    elif who == "team lead elsewhere":
        user = create_staff(Role.TEAM_LEAD, in_unit=None)
    elif who == "admin":
        user = create_staff(Role.ADMIN)
    else:
        from portal.programmes.models import TeamMember

        user = create_staff(Role.WORKER)
        appointment.enrolment.team.append(TeamMember(user=user, team_role="sairaanhoitaja"))
    login(user)
    assert client.get(url(appointment)).status_code == 403
    assert client.post(url(appointment), data=form()).status_code == 403
    assert contact_of(db, appointment) is None


def test_the_client_is_refused_and_anonymous_is_sent_to_sign_in(client, db, login, appointment):
    assert "/login" in client.get(url(appointment)).headers["Location"]
    assert "/login" in client.get("/meetings/to-record").headers["Location"]
    login(appointment.enrolment.client.user)
    assert client.get(url(appointment)).status_code == 403
    assert client.post(url(appointment), data=form()).status_code == 403
    assert client.get("/meetings/to-record").status_code == 403


def test_unknown_appointments_and_group_sessions_are_404(client, db, login, worker, unit):
    group = groups.create_group(worker, programme_code="intensive-rehabilitation", unit_id=unit.id, name="Ryhmä",
                                capacity=6, leader=worker)
    session = groups.book_sessions(worker, group, SessionsRequest(
        modality=Modality.RECEPTION, first_start=local(date(2026, 11, 17), time(12)), weeks=1, minutes=90,
        place=None), now=BOOKED_AT).booked[0]
    login(worker)
    assert client.get("/meetings/appointments/999999/record").status_code == 404
    assert client.get(url(session)).status_code == 404


# --- the list still to record ------------------------------------------------------------------

def test_the_list_shows_the_worker_s_past_unrecorded_meetings_oldest_first(client, db, login, worker, create_staff,
                                                                          create_client, create_enrolment,
                                                                          make_appointment):
    earlier = make_appointment(at=time(9), day=date(2026, 11, 11))
    later = make_appointment(at=time(13), day=date(2026, 11, 16))
    recorded = make_appointment(at=time(11), day=date(2026, 11, 12))
    cancelled = make_appointment(at=time(11), day=date(2026, 11, 13))
    future = make_appointment(day=date(2030, 1, 7))
    colleague = create_staff(Role.WORKER)
    theirs = make_appointment(at=time(14), day=date(2026, 11, 12), by=colleague, modality=Modality.HOME_VISIT,
                              for_enrolment=create_enrolment(create_client(), coordinator=colleague))
    cancel(worker, cancelled)
    db.session.commit()
    login(worker)
    client.post(url(recorded), data=form(day="2026-11-12", start="11:00"))
    page = client.get("/meetings/to-record").get_data(as_text=True)
    links = [url(a) for a in (earlier, later)]
    assert all(link in page for link in links) and page.index(links[0]) < page.index(links[1])
    for absent in (recorded, cancelled, future, theirs):
        assert url(absent) not in page
    assert "Meetings to record: 2" in page
    assert client.post(url(earlier), data=form(day="2026-11-11", start="09:00")).status_code == 302
    assert url(earlier) not in client.get("/meetings/to-record").get_data(as_text=True)


def test_the_list_reads_are_audited_per_client(client, db, login, worker, appointment):
    login(worker)
    client.get("/meetings/to-record")
    reads = db.session.scalars(select(AuditRecord).where(AuditRecord.feature == "meetings",
                                                         AuditRecord.action == AuditAction.READ)).all()
    assert [(r.object_id, r.client_id) for r in reads] == [(str(appointment.id), appointment.enrolment.client_id)]


def test_an_empty_list_says_so(client, db, login, create_staff):
    login(create_staff(Role.WORKER, locale="en"))
    assert "Every past meeting has been recorded." in client.get("/meetings/to-record").get_data(as_text=True)


# --- the video call, the calendar and the caseload ----------------------------------------------

def test_a_video_appointment_shows_the_call_and_prefills_its_times(client, db, login, worker, appointment):
    from portal.video.models import ParticipantRole, RoomKind, VideoParticipant, VideoRoom

    start = appointment.starts_at + timedelta(minutes=4)
    room = VideoRoom(key="record-test-room", kind=RoomKind.MEETING, appointment_id=appointment.id,
                     enrolment_id=appointment.enrolment_id, host_id=worker.id, started_at=start,
                     ended_at=start + timedelta(minutes=37, seconds=20))
    room.participants = [
        VideoParticipant(role=ParticipantRole.HOST, user_id=worker.id, display_name="Sanna Virtanen",
                         first_joined_at=start - timedelta(minutes=1), last_left_at=room.ended_at),
        VideoParticipant(role=ParticipantRole.GUEST, display_name="Omainen Testi")]
    db.session.add(room)
    login(worker)
    page = client.get(url(appointment)).get_data(as_text=True)
    assert "The video call" in page and "Sanna Virtanen" in page and "Omainen Testi" in page
    assert "Did not join" in page  # the guest never came in
    assert 'value="10:04"' in page and 'value="38"' in page  # 37 min 20 s is a 38-minute meeting


def test_the_calendar_links_a_meeting_due_for_its_record(client, db, login, worker, appointment):
    login(worker)
    page = client.get("/work/calendar/?date=2026-11-16").get_data(as_text=True)
    assert url(appointment) in page and "Record the meeting" in page
    client.post(url(appointment), data=form())
    page = client.get("/work/calendar/?date=2026-11-16").get_data(as_text=True)
    assert url(appointment) in page and "Correct the record" in page and "Record the meeting" not in page


def test_the_caseload_counts_the_meetings_to_record(client, db, login, worker, appointment):
    login(worker)
    assert "Meetings to record: 1" in client.get("/work").get_data(as_text=True)
    client.post(url(appointment), data=form())
    assert "Meetings to record" not in client.get("/work").get_data(as_text=True)
