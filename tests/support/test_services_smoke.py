"""Smoke tests for tests/support/services.py: the servers really start and stop."""

from __future__ import annotations

import errno
import os
import socket

import pytest
import redis
from sqlalchemy import create_engine, text

from .services import (
    ServiceUnavailable,
    free_port,
    require_or_skip,
    start_postgres,
    start_redis,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]  # starts both servers


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    try:
        server = start_postgres(tmp_path_factory.mktemp("postgres"))
    except ServiceUnavailable as exc:
        require_or_skip(exc)
    print(f"postgres started in {server.startup_seconds:.2f} s")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    try:
        server = start_redis(tmp_path_factory.mktemp("redis"))
    except ServiceUnavailable as exc:
        require_or_skip(exc)
    print(f"redis started in {server.startup_seconds:.2f} s")
    yield server
    server.stop()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def port_free(port: int) -> bool:
    # SO_REUSEADDR as real servers use it: closed connections may leave the
    # port in TIME_WAIT, which is not "in use" for a new listener.
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def test_postgres_query(postgres):
    engine = create_engine(postgres.url("postgres"))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("select version()")).scalar().startswith("PostgreSQL")
            assert int(conn.execute(text("show max_connections")).scalar()) >= 200
            # Non-ASCII case mapping works as in production (needs a UTF-8 ctype).
            assert conn.execute(text("select upper('äö')")).scalar() == "ÄÖ"
    finally:
        engine.dispose()


def test_postgres_create_and_drop_database(postgres):
    postgres.create_database("smoke_db")
    engine = create_engine(postgres.url("smoke_db"))
    with engine.begin() as conn:
        conn.execute(text("create table t (x int)"))
        conn.execute(text("insert into t values (1)"))
        assert conn.execute(text("select x from t")).scalar() == 1
    # The pool still holds a connection: drop_database must cope (FORCE).
    postgres.drop_database("smoke_db")
    engine.dispose()
    with postgres.connect() as conn:
        names = {r[0] for r in conn.execute("select datname from pg_database")}
    assert "smoke_db" not in names


def test_redis_set_get(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    try:
        client.set("silta:smoke", "hei")
        assert client.get("silta:smoke") == b"hei"
    finally:
        client.close()


def test_stop_ends_process_and_frees_port(tmp_path):
    # Fresh servers, so stopping them does not disturb the module fixtures.
    servers = []
    for start, name in ((start_postgres, "pg"), (start_redis, "redis")):
        try:
            servers.append(start(tmp_path / name))
        except ServiceUnavailable as exc:
            require_or_skip(exc)
    pg = servers[0]
    with pg.connect():  # a live client must not block the shutdown
        for server in servers:
            assert pid_alive(server.pid)
            assert not port_free(server.port)
            server.stop()
            assert not pid_alive(server.pid)
            assert port_free(server.port)
            server.stop()  # idempotent
    assert not pg.run_dir.exists()


def test_missing_postgres_binaries(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_TEST_PG_BIN", str(tmp_path / "nowhere"))
    with pytest.raises(ServiceUnavailable, match="PORTAL_TEST_PG_BIN"):
        start_postgres(tmp_path)


@pytest.mark.parametrize(
    "ci, outcome",
    [(None, pytest.skip.Exception), ("", pytest.skip.Exception), ("0", pytest.skip.Exception),
     ("false", pytest.skip.Exception), ("true", pytest.fail.Exception), ("1", pytest.fail.Exception)],
)
def test_require_or_skip(monkeypatch, ci, outcome):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="no such server"):
        require_or_skip(ServiceUnavailable("no such server"))


def test_free_port_is_bindable():
    assert port_free(free_port())
