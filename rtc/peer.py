"""One aiortc participant of a Silta video room, speaking rtc/PROTOCOL.md over Socket.IO.

Used by the echo bot, the tests and the benchmark. A ``Peer`` is one signaling connection (one
participant ticket) and one ``Link`` (an ``RTCPeerConnection``) per other connection in the room. Each
link handles its signals strictly in order through its own queue and task: an offer, an answer and the
trickled candidates of a browser must never overtake each other.

aiortc gathers fully before it returns from ``setLocalDescription`` (it does not trickle), so our
candidates travel inside the SDP; candidates trickled by browsers are added with ``addIceCandidate``.

Times are ``time.monotonic()`` readings in ``Peer.times``: ``connected`` (Socket.IO), ``joined``,
``ice_connected`` (first link), ``first_frame`` (first decoded remote video frame), the first
``peer_joined``, ``offer_sent``/``offer_received``, ``answer_sent``/``answer_received``, and
``Peer.echo_rtt`` holds data-channel round trips in seconds. Nothing here logs SDP or tickets.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time

import aiohttp
import socketio
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay

from rtc.ice import browser_candidate, ice_configuration, split_candidates
from rtc.media import FrameSink, SyntheticVideoTrack

NAMESPACE = "/rtc"
log = logging.getLogger("rtc.peer")
_ping_ids = itertools.count(1)


class SignalingError(RuntimeError):
    """The server refused an event; ``code`` is the protocol's error code (``taken``, ``room_full`` …)."""

    def __init__(self, event: str, code: str) -> None:
        super().__init__(f"{event}: {code}")
        self.code = code


def _summary(event: str, data) -> dict:
    """What ``Peer.events`` keeps of an event: never SDP or candidates (test failures print it)."""
    if not isinstance(data, dict):
        return {}
    if event == "signal":
        kind = (data.get("description") or {}).get("type") if "description" in data else "candidate"
        return {"from": data.get("from"), "kind": kind}
    return data


class Link:
    """The peer connection to one other connection of the room, fed in order from one queue."""

    def __init__(self, peer: Peer, conn: str) -> None:
        self.peer, self.conn = peer, conn
        self.pc = RTCPeerConnection(peer.configuration)
        self.channel = None
        self.tracks_added = False
        self.sinks: list[FrameSink] = []
        self.queue: asyncio.Queue = asyncio.Queue()
        self.pc.on("track", self._on_track)
        self.pc.on("datachannel", self._use_channel)
        self.pc.on("iceconnectionstatechange", self._on_ice_state)
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while True:
            item = await self.queue.get()
            if item is None:
                return
            try:
                await item()
            except Exception:  # noqa: BLE001 - one bad message must not end the link; say what kind
                log.exception("link %s: a signaling step failed", self.peer.label)

    def submit(self, step) -> None:
        self.queue.put_nowait(step)

    def _add_tracks(self) -> None:
        if not self.tracks_added:
            self.tracks_added = True
            for track in self.peer.local_tracks():
                self.pc.addTrack(track)

    async def offer(self) -> None:
        self._add_tracks()
        if self.peer.data_channel:
            self._use_channel(self.pc.createDataChannel("echo"))
        await self.pc.setLocalDescription(await self.pc.createOffer())
        await self._send_description()

    async def on_signal(self, message: dict) -> None:
        if "description" in message:
            await self._on_description(message["description"] or {})
        elif "candidate" in message:
            await self.pc.addIceCandidate(browser_candidate(message["candidate"]))

    async def _on_description(self, description: dict) -> None:
        kind = description.get("type")
        self.peer._mark(f"{kind}_received")
        if kind == "offer" and self.pc.signalingState == "have-local-offer":
            # Glare. aiortc has no rollback, so it cannot be the polite side: it keeps its own offer and
            # the browser (polite when its conn is lower) rolls back. Two aiortc peers never glare:
            # only the one already in the room offers.
            log.info("link %s: offer collision, keeping ours", self.peer.label)
            return
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=description["sdp"], type=kind))
        if kind == "offer":
            self._add_tracks()  # into the transceivers the offer created: sendrecv
            await self.pc.setLocalDescription(await self.pc.createAnswer())
            await self._send_description()

    async def _send_description(self) -> None:
        local = self.pc.localDescription
        self.peer.local_candidate_types.update(
            line.split(" typ ")[1].split()[0] for line in local.sdp.splitlines() if " typ " in line)
        if not self.peer.trickle:
            await self.peer.emit("signal", {"to": self.conn, "description": {"type": local.type, "sdp": local.sdp}})
            self.peer._mark(f"{local.type}_sent")
            return
        # As a browser does: the description without candidates, then each candidate, then the end (None).
        sdp, candidates = split_candidates(local.sdp)
        await self.peer.emit("signal", {"to": self.conn, "description": {"type": local.type, "sdp": sdp}})
        self.peer._mark(f"{local.type}_sent")
        for candidate in [*candidates, None]:
            await self.peer.emit("signal", {"to": self.conn, "candidate": candidate})

    def _on_track(self, track: MediaStreamTrack) -> None:
        if self.peer.echo_media:
            self.pc.addTrack(track)  # the echo bot: the remote track itself goes back, re-encoded
            return
        on_first = self.peer._first_frame if track.kind == "video" else None
        sink = FrameSink(track, on_first=on_first)
        self.sinks.append(sink)
        self.peer.sinks.append(sink)

    def _use_channel(self, channel) -> None:
        self.channel = channel
        channel.on("message", lambda message: self.peer._on_channel_message(self, message))
        if channel.readyState == "open":
            self.peer._channel_open(self)
        else:
            channel.on("open", lambda: self.peer._channel_open(self))

    def _on_ice_state(self) -> None:
        state = self.pc.iceConnectionState
        if state == "completed" or state == "connected":
            self.peer._mark("ice_connected")
        elif state == "failed":
            self.peer.failed.set()

    async def close(self) -> None:
        self.queue.put_nowait(None)
        for sink in self.sinks:
            await sink.stop()
        await self.pc.close()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


class Peer:
    """One participant connection. ``await start()``, ``await join()``, …, ``await close()``.

    ``video``: True for a synthetic 640×480@15 camera, a track of your own, or None to send nothing.
    ``echo_media``/``offers``: the echo bot sends back what it receives and never offers.
    ``ice_servers``: skip ``/video/ice-servers`` and use this list.
    ``trickle``: send our candidates as separate ``signal``s after the SDP, as a browser does (tests).
    """

    def __init__(self, server_url: str, ticket: str, *, video=True, relay_only: bool = False,
                 echo_media: bool = False, offers: bool = True, data_channel: bool = True,
                 ice_servers: list[dict] | None = None, trickle: bool = False, label: str = "peer") -> None:
        self.server_url, self.ticket, self.label = server_url.rstrip("/"), ticket, label
        self.video = SyntheticVideoTrack() if video is True else video
        self.relay_only, self.echo_media, self.offers, self.data_channel = relay_only, echo_media, offers, data_channel
        self.ice_servers = ice_servers
        self.trickle = trickle  # send candidates one by one after the SDP, as browsers do (tests)
        self.relay = MediaRelay()
        self.configuration: RTCConfiguration | None = None
        self.links: dict[str, Link] = {}
        self.sinks: list[FrameSink] = []  # every remote track received, kept after close for the counts
        self.local_candidate_types: set[str] = set()  # host / srflx / relay, from our own SDP
        self.times: dict[str, float] = {"created": time.monotonic()}
        self.echo_rtt: list[float] = []
        self.conn: str | None = None
        self.peers_at_join: list[dict] = []
        self.waiting = asyncio.Event()
        self.joined = asyncio.Event()
        self.first_frame = asyncio.Event()
        self.channel_open = asyncio.Event()
        self.failed = asyncio.Event()
        self.gone = asyncio.Event()  # ended, replaced or disconnected
        self.peer_left = asyncio.Event()
        self.events: list[tuple[str, dict]] = []  # every server event, in order, for the tests
        self._pending: dict[str, asyncio.Future] = {}
        self.sio = socketio.AsyncClient(reconnection=False)
        self._register()

    # -- signaling

    def _register(self) -> None:
        handlers = {
            "joined": self._on_joined, "waiting": self._on_waiting, "admitted": self._on_admitted,
            "peer-joined": self._on_peer_joined, "peer-left": self._on_peer_left, "signal": self._on_signal,
            "ended": self._on_gone, "replaced": self._on_gone, "disconnect": self._on_disconnect,
        }
        for event, handler in handlers.items():
            self.sio.on(event, self._recorder(event, handler), namespace=NAMESPACE)
        for event in ("chat", "notice", "lobby", "peer-state", "error"):
            self.sio.on(event, self._recorder(event, None), namespace=NAMESPACE)

    def _recorder(self, event: str, handler):
        # Synchronous on purpose: the bookkeeping and the hand-over to a link queue happen before any
        # await, so events keep the order in which the server sent them.
        def record(data=None, *_):
            self.events.append((event, _summary(event, data)))
            if handler is not None:
                handler(data if isinstance(data, dict) else {})

        return record

    async def start(self, timeout: float = 10) -> None:
        """Fetch the ICE servers and connect the signaling socket (both before ``join``)."""
        ice, _ = await asyncio.gather(self._fetch_ice(timeout), self._connect(timeout))
        self.configuration = ice_configuration(ice, relay_only=self.relay_only)

    async def _connect(self, timeout: float) -> None:
        await self.sio.connect(self.server_url, auth={"ticket": self.ticket}, namespaces=[NAMESPACE],
                               transports=["websocket"], wait_timeout=timeout)
        self._mark("connected")

    async def _fetch_ice(self, timeout: float) -> list[dict]:
        if self.ice_servers is not None:
            return self.ice_servers
        headers = {"Authorization": f"Bearer {self.ticket}"}
        client_timeout = aiohttp.ClientTimeout(total=timeout)
        async with aiohttp.ClientSession(timeout=client_timeout) as http, http.get(
                f"{self.server_url}/video/ice-servers", headers=headers) as response:
            response.raise_for_status()
            return (await response.json())["iceServers"]

    async def emit(self, event: str, data: dict) -> None:
        await self.sio.emit(event, data, namespace=NAMESPACE, callback=self._ack_logger(event))

    def _ack_logger(self, event: str):
        def ack(reply=None, *_):
            if isinstance(reply, dict) and not reply.get("ok", False):
                self.events.append(("nack", {"event": event, "error": reply.get("error")}))
        return ack

    async def call(self, event: str, data: dict | None = None, timeout: float = 10) -> dict:
        """Emit and wait for the acknowledgement; SignalingError when it is not ``ok``."""
        reply = await self.sio.call(event, data or {}, namespace=NAMESPACE, timeout=timeout)
        if not isinstance(reply, dict) or not reply.get("ok"):
            raise SignalingError(event, (reply or {}).get("error", "invalid") if isinstance(reply, dict) else "invalid")
        return reply

    async def join(self, timeout: float = 10) -> None:
        """Emit ``join``; returns when joined or put in the waiting room (see ``waiting``/``joined``)."""
        self._mark("join_sent")
        await self.call("join", timeout=timeout)

    def _on_joined(self, data: dict) -> None:
        self.conn = data.get("conn")
        self.peers_at_join = list(data.get("peers") or [])
        self._mark("joined")
        self.joined.set()

    def _on_waiting(self, data: dict) -> None:
        self.waiting.set()

    def _on_admitted(self, data: dict) -> None:
        asyncio.ensure_future(self.emit("join", {}))

    def _on_peer_joined(self, data: dict) -> None:
        self._mark("peer_joined")
        if self.offers and data.get("conn"):
            link = self._link(data["conn"])
            link.submit(link.offer)

    def _on_peer_left(self, data: dict) -> None:
        link = self.links.pop(data.get("conn"), None)
        if link is not None:
            asyncio.ensure_future(link.close())
        self.peer_left.set()

    def _on_signal(self, data: dict) -> None:
        sender = data.get("from")
        if isinstance(sender, str):
            link = self._link(sender)
            link.submit(lambda: link.on_signal(data))

    def _on_gone(self, data: dict) -> None:
        self.gone.set()

    def _on_disconnect(self, *_) -> None:
        self.gone.set()

    def _link(self, conn: str) -> Link:
        if conn not in self.links:
            self.links[conn] = Link(self, conn)
        return self.links[conn]

    # -- media and data channel

    def local_tracks(self) -> list[MediaStreamTrack]:
        # One camera, one subscription per link: a track read by two senders would split its frames.
        return [self.relay.subscribe(self.video)] if self.video is not None and not self.echo_media else []

    def _first_frame(self, at: float) -> None:
        self.times.setdefault("first_frame", at)
        self.first_frame.set()

    def _channel_open(self, link: Link) -> None:
        self._mark("channel_open")
        self.channel_open.set()

    def _on_channel_message(self, link: Link, message) -> None:
        waiter = self._pending.pop(message, None) if isinstance(message, str) else None
        if waiter is not None:
            if not waiter.done():
                waiter.set_result(time.monotonic())
        elif link.channel is not None and link.channel.readyState == "open":
            link.channel.send(message)  # echo what is not our own ping coming back

    async def ping(self, timeout: float = 5) -> float:
        """One data-channel round trip to the first open link (the other side echoes); seconds."""
        link = next(link for link in self.links.values() if link.channel and link.channel.readyState == "open")
        message = f"ping {self.label} {next(_ping_ids)}"
        waiter = asyncio.get_running_loop().create_future()
        self._pending[message] = waiter
        sent = time.monotonic()
        link.channel.send(message)
        rtt = await asyncio.wait_for(waiter, timeout) - sent
        self.echo_rtt.append(rtt)
        return rtt

    def frames_received(self) -> int:
        return sum(sink.frames for sink in self.sinks if sink.track.kind == "video")

    def _mark(self, name: str) -> None:
        self.times.setdefault(name, time.monotonic())

    async def close(self) -> None:
        """Close every peer connection and the signaling socket. Idempotent."""
        for link in list(self.links.values()):
            await link.close()
        self.links.clear()
        if self.video is not None:
            self.video.stop()
        if self.sio.connected:
            with contextlib.suppress(Exception):
                await self.sio.emit("leave", {}, namespace=NAMESPACE)
            await self.sio.disconnect()
