"""The echo bot: the far end of the pre-call network test (rtc/PROTOCOL.md, "Echo test").

``python -m rtc.bots`` runs a small supervisor that keeps ``--workers`` worker processes alive
(``python -m rtc.bots --worker``). A worker is an asyncio process with one service connection
(``{"bot_token": …}``) to ``$SILTA_RTC_SERVER``; on ``echo-request`` it opens a participant connection
with the ticket it was given, joins (losing the race to another worker is ``taken``: drop it), answers
the tester's offer, sends every received track back and echoes data-channel messages, and hangs up
after ``limit_seconds`` or when the tester leaves.

Why workers are recycled: aiortc's (PyAV's) memory stays at its high-water mark (../shared/STACK.md),
so a worker exits once it is idle after ``--recycle-after`` sessions or above ``--max-rss-mb``, and the
supervisor starts a fresh one. While a worker is due to recycle it takes no new test.

Settings: arguments, else the environment (``SILTA_RTC_SERVER``, ``SILTA_BOT_TOKEN``,
``SILTA_BOT_SESSIONS`` (cap of simultaneous tests per worker, default 5), ``SILTA_BOT_RECYCLE_AFTER``
(default 50), ``SILTA_BOT_MAX_RSS_MB`` (default 400)). Logs: one line per session (a counter, the
duration, the outcome) — never SDP, tickets or room keys.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import os
import signal
import subprocess
import sys
import time

import socketio

log = logging.getLogger("rtc.bots")
NAMESPACE = "/rtc"
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 10.0  # seconds between attempts to reach the server


# --------------------------------------------------------------------------
# settings


def parse(argv: list[str] | None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m rtc.bots", description="Silta's echo-test bot")
    parser.add_argument("--server", default=env("SILTA_RTC_SERVER", "http://127.0.0.1:5000"),
                        help="Silta's base URL (env SILTA_RTC_SERVER)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes the supervisor keeps alive")
    parser.add_argument("--worker", action="store_true", help="run one worker (what the supervisor starts)")
    parser.add_argument("--sessions", type=int, default=int(env("SILTA_BOT_SESSIONS", "5")),
                        help="simultaneous echo tests per worker (env SILTA_BOT_SESSIONS)")
    parser.add_argument("--recycle-after", type=int, default=int(env("SILTA_BOT_RECYCLE_AFTER", "50")),
                        help="a worker exits when idle after this many sessions (env SILTA_BOT_RECYCLE_AFTER)")
    parser.add_argument("--max-rss-mb", type=int, default=int(env("SILTA_BOT_MAX_RSS_MB", "400")),
                        help="a worker exits when idle above this resident size (env SILTA_BOT_MAX_RSS_MB)")
    return parser.parse_args(argv)


def rss_mb() -> float:
    """This process's resident set size in MiB (Linux /proc)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# --------------------------------------------------------------------------
# one worker


class EchoWorker:
    """One service connection and up to ``sessions`` echo tests at a time."""

    def __init__(self, server: str, token: str, *, sessions: int, recycle_after: int, max_rss_mb: int) -> None:
        self.server, self.token = server.rstrip("/"), token
        self.cap, self.recycle_after, self.max_rss_mb = sessions, recycle_after, max_rss_mb
        self.active: set[asyncio.Task] = set()
        self.served = 0
        self._numbers = itertools.count(1)
        self.stopping = asyncio.Event()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("echo-request", self._on_request, namespace=NAMESPACE)
        self.sio.on("disconnect", self._on_disconnect, namespace=NAMESPACE)
        self._disconnected = asyncio.Event()

    def due(self) -> bool:
        """Time to make room for a fresh process (aiortc's memory never shrinks)."""
        return self.served >= self.recycle_after or rss_mb() > self.max_rss_mb

    async def run(self) -> None:
        """Stay connected (reconnecting with backoff) until stopped or recycled."""
        delay = BACKOFF_FIRST
        while not self.stopping.is_set():
            try:
                await self.sio.connect(self.server, auth={"bot_token": self.token}, namespaces=[NAMESPACE],
                                       transports=["websocket"], wait_timeout=10)
            except socketio.exceptions.ConnectionError as exc:
                log.info("echo bot: server not reachable (%s); retrying in %.1f s", type(exc).__name__, delay)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), delay)
                delay = min(delay * 2, BACKOFF_MAX)
                continue
            delay = BACKOFF_FIRST
            log.info("echo bot: connected (pid %d, %d sessions at most)", os.getpid(), self.cap)
            self._disconnected.clear()
            await _first(self.stopping.wait(), self._disconnected.wait())
        await self.shutdown()

    async def shutdown(self) -> None:
        for task in list(self.active):
            task.cancel()
        await asyncio.gather(*self.active, return_exceptions=True)
        if self.sio.connected:
            await self.sio.disconnect()

    def _on_disconnect(self, *_) -> None:
        self._disconnected.set()

    def _on_request(self, data=None) -> None:
        if not isinstance(data, dict) or not isinstance(data.get("ticket"), str):
            return
        if len(self.active) >= self.cap or self.due():
            return  # another worker may take it; if none does, the page says "not available right now"
        limit = data.get("limit_seconds")
        limit = float(limit) if isinstance(limit, (int, float)) and 0 < limit <= 600 else 20.0
        task = asyncio.ensure_future(self._session(data["ticket"], limit))
        self.active.add(task)
        task.add_done_callback(self._session_done)

    def _session_done(self, task: asyncio.Task) -> None:
        self.active.discard(task)
        if not self.active and self.due():
            log.info("echo bot: recycling after %d sessions (%.0f MiB resident)", self.served, rss_mb())
            self.stopping.set()

    async def _session(self, ticket: str, limit: float) -> None:
        number, started = next(self._numbers), time.monotonic()
        outcome = await echo_session(self.server, ticket, limit)
        if outcome != "taken":
            self.served += 1
        log.info("echo session %d: %.1f s, %s", number, time.monotonic() - started, outcome)


async def echo_session(server: str, ticket: str, limit: float) -> str:
    """Serve one echo test; returns the outcome in words (for the log line)."""
    from rtc.peer import Peer, SignalingError  # aiortc loads here, not in the supervisor

    peer = Peer(server, ticket, video=None, echo_media=True, offers=False, label="echo")
    try:
        await peer.start()
        await peer.join()
        done = await _first(peer.gone.wait(), peer.peer_left.wait(), peer.failed.wait(), timeout=limit)
        return {None: "hung up at the time limit", 0: "the test ended", 1: "the tester left",
                2: "ICE failed"}[done]
    except SignalingError as exc:
        return "taken" if exc.code == "taken" else f"refused ({exc.code})"
    except asyncio.CancelledError:
        return "stopped"
    except Exception as exc:  # noqa: BLE001 - a broken session must not end the worker; say what kind
        return f"failed ({type(exc).__name__})"
    finally:
        with contextlib.suppress(Exception):
            await asyncio.shield(peer.close())


async def _first(*waits, timeout: float | None = None) -> int | None:
    """Index of the first awaitable to finish (the others are cancelled), None on timeout."""
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        done, _ = await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
    return next((i for i, task in enumerate(tasks) if task in done), None)


async def run_worker(args: argparse.Namespace) -> int:
    token = os.environ.get("SILTA_BOT_TOKEN", "")
    if not token:
        log.error("echo bot: SILTA_BOT_TOKEN is not set")
        return 2
    worker = EchoWorker(args.server, token, sessions=args.sessions, recycle_after=args.recycle_after,
                        max_rss_mb=args.max_rss_mb)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, worker.stopping.set)
    await worker.run()
    return 0


# --------------------------------------------------------------------------
# the supervisor


class Supervisor:
    """Keeps ``count`` worker processes running; restarts one that exits (recycled or crashed)."""

    def __init__(self, args: argparse.Namespace, count: int) -> None:
        self.args, self.count = args, count
        self.procs: list[subprocess.Popen | None] = [None] * count
        self.stopping = False

    def command(self) -> list[str]:
        a = self.args
        return [sys.executable, "-m", "rtc.bots", "--worker", "--server", a.server, "--sessions", str(a.sessions),
                "--recycle-after", str(a.recycle_after), "--max-rss-mb", str(a.max_rss_mb)]

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        backoff = [BACKOFF_FIRST] * self.count
        started = [0.0] * self.count
        while not self.stopping:
            for i, proc in enumerate(self.procs):
                if proc is not None and proc.poll() is None:
                    continue
                if proc is not None:
                    # A worker that dies at once (bad token, import error) must not spin the CPU.
                    quick = time.monotonic() - started[i] < 5 and proc.returncode != 0
                    backoff[i] = min(backoff[i] * 2, BACKOFF_MAX) if quick else BACKOFF_FIRST
                    log.info("echo bot: worker %d exited (%s); restarting", proc.pid, proc.returncode)
                    time.sleep(backoff[i] if quick else 0)
                started[i] = time.monotonic()
                self.procs[i] = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL)
            time.sleep(0.2)
        return self._end_workers()

    def _stop(self, *_) -> None:
        self.stopping = True

    def _end_workers(self) -> int:
        for proc in self.procs:
            if proc is not None and proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            if proc is None:
                continue
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("aioice", "aiortc", "socketio", "engineio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)  # their debug output would carry SDP/candidates
    args = parse(argv)
    if args.worker:
        return asyncio.run(run_worker(args))
    return Supervisor(args, max(1, args.workers)).run()


if __name__ == "__main__":
    sys.exit(main())
