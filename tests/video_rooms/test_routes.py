"""The video pages: who may open a room, invite links (shown once, revocable, expiring), the echo-test
room, ICE servers with coturn REST credentials, the way out to a phone call or a home visit, ad hoc
meetings, and the audit trail."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import AuthSession, Role
from portal.db import utcnow
from portal.programmes.definitions_schema import Modality
from portal.scheduling.models import Appointment, ChangeRequest
from portal.scheduling.operations import BookingRequest, book
from portal.video import operations, tickets
from portal.video.models import ParticipantRole, VideoInvite, VideoRoom
from portal.video.turn import turn_credentials
from tests.video_rooms.conftest import book_video

TURN = {"TURN_URLS": ("turn:turn.example.fi:3478?transport=udp", "turns:turn.example.fi:443?transport=tcp"),
        "TURN_SECRET": "s3cret-for-tests", "STUN_URLS": ("stun:turn.example.fi:3478",)}


@pytest.fixture
def app_config():
    return dict(TURN)


@pytest.fixture
def person(create_client):
    client = create_client()
    client.phone = "+358401234567"
    return client


@pytest.fixture
def enrolment(create_enrolment, person, worker):
    return create_enrolment(person, coordinator=worker, programme="intensive-rehabilitation")


@pytest.fixture
def appointment(db, worker, enrolment):
    return book_video(db, worker, enrolment)


def call_config(response) -> dict:
    html = response.get_data(as_text=True)
    match = re.search(r'<script type="application/json" id="call-config">(.*?)</script>', html, re.S)
    assert match, "the room page carries its call configuration"
    return json.loads(match.group(1))


def open_room(client, appointment):
    response = client.post(f"/video/appointments/{appointment.id}")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.headers["Location"]


def test_worker_and_client_open_the_same_room(app, db, client, login, worker, person, appointment):
    login(worker)
    url = open_room(client, appointment)
    page = client.get(url)
    assert page.status_code == 200
    config = call_config(page)
    assert config["role"] == "host" and config["isHost"] and config["maxPeople"] == 4
    assert tickets.read_participant_ticket(config["ticket"])[1] == config["room"]
    client.post("/logout")

    login(person.user)
    assert open_room(client, appointment) == url
    config = call_config(client.get(url))
    assert config["role"] == "client" and not config["isStaff"] and config["recordUrl"] is None
    room = db.session.scalar(select(VideoRoom).where(VideoRoom.appointment_id == appointment.id))
    assert {p.role for p in room.participants} == {ParticipantRole.HOST, ParticipantRole.CLIENT}


def test_strangers_get_404(app, db, client, login, worker, appointment, create_staff, create_client):
    room = operations.open_room_for_appointment(db.session, appointment, worker)
    db.session.commit()
    for stranger in (create_staff(Role.WORKER), create_staff(Role.TEAM_LEAD), create_client().user):
        login(stranger)
        assert client.post(f"/video/appointments/{appointment.id}").status_code == 404
        assert client.get(f"/video/r/{room.key}").status_code == 404
        assert client.post(f"/video/r/{room.key}/fallback", json={"choice": "phone"}).status_code == 404
        assert client.post(f"/video/r/{room.key}/keepalive").status_code == 404
        client.post("/logout")
    # Anonymous, without an invite: to the login page.
    response = client.get(f"/video/r/{room.key}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_room_only_for_video_appointments(db, client, login, worker, enrolment):
    starts = (utcnow() + timedelta(days=2)).replace(second=0, microsecond=0)
    visit, _ = book(worker, BookingRequest(enrolment=enrolment, contact_type="individual",
                                           modality=Modality.HOME_VISIT, starts_at=starts, minutes=60, urgent=True))
    login(worker)
    response = client.post(f"/video/appointments/{visit.id}", headers={"Accept-Language": "en"})
    assert response.status_code == 302
    assert "not a video meeting" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(VideoRoom).where(VideoRoom.appointment_id == visit.id)) is None


def test_invite_link_shown_once_opens_the_waiting_room_and_can_be_revoked(app, db, client, login, worker, appointment):
    login(worker)
    url = open_room(client, appointment)
    key = url.rsplit("/", 1)[1]
    page = client.post(f"/video/r/{key}/invites", data={"name": "Sister Maija", "role": "guest", "hours": "24"})
    assert page.status_code == 200
    link = re.search(r'id="invite-link"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    assert "/video/i/" in link
    assert link.rsplit("/", 1)[1] not in client.get(f"/video/r/{key}/invites").get_data(as_text=True)  # once
    invite = db.session.scalar(select(VideoInvite))
    assert invite.participant.display_name == "Sister Maija" and invite.participant.role == ParticipantRole.GUEST

    guest = app.test_client()
    landing = guest.get(link.split("localhost", 1)[1])
    assert landing.status_code == 302 and landing.headers["Location"].endswith(f"/video/r/{key}")
    config = call_config(guest.get(f"/video/r/{key}"))
    assert config["role"] == "guest" and config["name"] == "Sister Maija" and not config["isStaff"]
    assert guest.post("/video/echo-test", headers={"X-CSRFToken": config["csrfToken"]}).status_code == 200
    # The guest cannot manage invites.
    assert guest.get(f"/video/r/{key}/invites").status_code == 302

    assert client.post(f"/video/r/{key}/invites/{invite.id}/revoke").status_code == 302
    assert app.test_client().get(link.split("localhost", 1)[1]).status_code == 410
    # Revoking takes back all the link gave to the browser that used it (issue 19): the room page with a
    # fresh ticket, the phone/home-visit fallback, the keepalive and the echo test.
    assert guest.get(f"/video/r/{key}").status_code == 302  # to the sign-in page: no seat here any more
    assert guest.post(f"/video/r/{key}/fallback", json={"choice": "phone"}).status_code == 404
    assert guest.post(f"/video/r/{key}/keepalive").status_code == 404
    assert guest.post("/video/echo-test", headers={"X-CSRFToken": config["csrfToken"]}).status_code == 401
    ice = guest.get("/video/ice-servers", headers={"Authorization": f"Bearer {config['ticket']}"})
    assert ice.status_code == 401
    assert db.session.scalar(select(AuditRecord).where(AuditRecord.object_type == "video_invite",
                                                       AuditRecord.action == AuditAction.UPDATE))


def test_invite_form_keeps_input_and_refuses_bad_values(client, login, worker, appointment, db):
    login(worker)
    key = open_room(client, appointment).rsplit("/", 1)[1]
    page = client.post(f"/video/r/{key}/invites", data={"name": "", "role": "worker", "hours": "9999"},
                       headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert db.session.scalar(select(VideoInvite)) is None
    assert "Please check these fields" in page.get_data(as_text=True)
    page = client.post(f"/video/r/{key}/invites", data={"name": "x" * 121, "role": "guest", "hours": "24"})
    assert "x" * 121 in page.get_data(as_text=True) and db.session.scalar(select(VideoInvite)) is None


def test_expired_and_unknown_links(app, db, worker, appointment):
    room = operations.open_room_for_appointment(db.session, appointment, worker)
    invite, token = operations.create_invite(db.session, room, worker, name="Guest", hours=2)
    invite.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    guest = app.test_client()
    assert guest.get(f"/video/i/{token}").status_code == 410
    assert guest.get("/video/i/made-up-token").status_code == 404
    assert guest.post("/video/echo-test").status_code in (400, 401)  # no session, no CSRF token: refused


def test_ice_servers_need_a_ticket_and_carry_rest_credentials(app, db, worker, appointment):
    room = operations.open_room_for_appointment(db.session, appointment, worker)
    seat = operations.participant_for_user(db.session, room, worker)
    db.session.commit()
    http = app.test_client()
    assert http.get("/video/ice-servers").status_code == 401
    assert http.get("/video/ice-servers", headers={"Authorization": "Bearer forged"}).status_code == 401
    user_ticket = tickets.user_ticket(worker)  # the wrong kind of ticket
    assert http.get("/video/ice-servers", headers={"Authorization": f"Bearer {user_ticket}"}).status_code == 401

    response = http.get("/video/ice-servers", headers={"Authorization": f"Bearer {tickets.participant_ticket(seat)}"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    stun, relay = body["iceServers"]
    assert stun == {"urls": list(TURN["STUN_URLS"])}
    assert relay["urls"] == list(TURN["TURN_URLS"])
    expiry, who = relay["username"].split(":")
    assert who == str(seat.id) and 0 < int(expiry) - time.time() <= body["ttl"]
    expected = base64.b64encode(hmac.new(b"s3cret-for-tests", relay["username"].encode(), hashlib.sha1).digest())
    assert relay["credential"] == expected.decode()

    operations.end_room(db.session, room, worker)
    db.session.commit()
    assert http.get("/video/ice-servers",
                    headers={"Authorization": f"Bearer {tickets.participant_ticket(seat)}"}).status_code == 401


def test_turn_credentials_follow_corturns_rest_scheme():
    username, credential = turn_credentials("secret", "42", 3600, now=1_700_000_000)
    assert username == "1700003600:42"
    assert credential == base64.b64encode(hmac.new(b"secret", b"1700003600:42", hashlib.sha1).digest()).decode()


def test_client_asks_for_a_phone_call_or_a_home_visit(db, client, login, person, worker, enrolment):
    appointment = book_video(db, worker, enrolment, minutes_from_now=25)
    login(person.user)
    key = open_room(client, appointment).rsplit("/", 1)[1]
    phone = client.post(f"/video/r/{key}/fallback", json={"choice": "phone"}, headers={"Accept-Language": "en"})
    assert phone.status_code == 200 and "+358401234567" in phone.get_json()["text"]
    visit = client.post(f"/video/r/{key}/fallback", json={"choice": "home_visit"})
    assert visit.status_code == 200
    request = db.session.scalar(select(ChangeRequest).where(ChangeRequest.appointment_id == appointment.id))
    assert request is not None and request.wants_modality == Modality.HOME_VISIT
    assert client.post(f"/video/r/{key}/fallback", json={"choice": "carrier pigeon"}).status_code == 400


def test_worker_starts_an_ad_hoc_meeting_booked_from_now(db, client, login, worker, enrolment, create_staff,
                                                         create_client, create_enrolment):
    login(worker)
    response = client.post("/video/start", data={"enrolment_id": enrolment.id})
    assert response.status_code == 302 and "/video/r/" in response.headers["Location"]
    appointment = db.session.scalar(select(Appointment).where(Appointment.enrolment_id == enrolment.id))
    assert appointment.modality == Modality.VIDEO and appointment.starts_at <= utcnow()
    # Someone else's client is not in the list: refused, nothing booked.
    other = create_enrolment(create_client(), coordinator=create_staff(Role.WORKER))
    db.session.commit()
    response = client.post("/video/start", data={"enrolment_id": other.id})
    assert response.status_code == 400 and "/video/r/" not in response.headers.get("Location", "")
    assert db.session.scalar(select(Appointment).where(Appointment.enrolment_id == other.id)) is None


def test_staff_reading_a_room_is_audited_and_the_index_lists_todays_meetings(db, client, login, worker, appointment):
    login(worker)
    index = client.get("/video/", headers={"Accept-Language": "en"})
    assert index.status_code == 200 and "Open the meeting room" in index.get_data(as_text=True)
    url = open_room(client, appointment)
    client.get(url)
    reads = db.session.scalars(select(AuditRecord).where(AuditRecord.object_type == "video_room",
                                                         AuditRecord.action == AuditAction.READ)).all()
    assert reads and reads[0].client_id == appointment.enrolment.client_id


def test_an_ended_meeting_cannot_be_entered(app, db, client, login, person, worker, appointment):
    room = operations.open_room_for_appointment(db.session, appointment, worker)
    operations.participant_for_user(db.session, room, person.user)
    operations.end_room(db.session, room, worker)
    db.session.commit()
    login(person.user)
    assert client.get(f"/video/r/{room.key}").status_code == 410
    response = client.post(f"/video/appointments/{appointment.id}")
    assert response.status_code == 302 and "/video/r/" not in response.headers["Location"]


def test_bot_token_command_prints_a_valid_bot_credential(app):
    result = app.test_cli_runner().invoke(args=["video-bot-token"])
    assert result.exit_code == 0 and tickets.read_bot_token(result.output.strip()) == "echo"
    assert tickets.read_participant_ticket(result.output.strip()) is None  # one kind is never another


def test_fit_around_the_meeting_ors_while_waiting_srs_after_and_the_host_sees_the_score(
        app, db, client, login, worker, person, create_enrolment):
    """Remote guidance asks ORS before and SRS after every meeting (issue 4) — in the video room."""
    from portal.measures import operations as measures
    from portal.measures import queries as measure_queries
    from portal.video.signaling import _lobby_payload

    enrolment = create_enrolment(person, coordinator=worker, programme="remote-guidance")
    first = utcnow() - timedelta(days=7)
    book(worker, BookingRequest(enrolment=enrolment, contact_type="guidance-meeting", modality=Modality.HOME_VISIT,
                                starts_at=first, minutes=60, urgent=True), now=first - timedelta(days=1))
    starts = (utcnow() + timedelta(minutes=10)).replace(second=0, microsecond=0)
    appointment, _ = book(worker, BookingRequest(enrolment=enrolment, contact_type="guidance-meeting",
                                                 modality=Modality.VIDEO, starts_at=starts, minutes=45, urgent=True))
    db.session.commit()

    login(person.user)
    url = open_room(client, appointment)
    page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"/me/measures/{enrolment.id}/ors/appt-{appointment.id}?next={url}" in page
    assert f"/me/measures/{enrolment.id}/srs/appt-{appointment.id}?next={url}" in page

    room = db.session.scalar(select(VideoRoom).where(VideoRoom.appointment_id == appointment.id))
    seat = operations.participant_for_user(db.session, room, person.user)
    seat.waiting_since, seat.live_sid = utcnow(), "sid-1"
    occurrence = measure_queries.find_occurrence(enrolment, "ors", f"appt-{appointment.id}", starts, open_only=True)
    version = measures.instrument_version("ors")
    measures.submit(person.user, enrolment, occurrence, version.id,
                    {"version": str(version.id), "token": "t", "individually": "6.5", "interpersonally": "7",
                     "socially": "5.2", "overall": "6"}, "t")
    db.session.commit()
    with app.test_request_context():
        assert _lobby_payload(room)["waiting"][0]["ors"] == "24.7"
    page = client.get(url).get_data(as_text=True)
    assert f"/ors/appt-{appointment.id}?next" not in page  # answered: no longer offered


def test_the_clients_link_can_be_sent_by_text_message(app, db, client, login, worker, person, appointment):
    from portal.notifications.models import OutboxMessage
    from portal.people.models import ContactChannel

    person.preferred_channel = ContactChannel.SMS
    login(worker)
    key = open_room(client, appointment).rsplit("/", 1)[1]
    page = client.post(f"/video/r/{key}/invites", data={"name": "Aino", "role": "client", "hours": "24",
                                                       "send_to_client": "y"}, headers={"Accept-Language": "en"})
    assert "The link was sent to the client." in page.get_data(as_text=True)
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.body.contains("/video/i/")))
    link = re.search(r'id="invite-link"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    assert message.recipient == "+358401234567" and link in message.body
    assert db.session.scalar(select(AuditRecord).where(AuditRecord.object_type == "video_invite_message"))
    # A guest's link is never sent to the client's phone.
    client.post(f"/video/r/{key}/invites", data={"name": "Sister", "role": "guest", "hours": "24",
                                                "send_to_client": "y"})
    assert len(db.session.scalars(select(OutboxMessage).where(OutboxMessage.body.contains("/video/i/"))).all()) == 1


def test_the_call_page_keeps_the_session_alive_through_a_long_call(app, db, client, login, person, appointment):
    """The page posts to keepaliveUrl while connected; each post renews the idle clock (the browser test
    tests/browser/test_long_call.py holds a real call longer than the timeout)."""
    login(person.user)
    config = call_config(client.get(open_room(client, appointment)))
    assert 10 <= config["keepaliveSeconds"] < app.config["IDLE_TIMEOUT_MINUTES"] * 60
    row = db.session.scalar(select(AuthSession).where(AuthSession.user_id == person.user.id))
    row.last_seen_at = utcnow() - timedelta(minutes=app.config["IDLE_TIMEOUT_MINUTES"]) + timedelta(seconds=30)
    db.session.commit()  # 30 s left
    assert client.post(config["keepaliveUrl"]).status_code == 204
    db.session.refresh(row)
    assert row.last_seen_at > utcnow() - timedelta(seconds=5)
