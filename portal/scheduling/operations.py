"""Booking, confirming and cancelling appointments. Each checks the programme's rules first;
the database has the last word on double booking (see models.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from portal import signals
from portal.audit.models import AuditAction
from portal.audit.operations import record, record_many
from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _, _l
from portal.programmes import registry
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.scheduling import bulk, rules
from portal.scheduling.availability import Conflict, ConflictReason, Occurrence, SeriesPlan
from portal.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentStatus, Participant, ParticipantRole
from portal.scheduling.rules import BookingError

TRAVEL_MINUTES = {Modality.HOME_VISIT: 30}


class BookingConflict(BookingError):
    """Someone taking part is already booked at that time (the database refused the overlap)."""


@dataclass
class BookingRequest:
    enrolment: Enrolment
    contact_type: str
    modality: Modality
    starts_at: datetime
    minutes: int
    workers: list[User] = field(default_factory=list)
    place: str | None = None
    urgent: bool = False  # allows booking outside working hours or on a holiday, after the warning
    series_key: str | None = None  # the contacts of one weekly series share it
    host: User | None = None  # who holds it, when not the one booking (a colleague's published call slot)


def book(actor: User, request: BookingRequest, now: datetime | None = None) -> tuple[Appointment, list[str]]:
    """Book one appointment for an enrolment's client; returns it with the warnings that were accepted."""
    appointment, warnings = _checked_create(actor, request, now)
    signals.appointment_booked.send(actor, appointment=appointment)
    return appointment, warnings


def move(actor: User, appointment: Appointment, request: BookingRequest, reason: str | None = None,
         now: datetime | None = None) -> tuple[Appointment, list[str]]:
    """Move an active appointment: book the new time and cancel the old one, all or nothing. Listeners hear
    one ``appointment_moved`` (the client gets one "changed" notice), not a booking and a cancellation."""
    if appointment.status not in ACTIVE_STATUSES:
        raise BookingError(rules.MESSAGES["not_active"])
    with db.session.begin_nested():  # a refused booking leaves the old appointment as it was
        new, warnings = _checked_create(actor, request, now)
        _cancel(actor, appointment, reason)
    signals.appointment_moved.send(actor, appointment=new, previous=appointment)
    return new, warnings


def _checked_create(actor: User, request: BookingRequest, now: datetime | None) -> tuple[Appointment, list[str]]:
    """The programme's rules, then the warnings (refused unless the request is urgent), then the booking."""
    definition = registry.definition(request.enrolment.programme_code)
    ends_at = request.starts_at + timedelta(minutes=request.minutes)
    workers = _unique([request.host or actor, *request.workers])
    rules.check_booking(definition, request, ends_at, now or utcnow())
    warnings = rules.warnings_for(workers, request.starts_at, ends_at)
    if warnings and not request.urgent:
        raise rules.NeedsConfirmation(warnings)
    return _create(actor, request, workers), [str(w) for w in warnings]


def _create(actor: User, request: BookingRequest, workers: list[User]) -> Appointment:
    """Write the appointment and its participants (the database refuses an overlap), and audit it."""
    appointment = _appointment(actor, request, workers)
    _insert(appointment)
    record(actor, AuditAction.CREATE, "scheduling", "appointment", appointment.id, request.enrolment.client_id)
    return appointment


def _appointment(actor: User, request: BookingRequest, workers: list[User]) -> Appointment:
    appointment = Appointment(
        programme_code=request.enrolment.programme_code, enrolment=request.enrolment,
        contact_type=request.contact_type, modality=request.modality, starts_at=request.starts_at,
        ends_at=request.starts_at + timedelta(minutes=request.minutes), place=request.place,
        travel_minutes=TRAVEL_MINUTES.get(request.modality, 0), organizer=actor, series_key=request.series_key,
    )
    appointment.participants = _participants(appointment, workers, request.enrolment)
    return appointment


def cancel(actor: User, appointment: Appointment, reason: str | None = None) -> None:
    """Cancel an active appointment: it stays in the history and frees everyone's time."""
    _cancel(actor, appointment, reason)
    signals.appointment_cancelled.send(actor, appointment=appointment)


def _cancel(actor: User, appointment: Appointment, reason: str | None) -> None:
    if appointment.status not in ACTIVE_STATUSES:
        raise BookingError(rules.MESSAGES["not_active"])
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = utcnow()
    appointment.cancel_reason = (reason or "").strip()[:1000] or None
    for participant in appointment.participants:
        participant.blocking = False
    db.session.flush()
    record(actor, AuditAction.UPDATE, "scheduling", "appointment", appointment.id, client_id_of(appointment),
           {"fields": ["status"]})


def set_end(actor: User | None, appointment: Appointment, ends_at: datetime) -> None:
    """Move an active appointment's end (an ad-hoc meeting ended early, or reopened): everyone's busy time
    follows. A later end the database refuses (someone is booked meanwhile) raises BookingConflict and
    changes nothing. The client is not notified: this is the meeting they are in."""
    if not appointment.active:
        raise BookingError(rules.MESSAGES["not_active"])
    ends_at = max(ends_at, appointment.starts_at + timedelta(seconds=1))
    if ends_at == appointment.ends_at:
        return
    travel = timedelta(minutes=appointment.travel_minutes)
    try:
        with db.session.begin_nested():
            appointment.ends_at = ends_at
            for participant in appointment.participants:
                participant.busy_until = ends_at + (travel if participant.user_id is not None else timedelta())
            db.session.flush()
    except IntegrityError as exc:
        db.session.expire(appointment)
        if "no_overlap" in str(exc.orig):
            raise BookingConflict(rules.MESSAGES["conflict"]) from None
        raise
    record(actor, AuditAction.UPDATE, "scheduling", "appointment", appointment.id, client_id_of(appointment),
           {"fields": ["ends_at"]})


def confirm(actor: User, appointment: Appointment) -> None:
    """The client confirms they will come."""
    if appointment.status is not AppointmentStatus.BOOKED:
        raise BookingError(rules.MESSAGES["not_active"])
    appointment.status = AppointmentStatus.CONFIRMED
    db.session.flush()
    record(actor, AuditAction.UPDATE, "scheduling", "appointment", appointment.id, client_id_of(appointment),
           {"fields": ["status"]})
    signals.appointment_changed.send(actor, appointment=appointment)


@dataclass(frozen=True)
class SeriesOutcome:
    """One planned contact of a weekly series: booked, or not booked with every reason why."""

    day: date
    local_time: time
    starts_at: datetime | None  # None: the local time does not exist that day
    appointment: Appointment | None = None
    reasons: tuple = ()  # translated messages

    @property
    def booked(self) -> bool:
        return self.appointment is not None


@dataclass(frozen=True)
class SeriesResult:
    series_key: str
    outcomes: tuple[SeriesOutcome, ...]

    @property
    def booked(self) -> list[Appointment]:
        return [o.appointment for o in self.outcomes if o.appointment is not None]

    @property
    def conflicts(self) -> list[SeriesOutcome]:
        return [o for o in self.outcomes if not o.booked]


def book_series(actor: User, request: BookingRequest, plan: SeriesPlan, now: datetime | None = None) -> SeriesResult:
    """Book the free contacts of a planned weekly series; every other one is reported with its reasons.

    The programme's rules are checked on the first contact before anything is written: a request they
    refuse (an unknown contact type, a time in the past…) raises BookingError and books nothing. The
    plan has already checked every occurrence against working hours, holidays, absences and everyone's
    bookings, so the free ones are written together (one savepoint, one INSERT per table); if the
    database refuses that (one was booked meanwhile), each is written on its own and the refused one is
    reported like a planned conflict, never skipped. The client gets one notice for the series (the
    first contact), not one per contact.
    """
    now = now or utcnow()
    definition = registry.definition(request.enrolment.programme_code)
    rules.check_booking(definition, request, request.starts_at + timedelta(minutes=request.minutes), now)
    key = str(uuid.uuid4())
    workers = _unique([actor, *request.workers])
    names = {f"u:{user.id}": user.display_name for user in workers}
    series = replace(request, series_key=key, urgent=False)
    outcomes = [_refused(occurrence, names, now) for occurrence in plan.occurrences]
    free = [i for i, outcome in enumerate(outcomes) if outcome is None]
    booked = _create_many(actor, series, workers, [plan.occurrences[i].starts_at for i in free])
    for i, appointment in zip(free, booked or (), strict=False):
        outcomes[i] = _outcome(plan.occurrences[i], appointment=appointment)
    if booked is None:  # someone took one of the times meanwhile: one at a time, each in its own savepoint
        for i in free:
            outcomes[i] = _book_occurrence(actor, series, workers, plan.occurrences[i])
    result = SeriesResult(key, tuple(outcomes))
    if result.booked:
        signals.appointment_booked.send(actor, appointment=result.booked[0])
    return result


def _outcome(occurrence: Occurrence, **result) -> SeriesOutcome:
    return SeriesOutcome(occurrence.day, occurrence.local_time, occurrence.starts_at, **result)


def _refused(occurrence: Occurrence, names: dict[str, str], now: datetime) -> SeriesOutcome | None:
    """The outcome of a contact the plan already refuses (with its reasons), or None when it is free."""
    if not occurrence.free:
        return _outcome(occurrence, reasons=tuple(conflict_message(c, names) for c in occurrence.conflicts))
    if occurrence.starts_at <= now:
        return _outcome(occurrence, reasons=(rules.MESSAGES["past"],))
    return None


def _create_many(actor: User, request: BookingRequest, workers: list[User], starts: list[datetime]
                 ) -> list[Appointment] | None:
    """Write the appointments and their participants as two bulk INSERTs (``bulk.insert_rows``: no unit-of-work
    bookkeeping per object), audited; None, with nothing written, when the database refuses any of them."""
    if not starts:
        return []
    length, travel = timedelta(minutes=request.minutes), TRAVEL_MINUTES.get(request.modality, 0)
    rows = [dict(programme_code=request.enrolment.programme_code, enrolment_id=request.enrolment.id,
                 contact_type=request.contact_type, modality=request.modality, starts_at=at, ends_at=at + length,
                 place=request.place, travel_minutes=travel, organizer_id=actor.id, series_key=request.series_key)
            for at in starts]
    appointments: list[Appointment] = []
    try:
        with db.session.begin_nested():
            # Not the participants' usual eager load: they are not written yet (loaded when first asked for).
            appointments = bulk.insert_returning(Appointment, rows, lazyload(Appointment.participants))
            bulk.insert_rows(Participant.__table__, [
                row for appointment in appointments for row in _participant_rows(appointment, workers,
                                                                                 request.enrolment)])
    except IntegrityError as exc:
        for appointment in appointments:  # rolled back with the savepoint: out of the identity map too
            db.session.expunge(appointment)
        if "no_overlap" in str(exc.orig):
            return None
        raise
    record_many(actor, AuditAction.CREATE, "scheduling", "appointment", [a.id for a in appointments],
                request.enrolment.client_id)
    return appointments


def _participant_rows(appointment: Appointment, workers: list[User], enrolment: Enrolment) -> list[dict]:
    """``_participants`` as plain rows, for a bulk insert (every row with the same keys: one executemany)."""
    travel = timedelta(minutes=appointment.travel_minutes)
    rows = [dict(appointment_id=appointment.id, role=ParticipantRole.HOST if i == 0 else ParticipantRole.WORKER,
                 user_id=worker.id, client_id=None, person_key=f"u:{worker.id}",
                 busy_from=appointment.starts_at - travel, busy_until=appointment.ends_at + travel)
            for i, worker in enumerate(workers)]
    rows.append(dict(appointment_id=appointment.id, role=ParticipantRole.CLIENT, user_id=None,
                     client_id=enrolment.client_id, person_key=f"c:{enrolment.client_id}",
                     busy_from=appointment.starts_at, busy_until=appointment.ends_at))
    return rows


def _book_occurrence(actor: User, request: BookingRequest, workers: list[User],
                     occurrence: Occurrence) -> SeriesOutcome:
    try:
        appointment = _create(actor, replace(request, starts_at=occurrence.starts_at), workers)
    except BookingError as exc:
        return _outcome(occurrence, reasons=(exc.message,))
    return _outcome(occurrence, appointment=appointment)


def conflict_message(conflict: Conflict, names: dict[str, str]):
    """Why a series contact cannot be booked, naming the worker concerned (``_``, not ``_l``: see rules.py)."""
    name = names.get(conflict.person_key or "", "")
    if conflict.reason is ConflictReason.WORKER_BUSY:
        return _("%(name)s is already booked or away at that time.", name=name)
    if conflict.reason is ConflictReason.OUTSIDE_WORKING_HOURS:
        return _("The time is outside %(name)s's working hours.", name=name)
    return SERIES_MESSAGES[conflict.reason]


SERIES_MESSAGES = {
    ConflictReason.CLIENT_BUSY: _l("The client already has another appointment at that time."),
    ConflictReason.HOLIDAY: rules.MESSAGES["holiday"],
    ConflictReason.DST_GAP: _l("This time does not exist on that day: the clocks go forward an hour at night."),
}


def _participants(appointment: Appointment, workers: list[User], enrolment: Enrolment) -> list[Participant]:
    travel = timedelta(minutes=appointment.travel_minutes)
    rows = [
        Participant(role=ParticipantRole.HOST if i == 0 else ParticipantRole.WORKER, user=worker,
                    person_key=f"u:{worker.id}", busy_from=appointment.starts_at - travel,
                    busy_until=appointment.ends_at + travel)
        for i, worker in enumerate(workers)
    ]
    rows.append(Participant(role=ParticipantRole.CLIENT, client_id=enrolment.client_id,
                            person_key=f"c:{enrolment.client_id}", busy_from=appointment.starts_at,
                            busy_until=appointment.ends_at))
    return rows


def _insert(appointment: Appointment) -> None:
    """Insert inside a savepoint, so a refused overlap leaves the request's transaction usable."""
    try:
        with db.session.begin_nested():
            db.session.add(appointment)
    except IntegrityError as exc:
        if "no_overlap" in str(exc.orig):
            raise BookingConflict(rules.MESSAGES["conflict"]) from None
        raise


def add_client(appointment: Appointment, client_id: int) -> Participant:
    """Add a client to an existing appointment (a member joining a group's booked session).

    The database refuses the row when the client is booked elsewhere at that time: BookingConflict,
    and the request's transaction stays usable (savepoint).
    """
    participant = Participant(appointment_id=appointment.id, role=ParticipantRole.CLIENT, client_id=client_id,
                              person_key=f"c:{client_id}", busy_from=appointment.starts_at,
                              busy_until=appointment.ends_at)
    try:
        with db.session.begin_nested():
            db.session.add(participant)
    except IntegrityError as exc:
        if "no_overlap" in str(exc.orig):
            raise BookingConflict(rules.MESSAGES["conflict"]) from None
        raise
    db.session.expire(appointment, ["participants"])
    return participant


def client_id_of(appointment: Appointment) -> int | None:
    """The client taking part (group sessions: the first; use participants for all)."""
    return next((p.client_id for p in appointment.participants if p.client_id is not None), None)


def _unique(users: list[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        seen.setdefault(user.id, user)
    return list(seen.values())


def require_active(enrolment: Enrolment) -> None:
    if enrolment.status is not EnrolmentStatus.ACTIVE:
        raise BookingError(rules.MESSAGES["enrolment_ended"])
