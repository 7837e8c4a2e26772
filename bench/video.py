"""How close to the floor is a Silta video call's setup? ``python -m bench.video``

Starts a real Silta web process (tests/support/rtc.py) on a fresh migrated SQLite file with a worker,
a client with a login, and one ad-hoc room per run with auto-admit on. The worker and the client sign
in through the real login form (``requests``, CSRF token and all) and open the room page, from which
each takes its ticket, as the browser page does. Then, RUNS times after one warm-up:

(a) **Silta path**: both aiortc peers (rtc/peer.py) fetch ICE servers and connect Socket.IO (untimed,
    as the page does before joining); the worker joins; the clock starts when the client emits
    ``join`` (waiting room with auto-admit, ``peer-joined`` → offer → answer through the server, ICE,
    DTLS) and stops when **both** have decoded a remote video frame;
(b) **floor**: the same two peers' media in one process, SDP handed over directly (no server), from
    creating the peer connections until both have decoded a remote frame.

It prints the medians, the 90th percentiles and the ratio against the 1.3 target. Then **echo-bot
cost**: a bot worker (``python -m rtc.bots``) serves TESTERS aiortc testers sending 640×480 at 15 fps
for WINDOW seconds; its CPU time (/proc/<pid>/stat) per session-second gives sessions per core.
The testers run in this process, on the same two cores: the figures are for a shared machine.
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import requests
from aiortc import RTCConfiguration, RTCPeerConnection

from portal.auth.models import AccountKind, Role, User, UserRole
from portal.auth.passwords import hash_password
from portal.extensions import db
from portal.people.models import Client, ClientLanguage, Gender, Municipality, OrgUnit, UnitMembership
from portal.programmes import registry
from portal.programmes.models import Enrolment
from portal.video import operations
from portal.video.tickets import bot_token
from rtc.media import FrameSink, SyntheticVideoTrack
from rtc.peer import Peer
from tests.conftest import make_app, migrate_and_sync
from tests.support.rtc import SILTA_SECRET, start_echo_bot, start_silta

RUNS = 20
TARGET_RATIO = 1.3
TESTERS = 3
WINDOW = 10.0  # seconds of echo traffic measured
PASSWORD = "bench horse battery staple"
TIMEOUT = 20.0


def main() -> None:
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="silta-bench-video-") as scratch:
        url = f"sqlite:///{Path(scratch) / 'silta.sqlite3'}"
        migrate_and_sync(make_app(url, SECRET_KEY=SILTA_SECRET))
        app = make_app(url, SECRET_KEY=SILTA_SECRET)
        with app.app_context():
            worker, client, rooms = _people_and_rooms(RUNS + 1)
            token = bot_token()
            db.session.remove()
        server = start_silta(url, env={"PORTAL_RTC_ECHO_LIMIT_SECONDS": "120"})
        try:
            print(f"Silta web process up in {server.startup_seconds:.1f} s; {RUNS} runs each after one warm-up")
            silta, pages = asyncio.run(_silta_runs(server.url, worker, client, rooms))
            floor = asyncio.run(_floor_runs(RUNS + 1))[1:]
            _report("Silta path (join → both decoded a remote frame)", silta)
            _report("floor (direct SDP, same process)", floor)
            ratio = statistics.median(silta) / statistics.median(floor)
            verdict = "meets" if ratio <= TARGET_RATIO else "misses"
            print(f"ratio of medians {ratio:.2f} — {verdict} the {TARGET_RATIO} target")
            print(f"(untimed before join: room page {statistics.median(pages[0]) * 1000:.0f} ms, ICE fetch + "
                  f"Socket.IO connect {statistics.median(pages[1]) * 1000:.0f} ms, medians)")
            _bot_cost(server.url, token, app)
        finally:
            server.stop()
    print(f"total {time.perf_counter() - began:.1f} s; Silta and the bot stopped")
    from bench.video_browsers import section  # headless Chromium ↔ Chromium in namespaces; says why when skipped

    section()


# --------------------------------------------------------------------------
# data


def _people_and_rooms(count: int) -> tuple[str, str, list[str]]:
    """A worker and a client (both can sign in), an enrolment, and ``count`` auto-admit rooms."""
    from portal.programmes.operations import sync_programmes

    sync_programmes(registry.loaded())
    town = db.session.get(Municipality, "091") or Municipality(code="091", name_fi="Helsinki", name_sv="Helsingfors")
    unit = OrgUnit(code="bench", name_fi="Yksikkö", name_sv="Enhet", name_en="Unit", county="Helsinki",
                   municipalities=[town])
    secret = hash_password(PASSWORD)
    worker = User(kind=AccountKind.STAFF, email="bench.worker@example.test", display_name="Bench Worker",
                  title="sosiaaliohjaaja", locale="fi", password_hash=secret, roles=[UserRole(role=Role.WORKER)])
    user = User(kind=AccountKind.CLIENT, email="bench.client@example.test", display_name="Bench Client",
                password_hash=secret)
    client = Client(user=user, first_name="Asiakas", last_name="Penkki", birth_year=1980, gender=Gender.FEMALE,
                    municipality_code="091", language=ClientLanguage.FI, phone="+358401234567")
    definition = registry.definition("remote-guidance")
    enrolment = Enrolment(client=client, programme_code="remote-guidance", unit=unit, start_on=date(2026, 1, 5),
                          phase=definition.first_phase, coordinator=worker)
    db.session.add_all([town, unit, worker, user, client, enrolment, UnitMembership(unit=unit, user=worker)])
    db.session.flush()
    keys = []
    for _ in range(count):
        room = operations.open_adhoc_room(db.session, enrolment, worker)
        room.auto_admit = True
        keys.append(room.key)
    db.session.commit()
    return worker.email, user.email, keys


def _login(base: str, email: str) -> requests.Session:
    """Sign in through the real form (CSRF token from the page), as a browser does."""
    http = requests.Session()
    page = http.get(f"{base}/login", timeout=10).text
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    response = http.post(f"{base}/login", data={"email": email, "password": PASSWORD,
                                                "csrf_token": csrf.group(1) if csrf else ""},
                         allow_redirects=False, timeout=10)
    if response.status_code != 302:
        raise SystemExit(f"login as {email} failed: HTTP {response.status_code}")
    return http


def _ticket(http: requests.Session, base: str, key: str) -> str:
    page = http.get(f"{base}/video/r/{key}", timeout=10)
    page.raise_for_status()
    found = re.search(r'<script type="application/json" id="call-config">(.*?)</script>', page.text, re.S)
    return json.loads(found.group(1))["ticket"]


# --------------------------------------------------------------------------
# (a) through Silta, (b) the floor


async def _silta_runs(base: str, worker: str, client: str, rooms: list[str]):
    sessions = await asyncio.gather(asyncio.to_thread(_login, base, worker), asyncio.to_thread(_login, base, client))
    times, page_times, start_times, steps = [], [], [], []
    for key in rooms:
        started = time.monotonic()
        tickets = await asyncio.gather(*(asyncio.to_thread(_ticket, s, base, key) for s in sessions))
        page_times.append((time.monotonic() - started) / 2)
        host, guest = Peer(base, tickets[0], label="worker"), Peer(base, tickets[1], label="client")
        try:
            started = time.monotonic()
            await asyncio.gather(host.start(), guest.start())
            start_times.append(time.monotonic() - started)
            await host.join()
            await asyncio.wait_for(host.joined.wait(), TIMEOUT)
            await guest.join()
            await asyncio.wait_for(asyncio.gather(host.first_frame.wait(), guest.first_frame.wait()), TIMEOUT)
            times.append(max(host.times["first_frame"], guest.times["first_frame"]) - guest.times["join_sent"])
            steps.append(_steps(host.times, guest.times))
        finally:
            await asyncio.gather(host.close(), guest.close())
    for name in steps[0]:
        print(f"  {name}: median {statistics.median(s[name] for s in steps[1:]) * 1000:.0f} ms after join")
    return times[1:], (page_times[1:], start_times[1:])


def _steps(host: dict, guest: dict) -> dict[str, float]:
    """Where the time goes, from the client's ``join`` (monotonic clocks of one process)."""
    t0 = guest["join_sent"]
    marks = [("client joined", guest, "joined"), ("worker heard peer-joined", host, "peer_joined"),
             ("worker sent offer (gathered)", host, "offer_sent"), ("client got offer", guest, "offer_received"),
             ("client sent answer", guest, "answer_sent"), ("worker got answer", host, "answer_received"),
             ("ICE connected", host, "ice_connected"), ("worker's first frame", host, "first_frame"),
             ("client's first frame", guest, "first_frame")]
    return {name: times[key] - t0 for name, times, key in marks}


async def _floor_runs(count: int) -> list[float]:
    return [await _floor_once() for _ in range(count)]


async def _floor_once() -> float:
    started = time.monotonic()
    pcs = [RTCPeerConnection(RTCConfiguration(iceServers=[])) for _ in range(2)]
    tracks, sinks = [SyntheticVideoTrack() for _ in pcs], []
    try:
        for pc, track in zip(pcs, tracks, strict=True):
            pc.addTrack(track)
            pc.on("track", lambda t: sinks.append(FrameSink(t)))
        offerer, answerer = pcs
        await offerer.setLocalDescription(await offerer.createOffer())
        await answerer.setRemoteDescription(offerer.localDescription)
        await answerer.setLocalDescription(await answerer.createAnswer())
        await offerer.setRemoteDescription(answerer.localDescription)
        while len(sinks) < 2:
            await asyncio.sleep(0.001)
        await asyncio.wait_for(asyncio.gather(*(s.first for s in sinks)), TIMEOUT)
        return max(s.first_at for s in sinks) - started
    finally:
        for sink in sinks:
            await sink.stop()
        for pc, track in zip(pcs, tracks, strict=True):
            track.stop()
            await pc.close()


def _report(label: str, values: list[float]) -> None:
    ordered = sorted(values)
    p90 = ordered[max(0, int(len(ordered) * 0.9) - 1)]
    print(f"{label}: median {statistics.median(values) * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms (n={len(values)})")


# --------------------------------------------------------------------------
# echo-bot cost


def _cpu_seconds(pid: int) -> float:
    import os

    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def _bot_cost(base: str, token: str, app) -> None:
    bot = start_echo_bot(base, token, "--sessions", str(TESTERS))
    try:
        pid = int(re.search(r"echo bot: connected \(pid (\d+)", bot.log()).group(1))
        with app.app_context():
            tickets = []
            for n in range(TESTERS):
                room, tester = operations.open_echo_room(db.session, name=f"Bench tester {n}")
                from portal.video.tickets import participant_ticket

                tickets.append(participant_ticket(tester))
            db.session.commit()
            db.session.remove()
        frames, cpu = asyncio.run(_echo_sessions(base, tickets, pid))
        share = cpu / (TESTERS * WINDOW)
        print(f"echo bot: {TESTERS} sessions of 640×480@15 for {WINDOW:.0f} s: {cpu:.2f} CPU s in the bot worker "
              f"= {share * 100:.1f} % of a core per session → ~{1 / share:.0f} sessions per core "
              f"(testers received {frames / (TESTERS * WINDOW):.1f} echoed frames/s each; worker resident "
              f"{_rss_mb(pid):.0f} MiB)")
    finally:
        bot.stop()


async def _echo_sessions(base: str, tickets: list[str], pid: int) -> tuple[int, float]:
    peers = [Peer(base, ticket, label=f"tester{n}") for n, ticket in enumerate(tickets)]
    try:
        for peer in peers:
            await peer.start()
            await peer.join()
        await asyncio.wait_for(asyncio.gather(*(p.first_frame.wait() for p in peers)), TIMEOUT)
        await asyncio.sleep(1.0)  # past the first keyframes
        frames_before, cpu_before = sum(p.frames_received() for p in peers), _cpu_seconds(pid)
        await asyncio.sleep(WINDOW)
        return sum(p.frames_received() for p in peers) - frames_before, _cpu_seconds(pid) - cpu_before
    finally:
        await asyncio.gather(*(p.close() for p in peers))


if __name__ == "__main__":
    main()
