"""The team calendar is a week grid (workers by days, an accessible table) over the list of each worker's days
(issue 17: it was a long list only); on a narrow screen the grid gives way to the list (CSS)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pytest

from portal.auth.models import Role
from portal.programmes.definitions_schema import Modality
from portal.scheduling import operations, queries, routes
from portal.scheduling.operations import BookingRequest
from portal.scheduling.timeutil import local

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
MONDAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    for module in (operations, queries, routes):
        monkeypatch.setattr(module, "utcnow", lambda: NOW)


def test_the_team_week_is_a_grid_of_workers_by_days(client, login, create_staff, create_client, create_enrolment):
    worker = create_staff(Role.WORKER, name="Sanna Virtanen", locale="en")
    lead = create_staff(Role.WORKER, Role.TEAM_LEAD, name="Mikael Lindqvist", locale="en")
    enrolment = create_enrolment(create_client(), coordinator=worker, programme="many-services")
    operations.book(worker, BookingRequest(enrolment=enrolment, contact_type="coordinator-meeting",
                                           modality=Modality.RECEPTION, starts_at=local(MONDAY, time(10)), minutes=45),
                    now=NOW)
    login(lead)
    html = client.get(f"/work/calendar/team?date={MONDAY}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    grid = html[html.index('class="hds-table hds-table--light week-grid"'):]
    grid = grid[:grid.index("</table>")]
    assert "The team&#39;s week at a glance" in grid
    assert len(re.findall(r'<th scope="col">', grid)) == 8  # the worker column and seven days
    rows = re.findall(r'<th scope="row">([^<]+)</th>', grid)
    assert set(rows) == {"Sanna Virtanen", "Mikael Lindqvist"}
    assert enrolment.client.full_name in grid and "10:00" in grid
    assert f'id="worker-{worker.id}-2026-11-23"' in html  # the days in full below, with their actions
