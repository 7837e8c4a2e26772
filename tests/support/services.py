"""Real PostgreSQL and Redis servers for the test suite.

Each server is a direct child process of the test run (so we know its pid),
listens only on 127.0.0.1 on a free port, keeps its files in a scratch
directory, and is ended by ``stop()``: a signal to that pid, a wait, then the
files are removed. An ``atexit`` hook stops anything a session left running.

Typical use in a conftest::

    @pytest.fixture(scope="session")
    def postgres(tmp_path_factory):
        try:
            server = start_postgres(tmp_path_factory.mktemp("postgres"))
        except ServiceUnavailable as exc:
            require_or_skip(exc)
        yield server
        server.stop()
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import redis
from psycopg import sql

PG_USER = "silta"
START_TIMEOUT = 20.0  # seconds to wait for a server to accept connections
STOP_TIMEOUT = 15.0  # seconds to wait after the polite signal before SIGKILL


class ServiceUnavailable(RuntimeError):
    """A binary needed to run a test service is not installed."""


# --------------------------------------------------------------------------
# Small helpers


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now.

    The kernel picks it (bind to port 0). Another process could take it
    before the server binds; with ephemeral-range ports that is rare enough
    for a test suite, and a server that fails to bind exits at once and its
    log says so.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_or_skip(exc: ServiceUnavailable) -> None:
    """Skip the test because a service is missing; fail instead when in CI.

    On a developer machine a missing PostgreSQL or Redis is a skip. In CI
    (``CI`` set to anything but empty, "0" or "false") it would silently
    hide whole test groups, so it is a failure.
    """
    ci = os.environ.get("CI", "").strip().lower()
    if ci and ci not in ("0", "false"):
        pytest.fail(f"{exc} (CI is set, so a missing service fails the run)", pytrace=False)
    pytest.skip(str(exc))


# Servers started and not yet stopped. Fixtures should stop their servers;
# this is the safety net for an interrupted or crashing session.
_running: list = []


@atexit.register
def _stop_leftovers() -> None:
    for server in list(_running):
        try:
            server.stop()
        except Exception:  # noqa: BLE001 - at exit, keep stopping the rest
            pass


def _end_process(proc: subprocess.Popen, sig: int) -> None:
    """Send ``sig`` to the child, wait for it, SIGKILL it if it hangs."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _log_tail(path: Path, limit: int = 4000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return text[-limit:] if text else "(empty log)"


def _child_env() -> dict[str, str]:
    # A developer's PGDATA/PGPORT/PGHOST/... must not steer the scratch
    # cluster or our client connections somewhere else.
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


# --------------------------------------------------------------------------
# PostgreSQL


def pg_bindir() -> Path:
    """Find the directory with ``initdb`` and ``postgres``.

    Order: ``PORTAL_TEST_PG_BIN``; the highest /usr/lib/postgresql/*/bin
    (Debian/Ubuntu do not put the server binaries on PATH);
    ``pg_config --bindir``. Raises ServiceUnavailable if none has them.
    """

    def usable(d: Path) -> bool:
        return all(os.access(d / exe, os.X_OK) for exe in ("initdb", "postgres"))

    override = os.environ.get("PORTAL_TEST_PG_BIN")
    if override:
        # An explicit choice that does not work is an error, not a fallback.
        if usable(Path(override)):
            return Path(override)
        raise ServiceUnavailable(
            f"PORTAL_TEST_PG_BIN={override!r} has no executable initdb and postgres"
        )

    def version(d: Path) -> tuple[int, ...]:
        try:
            return tuple(int(part) for part in d.parent.name.split("."))
        except ValueError:
            return (-1,)

    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True):
        if usable(d):
            return d

    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if out.returncode == 0 and usable(Path(out.stdout.strip())):
            return Path(out.stdout.strip())

    raise ServiceUnavailable(
        "PostgreSQL server binaries (initdb, postgres) not found: looked at "
        "/usr/lib/postgresql/*/bin and `pg_config --bindir`. Install the "
        "server (Debian: apt-get install postgresql) or set PORTAL_TEST_PG_BIN."
    )


def _as_unprivileged_user() -> dict:
    """Popen arguments that drop root, because initdb and postgres refuse it.

    Uses Popen(user=, group=) rather than ``runuser``/``su``: those would
    sit between us and the server, so the pid we hold would not be the
    postmaster's.
    """
    if os.geteuid() != 0:
        return {}
    for name in ("postgres", "nobody"):
        try:
            account = pwd.getpwnam(name)
        except KeyError:
            continue
        return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    raise ServiceUnavailable(
        "running as root, and there is no 'postgres' or 'nobody' user to run PostgreSQL as"
    )


@dataclass(eq=False)
class PostgresServer:
    """A running scratch PostgreSQL cluster; user ``silta``, trust auth."""

    port: int
    pid: int
    run_dir: Path  # data directory and unix socket; removed by stop()
    log_path: Path
    startup_seconds: float = 0.0
    _proc: subprocess.Popen | None = field(default=None, repr=False)

    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL of database ``dbname`` on this server."""
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{dbname}"

    def socket_url(self, dbname: str = "postgres") -> str:
        """The same database through the server's Unix socket (as deploy/silta.env shows for one machine)."""
        return f"postgresql+psycopg://{PG_USER}@/{dbname}?host={self.run_dir}&port={self.port}"

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        """A plain psycopg connection in autocommit mode (caller closes it)."""
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=PG_USER, dbname=dbname,
            autocommit=True, connect_timeout=5,
        )

    def create_database(self, name: str, template: str | None = None) -> None:
        """Create database ``name``, optionally as a copy of ``template``."""
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with self.connect() as conn:
            conn.execute(query)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` if it exists.

        WITH (FORCE) ends sessions still connected to it (a forgotten engine
        pool would otherwise make the drop fail).
        """
        with self.connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def stop(self) -> None:
        """Shut the server down by pid, wait for it, remove its files. Idempotent."""
        if self._proc is not None:
            # SIGINT is PostgreSQL's "fast" shutdown: it disconnects clients.
            # SIGTERM ("smart") would wait for every pooled connection to close.
            _end_process(self._proc, signal.SIGINT)
            self._proc = None
        shutil.rmtree(self.run_dir, ignore_errors=True)
        if self in _running:
            _running.remove(self)


def _initdb(bindir: Path, data_dir: Path, log_path: Path, as_user: dict) -> None:
    # C.UTF-8 first: with plain C, upper()/lower()/ILIKE leave non-ASCII
    # letters (ä, ö, å) alone, unlike production. C is the fallback for a
    # system without that locale. --no-sync: a scratch cluster needs no fsync.
    result = None
    for locale in ("C.UTF-8", "C"):
        result = subprocess.run(
            [bindir / "initdb", "-D", data_dir, "-A", "trust", "--no-sync",
             "-U", PG_USER, "-E", "UTF8", f"--locale={locale}"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True,
            cwd=data_dir.parent, env=_child_env(), **as_user,
        )
        with open(log_path, "a") as log:
            log.write(result.stdout + result.stderr)
        if result.returncode == 0:
            return
        shutil.rmtree(data_dir, ignore_errors=True)
    raise RuntimeError(f"initdb failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")


def start_postgres(base_dir: Path) -> PostgresServer:
    """Create and start a scratch PostgreSQL cluster on a free port.

    ``base_dir`` receives ``postgres.log``. Returns once the server accepts
    connections (RuntimeError with the log after 20 s or if it exits).
    Raises ServiceUnavailable if the binaries are missing.
    """
    started = time.monotonic()
    bindir = pg_bindir()
    as_user = _as_unprivileged_user()
    base_dir = Path(base_dir)
    base_dir.mkdir(parents=True, exist_ok=True)
    log_path = base_dir / "postgres.log"

    # The cluster and its socket go in a short private dir under the system
    # temp dir, not in base_dir: pytest's tmp dirs are 0700 and owned by the
    # runner, so the postgres user (when we run as root) could not enter
    # them, and their paths can exceed the ~107-byte unix-socket limit.
    run_dir = Path(tempfile.mkdtemp(prefix="silta-pg-"))
    try:
        if as_user:
            os.chown(run_dir, as_user["user"], as_user["group"])
        data_dir = run_dir / "data"
        _initdb(bindir, data_dir, log_path, as_user)
        port = free_port()
        settings = {
            # Durability is pointless for a throw-away cluster; this is speed.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(run_dir),
            # Room for concurrency tests with many simultaneous sessions.
            "max_connections": "200",
        }
        args = [str(bindir / "postgres"), "-D", str(data_dir), "-p", str(port)]
        for key, value in settings.items():
            args += ["-c", f"{key}={value}"]
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=run_dir, env=_child_env(), **as_user,
            )
    except BaseException:
        shutil.rmtree(run_dir, ignore_errors=True)
        raise

    server = PostgresServer(port=port, pid=proc.pid, run_dir=run_dir, log_path=log_path, _proc=proc)
    _running.append(server)
    try:
        _wait_until_ready(
            "postgres", proc, log_path,
            lambda: server.connect().close(),
            psycopg.OperationalError,
        )
    except BaseException:
        server.stop()
        raise
    server.startup_seconds = time.monotonic() - started
    return server


def _wait_until_ready(name, proc, log_path, probe, retry_on) -> None:
    """Call ``probe`` until it succeeds, the process dies, or time runs out."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if proc.poll() is not None:
            raise RuntimeError(
                f"{name} exited with code {proc.returncode} before accepting connections; "
                f"log {log_path}:\n{_log_tail(log_path)}"
            )
        try:
            probe()
            return
        except retry_on as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{name} (pid {proc.pid}) did not accept connections within "
                    f"{START_TIMEOUT:.0f} s ({exc}); log {log_path}:\n{_log_tail(log_path)}"
                ) from exc
        time.sleep(0.05)


# --------------------------------------------------------------------------
# Redis


@dataclass(eq=False)
class RedisServer:
    """A running throw-away Redis server without persistence."""

    port: int
    pid: int
    log_path: Path
    startup_seconds: float = 0.0
    _proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """Redis URL of database 0 on this server."""
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        """Shut the server down by pid (SIGTERM) and wait for it. Idempotent."""
        if self._proc is not None:
            _end_process(self._proc, signal.SIGTERM)
            self._proc = None
        if self in _running:
            _running.remove(self)


def start_redis(base_dir: Path) -> RedisServer:
    """Start ``redis-server`` on a free port and wait until it answers PING.

    ``base_dir`` receives ``redis.log`` and is the server's working dir.
    Raises ServiceUnavailable if redis-server is not installed.
    """
    started = time.monotonic()
    exe = shutil.which("redis-server")
    if not exe:
        raise ServiceUnavailable(
            "redis-server not found on PATH (Debian: apt-get install redis-server)"
        )
    base_dir = Path(base_dir)
    base_dir.mkdir(parents=True, exist_ok=True)
    log_path = base_dir / "redis.log"
    port = free_port()
    args = [
        exe, "--port", str(port), "--bind", "127.0.0.1",
        # No RDB/AOF files: nothing to clean up, nothing slow.
        "--save", "", "--appendonly", "no",
        # Stay in the foreground so the pid we hold is the server's.
        "--daemonize", "no",
        "--dir", str(base_dir),
    ]
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=base_dir,
        )
    server = RedisServer(port=port, pid=proc.pid, log_path=log_path, _proc=proc)
    _running.append(server)

    def ping() -> None:
        client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
        try:
            client.ping()
        finally:
            client.close()

    try:
        # BusyLoadingError (still loading) is a ConnectionError subclass.
        _wait_until_ready("redis-server", proc, log_path, ping, redis.exceptions.ConnectionError)
    except BaseException:
        server.stop()
        raise
    server.startup_seconds = time.monotonic() - started
    return server
