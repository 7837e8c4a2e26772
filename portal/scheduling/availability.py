"""Free time: when workers and a client can all meet, and whether a whole series of contacts fits.

This has to stay fast with a county's worth of appointments, so it never asks the database about a
single candidate slot. Each request makes a fixed number of set-based queries — the working hours of
the workers, and one query for everyone's busy time (appointments and absences) over the whole
window — and does the rest as interval arithmetic in Python on those few intervals.

"Busy" means exactly what the database's no-double-booking constraint compares: the blocking
participant rows of a person (``busy_from``/``busy_until``, which already include the travel time
stored with each appointment). So a slot offered here is a slot the constraint will accept, unless
someone books it first.

Working hours: a worker with no ``WorkingHours`` rows is assumed to work Monday to Friday 8:00–16:00
Helsinki time (``DEFAULT_HOURS``). Nobody works on Finnish public holidays.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

from sqlalchemy import ColumnElement, Select, String, and_, bindparam, cast, func, literal, select, union_all

from portal.db import read
from portal.extensions import db
from portal.scheduling import commitments
from portal.scheduling.models import Absence, Participant, WorkingHours
from portal.scheduling.timeutil import (
    Interval,
    NonexistentLocalTime,
    align_up,
    as_helsinki,
    as_utc,
    days,
    holiday_name,
    holidays_between,
    inside_any,
    intersect,
    local,
    local_date,
    local_lenient,
    merge,
    overlaps_any,
    subtract,
    widen,
)

DEFAULT_HOURS: dict[int, list[tuple[time, time]]] = {weekday: [(time(8), time(16))] for weekday in range(5)}


def user_key(user_id: int) -> str:
    """A worker's ``person_key`` in appointment_participants."""
    return f"u:{user_id}"


def client_key(client_id: int) -> str:
    """A client's ``person_key`` in appointment_participants."""
    return f"c:{client_id}"


# --- free time ----------------------------------------------------------------------------------

def slot_starts(free: Sequence[Interval], minutes: int, *, step_minutes: int, not_before: datetime,
                limit: int, accept: Callable[[datetime], bool] | None = None) -> list[datetime]:
    """The first ``limit`` grid times at which ``minutes`` fit inside one of the ``free`` intervals."""
    length, step = timedelta(minutes=minutes), timedelta(minutes=step_minutes)
    found: list[datetime] = []
    for start, end in merge(free):
        candidate = align_up(max(start, not_before), step)
        while candidate + length <= end and len(found) < limit:
            if accept is None or accept(candidate):
                found.append(candidate)
            candidate += step
        if len(found) >= limit:
            break
    return found


PARTS_OF_DAY = (time(12), time(16))  # morning until 12, afternoon until 16, then later in the day


def spread(starts: Sequence[datetime], limit: int) -> list[datetime]:
    """At most ``limit`` of ``starts`` (sorted), spread over days and parts of the day: the first free time of
    each Helsinki morning, afternoon and later part in turn, then the earliest of the rest; in time order.

    Eight consecutive quarter hours of one morning are one choice offered eight times.
    """
    def bucket(moment: datetime) -> tuple[date, int]:
        local_moment = as_helsinki(moment)
        return local_moment.date(), sum(local_moment.time() >= edge for edge in PARTS_OF_DAY)

    firsts: dict[tuple[date, int], datetime] = {}
    for moment in starts:
        firsts.setdefault(bucket(moment), moment)
    chosen = list(firsts.values())[:limit]
    if len(chosen) < limit:
        taken = set(chosen)
        chosen += [moment for moment in starts if moment not in taken][:limit - len(chosen)]
    return sorted(chosen)


# --- set-based queries --------------------------------------------------------------------------

def busy_intervals(person_keys: Sequence[str], start: datetime, end: datetime,
                   held: Mapping[int, Sequence[commitments.Commitment]] | None = None) -> dict[str, list[Interval]]:
    """Everyone's busy time overlapping [start, end), by person key, sorted and merged.

    One statement: the blocking participant rows of the people, plus the absences of the users among
    them, plus the time other features hold (``commitments``; pass ``held`` when already read). Every key asked
    for is in the answer, with an empty list when the person is free.
    """
    keys = sorted(set(person_keys))
    found: dict[str, list[Interval]] = {key: [] for key in keys}
    if not keys:
        return found
    start, end = as_utc(start), as_utc(end)
    user_ids = [int(key[2:]) for key in keys if key.startswith("u:")]
    statement = _busy_statement(db.session.get_bind().dialect.name, bool(user_ids))
    rows = read(statement, {"keys": keys, "user_ids": user_ids, "start": start, "end": end}).all()
    for key, busy_from, busy_until in rows:  # one fetch, not row by row
        found[key].append((busy_from, busy_until))
    # Time other features hold (a SAP agenda slot): busy too, though no appointment row exists for it.
    held = commitments.of_users(user_ids, start, end) if held is None else held
    for user_id, rows in held.items():
        if user_key(user_id) in found:
            found[user_key(user_id)].extend((c.starts_at, c.ends_at) for c in rows)
    return {key: merge(intervals) for key, intervals in found.items()}


@cache
def _busy_statement(dialect: str, with_absences: bool):
    """busy_intervals' statement, built once per process (parameters keys, user_ids, start and end): the
    calendar and every slot search run it, and building it cost more CPU than running it."""
    start, end = bindparam("start"), bindparam("end")
    booked = select(Participant.person_key, Participant.busy_from, Participant.busy_until).where(
        Participant.person_key.in_(bindparam("keys", expanding=True)), Participant.blocking,
        _busy_overlaps(dialect, start, end))
    if not with_absences:
        return booked
    absent = select(literal("u:", String) + cast(Absence.user_id, String), Absence.starts_at, Absence.ends_at)
    return union_all(booked, absent.where(
        Absence.user_id.in_(bindparam("user_ids", expanding=True)), Absence.starts_at < end, Absence.ends_at > start))


def _busy_overlaps(dialect: str, start, end) -> ColumnElement[bool]:
    if dialect == "postgresql":
        # Written as the exclusion constraint's own expression so that its GiST index finds the rows;
        # the btree (person_key, busy_from) would read the person's whole history up to ``end``.
        busy = func.tstzrange(Participant.busy_from, Participant.busy_until, "[)")
        return busy.op("&&")(func.tstzrange(start, end, "[)"))
    return and_(Participant.busy_from < end, Participant.busy_until > start)


def working_windows(user_ids: Sequence[int], start_day: date, end_day: date) -> dict[int, list[Interval]]:
    """Each worker's working time (aware UTC intervals) on the Helsinki days ``start_day``…``end_day``.

    From ``WorkingHours`` (local wall-clock times, converted per day, so 9:00 stays 9:00 across a
    daylight-saving change), without Finnish public holidays. A worker with no rows gets
    ``DEFAULT_HOURS``: Monday to Friday 8:00–16:00.
    """
    ids = list(dict.fromkeys(user_ids))
    weeks: dict[int, dict[int, list[tuple[time, time]]]] = defaultdict(lambda: defaultdict(list))
    rows = read(_hours_statement(), {"ids": ids}).all()
    for user_id, weekday, starts, ends in rows:
        weeks[user_id][weekday].append((starts, ends))
    days_off = holidays_between(start_day, end_day)
    workdays = [d for d in days(start_day, end_day) if d not in days_off]
    windows: dict[int, list[Interval]] = {}
    for user_id in ids:
        week = weeks.get(user_id) or DEFAULT_HOURS
        # Lenient edges: hours that begin inside the spring gap begin when the clock resumes.
        spans = ((local_lenient(d, s), local_lenient(d, e)) for d in workdays for s, e in week.get(d.weekday(), ()))
        windows[user_id] = merge(span for span in spans if span[0] < span[1])
    return windows


@cache
def _hours_statement() -> Select:
    return select(WorkingHours.user_id, WorkingHours.weekday, WorkingHours.starts, WorkingHours.ends).where(
        WorkingHours.user_id.in_(bindparam("ids", expanding=True)))


def find_slots(worker_ids: Sequence[int], client_id: int | None, minutes: int, start: datetime, end: datetime,
               *, step_minutes: int = 15, buffer_minutes: int = 0, limit: int = 10,
               client_preferences: Callable[[datetime], bool] | None = None) -> list[datetime]:
    """The first free start times (aware, UTC) for a ``minutes``-long contact of all the workers and the client.

    A slot lies inside every worker's working time, between ``start`` and ``end``, on the
    ``step_minutes`` grid of the Helsinki clock, and overlaps nobody's busy time; a worker's busy time
    is widened by ``buffer_minutes`` on both sides (travel to a home visit). ``client_preferences``,
    if given, is called with a candidate start and returns False to pass it over.
    """
    workers = _check(worker_ids, minutes, step_minutes)
    start, end = as_utc(start), as_utc(end)
    if end <= start:
        raise ValueError("end must be after start")
    windows = working_windows(workers, local_date(start), local_date(end))
    common = [(start, end)]
    for user_id in workers:
        common = intersect(common, windows[user_id])
    blocked = _blocked_by_person(workers, client_id, start, end, buffer_minutes)
    free = subtract(common, (iv for intervals in blocked.values() for iv in intervals))
    return slot_starts(free, minutes, step_minutes=step_minutes, not_before=start, limit=limit,
                       accept=client_preferences)


def _check(worker_ids: Sequence[int], minutes: int, step_minutes: int = 1) -> list[int]:
    """The workers without repeats; refuses requests that cannot mean anything."""
    workers = list(dict.fromkeys(worker_ids))
    if not workers:
        raise ValueError("at least one worker is needed")
    if minutes <= 0 or step_minutes <= 0:
        raise ValueError("minutes and step_minutes must be positive")
    return workers


def _blocked_by_person(workers: Sequence[int], client_id: int | None, start: datetime, end: datetime,
                       buffer_minutes: int) -> dict[str, list[Interval]]:
    """Busy time per person key, the workers' widened by the buffer (one query for the whole window)."""
    pad = timedelta(minutes=buffer_minutes)
    keys = [user_key(u) for u in workers] + ([client_key(client_id)] if client_id is not None else [])
    busy = busy_intervals(keys, start - pad, end + pad)
    # In the order asked (workers, then the client), so conflicts are reported in that order too.
    return {key: merge(widen(busy[key], buffer_minutes)) if key.startswith("u:") else busy[key] for key in keys}


# --- series -------------------------------------------------------------------------------------

class ConflictReason(enum.StrEnum):
    WORKER_BUSY = "worker_busy"  # another appointment, its travel buffer, or an absence
    CLIENT_BUSY = "client_busy"
    HOLIDAY = "holiday"
    OUTSIDE_WORKING_HOURS = "outside_working_hours"
    DST_GAP = "dst_gap"  # the local time does not exist that day (spring forward)


@dataclass(frozen=True)
class Conflict:
    """Why one contact of a series cannot be booked as planned."""

    reason: ConflictReason
    person_key: str | None = None  # whose time it is, for the busy and working-hours reasons
    detail: str | None = None  # the holiday's name


@dataclass(frozen=True)
class Occurrence:
    """One contact of a series: its Helsinki day and time, its instants (None in a DST gap), its conflicts."""

    day: date
    local_time: time
    starts_at: datetime | None
    ends_at: datetime | None
    conflicts: tuple[Conflict, ...] = ()

    @property
    def free(self) -> bool:
        return not self.conflicts


@dataclass(frozen=True)
class SeriesPlan:
    """Every planned contact of a series in order, the conflicting ones included (never skipped)."""

    occurrences: tuple[Occurrence, ...]

    @property
    def free(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.free]

    @property
    def conflicting(self) -> list[Occurrence]:
        return [o for o in self.occurrences if not o.free]

    @property
    def all_free(self) -> bool:
        return all(o.free for o in self.occurrences)


def series_days(first_start: datetime, pattern: Sequence[tuple[int, time]], weeks: int) -> list[tuple[date, time]]:
    """The (Helsinki day, local time) of every contact: ``pattern`` is (weekday 0=Monday, time) pairs,
    repeated for ``weeks`` calendar weeks counted from the week of ``first_start``; nothing before it."""
    first = as_helsinki(first_start)
    monday = first.date() - timedelta(days=first.weekday())
    wanted = [(monday + timedelta(weeks=w, days=weekday), t.replace(tzinfo=None))
              for w in range(weeks) for weekday, t in sorted(pattern)]
    return [(d, t) for d, t in wanted if (d, t) >= (first.date(), first.time())]


def plan_series(worker_ids: Sequence[int], client_id: int | None, minutes: int, first_start: datetime,
                pattern: Sequence[tuple[int, time]] | None = None, weeks: int = 1, *,
                buffer_minutes: int = 0) -> SeriesPlan:
    """Every contact of a weekly series, each free or with all its conflicts; nothing is skipped.

    ``pattern`` defaults to the weekday and Helsinki time of ``first_start``. The checks are those of
    ``find_slots`` (one busy query for the whole series window), and each conflict says why: a busy
    worker or client, a holiday, outside a worker's hours, or a time that does not exist that day.
    """
    workers = _check(worker_ids, minutes)
    pattern = pattern or [(as_helsinki(first_start).weekday(), as_helsinki(first_start).time())]
    planned = [(d, t, _instant_or_none(d, t)) for d, t in series_days(first_start, pattern, weeks)]
    instants = [s for _, _, s in planned if s is not None]
    if not instants:
        return SeriesPlan(tuple(_judge(d, t, s, minutes, {}, {}) for d, t, s in planned))
    length = timedelta(minutes=minutes)
    windows = working_windows(workers, planned[0][0], planned[-1][0])
    blocked = _blocked_by_person(workers, client_id, min(instants), max(instants) + length, buffer_minutes)
    return SeriesPlan(tuple(_judge(d, t, s, minutes, windows, blocked) for d, t, s in planned))


def _instant_or_none(d: date, t: time) -> datetime | None:
    try:
        return local(d, t)
    except NonexistentLocalTime:
        return None


def _judge(d: date, t: time, starts_at: datetime | None, minutes: int, windows: dict[int, list[Interval]],
           blocked: dict[str, list[Interval]]) -> Occurrence:
    if starts_at is None:
        return Occurrence(d, t, None, None, (Conflict(ConflictReason.DST_GAP),))
    ends_at = starts_at + timedelta(minutes=minutes)
    conflicts: list[Conflict] = []
    holiday = holiday_name(d)
    if holiday:
        conflicts.append(Conflict(ConflictReason.HOLIDAY, detail=holiday))
    else:  # on a holiday nobody's hours apply, so "outside working hours" would only repeat it
        conflicts += [Conflict(ConflictReason.OUTSIDE_WORKING_HOURS, user_key(user_id))
                      for user_id, spans in windows.items() if not inside_any(spans, starts_at, ends_at)]
    for key, spans in blocked.items():
        if overlaps_any(spans, starts_at, ends_at):
            reason = ConflictReason.WORKER_BUSY if key.startswith("u:") else ConflictReason.CLIENT_BUSY
            conflicts.append(Conflict(reason, key))
    return Occurrence(d, t, starts_at, ends_at, tuple(conflicts))
