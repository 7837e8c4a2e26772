"""Every change to a group: creating it, its members, booking its sessions, recording attendance, closing it.

Members and sessions stay in step: a member who joins is added to the sessions already booked ahead
(a member booked elsewhere at that time is reported for that session, not skipped silently), a member
who leaves is taken off them, and closing the group cancels them. Each of these tells the clients
concerned through the scheduling signals, so group sessions' notices and reminders go through the same
outbox and job runner as one-to-one appointments.

Each writes an audit record (with the member's client where a member's data changes) and flushes;
the request commits once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from portal import signals
from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.groups.models import Attendance, AttendanceStatus, Group, GroupMember, GroupSession
from portal.i18n import _, _l
from portal.meetings.models import ContactStatus
from portal.meetings.operations import ContactRecord, write_contact
from portal.people.models import Client
from portal.programmes import registry
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.scheduling import availability, rules
from portal.scheduling import operations as scheduling
from portal.scheduling.availability import Occurrence
from portal.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentStatus, Participant, ParticipantRole
from portal.scheduling.operations import _insert, conflict_message
from portal.scheduling.rules import BookingError
from portal.scheduling.timeutil import overlaps_any

FEATURE = "groups"

MESSAGES = {
    "full": _l("The group is full."),
    "programme": _l("The client's service is not in this group's programme."),
    "inactive": _l("The client's service has ended: they cannot join a group."),
    "duplicate": _l("The client is already a member of this group."),
    "closed": _l("The group has been closed."),
    "no_group_type": _l("This programme has no group sessions."),
    "not_session": _l("This appointment is not a session of this group."),
    "not_started": _l("Attendance can be recorded once the session has begun."),
    "cancelled": _l("The session was cancelled."),
    "not_member": _l("Attendance can only be recorded for the session's members."),
}

# An excused absence is a contact cancelled in advance, not a no-show.
CONTACT_STATUS = {AttendanceStatus.ATTENDED: ContactStatus.HELD, AttendanceStatus.ABSENT: ContactStatus.NO_SHOW,
                  AttendanceStatus.EXCUSED: ContactStatus.CANCELLED}


class GroupError(BookingError):
    """A change the group's rules do not allow; ``str()`` gives the translated message."""


def group_contact_type(programme_code: str):
    """The programme's group contact type, or None."""
    definition = registry.definition(programme_code)
    return next((c for c in definition.contact_types if c.group), None) if definition else None


def create_group(actor: User, *, programme_code: str, unit_id: int, name: str, capacity: int,
                 leader: User) -> Group:
    """Create a closed group with its leader; members are added one by one."""
    if group_contact_type(programme_code) is None:
        raise GroupError(MESSAGES["no_group_type"])
    group = Group(programme_code=programme_code, unit_id=unit_id, name=name.strip(), capacity=capacity,
                  leader=leader)
    db.session.add(group)
    db.session.flush()
    record(actor, AuditAction.CREATE, FEATURE, "group", group.id)
    return group


@dataclass(frozen=True)
class Joined:
    """A new member, the coming sessions they were added to, and those they could not join (with why)."""

    member: GroupMember
    sessions: tuple[Appointment, ...] = ()
    conflicts: tuple[tuple[Appointment, str], ...] = ()


def add_member(actor: User, group: Group, enrolment: Enrolment, now: datetime | None = None) -> Joined:
    """Add a client through their active enrolment in the group's programme, within the capacity,
    and to the group's sessions already booked ahead."""
    now = now or utcnow()
    _check_joinable(group, enrolment)
    member = next((m for m in group.members if m.enrolment_id == enrolment.id), None)
    if member is None:
        member = GroupMember(group=group, enrolment=enrolment, joined_at=now)
        db.session.add(member)
    else:  # a former member rejoins: the same row, a new start
        member.joined_at, member.left_at = now, None
    db.session.flush()
    record(actor, AuditAction.CREATE, FEATURE, "group_member", member.id, enrolment.client_id)
    return _join_coming_sessions(actor, member, now)


def _join_coming_sessions(actor: User, member: GroupMember, now: datetime) -> Joined:
    added, conflicts = [], []
    for appointment in coming_sessions(member.group_id, now):
        if any(p.client_id == member.client_id for p in appointment.participants):
            continue
        try:
            scheduling.add_client(appointment, member.client_id)
        except BookingError:
            conflicts.append((appointment, _("%(name)s already has another appointment at that time.",
                                             name=member.enrolment.client.full_name)))
            continue
        added.append(appointment)
        record(actor, AuditAction.UPDATE, "scheduling", "appointment", appointment.id, member.client_id,
               {"fields": ["participants"]})
    if added:  # one notice for the sessions, as for any series
        signals.appointment_booked.send(actor, appointment=added[0], client_ids=[member.client_id])
    return Joined(member, tuple(added), tuple(conflicts))


def _check_joinable(group: Group, enrolment: Enrolment) -> None:
    if group.closed:
        raise GroupError(MESSAGES["closed"])
    if enrolment.programme_code != group.programme_code:
        raise GroupError(MESSAGES["programme"])
    if enrolment.status is not EnrolmentStatus.ACTIVE:
        raise GroupError(MESSAGES["inactive"])
    current = group.current_members
    if any(m.enrolment_id == enrolment.id or m.client_id == enrolment.client_id for m in current):
        raise GroupError(MESSAGES["duplicate"])
    if len(current) >= group.capacity:
        raise GroupError(MESSAGES["full"])


def remove_member(actor: User, member: GroupMember, now: datetime | None = None) -> list[Appointment]:
    """The member leaves: they are taken off the group's sessions that have not begun (and told, one
    notice per session, since each was a booking of theirs); returns those. Past attendance stays."""
    now = now or utcnow()
    if member.group.closed:
        raise GroupError(MESSAGES["closed"])
    member.left_at = now
    key = availability.client_key(member.client_id)
    future = [a for a in coming_sessions(member.group_id, now) if any(p.person_key == key for p in a.participants)]
    for appointment in future:
        appointment.participants = [p for p in appointment.participants if p.person_key != key]
    db.session.flush()
    record(actor, AuditAction.UPDATE, FEATURE, "group_member", member.id, member.client_id,
           {"fields": ["left_at"], "sessions_left": len(future)})
    for appointment in future:
        signals.appointment_cancelled.send(actor, appointment=appointment, client_ids=[member.client_id])
    return future


def close_group(actor: User, group: Group, reason: str | None = None, now: datetime | None = None) -> list[Appointment]:
    """End the group: no more members or sessions, and its coming sessions are cancelled (every member
    is told through the usual cancellation notice). Held sessions, attendance and the member list stay
    as they were, for the records and reports. Returns the cancelled sessions."""
    now = now or utcnow()
    if group.closed:
        raise GroupError(MESSAGES["closed"])
    coming = coming_sessions(group.id, now)
    for appointment in coming:
        scheduling.cancel(actor, appointment, reason)
    group.closed, group.closed_at = True, now
    db.session.flush()
    record(actor, AuditAction.UPDATE, FEATURE, "group", group.id, None,
           {"fields": ["closed"], "sessions_cancelled": len(coming)})
    return coming


def coming_sessions(group_id: int, now: datetime) -> list[Appointment]:
    """The group's active sessions that have not begun, soonest first."""
    return list(db.session.scalars(
        select(Appointment).join(GroupSession)
        .where(GroupSession.group_id == group_id, Appointment.starts_at > now, Appointment.status.in_(ACTIVE_STATUSES))
        .order_by(Appointment.starts_at, Appointment.id)))


def _sessions(group_id: int) -> list[Appointment]:
    return list(db.session.scalars(select(Appointment).join(GroupSession).where(GroupSession.group_id == group_id)))


# --- sessions -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SessionOutcome:
    """One planned session: booked (perhaps without some members, each named with the reason) or not."""

    occurrence: Occurrence
    appointment: Appointment | None = None
    reasons: tuple = ()  # why it was not booked
    left_out: tuple = ()  # booked, but these members could not take part

    @property
    def booked(self) -> bool:
        return self.appointment is not None


@dataclass(frozen=True)
class SessionsResult:
    series_key: str
    outcomes: tuple[SessionOutcome, ...]

    @property
    def booked(self) -> list[Appointment]:
        return [o.appointment for o in self.outcomes if o.appointment is not None]

    @property
    def conflicts(self) -> list[SessionOutcome]:
        return [o for o in self.outcomes if not o.booked]

    @property
    def partial(self) -> list[SessionOutcome]:
        return [o for o in self.outcomes if o.booked and o.left_out]


@dataclass(frozen=True)
class SessionsRequest:
    modality: Modality
    first_start: datetime
    weeks: int
    minutes: int
    place: str | None = None


def book_sessions(actor: User, group: Group, request: SessionsRequest, now: datetime | None = None) -> SessionsResult:
    """Book a weekly series of sessions for the leader and the current members.

    The leader's time is planned like any series (working hours, holidays, absences, bookings): a
    session the leader cannot hold is not booked, with every reason. A member booked elsewhere at that
    time is left out of that one session and named in the result, never dropped silently.
    """
    now = now or utcnow()
    _check_session_request(group, request, now)
    plan = availability.plan_series([group.leader_id], None, request.minutes, request.first_start,
                                    weeks=request.weeks)
    members = group.current_members
    clients = {m.client_id: db.session.get(Client, m.client_id) for m in members}
    times = [o.starts_at for o in plan.occurrences if o.starts_at is not None]
    busy = availability.busy_intervals([availability.client_key(c) for c in clients], min(times, default=now),
                                       max(times, default=now) + timedelta(minutes=request.minutes))
    key = str(uuid.uuid4())
    names = {availability.user_key(group.leader_id): group.leader.display_name}
    outcomes = tuple(_book_session(actor, group, request, occurrence, clients, busy, names, key, now)
                     for occurrence in plan.occurrences)
    result = SessionsResult(key, outcomes)
    if result.booked:  # one notice for the series (its first session) to every member in it, as for any series
        signals.appointment_booked.send(actor, appointment=result.booked[0])
    return result


def _check_session_request(group: Group, request: SessionsRequest, now: datetime) -> None:
    if group.closed:
        raise GroupError(MESSAGES["closed"])
    contact_type = group_contact_type(group.programme_code)
    if contact_type is None:
        raise GroupError(MESSAGES["no_group_type"])
    if request.modality not in contact_type.modalities:
        raise GroupError(rules.MESSAGES["modality"])
    if not 5 <= request.minutes <= 480:
        raise GroupError(rules.MESSAGES["length"])
    if request.first_start <= now:
        raise GroupError(rules.MESSAGES["past"])


def _book_session(actor: User, group: Group, request: SessionsRequest, occurrence: Occurrence,
                  clients: dict[int, Client], busy: dict, names: dict[str, str], key: str,
                  now: datetime) -> SessionOutcome:
    if not occurrence.free:
        return SessionOutcome(occurrence, reasons=tuple(conflict_message(c, names) for c in occurrence.conflicts))
    if occurrence.starts_at <= now:
        return SessionOutcome(occurrence, reasons=(rules.MESSAGES["past"],))
    taken = [c for c in clients.values() if overlaps_any(
        busy[availability.client_key(c.id)], occurrence.starts_at, occurrence.ends_at)]
    joining = [c for c in clients.values() if c not in taken]
    appointment = Appointment(
        programme_code=group.programme_code, enrolment_id=None, contact_type=group_contact_type(
            group.programme_code).code, modality=request.modality, starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at, place=request.place, travel_minutes=0, organizer=actor, series_key=key)
    appointment.participants = _participants(group.leader, joining, occurrence)
    try:
        _insert(appointment)
    except BookingError as exc:  # booked meanwhile by someone else
        return SessionOutcome(occurrence, reasons=(exc.message,))
    db.session.add(GroupSession(group_id=group.id, appointment_id=appointment.id))
    db.session.flush()
    record(actor, AuditAction.CREATE, FEATURE, "group_session", appointment.id)
    for client in joining:
        record(actor, AuditAction.CREATE, "scheduling", "appointment", appointment.id, client.id)
    left_out = tuple(_("%(name)s already has another appointment at that time and was not added to this "
                       "session.", name=c.full_name) for c in taken)
    return SessionOutcome(occurrence, appointment=appointment, left_out=left_out)


def _participants(leader: User, clients: list[Client], occurrence: Occurrence) -> list[Participant]:
    span = {"busy_from": occurrence.starts_at, "busy_until": occurrence.ends_at}
    return [Participant(role=ParticipantRole.HOST, user=leader, person_key=availability.user_key(leader.id), **span),
            *(Participant(role=ParticipantRole.CLIENT, client_id=c.id, person_key=availability.client_key(c.id),
                          **span) for c in clients)]


# --- attendance ---------------------------------------------------------------------------------

def record_attendance(actor: User, group: Group, appointment: Appointment,
                      statuses: dict[int, AttendanceStatus], now: datetime | None = None) -> list[Attendance]:
    """Record who came to a session that has begun; each member gets one contact record for reports.

    Recording again corrects the earlier marks (and their contact records). The session is then held.
    """
    now = now or utcnow()
    _check_attendance(group, appointment, statuses, now)
    enrolments = {m.client_id: m.enrolment for m in group.members}
    existing = {a.client_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.appointment_id == appointment.id))}
    rows = [_mark(actor, appointment, enrolments[client_id], status, existing.get(client_id), now)
            for client_id, status in statuses.items()]
    appointment.status = AppointmentStatus.HELD
    db.session.flush()
    record(actor, AuditAction.UPDATE, "scheduling", "appointment", appointment.id, None, {"fields": ["status"]})
    return rows


def _check_attendance(group: Group, appointment: Appointment, statuses: dict, now: datetime) -> None:
    if appointment.id not in {a.id for a in _sessions(group.id)}:
        raise GroupError(MESSAGES["not_session"])
    if appointment.status is AppointmentStatus.CANCELLED:
        raise GroupError(MESSAGES["cancelled"])
    if appointment.starts_at > now:
        raise GroupError(MESSAGES["not_started"])
    taking_part = {p.client_id for p in appointment.participants if p.client_id is not None}
    if not set(statuses) <= taking_part:
        raise GroupError(MESSAGES["not_member"])


def _mark(actor: User, appointment: Appointment, enrolment: Enrolment, status: AttendanceStatus,
          row: Attendance | None, now: datetime) -> Attendance:
    # The member's contact record is written like any other (portal/meetings); a group keeps its booked times.
    entry = ContactRecord(status=CONTACT_STATUS[status], modality=appointment.modality,
                          starts_at=appointment.starts_at, ends_at=appointment.ends_at,
                          worked_remotely=appointment.modality is Modality.VIDEO)
    contact = write_contact(actor, row.contact if row is not None else None, enrolment=enrolment,
                            contact_type=appointment.contact_type, entry=entry)
    if row is None:
        row = Attendance(appointment_id=appointment.id, client_id=enrolment.client_id, contact=contact,
                         recorded_by_id=actor.id)
        db.session.add(row)
        action = AuditAction.CREATE
    else:
        action = AuditAction.UPDATE
    row.status, row.recorded_at, row.recorded_by_id = status, now, actor.id
    db.session.flush()
    record(actor, action, FEATURE, "attendance", row.id, enrolment.client_id, {"fields": ["status"]})
    return row


def record_call_attendance(actor: User, appointment: Appointment, came: set[int],
                           now: datetime | None = None) -> list[Attendance]:
    """A session held by video: attendance from who actually joined the call (``came``: client ids).

    Marks already recorded (by the leader, by hand) stay as they are; an appointment that is no group
    session records nothing. GroupError as ``record_attendance`` (e.g. a call ended before its start).
    """
    link = db.session.scalar(select(GroupSession).where(GroupSession.appointment_id == appointment.id))
    if link is None:
        return []
    marked = set(db.session.scalars(select(Attendance.client_id).where(Attendance.appointment_id == appointment.id)))
    statuses = {p.client_id: AttendanceStatus.ATTENDED if p.client_id in came else AttendanceStatus.ABSENT
                for p in appointment.participants if p.client_id is not None and p.client_id not in marked}
    if not statuses:
        return []
    return record_attendance(actor, db.session.get(Group, link.group_id), appointment, statuses, now)
