"""Configuration from defaults and PORTAL_* variables; refusal to run production without a secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from portal import config
from portal.db import UTCDateTime
from portal.web.navigation import safe_next


def test_environment_overrides_are_typed(monkeypatch):
    monkeypatch.setenv("PORTAL_IDLE_TIMEOUT_MINUTES", "15")
    monkeypatch.setenv("PORTAL_SESSION_MAX_HOURS", "8")
    monkeypatch.setenv("PORTAL_SEED_DEMO_ON_START", "false")
    monkeypatch.setenv("PORTAL_OIDC_PROVIDERS", '{"idp": {"issuer": "https://idp.example", "client_id": "c"}}')
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgresql+psycopg://silta@db/silta")
    loaded = config.load({"SECRET_KEY": "k" * 40})
    assert loaded["IDLE_TIMEOUT_MINUTES"] == 15
    # The server ends idle sessions; the cookie lives as long as a session may, and is not re-sent on every page.
    assert loaded["PERMANENT_SESSION_LIFETIME"] == 8 * 3600 and loaded["SESSION_REFRESH_EACH_REQUEST"] is False
    assert loaded["SEED_DEMO_ON_START"] is False
    assert loaded["OIDC_PROVIDERS"]["idp"]["client_id"] == "c"
    assert loaded["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_bad_environment_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("PORTAL_SEED_DEMO_ON_START", "perhaps")
    with pytest.raises(config.ConfigError, match="PORTAL_SEED_DEMO_ON_START"):
        config.load()


@pytest.mark.parametrize("secret", ["", "too-short"])
def test_production_needs_a_real_secret(monkeypatch, secret):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_SECRET_KEY", secret)
    with pytest.raises(config.ConfigError, match="PORTAL_SECRET_KEY"):
        config.load()


def test_production_hardens_cookies_and_never_seeds(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "s" * 48)
    monkeypatch.setenv("PORTAL_IDENTITY_HASH_KEY", "i" * 48)
    loaded = config.load()
    assert loaded["SESSION_COOKIE_SECURE"] is True and loaded["SEED_DEMO_ON_START"] is False


def test_production_needs_the_identity_hash_key(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE", tmp_path)
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "s" * 48)
    monkeypatch.delenv("PORTAL_IDENTITY_HASH_KEY", raising=False)
    with pytest.raises(config.ConfigError, match="PORTAL_IDENTITY_HASH_KEY"):
        config.load()
    assert not (tmp_path / "identity_hash_key").exists()  # never a generated key in production


def test_embedded_default_generates_and_keeps_its_secret(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE", tmp_path)
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    first, second = config.load()["SECRET_KEY"], config.load()["SECRET_KEY"]
    assert first == second and len(first) >= 48
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    keys = config.load()["IDENTITY_HASH_KEY"], config.load()["IDENTITY_HASH_KEY"]
    assert keys[0] == keys[1] and (tmp_path / "identity_hash_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(("target", "expected"), [
    ("/me", "/me"), ("/work/clients/1?x=1", "/work/clients/1?x=1"), ("", None), (None, None),
    ("https://evil.example", None), ("//evil.example", None), ("/\\evil.example", None), ("javascript:alert(1)", None),
])
def test_safe_next(target, expected):
    assert safe_next(target) == expected


def test_datetimes_are_stored_in_utc_and_come_back_aware():
    column = UTCDateTime()
    helsinki = timezone(timedelta(hours=2))
    stored = column.process_bind_param(datetime(2026, 3, 29, 3, 30, tzinfo=helsinki), None)
    assert stored == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert column.process_result_value(datetime(2026, 3, 29, 1, 30), None).tzinfo is UTC
    with pytest.raises(ValueError):
        column.process_bind_param(datetime(2026, 3, 29, 3, 30), None)


def test_access_log_hides_calendar_tokens():
    from portal.__main__ import redact_path

    assert redact_path("/calendar/s3cr3t-token.ics") == "/calendar/***"
    assert redact_path("/q/s3cr3t-token") == "/q/***"  # a questionnaire link (portal/measures/link_routes.py)
    assert redact_path("/video/i/eyJpIjo1.s3cr3t") == "/video/i/***"
    assert redact_path("/me/appointments") == "/me/appointments"
