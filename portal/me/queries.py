"""What the client's home page shows: the meeting to join now, their enrolments, team, next appointment
and recent contacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.meetings.models import Contact
from portal.people.models import Client, OrgUnit
from portal.programmes.models import Enrolment
from portal.scheduling.models import ACTIVE_STATUSES, Appointment, Participant


def enrolments_of(client: Client) -> list[Enrolment]:
    """The client's enrolments, with what their home page shows of each in the same statement: the
    coordinator, the deputy and the unit (not the unit's municipalities, which it does not show)."""
    return list(db.session.scalars(_enrolments_of(), {"client_id": client.id}))


def next_appointment(client: Client, now: datetime | None = None) -> Appointment | None:
    """The client's booked or confirmed appointment under way or next from now, a closed group's session
    included (a meeting that started a minute ago is still the one that matters)."""
    return db.session.scalar(_next_appointment(), {"client_id": client.id, "now": now or utcnow()})


@dataclass(frozen=True)
class MeetingNow:
    """The video meeting the home page leads with: from half an hour before it until it ends."""

    appointment: Appointment
    host: User | None
    photo_version: datetime | None  # the host's photo, when this client may see it


def meeting_now(user: User, now: datetime) -> MeetingNow | None:
    from portal.plans.permissions import can_see_photo
    from portal.plans.queries import photo_stamps
    from portal.video.queries import meetings_today

    meeting = next((m for m in meetings_today(user, now) if m.open_now and now < m.appointment.ends_at), None)
    if meeting is None:
        return None
    appointment = meeting.appointment
    host = next((p.user for p in appointment.participants if p.role.value == "host" and p.user), None)
    stamp = photo_stamps([host.id]).get(host.id) if host is not None else None
    return MeetingNow(appointment, host, stamp if stamp and can_see_photo(user, host.id) else None)



def recent_contacts(client: Client, limit: int = 5) -> list[Contact]:
    return list(db.session.scalars(_recent_contacts(), {"client_id": client.id, "now": utcnow(), "limit": limit}))


# The home page's statements, each built once per process with the client (and the time) as parameters: the
# page is a client's most visited, and building a statement costs more CPU than the database's answer.

@cache
def _enrolments_of() -> Select:
    return (select(Enrolment).where(Enrolment.client_id == bindparam("client_id"))
            .order_by(Enrolment.status, Enrolment.start_on.desc())
            .options(joinedload(Enrolment.coordinator), joinedload(Enrolment.deputy),
                     joinedload(Enrolment.unit).lazyload(OrgUnit.municipalities)))


@cache
def _next_appointment() -> Select:
    return (select(Appointment).join(Participant, Participant.appointment_id == Appointment.id)
            .where(Participant.client_id == bindparam("client_id"), Appointment.status.in_(ACTIVE_STATUSES),
                   Appointment.ends_at > bindparam("now"))
            .order_by(Appointment.starts_at, Appointment.id).limit(1)
            .options(joinedload(Appointment.participants)))  # the host's name: in this statement, not a second


@cache
def _recent_contacts() -> Select:
    return (select(Contact).join(Enrolment)
            .where(Enrolment.client_id == bindparam("client_id"), Contact.starts_at < bindparam("now"))
            .order_by(Contact.starts_at.desc()).limit(bindparam("limit")))
