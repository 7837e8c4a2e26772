"""The series form is safe to reload (post/redirect/get): the result page shows what was booked and why the
rest was not, again and again, and books nothing more; it is the worker's own (issue 17)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from portal.auth.models import Role
from portal.scheduling import operations, queries, routes
from portal.scheduling.models import Appointment

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    for module in (operations, queries, routes):
        monkeypatch.setattr(module, "utcnow", lambda: NOW)


def test_a_reloaded_series_result_shows_the_same_and_books_nothing(db, client, login, create_staff, create_client,
                                                                  create_enrolment):
    worker = create_staff(Role.WORKER, name="Sanna Virtanen", locale="en")
    enrolment = create_enrolment(create_client(), coordinator=worker, programme="many-services")
    login(worker)
    response = client.post(f"/work/calendar/book/{enrolment.id}", headers=EN, data={
        "contact_type": "coordinator-meeting", "modality": "reception", "day": date(2026, 12, 10).isoformat(),
        "time": "10:00", "minutes": "", "place": "", "second_worker": "", "weeks": "3"})
    assert response.status_code == 302
    url = response.headers["Location"]
    for _reload in range(2):
        page = client.get(url, headers=EN).get_data(as_text=True)
        assert "2 of 3 appointments were booked." in page and "The day is a public holiday." in page  # 24.12.
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 2
    client.post("/logout")
    login(create_staff(Role.WORKER, in_unit=None))
    assert client.get(url).status_code == 403  # someone else's client
    assert client.get("/work/calendar/series/no-such-series").status_code == 404
