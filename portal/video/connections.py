"""What each live Socket.IO connection of this process may do, kept in memory (rtc/PROTOCOL.md).

Who a connection is and whether it may be in a call is decided at connect and at ``join``, against the
database; the answer is kept here, so a ``signal`` is a dictionary lookup and an emit. What changes
it later — someone entered or left a call, a meeting ended, an invite was revoked, a user signed out —
arrives as a small message (``portal/video/revocation.py``) that every process applies to its own
connections with ``Registry.apply``, before it tells those connections anything.

One registry per app (``app.extensions["silta_rtc"]``); nothing here touches the database or Flask.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Peer:
    """Someone this connection may send signals to: a live connection in the same call."""

    pid: int
    user_id: int | None


@dataclass(eq=False)
class Conn:
    """One ``/rtc`` connection: a participant of one room, a staff member's notification link, or a bot."""

    kind: str  # participant | user | bot
    participant_id: int | None = None
    room_key: str | None = None
    user_id: int | None = None
    session_id: str | None = None  # the signed-in session whose ticket opened it (portal/auth/session.py)
    name: str = ""
    staff: bool = False  # a staff participant (host, worker)
    waiting: bool = False  # in the waiting room
    in_call: bool = False  # joined the call with this connection
    ended: bool = False  # the room ended
    revoked: bool = False  # the invite was revoked, the participant removed or the user signed out
    peers: dict[str, Peer] = field(default_factory=dict)  # conn id -> who, of everyone else in the call
    tokens: float = 0.0
    stamp: float = 0.0

    def refusal(self) -> str | None:
        """Why this connection may not signal now, or None."""
        if self.kind != "participant" or self.revoked:
            return "unauthorized"
        if self.ended:
            return "ended"
        if not self.in_call:
            return "not_admitted" if self.waiting else "not_in_room"
        return None


Emit = Callable[[str, dict, str], None]  # (event, payload, conn id) to a connection of this process
Close = Callable[[str, str], None]  # (conn id, namespace): close a connection of this process


class Registry:
    """This process's connections, by id, and the participant connections of each room."""

    def __init__(self, *, rate: float, burst: float, emit: Emit, close: Close):
        self.rate, self.burst = rate, burst
        self.emit, self.close = emit, close
        self.rtc: dict[str, Conn] = {}
        self.live: dict[str, int] = {}  # /live connection id -> user id
        self.live_sessions: dict[str, str] = {}  # /live connection id -> the session it signed in with
        self.rooms: dict[str, set[str]] = {}  # room key -> this process's participant connections

    # --- bookkeeping -------------------------------------------------------------------------------

    def add(self, sid: str, conn: Conn) -> None:
        conn.tokens, conn.stamp = self.burst, time.monotonic()
        self.rtc[sid] = conn
        if conn.room_key is not None:
            self.rooms.setdefault(conn.room_key, set()).add(sid)

    def remove(self, sid: str) -> Conn | None:
        conn = self.rtc.pop(sid, None)
        if conn is not None and conn.room_key is not None:
            sids = self.rooms.get(conn.room_key)
            if sids is not None:
                sids.discard(sid)
                if not sids:
                    del self.rooms[conn.room_key]
        return conn

    def allow(self, conn: Conn, now: float | None = None) -> bool:
        """A token bucket per connection: ``burst`` messages at once, ``rate`` a second after that."""
        now = time.monotonic() if now is None else now
        conn.tokens = min(self.burst, conn.tokens + (now - conn.stamp) * self.rate)
        conn.stamp = now
        if conn.tokens < 1:
            return False
        conn.tokens -= 1
        return True

    def stats(self) -> dict:
        conns = list(self.rtc.values())
        in_call = [c for c in conns if c.in_call]
        return {"rtc_connections": len(conns), "live_connections": len(self.live),
                "in_call": len(in_call), "calls": len({c.room_key for c in in_call}),
                "bots": sum(1 for c in conns if c.kind == "bot")}  # /readyz: is the echo bot here?

    # --- messages from any process -----------------------------------------------------------------

    def apply(self, message: dict) -> None:
        handler = getattr(self, f"_on_{message.get('op')}", None)
        if handler is not None:
            handler(message)

    def _room(self, key: str) -> list[tuple[str, Conn]]:
        return [(sid, self.rtc[sid]) for sid in list(self.rooms.get(key, ())) if sid in self.rtc]

    def _on_entered(self, m: dict) -> None:
        """``conn`` entered the call; those listed in ``to`` were in it and offer to the newcomer."""
        for sid in m["to"]:
            conn = self.rtc.get(sid)
            if conn is not None and conn.in_call and conn.room_key == m["room"]:
                conn.peers[m["conn"]] = Peer(m["pid"], m.get("uid"))
                self.emit("peer-joined", m["peer"], sid)

    def _on_left(self, m: dict) -> None:
        """``conn`` left the call (or was replaced by a new connection of the same participant)."""
        gone = self.rtc.get(m["conn"])
        if gone is not None and m.get("replaced"):
            gone.in_call, gone.peers = False, {}
            self.emit("replaced", {}, m["conn"])
        for sid, conn in self._room(m["room"]):
            had = conn.peers.pop(m["conn"], None) is not None
            if (had or conn.in_call) and sid not in (m["conn"], m.get("skip")):
                self.emit("peer-left", {"conn": m["conn"], "pid": m["pid"]}, sid)

    def _on_ended(self, m: dict) -> None:
        """The room ended: nobody in it signals any more; everyone hears ``ended``."""
        for sid, conn in self._room(m["room"]):
            conn.ended, conn.in_call, conn.waiting, conn.peers = True, False, False, {}
            self.emit("ended", {}, sid)

    def _on_revoked(self, m: dict) -> None:
        """A participant (``pid``) or a user (``uid``) lost their right: their connections close and nobody
        can signal to them any more. A session (``sess``) ended: the connections it opened close (the
        others of the same user stay; theirs close through the disconnect, as any that leaves)."""
        pid, uid, sess = m.get("pid"), m.get("uid"), m.get("sess")
        if sess is not None:
            self._close_session(sess)
            return

        def matches(who_pid, who_uid) -> bool:
            return (pid is not None and who_pid == pid) or (uid is not None and who_uid == uid)

        for sid, conn in list(self.rtc.items()):
            for peer_sid, peer in list(conn.peers.items()):
                if matches(peer.pid, peer.user_id):
                    del conn.peers[peer_sid]
            if matches(conn.participant_id, conn.user_id):
                conn.revoked, conn.in_call, conn.waiting, conn.peers = True, False, False, {}
                self.close(sid, "/rtc")
        if uid is not None:
            for sid, user_id in list(self.live.items()):
                if user_id == uid:
                    self.close(sid, "/live")

    def _close_session(self, session_id: str) -> None:
        for sid, conn in list(self.rtc.items()):
            if conn.session_id == session_id:
                conn.revoked, conn.in_call, conn.waiting, conn.peers = True, False, False, {}
                self.close(sid, "/rtc")
        for sid, live_session in list(self.live_sessions.items()):
            if live_session == session_id:
                self.close(sid, "/live")
