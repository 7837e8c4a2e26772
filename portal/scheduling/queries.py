"""Reads for the worker's calendar and the booking form, limited to what the viewer may see."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, exists, or_, select
from sqlalchemy.orm import selectinload

from portal.auth.models import AccountKind, User, UserRole
from portal.db import read, utcnow
from portal.extensions import db
from portal.people import preferences
from portal.people.models import Client, UnitMembership
from portal.people.permissions import can_see_client, visible_parameters, visible_statement
from portal.programmes import registry
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment, TeamMember
from portal.scheduling import availability, calendar, commitments
from portal.scheduling.models import ACTIVE_STATUSES, Absence, Appointment, Participant, ParticipantRole
from portal.scheduling.operations import TRAVEL_MINUTES, BookingRequest, SeriesOutcome, SeriesResult
from portal.scheduling.timeutil import Interval, as_helsinki, local_date, merge
from portal.web.access import CASEWORK_ROLES

WORKER_ROLES = (ParticipantRole.HOST, ParticipantRole.WORKER)
SLOT_SEARCH_DAYS = 28


@dataclass(frozen=True)
class CalendarItem:
    """An appointment as one viewer may see it: the client only when the viewer works with them."""

    appointment: Appointment
    client: Client | None
    group_size: int | None  # a group session's number of clients; None for one-to-one contacts
    co_workers: tuple[User, ...]
    can_cancel: bool

    @property
    def starts_at(self) -> datetime:
        return self.appointment.starts_at

    @property
    def ends_at(self) -> datetime:
        return self.appointment.ends_at

    @property
    def hidden_client(self) -> bool:
        return self.group_size is None and self.client is None


@dataclass(frozen=True)
class WorkerCalendar:
    worker: User
    days: list[calendar.CalendarDay]

    @property
    def items(self) -> list[CalendarItem]:
        return list(dict.fromkeys(item for day in self.days for item in day.items))


def calendars(viewer: User, workers: Sequence[User], days: Sequence[date], locale: str) -> list[WorkerCalendar]:
    """Each worker's days, with appointments, working hours, absences and free time (a fixed number of queries)."""
    start, end = calendar.span_of(days)
    ids = [w.id for w in workers]
    appointments = _appointments_of(ids, start, end)
    visible = _visible_clients(viewer, [a for rows in appointments.values() for a in rows])
    working = availability.working_windows(ids, days[0], days[-1])
    held = commitments.of_users(ids, start, end)
    busy = availability.busy_intervals([availability.user_key(i) for i in ids], start, end, held)
    away = _absences(ids, start, end)
    names, now = calendar.localised_holidays(days, locale), utcnow()
    return [WorkerCalendar(worker, calendar.lay_out(
        days, [_item(viewer, a, visible) for a in appointments.get(worker.id, [])],
        working=working.get(worker.id, []), busy=busy[availability.user_key(worker.id)],
        away=away.get(worker.id, []), holiday_names=names, today=local_date(now), now=now,
        commitments=held.get(worker.id, []),
    )) for worker in workers]


def _appointments_of(user_ids: Sequence[int], start: datetime, end: datetime) -> dict[int, list[Appointment]]:
    rows = db.session.execute(_appointments_statement(), {"user_ids": list(user_ids), "start": start, "end": end}).all()
    found: dict[int, list[Appointment]] = defaultdict(list)
    for user_id, appointment in rows:
        found[user_id].append(appointment)
    return found


# The calendar's statements are built once per process, with bind parameters: every calendar page runs them,
# and building one (its eager loads, its cache key) cost more CPU than running it (bench/pages.py).

@cache
def _appointments_statement() -> Select:
    return (select(Participant.user_id, Appointment)
            .join(Participant, Participant.appointment_id == Appointment.id)
            .where(Participant.user_id.in_(bindparam("user_ids", expanding=True)), Participant.role.in_(WORKER_ROLES),
                   Appointment.starts_at < bindparam("end"), Appointment.ends_at > bindparam("start"))
            .options(selectinload(Appointment.participants).joinedload(Participant.user),
                     selectinload(Appointment.participants).joinedload(Participant.client))
            .order_by(Appointment.starts_at))


def _visible_clients(viewer: User, appointments: Sequence[Appointment]) -> set[int]:
    """The clients taking part in ``appointments`` whom the viewer works with (one query)."""
    client_ids = {p.client_id for a in appointments for p in a.participants if p.client_id is not None}
    if not client_ids:
        return set()
    team_lead, params = visible_parameters(viewer)
    return set(read(_visible_clients_statement(team_lead), {**params, "client_ids": sorted(client_ids)}).scalars())


@cache
def _visible_clients_statement(team_lead: bool) -> Select:
    return (visible_statement(bindparam("user_id"), team_lead, bindparam("since"))
            .with_only_columns(Enrolment.client_id)
            .where(Enrolment.client_id.in_(bindparam("client_ids", expanding=True))))


def _item(viewer: User, appointment: Appointment, visible: set[int]) -> CalendarItem:
    clients = [p.client for p in appointment.participants if p.client_id is not None]
    workers = [p.user for p in appointment.participants if p.role in WORKER_ROLES]
    group = is_group(appointment)
    shown = None if group else next((c for c in clients if c.id in visible), None)
    takes_part = any(w.id == viewer.id for w in workers)
    client_visible = appointment.enrolment_id is not None and any(c.id in visible for c in clients)
    return CalendarItem(
        appointment=appointment, client=shown, group_size=len(clients) if group else None,
        co_workers=tuple(w for w in workers if w.id != viewer.id),
        can_cancel=appointment.active and (takes_part or client_visible),
    )


def is_group(appointment: Appointment) -> bool:
    """A group session: no single enrolment, or a contact type the programme defines as a group."""
    definition = registry.definition(appointment.programme_code)
    contact_type = definition.contact_type(appointment.contact_type) if definition else None
    return appointment.enrolment_id is None or bool(contact_type and contact_type.group)


def _absences(user_ids: Sequence[int], start: datetime, end: datetime) -> dict[int, list[Interval]]:
    rows = read(_absences_statement(), {"user_ids": list(user_ids), "start": start, "end": end}).all()
    found: dict[int, list[Interval]] = defaultdict(list)
    for user_id, starts_at, ends_at in rows:
        found[user_id].append((starts_at, ends_at))
    return {user_id: merge(intervals) for user_id, intervals in found.items()}


@cache
def _absences_statement() -> Select:
    return select(Absence.user_id, Absence.starts_at, Absence.ends_at).where(
        Absence.user_id.in_(bindparam("user_ids", expanding=True)), Absence.starts_at < bindparam("end"),
        Absence.ends_at > bindparam("start"))


def team_of(lead: User) -> list[User]:
    """The case workers in the units ``lead`` is a member of (and so leads), the lead included."""
    led_units = select(UnitMembership.unit_id).where(UnitMembership.user_id == lead.id)
    members = select(UnitMembership.user_id).where(UnitMembership.unit_id.in_(led_units))
    return list(db.session.scalars(
        select(User).where(User.id.in_(members), User.kind == AccountKind.STAFF, User.active,
                           exists().where(UserRole.user_id == User.id, UserRole.role.in_(CASEWORK_ROLES)))
        .order_by(User.display_name, User.id)
    ))


def colleagues_for(enrolment: Enrolment, actor: User) -> list[User]:
    """Who may be booked as the second worker: case workers of the enrolment's unit and its named workers."""
    named = or_(User.id.in_([i for i in (enrolment.coordinator_id, enrolment.deputy_id) if i]),
                User.id.in_(select(TeamMember.user_id).where(TeamMember.enrolment_id == enrolment.id)),
                User.id.in_(select(UnitMembership.user_id).where(UnitMembership.unit_id == enrolment.unit_id)))
    return list(db.session.scalars(
        select(User).where(named, User.id != actor.id, User.kind == AccountKind.STAFF, User.active,
                           exists().where(UserRole.user_id == User.id, UserRole.role.in_(CASEWORK_ROLES)))
        .order_by(User.display_name, User.id)
    ))


def call_slot_workers(enrolment: Enrolment, actor: User) -> list[User]:
    """Whose published call slots a booking for this enrolment may take: the actor's and their colleagues'."""
    return [actor, *colleagues_for(enrolment, actor)]


SPREAD_POOL = 40  # candidates per time offered: enough free days to spread over (the queries do not grow)


def free_slots(workers: Sequence[User], enrolment: Enrolment, modality: Modality, minutes: int,
               from_day: date | None, limit: int = 8) -> list[datetime]:
    """The first free start times for the workers and the enrolment's client, from ``from_day`` (or now).

    Times that suit the client (their good days and times of day) come first-hand; only when none is free
    in the search window are the others offered, so a booking is never impossible because of a wish. The
    times offered are spread over days and parts of the day (``availability.spread``), not one morning.
    """
    now = utcnow()
    start = max(now, calendar.day_span(from_day)[0]) if from_day else now

    def find(accept):
        return availability.find_slots([w.id for w in workers], enrolment.client_id, minutes, start,
                                       start + timedelta(days=SLOT_SEARCH_DAYS),
                                       buffer_minutes=TRAVEL_MINUTES.get(modality, 0),
                                       limit=limit * SPREAD_POOL, client_preferences=accept)

    accept = preferences.accepts(enrolment.client, minutes)
    return availability.spread((accept and find(accept)) or find(None), limit)


def series_memo(result: SeriesResult, enrolment: Enrolment) -> dict:
    """What the result page needs besides the appointments themselves: the contacts not booked and why (the
    reasons are already in the worker's language), small enough for the session cookie."""
    return {"key": result.series_key, "enrolment": enrolment.id,
            "missed": [[o.day.isoformat(), o.local_time.strftime("%H:%M"),
                        o.starts_at.isoformat() if o.starts_at else None, [str(r) for r in o.reasons]]
                       for o in result.conflicts]}


def series_result(key: str, memo: dict) -> tuple[SeriesResult, int | None]:
    """A weekly booking's result: its active appointments, and the contacts ``memo`` says were not booked;
    with the enrolment it is for (None when nothing of the series is known)."""
    booked = list(db.session.scalars(select(Appointment).where(
        Appointment.series_key == key, Appointment.status.in_(ACTIVE_STATUSES)).order_by(Appointment.starts_at)))
    outcomes = [SeriesOutcome(local_date(a.starts_at), as_helsinki(a.starts_at).time().replace(tzinfo=None),
                              a.starts_at, appointment=a) for a in booked]
    for day, at, starts_at, reasons in memo.get("missed", ()):
        outcomes.append(SeriesOutcome(date.fromisoformat(day), time.fromisoformat(at),
                                      datetime.fromisoformat(starts_at) if starts_at else None, reasons=tuple(reasons)))
    outcomes.sort(key=lambda o: (o.day, o.local_time))
    enrolment_id = booked[0].enrolment_id if booked else memo.get("enrolment")
    return SeriesResult(key, tuple(outcomes)), enrolment_id


def weekly_plan(actor: User, booking: BookingRequest, weeks: int) -> availability.SeriesPlan:
    """Every contact of a weekly series starting with ``booking``, each free or with its conflicts."""
    workers = [actor.id, *(w.id for w in booking.workers)]
    return availability.plan_series(workers, booking.enrolment.client_id, booking.minutes, booking.starts_at,
                                    weeks=weeks, buffer_minutes=TRAVEL_MINUTES.get(booking.modality, 0))


def can_cancel(user: User, appointment: Appointment) -> bool:
    """A worker taking part, or one who works with the appointment's client, may cancel it."""
    if any(p.user_id == user.id and p.role in WORKER_ROLES for p in appointment.participants):
        return True
    return appointment.enrolment is not None and can_see_client(user, appointment.enrolment.client_id)


def can_book_for(user: User, enrolment: Enrolment) -> bool:
    return can_see_client(user, enrolment.client_id)

