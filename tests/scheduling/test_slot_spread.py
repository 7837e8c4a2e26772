"""Free times offered for booking are spread over days and parts of the day (issue 17: the finder offered
eight consecutive quarter hours of one morning)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest

from portal.auth.models import Role
from portal.scheduling import operations, queries, routes
from portal.scheduling.availability import spread
from portal.scheduling.timeutil import as_helsinki, local

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # a Friday
MONDAY = date(2026, 11, 23)


def test_spread_takes_each_part_of_each_day_first():
    quarter = timedelta(minutes=15)
    mornings = [local(MONDAY + timedelta(days=d), time(8)) + i * quarter for d in range(3) for i in range(32)]
    chosen = spread(mornings, 6)  # three days of 8-16: a morning and an afternoon each
    assert chosen == sorted(chosen)
    assert {(as_helsinki(c).date(), as_helsinki(c).hour >= 12) for c in chosen} == {
        (MONDAY + timedelta(days=d), afternoon) for d in range(3) for afternoon in (False, True)}
    more = spread(mornings, 8)  # more than there are parts: then the earliest of the rest
    assert len(more) == 8 and mornings[1] in more and mornings[2] in more
    assert spread(mornings[:3], 8) == mornings[:3]  # fewer than asked: all of them


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    for module in (operations, queries, routes):
        monkeypatch.setattr(module, "utcnow", lambda: NOW)


def test_the_booking_page_offers_spread_times(client, login, create_staff, create_client, create_enrolment):
    worker = create_staff(Role.WORKER, locale="en")
    enrolment = create_enrolment(create_client(), coordinator=worker, programme="many-services")
    login(worker)
    response = client.post(f"/work/calendar/book/{enrolment.id}", data={
        "contact_type": "coordinator-meeting", "modality": "reception", "day": MONDAY.isoformat(), "time": "10:00",
        "minutes": "", "place": "", "second_worker": "", "weeks": "1", "find": "y"})
    offered = re.findall(r'name="slot" value="(\d{4}-\d\d-\d\d)T(\d\d):\d\d"', response.get_data(as_text=True))
    assert len(offered) == 8
    parts = Counter((day, int(hour) >= 12) for day, hour in offered)
    assert max(parts.values()) == 1 and len({day for day, _hour in offered}) >= 4
