"""The echo bot (``python -m rtc.bots``) as the pre-call test's far end, through a real Silta process:
an aiortc tester stands in for the browser page (it offers video and the ``echo`` data channel)."""

from __future__ import annotations

import asyncio
import re

import pytest

from rtc.peer import Peer
from tests.support.browsers import run_async
from tests.support.rtc import start_echo_bot, start_silta

pytestmark = pytest.mark.rtc

LIMIT_SECONDS = 3  # the server's echo-test limit here (20 s in production)
WAIT = 20  # seconds: generous bound for a loaded CI machine


@pytest.fixture(scope="module")
def echo_server(video_db, host_addresses):
    server = start_silta(video_db, env={"PORTAL_RTC_ECHO_LIMIT_SECONDS": str(LIMIT_SECONDS)})
    yield server
    server.stop()


@pytest.fixture
def bot_token(app):
    from portal.video.tickets import bot_token

    return bot_token()


@pytest.fixture
def echo_bot(echo_server, bot_token):
    """Start a bot with the given arguments for this test; every one is stopped at the end."""
    bots = []

    def start(*args: str):
        bots.append(start_echo_bot(echo_server.url, bot_token, *args))
        return bots[-1]

    yield start
    for bot in bots:
        bot.stop()


async def join_echo_test(url: str, ticket: str, *, served_within: float = WAIT) -> Peer:
    """Join an echo room as the page does; returns the (still open) peer once the bot has joined, or not."""
    peer = Peer(url, ticket, label="tester")
    await peer.start()
    await peer.join()
    await asyncio.wait_for(peer.joined.wait(), WAIT)
    deadline = asyncio.get_running_loop().time() + served_within
    while not any(e == "peer-joined" and d.get("role") == "bot" for e, d in peer.events):
        if asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.05)
    return peer


def served(peer: Peer) -> bool:
    return any(e == "peer-joined" and d.get("role") == "bot" for e, d in peer.events)


def test_the_tester_gets_its_own_video_and_data_channel_messages_back(echo_server, echo_bot, make_echo_room,
                                                                   bot_token):
    bot = echo_bot("--sessions", "2")
    _, ticket = make_echo_room()

    async def scenario():
        peer = await join_echo_test(echo_server.url, ticket)
        try:
            await asyncio.wait_for(peer.first_frame.wait(), WAIT)
            await asyncio.wait_for(peer.channel_open.wait(), WAIT)
            rtt = await peer.ping()
            await asyncio.sleep(0.5)
            return peer, rtt, [sink.track.kind for sink in peer.sinks]
        finally:
            await peer.close()

    peer, rtt, kinds = run_async(scenario())
    assert served(peer) and kinds == ["video"]
    assert peer.frames_received() > 3 and 0 < rtt < 1.0
    assert _wait_for_log(bot, r"echo session 1: [\d.]+ s, "), bot.log()
    for log in (bot.log(), echo_server.log()):  # no tickets, tokens or SDP in the logs
        assert ticket not in log and bot_token not in log and "a=candidate" not in log and "v=0" not in log


def test_one_test_more_than_the_cap_is_not_served(echo_server, echo_bot, make_echo_room):
    echo_bot("--sessions", "2")
    rooms = [make_echo_room() for _ in range(3)]

    async def scenario():
        peers = []
        try:
            for _, ticket in rooms:  # one after the other: the third asks while two are running
                peers.append(await join_echo_test(echo_server.url, ticket, served_within=WAIT if len(peers) < 2 else 2))
            return [served(p) for p in peers]
        finally:
            for peer in peers:
                await peer.close()

    assert run_async(scenario()) == [True, True, False], echo_server.log()


def test_the_bot_hangs_up_at_the_time_limit(echo_server, echo_bot, make_echo_room):
    bot = echo_bot("--sessions", "1")
    _, ticket = make_echo_room()

    async def scenario():
        peer = await join_echo_test(echo_server.url, ticket)
        try:
            joined_at = asyncio.get_running_loop().time()
            await asyncio.wait_for(peer.peer_left.wait(), LIMIT_SECONDS + WAIT)
            return asyncio.get_running_loop().time() - joined_at
        finally:
            await peer.close()

    seconds = run_async(scenario())
    assert LIMIT_SECONDS - 0.5 < seconds < LIMIT_SECONDS + 5
    assert _wait_for_log(bot, r"echo session 1: [\d.]+ s, hung up at the time limit"), bot.log()


def test_a_recycled_worker_is_replaced_and_serves_the_next_test(echo_server, echo_bot, make_echo_room):
    bot = echo_bot("--sessions", "1", "--recycle-after", "1")
    first, second = make_echo_room(), make_echo_room()

    async def one(ticket: str) -> bool:
        peer = await join_echo_test(echo_server.url, ticket)
        await peer.close()  # the tester leaves: the room ends and the bot hangs up
        return served(peer)

    assert run_async(one(first[1])), bot.log()
    assert _wait_for_log(bot, r"recycling after 1 sessions"), bot.log()
    assert _wait_for_log(bot, r"echo bot: connected .*", count=2), bot.log()
    assert run_async(one(second[1])), bot.log()
    pids = set(re.findall(r"echo bot: connected \(pid (\d+)", bot.log()))
    assert len(pids) >= 2 and bot.alive(), bot.log()


def _wait_for_log(process, pattern: str, count: int = 1, timeout: float = WAIT) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while len(re.findall(pattern, process.log())) < count:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_the_bot_that_silta_starts_serves_a_test(video_db, make_echo_room):
    """``python -m portal`` with PORTAL_RTC_BOTS=1 starts ``python -m rtc.bots`` itself (the demo's path)."""
    server = start_silta(video_db, bots=1)
    try:
        _, ticket = make_echo_room()

        async def scenario():
            peer = await join_echo_test(server.url, ticket)
            try:
                await asyncio.wait_for(peer.first_frame.wait(), WAIT)
                return served(peer), await peer.ping()
            finally:
                await peer.close()

        # The bot connects a moment after the web process answers /healthz; its log goes to the server's.
        assert _wait_for_log(server, r"echo bot: connected"), server.log()
        was_served, rtt = run_async(scenario())
        assert was_served and rtt < 1.0, server.log()
    finally:
        server.stop()


def test_the_bot_waits_for_a_server_that_is_not_up_yet_and_reconnects_after_a_restart(
        video_db, bot_token, make_echo_room):
    from tests.support.rtc import free_port

    port = free_port()
    bot = start_echo_bot(f"http://127.0.0.1:{port}", bot_token, "--sessions", "1", wait_connected=False)
    try:
        assert _wait_for_log(bot, r"server not reachable", count=2), bot.log()
        for attempt in (1, 2):  # the server comes up, goes away, comes back on the same port
            server = start_silta(video_db, port=port)
            try:
                assert _wait_for_log(bot, r"echo bot: connected", count=attempt), bot.log()
                _, ticket = make_echo_room()

                async def scenario(url=server.url, ticket=ticket):
                    peer = await join_echo_test(url, ticket)
                    await peer.close()
                    return served(peer)

                assert run_async(scenario()), bot.log() + server.log()
            finally:
                server.stop()
    finally:
        bot.stop()
