"""Reads for the group pages, limited to what the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from portal.auth.models import Role, User
from portal.extensions import db
from portal.groups.models import Attendance, Group, GroupSession
from portal.groups.operations import group_contact_type
from portal.people.models import Client, OrgUnit, UnitMembership
from portal.people.permissions import enrolments_visible_to
from portal.programmes import registry
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.scheduling.models import Appointment, AppointmentStatus
from portal.scheduling.queries import team_of


def _led_units(user: User):
    return select(UnitMembership.unit_id).where(UnitMembership.user_id == user.id)


def visible_groups(user: User) -> list[Group]:
    """The groups the user leads, and as team lead the groups of their units."""
    seen = Group.leader_id == user.id
    if user.has_role(Role.TEAM_LEAD):
        seen = or_(seen, Group.unit_id.in_(_led_units(user)))
    return list(db.session.scalars(select(Group).where(seen).order_by(Group.closed, Group.name, Group.id)))


def can_see(user: User, group: Group) -> bool:
    if group.leader_id == user.id:
        return True
    return user.has_role(Role.TEAM_LEAD) and group.unit_id in set(db.session.scalars(_led_units(user)))


def units_of(user: User) -> list[OrgUnit]:
    """The units a new group can belong to: the user's own."""
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(_led_units(user))).order_by(OrgUnit.id)))


def possible_leaders(user: User) -> list[User]:
    """The user, and as team lead the case workers of their units."""
    leaders = team_of(user) if user.has_role(Role.TEAM_LEAD) else []
    return [user, *(u for u in leaders if u.id != user.id)]


def group_programmes() -> list[str]:
    """The programmes that have group sessions."""
    return [d.code for d in registry.all_definitions() if group_contact_type(d.code) is not None]


def joinable_enrolments(user: User, group: Group) -> list[Enrolment]:
    """Active enrolments in the group's programme the user works on, not already in the group."""
    current = {m.enrolment_id for m in group.current_members}
    rows = db.session.scalars(
        enrolments_visible_to(user).where(Enrolment.programme_code == group.programme_code,
                                          Enrolment.status == EnrolmentStatus.ACTIVE)
        .options(joinedload(Enrolment.client)).join(Client, Client.id == Enrolment.client_id)
        .order_by(Client.last_name, Client.first_name, Enrolment.id))
    return [e for e in rows if e.id not in current]


@dataclass(frozen=True)
class SessionRow:
    appointment: Appointment
    attendance: dict[int, Attendance]  # by client id

    @property
    def clients(self) -> list[Client]:
        return [p.client for p in self.appointment.participants if p.client_id is not None]

    @property
    def attendance_recordable(self) -> bool:
        """A past session that was not cancelled (operations.record_attendance checks the same)."""
        return self.appointment.status is not AppointmentStatus.CANCELLED


def sessions(group: Group, now: datetime) -> tuple[list[SessionRow], list[SessionRow]]:
    """The group's sessions with their attendance: upcoming (soonest first) and past (latest first)."""
    appointments = list(db.session.scalars(
        select(Appointment).join(GroupSession).where(GroupSession.group_id == group.id)
        .order_by(Appointment.starts_at)))
    marks = db.session.scalars(select(Attendance).where(Attendance.appointment_id.in_([a.id for a in appointments])))
    by_session: dict[int, dict[int, Attendance]] = {a.id: {} for a in appointments}
    for mark in marks:
        by_session[mark.appointment_id][mark.client_id] = mark
    rows = [SessionRow(a, by_session[a.id]) for a in appointments]
    return [r for r in rows if r.appointment.starts_at > now], [r for r in rows if r.appointment.starts_at <= now][::-1]


def session_of(group: Group, appointment_id: int) -> Appointment | None:
    return db.session.scalar(select(Appointment).join(GroupSession).where(
        GroupSession.group_id == group.id, Appointment.id == appointment_id))


def attendance_of(appointment: Appointment) -> dict[int, Attendance]:
    return {a.client_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.appointment_id == appointment.id))}
