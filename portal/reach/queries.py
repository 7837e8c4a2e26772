"""How a client reaches their unit: its phone and hours, and when a message sent now will be read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from portal.db import utcnow
from portal.people.models import OrgUnit
from portal.programmes.models import Enrolment
from portal.reach import hours


@dataclass(frozen=True)
class UnitContact:
    unit: OrgUnit
    phone: str | None
    opens: time | None
    closes: time | None
    reply_days: int
    out_of_hours: bool  # a message sent now waits for the next working day


def unit_contact(enrolment: Enrolment, now: datetime | None = None) -> UnitContact:
    """The enrolment's unit: its phone with weekday hours, its reply promise, and whether it is closed now."""
    unit = enrolment.unit
    closed = not hours.is_office_hours(now or utcnow(), unit.phone_opens, unit.phone_closes)
    return UnitContact(unit, unit.phone, unit.phone_opens, unit.phone_closes, unit.reply_days, closed)
