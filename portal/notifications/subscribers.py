"""Notices of changes: the scheduling signals queue a short message to the clients taking part.

The receivers run inside the sender's transaction, so a booking that is rolled back takes its notice
with it. They only queue; the job runner sends (and is asked to run soon after the commit, see
``jobs.request_delivery``).

``client_ids=[…]`` sent with a signal means "for these clients only": a member joined a group's booked
session (booked) or left it (cancelled for them; the session goes on for the others).
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale

from portal import signals
from portal.i18n import _, local_date
from portal.notifications import jobs
from portal.notifications.models import Channel
from portal.notifications.operations import (
    Notice,
    language_of,
    queue_message,
    queue_move_notices,
    queue_notices,
    recipient_for,
    withdraw_reminders,
)


def connect() -> None:
    """Subscribe to the scheduling signals (blinker keeps one connection per receiver: safe to repeat)."""
    signals.appointment_booked.connect(on_booked)
    signals.appointment_cancelled.connect(on_cancelled)
    signals.appointment_changed.connect(on_changed)
    signals.appointment_moved.connect(on_moved)
    signals.service_transferred.connect(on_service_transferred)
    signals.service_ended.connect(on_service_ended)


def on_booked(sender, appointment, client_ids=None, **extra) -> None:
    _notify(Notice.BOOKED, sender, appointment, client_ids)


def on_cancelled(sender, appointment, client_ids=None, **extra) -> None:
    withdraw_reminders(appointment, client_ids)
    _notify(Notice.CANCELLED, sender, appointment, client_ids)


def on_changed(sender, appointment, change_request=None, **extra) -> None:
    if change_request is not None:
        return  # the client asked for a change: the appointment itself is as it was
    # A waiting reminder may say the wrong time or miss a video link now; the next run queues it afresh.
    withdraw_reminders(appointment)
    _notify(Notice.CHANGED, sender, appointment)


def on_moved(sender, appointment, previous, **extra) -> None:
    """One "changed" notice with the old and the new time, instead of "booked" and "cancelled"."""
    withdraw_reminders(previous)
    if queue_move_notices(sender, previous, appointment):
        jobs.request_delivery()


def _notify(kind: Notice, actor, appointment, client_ids=None) -> None:
    if queue_notices(kind, actor, appointment, client_ids=client_ids):
        jobs.request_delivery()


def on_service_transferred(sender, enrolment, transfer, **extra) -> None:
    """Tell the client their person changed; the name is in the portal, not in a text message."""
    address = recipient_for(enrolment.client)
    if address is None:
        return
    channel, recipient = address
    with force_locale(language_of(enrolment.client)):
        subject = _("Your contact person has changed")
        body = _("Silta: you have a new contact person. Sign in to Silta to see who: %(link)s", link=_home_link())
    queue_message(channel=channel, recipient=recipient, subject=subject, body=body, client_id=enrolment.client_id,
                  dedupe_key=f"transfer:{transfer.id}")
    jobs.request_delivery()


def on_service_ended(sender, enrolment, **extra) -> None:
    """The worker whose decision the service rested on (seed 002) is told it ended (no client name in email)."""
    decider = enrolment.decided_by
    if decider is None or not decider.active or not decider.email:
        return
    link = _base() + f"/work/clients/{enrolment.client_id}"  # outside _(): the extractor skips f-strings
    with force_locale(decider.locale or "fi"):
        subject = _("A service resting on your decision has ended")
        body = _("Silta: a service resting on your decision of %(decided)s ended on %(ended)s. "
                 "The client's page: %(link)s", decided=local_date(enrolment.decision_on),
                 ended=local_date(enrolment.ended_on), link=link)
    queue_message(channel=Channel.EMAIL, recipient=decider.email, subject=subject, body=body,
                  user_id=decider.id, dedupe_key=f"service-ended:{enrolment.id}:decider")
    jobs.request_delivery()


def _base() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def _home_link() -> str:
    return _base() + "/me"
