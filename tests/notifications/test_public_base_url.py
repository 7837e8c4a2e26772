"""Links in messages point at the served address: PUBLIC_BASE_URL follows PORTAL_HOST/PORTAL_PORT unless set."""

from __future__ import annotations

import pytest

from portal import config


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "http://127.0.0.1:5000"),
    ({"PORTAL_PORT": "8080"}, "http://127.0.0.1:8080"),
    ({"PORTAL_HOST": "silta.local", "PORTAL_PORT": "8000"}, "http://silta.local:8000"),
    ({"PORTAL_HOST": "0.0.0.0", "PORTAL_PORT": "8000"}, "http://127.0.0.1:8000"),
    ({"PORTAL_HOST": "::1"}, "http://[::1]:5000"),
    ({"PORTAL_PORT": "8080", "PORTAL_PUBLIC_BASE_URL": "https://silta.example.fi"}, "https://silta.example.fi"),
])
def test_public_base_url_follows_the_served_address_unless_set(monkeypatch, env, expected):
    for name in ("PORTAL_HOST", "PORTAL_PORT", "PORTAL_PUBLIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert config.load()["PUBLIC_BASE_URL"] == expected
