"""The demo county's closed groups: built from the intensive-rehabilitation workers' weekly sessions, with
attendance read from the members' contact records and a weekly series ahead for every current member."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.demo.seed import seed_demo
from portal.groups.models import Attendance, AttendanceStatus, Group, GroupSession
from portal.meetings.models import ContactStatus
from portal.programmes.models import EnrolmentStatus
from portal.scheduling.models import Appointment, AppointmentStatus
from portal.scheduling.timeutil import holiday_name
from tests.demo.test_seed import fresh_database

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, tzinfo=ZoneInfo("Europe/Helsinki"))


@pytest.fixture(scope="module")
def demo(sqlite_template, tmp_path_factory):
    with fresh_database(sqlite_template, tmp_path_factory.mktemp("groups-demo")) as (session, definitions):
        seed_demo(session, definitions, seed=2026, today=TODAY)
        session.commit()
        yield session


def sessions_of(session, group: Group) -> list[Appointment]:
    return list(session.scalars(select(Appointment).join(GroupSession).where(GroupSession.group_id == group.id)
                                .order_by(Appointment.starts_at)))


def test_each_group_leading_worker_has_an_intensive_rehabilitation_group(demo):
    groups = demo.scalars(select(Group).order_by(Group.id)).all()
    assert groups and all(g.programme_code == "intensive-rehabilitation" and not g.closed for g in groups)
    assert "anna.korhonen@silta.example" in {g.leader.email for g in groups}  # a README login leads one
    for group in groups:
        assert 2 <= len(group.current_members) <= group.capacity
        assert all(m.enrolment.status is EnrolmentStatus.ACTIVE for m in group.current_members)
        assert all(m.left_at is not None for m in group.members if m.enrolment.status is not EnrolmentStatus.ACTIVE)


def test_past_sessions_have_attendance_matching_the_contact_records(demo):
    expected = {AttendanceStatus.ATTENDED: ContactStatus.HELD, AttendanceStatus.ABSENT: ContactStatus.NO_SHOW,
                AttendanceStatus.EXCUSED: ContactStatus.CANCELLED}
    marks = demo.scalars(select(Attendance)).all()
    assert len(marks) > 50
    assert {m.status for m in marks} == set(AttendanceStatus)
    for mark in marks:
        assert mark.contact.status is expected[mark.status]
        assert mark.contact.enrolment.client_id == mark.client_id
    for group in demo.scalars(select(Group)):
        held = [a for a in sessions_of(demo, group) if a.status is AppointmentStatus.HELD]
        assert held and all(demo.scalar(select(Attendance).where(Attendance.appointment_id == a.id)) for a in held)


def test_a_weekly_series_ahead_has_every_current_member(demo):
    for group in demo.scalars(select(Group)):
        coming = [a for a in sessions_of(demo, group) if a.starts_at >= NOW and a.active]
        assert coming[-1].starts_at - coming[0].starts_at >= timedelta(weeks=6)
        assert not any(holiday_name(a.starts_at.astimezone(NOW.tzinfo).date()) for a in coming)
        members = {m.client_id for m in group.current_members}
        for appointment in coming:
            assert {p.client_id for p in appointment.participants if p.client_id} == members
            assert all(p.blocking for p in appointment.participants)
