"""Remote guidance (000): the first meeting is a home visit; afterwards the booking form offers the client's
preferred way; the client can always switch back to home visits."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.appointments.operations import request_change
from portal.auth.models import Role
from portal.programmes import registry
from portal.programmes.definitions_schema import Modality
from portal.scheduling.operations import BookingRequest, book
from portal.scheduling.rules import default_modality
from portal.scheduling.timeutil import local

# Far ahead of the real clock: the booking page itself uses the real "now".
MONDAY = date(2036, 11, 24)
NOW = datetime(2036, 11, 20, 10, tzinfo=ZoneInfo("Europe/Helsinki"))


@pytest.fixture(autouse=True)
def english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER, name="Sanna Virtanen", locale="en")


@pytest.fixture
def enrolment(worker, create_client, create_enrolment):
    return create_enrolment(create_client(), coordinator=worker, programme="remote-guidance")


def guidance():
    return registry.definition("remote-guidance").contact_type("guidance-meeting")


def meet(worker, enrolment, week: int, modality: Modality):
    return book(worker, BookingRequest(enrolment=enrolment, contact_type="guidance-meeting", modality=modality,
                                       starts_at=local(MONDAY + timedelta(weeks=week), time(10)), minutes=60),
                now=NOW)[0]


def test_first_meeting_is_offered_as_a_home_visit_then_the_clients_way(db, worker, enrolment):
    assert default_modality(guidance(), enrolment) is Modality.HOME_VISIT
    meet(worker, enrolment, 0, Modality.HOME_VISIT)
    assert default_modality(guidance(), enrolment) is Modality.VIDEO  # the programme's usual way


def test_a_client_who_prefers_home_visits_is_offered_them(db, worker, enrolment):
    enrolment.client.prefers_home_visits = True
    meet(worker, enrolment, 0, Modality.HOME_VISIT)
    assert default_modality(guidance(), enrolment) is Modality.HOME_VISIT


def test_the_way_the_client_last_asked_for_wins(db, worker, enrolment):
    meet(worker, enrolment, 0, Modality.HOME_VISIT)
    video = meet(worker, enrolment, 1, Modality.VIDEO)
    request_change(enrolment.client.user, enrolment.client, video, None, Modality.PHONE, now=NOW)
    assert default_modality(guidance(), enrolment) is Modality.PHONE
    request_change(enrolment.client.user, enrolment.client, video, None, Modality.HOME_VISIT, now=NOW)
    assert default_modality(guidance(), enrolment) is Modality.HOME_VISIT


def test_the_client_can_switch_back_to_home_visits(db, worker, enrolment):
    meet(worker, enrolment, 0, Modality.HOME_VISIT)
    meet(worker, enrolment, 1, Modality.VIDEO)
    meet(worker, enrolment, 2, Modality.PHONE)
    again = meet(worker, enrolment, 3, Modality.HOME_VISIT)  # no rule stops it, and the travel time is kept
    assert again.travel_minutes == 30


def test_the_booking_page_selects_the_offered_way(client, db, login, worker, enrolment):
    db.session.commit()
    login(worker)
    page = client.get(f"/work/calendar/book/{enrolment.id}").get_data(as_text=True)
    assert '<option selected value="home_visit">' in page
    meet(worker, enrolment, 0, Modality.HOME_VISIT)
    db.session.commit()
    page = client.get(f"/work/calendar/book/{enrolment.id}").get_data(as_text=True)
    assert '<option selected value="video">' in page
