"""Helsinki wall-clock time, Finnish public holidays and interval arithmetic for scheduling.

Appointments are stored in UTC; people book in Helsinki local time. Converting between the two is
where daylight-saving bugs live, so every conversion goes through here:

- spring forward (last Sunday of March, 03:00 → 04:00): a local time in the gap does not exist, and
  ``local`` refuses it rather than quietly moving the appointment by an hour;
- fall back (last Sunday of October, 04:00 → 03:00): a local time in the repeated hour happens
  twice, and ``local`` takes the first occurrence (``fold=0``).

Holidays come from the ``holidays`` library (Finland, public category: including Juhannusaatto and
Jouluaatto, which are days off in practice), never from a hand-written list.

The interval helpers at the end work on sorted lists of [start, end) pairs of aware datetimes; the
availability queries fetch a few such lists and answer everything else with them, in Python.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

HELSINKI = ZoneInfo("Europe/Helsinki")

Interval = tuple[datetime, datetime]  # [start, end), aware


class NonexistentLocalTime(ValueError):
    """A Helsinki wall-clock time skipped by the spring daylight-saving change."""


def local(d: date, t: time) -> datetime:
    """The instant (aware, UTC) of wall-clock time ``t`` on day ``d`` in Helsinki.

    Raises NonexistentLocalTime for a time in the spring gap; an ambiguous autumn time resolves to
    its first occurrence.
    """
    wall = datetime.combine(d, t.replace(tzinfo=None, fold=0), tzinfo=HELSINKI)
    instant = wall.astimezone(UTC)
    # zoneinfo maps a gap time to *some* instant without complaint; only a round trip tells.
    if instant.astimezone(HELSINKI).replace(tzinfo=None) != wall.replace(tzinfo=None):
        raise NonexistentLocalTime(f"{d.isoformat()} {t.isoformat()} does not exist in Europe/Helsinki")
    return instant


def local_lenient(d: date, t: time) -> datetime:
    """Like ``local`` but a gap time moves forward by the gap (03:30 → 04:30) instead of raising.

    For the edges of working windows, which must always produce an instant; not for appointments.
    """
    try:
        return local(d, t)
    except NonexistentLocalTime:
        # fold=0 reads the gap time with the pre-change offset, i.e. one hour later on the new clock.
        return datetime.combine(d, t.replace(tzinfo=None, fold=0), tzinfo=HELSINKI).astimezone(UTC)


def local_date(dt: datetime) -> date:
    """The Helsinki calendar day of an aware instant."""
    return as_helsinki(dt).date()


def as_helsinki(dt: datetime) -> datetime:
    """An aware instant on the Helsinki wall clock; naive datetimes are refused (their zone is a guess)."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime: scheduling needs aware datetimes")
    return dt.astimezone(HELSINKI)


def as_utc(dt: datetime) -> datetime:
    """An aware instant in UTC; naive datetimes are refused."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime: scheduling needs aware datetimes")
    return dt.astimezone(UTC)


def days(start: date, end: date) -> Iterator[date]:
    """Every day from ``start`` to ``end``, both included."""
    for n in range((end - start).days + 1):
        yield start + timedelta(days=n)


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> Mapping[date, str]:
    # Building a holidays calendar computes Easter and friends: do it once per year, not per call.
    calendar = holidays.country_holidays("FI", years=year, language="fi")
    return MappingProxyType(dict(calendar.items()))


def holiday_name(d: date) -> str | None:
    """The Finnish name of the public holiday on ``d``, or None on an ordinary day."""
    return _holidays_of(d.year).get(d)


def is_holiday(d: date) -> bool:
    """Whether ``d`` is a Finnish public holiday (including Juhannusaatto and Jouluaatto)."""
    return d in _holidays_of(d.year)


def holidays_between(start: date, end: date) -> dict[date, str]:
    """The Finnish public holidays from ``start`` to ``end`` (both included), by day, with names."""
    found: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        found.update((d, name) for d, name in _holidays_of(year).items() if start <= d <= end)
    return dict(sorted(found.items()))


# --- interval arithmetic: pure, on [start, end) intervals of aware datetimes ---------------------

def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with overlapping and touching intervals joined into one."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """The times inside both sets of intervals."""
    a, b = merge(a), merge(b)
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(windows: Iterable[Interval], busy: Iterable[Interval]) -> list[Interval]:
    """The parts of ``windows`` not covered by any ``busy`` interval."""
    busy = merge(busy)
    free: list[Interval] = []
    first = 0
    for start, end in merge(windows):
        while first < len(busy) and busy[first][1] <= start:
            first += 1  # both lists are sorted, so a busy interval left behind stays behind
        cursor, i = start, first
        while i < len(busy) and busy[i][0] < end and cursor < end:
            if busy[i][0] > cursor:
                free.append((cursor, busy[i][0]))
            cursor = max(cursor, busy[i][1])
            i += 1
        if cursor < end:
            free.append((cursor, end))
    return free


def widen(intervals: Iterable[Interval], minutes: int) -> list[Interval]:
    """Each interval grown by ``minutes`` on both sides (travel to and from a home visit)."""
    pad = timedelta(minutes=minutes)
    return [(start - pad, end + pad) for start, end in intervals]


def overlaps_any(merged: Sequence[Interval], start: datetime, end: datetime) -> bool:
    """Whether [start, end) overlaps one of the sorted, merged intervals."""
    i = bisect_right(merged, start, key=lambda iv: iv[0])
    return (i > 0 and merged[i - 1][1] > start) or (i < len(merged) and merged[i][0] < end)


def inside_any(merged: Sequence[Interval], start: datetime, end: datetime) -> bool:
    """Whether [start, end) lies wholly inside one of the sorted, merged intervals."""
    i = bisect_right(merged, start, key=lambda iv: iv[0])
    return i > 0 and merged[i - 1][1] >= end


def align_up(moment: datetime, step: timedelta) -> datetime:
    """The first time at or after ``moment`` on the step grid of the Helsinki wall clock (:00, :15…)."""
    wall = as_helsinki(moment)
    into_day = timedelta(hours=wall.hour, minutes=wall.minute, seconds=wall.second, microseconds=wall.microsecond)
    rest = into_day % step
    return moment if not rest else moment + (step - rest)
