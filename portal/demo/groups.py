"""Demo closed groups: each intensive-rehabilitation worker's Wednesday group becomes a ``Group``.

The history (``history.py``) already books the workers' weekly group sessions and writes one contact
record per member, so the groups are built from them rather than invented beside them:

- the group's members are the clients who took part (those whose service has ended left when it ended);
- every session is linked to the group, and each held or missed past session gets the members'
  attendance, read from their contact records (held → attended, no-show → absent, cancelled → excused);
- ahead, the weekly series runs on to ``WEEKS_AHEAD`` weeks from today (not on public holidays) with
  every current member.

Rows are built directly in the seeder's session (the operations need a request's user). A member who is
booked elsewhere at a coming session's time is left out of that session, as ``book_sessions`` does;
the database's no-double-booking rule is the check (a savepoint per row).
Deterministic: the only clock is ``today``.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.groups.models import MAX_CAPACITY, Attendance, AttendanceStatus, Group, GroupMember, GroupSession
from portal.meetings.models import Contact, ContactStatus
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.scheduling.models import ACTIVE_STATUSES, Appointment, Participant, ParticipantRole
from portal.scheduling.timeutil import holiday_name

HELSINKI = ZoneInfo("Europe/Helsinki")
PROGRAMME = "intensive-rehabilitation"
GROUP_TYPE = "group-session"
WEEKS_AHEAD = 8
NAMES = ["Keskiviikon toipumisryhmä", "Arjen taidot -ryhmä", "Vertaisryhmä"]
ATTENDANCE = {ContactStatus.HELD: AttendanceStatus.ATTENDED, ContactStatus.NO_SHOW: AttendanceStatus.ABSENT,
              ContactStatus.CANCELLED: AttendanceStatus.EXCUSED}


def seed_groups(session: Session, today: date) -> list[Appointment]:
    """One closed group per worker who holds intensive-rehabilitation group sessions; returns the sessions
    booked ahead (new appointments, for the seed's summary)."""
    now = datetime(today.year, today.month, today.day, tzinfo=HELSINKI)
    sessions = list(session.scalars(
        select(Appointment).where(Appointment.programme_code == PROGRAMME, Appointment.contact_type == GROUP_TYPE)
        .order_by(Appointment.starts_at, Appointment.id)))
    by_leader: dict[int, list[Appointment]] = {}
    for appointment in sessions:
        by_leader.setdefault(_host(appointment).user_id, []).append(appointment)
    return [booked for i, (leader_id, appointments) in enumerate(sorted(by_leader.items()))
            for booked in _build_group(session, leader_id, appointments, NAMES[i % len(NAMES)], now)]


def _build_group(session: Session, leader_id: int, appointments: list[Appointment], name: str,
                 now: datetime) -> list[Appointment]:
    enrolments = _enrolments(session, appointments)
    units = Counter(e.unit_id for e in enrolments.values())
    group = Group(programme_code=PROGRAMME, unit_id=units.most_common(1)[0][0], name=name,
                  capacity=min(max(len(enrolments) + 2, 8), MAX_CAPACITY), leader_id=leader_id,
                  created_at=appointments[0].created_at)
    session.add(group)
    session.flush()
    _add_members(session, group, enrolments, appointments)
    session.add_all(GroupSession(group_id=group.id, appointment_id=a.id) for a in appointments)
    _record_attendance(session, appointments, enrolments, leader_id, now)
    ahead = _book_ahead(session, group, appointments, enrolments, now)
    session.flush()
    return ahead


def _host(appointment: Appointment) -> Participant:
    return next(p for p in appointment.participants if p.role is ParticipantRole.HOST)


def _enrolments(session: Session, appointments: list[Appointment]) -> dict[int, Enrolment]:
    """Each taking-part client's intensive-rehabilitation enrolment, by client id."""
    client_ids = {p.client_id for a in appointments for p in a.participants if p.client_id is not None}
    rows = session.scalars(select(Enrolment).where(Enrolment.programme_code == PROGRAMME,
                                                  Enrolment.client_id.in_(client_ids)).order_by(Enrolment.start_on))
    return {e.client_id: e for e in rows}  # the latest enrolment wins for a client enrolled twice


def _add_members(session: Session, group: Group, enrolments: dict[int, Enrolment],
                 appointments: list[Appointment]) -> None:
    first_session = {}
    for appointment in appointments:
        for participant in appointment.participants:
            if participant.client_id is not None:
                first_session.setdefault(participant.client_id, appointment.starts_at)
    for client_id, enrolment in sorted(enrolments.items()):
        joined = min(first_session[client_id], _start(enrolment))
        left = None
        if enrolment.status is not EnrolmentStatus.ACTIVE:
            left = max(joined, datetime(enrolment.ended_on.year, enrolment.ended_on.month, enrolment.ended_on.day,
                                        16, tzinfo=HELSINKI)) if enrolment.ended_on else joined
        session.add(GroupMember(group_id=group.id, enrolment_id=enrolment.id, joined_at=joined, left_at=left))


def _start(enrolment: Enrolment) -> datetime:
    day = enrolment.start_on
    return datetime(day.year, day.month, day.day, 9, tzinfo=HELSINKI)


def _record_attendance(session: Session, appointments: list[Appointment], enrolments: dict[int, Enrolment],
                       leader_id: int, now: datetime) -> None:
    """The members' contact records of each past session become its attendance marks."""
    past = [a for a in appointments if a.starts_at < now and a.status not in ACTIVE_STATUSES]
    contacts = {(c.enrolment_id, c.starts_at): c for c in session.scalars(
        select(Contact).where(Contact.contact_type == GROUP_TYPE,
                              Contact.enrolment_id.in_([e.id for e in enrolments.values()])))}
    for appointment in past:
        for participant in appointment.participants:
            enrolment = enrolments.get(participant.client_id)
            contact = contacts.get((enrolment.id, appointment.starts_at)) if enrolment else None
            if contact is None or contact.status not in ATTENDANCE:
                continue
            session.add(Attendance(appointment_id=appointment.id, client_id=participant.client_id,
                                   status=ATTENDANCE[contact.status], contact_id=contact.id,
                                   recorded_at=appointment.ends_at, recorded_by_id=leader_id))


def _book_ahead(session: Session, group: Group, appointments: list[Appointment], enrolments: dict[int, Enrolment],
                now: datetime) -> list[Appointment]:
    """Every current member in the coming sessions, and the weekly series on to ``WEEKS_AHEAD`` weeks."""
    members = [e.client_id for e in enrolments.values() if e.status is EnrolmentStatus.ACTIVE]
    coming, ahead = [a for a in appointments if a.starts_at >= now and a.active], []
    last = appointments[-1]
    key, week = str(uuid.uuid4()), timedelta(weeks=1)
    starts = last.starts_at.astimezone(HELSINKI) + week  # the same Helsinki wall-clock time every week
    while starts < now:
        starts += week
    while starts < now + timedelta(weeks=WEEKS_AHEAD):
        appointment = None if holiday_name(starts.date()) else _next_session(session, last, starts, key)
        if appointment is not None:
            session.add(GroupSession(group_id=group.id, appointment_id=appointment.id))
            coming.append(appointment)
            ahead.append(appointment)
        starts += week
    for appointment in coming:
        taking_part = {p.client_id for p in appointment.participants}
        for client_id in members:
            if client_id not in taking_part:
                _try_add(session, Participant(
                    appointment_id=appointment.id, role=ParticipantRole.CLIENT, client_id=client_id,
                    person_key=f"c:{client_id}", busy_from=appointment.starts_at, busy_until=appointment.ends_at))
        session.expire(appointment, ["participants"])
    return ahead


def _next_session(session: Session, last: Appointment, starts: datetime, key: str) -> Appointment | None:
    length = last.ends_at - last.starts_at
    appointment = Appointment(programme_code=PROGRAMME, enrolment_id=None, contact_type=GROUP_TYPE,
                              modality=last.modality, starts_at=starts, ends_at=starts + length, place=last.place,
                              travel_minutes=0, organizer_id=_host(last).user_id, series_key=key,
                              created_at=last.created_at)
    leader = _host(last).user_id
    appointment.participants = [Participant(role=ParticipantRole.HOST, user_id=leader, person_key=f"u:{leader}",
                                            busy_from=starts, busy_until=starts + length)]
    return appointment if _try_add(session, appointment) else None


def _try_add(session: Session, row) -> bool:
    """Insert one row in a savepoint; False when the database refuses it as a double booking."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as exc:
        if "no_overlap" not in str(exc.orig):
            raise
        return False
    return True
