"""Laying out a calendar: Helsinki days, what happens in them, working hours and free time.

Pure functions over aware datetimes: no database, no request. A Helsinki day runs from one local
midnight to the next, so it lasts 23 hours on the last Sunday of March and 25 on the last Sunday of
October; everything here counts in instants, never in "24 hours from midnight".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Protocol

import holidays

from portal.scheduling.timeutil import Interval, holiday_name, intersect, local_lenient, subtract

DAY, WEEK = "day", "week"
VIEWS = (DAY, WEEK)
_BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)
MIN_FREE_MINUTES = 15  # shorter gaps between appointments are not worth showing as free time
# The holidays library's language codes for the portal's languages.
_HOLIDAY_LANGUAGES = {"fi": "fi", "sv": "sv_FI", "en": "en_US"}


class Timed(Protocol):
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class CalendarDay:
    """One Helsinki day of one person's calendar."""

    day: date
    starts_at: datetime  # local midnight, as an aware instant
    ends_at: datetime  # the next local midnight
    holiday: str | None
    today: bool
    working: tuple[Interval, ...]  # working time inside the day
    away: tuple[Interval, ...]  # absences inside the day
    free: tuple[Interval, ...]  # working time nobody has booked, at least MIN_FREE_MINUTES long
    items: tuple  # what overlaps the day (appointments), by start time
    commitments: tuple = ()  # busy time other features hold (commitments.Commitment: a SAP agenda slot)

    @property
    def hours(self) -> int:
        """23, 24 or 25: the length of the day on the Helsinki clock."""
        return round((self.ends_at - self.starts_at) / timedelta(hours=1))

    @property
    def weekend(self) -> bool:
        return self.day.weekday() >= 5

    def started_earlier(self, item: Timed) -> bool:
        """Whether ``item`` began on an earlier day (it runs past midnight into this one)."""
        return item.starts_at < self.starts_at


def day_span(d: date) -> Interval:
    """The instants [local midnight of ``d``, local midnight of the next day)."""
    return local_lenient(d, time(0)), local_lenient(d + timedelta(days=1), time(0))


def week_of(d: date) -> list[date]:
    """Monday to Sunday of the ISO week of ``d``."""
    monday = d - timedelta(days=d.weekday())
    return [monday + timedelta(days=n) for n in range(7)]


def period(view: str, d: date) -> list[date]:
    """The days a view shows: ``d`` alone, or its whole week."""
    return week_of(d) if view == WEEK else [d]


def neighbours(view: str, d: date) -> tuple[date, date]:
    """The dates of the previous and the next page of a view (a week's are Mondays)."""
    step = timedelta(days=7 if view == WEEK else 1)
    first = period(view, d)[0]
    return first - step, first + step


def span_of(days: Sequence[date]) -> Interval:
    """From the first day's local midnight to the midnight after the last day."""
    return day_span(days[0])[0], day_span(days[-1])[1]


def localised_holidays(days: Sequence[date], locale: str) -> dict[date, str]:
    """The public holidays among ``days``, named in ``locale`` (Finnish for a language the library lacks).

    Which days are holidays is timeutil's decision; only the names are looked up here.
    """
    language = _HOLIDAY_LANGUAGES.get(locale, "fi")
    found: dict[date, str] = {}
    for d in days:
        finnish = holiday_name(d)
        if finnish:
            found[d] = _holiday_names(d.year, language).get(d, finnish)
    return found


@lru_cache(maxsize=32)
def _holiday_names(year: int, language: str) -> Mapping[date, str]:
    return MappingProxyType(dict(holidays.country_holidays("FI", years=year, language=language).items()))


def lay_out(days: Sequence[date], items: Iterable[Timed], *, working: Sequence[Interval] = (),
            busy: Sequence[Interval] = (), away: Sequence[Interval] = (),
            holiday_names: Mapping[date, str] | None = None, today: date | None = None,
            now: datetime | None = None, commitments: Sequence[Timed] = ()) -> list[CalendarDay]:
    """One CalendarDay per day: the items overlapping it, and working, away and free time cut to it.

    ``working``, ``busy`` and ``away`` are one person's sorted intervals (aware) over the whole period;
    free time is working time minus busy time, from ``now`` on when given (time gone by is not free).
    An item running past midnight shows on both days.
    """
    holiday_names = holiday_names or {}
    ordered = sorted(items, key=lambda item: (item.starts_at, item.ends_at))
    gone = [(_BEGINNING, now)] if now else []
    free = [iv for iv in subtract(working, [*busy, *gone]) if iv[1] - iv[0] >= timedelta(minutes=MIN_FREE_MINUTES)]
    laid_out = []
    for d in days:
        start, end = day_span(d)
        laid_out.append(CalendarDay(
            day=d, starts_at=start, ends_at=end, holiday=holiday_names.get(d) or holiday_name(d), today=d == today,
            working=tuple(intersect(working, [(start, end)])), away=tuple(intersect(away, [(start, end)])),
            free=tuple(intersect(free, [(start, end)])),
            items=tuple(item for item in ordered if item.starts_at < end and item.ends_at > start),
            commitments=tuple(c for c in commitments if c.starts_at < end and c.ends_at > start),
        ))
    return laid_out
