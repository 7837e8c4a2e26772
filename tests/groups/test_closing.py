"""A group's members and its booked sessions stay in step: joining late, leaving, closing the group;
the members hear of it through the same outbox (notices and reminders) as any client."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.groups import operations, routes
from portal.groups.models import Attendance, AttendanceStatus, Group
from portal.groups.operations import GroupError, SessionsRequest
from portal.notifications.models import OutboxMessage, OutboxStatus
from portal.notifications.operations import queue_due_reminders, send_due
from portal.people.models import ContactChannel
from portal.programmes.definitions_schema import Modality
from portal.scheduling.models import AppointmentStatus
from portal.scheduling.operations import BookingRequest, book
from portal.scheduling.timeutil import local
from tests.groups.conftest import PROGRAMME

pytestmark = pytest.mark.usefixtures("english")

# Far ahead of the real clock: the notice subscribers use it, and send no notice for a session already over.
NOW = datetime(2036, 11, 20, 10, 0, tzinfo=UTC)
MONDAY = date(2036, 11, 24)


@pytest.fixture
def group(leader, unit):
    return operations.create_group(leader, programme_code=PROGRAMME, unit_id=unit.id, name="Maanantairyhmä",
                                   capacity=8, leader=leader)


def book_weeks(leader, group, weeks: int = 3):
    request = SessionsRequest(modality=Modality.RECEPTION, first_start=local(MONDAY, time(10)), weeks=weeks,
                              minutes=90)
    return operations.book_sessions(leader, group, request, now=NOW).booked


def notices(kind: str, client_id: int | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.dedupe_key.like(f"notice:{kind}:%"))
    if client_id is not None:
        query = query.where(OutboxMessage.client_id == client_id)
    return list(db_session().scalars(query.order_by(OutboxMessage.id)))


def db_session():
    from portal.extensions import db

    return db.session


def client_keys(appointment) -> set[int]:
    db_session().expire(appointment, ["participants"])
    return {p.client_id for p in appointment.participants if p.client_id is not None}


# --- booking sessions tells the members -------------------------------------------------------

def test_booking_sessions_tells_every_member_once(db, leader, group, create_member):
    enrolments = [create_member() for _ in range(3)]
    for enrolment in enrolments:
        operations.add_member(leader, group, enrolment, now=NOW)
    sessions = book_weeks(leader, group, weeks=3)
    booked = notices("booked")
    # One notice for the series (its first session), to each member: not one per session.
    assert sorted(m.client_id for m in booked) == sorted(e.client_id for e in enrolments)
    assert {m.appointment_id for m in booked} == {sessions[0].id}


def test_reminders_of_a_session_reach_every_member(db, leader, group, create_member):
    enrolments = [create_member() for _ in range(2)]
    for enrolment in enrolments:
        operations.add_member(leader, group, enrolment, now=NOW)
    [session] = book_weeks(leader, group, weeks=1)
    session.created_at = NOW  # booked before the day-before reminder was due
    day_before = session.starts_at - timedelta(days=1)
    assert queue_due_reminders(day_before) == 2
    reminders = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("reminder:1440:%")))
    assert sorted(m.client_id for m in reminders) == sorted(e.client_id for e in enrolments)
    assert queue_due_reminders(day_before) == 0  # idempotent


def test_video_session_reminder_has_the_join_link(db, leader, group, create_member):
    enrolment = create_member()
    operations.add_member(leader, group, enrolment, now=NOW)
    request = SessionsRequest(modality=Modality.VIDEO, first_start=local(MONDAY, time(10)), weeks=1, minutes=90)
    [session] = operations.book_sessions(leader, group, request, now=NOW).booked
    session.created_at = NOW
    assert queue_due_reminders(session.starts_at - timedelta(minutes=60)) == 1
    reminder = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("reminder:60:%")))
    assert "/me/appointments" in reminder.body


# --- joining late ---------------------------------------------------------------------------

def test_late_member_joins_the_booked_coming_sessions(db, leader, group, create_member):
    operations.add_member(leader, group, create_member(), now=NOW)
    sessions = book_weeks(leader, group, weeks=3)
    first_over = sessions[0].ends_at + timedelta(minutes=1)
    late = create_member()
    joined = operations.add_member(leader, group, late, now=first_over)
    assert [a.id for a in joined.sessions] == [a.id for a in sessions[1:]] and not joined.conflicts
    assert late.client_id not in client_keys(sessions[0])  # the past session is left as it was
    assert all(late.client_id in client_keys(a) for a in sessions[1:])
    # The late member is told once, about the first session they now have; the others hear nothing new.
    [notice] = notices("booked", late.client_id)
    assert notice.appointment_id == sessions[1].id


def test_late_member_booked_elsewhere_is_reported_not_skipped(db, leader, group, create_member, create_staff):
    sessions = book_weeks(leader, group, weeks=3)
    late = create_member()
    other = create_staff(name="Other Worker")
    busy = sessions[1].starts_at + timedelta(minutes=30)
    book(other, BookingRequest(enrolment=late, contact_type="individual", modality=Modality.RECEPTION,
                               starts_at=busy, minutes=45, urgent=True), now=NOW)
    joined = operations.add_member(leader, group, late, now=NOW)
    assert [a.id for a in joined.sessions] == [sessions[0].id, sessions[2].id]
    [(appointment, reason)] = joined.conflicts
    assert appointment.id == sessions[1].id and "already has another appointment" in reason
    assert late.client_id not in client_keys(sessions[1])


# --- leaving ---------------------------------------------------------------------------------

def test_leaving_member_is_told_and_their_reminders_are_withdrawn(db, leader, group, create_member):
    staying, leaving = create_member(), create_member()
    operations.add_member(leader, group, staying, now=NOW)
    member = operations.add_member(leader, group, leaving, now=NOW).member
    sessions = book_weeks(leader, group, weeks=2)
    for session in sessions:
        session.created_at = NOW
    queue_due_reminders(sessions[0].starts_at - timedelta(days=1))
    day_before = sessions[0].starts_at - timedelta(days=1, minutes=-5)
    operations.remove_member(leader, member, now=day_before)
    assert sorted(m.appointment_id for m in notices("cancelled", leaving.client_id)) == sorted(s.id for s in sessions)
    assert notices("cancelled", staying.client_id) == []  # the sessions go on for them
    waiting = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("reminder:%"))).all()
    assert [m.client_id for m in waiting] == [staying.client_id]


def test_a_reminder_for_a_member_who_left_is_not_sent(db, leader, group, create_member, app):
    leaving = create_member()
    member = operations.add_member(leader, group, leaving, now=NOW).member
    [session] = book_weeks(leader, group, weeks=1)
    session.created_at = NOW
    queue_due_reminders(session.starts_at - timedelta(days=1))
    reminder = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("reminder:%")))
    # Taken off the session by another way than leaving (no withdrawal): the sender still checks.
    session.participants = [p for p in session.participants if p.client_id != leaving.client_id]
    db.session.flush()
    send_due(session.starts_at - timedelta(hours=20))
    db.session.refresh(reminder)
    assert reminder.status is OutboxStatus.FAILED and "no longer takes part" in reminder.last_error
    assert member.left_at is None


# --- closing ---------------------------------------------------------------------------------

def test_closing_cancels_coming_sessions_tells_members_and_keeps_attendance(db, leader, group, create_member):
    enrolments = [create_member() for _ in range(2)]
    for enrolment in enrolments:
        operations.add_member(leader, group, enrolment, now=NOW)
    sessions = book_weeks(leader, group, weeks=3)
    held = sessions[0]
    after_first = held.ends_at + timedelta(minutes=5)
    operations.record_attendance(leader, group, held, {e.client_id: AttendanceStatus.ATTENDED for e in enrolments},
                                 now=after_first)
    cancelled = operations.close_group(leader, group, "Ryhmä päättyy", now=after_first)
    assert [a.id for a in cancelled] == [a.id for a in sessions[1:]]
    assert all(a.status is AppointmentStatus.CANCELLED and a.cancel_reason == "Ryhmä päättyy" for a in sessions[1:])
    assert all(not p.blocking for a in sessions[1:] for p in a.participants)  # everyone's time is free again
    assert held.status is AppointmentStatus.HELD and len(db.session.scalars(select(Attendance)).all()) == 2
    assert group.closed and group.closed_at == after_first and len(group.current_members) == 2
    cancel_notices = notices("cancelled")
    assert sorted((m.appointment_id, m.client_id) for m in cancel_notices) == sorted(
        (a.id, e.client_id) for a in sessions[1:] for e in enrolments)


def test_a_closed_group_takes_no_members_sessions_or_second_closing(db, leader, group, create_member):
    member = operations.add_member(leader, group, create_member(), now=NOW).member
    operations.close_group(leader, group, now=NOW)
    with pytest.raises(GroupError, match="closed"):
        operations.add_member(leader, group, create_member(), now=NOW)
    with pytest.raises(GroupError, match="closed"):
        book_weeks(leader, group)
    with pytest.raises(GroupError, match="closed"):
        operations.remove_member(leader, member, now=NOW)
    with pytest.raises(GroupError, match="closed"):
        operations.close_group(leader, group, now=NOW)


def test_client_without_messages_gets_no_notice_but_is_still_booked(db, leader, group, create_member):
    enrolment = create_member()
    enrolment.client.preferred_channel = ContactChannel.PHONE
    operations.add_member(leader, group, enrolment, now=NOW)
    [session] = book_weeks(leader, group, weeks=1)
    assert enrolment.client_id in client_keys(session) and notices("booked") == []


# --- the pages ---------------------------------------------------------------------------------

@pytest.fixture
def frozen(monkeypatch):
    for module in (operations, routes):
        monkeypatch.setattr(module, "utcnow", lambda: NOW)


def test_close_page_lists_what_is_cancelled_and_closes(client, db, login, leader, group, create_member, frozen):
    operations.add_member(leader, group, create_member(), now=NOW)
    sessions = book_weeks(leader, group, weeks=2)
    db.session.commit()
    login(leader)
    page = client.get(f"/work/groups/{group.id}").get_data(as_text=True)
    assert f"/work/groups/{group.id}/close" in page
    response = client.get(f"/work/groups/{group.id}/close")
    assert response.status_code == 200 and "These coming sessions will be cancelled" in response.get_data(as_text=True)
    response = client.post(f"/work/groups/{group.id}/close", data={"reason": "Kesätauko"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Group, group.id).closed
    assert all(db.session.get(type(a), a.id).status is AppointmentStatus.CANCELLED for a in sessions)
    page = client.get(f"/work/groups/{group.id}", follow_redirects=True).get_data(as_text=True)
    assert "The group was closed on" in page and "Book sessions" not in page and "Remove " not in page
    response = client.post(f"/work/groups/{group.id}/close", data={})
    assert response.status_code == 400 and "The group has been closed." in response.get_data(as_text=True)


def test_close_reason_too_long_is_400_and_closes_nothing(client, db, login, leader, group, frozen):
    db.session.commit()
    login(leader)
    response = client.post(f"/work/groups/{group.id}/close", data={"reason": "x" * 1001})
    assert response.status_code == 400 and "at most 1000 characters" in response.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(Group, group.id).closed


def test_adding_a_member_reports_the_sessions_they_could_not_join(client, db, login, leader, group, create_member,
                                                                  create_staff, frozen):
    sessions = book_weeks(leader, group, weeks=2)
    late = create_member()
    book(create_staff(name="Other Worker"), BookingRequest(
        enrolment=late, contact_type="individual", modality=Modality.RECEPTION,
        starts_at=sessions[0].starts_at, minutes=45, urgent=True), now=NOW)
    db.session.commit()
    login(leader)
    page = client.post(f"/work/groups/{group.id}/members", data={"enrolment": str(late.id)},
                       follow_redirects=True).get_data(as_text=True)
    assert "was added to the group. Coming sessions they were added to: 1." in page
    assert "Not added to the session on" in page and "already has another appointment at that time" in page


def test_other_worker_cannot_close_a_group(client, db, login, group, create_staff):
    db.session.commit()
    login(create_staff(Role.WORKER, name="Someone Else"))
    assert client.get(f"/work/groups/{group.id}/close").status_code == 403
    assert client.post(f"/work/groups/{group.id}/close").status_code == 403
    db.session.expire_all()
    assert not db.session.get(Group, group.id).closed
