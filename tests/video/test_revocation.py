"""Revocation across two production server processes sharing Redis, and the transport's guards.

Two Silta servers (portal/serving.py, gevent) share the SQLite file and a Redis: every call here has one
side on each process, so a revocation published by one process (or by this test process, like any other
web process) must be applied by the other. The checks wait for an event that the other process sends
only after applying the message (``ended``, a closed connection), then send a signal: it must be refused.
No timing is asserted; the waits only bound a hang.
"""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request

import pytest
import socketio

from portal.auth import session as sessions
from portal.auth.operations import sign_in, sign_out
from portal.extensions import db as _db
from portal.video import operations, revocation, tickets
from portal.video.models import VideoRoom
from tests.conftest import make_app
from tests.support.browsers import run_async
from tests.support.rtc import SILTA_SECRET, start_silta

pytestmark = pytest.mark.redis
WAIT = 15.0
OFFER = {"type": "offer", "sdp": "v=0\r\n"}


@pytest.fixture(scope="module")
def pair(video_db, redis_server):
    """Two production server processes behind one Redis (the Socket.IO queue and the revocation channel)."""
    servers = [start_silta(video_db, redis_url=redis_server.url,
                           env={"PORTAL_RTC_RATE_BURST": "40", "PORTAL_RTC_RATE_PER_SECOND": "20"})
               for _ in range(2)]
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture
def app(video_db, redis_server):
    """This test process as a third web process: its revocations go through the same Redis."""
    app = make_app(video_db, SECRET_KEY=SILTA_SECRET, REDIS_URL=redis_server.url)
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


class Side:
    """A raw /rtc participant: what it received, and signals with their acknowledgements."""

    def __init__(self, url: str, auth: dict):
        self.url, self.auth = url, auth
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: dict[str, asyncio.Queue] = {}
        self.closed = asyncio.Event()
        for name in ("joined", "peer-joined", "peer-left", "signal", "ended", "error"):
            self.sio.on(name, self._keep(name), namespace="/rtc")
        self.sio.on("disconnect", lambda *_: self.closed.set(), namespace="/rtc")

    def _keep(self, name):
        queue = self.events.setdefault(name, asyncio.Queue())
        return lambda data=None: queue.put_nowait(data)

    async def __aenter__(self):
        await self.sio.connect(self.url, namespaces=["/rtc"], transports=["websocket"], auth=self.auth,
                               wait_timeout=WAIT)
        return self

    async def __aexit__(self, *exc):
        await self.sio.disconnect()

    async def next(self, name: str):
        return await asyncio.wait_for(self.events[name].get(), WAIT)

    async def ask(self, event: str, data: dict | None = None) -> dict:
        return await self.sio.call(event, data or {}, namespace="/rtc", timeout=WAIT)

    async def signal(self, to: str) -> dict:
        return await self.ask("signal", {"to": to, "description": OFFER})


async def _in_call(host: Side, guest: Side) -> tuple[str, str]:
    """Both join; the host offers to the guest across the processes (the relay works before revocation)."""
    host_conn = (await host.ask("join"))["conn"]
    guest_conn = (await guest.ask("join"))["conn"]
    assert (await host.next("peer-joined"))["conn"] == guest_conn
    assert await host.signal(guest_conn) == {"ok": True}
    assert (await guest.next("signal"))["from"] == host_conn
    return host_conn, guest_conn


def _room(db, make_room, guests: int = 0):
    key, room_tickets = make_room()
    room = db.session.scalar(db.select(VideoRoom).filter_by(key=key))
    invites = [operations.create_invite(db.session, room, room.host, name=f"Guest {n}")[0] for n in range(guests)]
    db.session.commit()
    return room, room_tickets, invites


def test_a_signal_is_refused_right_after_the_meeting_ends_on_the_other_process(pair, make_room):
    _key, (host_ticket, client_ticket) = make_room()

    async def scenario():
        async with Side(pair[0].url, {"ticket": host_ticket}) as host, \
                Side(pair[1].url, {"ticket": client_ticket}) as client:
            host_conn, client_conn = await _in_call(host, client)
            assert await host.ask("end") == {"ok": True}
            assert await client.next("ended") == {}  # process two applied the revocation, then told its client
            assert await client.signal(host_conn) == {"ok": False, "error": "ended"}
            assert await host.signal(client_conn) == {"ok": False, "error": "ended"}

    run_async(scenario())


def test_a_revoked_invite_closes_the_guests_connection_on_the_other_process(pair, app, db, make_room):
    room, (host_ticket, _client), (invite,) = _room(db, make_room, guests=1)
    room.auto_admit = True
    db.session.commit()
    guest_ticket = tickets.participant_ticket(invite.participant)

    async def scenario():
        async with Side(pair[0].url, {"ticket": host_ticket}) as host, \
                Side(pair[1].url, {"ticket": guest_ticket}) as guest:
            _host_conn, guest_conn = await _in_call(host, guest)
            operations.revoke_invite(db.session, invite, room.host)
            db.session.commit()  # published here, by a third process
            await asyncio.wait_for(guest.closed.wait(), WAIT)
            assert (await host.next("peer-left"))["conn"] == guest_conn
            assert await host.signal(guest_conn) == {"ok": False, "error": "not_in_room"}
        with pytest.raises(socketio.exceptions.ConnectionError):
            async with Side(pair[1].url, {"ticket": guest_ticket}):
                pass

    run_async(scenario())


def test_a_removed_participant_can_no_longer_be_reached(pair, app, db, make_room):
    room, (host_ticket, client_ticket), _ = _room(db, make_room)
    client_pid = tickets.read_participant_ticket(client_ticket)[0]

    async def scenario():
        async with Side(pair[0].url, {"ticket": host_ticket}) as host, \
                Side(pair[1].url, {"ticket": client_ticket}) as client:
            _host_conn, client_conn = await _in_call(host, client)
            revocation.revoke_participant(client_pid)
            db.session.commit()  # published at the commit (at once when no transaction is open)
            await asyncio.wait_for(client.closed.wait(), WAIT)
            await host.next("peer-left")
            assert await host.signal(client_conn) == {"ok": False, "error": "not_in_room"}

    run_async(scenario())


def test_signing_out_closes_the_sessions_connections_on_every_process(pair, app, db, make_room):
    room, (_host, client_ticket), _ = _room(db, make_room)
    host_user = room.host
    with app.test_request_context():
        sign_in(host_user, "password")  # a browser's session: the tickets its pages get carry it
        session_id = sessions.current_id()
        seat = operations.participant_for_user(db.session, room, host_user)
        host_ticket = tickets.participant_ticket(seat, session_id)
        user_ticket = tickets.user_ticket(host_user, session_id)
        db.session.commit()

        async def scenario():
            async with Side(pair[1].url, {"ticket": host_ticket}) as host, \
                    Side(pair[0].url, {"ticket": client_ticket}) as client, \
                    Side(pair[0].url, {"user_ticket": user_ticket}) as notifications:
                host_conn, _client_conn = await _in_call(host, client)
                sign_out(host_user)  # what /logout does
                db.session.commit()
                await asyncio.wait_for(host.closed.wait(), WAIT)
                await asyncio.wait_for(notifications.closed.wait(), WAIT)
                await client.next("peer-left")
                assert await client.signal(host_conn) == {"ok": False, "error": "not_in_room"}
            for ticket in ({"ticket": host_ticket}, {"user_ticket": user_ticket}):  # the session's tickets
                with pytest.raises(socketio.exceptions.ConnectionError):
                    async with Side(pair[1].url, ticket):
                        pass

        run_async(scenario())


def test_long_polling_is_refused(pair):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{pair[0].url}/socket.io/?EIO=4&transport=polling", timeout=10)
    assert refused.value.code == 400


def test_a_flooder_is_disconnected_and_the_others_go_on(pair, make_room):
    _key, (host_ticket, client_ticket) = make_room()

    async def scenario():
        async with Side(pair[0].url, {"ticket": host_ticket}) as host, \
                Side(pair[0].url, {"ticket": client_ticket}) as client:
            host_conn, client_conn = await _in_call(host, client)
            for _ in range(200):  # far over the burst of 40 set for this module
                await client.sio.emit("state", {"audio": True, "video": True, "screen": False}, namespace="/rtc")
            await asyncio.wait_for(client.closed.wait(), WAIT)
            assert await host.ask("state", {"audio": False, "video": True, "screen": False}) == {"ok": True}
        assert "over 20 messages a second" in pair[0].log()

    run_async(scenario())


def test_an_oversized_message_closes_the_connection_and_the_others_go_on(pair, make_room):
    _key, (host_ticket, client_ticket) = make_room()

    async def scenario():
        async with Side(pair[0].url, {"ticket": host_ticket}) as host, \
                Side(pair[1].url, {"ticket": client_ticket}) as client:
            host_conn, client_conn = await _in_call(host, client)
            await client.sio.emit("chat", {"text": "x" * 300_000}, namespace="/rtc")
            await asyncio.wait_for(client.closed.wait(), WAIT)
            assert await host.ask("state", {"audio": False, "video": True, "screen": False}) == {"ok": True}

    run_async(scenario())


def test_a_refused_connection_is_one_log_line_without_the_credential(pair):
    async def scenario():
        with pytest.raises(socketio.exceptions.ConnectionError):
            async with Side(pair[0].url, {"ticket": "forged-ticket-value"}):
                pass

    run_async(scenario())
    lines = [line for line in pair[0].log().splitlines() if "rtc connection refused" in line]
    assert lines and "forged-ticket-value" not in pair[0].log() and "Traceback" not in pair[0].log()
