"""The caseload list and the client overview, limited to what the worker may see."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload, lazyload

from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.meetings.models import Contact, ContactStatus
from portal.people.models import Client
from portal.people.permissions import enrolments_visible_to, visible_parameters, visible_statement
from portal.programmes import registry
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.scheduling.models import ACTIVE_STATUSES, Appointment, Participant

INTENSITY_WINDOW_DAYS = 14
ENDING_SOON_DAYS = 14


class Intensity(enum.StrEnum):
    """How an enrolment with an agreed contact rhythm (seed 002: several a week) is keeping it."""

    ON_TRACK = "on_track"
    BELOW = "below"


@dataclass(frozen=True)
class CaseloadRow:
    enrolment: Enrolment
    client: Client
    last_contact_at: datetime | None
    next_contact_at: datetime | None
    held_recently: int  # held contacts in the last INTENSITY_WINDOW_DAYS days

    def days_since_last_contact(self, today: date) -> int | None:
        return None if self.last_contact_at is None else (today - self.last_contact_at.date()).days

    def intensity(self, today: date) -> Intensity | None:
        """Below the programme's weekly minimum over the last two weeks, once two weeks have passed."""
        definition = registry.definition(self.enrolment.programme_code)
        minimum = definition.intensity.min_contacts_per_week if definition else None
        if not minimum or self.enrolment.status is not EnrolmentStatus.ACTIVE:
            return None
        if (today - self.enrolment.start_on).days < INTENSITY_WINDOW_DAYS:
            return None
        per_week = self.held_recently * 7 / INTENSITY_WINDOW_DAYS
        return Intensity.BELOW if per_week < minimum else Intensity.ON_TRACK

    def ends_soon(self, today: date) -> bool:
        end = self.enrolment.planned_end_on
        return (self.enrolment.status is EnrolmentStatus.ACTIVE and end is not None
                and 0 <= (end - today).days <= ENDING_SOON_DAYS)


def caseload(user: User) -> list[CaseloadRow]:
    """One row per enrolment the user works on, with the last held contact and next appointment (one query).

    The next appointment is the client's, whichever programme or closed group it is in: the worker
    should know when the client is next seen.
    """
    now = utcnow()
    team_lead, params = visible_parameters(user)
    rows = db.session.execute(_caseload(team_lead), {
        **params, "now": now, "recent_since": now - timedelta(days=INTENSITY_WINDOW_DAYS)})
    return [CaseloadRow(*row) for row in rows]


@cache
def _caseload(team_lead: bool) -> Select:
    """caseload's statement, built once per process (both of a case worker's main pages run it; building it
    cost more CPU than running it): parameters user_id, since (people.permissions), now and recent_since."""
    now = bindparam("now")
    last = (select(func.max(Contact.starts_at)).where(Contact.enrolment_id == Enrolment.id,
            Contact.status == ContactStatus.HELD).correlate(Enrolment).scalar_subquery())
    # The client's appointments as an IN list of their participations, not a join: PostgreSQL then reads them
    # by their keys even in a generic plan (the join read every appointment for every row: 6 ms, not 1).
    upcoming = (select(func.min(Appointment.starts_at))
                .where(Appointment.id.in_(select(Participant.appointment_id)
                                          .where(Participant.client_id == Enrolment.client_id)),
                       Appointment.status.in_(ACTIVE_STATUSES), Appointment.starts_at >= now)
                .correlate(Enrolment).scalar_subquery())
    recent = (select(func.count()).where(Contact.enrolment_id == Enrolment.id, Contact.status == ContactStatus.HELD,
              Contact.starts_at >= bindparam("recent_since")).correlate(Enrolment).scalar_subquery())
    return (visible_statement(bindparam("user_id"), team_lead, bindparam("since"))
            .add_columns(Client, last, upcoming, recent)
            .join(Client, Client.id == Enrolment.client_id)
            .order_by(Enrolment.status, Client.last_name, Client.first_name)
            # The list shows the coordinator's name, not the own team: loading it with every row was a third of the
            # page's CPU (bench/pages.py), with the client's municipality (no longer joined by default).
            .options(lazyload(Enrolment.team), joinedload(Enrolment.coordinator)))


def enrolments_of_client(user: User, client_id: int) -> list[Enrolment]:
    return list(db.session.scalars(
        enrolments_visible_to(user).where(Enrolment.client_id == client_id).order_by(Enrolment.start_on.desc())
    ))


def contacts_of(enrolment_ids: list[int], limit: int = 20) -> list[Contact]:
    return list(db.session.scalars(
        select(Contact).where(Contact.enrolment_id.in_(enrolment_ids)).order_by(Contact.starts_at.desc()).limit(limit)
    ))


COMING_LIMIT = 10


def coming_of(client_id: int, now: datetime, limit: int = COMING_LIMIT) -> list[Appointment]:
    """The client's coming meetings (any programme or group), soonest first, for the client page."""
    return list(db.session.scalars(
        select(Appointment).join(Participant, Participant.appointment_id == Appointment.id)
        .where(Participant.client_id == client_id, Appointment.status.in_(ACTIVE_STATUSES), Appointment.ends_at > now)
        .order_by(Appointment.starts_at, Appointment.id).limit(limit)))
