"""Local accounts: sign-in, refusals without account enumeration, limits, idle timeout, CSRF."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import AuthSession, Role
from portal.db import utcnow
from tests.conftest import PASSWORD


@pytest.fixture
def worker(db, create_staff):
    user = create_staff(Role.WORKER)
    db.session.commit()
    return user


def test_sign_in_goes_home_and_is_audited(client, db, worker):
    response = client.post("/login", data={"email": worker.email.upper(), "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/work/today")
    assert db.session.scalar(select(AuditRecord.action).where(AuditRecord.actor_id == worker.id)) is AuditAction.LOGIN


def test_wrong_password_and_unknown_account_look_the_same(client, worker):
    wrong = client.post("/login", data={"email": worker.email, "password": "nope"})
    unknown = client.post("/login", data={"email": "nobody@example.com", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert _comparable(wrong, worker.email) == _comparable(unknown, "nobody@example.com")
    assert worker.email in wrong.get_data(as_text=True)  # the form keeps what was typed
    assert PASSWORD not in wrong.get_data(as_text=True)


def _comparable(response, typed_email: str) -> str:
    """The page without what legitimately differs: the typed email and the time-stamped CSRF token."""
    body = response.get_data(as_text=True).replace(typed_email, "")
    return re.sub(r'name="csrf_token" value="[^"]*"', "", body)


def test_inactive_account_cannot_sign_in(client, db, worker):
    worker.active = False
    db.session.commit()
    assert client.post("/login", data={"email": worker.email, "password": PASSWORD}).status_code == 401


def test_empty_form_is_a_clear_400(client):
    response = client.post("/login", data={})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_next_never_leaves_the_site(client, worker, target):
    response = client.post("/login", data={"email": worker.email, "password": PASSWORD, "next": target})
    assert response.headers["Location"].endswith("/work/today")


def test_next_within_the_site_is_followed(client, worker):
    response = client.post("/login", data={"email": worker.email, "password": PASSWORD, "next": "/account"})
    assert response.headers["Location"].endswith("/account")


def test_logout_needs_post(client, login, worker):
    login(worker)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}])
def test_login_attempts_are_limited_with_a_clear_message(client, worker, app_config):
    for _ in range(3):
        client.post("/login", data={"email": worker.email, "password": "wrong"})
    response = client.post("/login", data={"email": worker.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Liian monta yritystä" in response.get_data(as_text=True)
    assert client.get("/login").status_code == 200  # the page itself stays reachable


@pytest.mark.parametrize("app_config", [{"IDLE_TIMEOUT_MINUTES": 1}])
def test_idle_session_ends(client, db, login, worker, app_config):
    login(worker)
    assert client.get("/account").status_code == 200
    db.session.execute(update(AuthSession).values(last_seen_at=utcnow() - timedelta(seconds=120)))
    db.session.commit()
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_forms_need_the_csrf_token(client, worker, app_config):
    response = client.post("/login", data={"email": worker.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "lomake" in response.get_data(as_text=True).lower()
    assert client.get("/account").status_code == 302


def test_session_cookie_is_httponly(client, worker):
    response = client.post("/login", data={"email": worker.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_language_choice_is_kept_for_the_user(client, db, login, worker):
    login(worker)
    client.post("/language", data={"locale": "sv", "next": "/account"})
    db.session.expire_all()
    assert worker.locale == "sv"
    assert '<html lang="sv">' in client.get("/account").get_data(as_text=True)


def test_unknown_language_is_refused(client):
    assert client.post("/language", data={"locale": "de"}).status_code == 400


@pytest.mark.parametrize(("role", "home"), [(Role.QUEUE_COORDINATOR, "/work/queues/"),
                                             (Role.HOUSING_UNIT, "/work/queues/units"),
                                             (Role.REFERRER, "/referrals/"), (Role.ADMIN, "/admin")])
def test_each_role_lands_on_its_own_work(client, db, create_staff, role, home):
    """Staff without a caseload land where their work is, not on the account page."""
    user = create_staff(role)
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"].endswith(home)
