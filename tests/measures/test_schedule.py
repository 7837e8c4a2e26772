"""When instruments are asked, from the programme definitions (seed 000 FIT, seed 002 3X10D and feedback)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.measures.schedule import EnrolmentFacts, MeetingFacts, add_months, all_occurrences, open_occurrences
from portal.programmes.loader import load_definitions
from portal.scheduling.timeutil import local

PROGRAMMES = {code: item.definition for code, item in load_definitions(
    Path(__file__).resolve().parents[2] / "portal" / "programmes" / "definitions").items()}
FIT, REHAB = PROGRAMMES["remote-guidance"], PROGRAMMES["intensive-rehabilitation"]


def keys(occurrences):
    return sorted((o.instrument, o.key) for o in occurrences)


def test_ors_opens_the_day_before_and_closes_when_the_meeting_ends_srs_from_its_end_for_a_day():
    start = local(date(2026, 3, 10), time(10))
    meeting = MeetingFacts(7, start, start + timedelta(hours=1))
    enrolment = EnrolmentFacts(1, date(2026, 1, 5), None, False)
    at = lambda moment: keys(open_occurrences(FIT, enrolment, [meeting], moment))  # noqa: E731
    assert at(start - timedelta(hours=25)) == []
    assert at(start - timedelta(hours=2)) == [("ors", "appt-7")]
    assert at(start + timedelta(minutes=30)) == [("ors", "appt-7")]  # not before the meeting has ended
    assert at(start + timedelta(hours=1)) == [("srs", "appt-7")]
    assert at(start + timedelta(hours=24, minutes=59)) == [("srs", "appt-7")]
    assert at(start + timedelta(hours=25)) == []  # 24 hours after the end


def _srs(meetings, appointment_id):
    found = all_occurrences(FIT, EnrolmentFacts(1, date(2026, 1, 5), None, False), meetings, date(2026, 12, 31))
    return next(o for o in found if o.instrument == "srs" and o.appointment_id == appointment_id)


def test_srs_closes_when_the_next_meeting_starts():
    start = local(date(2026, 3, 10), time(10))
    first = MeetingFacts(1, start, start + timedelta(hours=1))
    second = MeetingFacts(2, start + timedelta(hours=5), start + timedelta(hours=6))
    srs = _srs([first, second], 1)
    assert (srs.opens_at, srs.closes_at) == (first.ends_at, second.starts_at)
    assert not srs.open_at(second.starts_at + timedelta(minutes=1))  # a late answer is not this meeting's
    assert _srs([first, second], 2).closes_at == second.ends_at + timedelta(hours=24)


def test_srs_opens_when_the_call_ended_early_for_the_client():
    start = local(date(2026, 3, 10), time(10))
    left = start + timedelta(minutes=35)
    srs = _srs([MeetingFacts(1, start, start + timedelta(hours=1), ended_at=left)], 1)
    assert (srs.opens_at, srs.closes_at) == (left, left + timedelta(hours=24))
    late = _srs([MeetingFacts(1, start, start + timedelta(hours=1), ended_at=start + timedelta(hours=3))], 1)
    assert late.opens_at == start + timedelta(hours=1)  # a call past its booked end: the booked end


def test_back_to_back_meetings_never_share_an_open_srs():
    start = local(date(2026, 3, 10), time(10))
    meetings = [MeetingFacts(i, start + timedelta(hours=i), start + timedelta(hours=i, minutes=50)) for i in range(4)]
    enrolment = EnrolmentFacts(1, date(2026, 1, 5), None, False)
    for minute in range(0, 5 * 60, 7):
        srs = [o for o in open_occurrences(FIT, enrolment, meetings, start + timedelta(minutes=minute))
               if o.instrument == "srs"]
        assert len(srs) <= 1


def test_3x10d_at_start_and_six_months_for_a_full_enrolment():
    enrolment = EnrolmentFacts(1, date(2026, 1, 5), date(2026, 7, 5), False)
    found = keys(all_occurrences(REHAB, enrolment, [], date(2026, 8, 31)))
    assert ("3x10d", "start") in found and ("3x10d", "month-6") in found
    assert ("3x10d", "end") not in found  # the six-month point is the end measurement


def test_3x10d_at_the_end_when_the_service_ends_before_six_months():
    enrolment = EnrolmentFacts(1, date(2026, 1, 5), date(2026, 3, 20), True)
    found = keys(all_occurrences(REHAB, enrolment, [], date(2026, 12, 31)))
    assert ("3x10d", "end") in found and ("3x10d", "month-6") not in found
    assert ("written-feedback", "end") in found


def test_feedback_periods_open_at_each_quarter_start_for_two_weeks():
    enrolment = EnrolmentFacts(1, date(2026, 2, 10), None, False)
    found = all_occurrences(REHAB, enrolment, [], date(2026, 10, 20))
    periods = [o for o in found if o.key.startswith("period-")]
    assert [o.key for o in periods] == ["period-2026q2", "period-2026q3", "period-2026q4"]
    assert all(o.closes_at - o.opens_at == timedelta(days=14) for o in periods)
    april = local(date(2026, 4, 3), time(12))
    assert ("written-feedback", "period-2026q2") in keys(open_occurrences(REHAB, enrolment, [], april))
    assert ("written-feedback", "period-2026q2") not in keys(open_occurrences(
        REHAB, enrolment, [], local(date(2026, 4, 16), time(12))))


def test_the_yearly_survey_runs_in_november():
    enrolment = EnrolmentFacts(1, date(2025, 3, 1), None, False)
    found = [o for o in all_occurrences(FIT, enrolment, [], date(2026, 11, 15))
             if o.instrument == "satisfaction-survey"]
    assert [o.key for o in found] == ["year-2025", "year-2026"]
    assert found[-1].opens_at == local(date(2026, 11, 1), time(0))


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)), st.integers(1, 60))
def test_add_months_lands_in_the_right_month_and_never_after_the_same_day(d, months):
    result = add_months(d, months)
    assert (result.year * 12 + result.month) - (d.year * 12 + d.month) == months
    assert result.day <= d.day


@pytest.mark.parametrize("now", [datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 6, 30, 23, tzinfo=UTC)])
def test_nothing_is_open_before_the_enrolment_starts(now):
    enrolment = EnrolmentFacts(1, date(2027, 1, 4), None, False)
    assert open_occurrences(REHAB, enrolment, [], now) == []
