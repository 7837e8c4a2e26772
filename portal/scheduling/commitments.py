"""Busy time that another feature owns: a worker's agenda slot in the housing decision meeting (SAP, seed 001).

Such a slot is no scheduling appointment (the client does not attend and planned starts move), yet it is the
worker's time: it shows in the worker's own calendar and is never offered as free time. A feature registers a
source with the app (``register``); scheduling asks every source for the workers and window it shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app

_KEY = "silta.scheduling.commitments"


@dataclass(frozen=True)
class Commitment:
    user_id: int
    starts_at: datetime
    ends_at: datetime
    label: str  # what it is, in the reader's language (no client data: calendars are seen by colleagues)
    url: str | None = None


Source = Callable[[Sequence[int], datetime, datetime], list[Commitment]]


def register(app: Flask, source: Source) -> None:
    app.extensions.setdefault(_KEY, []).append(source)


def of_users(user_ids: Sequence[int], start: datetime, end: datetime) -> dict[int, list[Commitment]]:
    """Each user's commitments overlapping [start, end), by start time (users with none are left out)."""
    found: dict[int, list[Commitment]] = defaultdict(list)
    if not user_ids:
        return found
    for source in current_app.extensions.get(_KEY, ()):
        for commitment in source(user_ids, start, end):
            if commitment.starts_at < end and commitment.ends_at > start:
                found[commitment.user_id].append(commitment)
    for rows in found.values():
        rows.sort(key=lambda c: (c.starts_at, c.ends_at))
    return found
