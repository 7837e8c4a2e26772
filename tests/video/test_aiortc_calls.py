"""aiortc ↔ aiortc calls through real Silta web processes: one process, two processes over Redis, and
relay-only through a real coturn with REST credentials issued by Silta (see conftest for addresses)."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from rtc.peer import Peer
from tests.support.browsers import run_async
from tests.support.rtc import start_silta

from .conftest import TURN_SECRET

pytestmark = pytest.mark.rtc

CALL_TIMEOUT = 20  # seconds: a call on this machine takes ~0.2 s; the margin is for a loaded CI box


async def call(urls: list[str], tickets: list[str], *, relay_only: bool = False, trickle: bool = False,
               timeout: float = CALL_TIMEOUT):
    """The first peer joins, the second joins and gets the offer; both wait for video and an echo."""
    peers = [Peer(url, ticket, relay_only=relay_only, trickle=trickle, label=f"p{i}") for i, (url, ticket) in
             enumerate(zip(urls, tickets, strict=True))]
    try:
        for peer in peers:
            await peer.start()
            await peer.join()
            await asyncio.wait_for(peer.joined.wait(), timeout)
        await asyncio.wait_for(asyncio.gather(*(p.first_frame.wait() for p in peers)), timeout)
        await asyncio.wait_for(asyncio.gather(*(p.channel_open.wait() for p in peers)), timeout)
        for peer in peers:
            await peer.ping(timeout)
        await asyncio.sleep(0.5)  # a few more frames: decoding goes on, not only a first keyframe
        return peers
    finally:
        for peer in peers:
            await peer.close()


def test_two_aiortc_peers_see_each_other_and_echo_on_the_data_channel(silta, make_room):
    _, tickets = make_room()
    peers = run_async(call([silta.url] * 2, tickets[:2]))
    for peer in peers:
        assert peer.frames_received() > 3, peer.events
        assert len(peer.echo_rtt) == 1 and peer.echo_rtt[0] < 1.0
        assert peer.times["joined"] <= peer.times["ice_connected"] <= peer.times["first_frame"]
    assert peers[1].peers_at_join and peers[1].peers_at_join[0]["conn"] == peers[0].conn


def test_candidates_trickled_after_the_sdp_as_browsers_send_them_are_used_in_order(silta, make_room):
    _, tickets = make_room()
    peers = run_async(call([silta.url] * 2, tickets[:2], trickle=True))
    for peer in peers:
        assert peer.frames_received() > 3 and peer.echo_rtt
        sent = [e for e in peer.events if e[0] == "signal"]
        assert sent[0][1]["kind"] in ("offer", "answer") and sum(1 for e in sent if e[1]["kind"] == "candidate") >= 2
    assert not any(e[0] == "nack" for peer in peers for e in peer.events)


@pytest.mark.redis
def test_a_peer_on_each_of_two_processes_sharing_redis_complete_a_call(video_db, redis_server, make_room):
    _, tickets = make_room()
    one = start_silta(video_db, redis_url=redis_server.url)
    try:
        two = start_silta(video_db, redis_url=redis_server.url)
        try:
            peers = run_async(call([one.url, two.url], tickets[:2]))
        finally:
            two.stop()
    finally:
        one.stop()
    assert all(peer.frames_received() > 3 and peer.echo_rtt for peer in peers)


@pytest.fixture(scope="module")
def silta_with_turn(video_db, coturn):
    """A web process that issues coturn REST credentials; ``secret``/``ttl`` vary for the failing cases."""
    started = []

    def start(secret: str = TURN_SECRET, ttl: int = 600):
        env = {"PORTAL_TURN_URLS": f"turn:127.0.0.1:{coturn.port}?transport=udp",
               "PORTAL_TURN_SECRET": secret, "PORTAL_TURN_TTL_SECONDS": str(ttl)}
        server = start_silta(video_db, env=env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def test_relay_only_call_through_coturn_with_credentials_from_silta(silta_with_turn, make_room):
    server = silta_with_turn()
    _, tickets = make_room()
    peers = run_async(call([server.url] * 2, tickets[:2], relay_only=True))
    for peer in peers:
        assert peer.frames_received() > 3 and peer.echo_rtt
        assert peer.local_candidate_types == {"relay"}


@pytest.mark.parametrize("secret, ttl", [("not-the-coturn-secret-0123456789", 600), (TURN_SECRET, -60)],
                         ids=["wrong-secret", "expired"])
def test_relay_only_call_fails_with_a_wrong_or_expired_credential(silta_with_turn, make_room, secret, ttl):
    server = silta_with_turn(secret, ttl)
    _, tickets = make_room()

    async def attempt():
        peers = [Peer(server.url, ticket, relay_only=True, label=f"p{i}") for i, ticket in enumerate(tickets[:2])]
        try:
            for peer in peers:
                await peer.start()
                await peer.join()
                await asyncio.wait_for(peer.joined.wait(), CALL_TIMEOUT)
            with contextlib.suppress(TimeoutError):  # bounded: a good relay call connects in ~1 s here
                await asyncio.wait_for(asyncio.gather(*(p.first_frame.wait() for p in peers)), 6)
            return peers
        finally:
            for peer in peers:
                await peer.close()

    peers = run_async(attempt())
    for peer in peers:
        assert "ice_connected" not in peer.times and peer.frames_received() == 0
        assert "relay" not in peer.local_candidate_types  # coturn refused the allocation


def test_a_client_waits_until_the_host_admits_then_the_call_connects(silta, make_room, db):
    from portal.video.models import VideoRoom

    key, tickets = make_room()
    room = db.session.scalar(db.select(VideoRoom).filter_by(key=key))
    room.auto_admit = False
    client_pid = max(p.id for p in room.participants)
    db.session.commit()

    async def scenario():
        host, client = Peer(silta.url, tickets[0], label="host"), Peer(silta.url, tickets[1], label="client")
        try:
            for peer in (host, client):
                await peer.start()
                await peer.join()
            await asyncio.wait_for(client.waiting.wait(), CALL_TIMEOUT)
            waited = not client.joined.is_set()
            await host.call("admit", {"pid": client_pid})
            await asyncio.wait_for(asyncio.gather(host.first_frame.wait(), client.first_frame.wait()), CALL_TIMEOUT)
            return waited, host, client
        finally:
            await host.close()
            await client.close()

    waited, host, client = run_async(scenario())
    assert waited and client.times["joined"] > client.times["join_sent"]
    assert [e for e, _ in client.events][:3] == ["waiting", "admitted", "joined"]
    assert any(e == "lobby" and d.get("waiting") for e, d in host.events)
    assert host.frames_received() > 0 and client.frames_received() > 0
