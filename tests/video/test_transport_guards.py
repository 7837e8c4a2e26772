"""The /rtc transport under hostile clients, on a real production server process (gunicorn, gevent):
malformed engine.io and Socket.IO packets leave no library traceback in the log (a line at most once a
minute), a refused connection is one log line, and a frame over the size limit closes the websocket with
1009 (message too big).

Raw websocket frames (aiohttp), because a Socket.IO client library never sends what these tests send.
"""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from tests.support.browsers import run_async
from tests.support.rtc import start_silta

WAIT = 15.0
# engine.io packet types are 0-6 and Socket.IO's 0-6; everything here is broken at one layer or the other.
GARBAGE = ["", "9", "4", "7x", "40/nope,", "40/rtc,{not json", "42/rtc,[", "42/rtc,1[\"signal\"", "42/rtc,{}",
           "42/rtc,[5]", "43/rtc,99[]", "45-/rtc,[\"x\"]", "451-/rtc,[\"chat\",{\"_placeholder\":true,\"num\":7}]",
           "4\x00\r\n", "42/rtc,[\"signal\"," + "[" * 5000 + "]" * 5000 + "]", "40/rtc,[1,2]", "6", "5", "3"]


@pytest.fixture(scope="module")
def server(video_db):
    server = start_silta(video_db)
    yield server
    server.stop()


async def _open(http: aiohttp.ClientSession, url: str):
    ws = await http.ws_connect(f"{url}/socket.io/?EIO=4&transport=websocket",
                               timeout=aiohttp.ClientWSTimeout(ws_close=WAIT))
    assert (await ws.receive_str(timeout=WAIT)).startswith("0{")  # engine.io's open packet
    return ws


async def _until_closed(ws) -> None:
    while (await ws.receive(timeout=WAIT)).type not in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                                                        aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.ERROR):
        pass


def test_malformed_packets_leave_no_traceback_and_a_refusal_is_one_line(server):
    async def scenario():
        async with aiohttp.ClientSession() as http:
            for frame in GARBAGE + [""] * 10:  # each on its own connection: a broken packet may end it
                ws = await _open(http, server.url)
                await ws.send_str(frame)
                await ws.send_bytes(b"\xff\x00\x01")
                await ws.send_str("2")  # a ping: the server still answers or has closed; either is fine
                await ws.close()
            ws = await _open(http, server.url)
            await ws.send_str('40/rtc,{"ticket":"forged-ticket-value"}')
            answer = await ws.receive_str(timeout=WAIT)
            assert answer.startswith("44/rtc,"), answer  # Socket.IO's CONNECT_ERROR
            await ws.close()
            # The healthy path still works afterwards.
            async with http.get(f"{server.url}/healthz") as response:
                assert response.status == 200

    run_async(scenario())
    log = server.log()
    assert "Traceback" not in log and 'File "' not in log, log[-3000:]
    assert "forged-ticket-value" not in log
    refusals = [line for line in log.splitlines() if "rtc connection refused" in line]
    # one line for each of the two refused connects: '40/rtc,[1,2]' (no credentials) and the forged ticket
    assert len(refusals) == 2 and "ticket invalid or expired" in refusals[-1], refusals
    # The library's complaints: one line, and the same one at most once a minute however many packets came.
    library = [line for line in log.splitlines()
               if any(word in line for word in ("engineio", "socketio", "Error handling request"))]
    assert library and all("without its traceback" in line for line in library), library
    # once a minute for each logger and exception type, however many packets raised it
    kinds = {("Error handling request" in line, line.rsplit("(", 1)[-1]) for line in library}
    assert len(library) == len(kinds) < len(GARBAGE), library


def test_an_oversized_frame_closes_the_websocket_with_message_too_big(server):
    async def scenario():
        async with aiohttp.ClientSession() as http:
            ws = await _open(http, server.url)
            await ws.send_str('42/rtc,["chat",{"text":"' + "x" * 300_000 + '"}]')
            await asyncio.wait_for(_until_closed(ws), WAIT)
            return ws.close_code

    assert run_async(scenario()) == aiohttp.WSCloseCode.MESSAGE_TOO_BIG  # 1009
    assert "Traceback" not in server.log()
