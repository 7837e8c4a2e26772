"""Group video through Janus against the browsers' mesh. ``python -m bench.sfu [--sizes 4,6,8] [--window 8]``

A real Janus from Silta's config (tests/support/janus.py) and aiortc peers sending a synthetic camera at
640×360, 15 fps, all in this one process (the "browsers" share the machine with Janus: on a 2-core box the
peers' VP8 encoding and decoding dominate, so the figures are for a shared machine — and this machine is
also running other work: the load average is printed with the figures).

For each group size N, for WINDOW seconds after a warm-up:

- **sfu**: a private Janus room made with the API secret (as portal/video/sfu.py makes them), one stored
  token per peer on the room's allowed list; every peer publishes once and subscribes to at most VISIBLE
  others (the phone view of static/js/video/group.js: the speaker and a few tiles; 0 = all others).
  Janus's own CPU (``/proc/<pid>/stat``) per forwarded stream, the received bitrate per forwarded stream,
  and each peer's upload.
- **mesh**: every pair of peers connected directly (SDP handed over in-process): each peer sends its
  camera N−1 times (aiortc encodes per connection, as a browser does) and receives everyone.
  The peers' CPU per stream, bitrate per stream, and each peer's upload.

Frame delay: for every received video frame, its arrival time minus its RTP time relative to the first
frame of that stream (one-way delay *variation*: the first frame's own delay is unknown without a shared
clock), p95 over all streams. The largest N whose p95 stays under 150 ms is reported. Then join → first
remote frame: a peer joining a group room where one person already publishes (create session, join,
subscribe) against a two-person mesh call (SDP in-process), median of RUNS, and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import time

import aiohttp
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError

from rtc.janus import JanusError, JanusSession, _jsep
from rtc.media import SyntheticVideoTrack
from tests.support.janus import ADMIN_SECRET, API_SECRET, ROOM_KEY, non_loopback_address, start_janus

WIDTH, HEIGHT, FPS = 640, 360, 15
RUNS = 7
DELAY_LIMIT_MS = 150
_rooms = itertools.count(880001)
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


class DelaySink:
    """Reads a remote video track; keeps (arrival, RTP time) to compute delay variation and counts bytes."""

    def __init__(self, track, warmup_until: float):
        self.track, self.warmup_until = track, warmup_until
        self.delays: list[float] = []
        self.frames = 0
        self.first: tuple[float, float] | None = None
        self.first_at: float | None = None
        self.task = asyncio.ensure_future(self.run())

    async def run(self):
        try:
            while True:
                frame = await self.track.recv()
                now = time.monotonic()
                self.frames += 1
                self.first_at = self.first_at or now
                rtp = float(frame.pts * frame.time_base) if frame.pts is not None else 0.0
                if now < self.warmup_until:
                    continue
                if self.first is None:
                    self.first = (now, rtp)
                    continue
                self.delays.append((now - self.first[0]) - (rtp - self.first[1]))
        except (MediaStreamError, asyncio.CancelledError):
            pass

    async def stop(self):
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


async def _bytes(pcs, direction: str) -> int:
    """Bytes the connections' transports received (``inbound-rtp``) or sent: media, RTCP and all (aiortc's
    RTP stream stats count packets only)."""
    total = 0
    for pc in pcs:
        for stats in (await pc.getStats()).values():
            if stats.type == "transport":
                total += stats.bytesReceived if direction == "inbound-rtp" else stats.bytesSent
    return total


def _p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


# --- Janus ---------------------------------------------------------------------------------------


async def _admin(http, janus, body: dict, admin: bool = False) -> dict:
    url = janus.admin_url if admin else janus.api_url
    secret = {"admin_secret": ADMIN_SECRET} if admin else {"apisecret": API_SECRET}
    async with http.post(url, json={**body, "transaction": "b", **secret}) as response:
        return await response.json(content_type=None)


async def _videoroom(http, janus, request: dict) -> dict:
    session = (await _admin(http, janus, {"janus": "create"}))["data"]["id"]
    base = f"{janus.api_url}/{session}"
    async with http.post(base, json={"janus": "attach", "plugin": "janus.plugin.videoroom", "transaction": "a",
                                     "apisecret": API_SECRET}) as response:
        handle = (await response.json())["data"]["id"]
    async with http.post(f"{base}/{handle}", json={"janus": "message", "body": request, "transaction": "m",
                                                   "apisecret": API_SECRET}) as response:
        answer = await response.json()
    async with http.post(base, json={"janus": "destroy", "transaction": "d", "apisecret": API_SECRET}):
        pass
    return answer.get("plugindata", {}).get("data", {})


async def _room(http, janus, n: int) -> tuple[int, list[str]]:
    room = next(_rooms)
    tokens = [f"bench-{room}-{i}" for i in range(n)]
    for token in tokens:
        await _admin(http, janus, {"janus": "add_token", "token": token, "plugins": ["janus.plugin.videoroom"]},
                     admin=True)
    await _videoroom(http, janus, {"request": "create", "room": room, "admin_key": ROOM_KEY, "secret": "bench",
                                   "is_private": True, "allowed": tokens, "require_pvtid": True,
                                   "publishers": n, "bitrate": 512_000, "videocodec": "vp8"})
    return room, tokens


class SfuPeer:
    def __init__(self, http, janus, room: int, feed: int, token: str, video: SyntheticVideoTrack):
        self.http, self.janus, self.room, self.feed, self.token = http, janus, room, feed, token
        self.video = video
        self.session = JanusSession(janus.api_url, token, http)
        self.pcs: list[RTCPeerConnection] = []
        self.publisher_pc: RTCPeerConnection | None = None
        self.sinks: list[DelaySink] = []
        self.private_id = None

    async def publish(self):
        await self.session.create()
        handle = await self.session.attach()
        data, _ = await handle.request({"request": "join", "ptype": "publisher", "room": self.room, "id": self.feed,
                                        "display": str(self.feed), "token": self.token})
        self.private_id = data.get("private_id")
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.publisher_pc = pc
        pc.addTrack(AudioStreamTrack())
        pc.addTrack(self.video)
        await pc.setLocalDescription(await pc.createOffer())
        _, answer = await handle.request({"request": "publish", "audio": True, "video": True}, jsep=_jsep(pc))
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type=answer["type"]))

    async def subscribe(self, feed: int, warmup_until: float) -> DelaySink:
        handle = await self.session.attach()
        for _attempt in range(100):  # a feed exists once its publisher's media is up (Janus: 428 before)
            try:
                _, offer = await handle.request({"request": "join", "ptype": "subscriber", "room": self.room,
                                                 "streams": [{"feed": feed}], "private_id": self.private_id})
                break
            except JanusError as exc:
                if exc.code != 428:
                    raise
                await asyncio.sleep(0.1)
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.pcs.append(pc)
        ready = asyncio.get_running_loop().create_future()

        @pc.on("track")
        def on_track(track):
            if track.kind == "video" and not ready.done():
                sink = DelaySink(track, warmup_until)
                self.sinks.append(sink)
                ready.set_result(sink)

        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type=offer["type"]))
        await pc.setLocalDescription(await pc.createAnswer())
        await handle.request({"request": "start"}, jsep=_jsep(pc))
        return await ready

    async def close(self):
        for sink in self.sinks:
            await sink.stop()
        for pc in [*self.pcs, *([self.publisher_pc] if self.publisher_pc else [])]:
            await pc.close()
        await self.session.destroy()


async def run_sfu(janus, n: int, window: float, visible: int) -> dict:
    async with aiohttp.ClientSession() as http:
        room, tokens = await _room(http, janus, n)
        cameras = [SyntheticVideoTrack(WIDTH, HEIGHT, FPS) for _ in range(n)]
        peers = [SfuPeer(http, janus, room, i + 1, tokens[i], cameras[i]) for i in range(n)]
        try:
            await asyncio.gather(*(p.publish() for p in peers))
            warmup_until = time.monotonic() + 3
            shown = (n - 1) if visible <= 0 else min(visible, n - 1)
            await asyncio.gather(*(peer.subscribe(((peer.feed + k) % n) + 1, warmup_until)
                                   for peer in peers for k in range(shown)))
            await asyncio.sleep(max(0.0, warmup_until - time.monotonic()))
            return await _measure(peers, n * shown, window, janus.pid,
                                  lambda: [p.publisher_pc for p in peers], lambda: [pc for p in peers for pc in p.pcs])
        finally:
            for peer in peers:
                await peer.close()
            for camera in cameras:
                camera.stop()


async def _measure(peers, streams: int, window: float, server_pid: int | None, senders, receivers) -> dict:
    own = os.getpid()
    sent0, received0 = await _bytes(senders(), "outbound-rtp"), await _bytes(receivers(), "inbound-rtp")
    cpu0 = {pid: cpu_seconds(pid) for pid in filter(None, (server_pid, own))}
    started = time.monotonic()
    await asyncio.sleep(window)
    elapsed = time.monotonic() - started
    cpu = {pid: (cpu_seconds(pid) - before) / elapsed for pid, before in cpu0.items()}
    sent = (await _bytes(senders(), "outbound-rtp") - sent0) * 8 / elapsed
    received = (await _bytes(receivers(), "inbound-rtp") - received0) * 8 / elapsed
    delays = [d for peer in peers for sink in peer.sinks for d in sink.delays]
    frames = [sink.frames for peer in peers for sink in peer.sinks]
    return {"streams": streams, "server_cpu": cpu.get(server_pid, 0.0) if server_pid else 0.0,
            "peers_cpu": cpu[own], "kbps_per_stream": received / max(streams, 1) / 1000,
            "upload_kbps_per_peer": sent / len(peers) / 1000, "p95_ms": _p95(delays) * 1000,
            "min_frames": min(frames) if frames else 0}


# --- mesh ----------------------------------------------------------------------------------------


class MeshPeer:
    def __init__(self, camera: SyntheticVideoTrack):
        self.camera, self.relay = camera, MediaRelay()
        self.send_pcs: list[RTCPeerConnection] = []
        self.recv_pcs: list[RTCPeerConnection] = []
        self.sinks: list[DelaySink] = []


async def _pair(a: MeshPeer, b: MeshPeer, warmup_until: float) -> None:
    """One mesh link: both send their camera to each other (one connection, sendrecv)."""
    pa, pb = RTCPeerConnection(RTCConfiguration(iceServers=[])), RTCPeerConnection(RTCConfiguration(iceServers=[]))
    for pc, me in ((pa, a), (pb, b)):
        pc.addTrack(me.relay.subscribe(me.camera, buffered=False))
        me.send_pcs.append(pc)
        me.recv_pcs.append(pc)

        def on_track(track, me=me):
            if track.kind == "video":
                me.sinks.append(DelaySink(track, warmup_until))

        pc.on("track", on_track)
    await pa.setLocalDescription(await pa.createOffer())
    await pb.setRemoteDescription(pa.localDescription)
    await pb.setLocalDescription(await pb.createAnswer())
    await pa.setRemoteDescription(pb.localDescription)


async def run_mesh(n: int, window: float) -> dict:
    cameras = [SyntheticVideoTrack(WIDTH, HEIGHT, FPS) for _ in range(n)]
    peers = [MeshPeer(camera) for camera in cameras]
    try:
        warmup_until = time.monotonic() + 3
        await asyncio.gather(*(_pair(a, b, warmup_until) for a, b in itertools.combinations(peers, 2)))
        await asyncio.sleep(max(0.0, warmup_until - time.monotonic()))
        return await _measure(peers, n * (n - 1), window, None, lambda: [pc for p in peers for pc in p.send_pcs],
                              lambda: [pc for p in peers for pc in p.recv_pcs])
    finally:
        for peer in peers:
            for sink in peer.sinks:
                await sink.stop()
            for pc in peer.send_pcs:
                await pc.close()
        for camera in cameras:
            camera.stop()


# --- join → first remote frame -------------------------------------------------------------------


async def join_sfu(janus) -> float:
    async with aiohttp.ClientSession() as http:
        room, tokens = await _room(http, janus, 2)
        camera, none = SyntheticVideoTrack(WIDTH, HEIGHT, FPS), SyntheticVideoTrack(WIDTH, HEIGHT, FPS)
        host = SfuPeer(http, janus, room, 1, tokens[0], camera)
        joiner = SfuPeer(http, janus, room, 2, tokens[1], none)
        try:
            await host.publish()
            await asyncio.sleep(1.0)  # the host is in and sending, as a leader is
            started = time.monotonic()
            await joiner.publish()
            sink = await joiner.subscribe(1, 0)
            while sink.first_at is None:
                await asyncio.sleep(0.005)
            return sink.first_at - started
        finally:
            await joiner.close()
            await host.close()
            camera.stop()
            none.stop()


async def join_mesh() -> float:
    a, b = MeshPeer(SyntheticVideoTrack(WIDTH, HEIGHT, FPS)), MeshPeer(SyntheticVideoTrack(WIDTH, HEIGHT, FPS))
    started = time.monotonic()
    await _pair(a, b, 0)
    try:
        while not (a.sinks and b.sinks and a.sinks[0].first_at and b.sinks[0].first_at):
            await asyncio.sleep(0.005)
        return max(a.sinks[0].first_at, b.sinks[0].first_at) - started
    finally:
        for peer in (a, b):
            for sink in peer.sinks:
                await sink.stop()
            for pc in peer.send_pcs:
                await pc.close()
            peer.camera.stop()


# --- main ----------------------------------------------------------------------------------------


def _row(kind: str, n: int, r: dict) -> str:
    cpu = r["server_cpu"] if kind == "sfu" else r["peers_cpu"]
    return (f"{kind:4} N={n:2}  streams={r['streams']:3}  {'janus' if kind == 'sfu' else 'peers'} CPU "
            f"{cpu * 100:6.1f} % = {cpu * 100 / max(r['streams'], 1):5.2f} %/stream  "
            f"(peers {r['peers_cpu'] * 100:5.1f} %)  {r['kbps_per_stream']:6.0f} kbit/s/stream  "
            f"upload {r['upload_kbps_per_peer']:6.0f} kbit/s/peer  p95 delay {r['p95_ms']:6.1f} ms  "
            f"min frames {r['min_frames']}")


async def main(sizes: list[int], window: float, visible: int, largest: bool) -> None:
    address = non_loopback_address()
    janus = start_janus(address=address)
    try:
        print(f"load average before: {os.getloadavg()}; {os.cpu_count()} cores; {WIDTH}x{HEIGHT}@{FPS}; "
              f"window {window:.0f} s; sfu subscribers see {visible or 'all'} others")
        for n in sizes:
            print(_row("sfu", n, await run_sfu(janus, n, window, visible)), flush=True)
            print(_row("mesh", n, await run_mesh(n, window)), flush=True)
            print(f"     load average now: {os.getloadavg()[0]:.2f}", flush=True)
        if largest:
            n, best = sizes[-1], None
            while n <= 16:
                result = await run_sfu(janus, n, window, visible)
                print(_row("sfu", n, result), flush=True)
                if not result["p95_ms"] < DELAY_LIMIT_MS or result["min_frames"] == 0:
                    break
                best, n = n, n + 2
            print(f"largest group with p95 frame delay < {DELAY_LIMIT_MS} ms through Janus: {best}")
        sfu_times = [await join_sfu(janus) for _ in range(RUNS)]
        mesh_times = [await join_mesh() for _ in range(RUNS)]
        s, m = statistics.median(sfu_times), statistics.median(mesh_times)
        print(f"join → first remote frame, median of {RUNS}: group room {s * 1000:.0f} ms, two-person mesh "
              f"{m * 1000:.0f} ms, ratio {s / m:.2f}")
        print(f"load average after: {os.getloadavg()}")
    finally:
        janus.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="4,6,8")
    parser.add_argument("--window", type=float, default=8.0)
    parser.add_argument("--visible", type=int, default=4, help="feeds each SFU peer receives (0: all)")
    parser.add_argument("--largest", action="store_true", help="then grow the group until p95 ≥ 150 ms")
    args = parser.parse_args()
    asyncio.run(main([int(n) for n in args.sizes.split(",")], args.window, args.visible, args.largest))
