"""Two-step verification: enrolment, wrong codes, replay, recovery codes, required for staff, limits."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from portal.audit.models import AuditAction, AuditRecord
from portal.auth import totp
from portal.auth.models import RecoveryCode, Role, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def worker(db, create_staff):
    user = create_staff(Role.WORKER)
    db.session.commit()
    return user


def enrol(user) -> tuple[str, list[str]]:
    """Enrol ``user`` through the operations, with a code from one step back (so 'now' stays unused)."""
    secret = totp.begin_enrolment(user)
    codes = totp.confirm_enrolment(user, pyotp.TOTP(secret).at(time.time() - 30))
    return secret, codes


def password_step(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response.headers["Location"]


def test_secret_is_stored_encrypted(db, worker):
    secret, codes = enrol(worker)
    db.session.commit()
    assert secret not in worker.totp_secret and len(codes) == 10 and len(set(codes)) == 10
    stored = list(db.session.scalars(select(RecoveryCode.code_hash)))
    assert not any(code.replace("-", "") in h for code in codes for h in stored)


def test_sign_in_asks_for_the_code_and_refuses_wrong_and_replayed_ones(app, client, db, worker):
    secret, _ = enrol(worker)
    db.session.commit()
    assert password_step(client, worker).endswith("/login/verify")
    assert client.get("/account").status_code == 302  # not signed in between the steps
    wrong = client.post("/login/verify", data={"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"})
    assert wrong.status_code == 401 and "wrong" in wrong.get_data(as_text=True)
    failed = db.session.scalar(select(AuditRecord).where(AuditRecord.action == AuditAction.LOGIN_FAILED))
    assert failed.actor_id == worker.id and failed.detail == {"step": "totp"}
    code = pyotp.TOTP(secret).now()
    assert client.post("/login/verify", data={"code": code}).status_code == 302
    assert client.get("/account").status_code == 200
    replay = app.test_client()
    password_step(replay, worker)
    assert replay.post("/login/verify", data={"code": code}).status_code == 401


def test_replayed_code_refused_by_the_operation(db, worker):
    secret, _ = enrol(worker)
    now = time.time()
    code = pyotp.TOTP(secret).at(now)
    assert totp.verify(worker, code, now) == "totp"
    assert totp.verify(worker, code, now) is None
    assert totp.verify(worker, pyotp.TOTP(secret).at(now - 60), now) is None  # outside the window


def test_recovery_code_works_once(app, db, worker):
    _, codes = enrol(worker)
    db.session.commit()
    first = app.test_client()
    password_step(first, worker)
    assert first.post("/login/verify", data={"code": codes[0].upper()}).status_code == 302
    second = app.test_client()
    password_step(second, worker)
    assert second.post("/login/verify", data={"code": codes[0]}).status_code == 401
    assert totp.recovery_codes_left(db.session.get(User, worker.id)) == 9


@pytest.mark.parametrize("app_config", [{"STAFF_TOTP_REQUIRED": True}])
def test_required_for_staff_enrols_at_sign_in(client, db, worker, app_config):
    assert password_step(client, worker).endswith("/login/two-step-setup")
    page = client.get("/login/two-step-setup")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)
    secret = re.search(r'class="totp-key">([A-Z2-7 ]+)<', page.get_data(as_text=True)).group(1).replace(" ", "")
    bad = client.post("/login/two-step-setup", data={"code": "12345"})
    assert bad.status_code == 400 and client.get("/account").status_code == 302
    done = client.post("/login/two-step-setup", data={"code": pyotp.TOTP(secret).now()})
    body = done.get_data(as_text=True)
    assert done.status_code == 200 and len(re.findall(r"<code>[0-9a-f]{5}-[0-9a-f]{5}</code>", body)) == 10
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize("app_config", [{"STAFF_TOTP_REQUIRED": True}])
def test_oidc_only_and_clients_are_not_forced(db, worker, create_client, app_config):
    client_user = create_client().user
    assert not totp.required_for(client_user)
    worker.oidc_only, worker.password_hash = True, None
    assert not totp.required_for(worker)


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "TOTP_RATE_LIMIT": "3 per minute"}])
def test_wrong_codes_are_limited_per_account_without_touching_other_accounts(app, db, create_staff, app_config):
    victim, other = create_staff(Role.WORKER), create_staff(Role.WORKER)
    enrol(victim), enrol(other)
    db.session.commit()
    attacker = app.test_client()
    password_step(attacker, victim)
    statuses = [attacker.post("/login/verify", data={"code": "999999"}).status_code for _ in range(4)]
    assert statuses[-1] == 429
    bystander = app.test_client()
    password_step(bystander, other)
    assert bystander.post("/login/verify", data={"code": "999999"}).status_code == 401  # not limited


def test_expired_pending_sign_in_is_explained(client):
    page = client.get("/login/verify")
    assert page.status_code == 200 and 'href="/login"' in page.get_data(as_text=True)


def test_production_requires_totp_by_default():
    from portal.config import ConfigError, _by_environment

    assert _by_environment("", production=True) is True
    assert _by_environment("", production=False) is False
    assert _by_environment("false", production=True) is False
    assert _by_environment("yes", production=False) is True
    with pytest.raises(ConfigError):
        _by_environment("maybe", production=True)


@pytest.mark.parametrize("app_config", [{"STAFF_TOTP_REQUIRED": True}])
def test_enrolment_key_survives_a_wrong_first_code(client, db, worker, app_config):
    password_step(client, worker)
    first = client.post("/login/two-step-setup", data={"code": "123456"})  # no key yet: one is made and kept
    secret = re.search(r'class="totp-key">([A-Z2-7 ]+)<', first.get_data(as_text=True)).group(1).replace(" ", "")
    assert client.post("/login/two-step-setup", data={"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert client.get("/account").status_code == 200
