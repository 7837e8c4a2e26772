"""The ``/live`` Socket.IO namespace: a signed-in user's browser tabs join ``user:<id>`` and hear of new messages.

Authentication is the Flask-Login session: the cookie comes with the handshake, and a connection
without a signed-in user is refused. The server only pushes; the browser sends nothing but the
connection itself. Events carry ids, never message text: the page fetches what the user may read
through the ordinary, audited route.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import Flask, current_app, request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, Namespace, join_room

from portal.auth import session as sessions

NAMESPACE = "/live"
log = logging.getLogger(__name__)


def room(user_id: int) -> str:
    return f"user:{user_id}"


class LiveNamespace(Namespace):
    """Its connections are listed in the signaling registry (``portal/video/connections.py``), so signing
    out closes them on every process and /metrics can count them."""

    def on_connect(self, auth=None):
        if not current_user.is_authenticated:
            log.info("live connection refused: not signed in")
            raise ConnectionRefusedError("sign_in_required")
        join_room(room(current_user.id))
        registry = current_app.extensions.get("silta_rtc")
        if registry is not None:
            registry.live[request.sid] = current_user.id
            registry.live_sessions[request.sid] = sessions.current_id()  # closes when that session ends

    def on_disconnect(self, reason=None):
        registry = current_app.extensions.get("silta_rtc")
        if registry is not None:
            registry.live.pop(request.sid, None)  # rooms are left by the server itself
            registry.live_sessions.pop(request.sid, None)


def init_app(app: Flask) -> None:
    """Register the namespace on the app's Socket.IO server (made by the video signaling's init_app)."""
    app.extensions["socketio"].on_namespace(LiveNamespace(NAMESPACE))


def publish(user_ids: Iterable[int], event: str, payload: dict) -> None:
    """Tell these users' open tabs about something new (nobody listening is fine)."""
    socketio = current_app.extensions.get("socketio")
    if socketio is None:
        return
    for user_id in user_ids:
        socketio.emit(event, payload, namespace=NAMESPACE, to=room(user_id))
