"""A booking more than a year ahead needs an explicit confirmation (2099 is more often a typo than a plan),
shown with the form's other errors at once and keeping what was typed (issue 17)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.db import utcnow
from portal.scheduling.models import Appointment
from portal.scheduling.timeutil import local_date

BOOK = "/work/calendar/book/{}"
EN = {"Accept-Language": "en"}


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER, name="Sanna Virtanen", locale="en")


@pytest.fixture
def enrolment(worker, create_client, create_enrolment):
    return create_enrolment(create_client(), coordinator=worker, programme="many-services")


def form(day, **changes) -> dict:
    data = {"contact_type": "coordinator-meeting", "modality": "reception", "day": day.isoformat(), "time": "10:00",
            "minutes": "", "place": "Huone 3", "second_worker": "", "weeks": "1", "urgent": "y"}
    data.update(changes)
    return data


def test_a_date_more_than_a_year_ahead_needs_a_confirmation(db, client, login, worker, enrolment):
    login(worker)
    far = local_date(utcnow()) + timedelta(days=400)
    response = client.post(BOOK.format(enrolment.id), data=form(far, minutes="2"), headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "more than a year ahead" in html
    assert "A meeting must last between 5 minutes and 8 hours." in html  # every error at once
    assert 'name="far_ahead"' in html and "Huone 3" in html
    assert db.session.scalar(select(Appointment.id)) is None
    response = client.post(BOOK.format(enrolment.id), data=form(far, far_ahead="y"), headers=EN)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert db.session.scalar(select(Appointment.id)) is not None


def test_within_a_year_no_confirmation_is_asked(client, login, worker, enrolment):
    login(worker)
    near = local_date(utcnow()) + timedelta(days=60)
    response = client.post(BOOK.format(enrolment.id), data=form(near, time="25:00"), headers=EN)
    assert response.status_code == 400 and 'name="far_ahead"' not in response.get_data(as_text=True)
