"""Call slots: a worker publishes phone-call times; a booking for a client takes one.

Health social work (seed 004) does most of its work by phone, booked into the worker's published
phone hours ("puhelinaika"). A slot is free until an active appointment takes it. Publishing checks
working hours, holidays and absences (a slot nobody could keep is refused); taking a slot books an
ordinary phone appointment hosted by the slot's worker through ``operations.book``, so every rule and
the database's no-double-booking check apply, and two bookings racing for one slot cannot both win.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _l
from portal.programmes import registry
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment
from portal.scheduling import rules
from portal.scheduling.models import ACTIVE_STATUSES, Appointment, CallSlot
from portal.scheduling.operations import BookingRequest, book
from portal.scheduling.rules import BookingError
from portal.scheduling.timeutil import local

MESSAGES = {
    "order": _l("The end must be after the start."),
    "too_many": _l("Publish at most 32 call slots at a time."),
    "unusual": _l("Call slots can only be published within your working hours, not on holidays or when you are "
                  "away."),
    "taken": _l("This call slot has just been taken. Choose another one."),
    "no_phone": _l("This programme has no phone contacts."),
    "not_yours": _l("Only a free call slot of your own can be removed."),
}
MAX_SLOTS = 32


def publish(actor: User, day: date, start: time, end: time, minutes: int, now: datetime | None = None
            ) -> list[CallSlot]:
    """Publish the actor's call slots of ``minutes`` from ``start`` to ``end`` on ``day`` (Helsinki time).

    Slots already published at the same start are kept as they are; returns the new ones.
    """
    starts, ends = local(day, start), local(day, end)
    if ends <= starts:
        raise BookingError(MESSAGES["order"])
    if starts <= (now or utcnow()):
        raise BookingError(rules.MESSAGES["past"])
    times = _slot_times(starts, ends, minutes)
    if len(times) > MAX_SLOTS:
        raise BookingError(MESSAGES["too_many"])
    if not times or rules.warnings_for([actor], starts, times[-1] + timedelta(minutes=minutes)):
        raise BookingError(MESSAGES["unusual"] if times else rules.MESSAGES["length"])
    existing = set(db.session.scalars(select(CallSlot.starts_at).where(
        CallSlot.user_id == actor.id, CallSlot.starts_at.in_(times))))
    slots = [CallSlot(user_id=actor.id, starts_at=t, ends_at=t + timedelta(minutes=minutes))
             for t in times if t not in existing]
    db.session.add_all(slots)
    db.session.flush()
    for slot in slots:
        record(actor, AuditAction.CREATE, "scheduling", "call_slot", slot.id)
    return slots


def _slot_times(starts: datetime, ends: datetime, minutes: int) -> list[datetime]:
    if not 5 <= minutes <= 60:
        raise BookingError(rules.MESSAGES["length"])
    step, times, at = timedelta(minutes=minutes), [], starts
    while at + step <= ends:
        times.append(at)
        at += step
    return times


def remove(actor: User, slot: CallSlot) -> None:
    """Withdraw one of the actor's free slots."""
    if slot.user_id != actor.id or not slot.free:
        raise BookingError(MESSAGES["not_yours"])
    record(actor, AuditAction.DELETE, "scheduling", "call_slot", slot.id)
    db.session.delete(slot)
    db.session.flush()


def phone_contact_type(programme_code: str) -> str | None:
    """The programme's phone-only contact type (health social work: "phone-call"), or None.

    Only such a programme books its calls into call slots; elsewhere a phone meeting is an ordinary
    booking of a contact type that can also be held another way.
    """
    definition = registry.definition(programme_code)
    types = definition.contact_types if definition else []
    return next((c.code for c in types if not c.group and c.modalities == [Modality.PHONE]), None)


def take(actor: User, slot: CallSlot, enrolment: Enrolment, now: datetime | None = None) -> Appointment:
    """Book the enrolment's client into a free call slot: a phone appointment hosted by the slot's worker."""
    contact_type = phone_contact_type(enrolment.programme_code)
    if contact_type is None:
        raise BookingError(MESSAGES["no_phone"])
    if not slot.free:
        raise BookingError(MESSAGES["taken"])
    minutes = int((slot.ends_at - slot.starts_at).total_seconds() // 60)
    request = BookingRequest(enrolment=enrolment, contact_type=contact_type, modality=Modality.PHONE,
                             starts_at=slot.starts_at, minutes=minutes, host=slot.user)
    try:
        appointment, _warnings = book(actor, request, now)
    except rules.NeedsConfirmation as exc:  # the worker became away after publishing
        raise BookingError(" ".join(str(w) for w in exc.warnings)) from None
    slot.appointment = appointment
    db.session.flush()
    record(actor, AuditAction.UPDATE, "scheduling", "call_slot", slot.id, enrolment.client_id,
           {"fields": ["appointment_id"]})
    return appointment


# --- reads --------------------------------------------------------------------------------------

def free_slots(user_ids: list[int], now: datetime, limit: int | None = None) -> list[CallSlot]:
    """The free call slots of these workers that have not begun, soonest first."""
    taken = select(Appointment.id).where(Appointment.status.in_(ACTIVE_STATUSES))
    return list(db.session.scalars(
        select(CallSlot).options(joinedload(CallSlot.user))
        .where(CallSlot.user_id.in_(user_ids), CallSlot.starts_at > now,
               or_(CallSlot.appointment_id.is_(None), CallSlot.appointment_id.not_in(taken)))
        .order_by(CallSlot.starts_at, CallSlot.user_id).limit(limit)))


def own_slots(user: User, now: datetime) -> list[CallSlot]:
    """The user's call slots that have not begun, free or taken."""
    return list(db.session.scalars(
        select(CallSlot).options(joinedload(CallSlot.appointment))
        .where(CallSlot.user_id == user.id, CallSlot.starts_at > now).order_by(CallSlot.starts_at)))
