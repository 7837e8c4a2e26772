"""A client's good times for meetings: weekdays and parts of the day, used by the slot finder.

Empty means any time. A start fits when its weekday (Helsinki) is one of the chosen days and the whole
meeting lies inside one of the chosen parts of the day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from portal.i18n import _l
from portal.scheduling.timeutil import HELSINKI

WEEKDAYS = (0, 1, 2, 3, 4)  # Monday to Friday: the services work on weekdays
DAY_PARTS: dict[str, tuple[time, time]] = {
    "morning": (time(8), time(12)),
    "afternoon": (time(12), time(16)),
    "evening": (time(16), time(20)),
}
DAY_PART_LABELS = {"morning": _l("Mornings (8–12)"), "afternoon": _l("Afternoons (12–16)"),
                   "evening": _l("Early evenings (16–20)")}


def fits(weekdays: list[int], day_parts: list[str], start: datetime, minutes: int) -> bool:
    """Whether a meeting of ``minutes`` from ``start`` (aware) fits the chosen days and parts of the day."""
    local = start.astimezone(HELSINKI)
    if weekdays and local.weekday() not in weekdays:
        return False
    if not day_parts:
        return True
    end = local + timedelta(minutes=minutes)
    if end.date() != local.date():
        return False
    return any(DAY_PARTS[part][0] <= local.time() and end.time() <= DAY_PARTS[part][1]
               for part in day_parts if part in DAY_PARTS)


def accepts(client, minutes: int) -> Callable[[datetime], bool] | None:
    """The slot finder's filter for this client, or None when they have no preference."""
    weekdays, parts = list(client.preferred_weekdays or []), list(client.preferred_day_parts or [])
    if not weekdays and not parts:
        return None
    return lambda start: fits(weekdays, parts, start, minutes)
