"""A worker's own working hours and absences: setting them, and what they mean for booked appointments.

Working hours are a weekly pattern of Helsinki wall-clock ranges (``WorkingHours``); a worker with no
rows gets the default week (``availability.DEFAULT_HOURS``), so a saved week always has at least one
range. Absences are stored as UTC instants; by default they cover whole Helsinki days. Neither is
client data, so no audit record is written; an absence over booked appointments is allowed, and the
appointments it covers are returned so that the worker can move or cancel them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, delete, select

from portal.auth.models import User
from portal.db import read
from portal.extensions import db
from portal.i18n import _
from portal.scheduling.availability import DEFAULT_HOURS
from portal.scheduling.models import ACTIVE_STATUSES, Absence, Appointment, Participant, WorkingHours
from portal.scheduling.timeutil import as_helsinki, local, local_date

MAX_RANGES_A_DAY = 2
STEP_MINUTES = 5
REASON_MAX = 200

Week = dict[int, list[tuple[time, time]]]  # weekday (0 = Monday) → sorted (starts, ends) ranges


class HoursError(ValueError):
    """Working hours or an absence that cannot be saved; ``str()`` is translated.

    ``weekday`` and ``index`` (of the range, 0 or 1) say where the problem is, when it is in one place.
    """

    def __init__(self, message, weekday: int | None = None, index: int | None = None) -> None:
        super().__init__(message)
        self.message, self.weekday, self.index = message, weekday, index

    def __str__(self) -> str:
        return str(self.message)


# --- working hours ------------------------------------------------------------------------------

def week_of(user: User) -> Week:
    """The user's saved week; empty when nothing is saved (then the default week applies)."""
    rows = read(_week_statement(), {"user_id": user.id}).all()
    week: Week = {}
    for weekday, starts, ends in rows:
        week.setdefault(weekday, []).append((starts, ends))
    return week


@cache
def _week_statement() -> Select:
    """Built once per process: every client's home page asks it (its contact person's hours)."""
    return (select(WorkingHours.weekday, WorkingHours.starts, WorkingHours.ends)
            .where(WorkingHours.user_id == bindparam("user_id")).order_by(WorkingHours.weekday, WorkingHours.starts))


def effective_week(user: User) -> tuple[Week, bool]:
    """The week the slot finder uses for the user, and whether it is the default one."""
    week = week_of(user)
    return (week, False) if week else ({d: list(r) for d, r in DEFAULT_HOURS.items()}, True)


def set_working_hours(actor: User, user: User, rows: Mapping[int, Sequence[tuple[time, time]]]) -> None:
    """Replace the user's whole week with ``rows`` (weekday → ranges), all or nothing.

    Refuses (HoursError) a range that does not end after it starts, overlapping ranges, more than two
    ranges a day, times off the five-minute grid, and a week without any working time.
    """
    _require_self(actor, user)
    week = validate_week(rows)
    db.session.execute(delete(WorkingHours).where(WorkingHours.user_id == user.id))
    db.session.add_all(WorkingHours(user_id=user.id, weekday=weekday, starts=starts, ends=ends)
                       for weekday, ranges in week.items() for starts, ends in ranges)
    db.session.flush()


def validate_week(rows: Mapping[int, Sequence[tuple[time, time]]]) -> Week:
    """The week sorted and checked; raises HoursError at the first problem."""
    week: Week = {}
    for weekday in sorted(rows):
        ranges = list(rows[weekday])
        if weekday not in range(7):
            raise HoursError(_("The weekday is not valid."))
        if len(ranges) > MAX_RANGES_A_DAY:
            raise HoursError(_("A day can have at most %(count)s working-time ranges.", count=MAX_RANGES_A_DAY),
                             weekday, MAX_RANGES_A_DAY)
        for index, (starts, ends) in enumerate(ranges):
            _check_range(weekday, index, starts, ends)
        ordered = sorted(ranges)
        for (_s, first_end), (second_start, _e) in zip(ordered, ordered[1:], strict=False):
            if second_start < first_end:
                raise HoursError(_("The working-time ranges of one day may not overlap."), weekday, 1)
        if ordered:
            week[weekday] = ordered
    if not week:
        raise HoursError(_("Enter working hours for at least one day."))
    return week


def _check_range(weekday: int, index: int, starts: time, ends: time) -> None:
    for moment in (starts, ends):
        if moment.minute % STEP_MINUTES or moment.second or moment.microsecond:
            raise HoursError(_("Use times in steps of five minutes, for example 8:05 or 16:30."), weekday, index)
    if ends <= starts:
        raise HoursError(_("The end of working time must be after its start."), weekday, index)


# --- absences -----------------------------------------------------------------------------------

@dataclass
class AbsenceView:
    """An absence as the worker's page shows it: whole days or times, and the appointments it covers."""

    absence: Absence
    first_day: date
    last_day: date
    whole_days: bool
    covered: list[Appointment] = field(default_factory=list)


def add_absence(actor: User, user: User, start_day: date, end_day: date | None = None, reason: str | None = None,
                *, start_time: time | None = None, end_time: time | None = None) -> tuple[Absence, list[Appointment]]:
    """Record an absence and return it with the booked appointments it covers (a warning, not a refusal).

    Whole Helsinki days from ``start_day`` to ``end_day`` (both included; one day when ``end_day`` is
    None) unless times are given. Refuses an end before the start and absences longer than a year.
    """
    _require_self(actor, user)
    starts_at, ends_at = absence_instants(start_day, end_day or start_day, start_time, end_time)
    reason = (reason or "").strip() or None
    if reason and len(reason) > REASON_MAX:
        raise HoursError(_("Write the reason in at most %(count)s characters.", count=REASON_MAX))
    absence = Absence(user_id=user.id, starts_at=starts_at, ends_at=ends_at, reason=reason)
    db.session.add(absence)
    db.session.flush()
    return absence, covered_appointments(user, starts_at, ends_at)


def absence_instants(start_day: date, end_day: date, start_time: time | None = None,
                     end_time: time | None = None) -> tuple[datetime, datetime]:
    """The UTC instants of an absence from its Helsinki days (and times); raises HoursError."""
    if end_day < start_day:
        raise HoursError(_("The last day of the absence cannot be before its first day."))
    if end_day >= _one_year_after(start_day):
        raise HoursError(_("An absence can be at most a year long. Add a longer one in parts."))
    try:
        starts_at = local(start_day, start_time or time(0))
        # Local midnight always exists in Helsinki (the clocks change at 3 and 4 o'clock).
        ends_at = local(end_day, end_time) if end_time else local(end_day + timedelta(days=1), time(0))
    except ValueError:
        raise HoursError(_("That time does not exist in Helsinki: the clocks go forward that night.")) from None
    if ends_at <= starts_at:
        raise HoursError(_("The end of the absence must be after its start."))
    return starts_at, ends_at


def _one_year_after(d: date) -> date:
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year + 1, day=28)


def remove_absence(actor: User, absence: Absence) -> None:
    """Delete one of the actor's own absences."""
    if absence.user_id != actor.id:
        raise PermissionError("only one's own absences can be removed")
    db.session.delete(absence)
    db.session.flush()


def covered_appointments(user: User, starts_at: datetime, ends_at: datetime) -> list[Appointment]:
    """The user's booked (or confirmed) appointments overlapping [starts_at, ends_at), in time order."""
    return list(db.session.scalars(
        select(Appointment).join(Participant).where(
            Participant.user_id == user.id, Appointment.status.in_(ACTIVE_STATUSES),
            Appointment.starts_at < ends_at, Appointment.ends_at > starts_at)
        .order_by(Appointment.starts_at).distinct()))


def upcoming_absences(user: User, now: datetime) -> list[AbsenceView]:
    """The user's absences not yet over, each with the appointments it covers (two queries)."""
    absences = list(db.session.scalars(select(Absence).where(Absence.user_id == user.id, Absence.ends_at > now)
                                       .order_by(Absence.starts_at)))
    if not absences:
        return []
    booked = covered_appointments(user, min(a.starts_at for a in absences), max(a.ends_at for a in absences))
    return [_view(a, [b for b in booked if b.starts_at < a.ends_at and b.ends_at > a.starts_at]) for a in absences]


def _view(absence: Absence, covered: list[Appointment]) -> AbsenceView:
    start, end = as_helsinki(absence.starts_at), as_helsinki(absence.ends_at)
    whole = start.time() == time(0) and end.time() == time(0)
    last = local_date(absence.ends_at - timedelta(microseconds=1)) if whole else end.date()
    return AbsenceView(absence, start.date(), last, whole, covered)


def _require_self(actor: User, user: User) -> None:
    # Each worker keeps their own hours and absences; nobody edits someone else's.
    if actor.id != user.id:
        raise PermissionError("working hours and absences are set by the worker themselves")
