"""The idle warning: every signed-in page carries it; "keep me signed in" renews the server-side session
(never past its maximum length); an ended session gets 401, and the page says so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portal.auth.models import AuthSession, Role
from tests.conftest import PASSWORD


@pytest.fixture
def http(app, db, create_staff):
    user = create_staff(Role.WORKER, locale="en")
    db.session.commit()
    browser = app.test_client()
    assert browser.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return browser


def _row(db) -> AuthSession:
    db.session.expire_all()
    return db.session.scalar(select(AuthSession))


def test_signed_in_pages_carry_the_warning(http):
    page = http.get("/account").get_data(as_text=True)
    assert 'id="idle-warning"' in page and 'data-idle-seconds="1800"' in page and 'data-warn-seconds="120"' in page
    assert "Keep me signed in" in page and "You will be signed out in 2 minutes" in page


def test_keep_me_signed_in_renews_the_session_now(http, db):
    twenty_ago = _row(db).last_seen_at - timedelta(minutes=20)
    db.session.execute(update(AuthSession).values(last_seen_at=twenty_ago))
    db.session.commit()
    response = http.post("/session/keepalive")
    assert response.status_code == 200 and response.get_json() == {"signed_in": True, "idle_seconds": 1800}
    assert _row(db).last_seen_at > twenty_ago + timedelta(minutes=19)


def test_keepalive_never_stretches_the_maximum_length(http, db):
    ends = _row(db).last_seen_at + timedelta(minutes=5)
    db.session.execute(update(AuthSession).values(expires_at=ends))
    db.session.commit()
    assert http.post("/session/keepalive").get_json()["idle_seconds"] <= 300
    assert _row(db).expires_at == ends


def test_an_ended_session_is_told_so(http, db, client):
    db.session.execute(update(AuthSession).values(last_seen_at=_row(db).last_seen_at - timedelta(hours=1)))
    db.session.commit()
    assert http.post("/session/keepalive").status_code in (302, 401)  # the dead session is cleared first
    assert http.post("/session/keepalive").status_code == 401
    assert client.post("/session/keepalive").get_json() == {"signed_in": False}
    assert 'id="idle-warning"' not in client.get("/login").get_data(as_text=True)
