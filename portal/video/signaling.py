"""The ``/rtc`` Socket.IO namespace: authorisation, the waiting room and an opaque relay of WebRTC signals.

The contract is ``rtc/PROTOCOL.md``. What this module guarantees:

- **Who:** a connection is refused without a valid ticket. Connect and ``join`` are decided against the
  database (an ended room, a revoked invite, admission, the mesh limit); the answer is kept in the
  connection's state (``portal/video/connections.py``). Whatever takes a right away later — the meeting
  ends, an invite is revoked, a participant removed, a user signs out — is published to every process
  (``portal/video/revocation.py``) and applied before anyone is told, so a ticket alone never lets anyone in.
- **Where:** a ``signal`` goes only to a live connection of a participant *in the same call*; anything
  else is refused with ``not_in_room`` — a forged ``to`` cannot reach another meeting. A signal is a
  dictionary lookup and an emit: no database query (measured: bench/signaling.py).
- **Order:** ``async_handlers=False`` makes python-socketio handle one connection's events one after
  another (its default runs each in its own thread, which can reorder an answer and its candidates).
- **Abuse:** websocket transport only (long-polling is refused, so several processes need no sticky
  sessions), a message-rate limit per connection (a flooder is disconnected, nobody else notices) and a
  maximum message size that closes the connection with code 1009. Refused connections are logged in one
  line, without the credentials.
- **Privacy:** SDP, candidates, chat and tickets are never logged (Socket.IO's own loggers are off);
  chat is relayed, not stored.

**Async mode.** Production runs gevent under gunicorn (``portal/serving.py``): one process holds
thousands of connections in greenlets. The embedded ``python -m portal`` runs the same namespace in
Flask-SocketIO's threading mode (``PORTAL_RTC_ASYNC_MODE``), which costs ~4 OS threads per connection.
Several processes share rooms through the Redis message queue (``PORTAL_REDIS_URL``).
"""

from __future__ import annotations

import json
import logging

from flask import Flask, current_app, request, url_for
from flask_socketio import ConnectionRefusedError, Namespace, SocketIO, emit, join_room, leave_room
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from sqlalchemy.orm import joinedload

from portal import signals
from portal.auth import session as sessions
from portal.auth.models import AccountKind, User
from portal.db import utcnow
from portal.extensions import db
from portal.video import operations, queries, revocation, sfu, tickets
from portal.video.connections import Conn, Peer, Registry
from portal.video.models import STAFF_ROLES, ParticipantRole, RoomKind, RoomMedia, VideoParticipant, VideoRoom

NAMESPACE = "/rtc"
log = logging.getLogger(__name__)

CHAT_MAX = 1000
NOTICE_MAX = 300
DESCRIPTION_TYPES = {"offer", "answer", "pranswer", "rollback"}


def _ack(ok: bool = True, error: str | None = None, **extra) -> dict:
    if ok:
        return {"ok": True, **extra}
    emit("error", {"error": error})
    return {"ok": False, "error": error}


def init_app(app: Flask) -> SocketIO:
    """Bind a Socket.IO server to this app (one per app: tests build many apps in one process)."""
    redis_url = app.config["REDIS_URL"] or None
    limit = app.config["RTC_MAX_MESSAGE_BYTES"]
    socketio = SocketIO(
        app,
        async_mode=app.config["RTC_ASYNC_MODE"],
        message_queue=redis_url,
        channel="silta-rtc",
        async_handlers=False,
        manage_session=False,
        transports=["websocket"],  # long-polling refused: no sticky sessions, one code path
        max_http_buffer_size=2 * limit,
        ping_interval=10,
        ping_timeout=10,
        logger=False,
        engineio_logger=False,
        # The same-origin check of Flask-SocketIO stays on (cors_allowed_origins=None): pages of
        # another site cannot open signaling connections with a user's cookies or tickets.
    )
    _limit_websocket_messages(socketio.server.eio, 2 * limit)
    server = socketio.server
    registry = Registry(
        rate=app.config["RTC_RATE_PER_SECOND"], burst=app.config["RTC_RATE_BURST"],
        emit=lambda event, payload, sid: server.emit(event, payload, to=sid, namespace=NAMESPACE, ignore_queue=True),
        close=lambda sid, namespace: socketio.start_background_task(
            server.disconnect, sid, namespace=namespace, ignore_queue=True))
    app.extensions["silta_rtc"] = registry
    bus = revocation.init_app(app, registry, socketio.start_background_task)
    socketio.on_namespace(RtcNamespace(NAMESPACE, registry, bus, limit))
    app.jinja_env.globals["rtc_user_ticket"] = page_user_ticket
    return socketio


def _limit_websocket_messages(eio, limit: int) -> None:
    """Close a websocket that sends a message over ``limit`` bytes (code 1009) while reading it, instead
    of buffering the whole message and dropping the connection afterwards."""
    base = eio._async["websocket"]

    def websocket(handler, server):
        ws = base(handler, server)
        ws.server_args["max_message_size"] = limit
        return ws

    eio._async = {**eio._async, "websocket": websocket}  # this server only: the driver's dict is shared


@signals.session_ended.connect
def _session_ended(session_id: str, **_extra) -> None:
    """One session ended (signed out, idle, past its lifetime): its /rtc and /live connections close, and
    the tickets it was given are refused from now on (``_authenticate``)."""
    revocation.revoke_session(session_id)


@signals.sessions_ended.connect
def _sessions_ended(user: User, session_ids=(), keep: str | None = None, **_extra) -> None:
    """Sessions of ``user`` ended (password change or reset, deactivation, "sign out my other sessions"):
    all their connections close, or, when one session stays, those of the others."""
    if keep is None:
        revocation.revoke_user(user.id)
    for session_id in session_ids:
        revocation.revoke_session(session_id)


def stats(app: Flask | None = None) -> dict:
    """This process's real-time load, for /metrics: connections per namespace and calls in progress."""
    registry = (app or current_app).extensions.get("silta_rtc")
    return registry.stats() if registry is not None else {
        "rtc_connections": 0, "live_connections": 0, "in_call": 0, "calls": 0}


def page_user_ticket() -> str | None:
    """The notification-connection ticket a staff page carries (who is waiting for me), else None."""
    from flask_login import current_user

    if current_user.is_authenticated and current_user.is_staff:
        return tickets.user_ticket(current_user, sessions.current_id())
    return None


class RtcNamespace(Namespace):
    def __init__(self, namespace: str, registry: Registry, bus: revocation.Bus, max_bytes: int):
        super().__init__(namespace)
        self.registry = registry
        self.conns = registry.rtc  # this process's connections; a sid lives on one process
        self.bus = bus
        self.max_bytes = max_bytes

    def trigger_event(self, event, *args):
        """Every event passes the connection's rate limit; ``signal``, the hot path, is relayed without a
        Flask request context (a dictionary lookup and an emit)."""
        if event not in ("connect", "disconnect"):
            sid = args[0]
            conn = self.conns.get(sid)
            if conn is not None and not self.registry.allow(conn):
                log.warning("rtc connection closed: over %g messages a second (%s)", self.registry.rate, conn.kind)
                self.registry.close(sid, NAMESPACE)
                return None
            if event == "signal":
                return self._relay(sid, conn, args[1] if len(args) > 1 else None)
        return super().trigger_event(event, *args)

    # --- connecting ------------------------------------------------------------------------------

    def on_connect(self, auth=None):
        try:
            conn, reason = _authenticate(auth if isinstance(auth, dict) else {})
        except (SQLAlchemyTimeoutError, OperationalError):
            # Overloaded (no pooled connection within the pool timeout) or the database away: one line, no
            # traceback; the browser reconnects with backoff.
            db.session.rollback()
            log.warning("rtc connection refused: database busy or unavailable")
            raise ConnectionRefusedError("busy") from None
        db.session.rollback()  # read only: the pooled connection goes back before anything else is done
        if conn is None:
            log.info("rtc connection refused: %s", reason)
            raise ConnectionRefusedError("unauthorized")
        self.bus.listen()
        self.registry.add(request.sid, conn)
        if conn.kind == "bot":
            join_room("bots")
        elif conn.kind == "user":
            join_room(f"user:{conn.user_id}")
            for room, _people in queries.waiting_for(conn.user_id):
                emit("lobby", {"room": room.key, "url": url_for("video.room", key=room.key), **_lobby_payload(room)})
        elif conn.user_id is not None and conn.staff:
            join_room(f"user:{conn.user_id}")  # hears the waiting room of other meetings too
        db.session.commit()

    def on_disconnect(self, *args):
        conn = self.registry.remove(request.sid)
        if conn is not None and conn.kind == "participant":
            self._gone(conn, request.sid)
            db.session.commit()

    def on_leave(self, data=None):
        conn = self.conns.get(request.sid)
        if conn is None or conn.kind != "participant":
            return _ack(False, "unauthorized")
        self._gone(conn, request.sid)
        leave_room(f"room:{conn.room_key}")
        db.session.commit()
        conn.in_call, conn.waiting, conn.peers = False, False, {}
        return _ack()

    def _gone(self, conn: Conn, sid: str) -> None:
        participant = db.session.get(VideoParticipant, conn.participant_id)
        if participant is None:
            return
        room = participant.room
        # A reload's new connection can join while this one's leaving is handled. Under the room's lock,
        # which joins take too, either the join came first (this connection no longer counts: nothing is
        # released) or the release of the media does, and the join admits the person again after it. Without
        # it, a late release took the token and the Janus session of the reloaded page.
        operations.lock_room(db.session, room)
        db.session.refresh(participant)
        db.session.refresh(room)
        was_waiting = participant.waiting_since is not None and participant.live_sid == sid
        left = operations.leave(db.session, participant, sid)
        if was_waiting and participant.away_since is None:  # away answering the ORS: keeps the place
            participant.waiting_since = None
        if room.kind == RoomKind.ECHO and participant.role != ParticipantRole.BOT:
            operations.end_room(db.session, room, None)  # the test is over: the bot hangs up
        if left and room.media == RoomMedia.SFU:
            sfu.release_media(room, participant)
        db.session.commit()
        if left:
            revocation.announce({"op": "left", "room": conn.room_key, "conn": sid, "pid": participant.id})
        if was_waiting:
            _broadcast_lobby(room)

    # --- the room --------------------------------------------------------------------------------

    def on_join(self, data=None):
        conn, participant, error = self._participant()
        if error:
            return _ack(False, error)
        room, sid = participant.room, request.sid
        if participant.role == ParticipantRole.BOT:
            if room.kind != RoomKind.ECHO or not operations.claim_bot_seat(db.session, participant):
                db.session.rollback()
                return _ack(False, "taken")
        lapsed = operations.admission_lapsed(participant, conn.session_id, utcnow())  # another session, or too late
        if lapsed or participant.needs_admission:
            operations.wait(db.session, participant, sid, conn.session_id)
            db.session.commit()
            conn.waiting = True
            emit("waiting", {"position": _position(room, participant), "host_busy": queries.host_busy(room)})
            _broadcast_lobby(room)
            db.session.commit()
            return _ack(waiting=True)
        # Joins of one room happen one at a time (a row lock on every database and process), so of
        # two people joining at once exactly one sees the other in ``peers`` (and waits for an offer)
        # and the other is told ``peer-joined`` (and offers) — never both, never neither.
        join_room(f"room:{room.key}")
        operations.lock_room(db.session, room)
        in_call = operations.people_in_call(db.session, room.id)
        media = sfu.settle_media(db.session, room, in_call)  # decided again only while nobody is in
        if not participant.in_call and participant.role != ParticipantRole.BOT and \
                media == RoomMedia.MESH and in_call >= operations.MAX_PEOPLE:
            db.session.rollback()
            leave_room(f"room:{room.key}")
            return _ack(False, "room_full")
        old_sid = participant.live_sid if participant.in_call else None
        was_waiting = participant.waiting_since is not None
        operations.enter_call(db.session, participant, sid)
        others = operations.others_in_call(db.session, participant)
        peers = [_peer(p) for p in others]
        try:
            janus = sfu.admit_media(room, participant) if media == RoomMedia.SFU else None
        except sfu.JanusUnavailable as exc:
            log.warning("rtc join refused: %s", exc)
            db.session.rollback()
            leave_room(f"room:{room.key}")
            return _ack(False, "sfu_unavailable")
        db.session.commit()
        conn.name, conn.waiting, conn.in_call = participant.display_name, False, True
        conn.peers = {p.live_sid: Peer(p.id, p.user_id) for p in others}
        if old_sid and old_sid != sid:
            revocation.announce({"op": "left", "room": room.key, "conn": old_sid, "pid": participant.id,
                                 "replaced": True, "skip": sid})
        emit("joined", {"conn": sid, "pid": participant.id, "peers": peers, **({"janus": janus} if janus else {})})
        # Those already in the call, and only they, offer to the newcomer; their processes let them
        # signal to it before they tell them.
        revocation.announce({"op": "entered", "room": room.key, "conn": sid, "pid": participant.id,
                             "uid": participant.user_id, "to": [p["conn"] for p in peers], "peer": _peer(participant)})
        if room.kind == RoomKind.ECHO and participant.role != ParticipantRole.BOT:
            _request_bot(room)
        elif was_waiting:
            _broadcast_lobby(room)
        return _ack(conn=sid)

    def _relay(self, sid: str, conn: Conn | None, data) -> dict:
        """A ``signal``: checked against the connection's state only, then sent on."""
        error = conn.refusal() if conn is not None else "unauthorized"
        message = None
        if error is None:
            message = _valid_signal(data)
            if message is None:
                error = "invalid"
            elif len(json.dumps(data)) > self.max_bytes:
                error = "too_large"
            elif data["to"] not in conn.peers:
                error = "not_in_room"
        server = self.socketio.server
        if error is not None:
            server.emit("error", {"error": error}, to=sid, namespace=NAMESPACE, ignore_queue=True)
            return {"ok": False, "error": error}
        to = data["to"]
        server.emit("signal", {"from": sid, **message}, to=to, namespace=NAMESPACE, ignore_queue=to in self.conns)
        return {"ok": True}

    def on_chat(self, data=None):
        conn = self.conns.get(request.sid)
        error = conn.refusal() if conn is not None else "unauthorized"
        if error:
            return _ack(False, error)
        text = data.get("text") if isinstance(data, dict) else None
        text = text.strip() if isinstance(text, str) else ""
        if not text or len(text) > CHAT_MAX:
            return _ack(False, "invalid")
        emit("chat", {"from": request.sid, "name": conn.name, "text": text,
                      "at": utcnow().isoformat()}, to=f"room:{conn.room_key}")
        return _ack()

    def on_state(self, data=None):
        conn = self.conns.get(request.sid)
        error = conn.refusal() if conn is not None else "unauthorized"
        if error:
            return _ack(False, error)
        if not isinstance(data, dict) or not all(isinstance(data.get(k), bool) for k in ("audio", "video", "screen")):
            return _ack(False, "invalid")
        state = {k: data[k] for k in ("audio", "video", "screen")}
        emit("peer-state", {"conn": request.sid, **state}, to=f"room:{conn.room_key}", skip_sid=request.sid)
        return _ack()

    def on_hand(self, data=None):
        """Raise or lower one's hand: everyone in the call sees it (group rooms)."""
        conn = self.conns.get(request.sid)
        error = conn.refusal() if conn is not None else "unauthorized"
        if error:
            return _ack(False, error)
        if not isinstance(data, dict) or not isinstance(data.get("raised"), bool):
            return _ack(False, "invalid")
        emit("peer-hand", {"conn": request.sid, "name": conn.name, "raised": data["raised"]},
             to=f"room:{conn.room_key}")
        return _ack()

    def on_mute(self, data=None):
        """The room's staff mute (or unmute) someone's microphone in Janus; the person is told."""
        actor, target, error = self._staff_target(data)
        if not error and (target.room.media != RoomMedia.SFU or not target.in_call):
            error = "not_in_room"
        muted = data.get("muted", True) if isinstance(data, dict) else True
        if not error and not isinstance(muted, bool):
            error = "invalid"
        if error:
            db.session.rollback()
            return _ack(False, error)
        room, sid = target.room, target.live_sid
        try:
            sfu.mute(room, target, actor, muted)
        except sfu.JanusUnavailable as exc:
            log.warning("rtc mute failed: %s", exc)
            db.session.rollback()
            return _ack(False, "sfu_unavailable")
        db.session.commit()
        emit("muted", {"pid": target.id, "conn": sid, "muted": muted, "by": actor.display_name},
             to=f"room:{room.key}")
        return _ack()

    def on_end(self, data=None):
        conn, participant, error = self._participant()
        if error:
            return _ack(False, error)
        if participant.role != ParticipantRole.HOST:
            db.session.rollback()
            return _ack(False, "unauthorized")
        room = participant.room
        operations.end_room(db.session, room, participant.user)  # revokes the room when this commits
        sfu.record_attendance(room, participant.user)  # a group session: who came, from who joined
        db.session.commit()
        if room.media == RoomMedia.SFU:
            sfu.close_room(room)
        _broadcast_lobby(room)
        return _ack()

    # --- the host's waiting room -----------------------------------------------------------------

    def on_admit(self, data=None):
        actor, target, error = self._staff_target(data)
        if error:
            return _ack(False, error)
        operations.admit(db.session, target, actor)
        sid = target.live_sid
        db.session.commit()
        if sid:
            emit("admitted", {}, to=sid)
        _broadcast_lobby(target.room)
        return _ack()

    def on_notice(self, data=None):
        actor, target, error = self._staff_target(data)
        if error:
            return _ack(False, error)
        text = data.get("text")
        text = text.strip() if isinstance(text, str) else ""
        sid = target.live_sid
        db.session.commit()
        if not text or len(text) > NOTICE_MAX:
            return _ack(False, "invalid")
        if sid:
            emit("notice", {"text": text, "from": actor.display_name}, to=sid)
        return _ack()

    # --- authorisation helpers (rare events: against the database) -------------------------------

    def _participant(self):
        """(conn, participant, None) for a participant connection still allowed in, else an error code."""
        conn = self.conns.get(request.sid)
        if conn is None or conn.kind != "participant" or conn.revoked:
            return conn, None, "unauthorized"
        row = queries.connect_access(conn.participant_id)
        if row is None or not _allowed(row):
            db.session.rollback()
            return conn, None, "unauthorized"
        if row.ended_at is not None:
            db.session.rollback()
            return conn, None, "ended"
        participant = db.session.get(VideoParticipant, conn.participant_id, options=[joinedload(VideoParticipant.room)])
        return conn, participant, None

    def _staff_target(self, data):
        """(acting user, waiting participant, None) when the actor is staff of the target's room."""
        conn = self.conns.get(request.sid)
        pid = data.get("pid") if isinstance(data, dict) else None
        if conn is None or conn.kind == "bot" or conn.user_id is None or conn.revoked:
            return None, None, "unauthorized"
        if not isinstance(pid, int) or isinstance(pid, bool):
            return None, None, "invalid"
        target = db.session.get(VideoParticipant, pid)
        actor = db.session.get(User, conn.user_id)
        if target is None or actor is None or not actor.active or not _is_staff_of(actor.id, target.room):
            db.session.rollback()
            return None, None, "not_in_room"
        if target.room.ended:
            db.session.rollback()
            return None, None, "ended"
        return actor, target, None


def _authenticate(auth: dict) -> tuple[Conn | None, str]:
    """Who connects, or None and why not (for the log: never the credential itself). One query each."""
    if "ticket" in auth:
        parsed = tickets.read_participant_ticket(auth["ticket"])
        row = queries.connect_access(parsed.participant_id) if parsed else None
        if row is None or row.room_key != parsed.room_key:
            return None, "participant ticket invalid or expired"
        if row.ended_at is not None:
            return None, "meeting ended"
        if not _allowed(row):
            return None, "invite revoked or expired, or account inactive"
        if parsed.session_id is not None and not sessions.alive(parsed.session_id):
            return None, "the session that was given the ticket has ended"
        conn = Conn("participant", row.id, row.room_key, row.user_id, session_id=parsed.session_id)
        conn.staff = row.role in STAFF_ROLES
        return conn, ""
    if "user_ticket" in auth:
        parsed = tickets.read_user_ticket(auth["user_ticket"])
        row = queries.staff_account(parsed.user_id) if parsed else None
        if row is None or not row.active or row.kind != AccountKind.STAFF:
            return None, "user ticket invalid, expired or not staff"
        if parsed.session_id is not None and not sessions.alive(parsed.session_id, row.id):
            return None, "the session that was given the ticket has ended"
        return Conn("user", user_id=row.id, session_id=parsed.session_id), ""
    if "bot_token" in auth:
        return (Conn("bot"), "") if tickets.read_bot_token(auth["bot_token"]) else (None, "bot token invalid")
    return None, "no credentials"


def _allowed(row) -> bool:
    """An account still active; an invite link still valid (a ``queries.connect_access`` row)."""
    if row.user_active is False:
        return False
    return row.expires_at is None or (row.revoked_at is None and utcnow() < row.expires_at)


def _is_staff_of(user_id: int, room: VideoRoom) -> bool:
    return room.host_id == user_id or any(
        p.user_id == user_id and p.is_staff for p in room.participants)


def _valid_signal(data) -> dict | None:
    """The relayed part of a ``signal``, or None when its shape is wrong (the SDP itself stays opaque)."""
    if not isinstance(data, dict) or not isinstance(data.get("to"), str) or not 0 < len(data["to"]) <= 64:
        return None
    if set(data) == {"to", "description"}:
        description = data["description"]
        if (isinstance(description, dict) and set(description) <= {"type", "sdp"}
                and description.get("type") in DESCRIPTION_TYPES and isinstance(description.get("sdp", ""), str)):
            return {"description": description}
    elif set(data) == {"to", "candidate"}:
        candidate = data["candidate"]
        if candidate is None or (isinstance(candidate, dict) and all(isinstance(k, str) for k in candidate)):
            return {"candidate": candidate}
    return None


def _peer(participant: VideoParticipant) -> dict:
    return {"conn": participant.live_sid, "pid": participant.id, "name": participant.display_name,
            "role": participant.role.value}


def _position(room: VideoRoom, participant: VideoParticipant) -> int:
    waiting = queries.waiting_in(room)
    return next((i for i, p in enumerate(waiting, 1) if p.id == participant.id), len(waiting))


def _lobby_payload(room: VideoRoom) -> dict:
    """Who waits in the room (``tell_staff`` adds the room's key and URL)."""
    appointment = room.appointment
    return {
        "title": room.title,
        "at": appointment.starts_at.isoformat() if appointment is not None else None,
        "waiting": [] if room.ended else [
            {"pid": p.id, "name": p.display_name, "since": p.waiting_since.isoformat(),
             "ors": queries.fresh_ors(room, p), "away": p.live_sid is None} for p in queries.waiting_in(room)],
    }


def _broadcast_lobby(room: VideoRoom) -> None:
    """Tell every staff member of the room who is waiting, wherever they are in the portal."""
    tell_staff(room, "lobby", _lobby_payload(room))


def tell_staff(room: VideoRoom, event: str, payload: dict) -> None:
    """An event to the room's staff: their call pages and the notification connection of every staff page."""
    payload = {"room": room.key, "url": url_for("video.room", key=room.key), **payload}
    staff = {room.host_id} | {p.user_id for p in room.participants if p.is_staff and p.user_id}
    for user_id in staff - {None}:
        emit(event, payload, to=f"user:{user_id}", namespace=NAMESPACE)


def _request_bot(room: VideoRoom) -> None:
    seat = operations.bot_seat(room)
    if seat is None or seat.first_joined_at is not None:
        return
    emit("echo-request", {"room": room.key, "ticket": tickets.participant_ticket(seat),
                          "limit_seconds": current_app.config["RTC_ECHO_LIMIT_SECONDS"]},
         to="bots", namespace=NAMESPACE)
