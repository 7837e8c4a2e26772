"""Signaling at county scale: ``python -m bench.signaling [--sizes 500,1000,2000,5000] [--window 30]``

For each N: N authenticated websocket connections, as browsers open them — 80 % idle (half of them
participants' ``/rtc`` connections on the pre-call page, a quarter staff pages' ``/rtc`` notification
connections, a quarter staff pages' ``/live`` connections with a signed-in session cookie) — and K = N/10
calls (2 connections each) joining at JOIN_RATE calls a second. Each call sets up (offer, answer, 5
candidates each way, ~5 kB SDP) and then renegotiates every ROUND seconds until the window ends.

The load generator speaks raw engine.io 4 / socket.io 5 frames over aiohttp websockets in one asyncio
process (light enough for 5 000 connections on two cores). Tickets and session cookies are minted with the
app's own functions against a PostgreSQL database populated here. It reports connect success, drops,
signals lost (sent − received), refused signals, relay p50/p99 (send → receive, one clock), and the
server's RSS, threads and CPU (/proc), for:

- **silta**: the production server (portal/serving.py: gunicorn, gevent worker), one process;
- **floor**: a bare python-socketio relay under the same worker (bench/signaling_floor.py);
- **silta ×2**: two processes behind Redis (the Socket.IO message queue), every call's two sides on
  different processes (``--two`` sizes).

Targets (issue 15): 5 000 connections and 500 calls, 0 drops, 0 lost, p99 < 100 ms and ≤ 2× the floor.
Other load on the machine moves the figures: the load average is printed with each. The generator's own
garbage collector is off while it measures (its pauses would count as relay latency of either server).
``--server-env PORTAL_KEY=VALUE`` gives Silta's servers a setting (e.g. ``PORTAL_SERVE_GC_FREEZE_SECONDS=0``
to compare), ``--no-floor`` skips the bare relay.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

SDP_BYTES = 5000
CANDIDATES = 5
JOIN_RATE = 20.0  # calls a second
CONNECT_RATE = 50.0  # connections a second (--connect-rate; browsers' reconnects after a restart are spread by backoff)
ROUND = 10.0  # seconds between renegotiations of one call
PAD = "a=x-bench:" + "x" * 70 + "\r\n"


# --------------------------------------------------------------------------
# the population and its credentials


@dataclass
class Credentials:
    calls: list[tuple[str, str, str]]  # (room key, host ticket, guest ticket)
    idle: list[tuple[str, str]]  # (room key, guest ticket): participants on the pre-call page
    users: list[tuple[str, str]]  # (user ticket, session cookie) of staff members


def populate(url: str, secret: str, calls: int, idle: int, users: int) -> Credentials:
    """Staff, rooms and participants written with the app's models; tickets and cookies minted with its functions."""
    from portal.auth.models import AccountKind, Role, User, UserRole
    from portal.extensions import db
    from portal.video import tickets
    from portal.video.models import ParticipantRole, RoomKind, VideoParticipant, VideoRoom
    from tests.conftest import make_app, migrate_and_sync

    migrate_and_sync(make_app(url, SECRET_KEY=secret))
    app = make_app(url, SECRET_KEY=secret)
    with app.app_context():
        staff = [User(kind=AccountKind.STAFF, email=f"bench{n}@example.test", display_name=f"Bench Worker {n}",
                      roles=[UserRole(role=Role.WORKER)]) for n in range(max(users, calls))]
        db.session.add_all(staff)
        db.session.flush()
        call_rows = []
        for n in range(calls):
            room = VideoRoom(key=f"bench-call-{n:05d}", kind=RoomKind.MEETING, host_id=staff[n].id, auto_admit=True)
            host = VideoParticipant(room=room, user_id=staff[n].id, role=ParticipantRole.HOST,
                                    display_name=staff[n].display_name)
            guest = VideoParticipant(room=room, role=ParticipantRole.GUEST, display_name="Guest")
            db.session.add_all([room, host, guest])
            call_rows.append((room, host, guest))
        idle_rows = []
        for n in range(idle):
            if n % 100 == 0:
                waiting_room = VideoRoom(key=f"bench-idle-{n:05d}", kind=RoomKind.MEETING, host_id=staff[0].id)
                db.session.add(waiting_room)
            guest = VideoParticipant(room=waiting_room, role=ParticipantRole.GUEST, display_name="Guest")
            db.session.add(guest)
            idle_rows.append(guest)
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        from portal.auth import session as auth_session

        signed_in = []  # server-side sessions: a row per user, its token in the signed cookie
        for user in staff[:users]:
            row, token = auth_session.new_session(user, "bench")
            signed_in.append((user, row.id, token))
        db.session.commit()
        result = Credentials(
            calls=[(room.key, tickets.participant_ticket(h), tickets.participant_ticket(g))
                   for room, h, g in call_rows],
            idle=[(g.room.key, tickets.participant_ticket(g)) for g in idle_rows],
            users=[(tickets.user_ticket(u, session_id), serializer.dumps(
                {"_user_id": str(u.id), "_fresh": False, auth_session.TOKEN_KEY: token}))
                for u, session_id, token in signed_in])
        db.session.remove()
        db.engine.dispose()
    return result


# --------------------------------------------------------------------------
# a raw socket.io client


@dataclass
class Stats:
    connected: int = 0
    refused: int = 0  # connect attempts refused by the server (retried)
    retried: int = 0
    failed: int = 0  # never connected after three attempts
    drops: int = 0
    sent: int = 0
    received: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    closing: bool = False


class Client:
    """One websocket, one namespace: connect with an auth payload, emit with acks, answer pings."""

    def __init__(self, http: aiohttp.ClientSession, base: str, namespace: str, auth: dict, stats: Stats,
                 cookie: str | None = None):
        self.http, self.base, self.ns, self.auth, self.stats, self.cookie = http, base, namespace, auth, stats, cookie
        self.ws = None
        self.sid = None
        self.acks: dict[int, asyncio.Future] = {}
        self.next_id = 0
        self.handlers: dict[str, callable] = {}
        self.ready = asyncio.get_running_loop().create_future()
        self.task = None

    async def open(self) -> bool:
        """Connect; a failed attempt is retried twice after a pause, as socket.io-client reconnects."""
        for attempt in range(3):
            if attempt:
                self.stats.retried += 1
                await asyncio.sleep(2.0 * attempt)
                self.ready = asyncio.get_running_loop().create_future()
            if await self._open_once():
                return True
        self.stats.failed += 1
        return False

    async def _open_once(self) -> bool:
        headers = {"Cookie": f"silta_session={self.cookie}"} if self.cookie else {}
        try:
            self.ws = await self.http.ws_connect(f"{self.base}/socket.io/?EIO=4&transport=websocket",
                                                 headers=headers, autoping=True, max_msg_size=0,
                                                 timeout=aiohttp.ClientWSTimeout(ws_close=30))
            opening = await self.ws.receive(timeout=30)
            if not str(opening.data).startswith("0"):
                raise ConnectionError("no engine.io open packet")
            await self.ws.send_str(f"40{self.ns},{json.dumps(self.auth)}")
            self.task = asyncio.create_task(self._read())
            return await asyncio.wait_for(self.ready, 60)
        except (TimeoutError, aiohttp.ClientError, ConnectionError, OSError):
            if self.ws is not None:
                await self.ws.close()
            return False

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            data = message.data
            if data == "2":
                await self.ws.send_str("3")
                continue
            if not data.startswith("4"):
                continue
            kind, body = data[1], data[2 + len(self.ns) + 1:] if data[2:].startswith(self.ns) else data[2:]
            if kind == "0":
                self.sid = json.loads(body)["sid"]
                self.stats.connected += 1
                self.ready.set_result(True)
            elif kind == "4":
                self.stats.refused += 1
                self.ready.set_result(False)
                await self.ws.close()
                break
            elif kind == "1":
                break
            elif kind == "2":
                event, *args = json.loads(body)
                handler = self.handlers.get(event)
                if handler is not None:
                    handler(*args)
            elif kind == "3":
                digits = len(body) - len(body.lstrip("0123456789"))
                future = self.acks.pop(int(body[:digits]), None)
                if future is not None and not future.done():
                    future.set_result(json.loads(body[digits:])[0])
        if not self.stats.closing and self.ready.done() and self.ready.result():
            self.stats.drops += 1
        if not self.ready.done():
            self.ready.set_result(False)

    async def send(self, event: str, data: dict) -> None:
        await self.ws.send_str(f"42{self.ns},{json.dumps([event, data])}")

    async def ask(self, event: str, data: dict) -> dict:
        self.next_id += 1
        future = asyncio.get_running_loop().create_future()
        self.acks[self.next_id] = future
        await self.ws.send_str(f"42{self.ns},{self.next_id}{json.dumps([event, data])}")
        return await asyncio.wait_for(future, 30)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            await asyncio.gather(self.task, return_exceptions=True)


# --------------------------------------------------------------------------
# calls


def _sdp(kind: str) -> dict:
    head = f"v=0\r\nt-bench={time.monotonic():.6f}\r\n"
    return {"type": kind, "sdp": head + PAD * ((SDP_BYTES - len(head)) // len(PAD))}


def _candidate(n: int) -> dict:
    return {"candidate": f"candidate:{n} 1 udp 2122260223 192.0.2.1 {50000 + n} typ host", "sdpMid": "0",
            "sdpMLineIndex": 0, "t": time.monotonic()}


def _on_signal(stats: Stats, client: Client, reply: bool):
    def handle(message: dict) -> None:
        now = time.monotonic()
        stats.received += 1
        if "description" in message:
            sent = float(message["description"]["sdp"].split("t-bench=", 1)[1].split("\r\n", 1)[0])
            if reply and message["description"]["type"] == "offer":
                asyncio.get_running_loop().create_task(_burst(stats, client, message["from"], "answer"))
        else:
            sent = message["candidate"]["t"]
        stats.latencies.append(now - sent)
    return handle


async def _burst(stats: Stats, client: Client, to: str, kind: str) -> None:
    """An offer or an answer and its candidates, as a browser sends them (trickle)."""
    try:
        await client.send("signal", {"to": to, "description": _sdp(kind)})
        stats.sent += 1
        for n in range(CANDIDATES):
            await client.send("signal", {"to": to, "candidate": _candidate(n)})
            stats.sent += 1
    except (ConnectionError, aiohttp.ClientError):
        pass


async def run_call(stats: Stats, host: Client, guest: Client, until: float) -> None:
    guest_conn = asyncio.get_running_loop().create_future()
    host.handlers["peer-joined"] = lambda info: guest_conn.done() or guest_conn.set_result(info["conn"])
    host.handlers["signal"] = _on_signal(stats, host, reply=False)
    guest.handlers["signal"] = _on_signal(stats, guest, reply=True)
    for client in (host, guest):
        client.handlers["error"] = lambda _e: setattr(stats, "errors", stats.errors + 1)
    if not (await host.ask("join", {})).get("ok") or not (await guest.ask("join", {})).get("ok"):
        stats.errors += 1
        return
    to = await asyncio.wait_for(guest_conn, 30)
    while time.monotonic() < until:
        await _burst(stats, host, to, "offer")
        await asyncio.sleep(ROUND * random.uniform(0.8, 1.2))


# --------------------------------------------------------------------------
# one measurement


@dataclass
class Target:
    label: str
    urls: list[str]  # one per process; calls put their host on the first and their guest on the last
    pids: list[int]


async def measure(target: Target, creds: Credentials, n: int, window: float, rate: float = CONNECT_RATE) -> dict:
    stats = Stats()
    calls = n // 10
    idle = n - 2 * calls
    idle_rtc, idle_user, idle_live = idle // 2, idle // 4, idle - idle // 2 - idle // 4
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(connector=connector) as http:
        specs = []
        for i in range(calls):
            key, host, guest = creds.calls[i]
            specs.append((target.urls[0], "/rtc", {"ticket": host, "bench_room": key}, None, ("host", i)))
            specs.append((target.urls[-1], "/rtc", {"ticket": guest, "bench_room": key}, None, ("guest", i)))
        for i in range(idle_rtc):
            key, ticket = creds.idle[i]
            specs.append((target.urls[i % len(target.urls)], "/rtc", {"ticket": ticket, "bench_room": key}, None, None))
        for i in range(idle_user):
            specs.append((target.urls[i % len(target.urls)], "/rtc", {"user_ticket": creds.users[i][0]}, None, None))
        for i in range(idle_live):
            specs.append((target.urls[i % len(target.urls)], "/live", {}, creds.users[i][1], None))
        random.Random(n).shuffle(specs)
        clients, pairs = [], {}
        cpu0 = _cpu(target.pids)
        began = time.monotonic()
        pending = []
        for k, (url, ns, auth, cookie, role) in enumerate(specs):
            client = Client(http, url, ns, auth, stats, cookie)
            clients.append(client)
            if role is not None:
                pairs.setdefault(role[1], {})[role[0]] = client
            pending.append(asyncio.create_task(client.open()))
            delay = began + (k + 1) / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        await asyncio.gather(*pending)
        connect_seconds = time.monotonic() - began
        # The generator's own collector pauses (up to 0.5 s seen at 2 000 connections on a loaded machine)
        # would be counted as relay latency of whichever server is measured: off while it measures.
        gc.collect()
        gc.disable()
        until = time.monotonic() + calls / JOIN_RATE + window
        runs = []
        for i in range(calls):
            pair = pairs[i]
            if pair["host"].sid and pair["guest"].sid:
                runs.append(asyncio.create_task(run_call(stats, pair["host"], pair["guest"], until)))
            await asyncio.sleep(1 / JOIN_RATE)
        steady_cpu0, steady_received0, steady_from = _cpu(target.pids), stats.received, len(stats.latencies)
        results = await asyncio.gather(*runs, return_exceptions=True)
        await asyncio.sleep(3)  # the last signals arrive
        cpu_end = _cpu(target.pids)
        cpu, steady_cpu = cpu_end - cpu0, cpu_end - steady_cpu0
        steady = sorted(stats.latencies[steady_from:]) or [0.0]
        rss, threads = _rss_threads(target.pids)
        stats.closing = True
        gc.enable()
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    failures = sum(1 for r in results if isinstance(r, BaseException))
    ordered = sorted(stats.latencies) or [0.0]
    return {
        "label": target.label, "n": n, "calls": calls, "connected": stats.connected, "attempted": len(specs),
        "refused": stats.refused, "retried": stats.retried, "failed": stats.failed, "drops": stats.drops,
        "sent": stats.sent,
        "lost": stats.sent - stats.received, "errors": stats.errors + failures,
        "p50": statistics.median(ordered) * 1000, "p99": _p99(ordered) * 1000,
        "rss": rss, "threads": threads, "cpu": cpu, "connect_s": connect_seconds,
        "cpu_per_signal_ms": steady_cpu / max(1, stats.received - steady_received0) * 1000, "load": _loadavg(),
        "steady_p50": statistics.median(steady) * 1000, "steady_p99": _p99(steady) * 1000,
    }


def _p99(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = [int(p) for p in f.read().split()]
    except OSError:
        return []
    return kids + [g for k in kids for g in _children(k)]


def _workers(pid: int) -> list[int]:
    """The serving processes: gunicorn's workers (not the echo bot or the master)."""
    procs = [pid, *_children(pid)]
    found = []
    for p in procs:
        try:
            cmd = Path(f"/proc/{p}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"rtc.bots" not in cmd:  # an element of the command line: the launcher's script mentions it too
            found.append(p)
    # gunicorn's master spends nothing per connection; counting it is harmless and simpler
    return found


def _cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        for p in _workers(pid):
            try:
                fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except OSError:
                pass
    return total


def _rss_threads(pids: list[int]) -> tuple[float, int]:
    rss, threads = 0.0, 0
    for pid in pids:
        for p in _workers(pid):
            try:
                status = Path(f"/proc/{p}/status").read_text().splitlines()
            except OSError:
                continue
            values = dict(line.split(":", 1) for line in status if ":" in line)
            rss += int(values["VmRSS"].split()[0]) / 1024
            threads += int(values["Threads"])
    return rss, threads


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _print(result: dict) -> None:
    print(f"{result['label']:<9} N={result['n']:>5} calls={result['calls']:>4}  connected {result['connected']}/"
          f"{result['attempted']} in {result['connect_s']:.0f} s (retries {result['retried']}, "
          f"never {result['failed']})  "
          f"drops {result['drops']}  signals {result['sent']} lost {result['lost']} refused {result['errors']}  "
          f"relay p50 {result['p50']:.1f} ms p99 {result['p99']:.1f} ms "
          f"(after the joins: p50 {result['steady_p50']:.1f} "
          f"p99 {result['steady_p99']:.1f})  server RSS {result['rss']:.0f} MB "
          f"threads {result['threads']} CPU {result['cpu']:.1f} s "
          f"(after the joins {result['cpu_per_signal_ms']:.2f} ms/signal)  "
          f"load {result['load']}", flush=True)


# --------------------------------------------------------------------------
# servers


def _start_floor(port: int) -> subprocess.Popen:
    log = open(Path(tempfile.gettempdir()) / f"silta-bench-floor-{port}.log", "ab")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-k", "portal.serving.Worker", "-w", "1",
                             "--worker-connections", "10000", "-b", f"127.0.0.1:{port}", "--no-control-socket",
                             "--graceful-timeout", "2", "bench.signaling_floor:app()"],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            cwd=Path(__file__).resolve().parents[1])
    for _ in range(200):
        try:
            import urllib.request

            urllib.request.urlopen(f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket", timeout=1)
        except Exception as exc:  # noqa: BLE001 — any HTTP answer means it listens
            if "Connection refused" not in str(exc):
                return proc
        time.sleep(0.1)
    raise SystemExit("the floor relay did not start")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="500,1000,2000,5000")
    parser.add_argument("--two", default="1000,5000", help="sizes for two processes behind Redis ('' for none)")
    parser.add_argument("--window", type=float, default=30.0, help="seconds of steady calls after the last join")
    parser.add_argument("--connect-rate", type=float, default=CONNECT_RATE, help="new connections a second")
    parser.add_argument("--server-env", action="append", default=[], metavar="PORTAL_KEY=VALUE",
                        help="a setting of the Silta servers (repeatable), e.g. PORTAL_SERVE_GC_FREEZE_SECONDS=0")
    parser.add_argument("--no-floor", action="store_true", help="skip the bare python-socketio relay")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    two = [int(s) for s in args.two.split(",") if s]
    biggest = max(sizes + two)

    from tests.support.rtc import SILTA_SECRET, start_silta
    from tests.support.services import free_port, start_postgres, start_redis

    with tempfile.TemporaryDirectory(prefix="silta-bench-signaling-") as scratch:
        postgres = start_postgres(Path(scratch) / "pg")
        redis = start_redis(Path(scratch)) if two else None
        try:
            postgres.create_database("bench")
            url = postgres.url("bench")
            idle = biggest - 2 * (biggest // 10)
            creds = populate(url, SILTA_SECRET, biggest // 10, idle // 2, idle - idle // 2)
            print(f"populated {biggest // 10} call rooms, {idle // 2} idle participants, {idle - idle // 2} staff; "
                  f"load {_loadavg()}", flush=True)
            env = {"PORTAL_SERVE_ACCESS_LOG": "", "PORTAL_RTC_BOTS": "0",
                   **dict(setting.split("=", 1) for setting in args.server_env)}
            for n in sizes:
                server = start_silta(url, env=env)
                try:
                    target = Target("silta", [server.url], [server.pid])
                    result = asyncio.run(measure(target, creds, n, args.window, args.connect_rate))
                    _print(result)
                    if result["retried"] or result["drops"]:
                        print("  server log, errors:", *[line for line in server.log().splitlines()
                                                         if "rror" in line or "refused" in line][-8:], sep="\n  ")
                finally:
                    server.stop()
                if args.no_floor:
                    continue
                port = free_port()
                floor = _start_floor(port)
                try:
                    _print(asyncio.run(measure(Target("floor", [f"http://127.0.0.1:{port}"], [floor.pid]), creds, n,
                                               args.window, args.connect_rate)))
                finally:
                    _stop(floor)
            for n in two:
                servers = [start_silta(url, env=env, redis_url=redis.url) for _ in range(2)]
                try:
                    target = Target("silta x2", [s.url for s in servers], [s.pid for s in servers])
                    _print(asyncio.run(measure(target, creds, n, args.window, args.connect_rate)))
                finally:
                    for server in servers:
                        server.stop()
        finally:
            postgres.stop()
            if redis is not None:
                redis.stop()


if __name__ == "__main__":
    main()
