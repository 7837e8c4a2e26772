"""The demo county's housing queues: units linked to the demo unit login, queues kept by Jonna Laine with
a named deputy, every housing client in phase queue waiting, past placements with days to fill, and one
open vacancy for the demo to offer."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.demo.seed import seed_demo
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.queues.models import EntryStatus, HousingQueue, HousingUnit, QueueEntry, Residency, Vacancy, VacancyStatus
from tests.demo.test_seed import fresh_database

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def demo(sqlite_template, tmp_path_factory):
    with fresh_database(sqlite_template, tmp_path_factory.mktemp("queues-demo")) as (session, definitions):
        seed_demo(session, definitions, seed=2026, today=TODAY)
        session.commit()
        yield session


def test_units_queues_and_the_unit_login(demo):
    units = demo.scalars(select(HousingUnit)).all()
    assert len(units) >= 5 and {u.municipality_code for u in units} <= {
        "049", "078", "149", "224", "235", "257", "444", "710", "755", "927"}
    assert sum(1 for u in units if "asumispalvelu@silta.example" in {s.email for s in u.staff}) == 2
    queues = demo.scalars(select(HousingQueue)).all()
    assert len(queues) == 3
    assert all(q.coordinator.email == "jonna.laine@silta.example" and q.deputy is not None for q in queues)


def test_every_housing_client_in_queue_phase_waits_and_every_placed_one_lives_somewhere(demo):
    in_queue = demo.scalars(select(Enrolment.id).where(Enrolment.programme_code == "housing-guidance",
                                                       Enrolment.phase == "queue",
                                                       Enrolment.status == EnrolmentStatus.ACTIVE)).all()
    waiting = set(demo.scalars(select(QueueEntry.enrolment_id).where(QueueEntry.status == EntryStatus.WAITING)))
    assert in_queue and set(in_queue) <= waiting
    placed = demo.scalars(select(Enrolment.id).where(Enrolment.programme_code == "housing-guidance",
                                                     Enrolment.phase == "placed")).all()
    assert set(placed) == set(demo.scalars(select(Residency.enrolment_id)))


def test_filled_vacancies_keep_days_to_fill_and_one_is_open(demo):
    vacancies = demo.scalars(select(Vacancy)).all()
    filled = [v for v in vacancies if v.status is VacancyStatus.FILLED]
    assert filled and all(v.days_to_fill is not None and v.days_to_fill >= 0 for v in filled)
    open_ones = [v for v in vacancies if v.status is VacancyStatus.OPEN]
    assert len(open_ones) == 1 and open_ones[0].free_from > TODAY and open_ones[0].unit.staff
