"""Reads for the probes and the scrape: cheap aggregates, never per request."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask
from sqlalchemy import func, select

from portal.db import utcnow
from portal.extensions import db
from portal.notifications.models import OutboxMessage, OutboxStatus

UNSENT = (OutboxStatus.QUEUED, OutboxStatus.FAILED)


@dataclass
class OutboxSummary:
    by_state: dict[str, int] = field(default_factory=dict)
    due: int = 0
    oldest_due_age: float = 0.0  # seconds; 0 when nothing is due


def outbox_summary(now: datetime | None = None) -> OutboxSummary:
    """Unsent messages by state, and the due ones' count and oldest age: two index range scans on
    (status, send_after), whatever the size of the sent history."""
    now = now or utcnow()
    summary = OutboxSummary(by_state={state.value: 0 for state in UNSENT})
    rows = db.session.execute(select(OutboxMessage.status, func.count()).where(OutboxMessage.status.in_(UNSENT))
                              .group_by(OutboxMessage.status))
    for state, count in rows:
        summary.by_state[OutboxStatus(state).value] = count
    due, oldest = db.session.execute(
        select(func.count(), func.min(OutboxMessage.send_after))
        .where(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.send_after <= now)).one()
    summary.due = due
    if oldest is not None:
        oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)  # func.min loses the type
        summary.oldest_due_age = max(0.0, (now - oldest).total_seconds())
    return summary


def socket_stats(app: Flask) -> dict[str, dict[str, int]]:
    """Socket.IO connections per namespace on this process, the calls with someone here, and echo bots.

    From the realtime code's in-memory registry (``portal.video.signaling.stats``): no database, no other
    process."""
    from portal.video import signaling

    stats = signaling.stats(app)
    return {
        signaling.NAMESPACE: {"connections": stats.get("rtc_connections", 0), "calls": stats.get("calls", 0),
                              "in_call": stats.get("in_call", 0), "bots": stats.get("bots", 0)},
        "/live": {"connections": stats.get("live_connections", 0)},
    }
