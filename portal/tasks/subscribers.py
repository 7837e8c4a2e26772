"""Requests become tasks: the receivers run inside the sender's transaction (a rolled-back request makes none)."""

from __future__ import annotations

from portal import signals
from portal.tasks import operations


def connect() -> None:
    """Subscribe to the requests' signals (blinker keeps one connection per receiver: safe to repeat)."""
    signals.appointment_changed.connect(on_changed)
    signals.callback_requested.connect(on_callback)
    signals.callback_handled.connect(on_callback_handled)
    signals.fallback_asked.connect(on_fallback)


def on_changed(sender, appointment, change_request=None, **extra) -> None:
    if change_request is not None:
        operations.from_change_request(sender, change_request)


def on_callback(sender, callback, **extra) -> None:
    operations.from_callback(sender, callback)


def on_callback_handled(sender, callback, **extra) -> None:
    operations.close_for_callback(sender, callback)


def on_fallback(sender, appointment=None, choice=None, **extra) -> None:
    """A home visit instead is already a change request (video's ask_fallback); a phone call now is its own task."""
    if choice == "phone" and appointment is not None:
        operations.phone_instead(sender, appointment)
