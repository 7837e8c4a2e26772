"""The caseload list and the client overview, limited to what the worker may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.meetings.models import Contact, ContactStatus
from portal.people.models import Client
from portal.people.permissions import enrolments_visible_to
from portal.programmes.models import Enrolment
from portal.scheduling.models import ACTIVE_STATUSES, Appointment, Participant


@dataclass(frozen=True)
class CaseloadRow:
    enrolment: Enrolment
    client: Client
    last_contact_at: datetime | None
    next_contact_at: datetime | None


def caseload(user: User) -> list[CaseloadRow]:
    """One row per enrolment the user works on, with the last held contact and next appointment (one query).

    The next appointment is the client's, whichever programme or closed group it is in: the worker
    should know when the client is next seen.
    """
    visible = enrolments_visible_to(user).subquery()
    now = utcnow()
    last = (select(func.max(Contact.starts_at)).where(Contact.enrolment_id == visible.c.id,
            Contact.status == ContactStatus.HELD).scalar_subquery())
    upcoming = (select(func.min(Appointment.starts_at))
                .join(Participant, Participant.appointment_id == Appointment.id)
                .where(Participant.client_id == Enrolment.client_id, Appointment.status.in_(ACTIVE_STATUSES),
                       Appointment.starts_at >= now)
                .correlate(Enrolment).scalar_subquery())
    rows = db.session.execute(
        select(Enrolment, Client, last, upcoming)
        .join(visible, visible.c.id == Enrolment.id).join(Client, Client.id == Enrolment.client_id)
        .order_by(Enrolment.status, Client.last_name, Client.first_name)
    )
    return [CaseloadRow(e, c, last_at, next_at) for e, c, last_at, next_at in rows]


def enrolments_of_client(user: User, client_id: int) -> list[Enrolment]:
    return list(db.session.scalars(
        enrolments_visible_to(user).where(Enrolment.client_id == client_id).order_by(Enrolment.start_on.desc())
    ))


def contacts_of(enrolment_ids: list[int], limit: int = 20) -> list[Contact]:
    return list(db.session.scalars(
        select(Contact).where(Contact.enrolment_id.in_(enrolment_ids)).order_by(Contact.starts_at.desc()).limit(limit)
    ))
