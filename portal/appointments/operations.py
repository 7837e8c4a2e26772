"""What a client may do to their own appointments: confirm, cancel before the cut-off, ask for a change;
and their private calendar feed.

Confirming and cancelling go through the scheduling operations (which audit and send signals); the
rules here are only the client's own limits on top of them.

Configuration: ``CLIENT_CANCEL_CUTOFF_HOURS`` (default 24) — a client may cancel in Silta only while the
appointment is at least this many hours away; after that, they are asked to call their worker, who can
still cancel it (a late cancellation is something the worker should hear about in person).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from portal import signals
from portal.appointments.queries import token_hash
from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _l
from portal.people.models import Client
from portal.programmes.definitions_schema import Modality
from portal.scheduling import operations as scheduling
from portal.scheduling.models import (
    Appointment,
    AppointmentStatus,
    CalendarFeed,
    ChangeRequest,
    ChangeRequestStatus,
)
from portal.scheduling.rules import MESSAGES as SCHEDULING_MESSAGES
from portal.scheduling.rules import BookingError

DEFAULT_CANCEL_CUTOFF_HOURS = 24
# "Remote is never mandatory": whatever the contact type, a client may always ask for a home visit.
OFFERED_MODALITIES = (Modality.VIDEO, Modality.PHONE, Modality.HOME_VISIT)
TEXT_LIMIT = 1000

MESSAGES = {
    "not_active": SCHEDULING_MESSAGES["not_active"],
    "started": _l("This appointment has already started or is over."),
    "already_confirmed": _l("You have already confirmed this appointment."),
    "nothing_asked": _l("Please write which times would suit you, or choose another way of meeting."),
    "modality": _l("Please choose one of the ways of meeting offered."),
}


class AppointmentRefused(BookingError):
    """The client may not do this to the appointment now; ``str()`` gives the translated reason."""


@dataclass(frozen=True)
class ClientActions:
    """What the client may do to one appointment right now (the page shows buttons from this)."""

    confirm: bool
    cancel: bool
    too_late_to_cancel: bool
    change: bool


def cancel_cutoff_hours() -> int:
    return int(current_app.config.get("CLIENT_CANCEL_CUTOFF_HOURS", DEFAULT_CANCEL_CUTOFF_HOURS))


def too_late_message():
    hours = cancel_cutoff_hours()
    return _l("The appointment is less than %(hours)s hours away, so it can no longer be cancelled here. "
              "Please call your worker instead.", hours=hours)


def client_actions(appointment: Appointment, now: datetime) -> ClientActions:
    upcoming = appointment.active and appointment.starts_at > now
    in_time = upcoming and appointment.starts_at - now >= timedelta(hours=cancel_cutoff_hours())
    return ClientActions(
        confirm=upcoming and appointment.status is AppointmentStatus.BOOKED,
        cancel=in_time, too_late_to_cancel=upcoming and not in_time, change=upcoming,
    )


def modalities_to_offer(appointment: Appointment) -> list[Modality]:
    """Other ways of meeting the client may ask for (a home visit always among them)."""
    return [m for m in OFFERED_MODALITIES if m is not appointment.modality]


def require_upcoming(appointment: Appointment, now: datetime) -> None:
    """Refuse anything on an appointment that is no longer active or has already started."""
    if not appointment.active:
        raise AppointmentRefused(MESSAGES["not_active"])
    if appointment.starts_at <= now:
        raise AppointmentRefused(MESSAGES["started"])


def confirm_by_client(actor: User, appointment: Appointment, now: datetime | None = None) -> None:
    """The client confirms they will come."""
    if appointment.status is AppointmentStatus.CONFIRMED:
        raise AppointmentRefused(MESSAGES["already_confirmed"])
    require_upcoming(appointment, now or utcnow())
    scheduling.confirm(actor, appointment)


def cancel_by_client(actor: User, appointment: Appointment, now: datetime | None = None,
                     reason: str | None = None) -> None:
    """The client cancels, if the appointment is still at least the cut-off away; the reason is optional."""
    now = now or utcnow()
    require_upcoming(appointment, now)
    if not client_actions(appointment, now).cancel:
        raise AppointmentRefused(too_late_message())
    scheduling.cancel(actor, appointment, reason)


def request_change(actor: User, client: Client, appointment: Appointment, preferred_times: str | None,
                   wants_modality: Modality | None, message: str | None = None,
                   now: datetime | None = None) -> ChangeRequest:
    """The client asks for another time and/or another way of meeting; their worker handles it."""
    require_upcoming(appointment, now or utcnow())
    preferred_times, message = _clean(preferred_times), _clean(message)
    if not preferred_times and wants_modality is None:
        raise AppointmentRefused(MESSAGES["nothing_asked"])
    if wants_modality is not None and wants_modality not in modalities_to_offer(appointment):
        raise AppointmentRefused(MESSAGES["modality"])
    row = ChangeRequest(appointment=appointment, client_id=client.id, requested_by_id=actor.id,
                        preferred_times=preferred_times, wants_modality=wants_modality, message=message)
    db.session.add(row)
    db.session.flush()
    given = [name for name, value in (("preferred_times", preferred_times), ("wants_modality", wants_modality),
                                      ("message", message)) if value]
    record(actor, AuditAction.CREATE, "appointments", "change_request", row.id, client.id, {"fields": given})
    signals.appointment_changed.send(actor, appointment=appointment, change_request=row)
    return row


def close_change_request(actor: User, row: ChangeRequest) -> bool:
    """The worker has handled the client's change request (the task list does it); False if it already was."""
    if row.status is ChangeRequestStatus.HANDLED:
        return False
    row.status, row.handled_at, row.handled_by_id = ChangeRequestStatus.HANDLED, utcnow(), actor.id
    db.session.flush()
    record(actor, AuditAction.UPDATE, "appointments", "change_request", row.id, row.client_id, {"fields": ["status"]})
    return True


def _clean(text: str | None) -> str | None:
    return (text or "").strip()[:TEXT_LIMIT] or None


def create_feed(actor: User, client: Client) -> tuple[CalendarFeed, str]:
    """A new private feed for the client, replacing any earlier one; returns it with its token.

    The token is returned once, to show to the client; only its SHA-256 hash is stored.
    """
    _revoke_all(client)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(client_id=client.id, token_hash=token_hash(token))
    db.session.add(feed)
    db.session.flush()
    record(actor, AuditAction.CREATE, "appointments", "calendar_feed", feed.id, client.id)
    return feed, token


def revoke_feed(actor: User, client: Client) -> bool:
    """Stop the client's feed; whoever holds the old address gets nothing more. False if there was none."""
    revoked = _revoke_all(client)
    for feed in revoked:
        record(actor, AuditAction.DELETE, "appointments", "calendar_feed", feed.id, client.id)
    return bool(revoked)


def _revoke_all(client: Client) -> list[CalendarFeed]:
    now = utcnow()
    feeds = list(db.session.scalars(select(CalendarFeed).where(
        CalendarFeed.client_id == client.id, CalendarFeed.revoked_at.is_(None))))
    for feed in feeds:
        feed.revoked_at = now
    db.session.flush()
    return feeds


def feed_used(feed: CalendarFeed, now: datetime | None = None) -> None:
    """Note when a calendar app last fetched the feed (shown to the client)."""
    feed.last_used_at = now or utcnow()
