"""Assessment deadlines in Finnish working days (SWA §36), from configurable rules.

A working day is Monday to Friday and not a Finnish public holiday (``scheduling.timeutil`` knows them,
from the ``holidays`` library, Juhannusaatto and Jouluaatto included). The day a contact is received is
day 0; "by the 7th working day" is the seventh working day after it.

People over 75 and recipients of the highest care allowance: the assessment starts by the 7th working day
(``INTAKE_PRIORITY_START_WORKING_DAYS``). Everyone: completed "without undue delay", which the law does
not count; the region sets it as ``INTAKE_ASSESSMENT_WORKING_DAYS`` — 30 working days by default (about six
weeks, so that a case reaches one of the twice-weekly decision meetings well within the three months the
Social Welfare Act allows for deciding once the matter is pending).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app

from portal.intake.models import AssessmentRule
from portal.scheduling.timeutil import is_holiday

DEFAULT_PRIORITY_START_DAYS = 7
DEFAULT_COMPLETE_DAYS = 30
PRIORITY_AGE = 75  # "over 75": from the year the person turns 76 (only the birth year is recorded)


def is_working_day(d: date) -> bool:
    return d.weekday() < 5 and not is_holiday(d)


def add_working_days(start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself is day 0, whatever it is)."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    while count:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n)))


@dataclass(frozen=True)
class Deadlines:
    rule: AssessmentRule
    start_due_on: date | None
    due_on: date


def is_priority(birth_year: int | None, highest_care_allowance: bool, on: date) -> bool:
    over_75 = birth_year is not None and on.year - birth_year > PRIORITY_AGE
    return over_75 or highest_care_allowance


def deadlines_for(received_on: date, priority: bool, config: dict | None = None) -> Deadlines:
    """The start (priority groups) and completion deadlines of an assessment of a contact received that day."""
    config = current_app.config if config is None else config
    complete = int(config.get("INTAKE_ASSESSMENT_WORKING_DAYS", DEFAULT_COMPLETE_DAYS))
    due_on = add_working_days(received_on, complete)
    if not priority:
        return Deadlines(AssessmentRule.undue_delay, None, due_on)
    start = int(config.get("INTAKE_PRIORITY_START_WORKING_DAYS", DEFAULT_PRIORITY_START_DAYS))
    return Deadlines(AssessmentRule.priority, add_working_days(received_on, start), due_on)
