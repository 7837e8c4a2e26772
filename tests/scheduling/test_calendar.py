"""Laying out Helsinki days and weeks: 23- and 25-hour days, midnight-crossing appointments, free time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest

from portal.auth.models import Role
from portal.scheduling import calendar, queries
from portal.scheduling.models import WorkingHours
from portal.scheduling.timeutil import local

SPRING = date(2026, 3, 29)  # clocks go forward 03:00 → 04:00
AUTUMN = date(2026, 10, 25)  # clocks go back 04:00 → 03:00


@dataclass(frozen=True)
class Item:
    starts_at: datetime
    ends_at: datetime


def at(d: date, hour: int, minute: int = 0) -> datetime:
    return local(d, time(hour, minute))


@pytest.mark.parametrize(("day", "hours"), [(SPRING, 23), (AUTUMN, 25), (date(2026, 6, 1), 24)])
def test_a_helsinki_day_is_23_24_or_25_hours(day, hours):
    start, end = calendar.day_span(day)
    assert (end - start) == timedelta(hours=hours)
    assert calendar.lay_out([day], [])[0].hours == hours


def test_days_are_bounded_by_local_midnights():
    assert calendar.day_span(SPRING) == (datetime(2026, 3, 28, 22, tzinfo=UTC), datetime(2026, 3, 29, 21, tzinfo=UTC))
    assert calendar.day_span(AUTUMN) == (datetime(2026, 10, 24, 21, tzinfo=UTC), datetime(2026, 10, 25, 22, tzinfo=UTC))


def test_week_runs_monday_to_sunday_across_the_change():
    week = calendar.week_of(SPRING)
    assert (week[0], week[-1], len(week)) == (date(2026, 3, 23), SPRING, 7)
    start, end = calendar.span_of(week)
    assert end - start == timedelta(days=7, hours=-1)
    assert calendar.span_of(calendar.week_of(AUTUMN))[1] - calendar.span_of(calendar.week_of(AUTUMN))[0] == \
        timedelta(days=7, hours=1)


@pytest.mark.parametrize(("view", "day", "expected"), [
    ("day", SPRING, (date(2026, 3, 28), date(2026, 3, 30))),
    ("week", SPRING, (date(2026, 3, 16), date(2026, 3, 30))),
    ("week", date(2026, 10, 21), (date(2026, 10, 12), date(2026, 10, 26))),
    ("day", date(2026, 12, 31), (date(2026, 12, 30), date(2027, 1, 1))),
])
def test_previous_and_next_pages(view, day, expected):
    assert calendar.neighbours(view, day) == expected


def test_appointments_land_on_their_helsinki_day_in_spring():
    late_saturday = Item(at(date(2026, 3, 28), 23, 30), at(SPRING, 0, 15))  # runs past midnight
    after_the_gap = Item(at(SPRING, 4), at(SPRING, 5))  # 01:00 UTC
    days = calendar.lay_out([date(2026, 3, 28), SPRING, date(2026, 3, 30)], [after_the_gap, late_saturday])
    assert days[0].items == (late_saturday,)
    assert days[1].items == (late_saturday, after_the_gap)
    assert days[1].started_earlier(late_saturday) and not days[1].started_earlier(after_the_gap)
    assert days[2].items == ()


def test_the_repeated_autumn_hour_belongs_to_the_same_day():
    first = Item(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC))  # 03:30 EEST
    second = Item(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), datetime(2026, 10, 25, 2, tzinfo=UTC))  # 03:30 EET
    last = Item(at(AUTUMN, 23, 30), at(AUTUMN, 23, 59))  # 21:30 UTC: still the 25th
    days = calendar.lay_out([AUTUMN, AUTUMN + timedelta(days=1)], [second, last, first])
    assert days[0].items == (first, second, last)
    assert days[1].items == ()


def test_working_and_free_time_are_cut_to_each_day():
    monday = date(2026, 3, 30)
    working = [(at(SPRING, 2), at(SPRING, 6)), (at(monday, 8), at(monday, 16))]
    busy = [(at(monday, 9), at(monday, 10)), (at(monday, 10, 5), at(monday, 11))]  # a 5-minute gap is not free
    days = calendar.lay_out([SPRING, monday], [], working=working, busy=busy)
    assert days[0].working == ((at(SPRING, 2), at(SPRING, 6)),)
    assert days[0].working[0][1] - days[0].working[0][0] == timedelta(hours=3)  # 2–6 on the short night
    assert days[1].free == ((at(monday, 8), at(monday, 9)), (at(monday, 11), at(monday, 16)))


def test_an_absence_over_several_days_is_cut_per_day():
    away = [(at(date(2026, 10, 24), 12), at(date(2026, 10, 26), 12))]
    days = calendar.lay_out([date(2026, 10, 24), AUTUMN, date(2026, 10, 26)], [], away=away)
    assert [d.away[0][1] - d.away[0][0] for d in days] == [timedelta(hours=12), timedelta(hours=25),
                                                             timedelta(hours=12)]


def test_holidays_are_marked_and_named_in_the_language():
    week = calendar.week_of(date(2026, 12, 24))
    assert calendar.localised_holidays(week, "fi") == {
        date(2026, 12, 24): "Jouluaatto", date(2026, 12, 25): "Joulupäivä", date(2026, 12, 26): "Tapaninpäivä"}
    assert calendar.localised_holidays([date(2026, 12, 6)], "sv") == {date(2026, 12, 6): "Självständighetsdagen"}
    assert calendar.localised_holidays([date(2026, 12, 6)], "en") == {date(2026, 12, 6): "Independence Day"}
    days = calendar.lay_out(week, [], today=date(2026, 12, 23))
    assert [d.day for d in days if d.holiday] == [date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26)]
    assert [d.day for d in days if d.today] == [date(2026, 12, 23)]


def test_calendars_use_working_hours_on_the_wall_clock_across_the_change(db, create_staff):
    worker = create_staff(Role.WORKER)
    db.session.add_all([WorkingHours(user_id=worker.id, weekday=w, starts=time(9), ends=time(17)) for w in range(7)])
    db.session.flush()
    week = calendar.week_of(SPRING)
    days = queries.calendars(worker, [worker], week, "fi")[0].days
    assert [d.hours for d in days] == [24] * 6 + [23]
    for d in days:  # 9:00–17:00 Helsinki time before and after the change alike
        assert d.working == ((at(d.day, 9), at(d.day, 17)),)
    assert days[-1].working[0][0] == datetime(2026, 3, 29, 6, tzinfo=UTC)
    assert days[0].working[0][0] == datetime(2026, 3, 23, 7, tzinfo=UTC)


def test_time_gone_by_is_not_free():
    monday = date(2026, 3, 30)
    working = [(at(monday, 8), at(monday, 16)), (at(monday + timedelta(days=1), 8), at(monday + timedelta(days=1), 16))]
    days = calendar.lay_out([monday, monday + timedelta(days=1)], [], working=working, now=at(monday, 12, 20))
    assert days[0].free == ((at(monday, 12, 20), at(monday, 16)),)
    assert days[1].free == days[1].working


def test_a_team_week_takes_a_fixed_number_of_queries(db, create_staff, create_client, create_enrolment,
                                                      add_appointment, count_queries):
    lead = create_staff(Role.WORKER, Role.TEAM_LEAD)
    workers = [create_staff(Role.WORKER) for _ in range(3)]
    week = calendar.week_of(date(2026, 11, 23))

    def book_week(hour: int) -> None:
        for worker in workers:
            for d in week[:5]:
                client = create_client()
                appointment = add_appointment(at(d, hour), workers=(worker,), client=client)
                appointment.enrolment_id = create_enrolment(client, coordinator=worker).id
        db.session.flush()

    book_week(9)
    with count_queries() as few:
        queries.calendars(lead, workers, week, "fi")
    book_week(13)
    with count_queries() as many:
        team = queries.calendars(lead, workers, week, "fi")
    assert len(many) == len(few) <= 8
    assert sum(len(d.items) for cal in team for d in cal.days) == 30
    assert all(item.client is not None for cal in team for item in cal.items)  # the lead sees the unit's clients
