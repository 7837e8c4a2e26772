"""Media for aiortc peers: a synthetic camera, and a sink that counts decoded remote frames.

No file, device or lavfi graph: the test pattern is built in memory once (a gradient and a bar that
move, so the encoder has real inter-frame work to do, as with a camera) and cycled.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from fractions import Fraction

from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from av import VideoFrame
from av.video.frame import PictureType

CLOCK_RATE = 90_000  # RTP video clock


def _pattern(width: int, height: int, count: int) -> list[bytes]:
    """``count`` luma planes: a horizontal gradient scrolling sideways and a bright bar moving down."""
    planes = []
    for i in range(count):
        row = bytes((x + i * 8) & 0xFF for x in range(width))
        bar_top = (i * height // count) % max(height - 16, 1)
        bar = b"\xeb" * width
        planes.append(row * bar_top + bar * 16 + row * (height - bar_top - 16))
    return planes


class SyntheticVideoTrack(MediaStreamTrack):
    """A camera stand-in: ``width``×``height`` yuv420p frames at ``fps``, real-time paced.

    Every frame gets ``pict_type`` NONE: a frame marked I (as lavfi's are) makes aiortc's VP8 encoder
    send only keyframes (../shared/STACK.md).
    """

    kind = "video"

    def __init__(self, width: int = 640, height: int = 480, fps: int = 15, patterns: int = 30) -> None:
        super().__init__()
        self.width, self.height, self.fps = width, height, fps
        self._luma = _pattern(width, height, patterns)
        self._chroma = b"\x80" * ((width // 2) * (height // 2))
        self._count = 0
        self._start: float | None = None

    async def recv(self) -> VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        due = self._start + self._count / self.fps
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        frame = VideoFrame(width=self.width, height=self.height, format="yuv420p")
        frame.planes[0].update(self._luma[self._count % len(self._luma)])
        frame.planes[1].update(self._chroma)
        frame.planes[2].update(self._chroma)
        frame.pict_type = PictureType.NONE
        frame.pts = self._count * CLOCK_RATE // self.fps
        frame.time_base = Fraction(1, CLOCK_RATE)
        self._count += 1
        return frame


class FrameSink:
    """Reads a remote track until it ends; remembers when the first frame was decoded and how many came."""

    def __init__(self, track: MediaStreamTrack, on_first=None) -> None:
        self.track = track
        self.frames = 0
        self.first_at: float | None = None
        self.first = asyncio.get_running_loop().create_future()
        self._on_first = on_first
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        with contextlib.suppress(MediaStreamError, asyncio.CancelledError):
            while True:
                await self.track.recv()
                self.frames += 1
                if self.first_at is None:
                    self.first_at = time.monotonic()
                    if not self.first.done():
                        self.first.set_result(self.first_at)
                    if self._on_first is not None:
                        self._on_first(self.first_at)

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, MediaStreamError):
            await self._task
