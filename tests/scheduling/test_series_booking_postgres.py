"""A weekly series is written together: the same statements for 2 contacts as for 12 (PostgreSQL batches
the INSERTs; the benchmark, bench/scheduling.py (c), times a 26-week series)."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditRecord
from portal.scheduling.timeutil import local
from tests.scheduling.test_series_booking import MONDAY, book
from tests.scheduling.test_series_booking import (  # noqa: F401  the unnest INSERT refused by the overlap check
    test_a_time_taken_after_planning_is_reported_and_the_rest_booked as test_a_time_taken_meanwhile_on_postgresql,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(pg_app):
    return pg_app


@pytest.fixture
def worker(create_staff):
    return create_staff(name="Sanna Virtanen", locale="en")


@pytest.fixture
def enrolment(worker, create_client, create_enrolment):
    return create_enrolment(create_client(), coordinator=worker, programme="many-services")


def test_a_longer_series_costs_no_more_statements(db, worker, enrolment, count_queries):
    with count_queries() as short:
        book(worker, enrolment, 2, local(MONDAY, time(9)))
        db.session.flush()
    with count_queries() as long:
        result = book(worker, enrolment, 12, local(MONDAY, time(13)))
        db.session.flush()
    assert len(long) == len(short), "\n".join(s[:70] for s in long)
    assert len(result.booked) == 12
    first = result.booked[0]
    assert sorted(p.person_key for p in first.participants) == sorted([f"u:{worker.id}",
                                                                        f"c:{enrolment.client_id}"])
    assert all(p.busy_until == first.ends_at for p in first.participants)
    audited = db.session.scalar(select(func.count()).select_from(AuditRecord).where(
        AuditRecord.object_type == "appointment"))
    assert audited == 14
