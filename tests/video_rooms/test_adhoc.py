""""Meeting now" behaves like a call (issue 17): ending it frees the rest of its hour, its host can reopen
it for a while, a meeting still booked is offered for continuing, and a refused form keeps the client."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditRecord
from portal.auth.models import Role
from portal.db import utcnow
from portal.programmes.definitions_schema import Modality
from portal.scheduling.models import Appointment
from portal.scheduling.operations import BookingRequest, book
from portal.video import operations
from portal.video.models import VideoRoom

EN = {"Accept-Language": "en"}


@pytest.fixture
def clients(create_client, create_enrolment, worker):
    """Two of the worker's clients, in the order the form lists them."""
    enrolments = [create_enrolment(create_client(), coordinator=worker, programme="intensive-rehabilitation")
                  for _ in range(2)]
    return sorted(enrolments, key=lambda e: (e.client.last_name, e.client.first_name))


def start(client, enrolment):
    return client.post("/video/start", data={"enrolment_id": enrolment.id}, headers=EN)


def started_minutes_ago(db, room: VideoRoom, minutes: int = 2) -> None:
    """As if the meeting had begun a while ago (ending it in the same second would leave nothing free)."""
    shift = timedelta(minutes=minutes)
    room.appointment.starts_at -= shift
    for participant in room.appointment.participants:
        participant.busy_from -= shift
    db.session.flush()


def room_of(db, enrolment) -> VideoRoom:
    return db.session.scalar(select(VideoRoom).join(Appointment, Appointment.id == VideoRoom.appointment_id)
                             .where(Appointment.enrolment_id == enrolment.id))


def test_ending_frees_the_rest_of_the_hour_and_the_next_meeting_can_start(db, client, login, worker, clients):
    login(worker)
    assert start(client, clients[0]).status_code == 302
    room = room_of(db, clients[0])
    assert room.adhoc and room.appointment.ends_at - room.appointment.starts_at >= timedelta(minutes=30)
    started_minutes_ago(db, room)
    operations.end_room(db.session, room, worker)
    db.session.commit()
    appointment = room.appointment
    assert appointment.ends_at <= utcnow() + timedelta(minutes=1) and appointment.active
    assert all(p.busy_until == appointment.ends_at for p in appointment.participants)
    response = start(client, clients[1])
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_a_meeting_still_booked_is_offered_and_the_chosen_client_is_kept(db, client, login, worker, clients):
    login(worker)
    assert start(client, clients[0]).status_code == 302
    first = room_of(db, clients[0])
    response = start(client, clients[1])  # the first was never ended: its tab was closed
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "is still booked until" in html
    assert f'href="/video/r/{first.key}"' in html  # "Continue that meeting"
    assert re.search(rf'<option selected value="{clients[1].id}"|<option value="{clients[1].id}" selected', html)
    assert room_of(db, clients[1]) is None  # nothing booked


def test_the_host_reopens_an_ended_meeting_and_the_client_can_join(db, client, login, worker, clients):
    login(worker)
    start(client, clients[0])
    room = room_of(db, clients[0])
    operations.end_room(db.session, room, worker)
    db.session.commit()
    assert room.key in client.get("/video/", headers=EN).get_data(as_text=True)  # offered for reopening
    response = client.post(f"/video/r/{room.key}/reopen")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/video/r/{room.key}")
    db.session.expire_all()
    assert room.ended_at is None and room.appointment.ends_at > utcnow() + timedelta(minutes=30)
    updates = db.session.scalars(select(AuditRecord.detail).where(AuditRecord.object_type == "video_room",
                                                                  AuditRecord.object_id == str(room.id)))
    assert {"reopened": True} in list(updates)
    client.post("/logout")
    login(clients[0].client.user)
    assert client.get(f"/video/r/{room.key}").status_code == 200


def test_reopening_is_refused_clearly_and_changes_nothing(db, client, login, worker, clients, create_staff):
    colleague = create_staff(Role.WORKER, name="Kollega")
    clients[0].team = []
    room = operations.start_adhoc(db.session, worker, clients[0], utcnow())
    operations.end_room(db.session, room, worker)
    clients[0].deputy = colleague
    db.session.commit()
    login(colleague)
    response = client.post(f"/video/r/{room.key}/reopen", headers=EN)
    assert response.status_code == 403 and "Vain tapaamisen järjestänyt työntekijä" in response.get_data(as_text=True)
    client.post("/logout")
    stranger = create_staff(Role.WORKER, in_unit=None)
    login(stranger)
    assert client.post(f"/video/r/{room.key}/reopen").status_code == 404
    client.post("/logout")
    # The worker booked the next half hour meanwhile: reopening would double-book, so it is refused.
    login(worker)
    ends = room.appointment.ends_at
    book(worker, BookingRequest(enrolment=clients[1], contact_type="video-call", modality=Modality.VIDEO,
                                starts_at=ends + timedelta(minutes=5), minutes=30, urgent=True))
    db.session.commit()
    response = client.post(f"/video/r/{room.key}/reopen", headers=EN)
    assert response.status_code == 409 and "already booked" in response.get_data(as_text=True)
    db.session.expire_all()
    assert room.ended_at is not None and room.appointment.ends_at == ends
    # Too late: a quarter of an hour after its end.
    started_minutes_ago(db, room, 40)
    room.ended_at = utcnow() - timedelta(minutes=operations.REOPEN_MINUTES + 1)
    room.appointment.ends_at = room.ended_at
    db.session.commit()
    response = client.post(f"/video/r/{room.key}/reopen", headers=EN)
    assert response.status_code == 409 and "too long ago" in response.get_data(as_text=True)
