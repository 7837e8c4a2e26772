"""``silta check``: is this installation's configuration complete, and can it reach what it needs?

Each check gives one plain line (``ok``, ``WARN`` or ``FAIL`` with what to change); any FAIL makes the
command exit non-zero, so a deploy script can stop before a broken restart. Nothing secret is printed.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import create_engine, text

from portal.production import database

TIMEOUT = 3  # seconds per connection attempt


@dataclass
class Result:
    status: str  # ok | WARN | FAIL
    name: str
    message: str

    def line(self) -> str:
        return f"{self.status:<4} {self.name}: {self.message}"


def run(config: dict, migrations_dir: str) -> list[Result]:
    """Every check, in order; each runs even when an earlier one failed."""
    checks: list[Callable[[], Iterator[Result]]] = [
        lambda: _database(config, migrations_dir), lambda: _redis(config), lambda: _turn(config),
        lambda: _mail(config), lambda: _sms(config), lambda: _production(config)]
    results: list[Result] = []
    for check in checks:
        results.extend(check())
    return results


def _database(config: dict, migrations_dir: str) -> Iterator[Result]:
    url = config["SQLALCHEMY_DATABASE_URI"]
    where = database.shown(url)
    if database.is_sqlite(url) and not database.sqlite_path(url).exists():
        yield Result("FAIL", "database", f"{where} does not exist: run `silta prepare`")
        return
    engine = create_engine(url, connect_args=_connect_timeout(url))
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = _revision(connection)
    except Exception as exc:  # the driver's message can hold the password: name the class only
        yield Result("FAIL", "database", f"cannot connect to {where} ({type(exc).__name__}): check "
                     "PORTAL_DATABASE_URL and that the server is running")
        return
    finally:
        engine.dispose()
    head = _head(migrations_dir)
    if current == head:
        yield Result("ok", "database", f"{where}, schema up to date")
    else:
        yield Result("FAIL", "database", f"{where}: schema at {current or 'nothing'}, the code needs {head}: "
                     "run `silta prepare`")


def _connect_timeout(url: str) -> dict:
    return {"connect_timeout": TIMEOUT} if database.is_postgres(url) else {}


def _revision(connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _head(migrations_dir: str) -> str | None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", migrations_dir)
    return ScriptDirectory.from_config(config).get_current_head()


def _redis(config: dict) -> Iterator[Result]:
    url = config["REDIS_URL"]
    if not url:
        status = "FAIL" if config["ENV"] == "production" else "ok"
        yield Result(status, "redis", "PORTAL_REDIS_URL is not set: jobs run in one process, rate limits and "
                     "live rooms are per process" + (" (set it in production)" if status == "FAIL" else ""))
        return
    import redis

    where = _host_port(url, 6379)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT).ping()
    except Exception as exc:
        yield Result("FAIL", "redis", f"cannot reach {where} ({type(exc).__name__}): check PORTAL_REDIS_URL")
        return
    yield Result("ok", "redis", f"{where} answers")


def _turn(config: dict) -> Iterator[Result]:
    if not config["TURN_URLS"]:
        yield Result("WARN" if config["ENV"] == "production" else "ok", "turn",
                     "no PORTAL_TURN_URLS: calls between networks that block direct traffic will fail")
    elif not config["TURN_SECRET"]:
        yield Result("FAIL", "turn", "PORTAL_TURN_URLS is set but PORTAL_TURN_SECRET (coturn's "
                     "static-auth-secret) is not")
    else:
        yield Result("ok", "turn", f"{len(config['TURN_URLS'])} TURN URL(s), secret set")


def _mail(config: dict) -> Iterator[Result]:
    backend = config["EMAIL_BACKEND"]
    if backend == "local":
        yield _local("email", config)
    elif backend == "smtp":
        if not config["SMTP_HOST"] or not config["SMTP_FROM"]:
            yield Result("FAIL", "email", "PORTAL_EMAIL_BACKEND=smtp needs PORTAL_SMTP_HOST and PORTAL_SMTP_FROM")
        else:
            yield _reachable("email", config["SMTP_HOST"], config["SMTP_PORT"])
    else:
        yield Result("FAIL", "email", f"unknown PORTAL_EMAIL_BACKEND {backend!r} (local or smtp)")


def _sms(config: dict) -> Iterator[Result]:
    backend = config["SMS_BACKEND"]
    if backend == "local":
        yield _local("sms", config)
    elif backend == "http":
        parts = urlsplit(config["SMS_HTTP_URL"])
        if parts.scheme not in ("http", "https") or not parts.hostname or not config["SMS_HTTP_TOKEN"]:
            yield Result("FAIL", "sms", "PORTAL_SMS_BACKEND=http needs PORTAL_SMS_HTTP_URL and PORTAL_SMS_HTTP_TOKEN")
        else:
            yield _reachable("sms", parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    else:
        yield Result("FAIL", "sms", f"unknown PORTAL_SMS_BACKEND {backend!r} (local or http)")


def _local(name: str, config: dict) -> Result:
    status = "WARN" if config["ENV"] == "production" else "ok"
    return Result(status, name, "local outbox: messages stay in Silta (admin's outbox page), nothing is sent")


def _production(config: dict) -> Iterator[Result]:
    if config["ENV"] != "production":
        yield Result("WARN", "environment", "PORTAL_ENV is not production (no secure cookies, no HSTS)")
        return
    if not config["PUBLIC_BASE_URL"].startswith("https://"):
        yield Result("FAIL", "environment", "PORTAL_PUBLIC_BASE_URL must be the https:// address users reach")
    if config["TRUSTED_PROXIES"] < 1:
        yield Result("WARN", "environment", "PORTAL_TRUSTED_PROXIES is 0: behind nginx, set it to 1")
    yield Result("ok", "environment", "production, secret key set")


def _reachable(name: str, host: str, port: int) -> Result:
    try:
        socket.create_connection((host, int(port)), timeout=TIMEOUT).close()
    except OSError as exc:
        return Result("FAIL", name, f"cannot connect to {host}:{port} ({type(exc).__name__})")
    return Result("ok", name, f"{host}:{port} accepts connections")


def _host_port(url: str, default_port: int) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or default_port}"
