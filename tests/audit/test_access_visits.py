"""The client's access log is grouped into visits: one person's steps less than 15 minutes apart are one row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.audit.models import AuditAction, AuditRecord
from portal.audit.queries import access_visits, page_of
from portal.auth.models import Role

T0 = datetime(2026, 12, 6, 8, 2, tzinfo=UTC)  # 10.02 in Helsinki


@pytest.fixture
def people(db, create_staff, create_client):
    sanna = create_staff(Role.WORKER, name="Sanna Virtanen")
    laura = create_staff(Role.WORKER, name="Laura Heikkinen")
    me = create_client()
    me.user.locale = "en"
    return sanna, laura, me


def _records(db, actor, client, start, minutes, feature="plans", action=AuditAction.READ):
    for m in minutes:
        db.session.add(AuditRecord(at=start + timedelta(minutes=m), actor_id=actor.id, client_id=client.id,
                                   feature=feature, action=action, object_type="plan"))


def test_fifty_reads_in_twelve_minutes_are_one_visit(db, people):
    sanna, laura, me = people
    _records(db, sanna, me, T0, [i * 12 / 49 for i in range(50)])
    _records(db, sanna, me, T0, [12], feature="measures")
    _records(db, laura, me, T0, [5], action=AuditAction.UPDATE, feature="messages")  # interleaved: her own visit
    _records(db, sanna, me, T0, [60])  # an hour later: a new visit
    _records(db, me.user, me, T0, [3])  # the client's own steps are not listed
    db.session.flush()
    visits = access_visits(me)
    assert [(v.actor.display_name, v.records) for v in visits] == [
        ("Sanna Virtanen", 1), ("Sanna Virtanen", 51), ("Laura Heikkinen", 1)]
    long = visits[1]
    assert (long.first_at, long.last_at) == (T0, T0 + timedelta(minutes=12))
    assert long.features == ["measures", "plans"] and long.actions == {AuditAction.READ}


def test_the_page_reads_as_visits(client, db, people, login):
    sanna, laura, me = people
    _records(db, sanna, me, T0, range(0, 13))
    _records(db, sanna, me, T0, [12], feature="measures")
    login(me.user)
    body = client.get("/me/access-log").get_data(as_text=True)
    assert body.count("<tr>") == 2  # the header and one visit, not 14 rows
    assert "06/12/2026, 10:02–10:14" in body  # British English dates, a 24-hour clock
    assert "Questionnaires and results and Plan" in body and "Viewed" in body


def test_pages_of_visits():
    page = page_of(list(range(120)), 3, size=50)
    assert page.items == list(range(100, 120)) and page.has_prev and not page.has_next
    assert page_of([], 5).page == 1
