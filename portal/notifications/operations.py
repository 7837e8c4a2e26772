"""Queuing and sending reminders and notices of changes.

Rules, in one place:

- **Who gets a message.** Each client taking part, by the client's preferred channel: ``sms`` → the
  phone number, ``email`` → the email address. A client who prefers a phone call or a letter gets no
  automatic message, nor does one without the address the channel needs. Staff get none here.
- **In which language.** The client's language of service: Swedish for ``sv``, Finnish otherwise
  (``other`` → Finnish). Texts are translated with ``force_locale``; dates and times are Helsinki time.
- **What it says.** When, and for a video appointment where to join — never a contact type, a
  programme, a place or a worker's name, since a text message may be read by anyone holding the phone.
- **Reminders.** For each offset in ``REMINDER_OFFSETS`` (minutes before the start; default a day
  and an hour). Whole days count on the Helsinki wall clock — the day-before reminder of a 9:00
  appointment comes at 9:00 the day before, whether that day was 23, 24 or 25 hours long. When
  several offsets are due at once (a runner that was down), only the nearest is sent, and a reminder
  whose moment passed before the appointment was booked is not sent (the booking notice told them).
  The dedupe key ``reminder:<offset>:<appointment>:<client>:<start UTC>`` makes queuing idempotent;
  a moved appointment has a new start and so gets its reminders again.
- **Notices.** Booked, cancelled, changed and moved (one notice naming the old and the new time), queued
  by the signal subscribers at once, to every client taking part except the one who made the change;
  none for an appointment already over. A group session is one appointment with every member as a
  participant, so its reminders and notices reach each member like any client's; a member joining or
  leaving booked sessions is told alone. Cancelling, changing or moving withdraws reminders still
  waiting, and a reminder found stale when its turn comes (cancelled, started) is marked failed, not sent.
- **Sending.** ``send_due`` claims each message (attempts + 1 and a lease, committed) before handing
  it to the backend, so two runners never send one message twice and a crash mid-send retries after
  the lease. Failures retry with a doubling delay up to ``NOTIFICATION_MAX_ATTEMPTS``. Logs name the
  message id and channel only: never a recipient, a subject or a body.
"""

from __future__ import annotations

import enum
import logging
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, exists, select, update
from sqlalchemy.exc import IntegrityError

from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _, local_date, local_time, long_datetime
from portal.meetings.labels import LABELS as MODALITY_LABELS
from portal.notifications import backends, queries
from portal.notifications.models import Channel, OutboxMessage, OutboxStatus
from portal.people.models import Client, ClientLanguage, ContactChannel
from portal.programmes.definitions_schema import Modality
from portal.scheduling.models import Appointment
from portal.scheduling.timeutil import as_helsinki, as_utc

log = logging.getLogger(__name__)

CLIENT_APPOINTMENTS_PATH = "/me/appointments"  # the client's own appointments page (and, for now, video)
LEASE = timedelta(minutes=10)  # a claimed message is retried after this if its sender died
DAY = 1440


class Notice(enum.StrEnum):
    REMINDER = "reminder"
    BOOKED = "booked"
    CANCELLED = "cancelled"
    CHANGED = "changed"


# --- queuing ----------------------------------------------------------------------------------------

def queue_message(*, channel: Channel, recipient: str, subject: str, body: str, dedupe_key: str | None = None,
                  send_after: datetime | None = None, client_id: int | None = None, user_id: int | None = None,
                  appointment_id: int | None = None) -> OutboxMessage | None:
    """Queue one message; None when one with the same ``dedupe_key`` is already queued or sent."""
    if dedupe_key and _key_taken(dedupe_key):
        return None
    message = OutboxMessage(channel=channel, recipient=recipient, subject=subject, body=body, dedupe_key=dedupe_key,
                            send_after=send_after or utcnow(), client_id=client_id, user_id=user_id,
                            appointment_id=appointment_id)
    try:
        with db.session.begin_nested():  # a concurrent runner may insert the same key first
            db.session.add(message)
    except IntegrityError:
        if dedupe_key and _key_taken(dedupe_key):
            return None
        raise
    return message


def _key_taken(key: str) -> bool:
    return bool(db.session.scalar(select(exists().where(OutboxMessage.dedupe_key == key))))


def queue_due_reminders(now: datetime) -> int:
    """Queue the reminders whose time has come; returns how many were queued (0 on a second run)."""
    offsets = sorted(current_app.config["REMINDER_OFFSETS"])
    # Whole-day offsets follow the wall clock, so one can be an hour longer than its minutes.
    until = now + timedelta(minutes=max(offsets)) + timedelta(hours=2)
    queued = 0
    for appointment in queries.upcoming_appointments(now, until):
        offset = due_offset(appointment, offsets, now)
        if offset is None:
            continue
        for client in _clients_of(appointment):
            key = f"reminder:{offset}:{appointment.id}:{client.id}:{as_utc(appointment.starts_at):%Y%m%d%H%M}"
            queued += _queue_for(client, appointment, Notice.REMINDER, key, send_after=now)
    return queued


def reminder_at(starts_at: datetime, offset_minutes: int) -> datetime:
    """When the reminder ``offset_minutes`` before ``starts_at`` is due: whole days on the Helsinki clock."""
    days, minutes = divmod(offset_minutes, DAY)
    wall = as_helsinki(starts_at) - timedelta(days=days)  # aware arithmetic keeps the wall-clock time
    return as_utc(wall) - timedelta(minutes=minutes)


def due_offset(appointment: Appointment, offsets: list[int], now: datetime) -> int | None:
    """The nearest offset whose reminder is due at ``now`` and was due only after the booking."""
    for offset in sorted(offsets):
        moment = reminder_at(appointment.starts_at, offset)
        if moment <= now:
            return offset if moment >= appointment.created_at else None
    return None


def queue_notices(kind: Notice, actor: User | None, appointment: Appointment, now: datetime | None = None,
                  client_ids: list[int] | None = None) -> int:
    """Tell each client taking part (but the one who acted) that an appointment was booked, cancelled or changed.

    ``client_ids`` narrows the notice to those clients, taking part or not: a member who joins a group's
    booked sessions, or one who leaves them (and so is no longer among the participants).
    """
    now = now or utcnow()
    if appointment.ends_at <= now:
        return 0
    clients = _clients_of(appointment) if client_ids is None else [
        c for c in (db.session.get(Client, i) for i in client_ids) if c is not None]
    queued = 0
    for client in clients:
        if actor is not None and client.user_id == actor.id:
            continue  # they did it themselves and saw it on the screen
        once = kind in (Notice.BOOKED, Notice.CANCELLED)
        key = f"notice:{kind}:{appointment.id}:{client.id}" if once else None
        queued += _queue_for(client, appointment, kind, key, send_after=now)
    return queued


def queue_move_notices(actor: User | None, old: Appointment, new: Appointment, now: datetime | None = None) -> int:
    """Tell each client of a moved appointment (but the one who moved it) once: from when to when, and the
    new way of meeting when that changed too."""
    now = now or utcnow()
    if new.ends_at <= now:
        return 0
    queued = 0
    for client in _clients_of(new):
        address, key = recipient_for(client), f"notice:moved:{old.id}:{client.id}"
        if (actor is not None and client.user_id == actor.id) or address is None or _key_taken(key):
            continue
        subject, body = compose_move(old, new, language_of(client))
        queued += queue_message(channel=address[0], recipient=address[1], subject=subject, body=body,
                                dedupe_key=key, send_after=now, client_id=client.id,
                                appointment_id=new.id) is not None
    return queued


def withdraw_reminders(appointment: Appointment, client_ids: list[int] | None = None) -> int:
    """Drop the appointment's reminders still waiting (it was cancelled or changed, or these clients left it)."""
    query = delete(OutboxMessage).where(
        OutboxMessage.appointment_id == appointment.id, OutboxMessage.status == OutboxStatus.QUEUED,
        OutboxMessage.dedupe_key.like("reminder:%"))
    if client_ids is not None:
        query = query.where(OutboxMessage.client_id.in_(client_ids))
    result = db.session.execute(query.execution_options(synchronize_session=False))
    return result.rowcount


def _clients_of(appointment: Appointment) -> list[Client]:
    return [p.client for p in appointment.participants if p.client_id is not None and p.client is not None]


def _queue_for(client: Client, appointment: Appointment, kind: Notice, key: str | None, send_after: datetime) -> int:
    address = recipient_for(client)
    if address is None or (key and _key_taken(key)):  # already queued: do not compose it again
        return 0
    channel, recipient = address
    subject, body = compose(kind, appointment, language_of(client))
    message = queue_message(channel=channel, recipient=recipient, subject=subject, body=body, dedupe_key=key,
                            send_after=send_after, client_id=client.id, appointment_id=appointment.id)
    return 0 if message is None else 1


def recipient_for(client: Client) -> tuple[Channel, str] | None:
    """The channel and address for automatic messages, or None (phone call or letter preferred, no address)."""
    if client.preferred_channel is ContactChannel.SMS and client.phone:
        return Channel.SMS, client.phone.strip()
    if client.preferred_channel is ContactChannel.EMAIL and client.email:
        return Channel.EMAIL, client.email.strip()
    return None


def language_of(client: Client) -> str:
    return "sv" if client.language is ClientLanguage.SV else "fi"


# --- texts -------------------------------------------------------------------------------------------

def compose(kind: Notice, appointment: Appointment, language: str) -> tuple[str, str]:
    """The subject and body of one message in ``language``: when, and for video where to join. Dates and
    times as the pages write them (fi_FI, sv_FI, en_GB): Babel's plain "sv" and "en" write ISO and US dates."""
    with force_locale(language):
        starts = appointment.starts_at
        values = {"date": local_date(starts, "full"), "time": local_time(starts), "link": appointments_link()}
        if kind is Notice.REMINDER and appointment.modality is Modality.VIDEO:
            return _("Appointment reminder"), _(
                "Reminder from Silta: you have a video appointment on %(date)s at %(time)s. Join it here: %(link)s",
                **values)
        if kind is Notice.REMINDER:
            return _("Appointment reminder"), _(
                "Reminder from Silta: you have an appointment on %(date)s at %(time)s.", **values)
        if kind is Notice.BOOKED:
            return _("New appointment"), _(
                "Silta: an appointment has been booked for you on %(date)s at %(time)s. Details: %(link)s", **values)
        if kind is Notice.CANCELLED:
            return _("Appointment cancelled"), _(
                "Silta: your appointment on %(date)s at %(time)s has been cancelled.", **values)
        return _("Appointment changed"), _(
            "Silta: there is a change in your appointment on %(date)s at %(time)s. Details: %(link)s", **values)


def compose_move(old: Appointment, new: Appointment, language: str) -> tuple[str, str]:
    """The moved notice in ``language``: the old and the new time as the pages write them (weekday, date, time)."""
    with force_locale(language):
        values = {"old": long_datetime(old.starts_at), "new": long_datetime(new.starts_at),
                  "way": str(MODALITY_LABELS[new.modality]), "link": appointments_link()}
        if new.modality is old.modality:
            body = _("Silta: the time of your appointment has changed. Old time: %(old)s. New time: %(new)s. "
                     "Details: %(link)s", **values)
        elif new.starts_at == old.starts_at:
            body = _("Silta: your appointment will be held another way. Time: %(old)s. New way: %(way)s. "
                     "Details: %(link)s", **values)
        else:
            body = _("Silta: the time and way of your appointment have changed. Old time: %(old)s. "
                     "New time: %(new)s. New way: %(way)s. Details: %(link)s", **values)
        return _("Appointment changed"), body


def appointments_link() -> str:
    """The client's appointments page on the public address (``PUBLIC_BASE_URL``); messages are sent
    from jobs with no request, so ``url_for`` would not know the host."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + CLIENT_APPOINTMENTS_PATH


# --- sending -----------------------------------------------------------------------------------------

def send_due(now: datetime, limit: int = 50) -> dict[str, int]:
    """Send up to ``limit`` queued messages whose time has come; returns counts by outcome.

    Commits after each claim and each outcome: a message handed to a gateway must stay recorded as
    sent even if a later one breaks the run. Call it from a job, never inside a request.
    """
    outcome = {"sent": 0, "retrying": 0, "failed": 0}
    for message_id in queries.due_message_ids(now, limit):
        message = _claim(message_id, now)
        db.session.commit()
        if message is None:
            continue  # another runner took it
        outcome[_deliver(message, now)] += 1
        db.session.commit()
    return outcome


def _claim(message_id: int, now: datetime) -> OutboxMessage | None:
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.QUEUED,
               OutboxMessage.send_after <= now)
        .values(attempts=OutboxMessage.attempts + 1, send_after=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    return db.session.get(OutboxMessage, message_id, populate_existing=True)


def _deliver(message: OutboxMessage, now: datetime) -> str:
    stale = _stale_reason(message, now)
    if stale:
        _record(message, status=OutboxStatus.FAILED, last_error=stale)
        log.info("outbox message %s (%s) not sent: %s", message.id, message.channel, stale)
        return "failed"
    try:
        backends.for_channel(message.channel).send(message)
    except Exception as exc:  # noqa: BLE001 - any backend failure is recorded and retried, never raised
        return _failed(message, now, describe(exc))
    _record(message, status=OutboxStatus.SENT, sent_at=now, last_error=None)
    log.info("outbox message %s (%s) sent, attempt %s", message.id, message.channel, message.attempts)
    return "sent"


def _failed(message: OutboxMessage, now: datetime, error: str) -> str:
    if message.attempts >= current_app.config["NOTIFICATION_MAX_ATTEMPTS"]:
        _record(message, status=OutboxStatus.FAILED, last_error=error)
        log.warning("outbox message %s (%s) failed for good after %s attempts: %s", message.id, message.channel,
                    message.attempts, error)
        return "failed"
    retry_at = now + timedelta(minutes=min(2 ** (message.attempts - 1), 60))
    _record(message, send_after=retry_at, last_error=error)
    log.warning("outbox message %s (%s) attempt %s failed, retrying: %s", message.id, message.channel,
                message.attempts, error)
    return "retrying"


def _stale_reason(message: OutboxMessage, now: datetime) -> str | None:
    """Why a reminder must not go out any more (the appointment was cancelled, moved away or began)."""
    if not (message.dedupe_key or "").startswith("reminder:") or message.appointment_id is None:
        return None
    appointment = db.session.get(Appointment, message.appointment_id)
    if appointment is None or not appointment.active or appointment.starts_at <= now:
        return "not sent: the appointment is no longer upcoming"
    if not message.dedupe_key.endswith(f":{as_utc(appointment.starts_at):%Y%m%d%H%M}"):
        return "not sent: the appointment has moved"
    if message.client_id is not None and message.client_id not in {p.client_id for p in appointment.participants}:
        return "not sent: the client no longer takes part"  # left the group after it was queued
    return None


def _record(message: OutboxMessage, **values) -> None:
    # An UPDATE by id, not a flush of the object: a withdrawn (deleted) row is simply not updated.
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id).values(**values))


def describe(exc: Exception) -> str:
    """A failure's reason fit for the outbox and the log: a backend's own safe text, else the class name."""
    if isinstance(exc, backends.DeliveryError):
        return str(exc)[:500]
    return type(exc).__name__
