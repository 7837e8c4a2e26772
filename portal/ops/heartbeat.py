"""Heartbeats: each job run says "I ran" (and whether it failed) where every web process can read it.

With ``PORTAL_REDIS_URL`` set the heartbeat is a Redis hash (the worker is another process and Redis is
already shared); without Redis it is a row of ``ops_heartbeats`` (the embedded default's job thread, or a
worker process on the same database). ``/readyz`` reads its age; ``/metrics`` reads its run counts, which are
installation-wide: every web process reports the same numbers (aggregate them with ``max``, not ``sum``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask, current_app
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from portal.db import utcnow
from portal.extensions import db
from portal.ops.models import Heartbeat

log = logging.getLogger(__name__)

JOBS = "jobs"
REDIS_KEY = "silta:ops:heartbeat:{}"
REDIS_TIMEOUT = 2.0  # seconds: a probe or a job run never hangs on an unreachable Redis


@dataclass(frozen=True)
class Beat:
    at: datetime
    runs: int
    failures: int


def redis_client(app: Flask):
    """The app's small Redis client for heartbeats and probes (short timeouts), or None without Redis."""
    url = app.config["REDIS_URL"]
    if not url:
        return None
    client = app.extensions.get("silta.ops.redis")
    if client is None:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
        app.extensions["silta.ops.redis"] = client
    return client


def beat(app: Flask, name: str = JOBS, ok: bool = True, now: datetime | None = None) -> None:
    """Record one run of ``name``; never raises (a heartbeat that cannot be written shows as stale)."""
    now = now or utcnow()
    try:
        client = redis_client(app)
        if client is not None:
            key = REDIS_KEY.format(name)
            with client.pipeline() as pipe:
                pipe.hset(key, "at", now.timestamp()).hincrby(key, "runs", 1).hincrby(key, "failures", 0 if ok else 1)
                pipe.execute()
        else:
            with app.app_context():
                _beat_in_database(name, ok, now)
    except Exception as exc:  # noqa: BLE001 - Redis or the database away: the probe will say so
        log.warning("could not write the %s heartbeat (%s)", name, type(exc).__name__)


def _beat_in_database(name: str, ok: bool, now: datetime) -> None:
    values = {"beat_at": now, "runs": Heartbeat.runs + 1, "failures": Heartbeat.failures + (0 if ok else 1)}
    try:
        for _attempt in range(2):  # two runners inserting the first row at once: the loser updates
            done = db.session.execute(update(Heartbeat).where(Heartbeat.name == name).values(**values))
            if done.rowcount:
                break
            try:
                with db.session.begin_nested():
                    db.session.execute(insert(Heartbeat).values(name=name, beat_at=now, runs=1, failures=int(not ok)))
                break
            except IntegrityError:
                continue
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        raise


def read(name: str = JOBS) -> Beat | None:
    """The last heartbeat of ``name`` (None: never ran). Raises when its store cannot be reached."""
    client = redis_client(current_app)
    if client is not None:
        fields = client.hgetall(REDIS_KEY.format(name))
        if not fields or b"at" not in fields:
            return None
        return Beat(datetime.fromtimestamp(float(fields[b"at"]), UTC), int(fields.get(b"runs", 0)),
                    int(fields.get(b"failures", 0)))
    row = db.session.execute(select(Heartbeat.beat_at, Heartbeat.runs, Heartbeat.failures)
                             .where(Heartbeat.name == name)).first()
    return Beat(*row) if row else None


def init_app(app: Flask) -> None:
    from portal import signals

    signals.jobs_ran.connect(_on_jobs_ran)


def _on_jobs_ran(app: Flask, ok: bool = True, **_extra) -> None:
    beat(app, JOBS, ok)
