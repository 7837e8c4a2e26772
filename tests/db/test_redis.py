"""With PORTAL_REDIS_URL set, login rate limits are shared through a real Redis (several web processes)."""

from __future__ import annotations

import pytest
import redis

from portal.auth.models import Role
from tests.conftest import make_app

pytestmark = pytest.mark.redis


@pytest.fixture
def app_config(redis_server):
    return {"REDIS_URL": redis_server.url, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "2 per minute"}


def test_two_processes_share_one_login_limit(app, db, create_staff, redis_server, sqlite_template):
    worker = create_staff(Role.WORKER)
    db.session.commit()
    redis.Redis.from_url(redis_server.url).flushall()
    # A second app on the same database and Redis stands for a second web process.
    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], **{k: app.config[k] for k in (
        "REDIS_URL", "RATELIMIT_ENABLED", "LOGIN_RATE_LIMIT")})
    first, second = app.test_client(), other.test_client()
    assert first.post("/login", data={"email": worker.email, "password": "wrong"}).status_code == 401
    assert second.post("/login", data={"email": worker.email, "password": "wrong"}).status_code == 401
    assert first.post("/login", data={"email": worker.email, "password": "wrong"}).status_code == 429
    assert second.post("/login", data={"email": worker.email, "password": "wrong"}).status_code == 429
    assert any(key.startswith(b"LIMITS") for key in redis.Redis.from_url(redis_server.url).keys())
