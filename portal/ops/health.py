"""Readiness: can this process serve, and is the installation around it working?

Each check answers a short state word (never an address, a name or an error text): ``ok``, or what is
wrong; ``off`` when the installation does not use that part. Any state other than ``ok``/``off`` makes
``/readyz`` answer 503.

- database: ``SELECT 1``.
- redis: ``PING`` (when ``PORTAL_REDIS_URL`` is set).
- jobs: the job runner's heartbeat (portal/ops/heartbeat.py) is younger than
  ``READY_HEARTBEAT_MAX_AGE_SECONDS``; ``missing`` before its first run. Expected when the in-process runner
  is enabled or Redis is configured (then ``silta worker`` runs them).
- outbox: no due, unsent message has waited longer than ``READY_OUTBOX_MAX_AGE_SECONDS``.
- echo_bot: an echo bot is connected to /rtc — on this process, or (with Redis) on another one that
  said so within ``READY_BOT_MAX_AGE_SECONDS``: a process that holds the bot's connection refreshes the key
  ``silta:ops:echo-bot`` whenever it answers /readyz or /metrics, which monitoring asks of every process.
  ``PORTAL_READY_ECHO_BOT=false`` where no bot runs by design.
- janus: the group video SFU answers its ``info`` request (when ``PORTAL_JANUS_URL`` is set): without it a
  group room's join is refused and the page offers a phone call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import current_app
from sqlalchemy import text

from portal.db import utcnow
from portal.extensions import db
from portal.ops import heartbeat, queries

log = logging.getLogger(__name__)

OK, OFF = "ok", "off"
BOT_KEY = "silta:ops:echo-bot"


def readiness() -> tuple[bool, dict[str, dict]]:
    """(ready, {check: {"state": …, and maybe "age_seconds"}}) for /readyz."""
    checks: dict[str, Callable[[], dict]] = {
        "database": _database, "redis": _redis, "jobs": _jobs, "outbox": _outbox, "echo_bot": _echo_bot,
        "janus": _janus,
    }
    results = {}
    for name, check in checks.items():
        try:
            results[name] = check()
        except Exception as exc:  # noqa: BLE001 - a check that cannot run is a failed check
            db.session.rollback()
            log.warning("readiness check %s failed (%s)", name, type(exc).__name__)
            results[name] = {"state": "error"}
    return all(r["state"] in (OK, OFF) for r in results.values()), results


def _janus() -> dict:
    from portal.video import sfu

    config = sfu.settings()
    if not config.configured:
        return {"state": OFF}
    return {"state": OK if sfu.ready(config) else "unreachable"}


def _database() -> dict:
    db.session.execute(text("SELECT 1"))
    return {"state": OK}


def _redis() -> dict:
    client = heartbeat.redis_client(current_app)
    if client is None:
        return {"state": OFF}
    client.ping()
    return {"state": OK}


def jobs_expected() -> bool:
    return bool(current_app.config["JOBS_ENABLED"] or current_app.config["REDIS_URL"])


def job_heartbeat() -> heartbeat.Beat | None:
    try:
        return heartbeat.read()
    except Exception:  # noqa: BLE001 - the store away: reported by the database/redis checks
        db.session.rollback()
        return None


def _jobs() -> dict:
    if not jobs_expected():
        return {"state": OFF}
    beat = heartbeat.read()
    if beat is None:
        return {"state": "missing"}
    age = (utcnow() - beat.at).total_seconds()
    stale = age > current_app.config["READY_HEARTBEAT_MAX_AGE_SECONDS"]
    return {"state": "stale" if stale else OK, "age_seconds": round(max(age, 0.0))}


def _outbox() -> dict:
    summary = queries.outbox_summary()
    late = summary.oldest_due_age > current_app.config["READY_OUTBOX_MAX_AGE_SECONDS"]
    return {"state": "backlog" if late else OK, "oldest_due_age_seconds": round(summary.oldest_due_age)}


def bot_connected_here() -> bool:
    rtc = queries.socket_stats(current_app).get("/rtc", {})
    return bool(rtc.get("bots"))


def note_bot(client=None) -> bool:
    """True when an echo bot is connected to this process; then tell the other processes (Redis)."""
    here = bot_connected_here()
    client = client or heartbeat.redis_client(current_app)
    if here and client is not None:
        client.set(BOT_KEY, "1", ex=current_app.config["READY_BOT_MAX_AGE_SECONDS"])
    return here


def _echo_bot() -> dict:
    if not current_app.config["READY_ECHO_BOT"]:
        return {"state": OFF}
    client = heartbeat.redis_client(current_app)
    if note_bot(client) or (client is not None and client.exists(BOT_KEY)):
        return {"state": OK}
    return {"state": "absent"}
