"""Real processes for the video tests: Silta's web process (HTTP + Socket.IO) and a coturn TURN server.

Both are direct children of the test run, started on free ports, with their output in a temporary
log file, and ended by pid (``stop()``: SIGTERM, a wait, SIGKILL). The ``atexit`` net of
``services.py`` stops whatever a session left running.

``wrap`` is a command prefix (``["ip", "netns", "exec", "silta-t1"]``) that runs the process inside
a network namespace; the readiness probe then runs inside the same namespace, because the test
process cannot reach an address that exists only there.

Typical use::

    server = start_silta(f"sqlite:///{path}", bots=1)
    try:
        requests.get(f"{server.url}/healthz")
    finally:
        server.stop()
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .services import STOP_TIMEOUT, ServiceUnavailable, _log_tail, _running, free_port

ROOT = Path(__file__).resolve().parents[2]
SILTA_SECRET = "rtc-test-secret-key-that-is-long-enough-0123456789"  # tests only; matches no deployment
SILTA_START_TIMEOUT = 60.0  # seconds: the web process compiles catalogs and migrates before it listens
COTURN_START_TIMEOUT = 10.0


@dataclass(eq=False)
class Server:
    """A running child process that listens on ``host:port``; ``stop()`` ends it by pid. Idempotent."""

    host: str
    port: int
    pid: int
    log_path: Path
    run_dir: Path | None = None  # removed by stop()
    startup_seconds: float = 0.0
    _proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def log(self) -> str:
        """The end of the process's log, for assertion messages."""
        return _log_tail(self.log_path)

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> None:
        if self._proc is not None:
            _end_group(self._proc)
            self._proc = None
        if self.run_dir is not None:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        if self in _running:
            _running.remove(self)


Service = Server  # coturn: the same handle (``.port``, ``.pid``, ``.stop()``)


def _end_group(proc: subprocess.Popen) -> None:
    """SIGTERM to our child by pid, wait, SIGKILL; then the same for its own children (the echo bot).

    The child was started in a new session, so its process group id is its pid: the group holds only
    what this child started, nothing else on the machine.
    """
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.3)


def _spawn(args: list[str], env: dict[str, str], log_path: Path, cwd: Path) -> subprocess.Popen:
    with open(log_path, "ab") as log:
        return subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                env=env, cwd=cwd, start_new_session=True)


def _wait(name: str, server: Server, probe, timeout: float) -> None:
    """Call ``probe()`` until it returns True; RuntimeError with the log if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        proc = server._proc
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with code {proc.returncode} before it was ready; "
                               f"log {server.log_path}:\n{server.log()}")
        if probe():
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} (pid {proc.pid}) was not ready within {timeout:.0f} s; "
                               f"log {server.log_path}:\n{server.log()}")
        time.sleep(0.1)


def _healthz_probe(url: str, wrap: tuple[str, ...]):
    if wrap:
        code = ("import sys, urllib.request\n"
                f"sys.exit(0 if urllib.request.urlopen({url!r}, timeout=2).status == 200 else 1)")

        def probe() -> bool:
            done = subprocess.run([*wrap, sys.executable, "-c", code], capture_output=True, timeout=10)
            return done.returncode == 0

        return probe

    def probe() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    return probe


# --------------------------------------------------------------------------
# Silta's web process


# The production server as `silta serve` runs it (portal/serving.py: gunicorn, gevent workers), after the
# deploy step in a process of its own (migrations, programmes, the demo when asked), with the echo bot
# service beside it as production runs it. The master never imports the app (see portal/serving.py).
_PRODUCTION = """
import os, subprocess, sys
host, port, workers, bots = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
subprocess.run([sys.executable, "-c", "from portal.cli import start_app, prepare_database; "
                "prepare_database(start_app('Silta'))"], check=True)
if bots:
    from itsdangerous import URLSafeTimedSerializer  # portal.video.tickets.bot_token, without importing the app
    token = URLSafeTimedSerializer(os.environ["PORTAL_SECRET_KEY"], salt="silta-rtc-bot").dumps({"bot": "echo"})
    subprocess.Popen([sys.executable, "-m", "rtc.bots", "--workers", str(bots)],
                     env={**os.environ, "SILTA_RTC_SERVER": f"http://{host}:{port}", "SILTA_BOT_TOKEN": token,
                          "SILTA_BOT_SESSIONS": os.environ.get("PORTAL_RTC_BOT_SESSIONS", "5")})
from portal.serving import serve
serve([f"{host}:{port}"], workers)
"""


def start_silta(database_url: str, *, env: dict[str, str] | None = None, wrap=(), redis_url: str | None = None,
                bots: int = 0, seed_demo: bool = False, host: str = "127.0.0.1", port: int | None = None,
                embedded: bool = False, workers: int = 1) -> Server:
    """Start Silta's production server (HTTP + Socket.IO under gunicorn's gevent worker; ``embedded=True``:
    ``python -m portal``, threading Werkzeug), the echo bot when ``bots``, and wait for /healthz.

    The process shares ``database_url`` with the test (a migrated SQLite file or PostgreSQL database),
    signs tickets with ``SILTA_SECRET`` and keeps its instance files in a temporary directory.
    """
    started = time.monotonic()
    run_dir = Path(tempfile.mkdtemp(prefix="silta-web-"))
    port = port or free_port()
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    child_env.update({
        "PORTAL_DATABASE_URL": database_url, "PORTAL_HOST": host, "PORTAL_PORT": str(port),
        "PORTAL_SECRET_KEY": SILTA_SECRET, "PORTAL_INSTANCE_PATH": str(run_dir),
        "PORTAL_SEED_DEMO_ON_START": "true" if seed_demo else "false", "PORTAL_JOBS_ENABLED": "false",
        "PORTAL_RTC_BOTS": str(int(bots)), "PYTHONUNBUFFERED": "1",
        "PORTAL_SERVE_GRACEFUL_TIMEOUT": "2",  # open websockets must not hold a test's teardown for 30 s
    })
    if redis_url:
        child_env["PORTAL_REDIS_URL"] = redis_url
    child_env.update(env or {})
    log_path = run_dir / "silta.log"
    command = ["-m", "portal"] if embedded else ["-c", _PRODUCTION, host, str(port), str(workers), str(int(bots))]
    proc = _spawn([*wrap, sys.executable, *command], child_env, log_path, ROOT)
    server = Server(host=host, port=port, pid=proc.pid, log_path=log_path, run_dir=run_dir, _proc=proc)
    _running.append(server)
    try:
        _wait("silta", server, _healthz_probe(f"{server.url}/healthz", tuple(wrap)), SILTA_START_TIMEOUT)
    except BaseException:
        # Keep the log for the error message above; the directory goes with it.
        server.stop()
        raise
    server.startup_seconds = time.monotonic() - started
    return server


# --------------------------------------------------------------------------
# coturn


def start_coturn(*, host: str = "127.0.0.1", secret: str, wrap=(), realm: str = "silta.test") -> Server:
    """Debian's ``turnserver`` with coturn's REST shared secret, UDP/TCP on a free port, no TLS.

    ``--allow-loopback-peers`` is for tests only: here the relay address and the peers are on this
    machine's own addresses. Never in production. Raises ServiceUnavailable without the binary.
    """
    exe = shutil.which("turnserver") or ("/usr/bin/turnserver" if os.access("/usr/bin/turnserver", os.X_OK) else None)
    if not exe:
        raise ServiceUnavailable("turnserver not found (Debian: apt-get install coturn)")
    started = time.monotonic()
    run_dir = Path(tempfile.mkdtemp(prefix="silta-turn-"))
    port, relay_low = free_port(), 49152 + (os.getpid() * 37) % 12000
    args = [
        exe, "-n", "--listening-port", str(port), "--listening-ip", host, "--relay-ip", host,
        "--use-auth-secret", f"--static-auth-secret={secret}", "--realm", realm,
        "--allow-loopback-peers", "--no-tls", "--no-dtls", "--no-cli", "--no-rfc5780",
        "--no-software-attribute", "--min-port", str(relay_low), "--max-port", str(relay_low + 400),
        "--db", str(run_dir / "turndb"), "--pidfile", str(run_dir / "turn.pid"),
        "--log-file", str(run_dir / "turn.log"), "--simple-log", "--no-stdout-log",
    ]
    log_path = run_dir / "turn.log"
    proc = _spawn([*wrap, *args], {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
                  run_dir / "turn.stdout", run_dir)
    server = Server(host=host, port=port, pid=proc.pid, log_path=log_path, run_dir=run_dir, _proc=proc)
    _running.append(server)

    def probe() -> bool:
        if wrap:  # in a namespace: trust the log line rather than probing from outside
            return "Total General servers" in _log_tail(log_path, 100_000)
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
            return True
        return False

    try:
        _wait("turnserver", server, probe, COTURN_START_TIMEOUT)
    except BaseException:
        server.stop()
        raise
    server.startup_seconds = time.monotonic() - started
    return server


# --------------------------------------------------------------------------
# the echo bot, run by hand (``start_silta(bots=1)`` lets Silta start its own instead)


def start_echo_bot(server_url: str, token: str, *args: str, timeout: float = 30.0,
                   wait_connected: bool = True) -> Server:
    """``python -m rtc.bots`` (the supervisor) for ``server_url``; returns once a worker is connected.

    ``args`` go to the command line (``--sessions 2``, ``--recycle-after 1`` …); the token goes in the
    environment, as ``python -m portal`` passes it. ``.log()`` shows the bot's session lines.
    ``wait_connected=False`` returns at once (for a server that is not up yet).
    """
    started = time.monotonic()
    run_dir = Path(tempfile.mkdtemp(prefix="silta-bot-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "SILTA_"))}
    env.update({"SILTA_RTC_SERVER": server_url, "SILTA_BOT_TOKEN": token, "PYTHONUNBUFFERED": "1"})
    log_path = run_dir / "bot.log"
    proc = _spawn([sys.executable, "-m", "rtc.bots", *args], env, log_path, ROOT)
    bot = Server(host="", port=0, pid=proc.pid, log_path=log_path, run_dir=run_dir, _proc=proc)
    _running.append(bot)
    try:
        if wait_connected:
            _wait("echo bot", bot, lambda: "echo bot: connected" in bot.log(), timeout)
    except BaseException:
        bot.stop()
        raise
    bot.startup_seconds = time.monotonic() - started
    return bot
