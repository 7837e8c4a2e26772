"""Fixtures for the client's own pages: Sanna, a worker, and her client signed in as "me"."""

from __future__ import annotations

import pytest

from portal.auth.models import Role


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER, name="Sanna Virtanen")


@pytest.fixture
def me(create_client, create_enrolment, worker):
    client = create_client()
    client.user.locale = "en"  # assertions read English text, which stays the same when catalogs are merged
    client.enrolment = create_enrolment(client, coordinator=worker)
    return client
