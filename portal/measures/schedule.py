"""When each instrument is asked, from the programme definition: occurrences and their open windows.

An occurrence is one asking of one instrument in one enrolment, named by a short key that is stable
(so an answer, its draft and a second submission all find the same row):

- ``appt-<id>``: ORS before / SRS after the meeting of appointment <id>;
- ``start``, ``month-<n>``, ``end``: 3X10D at enrolment start, at n months, at the end (only if the end
  comes before the n-month point: "at six months, or at the end if earlier", seed 002);
- ``end``, ``year-<yyyy>``, ``period-<yyyy>q<n>``: feedback at the end, the yearly survey, the collection
  periods at the start of each quarter.

Everything here is plain Python over plain facts (no database), so it is tested directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from portal.programmes.definitions_schema import FeedbackSchedule, MeasureWhen, ProgrammeDefinition
from portal.scheduling.timeutil import local_lenient

ORS_OPENS_BEFORE = timedelta(hours=24)  # the client may answer ORS from the day before the meeting
# SRS rates the meeting that just ended: it opens when that meeting ends and closes when the next one
# starts, or after a day. A later answer would be plotted, and alerted on, as a meeting it no longer is.
SRS_STAYS_OPEN = timedelta(hours=24)
START_OPEN_DAYS = 60
AROUND_POINT = (timedelta(days=14), timedelta(days=30))  # before and after the 6-month / end point
DEFAULT_YEARLY_MONTH, DEFAULT_YEARLY_DAYS, DEFAULT_PERIOD_DAYS = 11, 30, 14
END_KEY = "end"  # the occurrences "at the end": the only ones a client answers after the service ended


@dataclass(frozen=True)
class EnrolmentFacts:
    id: int
    start_on: date
    end_on: date | None  # ended_on, else planned_end_on
    ended: bool


@dataclass(frozen=True)
class MeetingFacts:
    appointment_id: int
    starts_at: datetime
    ends_at: datetime
    ended_at: datetime | None = None  # when it really ended, if before ``ends_at`` (a call left early)

    @property
    def over_at(self) -> datetime:
        return min(self.ends_at, self.ended_at) if self.ended_at is not None else self.ends_at


@dataclass(frozen=True)
class Occurrence:
    instrument: str
    key: str
    opens_at: datetime
    closes_at: datetime
    appointment_id: int | None = None
    months: int | None = None  # for "at n months"

    def open_at(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at


@lru_cache(maxsize=4096)  # pure; a county-wide reminder scan asks the same few hundred dates again and again
def _midnight(d: date) -> datetime:
    return local_lenient(d, time(0))


def add_months(d: date, months: int) -> date:
    month_index = d.month - 1 + months
    year, month = d.year + month_index // 12, month_index % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def all_occurrences(definition: ProgrammeDefinition, enrolment: EnrolmentFacts,
                    meetings: Iterable[MeetingFacts], until: date) -> list[Occurrence]:
    """Every occurrence the programme defines for this enrolment that has opened by ``until``."""
    found = _measure_occurrences(definition, enrolment, list(meetings)) + _feedback_occurrences(
        definition, enrolment, until)
    limit = _midnight(until + timedelta(days=1))
    return sorted((o for o in found if o.opens_at < limit), key=lambda o: (o.opens_at, o.instrument))


def open_occurrences(definition: ProgrammeDefinition, enrolment: EnrolmentFacts,
                     meetings: Iterable[MeetingFacts], now: datetime) -> list[Occurrence]:
    """The occurrences a client may answer right now."""
    return [o for o in all_occurrences(definition, enrolment, meetings, now.date() + timedelta(days=1))
            if o.open_at(now)]


def _measure_occurrences(definition, enrolment: EnrolmentFacts, meetings: list[MeetingFacts]) -> list[Occurrence]:
    found: list[Occurrence] = []
    month_points = {m.instrument: m.months for m in definition.measures if m.when is MeasureWhen.AT_MONTH}
    for measure in definition.measures:
        code = measure.instrument
        if measure.when is MeasureWhen.BEFORE_MEETING:
            found += [Occurrence(code, f"appt-{m.appointment_id}", m.starts_at - ORS_OPENS_BEFORE, m.ends_at,
                                 m.appointment_id) for m in meetings]
        elif measure.when is MeasureWhen.AFTER_MEETING:
            found += [srs_window(code, m, meetings) for m in meetings]
        elif measure.when is MeasureWhen.AT_START:
            opens = _midnight(enrolment.start_on)
            found.append(Occurrence(code, "start", opens, opens + timedelta(days=START_OPEN_DAYS)))
        elif measure.when is MeasureWhen.AT_MONTH:
            point = add_months(enrolment.start_on, measure.months)
            if enrolment.end_on is None or enrolment.end_on >= point - AROUND_POINT[0]:
                found.append(_around(code, f"month-{measure.months}", point, months=measure.months))
        elif measure.when is MeasureWhen.AT_END and enrolment.end_on is not None:
            months = month_points.get(code)
            if months is None or enrolment.end_on < add_months(enrolment.start_on, months) - AROUND_POINT[0]:
                found.append(_around(code, END_KEY, enrolment.end_on))
    return found


def srs_window(code: str, meeting: MeetingFacts, meetings: list[MeetingFacts]) -> Occurrence:
    """Open from the end of ``meeting`` until the next meeting starts, or ``SRS_STAYS_OPEN`` at most."""
    opens = meeting.over_at
    later = [m.starts_at for m in meetings if m.starts_at > meeting.starts_at and m.starts_at >= opens]
    closes = min([opens + SRS_STAYS_OPEN, *later])
    return Occurrence(code, f"appt-{meeting.appointment_id}", opens, closes, meeting.appointment_id)


def _around(code: str, key: str, point: date, months: int | None = None) -> Occurrence:
    return Occurrence(code, key, _midnight(point - AROUND_POINT[0]), _midnight(point + AROUND_POINT[1]),
                      months=months)


def _feedback_occurrences(definition, enrolment: EnrolmentFacts, until: date) -> list[Occurrence]:
    found: list[Occurrence] = []
    for feedback in definition.feedback:
        if feedback.schedule is FeedbackSchedule.AT_END:
            if enrolment.end_on is not None:
                found.append(_around(feedback.form, END_KEY, enrolment.end_on))
            continue
        for key, opens_on, days in _periods(feedback, enrolment.start_on, until):
            closes_on = opens_on + timedelta(days=days)
            # Only periods the client was in the service for.
            if closes_on > enrolment.start_on and (enrolment.end_on is None or opens_on <= enrolment.end_on):
                found.append(Occurrence(feedback.form, key, _midnight(opens_on), _midnight(closes_on)))
    return found


def _periods(feedback, start_on: date, until: date):
    if feedback.schedule is FeedbackSchedule.YEARLY:
        month = feedback.month or DEFAULT_YEARLY_MONTH
        for year in range(start_on.year, until.year + 1):
            yield f"year-{year}", date(year, month, 1), feedback.period_days or DEFAULT_YEARLY_DAYS
    else:
        for year in range(start_on.year, until.year + 1):
            for quarter in range(4):
                yield (f"period-{year}q{quarter + 1}", date(year, 3 * quarter + 1, 1),
                       feedback.period_days or DEFAULT_PERIOD_DAYS)
