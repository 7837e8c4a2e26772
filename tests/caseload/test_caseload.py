"""The worker's caseload: last and next contact, intensity against the programme's rhythm, ending soon."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.auth.models import Role
from portal.caseload.queries import Intensity, caseload
from portal.meetings.models import Contact, ContactStatus
from portal.programmes.definitions_schema import Modality


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER)


def _held(db, enrolment, worker, days_ago: int):
    start = datetime.now(UTC) - timedelta(days=days_ago)
    db.session.add(Contact(enrolment=enrolment, worker=worker, contact_type="individual", modality=Modality.RECEPTION,
                           status=ContactStatus.HELD, starts_at=start, ends_at=start + timedelta(hours=1),
                           duration_minutes=60))


def test_intensive_rehabilitation_below_the_agreed_rhythm(db, worker, create_client, create_enrolment):
    today = date.today()
    keeping = create_enrolment(create_client(birth_year=2004), coordinator=worker,
                               programme="intensive-rehabilitation", start_on=today - timedelta(days=40))
    slipping = create_enrolment(create_client(birth_year=2003), coordinator=worker,
                                programme="intensive-rehabilitation", start_on=today - timedelta(days=40))
    for days in (1, 3, 5, 8, 10):
        _held(db, keeping, worker, days)
    _held(db, slipping, worker, 3)
    db.session.flush()
    rows = {row.enrolment.id: row for row in caseload(worker)}
    assert rows[keeping.id].intensity(today) is Intensity.ON_TRACK
    assert rows[slipping.id].intensity(today) is Intensity.BELOW
    assert rows[keeping.id].days_since_last_contact(today) == 1


def test_no_intensity_rule_no_status_and_new_enrolments_get_time(db, worker, create_client, create_enrolment):
    today = date.today()
    other = create_enrolment(create_client(), coordinator=worker, programme="remote-guidance")
    new = create_enrolment(create_client(birth_year=2004), coordinator=worker, programme="intensive-rehabilitation",
                           start_on=today - timedelta(days=3))
    rows = {row.enrolment.id: row for row in caseload(worker)}
    assert rows[other.id].intensity(today) is None and rows[new.id].intensity(today) is None


def test_ending_soon(db, worker, create_client, create_enrolment):
    today = date.today()
    enrolment = create_enrolment(create_client(birth_year=2004), coordinator=worker,
                                 programme="intensive-rehabilitation", start_on=today - timedelta(days=170))
    enrolment.planned_end_on = today + timedelta(days=10)
    db.session.flush()
    assert caseload(worker)[0].ends_soon(today)


def test_caseload_page_shows_the_status(client, db, login, worker, create_client, create_enrolment):
    enrolment = create_enrolment(create_client(birth_year=2004), coordinator=worker,
                                 programme="intensive-rehabilitation", start_on=date.today() - timedelta(days=40))
    _held(db, enrolment, worker, 2)
    login(worker)
    body = client.get("/work").get_data(as_text=True)
    assert "2 päivää sitten" in body or "2 days ago" in body
