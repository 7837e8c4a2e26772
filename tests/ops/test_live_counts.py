"""A live call and the echo bot, through the real /rtc namespace (Flask-SocketIO's test client), show on
/metrics and /readyz of the process that holds them."""

from __future__ import annotations

import pytest

from portal.auth.models import Role
from portal.ops import heartbeat
from portal.video import operations, tickets
from portal.video.signaling import NAMESPACE
from tests.ops.conftest import metric
from tests.video_rooms.conftest import book_video


@pytest.fixture
def sockets(app, db):
    opened = []

    def connect(auth):
        db.session.commit()
        socket = app.extensions["socketio"].test_client(app, namespace=NAMESPACE, auth=auth)
        opened.append(socket)
        assert socket.is_connected(NAMESPACE)
        return socket

    yield connect
    for socket in opened:
        if socket.is_connected(NAMESPACE):
            socket.disconnect(namespace=NAMESPACE)


def test_a_live_call_and_the_bot_are_counted(app, db, client, sockets, create_staff, create_client,
                                             create_enrolment):
    worker = create_staff(Role.WORKER)
    appointment = book_video(db, worker, create_enrolment(create_client(), coordinator=worker,
                                                          programme="intensive-rehabilitation"))
    room = operations.open_room_for_appointment(db.session, appointment, worker)
    seat = operations.participant_for_user(db.session, room, worker)
    db.session.commit()
    heartbeat.beat(app)
    assert client.get("/readyz").get_json()["checks"]["echo_bot"] == {"state": "absent"}

    host = sockets({"ticket": tickets.participant_ticket(seat)})
    assert host.emit("join", {}, namespace=NAMESPACE, callback=True)["ok"]
    sockets({"bot_token": tickets.bot_token()})
    text = client.get("/metrics").get_data(as_text=True)
    assert metric(text, "silta_socketio_connections", f'namespace="{NAMESPACE}"') == 2
    assert metric(text, "silta_live_calls", f'namespace="{NAMESPACE}"') == 1
    assert metric(text, "silta_echo_bots", f'namespace="{NAMESPACE}"') == 1
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
