"""With PORTAL_REDIS_URL the jobs go through huey's RedisHuey: the web process only enqueues, a worker runs."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal import signals
from portal.auth.models import Role
from portal.notifications import jobs
from portal.notifications.models import OutboxMessage, OutboxStatus
from portal.scheduling.timeutil import local
from tests.notifications import make_appointment

pytestmark = pytest.mark.redis

MONDAY_9 = local(date(2036, 11, 24), time(9))
DAY_BEFORE = MONDAY_9 - timedelta(days=1)


@pytest.fixture
def app_config(redis_server):
    return {"REDIS_URL": redis_server.url, "JOBS_QUEUE_NAME": f"silta-test-{uuid.uuid4().hex[:8]}"}


@pytest.fixture
def queue(app):
    huey = app.extensions[jobs.EXTENSION].huey
    yield huey
    huey.flush()


def work_one(huey) -> None:
    """What `python -m portal.notifications.jobs` does, one task's worth: a consumer's worker loop."""
    consumer = huey.create_consumer(workers=1, periodic=False, check_worker_health=False)
    worker, _ = consumer.worker_threads[0]
    worker.loop()


def outbox(db) -> list[tuple[str, OutboxStatus]]:
    db.session.expire_all()
    return [(m.dedupe_key.split(":")[0], m.status) for m in db.session.scalars(select(OutboxMessage))]


def test_the_queue_is_redis_huey_with_a_periodic_tick(app, queue):
    from huey import RedisHuey

    assert isinstance(queue, RedisHuey) and queue.name == app.config["JOBS_QUEUE_NAME"]
    assert [t.name for t in queue.read_periodic(datetime.now(UTC))] == ["notifications.tick"]
    assert jobs.start_in_process(app) is None  # no thread in the web process


def test_a_worker_runs_what_the_web_process_enqueued(app, db, queue, create_staff, create_client):
    make_appointment(create_staff(Role.WORKER), [create_client()], MONDAY_9, booked_at=MONDAY_9 - timedelta(days=9))
    db.session.commit()
    app.extensions[jobs.EXTENSION].run_task(DAY_BEFORE)
    assert queue.pending_count() == 1 and outbox(db) == []  # enqueued, not run
    work_one(queue)
    assert queue.pending_count() == 0
    assert outbox(db) == [("reminder", OutboxStatus.SENT)]


def test_a_notice_enqueues_a_run_when_its_transaction_commits(app, db, queue, create_staff, create_client):
    worker = create_staff(Role.WORKER)
    appointment = make_appointment(worker, [create_client()], MONDAY_9, booked_at=MONDAY_9 - timedelta(days=9))
    signals.appointment_booked.send(worker, appointment=appointment)
    assert queue.pending_count() == 0
    db.session.commit()
    assert queue.pending_count() == 1
    work_one(queue)
    assert outbox(db) == [("notice", OutboxStatus.SENT)]
