"""Shared by the group tests: English messages, the group's leader and members of the group's programme."""

from __future__ import annotations

import pytest

from portal.auth.models import Role

PROGRAMME = "intensive-rehabilitation"


@pytest.fixture
def english(app):
    """Messages are lazy and translated when read: read them in English here (``usefixtures``; not for the
    demo tests, whose seeded app is another one)."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def leader(create_staff):
    return create_staff(Role.WORKER, name="Anna Korhonen", locale="en")


@pytest.fixture
def create_member(create_client, create_enrolment, leader):
    def factory(programme: str = PROGRAMME, **extra):
        return create_enrolment(create_client(), coordinator=leader, programme=programme, **extra)

    return factory
