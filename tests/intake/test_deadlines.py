"""Assessment deadlines in Finnish working days: weekends and public holidays are skipped (SWA §36)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.intake.deadlines import add_working_days, deadlines_for, is_priority, working_days_between
from portal.intake.models import AssessmentRule


@pytest.mark.parametrize(("start", "count", "expected"), [
    (date(2026, 11, 16), 7, date(2026, 11, 25)),   # Monday: the 7th working day is Wednesday next week
    (date(2026, 11, 20), 1, date(2026, 11, 23)),   # Friday → Monday
    (date(2026, 11, 21), 1, date(2026, 11, 23)),   # received on a Saturday: day 0 is that Saturday
    (date(2026, 6, 15), 7, date(2026, 6, 25)),     # juhannusaatto (Fri 19 June) is not a working day
    (date(2026, 12, 21), 3, date(2026, 12, 28)),   # Christmas Eve and Christmas Day, then the weekend
    (date(2026, 4, 2), 1, date(2026, 4, 7)),       # Good Friday … Easter Monday
    (date(2026, 12, 4), 2, date(2026, 12, 8)),     # Independence Day falls on a Sunday in 2026
    (date(2026, 11, 16), 0, date(2026, 11, 16)),
])
def test_add_working_days(start, count, expected):
    assert add_working_days(start, count) == expected


def test_negative_count_is_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 1), -1)


def test_working_days_between_counts_what_add_adds():
    start = date(2026, 12, 18)
    for n in range(0, 25):
        assert working_days_between(start, add_working_days(start, n)) == n


def test_priority_groups():
    received = date(2026, 3, 2)
    assert is_priority(1950, False, received)       # 76 this year: over 75
    assert not is_priority(1951, False, received)   # 75 this year: not yet over 75
    assert is_priority(1990, True, received)        # highest care allowance
    assert not is_priority(None, False, received)


def test_priority_deadline_is_a_start_deadline(app):
    d = deadlines_for(date(2026, 6, 15), priority=True)
    assert d.rule is AssessmentRule.priority
    assert d.start_due_on == date(2026, 6, 25)
    assert d.due_on == add_working_days(date(2026, 6, 15), 30)


def test_others_have_only_the_configured_completion_deadline(app):
    d = deadlines_for(date(2026, 11, 16), priority=False, config={"INTAKE_ASSESSMENT_WORKING_DAYS": 10})
    assert (d.rule, d.start_due_on, d.due_on) == (AssessmentRule.undue_delay, None, date(2026, 11, 30))
