"""Helpers shared by the appointment and FHIR tests (plain functions: fixtures live in the modules)."""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.auth.models import User
from portal.db import utcnow
from portal.people.models import Client
from portal.programmes.definitions_schema import Modality
from portal.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentStatus, Participant, ParticipantRole


def make_appointment(db, starts_at: datetime, workers: tuple[User, ...], clients: tuple[Client, ...],
                     minutes: int = 60, modality: Modality = Modality.VIDEO,
                     status: AppointmentStatus = AppointmentStatus.BOOKED, place: str | None = None,
                     programme: str = "remote-guidance", contact_type: str = "guidance-meeting") -> Appointment:
    """An appointment with its participant rows, inserted as booking would but with no rules checked."""
    ends_at = starts_at + timedelta(minutes=minutes)
    blocking = status in ACTIVE_STATUSES
    appointment = Appointment(
        programme_code=programme, contact_type=contact_type, modality=modality, starts_at=starts_at,
        ends_at=ends_at, place=place, organizer_id=workers[0].id, status=status,
        cancelled_at=None if status is not AppointmentStatus.CANCELLED else utcnow(),
    )
    appointment.participants = [
        Participant(role=ParticipantRole.HOST if i == 0 else ParticipantRole.WORKER, user_id=w.id,
                    person_key=f"u:{w.id}", busy_from=starts_at, busy_until=ends_at, blocking=blocking)
        for i, w in enumerate(workers)
    ] + [
        Participant(role=ParticipantRole.CLIENT, client_id=c.id, person_key=f"c:{c.id}", busy_from=starts_at,
                    busy_until=ends_at, blocking=blocking)
        for c in clients
    ]
    db.session.add(appointment)
    db.session.flush()
    return appointment


def hours_from_now(hours: float) -> datetime:
    """A whole-minute instant some hours from now (tests run against the real clock)."""
    return (utcnow() + timedelta(hours=hours)).replace(second=0, microsecond=0)
