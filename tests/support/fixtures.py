"""Fixtures for the real services the suite needs: PostgreSQL (and, for later groups, Redis)."""

from __future__ import annotations

import uuid

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


@pytest.fixture(scope="session")
def pg_template(postgres_server):
    """A migrated database that each PostgreSQL test copies (CREATE DATABASE … TEMPLATE: fast)."""
    from tests.conftest import make_app, migrate_and_sync

    postgres_server.create_database("silta_template")
    migrate_and_sync(make_app(postgres_server.url("silta_template")))
    return "silta_template"


@pytest.fixture
def pg_app(postgres_server, pg_template, app_config):
    """An app on its own copy of the migrated PostgreSQL database; a folder's conftest makes it ``app``."""
    from portal.extensions import db
    from tests.conftest import make_app

    name = f"t_{uuid.uuid4().hex[:12]}"
    postgres_server.create_database(name, template=pg_template)
    app = make_app(postgres_server.url(name), **app_config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()  # no pooled connection may hold the database we drop
    postgres_server.drop_database(name)
