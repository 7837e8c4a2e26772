"""Revocation and call membership, applied at once by every web process (rtc/PROTOCOL.md).

The signaling server keeps each connection's rights in memory (``portal/video/connections.py``). What
takes a right away is published here as a small message that every process applies to its own
connections: through a Redis pub/sub channel (the Redis of the Socket.IO message queue,
``PORTAL_REDIS_URL``), with a listener per process; without Redis, in this process only, which then is
the only one. The publishing process applies the message itself before the call returns.

For other features — call these from the operation that takes the right away::

    revocation.revoke_room(key)          # the meeting ended: nobody signals in it any more
    revocation.revoke_participant(pid)   # an invite revoked, a participant removed: their connection closes
    revocation.revoke_user(user_id)      # deactivated, password reset: every connection of theirs closes
    revocation.revoke_session(session_id)  # one session ended: the connections it opened close

They take effect when the current database transaction commits (a change that is rolled back revokes
nothing); outside a transaction, at once. Messages carry ids only: no names, tickets or SDP.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time

import redis
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.video.connections import Registry

CHANNEL = "silta-rtc-control"
PENDING = "silta_rtc_pending"
log = logging.getLogger(__name__)


class Bus:
    """Publishes messages to every process's registry; listens for the other processes' messages."""

    def __init__(self, registry: Registry, redis_url: str, start_task):
        self.registry = registry
        self.redis_url = redis_url
        self.start_task = start_task  # socketio.start_background_task: a greenlet under gevent, else a thread
        self.origin = secrets.token_hex(8)
        self._client: redis.Redis | None = None
        self._lock = threading.Lock()
        self._listening = False

    def publish(self, message: dict) -> None:
        self.registry.apply(message)
        if self.redis_url:
            if self._client is None:
                self._client = redis.Redis.from_url(self.redis_url)
            self._client.publish(CHANNEL, json.dumps({**message, "origin": self.origin}))

    def listen(self) -> None:
        """Subscribe (once per process, before the first connection is accepted) and apply what others send."""
        if not self.redis_url or self._listening:
            return
        with self._lock:
            if self._listening:
                return
            pubsub = self._subscribe()
            self._listening = True
        self.start_task(self._run, pubsub)

    def _subscribe(self):
        pubsub = redis.Redis.from_url(self.redis_url).pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(CHANNEL)
        pubsub.get_message(timeout=5)  # the subscription is confirmed: nothing published after this is missed
        return pubsub

    def _run(self, pubsub) -> None:
        while True:
            try:
                for item in pubsub.listen():
                    self._receive(item.get("data"))
            except redis.RedisError as exc:
                log.warning("rtc control channel lost (%s); resubscribing", type(exc).__name__)
            try:
                pubsub = self._subscribe()
            except redis.RedisError:
                time.sleep(1)

    def _receive(self, data) -> None:
        try:
            message = json.loads(data)
        except (TypeError, ValueError):
            return
        if isinstance(message, dict) and message.pop("origin", None) != self.origin:
            self.registry.apply(message)


def init_app(app: Flask, registry: Registry, start_task) -> Bus:
    bus = Bus(registry, app.config["REDIS_URL"], start_task)
    app.extensions["silta_rtc_bus"] = bus
    return bus


def revoke_room(key: str) -> None:
    """The meeting ``key`` ended: its connections hear ``ended`` and none of them signals any more."""
    _after_commit({"op": "ended", "room": key})


def revoke_participant(participant_id: int) -> None:
    """The participant lost their seat (invite revoked, removed): their connection closes, nobody reaches them."""
    _after_commit({"op": "revoked", "pid": participant_id})


def revoke_user(user_id: int) -> None:
    """The user signed out or was deactivated: every /rtc and /live connection of theirs closes."""
    _after_commit({"op": "revoked", "uid": user_id})


def revoke_session(session_id: str) -> None:
    """A session ended (signed out, idle, ended from another device): the /rtc and /live connections it
    opened close; the user's other sessions keep theirs."""
    _after_commit({"op": "revoked", "sess": session_id})


def announce(message: dict) -> None:
    """Call membership (someone entered or left a call), published at once by the signaling handlers."""
    bus = current_app.extensions.get("silta_rtc_bus")
    if bus is not None:
        bus.publish(message)


def _after_commit(message: dict) -> None:
    bus = current_app.extensions.get("silta_rtc_bus")
    if bus is None:
        return
    session = db.session()
    if session.in_transaction():
        session.info.setdefault(PENDING, []).append((bus, message))
    else:
        bus.publish(message)


@event.listens_for(Session, "after_commit")
def _publish_pending(session: Session) -> None:
    for bus, message in session.info.pop(PENDING, ()):
        try:
            bus.publish(message)
        except redis.RedisError:
            log.error("rtc revocation could not be published to the other processes (Redis unavailable)")


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(PENDING, None)
