"""What the client's home page shows: their enrolments, team and contacts."""

from __future__ import annotations

from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.meetings.models import Contact, ContactStatus
from portal.people.models import Client
from portal.programmes.models import Enrolment


def enrolments_of(client: Client) -> list[Enrolment]:
    return list(db.session.scalars(
        select(Enrolment).where(Enrolment.client_id == client.id).order_by(Enrolment.status, Enrolment.start_on.desc())
    ))


def next_contact(client: Client) -> Contact | None:
    return db.session.scalar(
        select(Contact).join(Enrolment)
        .where(Enrolment.client_id == client.id, Contact.status == ContactStatus.PLANNED, Contact.starts_at >= utcnow())
        .order_by(Contact.starts_at).limit(1)
    )


def recent_contacts(client: Client, limit: int = 5) -> list[Contact]:
    return list(db.session.scalars(
        select(Contact).join(Enrolment)
        .where(Enrolment.client_id == client.id, Contact.starts_at < utcnow())
        .order_by(Contact.starts_at.desc()).limit(limit)
    ))
