"""Recording what happened at a contact: the one place a contact record is written.

A one-to-one appointment gets one record (``contacts.appointment_id`` is unique); a group session gets
one per member, linked through the group's attendance (portal/groups). Both write through
``write_contact``, so a record looks the same whichever way it was made. Each change is audited with
the client and the names of the fields that changed, never their values; the request commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import select

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import User
from portal.db import utcnow
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import _l
from portal.meetings.models import NOTE_MAX, Contact, ContactOutcome, ContactStatus
from portal.programmes import registry
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment
from portal.scheduling.models import Appointment, AppointmentStatus, ParticipantRole
from portal.signals import contact_recorded

FEATURE = "meetings"
MAX_MINUTES = 720  # the contacts table's own limit (duration_range)
# How far the recorded start may be from the booked one: a call started early or late, not another day.
MAX_SHIFT = timedelta(hours=12)
# Clocks of phones and laptops differ a little: a call that "ends" a minute from now has ended.
CLOCK_SLACK = timedelta(minutes=2)
# A programme that reports this figure records each held contact's outcome (seed 004).
OUTCOME_KPI = "single-contact-share"

MESSAGES = {
    "group": _l("Group sessions are recorded on the group's attendance page."),
    "not_started": _l("The meeting can be recorded once it has begun."),
    "future": _l("The meeting cannot be recorded as ending in the future."),
    "end_before_start": _l("The end must be after the start."),
    "too_long": _l("A meeting can last at most %(max)s minutes.", max=MAX_MINUTES),
    "far_from_booking": _l("The start must be within 12 hours of the booked time."),
    "modality": _l("Choose one of the ways of meeting offered."),
    "support_type": _l("Choose the support given from the list."),
    "outcome": _l("Choose how the contact ended."),
}

# What the appointment becomes when its contact is recorded (scheduling's statuses).
APPOINTMENT_STATUS = {ContactStatus.HELD: AppointmentStatus.HELD, ContactStatus.NO_SHOW: AppointmentStatus.NO_SHOW,
                      ContactStatus.CANCELLED: AppointmentStatus.CANCELLED}


class RecordError(Refusal):
    """A record that cannot be saved; ``field`` names the form field it is about (None: the whole form)."""


@dataclass(frozen=True)
class ContactRecord:
    """What the worker records. Times are aware; for a contact that was not held they are the booked ones."""

    status: ContactStatus
    modality: Modality
    starts_at: datetime
    ends_at: datetime
    support_types: tuple[str, ...] = field(default=())
    worked_remotely: bool | None = None
    note: str | None = None
    outcome: ContactOutcome | None = None

    @property
    def held(self) -> bool:
        return self.status is ContactStatus.HELD

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


def write_contact(actor: User, contact: Contact | None, *, enrolment: Enrolment, contact_type: str,
                  entry: ContactRecord, appointment_id: int | None = None, worker: User | None = None) -> Contact:
    """Create a contact record, or correct ``contact``; audited only when something changed.

    Support given and "worked remotely" belong to held contacts, and "worked remotely" to remote ones
    only: anything else is stored empty, so the figures never count what did not happen.
    """
    values = _values(entry)
    if contact is None:
        contact = Contact(enrolment_id=enrolment.id, appointment_id=appointment_id, contact_type=contact_type,
                          worker_id=(worker or actor).id, **values)
        db.session.add(contact)
        db.session.flush()
        record(actor, AuditAction.CREATE, FEATURE, "contact", contact.id, enrolment.client_id)
        contact_recorded.send(actor, contact=contact, enrolment=enrolment)
        return contact
    changed = [name for name, value in values.items() if getattr(contact, name) != value]
    for name in changed:
        setattr(contact, name, values[name])
    if changed:
        db.session.flush()
        record(actor, AuditAction.UPDATE, FEATURE, "contact", contact.id, enrolment.client_id, {"fields": changed})
        contact_recorded.send(actor, contact=contact, enrolment=enrolment)
    return contact


def _values(entry: ContactRecord) -> dict:
    held = entry.held
    return {
        "status": entry.status, "modality": entry.modality, "starts_at": entry.starts_at, "ends_at": entry.ends_at,
        "duration_minutes": entry.minutes if held else None,
        "support_types": sorted(set(entry.support_types)) if held else [],
        "worked_remotely": entry.worked_remotely if held and entry.modality.remote else None,
        "note": (entry.note or "").strip()[:NOTE_MAX] or None,
        "outcome": entry.outcome if held else None,
    }


def record_meeting(actor: User, appointment: Appointment, entry: ContactRecord,
                   now: datetime | None = None) -> Contact:
    """Record a one-to-one appointment's contact (create or correct) and set the appointment's status to match.

    Saving the same thing twice changes nothing; the record stays one per appointment.
    """
    now = now or utcnow()
    entry = _checked(appointment, entry, now)
    existing = contact_of(appointment)
    contact = write_contact(actor, existing, enrolment=appointment.enrolment, contact_type=appointment.contact_type,
                            entry=entry, appointment_id=appointment.id, worker=_worker_of(actor, appointment))
    _mark_appointment(actor, appointment, APPOINTMENT_STATUS[entry.status], now)
    return contact


def contact_of(appointment: Appointment) -> Contact | None:
    return db.session.scalar(select(Contact).where(Contact.appointment_id == appointment.id))


def _checked(appointment: Appointment, entry: ContactRecord, now: datetime) -> ContactRecord:
    """Refuse what cannot have happened; a contact not held keeps the booked times."""
    if appointment.enrolment is None:
        raise RecordError(MESSAGES["group"])
    if appointment.starts_at > now:
        raise RecordError(MESSAGES["not_started"])
    if entry.modality not in allowed_modalities(appointment):
        raise RecordError(MESSAGES["modality"], "modality")
    if not entry.held:
        return ContactRecord(entry.status, entry.modality, appointment.starts_at, appointment.ends_at,
                             note=entry.note)
    _check_times(appointment, entry, now)
    known = {s.code for s in support_types_of(appointment.programme_code)}
    if not set(entry.support_types) <= known:
        raise RecordError(MESSAGES["support_type"], "support_types")
    return _checked_outcome(appointment.programme_code, entry)


def records_outcome(programme_code: str) -> bool:
    definition = registry.definition(programme_code)
    return definition is not None and any(kpi.code == OUTCOME_KPI for kpi in definition.kpis)


def _checked_outcome(programme_code: str, entry: ContactRecord) -> ContactRecord:
    """A held contact of a programme that counts outcomes must have one; other programmes store none."""
    if not records_outcome(programme_code):
        return replace(entry, outcome=None)
    if entry.held and entry.outcome is None:
        raise RecordError(MESSAGES["outcome"], "outcome")
    return entry


def _check_times(appointment: Appointment, entry: ContactRecord, now: datetime) -> None:
    if entry.ends_at <= entry.starts_at:
        raise RecordError(MESSAGES["end_before_start"], "minutes")
    if entry.minutes > MAX_MINUTES:
        raise RecordError(MESSAGES["too_long"], "minutes")
    if abs(entry.starts_at - appointment.starts_at) > MAX_SHIFT:
        raise RecordError(MESSAGES["far_from_booking"], "start")
    if entry.ends_at > now + CLOCK_SLACK:
        raise RecordError(MESSAGES["future"], "minutes")


def allowed_modalities(appointment: Appointment) -> list[Modality]:
    """The booked way of meeting and the others its contact type offers (a video that became a phone call)."""
    definition = registry.definition(appointment.programme_code)
    contact_type = definition.contact_type(appointment.contact_type) if definition else None
    offered = contact_type.modalities if contact_type else []
    return list(dict.fromkeys([appointment.modality, *offered]))


def support_types_of(programme_code: str) -> list:
    definition = registry.definition(programme_code)
    return list(definition.support_types) if definition else []


def _worker_of(actor: User, appointment: Appointment) -> User:
    """The worker who held the contact: the actor when taking part, else the host (a team lead records for them)."""
    workers = [p for p in appointment.participants if p.role in (ParticipantRole.HOST, ParticipantRole.WORKER)]
    if any(p.user_id == actor.id for p in workers):
        return actor
    host = next((p.user for p in workers if p.role is ParticipantRole.HOST), None)
    return host or actor


def _mark_appointment(actor: User, appointment: Appointment, status: AppointmentStatus, now: datetime) -> None:
    """Scheduling's status follows the record: held, not come, or cancelled (which frees everyone's time).

    A cancelled appointment recorded as held after all keeps its participants non-blocking: its time has
    passed, so freeing it harms nobody, while blocking it again could collide with a later booking.
    """
    if appointment.status is status:
        return
    appointment.status = status
    if status is AppointmentStatus.CANCELLED:
        appointment.cancelled_at = now
        for participant in appointment.participants:
            participant.blocking = False
    else:
        appointment.cancelled_at = None
    db.session.flush()
    record(actor, AuditAction.UPDATE, "scheduling", "appointment", appointment.id, appointment.enrolment.client_id,
           {"fields": ["status"]})
