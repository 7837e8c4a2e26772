from __future__ import annotations

from datetime import timedelta

import pytest

from portal.db import utcnow
from portal.notifications.models import Channel, OutboxMessage, OutboxStatus


@pytest.fixture
def queue_message(db):
    """A queued outbox message due ``minutes`` ago."""

    def factory(minutes: float = 1, status: OutboxStatus = OutboxStatus.QUEUED) -> OutboxMessage:
        row = OutboxMessage(channel=Channel.EMAIL, recipient="someone@example.test", body="Muistutus",
                            status=status, send_after=utcnow() - timedelta(minutes=minutes))
        db.session.add(row)
        db.session.commit()
        return row

    return factory


def metric(text: str, name: str, labels: str = "") -> float | None:
    """The value of one sample in Prometheus' text format (None when absent)."""
    prefix = f"{name}{{{labels}}} " if labels else f"{name} "
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line[len(prefix):])
    return None
