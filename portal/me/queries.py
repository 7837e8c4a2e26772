"""What the client's home page shows: their enrolments, team, next appointment and recent contacts."""

from __future__ import annotations

from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.meetings.models import Contact
from portal.people.models import Client
from portal.programmes.models import Enrolment
from portal.scheduling.models import ACTIVE_STATUSES, Appointment, Participant


def enrolments_of(client: Client) -> list[Enrolment]:
    return list(db.session.scalars(
        select(Enrolment).where(Enrolment.client_id == client.id).order_by(Enrolment.status, Enrolment.start_on.desc())
    ))


def next_appointment(client: Client) -> Appointment | None:
    """The client's next booked or confirmed appointment from now, a closed group's session included."""
    return db.session.scalar(
        select(Appointment).join(Participant, Participant.appointment_id == Appointment.id)
        .where(Participant.client_id == client.id, Appointment.status.in_(ACTIVE_STATUSES),
               Appointment.starts_at >= utcnow())
        .order_by(Appointment.starts_at, Appointment.id).limit(1)
    )


# The old name, for ``portal/me/routes.py`` until it passes ``next_appointment`` to the template.


def recent_contacts(client: Client, limit: int = 5) -> list[Contact]:
    return list(db.session.scalars(
        select(Contact).join(Enrolment)
        .where(Enrolment.client_id == client.id, Contact.starts_at < utcnow())
        .order_by(Contact.starts_at.desc()).limit(limit)
    ))
