"""Free time and series on a real PostgreSQL: the union query, the types and the constraint agree."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from portal.scheduling.availability import ConflictReason, busy_intervals, find_slots, plan_series
from portal.scheduling.models import WorkingHours
from portal.scheduling.timeutil import HELSINKI, local

pytestmark = pytest.mark.postgres

MON, WED, FRI = 0, 2, 4


@pytest.fixture
def app(pg_app):
    return pg_app


def at(d: date, hour: int, minute: int = 0) -> datetime:
    return local(d, time(hour, minute))


def hm(slots):
    return [s.astimezone(HELSINKI).strftime("%Y-%m-%d %H:%M") for s in slots]


def test_common_free_time_on_postgres(db, create_staff, create_client, add_appointment, add_absence, count_queries):
    anna, ben, person = create_staff(), create_staff(), create_client(with_login=False)
    db.session.add(WorkingHours(user_id=ben.id, weekday=MON, starts=time(9), ends=time(17)))
    day = date(2026, 1, 12)
    add_appointment(at(day, 9), 60, workers=(anna,), travel=15)           # Anna busy 8:45–10:15
    add_absence(ben, at(day, 10, 15), at(day, 11, 30))
    add_appointment(at(day, 12), 60, client=person, workers=(create_staff(),))
    with count_queries() as statements:
        slots = find_slots([anna.id, ben.id], person.id, 60, at(day, 0), at(day, 23), step_minutes=30)
    assert len(statements) == 3  # working hours, busy time, the SAP agenda slots (scheduling.commitments)
    assert hm(slots) == ["2026-01-12 13:00", "2026-01-12 13:30", "2026-01-12 14:00", "2026-01-12 14:30",
                         "2026-01-12 15:00"]
    busy = busy_intervals([f"u:{ben.id}"], at(day, 0), at(day, 23))
    assert busy == {f"u:{ben.id}": [(at(day, 10, 15), at(day, 11, 30))]}
    assert busy[f"u:{ben.id}"][0][0].tzinfo is UTC


def test_a_found_slot_is_one_the_constraint_accepts(db, create_staff, add_appointment):
    worker = create_staff()
    day = date(2026, 1, 12)
    add_appointment(at(day, 8), 60, workers=(worker,))
    first = find_slots([worker.id], None, 60, at(day, 0), at(day, 23), limit=1)[0]
    assert hm([first]) == ["2026-01-12 09:00"]
    add_appointment(first, 60, workers=(worker,))  # touching intervals are allowed: [) ranges
    with pytest.raises(IntegrityError, match="no_overlap"):
        with db.session.begin_nested():
            add_appointment(first + timedelta(minutes=30), 60, workers=(worker,))


def test_series_on_postgres(db, create_staff, create_client, add_appointment):
    worker, person = create_staff(), create_client(with_login=False)
    add_appointment(at(date(2026, 12, 2), 10), 60, client=person, workers=(create_staff(),))
    pattern = [(MON, time(10)), (WED, time(10)), (FRI, time(10))]
    plan = plan_series([worker.id], person.id, 60, at(date(2026, 11, 30), 10), pattern, weeks=4)
    conflicts = {o.day: [c.reason for c in o.conflicts] for o in plan.conflicting}
    assert conflicts == {date(2026, 12, 2): [ConflictReason.CLIENT_BUSY],
                         date(2026, 12, 25): [ConflictReason.HOLIDAY]}  # Joulupäivä, a Friday
    assert len(plan.occurrences) == 12 and len(plan.free) == 10
    assert plan.occurrences[0].starts_at == datetime(2026, 11, 30, 8, tzinfo=UTC)
