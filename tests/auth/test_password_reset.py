"""Password reset by email: the same answer for unknown addresses, one-time links, old sessions end."""

from __future__ import annotations

import difflib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.auth.models import AuthToken, Role
from portal.notifications.models import OutboxMessage
from tests.conftest import PASSWORD

NEW = "a brand new long password"

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def app_config():
    return {"PASSWORD_RESET_MIN_MS": 0}


@pytest.fixture
def worker(db, create_staff):
    user = create_staff(Role.WORKER)
    db.session.commit()
    return user


def reset_link(db, user) -> str:
    body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.user_id == user.id)
                              .order_by(OutboxMessage.id.desc())).first()
    return re.search(r"https?://\S+(/password/reset/\S+)", body).group(1)


CSRF_VALUE = re.compile(r'name="csrf_token" value="[^"]*"')


def test_same_answer_whether_or_not_the_address_exists(client, db, worker):
    known = client.post("/password/forgot", data={"email": worker.email})
    unknown = client.post("/password/forgot", data={"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 200
    # The CSRF tokens carry the second they were signed: two answers a second apart differ there and only there.
    known_body, unknown_body = (CSRF_VALUE.sub('name="csrf_token" value="…"', r.get_data(as_text=True))
                                for r in (known, unknown))
    assert known_body == unknown_body, "".join(difflib.unified_diff(
        known_body.splitlines(True), unknown_body.splitlines(True), "known", "unknown", n=1))
    assert db.session.scalar(select(OutboxMessage.recipient)) == worker.email  # only the real one gets mail


def test_reset_sets_the_password_ends_old_sessions_and_works_once(app, client, db, worker, login):
    login(worker)
    assert client.get("/account").status_code == 200
    other = app.test_client()
    other.post("/password/forgot", data={"email": worker.email})
    link = reset_link(db, worker)
    assert other.get(link).status_code == 200
    response = other.post(link, data={"password": NEW, "confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/account").status_code == 302  # the session from before the reset has ended
    again = other.post(link, data={"password": NEW + "x", "confirm": NEW + "x"})
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    assert other.post("/login", data={"email": worker.email, "password": PASSWORD}).status_code == 401
    assert other.post("/login", data={"email": worker.email, "password": NEW}).status_code == 302


def test_expired_and_forged_links_are_refused_clearly(client, db, worker):
    client.post("/password/forgot", data={"email": worker.email})
    link = reset_link(db, worker)
    row = db.session.scalar(select(AuthToken))
    row.created_at, row.expires_at = row.created_at - timedelta(hours=1), row.created_at - timedelta(minutes=30)
    db.session.commit()
    expired = client.get(link)
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    forged = client.get("/password/reset/" + "x" * 43)
    assert forged.status_code == 404 and "not valid" in forged.get_data(as_text=True)


def test_short_or_mismatched_passwords_keep_the_link_usable(client, db, worker):
    client.post("/password/forgot", data={"email": worker.email})
    link = reset_link(db, worker)
    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 400 and "at least 12" in short.get_data(as_text=True)
    mismatch = client.post(link, data={"password": NEW, "confirm": NEW + "!"})
    assert mismatch.status_code == 400 and "do not match" in mismatch.get_data(as_text=True)
    assert client.post(link, data={"password": NEW, "confirm": NEW}).status_code == 302


def test_change_own_password_keeps_this_session_and_ends_others(app, client, db, worker, login):
    login(worker)
    other = app.test_client()
    assert other.post("/login", data={"email": worker.email, "password": PASSWORD}).status_code == 302
    wrong = client.post("/account/password", data={"current": "nope", "password": NEW, "confirm": NEW})
    assert wrong.status_code == 400
    ok = client.post("/account/password", data={"current": PASSWORD, "password": NEW, "confirm": NEW})
    assert ok.status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "PASSWORD_RESET_RATE_LIMIT": "2 per minute",
                                         "PASSWORD_RESET_MIN_MS": 0}])
def test_reset_requests_are_limited(client, worker, app_config):
    for _ in range(2):
        assert client.post("/password/forgot", data={"email": worker.email}).status_code == 200
    assert client.post("/password/forgot", data={"email": worker.email}).status_code == 429


def test_links_with_tokens_are_masked_in_access_logs():
    from portal.__main__ import redact_path

    assert redact_path("/activate/s3cr3t-token") == "/activate/***"
    assert redact_path("/password/reset/s3cr3t-token") == "/password/reset/***"


def test_a_reset_ends_live_connections_too(client, db, worker, monkeypatch):
    from portal.video import revocation

    revoked = []
    monkeypatch.setattr(revocation, "revoke_user", revoked.append)
    client.post("/password/forgot", data={"email": worker.email})
    client.post(reset_link(db, worker), data={"password": NEW, "confirm": NEW})
    assert revoked == [worker.id]
