"""Office hours in Finland: weekdays that are not public holidays (``holidays``' Finland calendar, which
scheduling/timeutil.py already keeps: Easter, Midsummer and Christmas Eve move or fall on weekdays)."""

from __future__ import annotations

from datetime import date, datetime, time

from portal.scheduling.timeutil import as_helsinki, is_holiday

DAY_STARTS, DAY_ENDS = time(8, 0), time(16, 0)  # when a unit without its own phone hours reads messages


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def is_office_hours(moment: datetime, opens: time | None = None, closes: time | None = None) -> bool:
    """Whether ``moment`` (aware) falls on a Finnish working day between ``opens`` and ``closes`` (Helsinki)."""
    local = as_helsinki(moment)
    return is_working_day(local.date()) and (opens or DAY_STARTS) <= local.time() < (closes or DAY_ENDS)
