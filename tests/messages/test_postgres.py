"""Messages and plans on a real PostgreSQL: the inbox ordering, unread subqueries, binary attachments,
JSON version snapshots and the after-commit push go through the same code as on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.messages import operations, queries
from portal.messages.models import Attachment
from portal.plans import operations as plan_operations
from portal.plans import queries as plan_queries
from portal.plans.models import StepOwner
from portal.scheduling.models import Absence

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


@pytest.fixture
def app(pg_app):
    return pg_app


def test_inbox_unread_and_attachments_on_postgres(db, create_staff, create_client, create_enrolment):
    coordinator, deputy = create_staff(Role.CARE_COORDINATOR), create_staff(Role.WORKER)
    threads = []
    for hours_ago in (2, 20):
        client = create_client()
        enrolment = create_enrolment(client, coordinator=coordinator, deputy=deputy)
        thread = operations.start_thread(client.user, enrolment, "Aihe", "Viesti", operations.Upload("a.png", PNG))
        thread.waiting_since = datetime.now(UTC) - timedelta(hours=hours_ago)
        threads.append(thread)
    db.session.commit()
    assert [r.thread.id for r in queries.inbox(coordinator)] == [threads[1].id, threads[0].id]
    assert all(r.unread for r in queries.inbox(coordinator))
    assert queries.unread_count(coordinator) == 2
    operations.read_thread(coordinator, threads[1])
    assert [r.unread for r in queries.inbox(coordinator)] == [False, True]
    assert queries.unread_count(coordinator) == 1 and queries.unread_count(threads[0].enrolment.client.user) == 0
    now = datetime.now(UTC)
    db.session.add(Absence(user_id=coordinator.id, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1)))
    db.session.commit()
    assert queries.inbox(coordinator) == [] and len(queries.inbox(deputy)) == 2
    stored = db.session.scalars(select(Attachment)).all()
    assert [bytes(a.data) for a in stored] == [PNG, PNG]


def test_plan_versions_on_postgres(db, create_staff, create_client, create_enrolment):
    coordinator = create_staff(Role.CARE_COORDINATOR)
    enrolment = create_enrolment(create_client(), coordinator=coordinator, programme="many-services")
    goal = plan_operations.add_goal(coordinator, enrolment, "Tavoite")
    plan_operations.add_step(coordinator, goal, "Askel", StepOwner.CLIENT, None)
    first = plan_operations.agree_version(coordinator, enrolment)
    plan_operations.mark_step_done(coordinator, goal.steps[0])
    second = plan_operations.agree_version(coordinator, enrolment)
    plan_operations.move_to_next_phase(coordinator, enrolment, "referral")
    db.session.commit()
    db.session.expire_all()
    changes = plan_queries.compare(first, second)
    assert [c.kind for c in changes] == ["changed"] and changes[0].step_changes[0][1]["done"] is True
    assert [t.to_phase for t in plan_queries.transitions(enrolment)] == ["assessment-planning"]


def test_staff_photos_on_postgres(db, create_staff, create_client, create_enrolment):
    """bytea round trip, the check constraints' arithmetic and the care team's one-query photo lookup."""
    from io import BytesIO

    from PIL import Image

    from portal.plans.models import StaffPhoto

    coordinator = create_staff(Role.CARE_COORDINATOR)
    enrolment = create_enrolment(create_client(), coordinator=coordinator)
    picture = BytesIO()
    Image.new("RGB", (900, 700), (10, 120, 200)).save(picture, "PNG")
    plan_operations.set_photo(coordinator, picture.getvalue())
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(StaffPhoto, coordinator.id)
    assert bytes(stored.data).startswith(b"\xff\xd8\xff") and (stored.width, stored.height) == (512, 512)
    assert set(plan_queries.care_team(enrolment).photos) == {coordinator.id}
    assert plan_operations.remove_photo(coordinator) and db.session.get(StaffPhoto, coordinator.id) is None
