"""Booking, confirming and cancelling appointments. Each checks the programme's rules first;
the database has the last word on double booking (see models.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from portal import signals
from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.programmes import registry
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.scheduling import rules
from portal.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentStatus, Participant, ParticipantRole
from portal.scheduling.rules import BookingError

TRAVEL_MINUTES = {Modality.HOME_VISIT: 30}


class BookingConflict(BookingError):
    """Someone taking part is already booked at that time (the database refused the overlap)."""


@dataclass
class BookingRequest:
    enrolment: Enrolment
    contact_type: str
    modality: Modality
    starts_at: datetime
    minutes: int
    workers: list[User] = field(default_factory=list)
    place: str | None = None
    urgent: bool = False  # allows booking outside working hours or on a holiday, after the warning


def book(actor: User, request: BookingRequest, now: datetime | None = None) -> tuple[Appointment, list[str]]:
    """Book one appointment for an enrolment's client; returns it with the warnings that were accepted."""
    definition = registry.definition(request.enrolment.programme_code)
    ends_at = request.starts_at + timedelta(minutes=request.minutes)
    workers = _unique([actor, *request.workers])
    rules.check_booking(definition, request, ends_at, now or utcnow())
    warnings = rules.warnings_for(workers, request.starts_at, ends_at)
    if warnings and not request.urgent:
        raise rules.NeedsConfirmation(warnings)
    appointment = Appointment(
        programme_code=definition.code, enrolment=request.enrolment, contact_type=request.contact_type,
        modality=request.modality, starts_at=request.starts_at, ends_at=ends_at, place=request.place,
        travel_minutes=TRAVEL_MINUTES.get(request.modality, 0), organizer=actor,
    )
    appointment.participants = _participants(appointment, workers, request.enrolment)
    _insert(appointment)
    record(actor, AuditAction.CREATE, "scheduling", "appointment", appointment.id, request.enrolment.client_id)
    signals.appointment_booked.send(actor, appointment=appointment)
    return appointment, [str(w) for w in warnings]


def cancel(actor: User, appointment: Appointment, reason: str | None = None) -> None:
    """Cancel an active appointment: it stays in the history and frees everyone's time."""
    if appointment.status not in ACTIVE_STATUSES:
        raise BookingError(rules.MESSAGES["not_active"])
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = utcnow()
    appointment.cancel_reason = (reason or "").strip()[:1000] or None
    for participant in appointment.participants:
        participant.blocking = False
    db.session.flush()
    record(actor, AuditAction.UPDATE, "scheduling", "appointment", appointment.id, client_id_of(appointment),
           {"fields": ["status"]})
    signals.appointment_cancelled.send(actor, appointment=appointment)


def confirm(actor: User, appointment: Appointment) -> None:
    """The client confirms they will come."""
    if appointment.status is not AppointmentStatus.BOOKED:
        raise BookingError(rules.MESSAGES["not_active"])
    appointment.status = AppointmentStatus.CONFIRMED
    db.session.flush()
    record(actor, AuditAction.UPDATE, "scheduling", "appointment", appointment.id, client_id_of(appointment),
           {"fields": ["status"]})
    signals.appointment_changed.send(actor, appointment=appointment)


def _participants(appointment: Appointment, workers: list[User], enrolment: Enrolment) -> list[Participant]:
    travel = timedelta(minutes=appointment.travel_minutes)
    rows = [
        Participant(role=ParticipantRole.HOST if i == 0 else ParticipantRole.WORKER, user=worker,
                    person_key=f"u:{worker.id}", busy_from=appointment.starts_at - travel,
                    busy_until=appointment.ends_at + travel)
        for i, worker in enumerate(workers)
    ]
    rows.append(Participant(role=ParticipantRole.CLIENT, client_id=enrolment.client_id,
                            person_key=f"c:{enrolment.client_id}", busy_from=appointment.starts_at,
                            busy_until=appointment.ends_at))
    return rows


def _insert(appointment: Appointment) -> None:
    """Insert inside a savepoint, so a refused overlap leaves the request's transaction usable."""
    try:
        with db.session.begin_nested():
            db.session.add(appointment)
    except IntegrityError as exc:
        if "no_overlap" in str(exc.orig):
            raise BookingConflict(rules.MESSAGES["conflict"]) from None
        raise


def client_id_of(appointment: Appointment) -> int | None:
    """The client taking part (group sessions: the first; use participants for all)."""
    return next((p.client_id for p in appointment.participants if p.client_id is not None), None)


def _unique(users: list[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        seen.setdefault(user.id, user)
    return list(seen.values())


def require_active(enrolment: Enrolment) -> None:
    if enrolment.status is not EnrolmentStatus.ACTIVE:
        raise BookingError(rules.MESSAGES["enrolment_ended"])
