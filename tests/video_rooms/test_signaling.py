"""The /rtc signaling namespace through Flask-SocketIO's test client: who may connect, the waiting room,
admission, relaying only within a room, message validation, the mesh limit, ending, the echo bot's
claim. Real WebRTC peers through a real server process are in tests/video/."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditRecord
from portal.auth.models import Role
from portal.video import operations, tickets
from portal.video.models import ParticipantRole, VideoInvite, VideoParticipant
from portal.video.signaling import NAMESPACE
from tests.video_rooms.conftest import book_video

NS = NAMESPACE


@pytest.fixture
def client_person(create_client):
    return create_client()


@pytest.fixture
def appointment(db, worker, client_person, create_enrolment):
    enrolment = create_enrolment(client_person, coordinator=worker, programme="intensive-rehabilitation")
    return book_video(db, worker, enrolment)


@pytest.fixture
def room(db, appointment, worker):
    room = operations.open_room_for_appointment(db.session, appointment, worker)
    db.session.commit()
    return room


@pytest.fixture
def connect(app, db):
    sockets = []

    def do(auth: dict | None):
        db.session.commit()
        socket = app.extensions["socketio"].test_client(app, namespace=NS, auth=auth)
        sockets.append(socket)
        return socket

    yield do
    for socket in sockets:
        if socket.is_connected(NS):
            socket.disconnect(namespace=NS)


def seat(db, room, user):
    participant = operations.participant_for_user(db.session, room, user)
    db.session.commit()
    return participant


def ticket(participant):
    return {"ticket": tickets.participant_ticket(participant)}


def events(socket, name=None):
    received = socket.get_received(NS)
    return [e["args"][0] for e in received if name is None or e["name"] == name]


def wait_until(condition, seconds=10.0):
    """Wait for something another thread does (not a timing assertion: the bound only ends a hang)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def ask(socket, event, data=None):
    return socket.emit(event, data if data is not None else {}, namespace=NS, callback=True)


def test_connect_needs_a_valid_ticket(connect, db, room, worker):
    assert not connect(None).is_connected(NS)
    assert not connect({"ticket": "forged"}).is_connected(NS)
    assert not connect({"user_ticket": tickets.participant_ticket(seat(db, room, worker))}).is_connected(NS)
    assert not connect({"bot_token": "x"}).is_connected(NS)
    assert connect(ticket(seat(db, room, worker))).is_connected(NS)


def test_a_stranger_has_no_seat_and_a_client_of_another_worker_neither(db, room, create_staff, create_client):
    stranger = create_staff(Role.WORKER)
    other_client = create_client()
    assert operations.participant_for_user(db.session, room, stranger) is None
    assert operations.participant_for_user(db.session, room, other_client.user) is None


def test_client_waits_until_the_host_admits(connect, db, room, worker, client_person):
    host = connect(ticket(seat(db, room, worker)))
    assert ask(host, "join")["ok"]
    client_seat = seat(db, room, client_person.user)
    assert client_seat.display_name.endswith(".")  # first name and initial only
    client = connect(ticket(client_seat))
    assert ask(client, "join") == {"ok": True, "waiting": True}
    assert events(client, "waiting") == [{"position": 1, "host_busy": False}]
    lobby = events(host, "lobby")[-1]
    assert [w["pid"] for w in lobby["waiting"]] == [client_seat.id]

    # Not admitted: no signal, chat or state gets through, whoever it is addressed to.
    host_conn = ask(host, "join")  # a second join by the host is harmless
    assert host_conn["ok"]
    assert ask(client, "signal", {"to": "anything", "description": {"type": "offer", "sdp": "v=0"}}) == \
        {"ok": False, "error": "not_admitted"}
    assert ask(client, "chat", {"text": "hello"})["error"] == "not_admitted"

    assert ask(host, "admit", {"pid": client_seat.id})["ok"]
    assert events(client, "admitted") == [{}]
    joined = ask(client, "join")
    assert joined["ok"] and "waiting" not in joined
    peers = events(client, "joined")[0]["peers"]
    assert [p["pid"] for p in peers] == [client_seat.room.participants[0].id]
    assert events(host, "peer-joined")[-1]["pid"] == client_seat.id
    db.session.expire_all()
    assert db.session.get(VideoParticipant, client_seat.id).admitted_at is not None
    assert db.session.scalar(select(AuditRecord).where(AuditRecord.object_type == "video_participant"))


def test_signals_are_relayed_only_inside_the_room(connect, db, room, worker, client_person, create_staff,
                                                 create_client, create_enrolment):
    room.auto_admit = True
    host = connect(ticket(seat(db, room, worker)))
    client = connect(ticket(seat(db, room, client_person.user)))
    host_conn = ask(host, "join")["conn"]
    client_conn = ask(client, "join")["conn"]
    events(host), events(client)

    description = {"type": "offer", "sdp": "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"}
    assert ask(host, "signal", {"to": client_conn, "description": description}) == {"ok": True}
    assert events(client, "signal") == [{"from": host_conn, "description": description}]
    assert ask(client, "signal", {"to": host_conn, "candidate": None}) == {"ok": True}
    assert events(host, "signal") == [{"from": client_conn, "candidate": None}]

    # Another meeting's participant, connected right now: a forged `to` cannot reach them.
    other_worker = create_staff(Role.WORKER)
    other_client = create_client()
    enrolment = create_enrolment(other_client, coordinator=other_worker)
    other_room = operations.open_adhoc_room(db.session, enrolment, other_worker)
    other_host = connect(ticket(seat(db, other_room, other_worker)))
    other_conn = ask(other_host, "join")["conn"]
    assert ask(host, "signal", {"to": other_conn, "description": description}) == \
        {"ok": False, "error": "not_in_room"}
    assert events(other_host, "signal") == []


@pytest.mark.parametrize("message", [
    None, "text", {"to": 5}, {"to": ""}, {"to": "x" * 65, "candidate": None},
    {"to": "x", "description": {"type": "hello", "sdp": ""}},
    {"to": "x", "description": {"type": "offer", "sdp": 5}},
    {"to": "x", "description": {"type": "offer", "sdp": "", "extra": 1}},
    {"to": "x", "candidate": "string"}, {"to": "x", "candidate": None, "description": None},
])
def test_malformed_signals_are_refused(connect, db, room, worker, message):
    host = connect(ticket(seat(db, room, worker)))
    ask(host, "join")
    assert ask(host, "signal", message) == {"ok": False, "error": "invalid"}


def test_oversized_signal_is_refused(connect, db, room, worker, client_person):
    room.auto_admit = True
    host = connect(ticket(seat(db, room, worker)))
    client = connect(ticket(seat(db, room, client_person.user)))
    ask(host, "join")
    client_conn = ask(client, "join")["conn"]
    huge = {"to": client_conn, "description": {"type": "offer", "sdp": "a" * 70_000}}
    assert ask(host, "signal", huge) == {"ok": False, "error": "too_large"}


def test_chat_reaches_everyone_in_the_room_and_is_checked(connect, db, room, worker, client_person):
    room.auto_admit = True
    host = connect(ticket(seat(db, room, worker)))
    client = connect(ticket(seat(db, room, client_person.user)))
    ask(host, "join"), ask(client, "join")
    events(host), events(client)
    assert ask(client, "chat", {"text": "  Hei!  "}) == {"ok": True}
    message = events(host, "chat")[0]
    assert message["text"] == "Hei!"
    assert message["name"] == f"{client_person.first_name} {client_person.last_name[0]}."
    assert events(client, "chat")[0]["text"] == "Hei!"
    assert ask(client, "chat", {"text": "   "})["error"] == "invalid"
    assert ask(client, "chat", {"text": "x" * 1001})["error"] == "invalid"
    assert ask(client, "state", {"audio": False, "video": True, "screen": False}) == {"ok": True}
    assert events(host, "peer-state")[0]["audio"] is False
    assert ask(client, "state", {"audio": "no"})["error"] == "invalid"


def test_a_client_cannot_admit_or_end(connect, db, room, worker, client_person):
    room.auto_admit = True
    client_seat = seat(db, room, client_person.user)
    guest, _token = operations.create_invite(db.session, room, worker, name="Relative")
    client = connect(ticket(client_seat))
    ask(client, "join")
    assert ask(client, "admit", {"pid": guest.participant_id})["error"] == "not_in_room"
    assert ask(client, "notice", {"pid": guest.participant_id, "text": "hi"})["error"] == "not_in_room"
    assert ask(client, "end")["error"] == "unauthorized"


def test_notice_and_admission_from_the_staff_notification_connection(connect, db, room, worker, client_person):
    client_seat = seat(db, room, client_person.user)
    client = connect(ticket(client_seat))
    ask(client, "join")
    staff = connect({"user_ticket": tickets.user_ticket(worker)})
    lobby = events(staff, "lobby")  # told at once who is waiting now
    assert lobby and lobby[0]["waiting"][0]["pid"] == client_seat.id and lobby[0]["url"].endswith(room.key)
    assert ask(staff, "notice", {"pid": client_seat.id, "text": "I'll be with you in 5 minutes"}) == {"ok": True}
    assert events(client, "notice") == [{"text": "I'll be with you in 5 minutes", "from": worker.display_name}]
    assert ask(staff, "notice", {"pid": client_seat.id, "text": "x" * 301})["error"] == "invalid"
    assert ask(staff, "admit", {"pid": client_seat.id}) == {"ok": True}
    assert events(client, "admitted") == [{}]
    assert events(staff, "lobby")[-1]["waiting"] == []


def test_a_revoked_invite_shuts_the_door(connect, db, room, worker):
    invite, token = operations.create_invite(db.session, room, worker, name="Sister")
    guest_ticket = ticket(invite.participant)
    guest = connect(guest_ticket)
    assert ask(guest, "join")["waiting"]
    operations.revoke_invite(db.session, invite, worker)
    db.session.commit()  # the revocation is published on commit: the live connection is closed
    wait_until(lambda: not guest.is_connected(NS))
    assert not connect(guest_ticket).is_connected(NS)


def test_the_mesh_holds_four_people(connect, db, room, worker):
    room.auto_admit = True
    host = connect(ticket(seat(db, room, worker)))
    assert ask(host, "join")["ok"]
    guests = []
    for n in range(4):
        invite, _token = operations.create_invite(db.session, room, worker, name=f"Guest {n}")
        guests.append(connect(ticket(invite.participant)))
    assert [ask(g, "join")["ok"] for g in guests[:3]] == [True, True, True]
    assert ask(guests[3], "join") == {"ok": False, "error": "room_full"}
    guests[0].disconnect(namespace=NS)
    assert ask(guests[3], "join")["ok"]


def test_reload_replaces_the_old_connection(connect, db, room, worker, client_person):
    room.auto_admit = True
    host = connect(ticket(seat(db, room, worker)))
    client_seat = seat(db, room, client_person.user)
    first = connect(ticket(client_seat))
    ask(host, "join")
    old_conn = ask(first, "join")["conn"]
    events(host)
    second = connect(ticket(client_seat))
    new_conn = ask(second, "join")["conn"]
    assert events(first, "replaced") == [{}]
    host_events = host.get_received(NS)
    assert {"name": "peer-left", "args": [{"conn": old_conn, "pid": client_seat.id}], "namespace": NS} in host_events
    assert [e["args"][0]["conn"] for e in host_events if e["name"] == "peer-joined"] == [new_conn]
    # The old connection going away later does not take the new one out of the call.
    first.disconnect(namespace=NS)
    db.session.expire_all()
    assert db.session.get(VideoParticipant, client_seat.id).live_sid == new_conn


def test_the_host_ends_the_meeting_for_everyone(connect, db, room, worker, client_person):
    room.auto_admit = True
    host = connect(ticket(seat(db, room, worker)))
    client_seat = seat(db, room, client_person.user)
    client = connect(ticket(client_seat))
    ask(host, "join"), ask(client, "join")
    assert ask(host, "end") == {"ok": True}
    assert events(client, "ended") == [{}]
    db.session.expire_all()
    room = db.session.get(type(room), room.id)
    assert room.ended_at is not None and room.started_at is not None and room.ended_at >= room.started_at
    assert ask(client, "join")["error"] in ("ended", "unauthorized")
    assert not connect(ticket(client_seat)).is_connected(NS)


def test_echo_room_asks_the_bots_and_only_one_bot_wins(connect, db, worker):
    echo_room, tester = operations.open_echo_room(db.session, user=worker, name=worker.display_name)
    bot_a = connect({"bot_token": tickets.bot_token()})
    bot_b = connect({"bot_token": tickets.bot_token()})
    page = connect(ticket(tester))
    assert ask(page, "join")["ok"]
    request = events(bot_a, "echo-request")
    assert len(request) == 1 and request[0]["room"] == echo_room.key and request[0]["limit_seconds"] > 0
    assert events(bot_b, "echo-request") == request
    seat_a = connect({"ticket": request[0]["ticket"]})
    seat_b = connect({"ticket": request[0]["ticket"]})
    assert ask(seat_a, "join")["ok"]
    assert ask(seat_b, "join") == {"ok": False, "error": "taken"}
    assert events(page, "peer-joined")[-1]["role"] == "bot"
    # The tester leaves: the test room ends, the bot is told to hang up.
    page.disconnect(namespace=NS)
    assert {"name": "ended", "args": [{}], "namespace": NS} in seat_a.get_received(NS)


def test_bot_token_cannot_join_a_meeting(connect, db, room, worker):
    bot_seat = operations.add_participant(db.session, room, role=ParticipantRole.BOT, name="bot")
    db.session.commit()
    socket = connect(ticket(bot_seat))
    assert ask(socket, "join") == {"ok": False, "error": "taken"}


def test_invite_tokens_are_bound_signed_and_expire(db, room, worker):
    invite, token = operations.create_invite(db.session, room, worker, name="Guest", hours=2)
    assert operations.redeem_invite(db.session, token).id == invite.participant_id
    assert invite.secret_hash != token and token not in str(db.session.get(VideoInvite, invite.id).secret_hash)
    later = datetime.now(UTC) + timedelta(hours=3)
    with pytest.raises(operations.VideoError) as expired:
        operations.redeem_invite(db.session, token, now=later)
    assert expired.value.code == "invite_expired"
    with pytest.raises(operations.VideoError) as forged:
        operations.redeem_invite(db.session, token[:-2] + "xx")
    assert forged.value.code == "invite_invalid"


def test_a_server_without_a_free_database_connection_refuses_with_busy(connect, db, room, worker, monkeypatch, caplog):
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from portal.video import queries

    def no_connection(_pid):
        raise PoolTimeout("QueuePool limit reached")

    monkeypatch.setattr(queries, "connect_access", no_connection)
    assert not connect(ticket(seat(db, room, worker))).is_connected(NS)
    assert "rtc connection refused: database busy" in caplog.text and "Traceback" not in caplog.text
