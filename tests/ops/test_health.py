"""/healthz (liveness, no database) and /readyz (database, Redis, job heartbeat, outbox backlog, echo bot)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.db import utcnow
from portal.ops import health, heartbeat
from tests.conftest import make_app
from tests.support.services import free_port

ALL_GOOD = {"READY_ECHO_BOT": False}


def unreachable_postgres() -> str:
    return f"postgresql+psycopg://silta@127.0.0.1:{free_port()}/nowhere"


def test_liveness_needs_no_database():
    app = make_app(unreachable_postgres())
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_not_ready_without_a_database():
    app = make_app(unreachable_postgres(), SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error" and body["checks"]["database"] == {"state": "error"}
    assert "127.0.0.1" not in response.get_data(as_text=True)  # no addresses, no error texts


@pytest.mark.parametrize("app_config", [ALL_GOOD])
def test_ready_follows_the_job_heartbeat(app, client):
    body = client.get("/readyz").get_json()
    assert body["checks"]["jobs"] == {"state": "missing"} and body["status"] == "error"
    heartbeat.beat(app, now=utcnow() - timedelta(minutes=10))
    response = client.get("/readyz")
    assert response.status_code == 503 and response.get_json()["checks"]["jobs"]["state"] == "stale"
    heartbeat.beat(app)
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"status": "ok", "checks": {
        "database": {"state": "ok"}, "redis": {"state": "off"}, "jobs": {"state": "ok", "age_seconds": 0},
        "outbox": {"state": "ok", "oldest_due_age_seconds": 0}, "echo_bot": {"state": "off"},
        "janus": {"state": "off"}}}


@pytest.mark.parametrize("app_config", [{**ALL_GOOD, "JOBS_ENABLED": False}])
def test_no_heartbeat_needed_when_no_jobs_run(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json()["checks"]["jobs"] == {"state": "off"}


@pytest.mark.parametrize("app_config", [ALL_GOOD])
def test_an_outbox_backlog_is_not_ready(app, client, queue_message):
    heartbeat.beat(app)
    queue_message(minutes=5)  # due, but within READY_OUTBOX_MAX_AGE_SECONDS (15 min)
    assert client.get("/readyz").status_code == 200
    queue_message(minutes=20)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["outbox"]["state"] == "backlog"


def test_ready_needs_the_echo_bot_unless_told_otherwise(app, client):
    heartbeat.beat(app)
    response = client.get("/readyz")
    assert response.status_code == 503 and response.get_json()["checks"]["echo_bot"] == {"state": "absent"}


@pytest.fixture
def redis_url(redis_server):
    import redis

    url = redis_server.url.rsplit("/", 1)[0] + "/7"  # a database of its own: the keys below are global
    redis.Redis.from_url(url).flushdb()
    return url


def test_ready_with_redis_heartbeat_and_bot_key(redis_url, sqlite_template, tmp_path):
    import shutil

    shutil.copy(sqlite_template, tmp_path / "db.sqlite3")
    app = make_app(f"sqlite:///{tmp_path / 'db.sqlite3'}", REDIS_URL=redis_url)
    client = app.test_client()
    body = client.get("/readyz").get_json()
    assert body["checks"]["redis"] == {"state": "ok"}
    assert body["checks"]["jobs"] == {"state": "missing"} and body["checks"]["echo_bot"] == {"state": "absent"}
    heartbeat.beat(app)  # the worker's run, through Redis (another process in production)
    heartbeat.redis_client(app).set(health.BOT_KEY, "1", ex=60)  # another web process holds the bot
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["checks"]["jobs"]["state"] == "ok"


def test_not_ready_when_redis_is_down(sqlite_template, tmp_path):
    import shutil

    shutil.copy(sqlite_template, tmp_path / "db.sqlite3")
    app = make_app(f"sqlite:///{tmp_path / 'db.sqlite3'}", REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
                   **ALL_GOOD)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["redis"] == {"state": "error"} and checks["database"] == {"state": "ok"}
