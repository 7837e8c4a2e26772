"""Login limits that protect without locking out (issue 19): wrong passwords count, right ones never; a
locked account still takes the right password from an address that has not failed on it."""

from __future__ import annotations

import pytest

from portal.auth.models import Role
from portal.config import ConfigError, load
from tests.conftest import PASSWORD

LIMITS = {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute", "LOGIN_ACCOUNT_LIMIT": "5 per minute"}


@pytest.fixture
def worker(db, create_staff):
    user = create_staff(Role.WORKER)
    db.session.commit()
    return user


def _login(client, user, password, address):
    data = {"email": user.email, "password": password}
    return client.post("/login", data=data, environ_base={"REMOTE_ADDR": address}).status_code


@pytest.mark.parametrize("app_config", [LIMITS])
def test_wrong_passwords_from_elsewhere_do_not_lock_the_person_out(app, worker, app_config):
    attacker = app.test_client()
    assert [_login(attacker, worker, "wrong", f"203.0.113.{n}") for n in range(10)] == [401] * 10
    assert _login(attacker, worker, PASSWORD, "203.0.113.3") == 429  # an address that failed on it: refused
    assert _login(app.test_client(), worker, PASSWORD, "198.51.100.20") == 302  # the person, elsewhere


@pytest.mark.parametrize("app_config", [LIMITS])
def test_a_locked_account_refuses_a_clean_address_that_then_fails(app, worker, app_config):
    for n in range(5):
        _login(app.test_client(), worker, "wrong", f"203.0.113.{n}")
    guesser = app.test_client()
    assert _login(guesser, worker, "wrong", "192.0.2.9") == 401  # one guess, like any new address
    assert _login(guesser, worker, PASSWORD, "192.0.2.9") == 429


@pytest.mark.parametrize("app_config", [LIMITS])
def test_successful_sign_ins_from_one_address_never_hit_the_limit(app, worker, app_config):
    client = app.test_client()
    for _ in range(6):  # twice the per-address limit: a housing unit's residents behind one address
        assert _login(client, worker, PASSWORD, "192.0.2.50") == 302
        assert client.post("/logout").status_code == 302


@pytest.mark.parametrize("setting", [{"LOGIN_ACCOUNT_LIMIT": "5 a minute"}, {"SESSION_MAX_HOURS": 0}])
def test_a_mistyped_limit_or_lifetime_stops_the_start(setting):
    with pytest.raises(ConfigError):
        load({"SECRET_KEY": "k" * 40, "IDENTITY_HASH_KEY": "test", **setting})
