"""After an offer a vacancy no longer reads "open": it is offered and waits for the answer (issue 17)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.auth.models import Role
from portal.queues import operations, queries

TODAY = queries.today()
EN = {"Accept-Language": "en"}


@pytest.fixture
def unit_and_staff(create_unit, create_staff):
    staff = create_staff(Role.HOUSING_UNIT)
    return create_unit(staff=[staff]), staff


def test_an_offered_vacancy_reads_offered_not_open(db, client, login, queue, queued, coordinator, unit_and_staff):
    unit, staff = unit_and_staff
    vacancy = operations.report_vacancy(staff, unit, TODAY)
    entry = queued(TODAY - timedelta(days=10))
    db.session.commit()
    login(coordinator)
    assert "Tarjottu, odottaa vastausta" not in client.get("/work/queues/", headers=EN).get_data(as_text=True)
    operations.offer_vacancy(coordinator, vacancy, entry, TODAY + timedelta(days=7))
    db.session.commit()
    for url in ("/work/queues/", f"/work/queues/vacancies/{vacancy.id}"):
        html = client.get(url, headers=EN).get_data(as_text=True)
        assert "Tarjottu, odottaa vastausta" in html, url
    page = client.get(f"/work/queues/vacancies/{vacancy.id}", headers=EN).get_data(as_text=True)
    assert "<dd>Avoin" not in page and "<dd>Tarjottu, odottaa vastausta" in page
