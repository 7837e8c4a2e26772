"""Fixtures for the measures tests: a worker, their client in the FIT programme, a meeting about to start."""

from __future__ import annotations

import pytest

from portal.auth.models import Role
from portal.people.models import ContactChannel
from tests.appointments import hours_from_now, make_appointment


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER)


@pytest.fixture
def person(create_client):
    """A client reached by text message (the reminder tests)."""
    client = create_client()
    client.phone, client.preferred_channel = "+358401111111", ContactChannel.SMS
    return client


@pytest.fixture
def client_row(create_client):
    row = create_client()
    row.user.locale = "en"  # assertions read English text, which stays the same when catalogs are merged
    return row


@pytest.fixture
def enrolment(db, create_enrolment, client_row, worker):
    row = create_enrolment(client_row, coordinator=worker)
    db.session.commit()
    return row


@pytest.fixture
def meeting(db, enrolment, worker, client_row):
    """A one-to-one video meeting starting in an hour: ORS is open, SRS not yet."""
    row = make_appointment(db, hours_from_now(1), (worker,), (client_row,))
    row.enrolment_id = enrolment.id
    db.session.commit()
    return row


def ors_form(version_id: int, token: str = "t-1", **values) -> dict:
    data = {"version": str(version_id), "token": token, "individually": "6.5", "interpersonally": "7",
            "socially": "5.2", "overall": "6"}
    data.update(values)
    return data
