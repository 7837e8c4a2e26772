"""Silta as a county deploys it, started from deploy/ and exercised over HTTPS through nginx.

One module-scoped installation (the CI budget): PostgreSQL and Redis, coturn, `silta prepare`, TWO web
processes (`silta serve`, instances of deploy/silta-web@.service), `silta worker` and `silta bot`, and
nginx with deploy/nginx-silta.conf and a self-signed certificate. The commands come from the units'
ExecStart lines and the settings from deploy/silta.env (with the test's addresses), so the files cannot
drift from what is tested.

Chromium ignores loopback for ICE (tests/support/netns.py): the server side and the worker's Chromium
run in one network namespace, the client's Chromium in another, joined by a veth pair. PostgreSQL is
reached over its unix socket (a path, so from both namespaces and from this process); the test process
reaches the namespace's TCP services by running its probes inside it.

The figures the issue asks for are printed (run with -s): start-up of `silta serve`, the idle memory of
each process kind, backup and restore time of the demo database.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from tests.browser.test_video_call import STATS_JS
from tests.conftest import make_app
from tests.support import browsers as shared_browsers
from tests.support import netns
from tests.support.deployed import env_template, nginx_command, unit_command
from tests.support.rtc import Server, _healthz_probe, _spawn, _wait, start_coturn
from tests.support.services import (
    ServiceUnavailable,
    _running,
    free_port,
    pg_bindir,
    require_or_skip,
)

pytestmark = [pytest.mark.deploy, pytest.mark.browser, pytest.mark.rtc, pytest.mark.postgres, pytest.mark.redis]

SECRET = "topology-test-secret-key-that-is-long-enough-0123456789"
WORKER_EMAIL = "sanna.virtanen@silta.example"
CLIENT_EMAIL = "asiakas.aino@silta.example"
CLIENT_NAME = "Aino M."
TIMEOUT_MS = 30_000
FIGURES: dict[str, str] = {}


# --------------------------------------------------------------------------------------------------------
# deploy/ as the source of commands and settings


# --------------------------------------------------------------------------------------------------------
# processes


@dataclass
class Installation:
    link: netns.Link
    base_url: str
    database_url: str
    env: dict[str, str]
    web: dict[str, Server]
    ports: dict[str, int]
    directory: Path
    postgres: object
    others: list[Server] = field(default_factory=list)
    pages: dict = field(default_factory=dict)
    reminder_appointment: int = 0
    invite_token: str = ""

    def run_inside(self, code: str) -> str:
        """Python code run inside the server namespace (where 127.0.0.1 is the installation's)."""
        done = subprocess.run([*self.link.near.exec_prefix, sys.executable, "-c", code], capture_output=True,
                              text=True, timeout=30)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    def metrics(self, name: str) -> dict[str, float]:
        """A metric's value summed over its samples, per web process that answers."""
        values = {}
        for key, server in self.web.items():
            if not server.alive():
                continue
            body = self.run_inside("import urllib.request; print(urllib.request.urlopen("
                                   f"'http://127.0.0.1:{server.port}/metrics', timeout=5).read().decode())")
            values[key] = sum(float(m.group(1)) for m in re.finditer(rf"^{name}(?:{{[^}}]*}})? (\S+)$", body, re.M))
        return values


def _start(name: str, command: list[str], env: dict[str, str], link: netns.Link, directory: Path,
           probe=None, timeout: float = 60) -> Server:
    started = time.monotonic()
    log_path = directory / f"{name}.log"
    proc = _spawn([*link.near.exec_prefix, *command], env, log_path, directory)
    server = Server(host="127.0.0.1", port=0, pid=proc.pid, log_path=log_path, _proc=proc)
    _running.append(server)
    if probe is None:
        server.startup_seconds = started  # the spawn moment; the caller waits and takes the difference
        return server
    try:
        _wait(name, server, probe, timeout)
    except BaseException:
        server.stop()
        raise
    server.startup_seconds = time.monotonic() - started
    return server


def _redis(link: netns.Link, directory: Path, port: int) -> Server:
    import shutil

    exe = shutil.which("redis-server")
    if not exe:
        raise ServiceUnavailable("redis-server not found (Debian: apt-get install redis-server)")
    command = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--daemonize", "no", "--dir", str(directory)]
    return _start("redis", command, {"PATH": os.environ["PATH"]}, link, directory,
                  lambda: "Ready to accept connections" in (directory / "redis.log").read_text(errors="replace"))


def _nginx(link: netns.Link, directory: Path, ports: dict[str, int]) -> Server:
    command = nginx_command(directory / "nginx", [ports["web1"], ports["web2"]], link.near.address)
    code = ("import ssl, sys, urllib.request\n"
            "url = 'https://127.0.0.1/healthz'\n"
            "sys.exit(0 if urllib.request.urlopen(url, context=ssl._create_unverified_context(), timeout=2).status"
            " == 200 else 1)")

    def probe() -> bool:
        done = subprocess.run([*link.near.exec_prefix, sys.executable, "-c", code], capture_output=True, timeout=10)
        return done.returncode == 0

    return _start("nginx", command, {"PATH": os.environ["PATH"]}, link, directory, probe)


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (a gunicorn master and worker, the bot's workers)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, AttributeError):
            continue
        stack.extend(int(child) for child in children)
    return total / 1024


def _kill_group(server: Server) -> None:
    """A crash: SIGKILL to the process and everything it started (its own session)."""
    os.killpg(server.pid, signal.SIGKILL)
    server._proc.wait(10)


# --------------------------------------------------------------------------------------------------------
# data the test needs beside the demo


def _prepare_data(database_url: str) -> tuple[int, str]:
    """An appointment whose reminder is due now (booked two hours ago), and an invite for Aino to a video
    meeting with her worker."""
    from portal.auth.models import User
    from portal.people.models import Client, ContactChannel
    from portal.programmes.models import Enrolment
    from portal.scheduling.rules import BookingError
    from portal.video import operations as video

    app = make_app(database_url, SECRET_KEY=SECRET)
    with app.app_context():
        worker = db.session.scalar(select(User).where(User.email == WORKER_EMAIL))
        aino = db.session.scalar(select(User).where(User.email == CLIENT_EMAIL))
        enrolment = db.session.scalar(select(Enrolment).join(Client).where(
            Client.user_id == aino.id, Enrolment.coordinator_id == worker.id))
        try:
            room = video.open_room_for_appointment(db.session, video.book_now(worker, enrolment, utcnow()), worker)
        except BookingError:
            db.session.rollback()
            room = video.open_adhoc_room(db.session, enrolment, worker)
        from portal.video.models import ParticipantRole

        _invite, token = video.create_invite(db.session, room, worker, name=CLIENT_NAME, role=ParticipantRole.CLIENT,
                                             hours=2)
        db.session.commit()
        appointment = None
        for other in db.session.scalars(select(Enrolment).where(Enrolment.coordinator_id != worker.id)).all():
            for minutes in (30, 40, 50):
                try:
                    appointment = video.book_now(other.coordinator, other, utcnow() + timedelta(minutes=minutes))
                    break
                except BookingError:
                    db.session.rollback()
            if appointment is not None:
                client = other.client
                client.preferred_channel, client.email = ContactChannel.EMAIL, client.email or "asiakas@example.fi"
                break
        assert appointment is not None, "no demo worker was free for the reminder's appointment"
        appointment.created_at = utcnow() - timedelta(hours=2)  # booked earlier: its 60-minute reminder is due
        db.session.commit()
        appointment_id = appointment.id
        db.session.remove()
        db.engine.dispose()
    return appointment_id, token


# --------------------------------------------------------------------------------------------------------
# the installation


@pytest.fixture(scope="module")
def installation(postgres_server, tmp_path_factory):
    from tests.browser.conftest import CHROMIUM

    if not CHROMIUM.exists() or not Path("/usr/sbin/nginx").exists():
        require_or_skip(ServiceUnavailable("chromium and nginx are needed (Debian packages chromium, nginx)"))
    try:
        link = netns.create_link("d")
    except ServiceUnavailable as exc:
        require_or_skip(exc)
    directory = tmp_path_factory.mktemp("topology")
    directory.chmod(0o755)
    started: list[Server] = []
    browsers = []
    try:
        postgres_server.create_database("topology")
        database_url = (f"postgresql+psycopg://silta@/topology?host={postgres_server.run_dir}"
                        f"&port={postgres_server.port}")
        ports = {name: free_port() for name in ("web1", "web2", "redis")}
        started.append(_redis(link, directory, ports["redis"]))
        turn = start_coturn(host=link.near.address, secret=SECRET, wrap=link.near.exec_prefix)
        started.append(turn)
        base_url = f"https://{link.near.address}"
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PORTAL_", "SILTA_"))}
        env.update(env_template())
        env.update({
            "PORTAL_SECRET_KEY": SECRET, "PORTAL_IDENTITY_HASH_KEY": "topology-identity-hash-key",
            "PORTAL_DATABASE_URL": database_url, "PORTAL_REDIS_URL": f"redis://127.0.0.1:{ports['redis']}/0",
            "PORTAL_INSTANCE_PATH": str(directory / "instance"), "PORTAL_PUBLIC_BASE_URL": base_url,
            "PORTAL_RTC_BOT_SERVER": f"http://127.0.0.1:{ports['web1']}",
            "PORTAL_TURN_URLS": f"turn:{link.near.address}:{turn.port}?transport=udp", "PORTAL_TURN_SECRET": SECRET,
            "PORTAL_STUN_URLS": "", "PORTAL_EMAIL_BACKEND": "local", "PORTAL_SMS_BACKEND": "local",
            "PORTAL_STAFF_TOTP_REQUIRED": "false",  # the demo staff have no authenticator
            "PORTAL_SERVE_GRACEFUL_TIMEOUT": "2", "PORTAL_PG_BIN_DIR": str(pg_bindir()), "PYTHONUNBUFFERED": "1",
        })
        # The deploy step. The demo county is never seeded in production, so this one run is a development one.
        began = time.monotonic()
        _run(unit_command("silta-web@.service")[0], "prepare", "--seed-demo", env={**env, "PORTAL_ENV": "development"})
        FIGURES["silta prepare --seed-demo on an empty database"] = f"{time.monotonic() - began:.1f} s"
        reminder_appointment, token = _prepare_data(database_url)

        # Everything at once, as systemd would start the units; then wait for each web process.
        web = {}
        for key in ("web1", "web2"):
            web[key] = _start(key, unit_command("silta-web@.service", str(ports[key])), env, link, directory)
            web[key].port = ports[key]
            started.append(web[key])
        worker = _start("worker", unit_command("silta-worker.service"), env, link, directory)
        bot = _start("bot", unit_command("silta-bot.service"), env, link, directory)
        started += [worker, bot]
        for key, server in web.items():
            _wait(key, server, _healthz_probe(f"http://127.0.0.1:{ports[key]}/healthz", tuple(link.near.exec_prefix)),
                  90)
            server.startup_seconds = time.monotonic() - server.startup_seconds
        FIGURES["silta serve start-up (spawn to /healthz 200; both started together)"] = ", ".join(
            f"{server.startup_seconds:.1f} s" for server in web.values())
        started.append(_nginx(link, directory, ports))
        inst = Installation(link=link, base_url=base_url, database_url=database_url, env=env, web=web, ports=ports,
                            directory=directory, postgres=postgres_server, others=started,
                            reminder_appointment=reminder_appointment, invite_token=token)
        _wait_for(lambda: sum(inst.metrics("silta_echo_bots").values()) >= 1, 60, "the echo bot connects")
        time.sleep(2)  # idle: everything has started and nothing is asked of it
        FIGURES["idle RSS, MB"] = (f"web {_rss_mb(web['web1'].pid):.0f} + {_rss_mb(web['web2'].pid):.0f}, "
                                   f"worker {_rss_mb(worker.pid):.0f}, bot {_rss_mb(bot.pid):.0f} (supervisor and "
                                   "its worker)")

        playwright = shared_browsers.playwright()
        from tests.browser.conftest import CHROMIUM_ARGS
        from tests.browser.test_video_call import MEDIA_FLAGS

        for ns in (link.near, link.far):
            browser = playwright.chromium.launch(executable_path=str(link.chromium_wrapper(ns)),
                                                 args=[*CHROMIUM_ARGS, *MEDIA_FLAGS, "--ignore-certificate-errors"])
            browsers.append(browser)
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fi-FI",
                                          ignore_https_errors=True)
            context.set_default_timeout(TIMEOUT_MS)
            inst.pages["worker" if ns is link.near else "client"] = context.new_page()
        yield inst
    finally:
        for browser in browsers:
            browser.close()
        for server in reversed(started):
            server.stop()
        link.delete()
        for name, value in FIGURES.items():
            print(f"topology figure: {name}: {value}")


def _run(*args: str, env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{args[1]}: {done.stdout[-1000:]}{done.stderr[-2000:]}"


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {seconds:.0f} s", pytrace=False)
        time.sleep(0.5)


def _decoding(page, more_than: int = 0) -> bool:
    from tests.browser.test_video_call import DECODING_JS

    return bool(page.evaluate(DECODING_JS, more_than))


def _frames(page) -> int:
    return min((p["framesDecoded"] for p in page.evaluate(STATS_JS).values()), default=0)


def _media_flows(page, within: float) -> bool:
    """Frames keep being decoded from every peer with ICE connected: +15 in 2 s (a counter that restarts
    with a rebuilt peer connection just fails one sample)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        base = _frames(page)
        time.sleep(2)
        if _decoding(page, base + 15):
            return True
    return False


def _call_connections(inst: Installation) -> dict[str, float]:
    return inst.metrics("silta_call_connections")


# --------------------------------------------------------------------------------------------------------


def test_sign_in_and_a_call_whose_browsers_are_served_by_different_web_processes(installation):
    from tests.browser.conftest import sign_in

    worker, client = installation.pages["worker"], installation.pages["client"]
    sign_in(worker, installation.base_url, WORKER_EMAIL)
    assert worker.evaluate("location.protocol") == "https:"
    client.goto(f"{installation.base_url}/video/i/{installation.invite_token}")
    client.wait_for_selector("body[data-stage=check]", state="attached")
    # The pre-call test: `silta bot` (connected to the first process) echoes the client's media, whichever
    # process the client's signaling reached.
    client.wait_for_selector("#network-status[data-verdict]", state="attached", timeout=45_000)
    assert client.get_attribute("#network-status", "data-verdict") == "video", client.inner_text("#network-status")
    client.click("#join-button")
    client.wait_for_selector("body[data-stage=wait]", state="attached")
    worker.locator("#rtc-lobby").wait_for(state="visible")
    with worker.expect_navigation():
        worker.click("#rtc-lobby .rtc-lobby__open")
    worker.wait_for_selector("body[data-stage=check]", state="attached")
    worker.click("#join-button")
    worker.wait_for_selector("body[data-stage=call]", state="attached")
    worker.locator(f"#waiting-list li:has-text('{CLIENT_NAME}') [data-action=admit]").click()
    client.wait_for_selector("body[data-stage=call]", state="attached")
    _wait_for(lambda: _decoding(client) and _decoding(worker), 30, "both browsers decode video")

    # nginx spreads connections over the two processes; a reload reconnects the client through it
    # until the two browsers' signaling lives on different processes.
    for _attempt in range(8):
        connections = _call_connections(installation)
        if sorted(connections.values()) == [1, 1]:
            break
        client.reload()
        client.wait_for_selector("body[data-stage=call]", state="attached")
        _wait_for(lambda: _decoding(client) and _decoding(worker), 30, "video again after a reload")
    assert sorted(connections.values()) == [1, 1], connections
    # /metrics: the live call is counted (by each process that has someone in it).
    assert sum(installation.metrics("silta_live_calls").values()) >= 1


def test_headers_and_access_logs_give_nothing_away(installation):
    """No version banner, HSTS over https, and the invite's token (opened above) in no access log."""
    headers = installation.run_inside(
        "import ssl, urllib.request; r = urllib.request.urlopen('https://127.0.0.1/login', "
        "context=ssl._create_unverified_context(), timeout=10); print(dict(r.headers))")
    assert "'Server': 'nginx'" in headers and "max-age=63072000" in headers, headers
    directory = installation.directory
    logs = {path.name: path.read_text(errors="replace") for path in
            [directory / "web1.log", directory / "web2.log", directory / "nginx" / "silta.access.log"]}
    assert any("/video/i/***" in text for text in logs.values()), "the invite's request is not in any log"
    for name, text in logs.items():
        assert installation.invite_token not in text, f"{name} carries the invite token"
        assert "?" not in "".join(line for line in text.splitlines() if '"GET ' in line), f"{name}: a query string"


def test_silta_check_passes_on_the_running_installation(installation):
    silta = unit_command("silta-worker.service")[0]
    done = subprocess.run([*installation.link.near.exec_prefix, silta, "check"], env=installation.env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    for name in ("application", "database", "redis", "turn"):
        assert f"ok   {name}:" in done.stdout, done.stdout


def test_a_reminder_is_delivered_by_the_worker(installation):
    from portal.notifications.models import OutboxMessage, OutboxStatus

    app = make_app(installation.database_url, SECRET_KEY=SECRET)

    def delivered() -> bool:
        with app.app_context():
            try:
                return db.session.scalar(select(OutboxMessage.status).where(
                    OutboxMessage.appointment_id == installation.reminder_appointment)) is OutboxStatus.SENT
            finally:
                db.session.remove()

    _wait_for(delivered, 90, "the worker delivers the due reminder to the local outbox")
    with app.app_context():
        db.engine.dispose()


def test_killing_a_web_process_mid_call_the_call_recovers_on_the_other(installation):
    worker, client = installation.pages["worker"], installation.pages["client"]
    before = _call_connections(installation)
    victim = next(key for key, value in before.items() if value >= 1)
    survivor = "web2" if victim == "web1" else "web1"
    _kill_group(installation.web[victim])
    # The browser whose signaling died reconnects through nginx to the other process and rejoins.
    _wait_for(lambda: installation.metrics("silta_call_connections").get(survivor) == 2, 60,
              "both call connections on the surviving process")
    # Media flows both ways (through the same peer connections, or new ones if the rejoin rebuilt them).
    for name, page in (("client", client), ("worker", worker)):
        assert _media_flows(page, 45), f"no video at the {name} after the kill: {page.evaluate(STATS_JS)}"
    assert "Kirjaudu" in installation.run_inside(  # pages still come through nginx
        "import ssl, urllib.request; print(urllib.request.urlopen('https://127.0.0.1/login', "
        "context=ssl._create_unverified_context(), timeout=10).read().decode())")


def test_backup_then_restore_into_a_fresh_database_keeps_the_audit_trail_and_messages(installation):
    silta = unit_command("silta-worker.service")[0]
    tables = ("audit_records", "messages")
    query = "SELECT count(*) FROM {table} WHERE id <= %s"
    with installation.postgres.connect("topology") as connection:  # the live one: it keeps growing
        upto = {table: connection.execute(f"SELECT max(id) FROM {table}").fetchone()[0] for table in tables}
        before = {table: connection.execute(query.format(table=table), (upto[table],)).fetchone()[0]
                  for table in tables}
    assert before["audit_records"] > 0 and before["messages"] > 0
    dump = installation.directory / "backups"
    dump.mkdir()
    started = time.monotonic()
    _run(silta, "backup", str(dump), env=installation.env)
    backup_seconds = time.monotonic() - started
    (backup,) = dump.glob("silta-*.dump")
    installation.postgres.create_database("restored")
    restored_url = installation.database_url.replace("/topology?", "/restored?")
    started = time.monotonic()
    _run(silta, "restore", str(backup), "--database-url", restored_url, env=installation.env)
    FIGURES["backup / restore of the demo database"] = (f"{backup_seconds:.1f} s / {time.monotonic() - started:.1f} s,"
                                                        f" {backup.stat().st_size / 1e6:.1f} MB")
    with installation.postgres.connect("restored") as connection:
        after = {table: connection.execute(query.format(table=table), (upto[table],)).fetchone()[0]
                 for table in tables}
    assert after == before  # every audit record and message up to the backup, none lost
