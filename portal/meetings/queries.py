"""Reads for recording meetings: the appointment's call, the form's prefill, the list still to record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Select, bindparam, exists, func, select
from sqlalchemy.orm import joinedload

from portal.auth.models import User
from portal.db import read
from portal.extensions import db
from portal.meetings.models import Contact, ContactStatus
from portal.people.permissions import visible_parameters, visible_statement
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment
from portal.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentStatus, Participant, ParticipantRole
from portal.video.queries import room_for_appointment

PENDING_LIMIT = 100
SETTLED_STATUSES = (AppointmentStatus.HELD, AppointmentStatus.NO_SHOW)
# A call's end rounds up: a meeting of 40 min 10 s was a 41-minute meeting in the figures, never 0.
_SECONDS_PER_MINUTE = 60


def call_of(appointment_id: int):
    """The appointment's video room (``portal.video``), or None when there was no call."""
    return room_for_appointment(db.session, appointment_id)


@dataclass(frozen=True)
class Prefill:
    """What the form starts with: the call's actual times when there was one, else the booking's."""

    status: ContactStatus
    modality: Modality
    starts_at: datetime
    minutes: int
    from_call: bool


def prefill(appointment: Appointment, contact: Contact | None, call=None) -> Prefill:
    """An earlier record wins (the worker is correcting it); then the call; then the appointment."""
    if contact is not None:
        minutes = contact.duration_minutes or _minutes(appointment.starts_at, appointment.ends_at)
        return Prefill(contact.status, contact.modality, contact.starts_at, minutes, False)
    if call is not None and call.started_at is not None and call.finished_at is not None \
            and call.finished_at > call.started_at:
        return Prefill(ContactStatus.HELD, Modality.VIDEO, call.started_at, _minutes(call.started_at, call.finished_at),
                       True)
    modality = appointment.modality
    return Prefill(ContactStatus.HELD, modality, appointment.starts_at,
                   _minutes(appointment.starts_at, appointment.ends_at), False)


def _minutes(start: datetime, end: datetime) -> int:
    seconds = (end - start).total_seconds()
    return max(1, -(-int(seconds) // _SECONDS_PER_MINUTE))


def record_due(appointment: Appointment, now: datetime) -> bool:
    """A one-to-one appointment that has begun and whose status was not yet settled by a record or a cancellation."""
    return (appointment.enrolment_id is not None and appointment.starts_at <= now
            and appointment.status in ACTIVE_STATUSES)


def record_editable(appointment: Appointment) -> bool:
    """A one-to-one appointment already recorded as held or not come: its record can be corrected."""
    return appointment.enrolment_id is not None and appointment.status in SETTLED_STATUSES


def pending(user: User, now: datetime, limit: int = PENDING_LIMIT) -> list[Appointment]:
    """The user's past appointments still to record, oldest first (the longest waiting at the top)."""
    team_lead, params = visible_parameters(user)
    return list(db.session.scalars(_pending_list(team_lead), {**params, "now": now, "limit": limit}))


def pending_count(user: User, now: datetime) -> int:
    """How many are still to record: the count in a case worker's navigation, on every one of their pages."""
    team_lead, params = visible_parameters(user)
    return read(_pending_count(team_lead), {**params, "now": now}).scalar() or 0


# Built once per process with the user, the day and the time as parameters: the count is on every page of a
# case worker, and building the statement cost more CPU than running it.

def _pending(team_lead: bool) -> Select:
    """One-to-one appointments the user took part in as a worker, ended, not cancelled, with no record yet."""
    user_id = bindparam("user_id")
    # An IN list of the user's own participations, not a correlated EXISTS: the planner then reads the
    # user's rows once by their index instead of them all again for every appointment (SQLite, no ANALYZE).
    took_part = Appointment.id.in_(select(Participant.appointment_id).where(
        Participant.user_id == user_id, Participant.role.in_((ParticipantRole.HOST, ParticipantRole.WORKER))))
    recorded = exists().where(Contact.appointment_id == Appointment.id)
    visible = visible_statement(user_id, team_lead, bindparam("since")).with_only_columns(Enrolment.id)
    return select(Appointment).where(
        took_part, ~recorded, Appointment.enrolment_id.in_(visible), Appointment.ends_at <= bindparam("now"),
        Appointment.status != AppointmentStatus.CANCELLED)


@cache
def _pending_list(team_lead: bool) -> Select:
    return (_pending(team_lead).options(joinedload(Appointment.enrolment).joinedload(Enrolment.client))
            .order_by(Appointment.starts_at, Appointment.id).limit(bindparam("limit")))


@cache
def _pending_count(team_lead: bool) -> Select:
    return _pending(team_lead).with_only_columns(func.count(Appointment.id))
