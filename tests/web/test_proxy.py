"""Behind nginx (PORTAL_TRUSTED_PROXIES): https links, per-client login limits, HSTS in production."""

from __future__ import annotations

import pytest
from flask import request, url_for

from tests.conftest import make_app

NGINX = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "silta.example.fi"}


def _probe(app):
    app.add_url_rule("/_probe", "probe", lambda: f"{url_for('auth.login', _external=True)} {request.remote_addr}")
    return app.test_client()


@pytest.fixture
def proxied(sqlite_template, tmp_path):
    import shutil

    path = tmp_path / "silta.sqlite3"
    shutil.copy(sqlite_template, path)

    def build(**config):
        return make_app(f"sqlite:///{path}", **config)

    return build


def test_links_and_addresses_come_from_the_trusted_proxy(proxied):
    client = _probe(proxied(TRUSTED_PROXIES=1))
    page = client.get("/_probe", headers={**NGINX, "X-Forwarded-For": "198.51.100.7"}).text
    assert page == "https://silta.example.fi/login 198.51.100.7"


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(proxied):
    client = _probe(proxied())  # PORTAL_TRUSTED_PROXIES=0: a client could claim any address
    page = client.get("/_probe", headers={**NGINX, "X-Forwarded-For": "198.51.100.7"}).text
    assert page == "http://localhost/login 127.0.0.1"


def test_the_login_limit_counts_each_client_not_the_proxy(proxied):
    client = proxied(TRUSTED_PROXIES=1, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute").test_client()

    def attempt(n: int, address: str) -> int:
        form = {"email": f"nobody{n}@example.fi", "password": "wrong"}
        return client.post("/login", data=form, headers={**NGINX, "X-Forwarded-For": address}).status_code

    assert [attempt(n, f"198.51.100.{n}") for n in range(5)] == [401] * 5  # five clients, one proxy
    assert [attempt(10 + n, "203.0.113.9") for n in range(4)] == [401, 401, 401, 429]  # one client


def test_hsts_in_production_over_https_only(proxied):
    app = proxied(TRUSTED_PROXIES=1, ENV="production")
    client = app.test_client()
    secure = client.get("/login", headers=NGINX)
    assert secure.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/login").headers
    assert "Strict-Transport-Security" not in proxied(TRUSTED_PROXIES=1).test_client().get(
        "/login", headers=NGINX).headers
