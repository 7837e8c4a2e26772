"""Reach a human: office hours with Finnish holidays, the crisis box, the unit's phone and reply promise."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from portal.auth.models import Role
from portal.config import ConfigError
from portal.reach import crisis, hours, queries

# Helsinki is UTC+2 in December.
THURSDAY_10 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
CHRISTMAS_EVE_10 = datetime(2026, 12, 24, 8, 0, tzinfo=UTC)  # a Thursday, and a public holiday in Finland
THURSDAY_22 = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)
SATURDAY_10 = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("moment", "open_"), [(THURSDAY_10, True), (CHRISTMAS_EVE_10, False),
                                               (THURSDAY_22, False), (SATURDAY_10, False)])
def test_office_hours_are_weekdays_that_are_not_holidays(moment, open_):
    assert hours.is_office_hours(moment) is open_


def test_a_units_own_hours_count():
    assert not hours.is_office_hours(THURSDAY_10, time(12, 0), time(15, 0))
    assert hours.is_office_hours(THURSDAY_10, time(9, 0), time(15, 0))


def test_tel_links_are_international():
    assert crisis.tel_href("09 2525 0111") == "tel:+358925250111"
    assert crisis.tel_href("112") == "tel:112"
    assert crisis.tel_href("+358 40 123 4567") == "tel:+358401234567"


@pytest.mark.parametrize("lines", [[{"phone": "112"}], [{"name": "X"}], [{"name": "X", "phone": "call us"}],
                                   [{"name": "X", "url": "http://insecure.example"}]])
def test_a_bad_crisis_line_refuses_to_start(app, lines):
    app.config["CRISIS_LINES"] = lines
    with pytest.raises(ConfigError, match="PORTAL_CRISIS_LINES"):
        crisis.check(app)


@pytest.fixture
def setup(db, create_staff, create_client, create_enrolment, unit, login):
    worker = create_staff(Role.CARE_COORDINATOR, name="Sanna Virtanen")
    worker.phone = "040 123 4567"
    unit.phone, unit.phone_opens, unit.phone_closes, unit.reply_days = "09 310 12345", time(9), time(15), 3
    me = create_client()
    me.user.locale = "en"
    enrolment = create_enrolment(me, coordinator=worker)
    login(me.user)
    return enrolment


def test_home_page_has_the_crisis_box_and_tap_to_call(client, setup):
    page = client.get("/me").get_data(as_text=True)
    assert 'href="tel:112"' in page
    assert 'href="tel:+358925250111"' in page and "MIELI Crisis Helpline" in page  # the organisation's line, in English
    assert 'href="tel:+358403101234' not in page
    assert 'href="tel:+35893101234' in page and "Monday to Friday" in page  # the unit, with its hours
    assert 'href="tel:+358401234567"' in page  # the coordinator
    assert "Messages are read within 3 working days." in page


def test_message_form_warns_out_of_hours_on_a_holiday(client, setup, monkeypatch):
    url = f"/messages/enrolments/{setup.id}"
    monkeypatch.setattr(queries, "utcnow", lambda: THURSDAY_10)
    assert "outside working hours" not in client.get(url).get_data(as_text=True)
    monkeypatch.setattr(queries, "utcnow", lambda: CHRISTMAS_EVE_10)
    page = client.get(url).get_data(as_text=True)
    assert "outside working hours" in page and 'href="tel:112"' in page
    sent = client.post(url, data={"subject": "Hei", "body": "Kysymys"}, follow_redirects=True).get_data(as_text=True)
    assert "It is now outside working hours, so it will be read on the next working day" in sent
