"""Server-side sessions (issue 19): a session that ends is over everywhere — a copied cookie, the idle
timeout past the absolute lifetime, "sign out my other sessions" with the other browser's /live
connection, and the tickets a session was given."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from portal.auth.models import AuthSession, Role
from portal.db import utcnow
from portal.notifications import jobs
from portal.video import tickets
from tests.conftest import PASSWORD

COOKIE = "silta_session"


@pytest.fixture
def worker(db, create_staff):
    user = create_staff(Role.WORKER)
    db.session.commit()
    return user


def _signed_in(app, user, agent="Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"):
    http = app.test_client()
    response = http.post("/login", data={"email": user.email, "password": PASSWORD}, headers={"User-Agent": agent})
    assert response.status_code == 302
    return http


def _row(db, http) -> AuthSession:
    """The session row of this browser (the newest one: each test client signs in once)."""
    db.session.expire_all()
    return db.session.scalars(select(AuthSession).order_by(AuthSession.created_at.desc())).first()


def _wait_until(condition, seconds=10.0):
    """Wait for what another thread does (a bound against a hang, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_cookie_copied_before_logout_is_refused_after_it(app, worker):
    http = _signed_in(app, worker)
    thief = app.test_client()
    thief.set_cookie(COOKIE, http.get_cookie(COOKIE).value)
    assert thief.get("/account").status_code == 200  # the copy works while the session lasts
    assert http.post("/logout").status_code == 302
    response = thief.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("app_config", [{"IDLE_TIMEOUT_MINUTES": 30, "SESSION_MAX_HOURS": 12}])
def test_use_never_renews_a_session_past_its_lifetime_or_its_idle_timeout(app, db, worker, app_config):
    http = _signed_in(app, worker)
    row = _row(db, http)
    assert row.expires_at - row.created_at == timedelta(hours=12)
    # Busy all along (seen a minute ago) but signed in 12 hours ago: over, and a keepalive does not help.
    db.session.execute(update(AuthSession).values(created_at=utcnow() - timedelta(hours=13),
                                                  expires_at=utcnow() - timedelta(seconds=1),
                                                  last_seen_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert http.post("/video/r/nowhere/keepalive").status_code == 302
    assert http.get("/account").status_code == 302

    # Idle for longer than the timeout: the request that finds it does not bring it back.
    other = _signed_in(app, worker)
    idle_since = utcnow() - timedelta(minutes=31)
    db.session.execute(update(AuthSession).where(AuthSession.id == _row(db, other).id).values(last_seen_at=idle_since))
    db.session.commit()
    assert other.get("/account").status_code == 302
    assert _row(db, other).last_seen_at == idle_since
    jobs.run_jobs(app)  # the periodic job deletes both rows
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuthSession)) == 0


def test_last_seen_is_written_at_most_once_a_minute(app, db, worker):
    http = _signed_in(app, worker)
    first = _row(db, http).last_seen_at
    assert http.get("/account").status_code == 200
    assert _row(db, http).last_seen_at == first  # no write on every request
    db.session.execute(update(AuthSession).values(last_seen_at=first - timedelta(minutes=2)))
    db.session.commit()
    assert http.get("/account").status_code == 200
    assert _row(db, http).last_seen_at > first - timedelta(minutes=2)


def _live(app, http):
    with app.app_context():  # its own ``g``, as a real connection has
        return app.extensions["socketio"].test_client(app, namespace="/live", flask_test_client=http)


def test_signing_out_the_other_sessions_closes_their_live_connections_only(app, db, worker):
    mine, other = _signed_in(app, worker), _signed_in(app, worker, agent="Mozilla/5.0 Chrome/131.0 Safari/537.36")
    my_live, other_live = _live(app, mine), _live(app, other)
    assert my_live.is_connected("/live") and other_live.is_connected("/live")
    page = mine.get("/account").get_data(as_text=True)
    assert "Firefox" in page and "Chrome" in page and "/account/sessions/end-others" in page

    assert mine.post("/account/sessions/end-others").status_code == 302
    _wait_until(lambda: not other_live.is_connected("/live"))
    assert my_live.is_connected("/live")
    assert other.get("/account").status_code == 302
    assert mine.get("/account").status_code == 200
    assert not _live(app, other).is_connected("/live")  # the old cookie opens nothing either
    my_live.disconnect(namespace="/live")


def test_a_ticket_given_before_logout_is_refused_at_connect_and_mid_connection(app, db, worker):
    http = _signed_in(app, worker)
    ticket = {"user_ticket": tickets.user_ticket(worker, _row(db, http).id)}  # what the staff pages carry
    socketio = app.extensions["socketio"]
    connected = socketio.test_client(app, namespace="/rtc", auth=ticket)
    assert connected.is_connected("/rtc")
    assert http.post("/logout").status_code == 302
    _wait_until(lambda: not connected.is_connected("/rtc"))
    assert not socketio.test_client(app, namespace="/rtc", auth=ticket).is_connected("/rtc")


def test_the_job_closes_the_live_connection_of_a_session_left_idle(app, db, worker):
    http = _signed_in(app, worker)
    live = _live(app, http)
    assert live.is_connected("/live")
    db.session.execute(update(AuthSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    db.session.commit()
    jobs.run_jobs(app)
    _wait_until(lambda: not live.is_connected("/live"))


def _session_statements(app, http, path):
    """The statements that read the session row while ``path`` is served."""
    from sqlalchemy import event

    from portal.extensions import db as extension

    seen = []

    def note(_conn, _cursor, statement, *_args):
        if "WHERE auth_sessions.token_hash" in statement:
            seen.append(statement)

    with app.app_context():
        engine = extension.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        response = http.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return response, seen


def test_a_staff_members_pages_do_not_load_a_client_record_with_the_session(app, db, worker, create_client):
    http = _signed_in(app, worker)
    response, seen = _session_statements(app, http, "/account")
    assert response.status_code == 200 and len(seen) == 1 and "clients" not in seen[0]
    client_user = create_client().user
    db.session.commit()
    http = _signed_in(app, client_user)
    response, seen = _session_statements(app, http, "/me")
    assert response.status_code == 200 and len(seen) == 1 and "clients" in seen[0]


def test_the_staff_hint_only_saves_work_the_session_row_decides(app, db, create_client):
    # A client's session carrying the hint (it cannot be forged: the cookie is signed) still works: the client
    # record is then read on its own when a page asks for it.
    client_user = create_client().user
    db.session.commit()
    http = _signed_in(app, client_user)
    with http.session_transaction() as cookie:
        assert "staff" not in cookie
        cookie["staff"] = True
    response = http.get("/me")
    assert response.status_code == 200 and client_user.display_name.encode() in response.data
