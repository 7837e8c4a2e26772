"""The embedded default's job runner: a thread in `python -m portal` only, woken when a notice waits."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

import pytest
from sqlalchemy import select

from portal import signals
from portal.auth.models import Role
from portal.notifications import jobs
from portal.notifications.models import Channel, OutboxMessage, OutboxStatus
from portal.notifications.operations import queue_message
from portal.scheduling.timeutil import local
from tests.notifications import make_appointment

FAR = local(date(2036, 11, 24), clock(10))  # notices are only for appointments not yet over


def statuses(db) -> list[OutboxStatus]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def wait_for(db, expected, seconds=5.0):
    deadline = time.monotonic() + seconds
    while statuses(db) != expected and time.monotonic() < deadline:
        time.sleep(0.02)
    return statuses(db)


@pytest.fixture
def runner(app):
    app.config["JOBS_INTERVAL_SECONDS"] = 3600  # only the first tick and wake-ups run in a test
    started = []
    yield lambda: started.append(jobs.start_in_process(app)) or started[-1]
    for r in started:
        if r is not None:
            r.stop()


def test_create_app_starts_no_runner(app):
    state = app.extensions[jobs.EXTENSION]
    assert state.runner is None and state.huey is None


def test_the_runner_can_be_switched_off_and_yields_to_redis(app, runner):
    app.config["JOBS_ENABLED"] = False
    assert runner() is None
    app.config.update(JOBS_ENABLED=True, REDIS_URL="redis://127.0.0.1:1/0")
    assert runner() is None


def test_the_runner_sends_at_once_and_again_when_a_notice_waits(app, db, runner, create_staff, create_client):
    queue_message(channel=Channel.SMS, recipient="+358401234567", subject="Appointment reminder", body="…",
                  send_after=datetime(2026, 1, 1, tzinfo=UTC))
    db.session.commit()
    assert runner() is app.extensions[jobs.EXTENSION].runner
    assert wait_for(db, [OutboxStatus.SENT]) == [OutboxStatus.SENT]  # the first tick
    worker = create_staff(Role.WORKER)
    appointment = make_appointment(worker, [create_client()], FAR, booked_at=FAR - timedelta(days=7))
    signals.appointment_booked.send(worker, appointment=appointment)
    db.session.commit()  # the commit wakes the runner long before its next tick
    assert wait_for(db, [OutboxStatus.SENT] * 2) == [OutboxStatus.SENT] * 2
