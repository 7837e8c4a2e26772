"""Closed groups: capacity, who may join, leaving, sessions with conflicts, attendance → contacts;
the pages through the routes, bad input and who may enter."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import Role
from portal.groups import operations, routes
from portal.groups.models import Attendance, AttendanceStatus, Group
from portal.groups.operations import GroupError, SessionsRequest
from portal.meetings.models import Contact, ContactStatus
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import EnrolmentStatus
from portal.scheduling.models import AppointmentStatus
from portal.scheduling.operations import BookingRequest, book
from portal.scheduling.timeutil import local
from tests.groups.conftest import PROGRAMME

pytestmark = pytest.mark.usefixtures("english")

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
MONDAY = date(2026, 11, 23)


@pytest.fixture
def create_group(leader, unit):
    def factory(capacity: int = 8, name: str = "Tiistairyhmä"):
        return operations.create_group(leader, programme_code=PROGRAMME, unit_id=unit.id, name=name,
                                       capacity=capacity, leader=leader)

    return factory


@pytest.fixture
def group(create_group):
    return create_group()


def sessions_request(weeks: int = 3, at: time = time(10), minutes: int = 90) -> SessionsRequest:
    return SessionsRequest(modality=Modality.RECEPTION, first_start=local(MONDAY, at), weeks=weeks, minutes=minutes)


def test_members_up_to_capacity(db, leader, create_group, create_member):
    group = create_group(capacity=2)
    operations.add_member(leader, group, create_member())
    operations.add_member(leader, group, create_member())
    with pytest.raises(GroupError, match="The group is full."):
        operations.add_member(leader, group, create_member())
    assert len(group.current_members) == 2


def test_member_change_is_audited_with_the_client(db, leader, group, create_member):
    enrolment = create_member()
    member = operations.add_member(leader, group, enrolment).member
    entry = db.session.scalar(select(AuditRecord).where(AuditRecord.object_type == "group_member"))
    assert (entry.action, entry.client_id, entry.object_id) == (AuditAction.CREATE, enrolment.client_id,
                                                                 str(member.id))


def test_only_active_enrolments_in_the_programme_may_join(db, leader, group, create_member):
    with pytest.raises(GroupError, match="not in this group's programme"):
        operations.add_member(leader, group, create_member(programme="remote-guidance"))
    ended = create_member(status=EnrolmentStatus.ENDED, ended_on=MONDAY)
    with pytest.raises(GroupError, match="service has ended"):
        operations.add_member(leader, group, ended)


def test_no_duplicate_members(db, leader, group, create_member):
    enrolment = create_member()
    operations.add_member(leader, group, enrolment)
    with pytest.raises(GroupError, match="already a member"):
        operations.add_member(leader, group, enrolment)


def test_capacity_must_be_between_2_and_30(db, leader, unit):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        operations.create_group(leader, programme_code="intensive-rehabilitation", unit_id=unit.id, name="x",
                                capacity=31, leader=leader)


def test_series_books_leader_and_members(db, leader, group, create_member):
    members = [operations.add_member(leader, group, create_member()).member for _ in range(3)]
    result = operations.book_sessions(leader, group, sessions_request(weeks=3), now=NOW)
    assert len(result.booked) == 3 and not result.conflicts
    keys = {p.person_key for p in result.booked[0].participants}
    assert keys == {f"u:{leader.id}", *(f"c:{m.client_id}" for m in members)}
    assert all(a.enrolment_id is None and a.contact_type == "group-session" for a in result.booked)


def test_member_booked_elsewhere_is_reported_not_dropped_silently(db, leader, group, create_member, create_staff):
    busy, free = create_member(), create_member()
    for enrolment in (busy, free):
        operations.add_member(leader, group, enrolment)
    other_worker = create_staff(name="Other Worker")
    # The busy member has a one-to-one appointment with another worker in the second week.
    book(other_worker, BookingRequest(enrolment=busy, contact_type="individual", modality=Modality.RECEPTION,
                                      starts_at=local(MONDAY + timedelta(weeks=1), time(10, 30)), minutes=45),
         now=NOW)
    result = operations.book_sessions(leader, group, sessions_request(weeks=3), now=NOW)
    assert len(result.booked) == 3
    second = result.outcomes[1]
    assert len(second.left_out) == 1 and busy.client.full_name in str(second.left_out[0])
    assert f"c:{busy.client_id}" not in {p.person_key for p in second.appointment.participants}
    assert f"c:{free.client_id}" in {p.person_key for p in second.appointment.participants}
    assert result.partial == [second]


def test_leader_conflict_is_reported_with_its_reason(db, leader, group, create_member):
    operations.add_member(leader, group, create_member())
    result = operations.book_sessions(leader, group, sessions_request(weeks=2, at=time(17)), now=NOW)
    assert not result.booked and len(result.conflicts) == 2
    assert "outside Anna Korhonen's working hours" in str(result.conflicts[0].reasons[0])


def test_series_refuses_a_bad_request(db, leader, group):
    with pytest.raises(GroupError):
        operations.book_sessions(leader, group, sessions_request(), now=datetime(2027, 1, 1, tzinfo=NOW.tzinfo))
    with pytest.raises(GroupError):
        operations.book_sessions(leader, group, SessionsRequest(Modality.HOME_VISIT, local(MONDAY, time(10)), 1, 90),
                                 now=NOW)


def test_removed_member_leaves_future_sessions_only(db, leader, group, create_member):
    enrolment = create_member()
    member = operations.add_member(leader, group, enrolment).member
    operations.add_member(leader, group, create_member())
    result = operations.book_sessions(leader, group, sessions_request(weeks=3), now=NOW)
    after_first = result.booked[0].starts_at + timedelta(hours=2)
    left = operations.remove_member(leader, member, now=after_first)
    assert len(left) == 2 and member.left_at == after_first
    key = f"c:{enrolment.client_id}"
    assert key in {p.person_key for p in result.booked[0].participants}
    assert all(key not in {p.person_key for p in a.participants} for a in result.booked[1:])
    assert group.current_members and member not in group.current_members


def test_attendance_creates_one_contact_per_member(db, leader, group, create_member):
    came, away = create_member(), create_member()
    for enrolment in (came, away):
        operations.add_member(leader, group, enrolment)
    session = operations.book_sessions(leader, group, sessions_request(weeks=1), now=NOW).booked[0]
    later = session.ends_at + timedelta(minutes=5)
    statuses = {came.client_id: AttendanceStatus.ATTENDED, away.client_id: AttendanceStatus.ABSENT}
    operations.record_attendance(leader, group, session, statuses, now=later)
    contacts = {c.enrolment_id: c for c in db.session.scalars(select(Contact))}
    assert contacts[came.id].status is ContactStatus.HELD and contacts[came.id].duration_minutes == 90
    assert contacts[away.id].status is ContactStatus.NO_SHOW and contacts[away.id].duration_minutes is None
    assert session.status is AppointmentStatus.HELD
    # Correcting the marks updates the same records: still one contact per member.
    operations.record_attendance(leader, group, session, {away.client_id: AttendanceStatus.EXCUSED}, now=later)
    assert db.session.scalar(select(Contact).where(Contact.enrolment_id == away.id)).status is ContactStatus.CANCELLED
    assert len(db.session.scalars(select(Contact)).all()) == 2
    assert len(db.session.scalars(select(Attendance)).all()) == 2


def test_attendance_waits_for_the_session_and_its_members(db, leader, group, create_member):
    enrolment = create_member()
    operations.add_member(leader, group, enrolment)
    session = operations.book_sessions(leader, group, sessions_request(weeks=1), now=NOW).booked[0]
    with pytest.raises(GroupError, match="once the session has begun"):
        operations.record_attendance(leader, group, session, {enrolment.client_id: AttendanceStatus.ATTENDED}, now=NOW)
    with pytest.raises(GroupError, match="members"):
        operations.record_attendance(leader, group, session, {999999: AttendanceStatus.ATTENDED},
                                     now=session.ends_at)


# --- the pages ---------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    for module in (operations, routes):
        monkeypatch.setattr(module, "utcnow", lambda: NOW)


def new_group(**changes) -> dict:
    data = {"name": "Tiistairyhmä", "programme": PROGRAMME, "unit": "", "leader": "", "capacity": "6"}
    data.update(changes)
    return data


def test_worker_creates_a_group_and_adds_a_member(client, db, login, leader, unit, create_member):
    enrolment = create_member()
    login(leader)
    assert client.get("/work/groups/new").status_code == 200
    response = client.post("/work/groups/new", data=new_group(unit=str(unit.id), leader=str(leader.id)))
    assert response.status_code == 302
    group = db.session.scalar(select(Group))
    assert (group.name, group.capacity, group.leader_id) == ("Tiistairyhmä", 6, leader.id)
    response = client.post(f"/work/groups/{group.id}/members", data={"enrolment": str(enrolment.id)})
    assert response.status_code == 302
    page = client.get(f"/work/groups/{group.id}").get_data(as_text=True)
    assert enrolment.client.full_name in page and "1 of 6 places taken" in page
    assert "Tiistairyhmä" in client.get("/work/groups/").get_data(as_text=True)


def test_bad_group_input_is_400_and_keeps_the_values(client, login, leader, unit):
    login(leader)
    response = client.post("/work/groups/new", data=new_group(unit=str(unit.id), leader=str(leader.id),
                                                               name="Keskiviikon ryhmä", capacity="40"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Keskiviikon ryhmä"' in page and 'value="40"' in page and "Choose between 2 and 30 places." in page


def test_full_group_refuses_with_a_clear_message(client, db, login, leader, create_group, create_member):
    group = create_group(capacity=2)
    for _ in range(2):
        operations.add_member(leader, group, create_member())
    third = create_member()
    login(leader)
    response = client.post(f"/work/groups/{group.id}/members", data={"enrolment": str(third.id)})
    assert response.status_code == 400 and "The group is full." in response.get_data(as_text=True)


def test_remove_member(client, db, login, leader, group, create_member):
    member = operations.add_member(leader, group, create_member()).member
    login(leader)
    response = client.post(f"/work/groups/{group.id}/members/{member.id}/remove")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(member), member.id).left_at is not None


def test_booking_sessions_reports_each_week(client, db, login, leader, group, create_member):
    operations.add_member(leader, group, create_member())
    login(leader)
    assert client.get(f"/work/groups/{group.id}/sessions").status_code == 200
    data = {"modality": "reception", "day": MONDAY.isoformat(), "time": "15:00", "minutes": "90", "weeks": "2",
            "place": "Ryhmähuone"}
    response = client.post(f"/work/groups/{group.id}/sessions", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "0 of 2 sessions were booked." in page and "outside Anna Korhonen&#39;s working hours" in page
    response = client.post(f"/work/groups/{group.id}/sessions", data={**data, "time": "10:00"})
    assert "2 of 2 sessions were booked." in response.get_data(as_text=True)
    assert "Members: 1" in client.get(f"/work/groups/{group.id}").get_data(as_text=True)


def test_bad_session_input_is_400_and_keeps_the_values(client, login, leader, group):
    login(leader)
    data = {"modality": "reception", "day": MONDAY.isoformat(), "time": "10:00", "minutes": "2", "weeks": "3",
            "place": "Ryhmähuone"}
    response = client.post(f"/work/groups/{group.id}/sessions", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Ryhmähuone"' in page and 'value="2"' in page and "between 5 minutes and 8 hours" in page


def test_attendance_page_records_contacts(client, db, login, leader, group, create_member, monkeypatch):
    enrolment = create_member()
    operations.add_member(leader, group, enrolment)
    session = operations.book_sessions(leader, group, sessions_request(weeks=1), now=NOW).booked[0]
    later = session.ends_at + timedelta(minutes=1)
    for module in (operations, routes):
        monkeypatch.setattr(module, "utcnow", lambda: later)
    login(leader)
    url = f"/work/groups/{group.id}/sessions/{session.id}/attendance"
    assert enrolment.client.full_name in client.get(url).get_data(as_text=True)
    response = client.post(url, data={f"client-{enrolment.client_id}": "absent"})
    assert response.status_code == 302
    assert db.session.scalar(select(Contact).where(Contact.enrolment_id == enrolment.id)).status.value == "no_show"
    assert "Absent" in client.get(f"/work/groups/{group.id}").get_data(as_text=True)


def test_attendance_before_the_session_is_400(client, db, login, leader, group, create_member):
    enrolment = create_member()
    operations.add_member(leader, group, enrolment)
    session = operations.book_sessions(leader, group, sessions_request(weeks=1), now=NOW).booked[0]
    login(leader)
    response = client.post(f"/work/groups/{group.id}/sessions/{session.id}/attendance",
                           data={f"client-{enrolment.client_id}": "attended"})
    assert response.status_code == 400 and "once the session has begun" in response.get_data(as_text=True)
    assert db.session.scalar(select(Attendance)) is None


def _urls(group_id: int) -> list[tuple[str, str]]:
    return [("get", f"/work/groups/{group_id}"), ("post", f"/work/groups/{group_id}/members"),
            ("get", f"/work/groups/{group_id}/sessions"), ("post", f"/work/groups/{group_id}/sessions")]


def test_other_worker_gets_403(client, db, login, group, create_staff):
    login(create_staff(Role.WORKER))
    for method, url in _urls(group.id):
        assert getattr(client, method)(url).status_code == 403, url
    assert "Tiistairyhmä" not in client.get("/work/groups/").get_data(as_text=True)


def test_team_lead_of_the_unit_sees_the_group(client, db, login, group, create_staff):
    login(create_staff(Role.WORKER, Role.TEAM_LEAD))
    assert client.get(f"/work/groups/{group.id}").status_code == 200
    assert "Tiistairyhmä" in client.get("/work/groups/").get_data(as_text=True)


def test_team_lead_of_another_unit_gets_403(client, db, login, group, create_staff):
    login(create_staff(Role.TEAM_LEAD, in_unit=None))
    assert client.get(f"/work/groups/{group.id}").status_code == 403


def test_clients_admins_and_anonymous_are_refused(client, db, login, group, create_staff, create_client):
    assert client.get("/work/groups/").status_code == 302
    assert client.get(f"/work/groups/{group.id}").status_code == 302
    login(create_staff(Role.ADMIN))
    assert client.get("/work/groups/").status_code == 403
    assert client.get(f"/work/groups/{group.id}").status_code == 403
    client.post("/logout")
    login(create_client().user)
    assert client.get("/work/groups/").status_code == 403
    assert client.get(f"/work/groups/{group.id}").status_code == 403


def test_unknown_group_is_404(client, login, leader):
    login(leader)
    assert client.get("/work/groups/999999").status_code == 404


def test_removing_someone_elses_member_is_404(client, db, login, leader, create_group, create_member):
    first, second = create_group(name="A"), create_group(name="B")
    member = operations.add_member(leader, first, create_member()).member
    login(leader)
    assert client.post(f"/work/groups/{second.id}/members/{member.id}/remove").status_code == 404


def test_session_series_in_the_past_is_400(client, login, leader, group):
    login(leader)
    data = {"modality": "reception", "day": (MONDAY - timedelta(weeks=2)).isoformat(), "time": "10:00",
            "minutes": "90", "weeks": "1"}
    response = client.post(f"/work/groups/{group.id}/sessions", data=data)
    assert response.status_code == 400 and "already passed" in response.get_data(as_text=True)


def test_a_time_in_the_spring_gap_is_400(client, login, leader, group):
    login(leader)
    data = {"modality": "reception", "day": "2027-03-28", "time": "03:30", "minutes": "90", "weeks": "1"}
    response = client.post(f"/work/groups/{group.id}/sessions", data=data)
    assert response.status_code == 400 and "does not exist" in response.get_data(as_text=True)
