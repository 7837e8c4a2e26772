"""Scheduling's answer to other features' signals: a service that ended keeps no coming appointments."""

from __future__ import annotations

from sqlalchemy import select

from portal import signals
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _
from portal.scheduling import operations
from portal.scheduling.models import ACTIVE_STATUSES, Appointment


def connect() -> None:
    """Subscribe (blinker keeps one connection per receiver: safe to repeat)."""
    signals.service_ended.connect(on_service_ended)


def on_service_ended(sender, enrolment, **extra) -> None:
    """Cancel the enrolment's coming appointments; each cancellation sends its own notice to the client."""
    coming = db.session.scalars(select(Appointment).where(
        Appointment.enrolment_id == enrolment.id, Appointment.status.in_(ACTIVE_STATUSES),
        Appointment.starts_at > utcnow()).order_by(Appointment.starts_at))
    for appointment in list(coming):
        operations.cancel(sender, appointment, _("The service ended."))
