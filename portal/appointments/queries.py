"""Reads for the client's appointments and calendar feeds."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import selectinload

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import User
from portal.extensions import db
from portal.people.models import Client
from portal.scheduling.models import (
    Appointment,
    CalendarFeed,
    ChangeRequest,
    ChangeRequestStatus,
    Participant,
    ParticipantRole,
)
from portal.tasks import queries as task_queries
from portal.tasks.models import Task

if TYPE_CHECKING:
    from portal.appointments.operations import ClientActions

FEED_DAYS_BACK = 30
FEED_DAYS_AHEAD = 365
PAST_LIMIT = 50


@dataclass
class ClientAppointment:
    """One appointment as the client sees it on their page."""

    appointment: Appointment
    workers: list[User]
    minutes: int
    open_change: ChangeRequest | None = None
    answered: Task | None = None  # the worker's answer to the client's request about it (portal/tasks)
    actions: ClientActions | None = None  # what the client may do now: the route fills it in


def _of_client(client: Client):
    return (
        select(Appointment).join(Participant, Participant.appointment_id == Appointment.id)
        .where(Participant.client_id == client.id)
        .options(selectinload(Appointment.participants).joinedload(Participant.user))  # two statements, not three
    )


def upcoming_and_past(client: Client, now: datetime) -> tuple[list[ClientAppointment], list[ClientAppointment]]:
    """The client's appointments not yet over (soonest first) and the recent past ones (latest first)."""
    # One query (and one load of the participants and their users) for both lists: the recent past is
    # named by its ids, the latest PAST_LIMIT of the client's ended appointments.
    both = list(db.session.scalars(_upcoming_and_past(), {"client_id": client.id, "now": now}))
    upcoming = [a for a in both if a.ends_at > now]
    past = [a for a in reversed(both) if a.ends_at <= now]
    changes = open_change_requests(client, [a.id for a in upcoming])
    answers = task_queries.replies_for([a.id for a in upcoming])
    rows = [client_view(a, changes.get(a.id)) for a in upcoming]
    for row in rows:
        row.answered = answers.get(row.appointment.id)
    return rows, [client_view(a) for a in past]


@cache
def _upcoming_and_past() -> Select:
    """upcoming_and_past's statement, built once per process (parameters client_id and now)."""
    past_ids = (select(Appointment.id).join(Participant, Participant.appointment_id == Appointment.id)
                .where(Participant.client_id == bindparam("client_id"), Appointment.ends_at <= bindparam("now"))
                .order_by(Appointment.starts_at.desc(), Appointment.id.desc()).limit(PAST_LIMIT))
    return (select(Appointment).join(Participant, Participant.appointment_id == Appointment.id)
            .where(Participant.client_id == bindparam("client_id"),
                   or_(Appointment.ends_at > bindparam("now"), Appointment.id.in_(past_ids)))
            .options(selectinload(Appointment.participants).joinedload(Participant.user))
            .order_by(Appointment.starts_at, Appointment.id))


def client_view(appointment: Appointment, change: ChangeRequest | None = None) -> ClientAppointment:
    """One appointment with what the client's page shows about it."""
    minutes = int((appointment.ends_at - appointment.starts_at).total_seconds() // 60)
    return ClientAppointment(appointment, workers_of(appointment), minutes, change)


def workers_of(appointment: Appointment) -> list[User]:
    """The staff taking part, the host first."""
    staff = [p for p in appointment.participants if p.user_id is not None]
    return [p.user for p in sorted(staff, key=lambda p: (p.role is not ParticipantRole.HOST, p.id or 0))]


def takes_part(client: Client, appointment: Appointment) -> bool:
    return any(p.client_id == client.id for p in appointment.participants)


def open_change_requests(client: Client, appointment_ids: list[int]) -> dict[int, ChangeRequest]:
    """The latest open change request per appointment, for the client's own requests."""
    if not appointment_ids:
        return {}
    rows = db.session.scalars(_open_change_requests(), {"client_id": client.id, "ids": appointment_ids})
    return {row.appointment_id: row for row in rows}


@cache
def _open_change_requests() -> Select:
    return (select(ChangeRequest).where(ChangeRequest.client_id == bindparam("client_id"),
                                        ChangeRequest.appointment_id.in_(bindparam("ids", expanding=True)),
                                        ChangeRequest.status == ChangeRequestStatus.OPEN)
            .order_by(ChangeRequest.created_at, ChangeRequest.id))


def feed_appointments(client: Client, now: datetime) -> list[Appointment]:
    """What the client's calendar feed holds: 30 days back to a year ahead, cancelled ones included."""
    return list(db.session.scalars(
        _of_client(client).where(Appointment.starts_at >= now - timedelta(days=FEED_DAYS_BACK),
                                 Appointment.starts_at < now + timedelta(days=FEED_DAYS_AHEAD))
        .order_by(Appointment.starts_at, Appointment.id)))


def sequences(appointment_ids: list[int]) -> dict[int, int]:
    """iCalendar SEQUENCE per appointment: how many times it has been changed since booking.

    Derived from the audit trail (every change of an appointment writes one 'update' record there, and
    the trail is never rewritten), so it only ever grows, as RFC 5545 requires.
    """
    if not appointment_ids:
        return {}
    counts = db.session.execute(
        select(AuditRecord.object_id, func.count()).where(
            AuditRecord.feature == "scheduling", AuditRecord.object_type == "appointment",
            AuditRecord.action == AuditAction.UPDATE,
            AuditRecord.object_id.in_([str(i) for i in appointment_ids]))
        .group_by(AuditRecord.object_id))
    return {int(object_id): count for object_id, count in counts}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_feed(client: Client) -> CalendarFeed | None:
    return db.session.scalar(_active_feed(), {"client_id": client.id})


@cache
def _active_feed() -> Select:
    """active_feed's statement, built once per process: the client's appointments page runs it."""
    return (select(CalendarFeed).where(CalendarFeed.client_id == bindparam("client_id"),
                                       CalendarFeed.revoked_at.is_(None))
            .order_by(CalendarFeed.id.desc()).limit(1))


def feed_by_token(token: str) -> CalendarFeed | None:
    """The active feed with this token, found by the token's hash.

    Looking up the hash (a unique index) rather than comparing tokens means no stored secret is ever
    compared byte by byte with the request: timing tells an attacker nothing about a valid token.
    """
    return db.session.scalar(select(CalendarFeed).where(
        CalendarFeed.token_hash == token_hash(token), CalendarFeed.revoked_at.is_(None)))


def all_of_client(client: Client) -> list[Appointment]:
    """Every appointment the client takes part in, in time order (the FHIR search)."""
    return list(db.session.scalars(_of_client(client).order_by(Appointment.starts_at, Appointment.id)))
