"""Every test in this folder runs on PostgreSQL: its own copy of a migrated template database."""

import pytest


@pytest.fixture
def app(pg_app):
    return pg_app
