"""Reads for notifications: appointments that may need a reminder, messages due, the outbox page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.notifications.models import Channel, OutboxMessage, OutboxStatus
from portal.scheduling.models import ACTIVE_STATUSES, Appointment, Participant

PAGE_SIZE = 50


def upcoming_appointments(now: datetime, until: datetime) -> list[Appointment]:
    """Active appointments starting after ``now`` and at the latest ``until``, with their clients."""
    return list(db.session.scalars(
        select(Appointment)
        .where(Appointment.status.in_(ACTIVE_STATUSES), Appointment.starts_at > now, Appointment.starts_at <= until)
        .options(selectinload(Appointment.participants).selectinload(Participant.client))
        .order_by(Appointment.starts_at, Appointment.id)
    ))


def due_message_ids(now: datetime, limit: int) -> list[int]:
    """Queued messages whose time has come, oldest first."""
    return list(db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.send_after <= now)
        .order_by(OutboxMessage.send_after, OutboxMessage.id)
        .limit(limit)
    ))


def latest_messages() -> Select:
    """The outbox, newest first (paginated by the route)."""
    return select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())


@dataclass(frozen=True)
class OutboxRow:
    """One outbox line as the admin sees it: the recipient masked, never the body."""

    created_at: datetime
    sent_at: datetime | None
    channel: Channel
    recipient: str
    subject: str
    status: OutboxStatus

    @classmethod
    def of(cls, message: OutboxMessage) -> OutboxRow:
        return cls(message.created_at, message.sent_at, message.channel, mask(message.channel, message.recipient),
                   message.subject or "", message.status)


def mask(channel: Channel, recipient: str) -> str:
    """'+35840*****67' for a phone number, 'a***@example.com' for an email address."""
    if channel is Channel.EMAIL:
        local, at, domain = recipient.partition("@")
        return f"{local[:1]}***{at}{domain}"
    keep_start = 6 if len(recipient) > 8 else 0
    hidden = max(len(recipient) - keep_start - 2, 0)
    return recipient[:keep_start] + "*" * hidden + recipient[keep_start + hidden:]
