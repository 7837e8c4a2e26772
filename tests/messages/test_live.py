"""The /live namespace with Flask-SocketIO's test client: sign-in required, events only to the right users,
and nothing is sent for a transaction that rolls back."""

from __future__ import annotations

import pytest

from portal.auth.models import Role
from portal.messages import operations


@pytest.fixture
def people(db, create_staff, create_client, create_enrolment):
    coordinator = create_staff(Role.CARE_COORDINATOR)
    me, other = create_client(), create_client()
    enrolment = create_enrolment(me, coordinator=coordinator)
    create_enrolment(other, coordinator=create_staff(Role.WORKER))
    db.session.commit()
    return coordinator, me, other, enrolment


def _socket(app, client):
    # Its own app context, as a real connection has: Flask-Login caches the user in ``g``, which the
    # test's open app context would otherwise share between connections.
    with app.app_context():
        return app.extensions["socketio"].test_client(app, namespace="/live", flask_test_client=client)


def test_connecting_needs_a_signed_in_user(app):
    socket = _socket(app, app.test_client())
    assert not socket.is_connected("/live")


def test_a_new_message_reaches_only_the_people_of_the_thread(app, db, login, people):
    coordinator, me, other, enrolment = people
    worker_http, other_http = app.test_client(), app.test_client()
    for http, user in ((worker_http, coordinator), (other_http, other.user)):
        db.session.commit()
        assert http.post("/login", data={"email": user.email, "password": _password()}).status_code == 302
    worker_socket, other_socket = _socket(app, worker_http), _socket(app, other_http)
    assert worker_socket.is_connected("/live") and other_socket.is_connected("/live")
    thread = operations.start_thread(me.user, enrolment, "Asunto", "Salainen sisältö")
    assert worker_socket.get_received("/live") == []  # not before the commit
    db.session.commit()
    received = worker_socket.get_received("/live")
    assert [(r["name"], _args(r)["thread_id"]) for r in received] == [("message", thread.id)]
    assert "Salainen" not in str(received)  # ids only; the text is fetched through the audited page
    assert other_socket.get_received("/live") == []


def test_a_rolled_back_message_is_never_announced(app, db, people):
    coordinator, me, _other, enrolment = people
    http = app.test_client()
    assert http.post("/login", data={"email": coordinator.email, "password": _password()}).status_code == 302
    socket = _socket(app, http)
    operations.start_thread(me.user, enrolment, "Asunto", "Hei")
    db.session.rollback()
    db.session.commit()
    assert socket.get_received("/live") == []


def _password():
    from tests.conftest import PASSWORD

    return PASSWORD


def _args(received: dict) -> dict:
    # The test client gives a single-argument event's payload as it is, several as a list.
    args = received["args"]
    return args[0] if isinstance(args, list) else args
