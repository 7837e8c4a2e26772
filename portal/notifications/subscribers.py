"""Notices of changes: the scheduling signals queue a short message to the clients taking part.

The receivers run inside the sender's transaction, so a booking that is rolled back takes its notice
with it. They only queue; the job runner sends (and is asked to run soon after the commit, see
``jobs.request_delivery``).

``client_ids=[…]`` sent with a signal means "for these clients only": a member joined a group's booked
session (booked) or left it (cancelled for them; the session goes on for the others).
"""

from __future__ import annotations

from portal import signals
from portal.notifications import jobs
from portal.notifications.operations import Notice, queue_notices, withdraw_reminders


def connect() -> None:
    """Subscribe to the scheduling signals (blinker keeps one connection per receiver: safe to repeat)."""
    signals.appointment_booked.connect(on_booked)
    signals.appointment_cancelled.connect(on_cancelled)
    signals.appointment_changed.connect(on_changed)


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


def _notify(kind: Notice, actor, appointment, client_ids=None) -> None:
    if queue_notices(kind, actor, appointment, client_ids=client_ids):
        jobs.request_delivery()
