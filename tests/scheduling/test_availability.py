"""Free time and series: Helsinki time and DST, holidays, working hours, absences, buffers, conflicts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.scheduling import availability as av
from portal.scheduling.availability import ConflictReason, find_slots, plan_series
from portal.scheduling.models import WorkingHours
from portal.scheduling.timeutil import (
    HELSINKI,
    NonexistentLocalTime,
    holiday_name,
    holidays_between,
    is_holiday,
    local,
    local_date,
    merge,
    overlaps_any,
    subtract,
)

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def at(d: date, hour: int, minute: int = 0) -> datetime:
    return local(d, time(hour, minute))


def hm(slots: list[datetime]) -> list[str]:
    """Slots as Helsinki 'YYYY-MM-DD HH:MM' for readable assertions."""
    return [s.astimezone(HELSINKI).strftime("%Y-%m-%d %H:%M") for s in slots]


@pytest.fixture
def worker(create_staff):
    return create_staff()


@pytest.fixture
def person(create_client):
    return create_client(with_login=False)


# --- Helsinki time and holidays -------------------------------------------------------------------

def test_monday_nine_is_seven_utc_in_winter_and_six_in_summer():
    assert local(date(2026, 1, 12), time(9)) == datetime(2026, 1, 12, 7, tzinfo=UTC)
    assert local(date(2026, 6, 1), time(9)) == datetime(2026, 6, 1, 6, tzinfo=UTC)


def test_a_time_in_the_spring_gap_does_not_exist():
    with pytest.raises(NonexistentLocalTime):
        local(date(2026, 3, 29), time(3, 30))
    assert issubclass(NonexistentLocalTime, ValueError)
    assert local(date(2026, 3, 29), time(4)) == datetime(2026, 3, 29, 1, tzinfo=UTC)


def test_an_ambiguous_autumn_time_is_its_first_occurrence():
    assert local(date(2026, 10, 25), time(3, 30)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert local_date(datetime(2026, 10, 25, 22, 30, tzinfo=UTC)) == date(2026, 10, 26)


def test_finnish_holidays_come_from_the_library():
    assert holiday_name(date(2026, 12, 6)) == "Itsenäisyyspäivä"
    assert is_holiday(date(2026, 6, 19)) and holiday_name(date(2026, 6, 19)) == "Juhannusaatto"
    assert not is_holiday(date(2026, 6, 18))
    assert list(holidays_between(date(2026, 12, 20), date(2027, 1, 2))) == [
        date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)]


@given(st.dates(date(2020, 1, 1), date(2035, 12, 31)), st.times())
def test_local_round_trips_or_refuses(d, t):
    try:
        instant = local(d, t)
    except NonexistentLocalTime:
        assert d.month == 3 and d.weekday() == SUN and 3 <= t.hour < 4
        return
    wall = instant.astimezone(HELSINKI)
    assert (wall.date(), wall.time()) == (d, t)


# --- find_slots -----------------------------------------------------------------------------------

def test_a_monday_nine_slot_follows_dst(db, worker):
    db.session.add(WorkingHours(user_id=worker.id, weekday=MON, starts=time(9), ends=time(10)))
    winter = find_slots([worker.id], None, 60, at(date(2026, 3, 23), 0), at(date(2026, 3, 24), 0))
    summer = find_slots([worker.id], None, 60, at(date(2026, 3, 30), 0), at(date(2026, 3, 31), 0))
    assert winter == [datetime(2026, 3, 23, 7, tzinfo=UTC)]
    assert summer == [datetime(2026, 3, 30, 6, tzinfo=UTC)]


def test_default_hours_are_weekdays_eight_to_four(worker):
    slots = find_slots([worker.id], None, 60, at(date(2026, 1, 10), 0), at(date(2026, 1, 13), 0),
                       step_minutes=60, limit=20)  # Saturday to Tuesday
    assert hm(slots) == [f"2026-01-12 {h:02}:00" for h in range(8, 16)]


@pytest.mark.parametrize("holiday, next_day", [
    (date(2027, 12, 6), "2027-12-07 08:00"),   # Itsenäisyyspäivä, a Monday
    (date(2026, 6, 19), "2026-06-22 08:00"),   # Juhannusaatto, a Friday
    (date(2026, 12, 24), "2026-12-28 08:00"),  # Jouluaatto, Joulupäivä, Tapaninpäivä, weekend
])
def test_no_slots_on_holidays(worker, holiday, next_day):
    assert hm(find_slots([worker.id], None, 60, at(holiday, 0), at(holiday + timedelta(days=7), 0), limit=1)) == [
        next_day]


def test_working_hours_rows_replace_the_default(db, worker):
    db.session.add_all([WorkingHours(user_id=worker.id, weekday=TUE, starts=time(12), ends=time(14)),
                        WorkingHours(user_id=worker.id, weekday=TUE, starts=time(15), ends=time(16, 30))])
    slots = find_slots([worker.id], None, 60, at(date(2026, 1, 12), 0), at(date(2026, 1, 19), 0), step_minutes=30)
    assert hm(slots) == ["2026-01-13 12:00", "2026-01-13 12:30", "2026-01-13 13:00",
                         "2026-01-13 15:00", "2026-01-13 15:30"]


def test_an_absence_blocks_the_worker(worker, add_absence):
    add_absence(worker, at(date(2026, 1, 12), 0), at(date(2026, 1, 15), 12))
    assert hm(find_slots([worker.id], None, 60, at(date(2026, 1, 12), 0), at(date(2026, 1, 20), 0), limit=1)) == [
        "2026-01-15 12:00"]


def test_the_buffer_widens_only_the_workers_busy_time(worker, person, add_appointment, create_staff):
    add_appointment(at(date(2026, 1, 12), 10), 60, workers=(worker,))
    window = at(date(2026, 1, 12), 8), at(date(2026, 1, 12), 16)
    assert hm(find_slots([worker.id], None, 60, *window, step_minutes=30, buffer_minutes=30, limit=3)) == [
        "2026-01-12 08:00", "2026-01-12 08:30", "2026-01-12 11:30"]
    # The client's own appointment with someone else is not widened: they are not travelling.
    other, free = create_staff(), create_staff()
    add_appointment(at(date(2026, 1, 12), 8), 60, workers=(other,), client=person)
    assert hm(find_slots([free.id], person.id, 60, *window, step_minutes=30, buffer_minutes=30, limit=1)) == [
        "2026-01-12 09:00"]


def test_stored_travel_time_blocks_too(worker, add_appointment):
    add_appointment(at(date(2026, 1, 12), 9), 60, workers=(worker,), travel=30)  # busy 8:30–10:30
    slots = find_slots([worker.id], None, 30, at(date(2026, 1, 12), 8), at(date(2026, 1, 12), 11), step_minutes=30)
    assert hm(slots) == ["2026-01-12 08:00", "2026-01-12 10:30"]


def test_common_free_time_of_two_workers_and_a_client(db, create_staff, person, add_appointment):
    anna, ben = create_staff(), create_staff()
    db.session.add(WorkingHours(user_id=ben.id, weekday=MON, starts=time(9), ends=time(17)))
    day = date(2026, 1, 12)
    add_appointment(at(day, 9), 60, workers=(anna,))
    add_appointment(at(day, 10), 90, workers=(ben,))
    add_appointment(at(day, 12), 60, client=person, workers=(create_staff(),))
    slots = find_slots([anna.id, ben.id], person.id, 60, at(day, 0), at(day, 23), step_minutes=30)
    # Ben starts at 9 and Anna stops at 16; 9–11:30 and 12–13 are taken.
    assert hm(slots) == ["2026-01-12 13:00", "2026-01-12 13:30", "2026-01-12 14:00",
                         "2026-01-12 14:30", "2026-01-12 15:00"]


def test_cancelled_appointments_do_not_block(worker, add_appointment):
    add_appointment(at(date(2026, 1, 12), 8), 480, workers=(worker,), blocking=False)
    assert hm(find_slots([worker.id], None, 60, at(date(2026, 1, 12), 0), at(date(2026, 1, 13), 0), limit=1)) == [
        "2026-01-12 08:00"]


def test_limit_start_alignment_and_preferences(worker):
    start, end = at(date(2026, 1, 12), 9, 7), at(date(2026, 1, 16), 23)
    assert hm(find_slots([worker.id], None, 45, start, end, limit=3)) == [
        "2026-01-12 09:15", "2026-01-12 09:30", "2026-01-12 09:45"]
    assert len(find_slots([worker.id], None, 45, start, end, limit=100)) == 100
    afternoons = lambda s: s.astimezone(HELSINKI).hour >= 14  # noqa: E731
    assert hm(find_slots([worker.id], None, 60, start, end, step_minutes=60, limit=3,
                         client_preferences=afternoons)) == [
        "2026-01-12 14:00", "2026-01-12 15:00", "2026-01-13 14:00"]


def test_find_slots_makes_three_queries_however_busy(worker, person, add_appointment, count_queries):
    for n in range(40):
        add_appointment(at(date(2026, 1, 12) + timedelta(days=n // 4), 8 + 2 * (n % 4)), 60, workers=(worker,))
    with count_queries() as statements:
        find_slots([worker.id], person.id, 60, at(date(2026, 1, 12), 0), at(date(2026, 2, 12), 0), limit=50)
    # working hours; busy time (appointments and absences in one statement); the time other features hold
    # (scheduling.commitments: the workers' SAP agenda slots, one statement)
    assert len(statements) == 3


def test_requests_that_mean_nothing_are_refused(worker):
    start = at(date(2026, 1, 12), 8)
    with pytest.raises(ValueError):
        find_slots([], None, 60, start, start + timedelta(days=1))
    with pytest.raises(ValueError):
        find_slots([worker.id], None, 60, start, start)
    with pytest.raises(ValueError):
        find_slots([worker.id], None, 60, datetime(2026, 1, 12, 8), datetime(2026, 1, 13))


def test_busy_intervals_merges_per_person_and_includes_absences(worker, person, add_appointment, add_absence):
    day = date(2026, 1, 12)
    add_appointment(at(day, 9), 60, workers=(worker,), client=person)
    add_appointment(at(day, 10), 30, workers=(worker,))
    add_absence(worker, at(day, 14), at(day, 16))
    add_appointment(at(day + timedelta(days=3), 9), 60, workers=(worker,))  # outside the window
    busy = av.busy_intervals([f"u:{worker.id}", f"c:{person.id}", "c:999999"], at(day, 0), at(day, 23))
    assert busy == {
        f"u:{worker.id}": [(at(day, 9), at(day, 10, 30)), (at(day, 14), at(day, 16))],
        f"c:{person.id}": [(at(day, 9), at(day, 10))],
        "c:999999": [],
    }


# --- plan_series ----------------------------------------------------------------------------------

def test_series_reports_every_conflict_with_its_reason(db, worker, person, add_appointment, add_absence):
    # Three contacts a week for three weeks from Monday 1 June 2026; Juhannusaatto is Friday 19 June.
    add_appointment(at(date(2026, 6, 3), 13), 60, workers=(worker,))       # worker busy on Wednesday
    add_appointment(at(date(2026, 6, 8), 9), 30, workers=(worker,), client=person)  # both busy
    add_absence(worker, at(date(2026, 6, 10), 0), at(date(2026, 6, 11), 0))
    pattern = [(MON, time(9)), (WED, time(13)), (FRI, time(15, 30))]
    plan = plan_series([worker.id], person.id, 60, at(date(2026, 6, 1), 9), pattern, weeks=3)
    reasons = {o.day: [(c.reason, c.person_key, c.detail) for c in o.conflicts] for o in plan.occurrences}
    u, c = f"u:{worker.id}", f"c:{person.id}"
    assert len(plan.occurrences) == 9 and not plan.all_free
    assert reasons == {
        date(2026, 6, 1): [],
        date(2026, 6, 3): [(ConflictReason.WORKER_BUSY, u, None)],
        date(2026, 6, 5): [(ConflictReason.OUTSIDE_WORKING_HOURS, u, None)],  # 15:30–16:30
        date(2026, 6, 8): [(ConflictReason.WORKER_BUSY, u, None), (ConflictReason.CLIENT_BUSY, c, None)],
        date(2026, 6, 10): [(ConflictReason.WORKER_BUSY, u, None)],  # the absence
        date(2026, 6, 12): [(ConflictReason.OUTSIDE_WORKING_HOURS, u, None)],
        date(2026, 6, 15): [],
        date(2026, 6, 17): [],
        date(2026, 6, 19): [(ConflictReason.HOLIDAY, None, "Juhannusaatto")],
    }
    assert [o.day for o in plan.free] == [date(2026, 6, 1), date(2026, 6, 15), date(2026, 6, 17)]


def test_series_keeps_the_wall_clock_across_dst_and_reports_the_gap(db, worker):
    db.session.add(WorkingHours(user_id=worker.id, weekday=SUN, starts=time(2), ends=time(6)))
    plan = plan_series([worker.id], None, 30, at(date(2026, 3, 22), 3, 30), weeks=2)
    first, second = plan.occurrences
    assert first.free and first.starts_at == datetime(2026, 3, 22, 1, 30, tzinfo=UTC)
    assert second.starts_at is None and [c.reason for c in second.conflicts] == [ConflictReason.DST_GAP]
    mondays = plan_series([worker.id], None, 60, at(date(2026, 3, 23), 9), weeks=2)
    assert [o.starts_at.hour for o in mondays.occurrences] == [7, 6]


def test_series_starts_at_the_first_contact_and_uses_three_queries(worker, person, count_queries):
    pattern = [(MON, time(9)), (WED, time(9)), (FRI, time(9))]
    with count_queries() as statements:
        plan = plan_series([worker.id], person.id, 60, at(date(2026, 1, 14), 9), pattern, weeks=26)
    assert len(statements) == 3  # working hours, busy time, the SAP agenda slots (scheduling.commitments)
    assert len(plan.occurrences) == 26 * 3 - 1  # the week's Monday was before the first contact
    assert plan.occurrences[0].day == date(2026, 1, 14)


# --- properties -----------------------------------------------------------------------------------

BASE = datetime(2026, 1, 12, tzinfo=HELSINKI).astimezone(UTC)  # a Monday midnight; no DST that week
spans = st.lists(st.tuples(st.integers(0, 3 * 24 * 60), st.integers(5, 600)), max_size=12)


def _intervals(raw):
    return [(BASE + timedelta(minutes=s), BASE + timedelta(minutes=s + n)) for s, n in raw]


@given(windows=spans, busy=spans, minutes=st.integers(5, 120), step=st.sampled_from([5, 10, 15, 20, 30, 60]),
       not_before=st.integers(0, 3 * 24 * 60), limit=st.integers(1, 40))
def test_slots_are_exactly_the_first_free_grid_times(windows, busy, minutes, step, not_before, limit):
    windows, busy = merge(_intervals(windows)), _intervals(busy)
    start = BASE + timedelta(minutes=not_before)
    found = av.slot_starts(subtract(windows, busy), minutes, step_minutes=step, not_before=start, limit=limit)
    length = timedelta(minutes=minutes)
    brute = [t for t in (BASE + timedelta(minutes=k) for k in range(0, 4 * 24 * 60 + 600, step))
             if t >= start and any(s <= t and t + length <= e for s, e in windows)
             and not any(s < t + length and t < e for s, e in busy)]
    assert found == brute[:limit]


def _plant(intervals, add):
    """Insert the intervals that do not overlap the person's earlier ones (the database forbids that)."""
    kept: list = []
    for start, end in intervals:
        if not overlaps_any(merge(kept), start, end):
            kept.append((start, end))
            add(start, int((end - start).total_seconds() // 60))
    return kept


@pytest.fixture
def colleague(create_staff):
    return create_staff()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.tuples(spans, spans, spans, spans), buffer=st.sampled_from([0, 15, 30]),
       minutes=st.sampled_from([15, 45, 60, 90]))
def test_found_slots_avoid_everyone_and_stay_in_working_hours(db, worker, colleague, person, create_staff,
                                                              add_appointment, add_absence, raw, buffer, minutes):
    db.session.commit()  # the people stay; each example's busy time is rolled back at its end
    try:
        stored = {
            "worker": _plant(_intervals(raw[0]), lambda s, n: add_appointment(s, n, workers=(worker,))),
            "colleague": _plant(_intervals(raw[1]), lambda s, n: add_appointment(s, n, workers=(colleague,))),
            "away": _plant(_intervals(raw[2]), lambda s, n: add_absence(colleague, s, s + timedelta(minutes=n))),
            "client": _plant(_intervals(raw[3]), lambda s, n: add_appointment(
                s, n, client=person, workers=(create_staff(in_unit=None),))),
        }
        start, end = BASE, BASE + timedelta(days=4)
        ids = [worker.id, colleague.id]
        slots = find_slots(ids, person.id, minutes, start, end, buffer_minutes=buffer, limit=200)
        length = timedelta(minutes=minutes)
        for slot in slots:
            # Nobody has WorkingHours rows, so the hours are the default: Monday to Friday 8–16.
            wall, wall_end = slot.astimezone(HELSINKI), (slot + length).astimezone(HELSINKI)
            assert start <= slot and wall.weekday() < 5 and wall.date() == wall_end.date()
            assert time(8) <= wall.time() and wall_end.time() <= time(16)
            for key, intervals in stored.items():
                pad = timedelta(minutes=0 if key == "client" else buffer)
                assert not any(s - pad < slot + length and slot < e + pad for s, e in intervals), key
    finally:
        db.session.rollback()
