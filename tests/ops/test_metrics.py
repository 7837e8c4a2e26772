"""/metrics: only for the configured addresses; what it counts moves when things happen."""

from __future__ import annotations

import pytest

from portal.auth.models import Role
from portal.notifications.jobs import run_jobs
from tests.ops.conftest import metric


def scrape(client, address: str = "127.0.0.1", headers: dict | None = None):
    return client.get("/metrics", environ_base={"REMOTE_ADDR": address}, headers=headers or {})


def test_metrics_answer_only_configured_addresses(client):
    assert scrape(client).status_code == 200
    assert scrape(client, "::1").status_code == 200
    refused = scrape(client, "10.1.2.3")
    assert refused.status_code == 404 and b"silta_" not in refused.data


@pytest.mark.parametrize("app_config", [{"METRICS_ALLOW": ("10.0.0.0/8",)}])
def test_metrics_allow_takes_networks(client):
    assert scrape(client, "10.1.2.3").status_code == 200
    assert scrape(client, "::ffff:10.1.2.3").status_code == 200
    assert scrape(client, "127.0.0.1").status_code == 404


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1}])
def test_metrics_see_the_client_behind_the_proxy(client):
    """The proxy's own address is allowed, but the client it forwards is not (ProxyFix runs first)."""
    assert scrape(client, headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404
    assert scrape(client, headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200


def test_request_latency_by_endpoint_never_by_path(client):
    client.get("/login")
    client.get("/calendar/secret-feed-token-123.ics")
    client.get("/no/such/page/4711")
    text = scrape(client).get_data(as_text=True)
    assert metric(text, "silta_http_request_duration_seconds_count",
                  'endpoint="auth.login",method="GET",status="2xx"') == 1
    assert metric(text, "silta_http_request_duration_seconds_count",
                  'endpoint="unmatched",method="GET",status="4xx"') == 1
    assert 'endpoint="appointments.feed"' in text
    assert "secret-feed-token" not in text and "4711" not in text


def test_failed_logins_are_counted(client, create_staff, db):
    user = create_staff(Role.WORKER)
    db.session.commit()
    for email in (user.email, "nobody@example.test"):
        assert client.post("/login", data={"email": email, "password": "wrong password"}).status_code == 401
    text = scrape(client).get_data(as_text=True)
    assert metric(text, "silta_login_failures_total", 'method="password"') == 2


IDP = {"OIDC_PROVIDERS": {"idp": {"issuer": "http://127.0.0.1:9/", "client_id": "silta", "kind": "staff"}}}


@pytest.mark.parametrize("app_config", [IDP])
def test_failed_identity_provider_logins_are_counted(client):
    """A return from the provider with a state this session never sent (the provider is not even asked)."""
    assert client.get("/auth/idp/callback?code=x&state=forged").status_code == 400
    text = scrape(client).get_data(as_text=True)
    assert metric(text, "silta_login_failures_total", 'method="oidc"') == 1


def test_job_runs_and_failures_are_counted(app, client, monkeypatch):
    run_jobs(app)
    from portal.notifications import operations

    def broken(*_args):
        raise RuntimeError("a broken run")

    monkeypatch.setattr(operations, "send_due", broken)
    with pytest.raises(Exception, match="RuntimeError"):
        run_jobs(app)
    text = scrape(client).get_data(as_text=True)
    assert metric(text, "silta_job_runs_total") == 2
    assert metric(text, "silta_job_failures_total") == 1
    assert metric(text, "silta_job_last_run_timestamp_seconds") > 0


def test_outbox_pool_and_sockets_are_read_at_scrape_time(client, queue_message):
    text = scrape(client).get_data(as_text=True)
    assert metric(text, "silta_outbox_messages", 'state="queued"') == 0
    assert metric(text, "silta_db_pool_checked_out") is not None
    assert metric(text, "silta_db_pool_size") is not None
    assert metric(text, "silta_socketio_connections", 'namespace="/rtc"') == 0
    assert metric(text, "silta_live_calls", 'namespace="/rtc"') == 0
    queue_message(minutes=10)
    text = scrape(client).get_data(as_text=True)
    assert metric(text, "silta_outbox_messages", 'state="queued"') == 1
    assert metric(text, "silta_outbox_due_messages") == 1
    assert metric(text, "silta_outbox_oldest_due_age_seconds") >= 600
