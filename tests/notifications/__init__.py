"""Notifications tests; helpers shared by the modules (the package owns no conftest)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.notifications.models import OutboxMessage
from portal.programmes.definitions_schema import Modality
from portal.scheduling.models import Appointment, Participant, ParticipantRole


def make_appointment(worker, clients, starts_at: datetime, *, booked_at: datetime, minutes: int = 45,
                     modality: Modality = Modality.RECEPTION) -> Appointment:
    """An appointment inserted as booking would, booked at ``booked_at`` (reminders compare with it)."""
    ends_at = starts_at + timedelta(minutes=minutes)
    appointment = Appointment(programme_code="many-services", contact_type="coordinator-meeting", modality=modality,
                              starts_at=starts_at, ends_at=ends_at, organizer_id=worker.id, created_at=booked_at)
    appointment.participants = [Participant(role=ParticipantRole.HOST, user_id=worker.id, person_key=f"u:{worker.id}",
                                            busy_from=starts_at, busy_until=ends_at)]
    appointment.participants += [
        Participant(role=ParticipantRole.CLIENT, client_id=c.id, person_key=f"c:{c.id}", busy_from=starts_at,
                    busy_until=ends_at)
        for c in clients
    ]
    db.session.add(appointment)
    db.session.flush()
    db.session.expire(appointment, ["participants"])  # reload with each participant's client
    return appointment


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
