"""/readyz and /metrics with group video: a real Janus (deploy/janus/ config) answers, one that is away
makes the process not ready; metrics count Janus's Silta rooms and the streams it forwards."""

from __future__ import annotations

import pytest

from portal.video import sfu
from tests.support.janus import start_janus
from tests.support.services import ServiceUnavailable, free_port, require_or_skip

from .conftest import metric

ALL_GOOD = {"READY_ECHO_BOT": False, "JOBS_ENABLED": False}
LOCAL = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.fixture(scope="module")
def janus():
    try:
        server = start_janus()
    except ServiceUnavailable as exc:
        require_or_skip(exc)
    yield server
    server.stop()


@pytest.mark.parametrize("app_config", [ALL_GOOD])
def test_ready_when_janus_answers_and_rooms_are_counted(app, client, janus):
    app.config.update(janus.settings())
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json()["checks"]["janus"] == {"state": "ok"}
    text = client.get("/metrics", environ_base=LOCAL).get_data(as_text=True)
    before = metric(text, "silta_sfu_rooms")
    client_ = sfu.Janus(sfu.settings())
    client_.videoroom({"request": "create", "room": 990001, "admin_key": janus.settings()["JANUS_ROOM_KEY"],
                       "description": "silta-990001", "is_private": True, "secret": "s"})
    text = client.get("/metrics", environ_base=LOCAL).get_data(as_text=True)
    assert metric(text, "silta_sfu_rooms") == before + 1
    assert metric(text, "silta_sfu_forwarded_streams") == 0
    client_.videoroom({"request": "destroy", "room": 990001, "secret": "s"})


@pytest.mark.parametrize("app_config", [{**ALL_GOOD, "JANUS_URL": f"http://127.0.0.1:{free_port()}/janus",
                                         "JANUS_TIMEOUT_SECONDS": 2}])
def test_not_ready_when_janus_is_away(client):
    response = client.get("/readyz")
    assert response.status_code == 503 and response.get_json()["checks"]["janus"] == {"state": "unreachable"}
    assert "127.0.0.1" not in response.get_data(as_text=True)
    text = client.get("/metrics", environ_base=LOCAL).get_data(as_text=True)
    assert metric(text, "silta_sfu_rooms") is None  # not scraped, not invented
