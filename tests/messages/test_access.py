"""Break-glass from a message thread, and the unread counter in the navigation (counted in SQL, in the
link's text for screen readers, right after reading)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import Role
from portal.messages import operations, queries
from portal.plans.models import BreakGlass
from portal.scheduling.models import Absence


@pytest.fixture
def coordinator(create_staff):
    return create_staff(Role.CARE_COORDINATOR, name="Sanna Virtanen", locale="en")


@pytest.fixture
def deputy(create_staff):
    return create_staff(Role.WORKER, name="Pekka Nieminen", locale="en")


@pytest.fixture
def me(create_client):
    client = create_client()
    client.user.locale = "en"
    return client


@pytest.fixture
def enrolment(create_enrolment, me, coordinator, deputy):
    return create_enrolment(me, coordinator=coordinator, deputy=deputy, programme="many-services")


# --- break-glass from a thread --------------------------------------------------------------------

def test_an_outside_worker_opens_urgent_access_from_the_thread(db, client, login, create_staff, me, enrolment):
    thread = operations.start_thread(me.user, enrolment, "Kiireellinen", "Tarvitsen apua tänään")
    outsider = create_staff(Role.WORKER, in_unit=None, locale="en")
    login(outsider)
    refused = client.get(f"/messages/{thread.id}")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 403 and "Open urgent access" in page and "Tarvitsen apua" not in page
    assert f'name="next" type="hidden" value="/messages/{thread.id}"' in page
    empty = client.post(f"/plans/{enrolment.id}/break-glass", data={"reason": " ", "next": f"/messages/{thread.id}"})
    assert empty.status_code == 400 and f'value="/messages/{thread.id}"' in empty.get_data(as_text=True)
    assert db.session.scalar(select(BreakGlass)) is None

    opened = client.post(f"/plans/{enrolment.id}/break-glass",
                         data={"reason": "Asiakas soitti kriisissä", "next": f"/messages/{thread.id}"})
    assert opened.status_code == 302 and opened.headers["Location"] == f"/messages/{thread.id}"
    read = client.get(f"/messages/{thread.id}")
    assert read.status_code == 200 and "Tarvitsen apua tänään" in read.get_data(as_text=True)
    entries = db.session.scalars(select(AuditRecord).where(AuditRecord.actor_id == outsider.id)).all()
    kinds = {(e.feature, e.object_type, e.action) for e in entries}
    assert ("plans", "break_glass", AuditAction.READ) in kinds and ("messages", "thread", AuditAction.READ) in kinds
    assert all("kriisissä" not in str(e.detail) for e in entries)


def test_break_glass_never_sends_anyone_off_the_site(db, client, login, create_staff, enrolment):
    login(create_staff(Role.WORKER, in_unit=None))
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.post(f"/plans/{enrolment.id}/break-glass", data={"reason": "Kriisi", "next": target})
        assert response.status_code == 302 and response.headers["Location"] == f"/plans/{enrolment.id}"


def test_a_client_gets_no_break_glass_offer(db, client, login, create_client, create_enrolment, create_staff,
                                            me, enrolment):
    thread = operations.start_thread(me.user, enrolment, "Oma", "Viesti")
    other = create_client()
    create_enrolment(other, coordinator=create_staff(Role.WORKER))
    db.session.commit()
    login(other.user)
    response = client.get(f"/messages/{thread.id}")
    assert response.status_code == 403 and "urgent access" not in response.get_data(as_text=True)
    assert client.post(f"/plans/{enrolment.id}/break-glass", data={"reason": "x"}).status_code == 403


# --- the unread counter ---------------------------------------------------------------------------

def _nav_link(body: str, href: str) -> str:
    return body.split(f'<a href="{href}"', 1)[1].split("</a>", 1)[0]


def test_the_count_is_one_query_per_user_and_follows_reading(db, me, coordinator, deputy, enrolment):
    first = operations.start_thread(me.user, enrolment, "Yksi", "Hei")
    second = operations.start_thread(me.user, enrolment, "Kaksi", "Hei")
    operations.post(me.user, second, "Vielä")
    assert queries.unread_count(coordinator) == 2 and queries.unread_count(me.user) == 0
    assert queries.unread_count(deputy) == 0  # not the deputy's inbox while the coordinator is in
    operations.read_thread(coordinator, first)
    assert queries.unread_count(coordinator) == 1
    operations.post(coordinator, second, "Vastaus")
    assert queries.unread_count(coordinator) == 0 and queries.unread_count(me.user) == 1
    now = datetime.now(UTC)
    db.session.add(Absence(user_id=coordinator.id, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1)))
    operations.post(me.user, first, "Oletko paikalla?")
    assert queries.unread_count(deputy) == 2 and queries.unread_count(coordinator) == 0


def test_the_navigation_says_how_many_are_unread(db, client, login, me, coordinator, enrolment):
    thread = operations.start_thread(coordinator, enrolment, "Aika", "Tervetuloa")
    operations.start_thread(coordinator, enrolment, "Toinen", "Tiedoksi")
    db.session.commit()
    login(me.user)
    link = _nav_link(client.get("/me").get_data(as_text=True), "/me/messages")
    assert '<span class="visually-hidden">, </span>' in link and "2 unread" in link and "hidden" not in link.split(
        ">")[1]
    assert client.get("/messages/unread").get_json() == {"count": 2, "text": "2 unread"}
    client.get(f"/messages/{thread.id}")  # reading lowers it at once
    assert client.get("/messages/unread").get_json()["count"] == 1
    assert "1 unread" in _nav_link(client.get("/me").get_data(as_text=True), "/me/messages")


def test_nothing_unread_shows_no_number(db, client, login, coordinator, enrolment):
    login(coordinator)
    link = _nav_link(client.get("/messages/inbox").get_data(as_text=True), "/messages/inbox")
    assert 'data-unread-url="/messages/unread" hidden' in link
    assert client.get("/messages/unread").get_json()["count"] == 0


def test_the_counter_is_only_for_clients_and_case_workers(db, client, login, create_staff):
    login(create_staff(Role.ADMIN))
    body = client.get("/account").get_data(as_text=True)
    assert "data-unread-url" not in body and "messages-unread.js" not in body
    assert client.get("/messages/unread").status_code == 403


# --- the deputy's notice ----------------------------------------------------------------------------

def test_during_an_absence_the_deputy_gets_the_notice_not_the_coordinator(db, me, coordinator, deputy, enrolment):
    from portal.notifications.models import OutboxMessage

    now = datetime.now(UTC)
    db.session.add(Absence(user_id=coordinator.id, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1)))
    thread = operations.start_thread(me.user, enrolment, "Salainen aihe", "Salainen sisältö")
    db.session.flush()
    notices = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id.is_not(None))).all()
    assert [(n.user_id, n.recipient) for n in notices] == [(deputy.id, deputy.email)]
    assert notices[0].dedupe_key.startswith(f"message:{thread.id}:{deputy.id}:")
    assert "Salainen" not in notices[0].subject + notices[0].body
