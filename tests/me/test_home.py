"""The client at home (issue 16): the meeting to join now, cards that say who, practice, calm mode, the
waiting client who answers the ORS, and the SRS that opens when the client's call ended."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.audit.models import AuditRecord
from portal.db import utcnow
from portal.me import queries
from portal.measures import queries as measures
from portal.video import operations as video
from portal.video import queries as video_queries
from portal.video.models import ParticipantRole
from tests.appointments import make_appointment

EN = {"Accept-Language": "en"}



def _meeting(db, worker, me, start_minutes: int, minutes: int = 60, modality="video"):
    appointment = make_appointment(db, (utcnow() + timedelta(minutes=start_minutes)).replace(microsecond=0),
                                   (worker,), (me,), minutes=minutes, modality=modality)
    appointment.enrolment_id = me.enrolment.id
    db.session.commit()
    return appointment


def test_a_meeting_under_way_is_the_next_appointment_and_the_home_page_leads_with_joining_it(
        db, client, login, worker, me):
    later = _meeting(db, worker, me, 24 * 60, modality="home_visit")
    now = _meeting(db, worker, me, -10)
    assert queries.next_appointment(me) == now  # started ten minutes ago: still the one that matters
    login(me.user)
    page = client.get("/me", headers=EN).get_data(as_text=True)
    card = page[page.index('class="card meeting-now"'):page.index("</section>", page.index("meeting-now"))]
    assert "Join the meeting with Sanna Virtanen" in card
    assert f'action="/video/appointments/{now.id}"' in card  # one tap: the form posts straight in
    assert page.index("meeting-now") < page.index("measures-heading" if "measures-heading" in page else "next-heading")
    assert later.id  # the home visit tomorrow does not push the meeting under way aside


def test_nothing_offers_to_join_a_meeting_that_is_over(db, client, login, worker, me):
    over = _meeting(db, worker, me, -70)  # ended ten minutes ago, still inside the staff's late window
    assert not video_queries.joinable_now(over, utcnow())
    assert not [m for m in video_queries.meetings_today(me.user, utcnow()) if m.open_now]
    assert queries.meeting_now(me.user, utcnow()) is None
    now = _meeting(db, worker, me, -5)
    room = video.open_room_for_appointment(db.session, now, worker)
    room.ended_at = utcnow()
    db.session.commit()
    assert not video_queries.joinable_now(now, utcnow())  # the host ended it
    login(me.user)
    assert "meeting-now" not in client.get("/me", headers=EN).get_data(as_text=True)


def test_appointment_cards_say_who_the_meeting_is_with(db, client, login, worker, me):
    _meeting(db, worker, me, 3 * 60)
    login(me.user)
    page = client.get("/me/appointments", headers=EN).get_data(as_text=True)
    assert " with Sanna Virtanen</h3>" in page
    assert "With Sanna Virtanen" in client.get("/video/", headers=EN).get_data(as_text=True)


def test_the_practice_page_may_use_the_camera_and_is_the_clients_own(db, client, login, worker, me):
    login(me.user)
    response = client.get("/me/practice", headers=EN)
    assert response.status_code == 200 and 'id="network-status"' in response.get_data(as_text=True)
    assert "camera=(self)" in response.headers["Permissions-Policy"]
    assert 'id="join-button"' not in response.get_data(as_text=True)  # nothing to join: a practice


def test_calm_mode_is_the_clients_setting_audited_and_the_return_path_stays_on_site(db, client, login, me):
    login(me.user)
    response = client.post("/me/calm", data={"calm_mode": "y", "next": "/me/practice"}, headers=EN)
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/practice")
    db.session.refresh(me)
    assert me.calm_mode is True
    assert db.session.scalar(select(AuditRecord).where(AuditRecord.client_id == me.id).order_by(
        AuditRecord.id.desc()).limit(1)).detail == {"fields": ["calm_mode"]}
    response = client.post("/me/calm", data={"next": "https://elsewhere.example/"}, headers=EN)
    assert response.headers["Location"].endswith("/me/profile")
    db.session.refresh(me)
    assert me.calm_mode is False
    assert "calm" in client.get("/me/practice", headers=EN).get_data(as_text=True)


def test_a_waiting_client_answering_the_ors_keeps_their_place_for_a_while(db, worker, me):
    room = video.open_room_for_appointment(db.session, _meeting(db, worker, me, 0), worker)
    seat = video.participant_for_user(db.session, room, me.user)
    video.wait(db.session, seat, "sid-1")
    assert video.step_away(db.session, seat)
    video.leave(db.session, seat, "sid-1")  # the page goes to the questionnaire
    assert video_queries.waiting_in(room) == [seat]
    assert video_queries.waiting_in(room, utcnow() + video_queries.AWAY_KEEPS_PLACE) == []
    assert room in [r for r, _people in video_queries.waiting_for(worker.id)]
    video.wait(db.session, seat, "sid-2")  # back: connected again, no longer away
    assert seat.away_since is None and video_queries.waiting_in(room) == [seat]


def test_the_srs_opens_when_the_client_left_the_call_and_belongs_to_that_meeting(db, worker, me):
    appointment = _meeting(db, worker, me, -20, minutes=60)
    room = video.open_room_for_appointment(db.session, appointment, worker)
    seat = video.participant_for_user(db.session, room, me.user)
    assert seat.role == ParticipantRole.CLIENT
    is_open = lambda: [o.key for o in measures.occurrences(me.enrolment, utcnow(), open_only=True)  # noqa: E731
                       if o.instrument == "srs"]
    assert is_open() == []  # the meeting is under way
    video.enter_call(db.session, seat, "sid-1")
    assert is_open() == []  # and the client is in the call
    video.leave(db.session, seat, "sid-1")
    db.session.commit()
    assert is_open() == [f"appt-{appointment.id}"]


def test_an_admission_holds_for_its_session_and_the_meetings_time(db, worker, me):
    appointment = _meeting(db, worker, me, -10, minutes=45)
    seat = video.participant_for_user(db.session, video.open_room_for_appointment(db.session, appointment, worker),
                                      me.user)
    video.wait(db.session, seat, "sid-1", "session-a")
    video.admit(db.session, seat, worker)
    now = utcnow()
    assert not video.admission_lapsed(seat, "session-a", now)  # back after leaving: straight in
    assert video.admission_lapsed(seat, "session-b", now)  # another device or a forwarded link waits again
    assert video.admission_lapsed(seat, "session-a", appointment.ends_at + video.ADMISSION_AFTER_END)
    video.wait(db.session, seat, "sid-2", "session-b")
    assert seat.admitted_at is None and seat.needs_admission
