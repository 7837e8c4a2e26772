"""Fixtures for the real services the suite needs: PostgreSQL (and, for later groups, Redis)."""

from __future__ import annotations

import pytest

from .services import ServiceUnavailable, require_or_skip, start_postgres, start_redis


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    try:
        server = start_postgres(tmp_path_factory.mktemp("postgres"))
    except ServiceUnavailable as exc:
        require_or_skip(exc)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    try:
        server = start_redis(tmp_path_factory.mktemp("redis"))
    except ServiceUnavailable as exc:
        require_or_skip(exc)
    yield server
    server.stop()
