"""aiortc peers in a Janus VideoRoom, as a browser is: a client of the Janus API over HTTP long-poll.

``JanusPeer`` joins Silta's ``/rtc`` like any participant (``rtc/peer.py``: waiting room, admission,
chat) and, when ``joined`` carries ``janus`` (a group room), takes the room, feed id and token Silta
issued: it publishes its microphone and camera (audio first: the leader's "mute" moderates ``mid`` 0)
and subscribes to every other publisher, one subscriber handle each. Nothing here holds a Janus
secret: what the token does not allow, Janus refuses (``JanusError`` with Janus's error code).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time

import aiohttp
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack

from rtc.media import FrameSink
from rtc.peer import Peer

PLUGIN = "janus.plugin.videoroom"
_ids = itertools.count(1)


class JanusError(RuntimeError):
    def __init__(self, what: str, code: int | None, reason: str = "") -> None:
        super().__init__(f"janus refused {what}: {code} {reason}".strip())
        self.code = code


def _tx() -> str:
    return f"tx{next(_ids)}"


class JanusSession:
    """One Janus session with its long-poll loop; events go to their handle's queue."""

    def __init__(self, url: str, token: str, http: aiohttp.ClientSession) -> None:
        self.url, self.token, self.http = url.rstrip("/"), token, http
        self.session_url: str | None = None
        self.handles: dict[int, JanusHandle] = {}
        self._poll_task: asyncio.Task | None = None

    async def post(self, url: str, body: dict) -> dict:
        async with self.http.post(url, json={**body, "transaction": body.get("transaction") or _tx(),
                                             "token": self.token}) as response:
            answer = await response.json(content_type=None)
        if answer.get("janus") == "error":
            error = answer.get("error", {})
            raise JanusError(body.get("janus", "?"), error.get("code"), error.get("reason", ""))
        return answer

    async def create(self) -> None:
        answer = await self.post(self.url, {"janus": "create"})
        self.session_url = f"{self.url}/{answer['data']['id']}"
        self._poll_task = asyncio.ensure_future(self._poll())

    async def attach(self) -> JanusHandle:
        answer = await self.post(self.session_url, {"janus": "attach", "plugin": PLUGIN})
        handle = JanusHandle(self, answer["data"]["id"])
        self.handles[handle.id] = handle
        return handle

    async def _poll(self) -> None:
        with contextlib.suppress(asyncio.CancelledError, aiohttp.ClientError):
            while self.session_url:
                params = {"maxev": 10, "token": self.token, "rid": int(time.time() * 1000)}
                async with self.http.get(self.session_url, params=params) as response:
                    answer = await response.json(content_type=None)
                if isinstance(answer, dict) and answer.get("janus") == "error":
                    return  # the session is gone (destroyed, timed out)
                for event in answer if isinstance(answer, list) else [answer]:
                    handle = self.handles.get(event.get("sender")) if isinstance(event, dict) else None
                    if handle is not None:
                        handle.deliver(event)

    async def destroy(self) -> None:
        if self._poll_task is not None:
            self._poll_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._poll_task
        if self.session_url:
            with contextlib.suppress(Exception):
                await self.post(self.session_url, {"janus": "destroy"})
            self.session_url = None


class JanusHandle:
    """One VideoRoom handle: requests that answer at once or by a later event, and the async events."""

    def __init__(self, session: JanusSession, handle_id: int) -> None:
        self.session, self.id = session, handle_id
        self.url = f"{session.session_url}/{handle_id}"
        self.waiting: dict[str, asyncio.Future] = {}
        self.events: asyncio.Queue = asyncio.Queue()
        self.pc: RTCPeerConnection | None = None

    def deliver(self, event: dict) -> None:
        waiter = self.waiting.pop(event.get("transaction"), None)
        if waiter is not None and not waiter.done() and event.get("janus") == "event":
            waiter.set_result(event)
        elif event.get("janus") == "event":
            self.events.put_nowait(event)

    async def request(self, body: dict, jsep: dict | None = None, timeout: float = 10) -> tuple[dict, dict | None]:
        """(the plugin's data, its jsep); JanusError when the plugin answers with an error."""
        tx = _tx()
        waiter = asyncio.get_running_loop().create_future()
        self.waiting[tx] = waiter
        message = {"janus": "message", "body": body, "transaction": tx, **({"jsep": jsep} if jsep else {})}
        answer = await self.session.post(self.url, message)
        if answer.get("janus") == "success":  # a synchronous request
            self.waiting.pop(tx, None)
            event = answer
        else:
            event = await asyncio.wait_for(waiter, timeout)
        data = event.get("plugindata", {}).get("data", {})
        if data.get("error_code"):
            raise JanusError(body.get("request", "?"), data["error_code"], data.get("error", ""))
        return data, event.get("jsep")


def _jsep(pc: RTCPeerConnection) -> dict:
    return {"type": pc.localDescription.type, "sdp": pc.localDescription.sdp, "trickle": False}


class JanusPeer(Peer):
    """A participant of a group room: Silta's signaling from ``Peer``, the media through Janus.

    ``media_ready``: published and Janus answered. ``feeds``: feed id → FrameSink of its video.
    ``talking``/``muted``: what Janus and Silta said about others (feed ids).
    """

    def __init__(self, server_url: str, ticket: str, *, subscribe_to: set[int] | None = None, **kwargs) -> None:
        super().__init__(server_url, ticket, offers=False, data_channel=False, **kwargs)
        self.janus: dict | None = None
        self.published = asyncio.Event()
        self.subscribed: dict[int, asyncio.Event] = {}
        self.feeds: dict[int, FrameSink] = {}
        self.janus_errors: list[JanusError] = []
        self.private_id: int | None = None
        self.moderation: dict[int, str] = {}  # feed id → "muted"/"unmuted", as Janus announced it
        self.moderated = asyncio.Event()
        self.subscribe_to = subscribe_to  # feeds to receive (None: everyone's)
        self._http: aiohttp.ClientSession | None = None
        self._session: JanusSession | None = None
        self._publisher: JanusHandle | None = None
        self._tasks: list[asyncio.Task] = []
        self.audio = AudioStreamTrack()

    def _on_joined(self, data: dict) -> None:
        super()._on_joined(data)
        self.janus = data.get("janus")
        if self.janus:
            self._tasks.append(asyncio.ensure_future(self._media()))

    async def _media(self) -> None:
        try:
            await self.enter_janus(self.janus)
        except (TimeoutError, JanusError, aiohttp.ClientError) as exc:
            self.janus_errors.append(exc if isinstance(exc, JanusError) else JanusError("media", None, repr(exc)))
            self.failed.set()

    async def enter_janus(self, janus: dict, *, publish: bool = True) -> None:
        """Join the Janus room with what Silta issued (``janus``), publish, subscribe to the others."""
        self._http = self._http or aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=40))
        self._session = JanusSession(janus["url"], janus["token"], self._http)
        await self._session.create()
        self._publisher = await self._session.attach()
        data, _ = await self._publisher.request({"request": "join", "ptype": "publisher", "room": janus["room"],
                                                 "id": janus["feed"], "display": janus["display"],
                                                 "token": janus["token"]})
        self.private_id = data.get("private_id")  # subscriptions need it (the room has require_pvtid)
        self._mark("janus_joined")
        self._tasks.append(asyncio.ensure_future(self._publisher_events()))
        if publish:
            await self._publish()
        for publisher in data.get("publishers", []):
            self._subscribe_later(publisher["id"])

    async def _publish(self) -> None:
        pc = RTCPeerConnection(self.configuration)
        self._publisher.pc = pc
        pc.addTrack(self.audio)  # mid 0: the microphone (sfu.AUDIO_MID)
        if self.video is not None:
            pc.addTrack(self.relay.subscribe(self.video))
        await pc.setLocalDescription(await pc.createOffer())
        _, answer = await self._publisher.request({"request": "publish", "audio": True, "video": True},
                                                  jsep=_jsep(pc))
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type=answer["type"]))
        self._mark("published")
        self.published.set()

    async def _publisher_events(self) -> None:
        while True:
            event = await self._publisher.events.get()
            data = event.get("plugindata", {}).get("data", {})
            for publisher in data.get("publishers", []):
                self._subscribe_later(publisher["id"])
            if "moderation" in data:  # the leader muted someone (Janus tells every publisher, them too)
                self.moderation[data["id"]] = data["moderation"]
                self.moderated.set()

    def _subscribe_later(self, feed: int) -> None:
        wanted = self.subscribe_to is None or feed in self.subscribe_to
        if wanted and feed not in self.subscribed and feed != self.janus["feed"]:
            self.subscribed[feed] = asyncio.Event()
            self._tasks.append(asyncio.ensure_future(self._subscribe(feed)))

    async def _subscribe(self, feed: int) -> None:
        try:
            await self.subscribe(feed)
        except (TimeoutError, JanusError) as exc:
            self.janus_errors.append(exc if isinstance(exc, JanusError) else JanusError("subscribe", None, "timeout"))

    async def subscribe(self, feed: int) -> JanusHandle:
        """Receive one publisher's feed (as the publisher of this room that ``private_id`` names)."""
        handle = await self._session.attach()
        body = {"request": "join", "ptype": "subscriber", "room": self.janus["room"], "streams": [{"feed": feed}],
                "private_id": self.private_id or 0}
        _, offer = await handle.request(body)
        pc = RTCPeerConnection(self.configuration)
        handle.pc = pc

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind == "video":
                self.feeds[feed] = FrameSink(track, on_first=self._first_frame)
                self.sinks.append(self.feeds[feed])

        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type=offer["type"]))
        await pc.setLocalDescription(await pc.createAnswer())
        await handle.request({"request": "start"}, jsep=_jsep(pc))
        self.subscribed.setdefault(feed, asyncio.Event()).set()
        return handle

    def frames_from(self, feed: int) -> int:
        sink = self.feeds.get(feed)
        return sink.frames if sink is not None else 0

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._session is not None:
            for handle in self._session.handles.values():
                if handle.pc is not None:
                    await handle.pc.close()
            await self._session.destroy()
        if self._http is not None:
            await self._http.close()
        for sink in self.sinks:
            await sink.stop()
        self.audio.stop()
        await super().close()
