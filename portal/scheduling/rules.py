"""The programmes' booking rules, checked before an appointment is written.

Messages with a person's name are made with ``_`` (a plain string Jinja escapes), never ``_l``:
flask-babel's lazy strings count as safe HTML, so a name inside one would not be escaped.

Errors stop a booking; warnings (outside working hours, a holiday, an absence) stop it too unless
the worker marks it urgent after seeing them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select

from portal.auth.models import User
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import _, _l, local_date
from portal.programmes.definitions_schema import ContactType, Modality, ProgrammeDefinition
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.scheduling import availability, timeutil
from portal.scheduling.models import ACTIVE_STATUSES, Absence, Appointment, AppointmentStatus, ChangeRequest

MESSAGES = {
    "unknown_type": _l("This programme has no such contact type."),
    "modality": _l("This contact type cannot be held that way."),
    "length": _l("A meeting must last between 5 minutes and 8 hours."),
    "past": _l("The time has already passed. Please choose a time in the future."),
    "enrolment_ended": _l("The client's service has ended: no new bookings."),
    "not_active": _l("This appointment is no longer active."),
    "conflict": _l("Someone taking part is already booked at that time. Please choose another time."),
    "holiday": _l("The day is a public holiday."),
}


class BookingError(Refusal):
    """A booking the rules do not allow; ``str()`` gives the translated message."""


class NeedsConfirmation(BookingError):
    """Allowed only as urgent: the warnings say why."""

    def __init__(self, warnings: list) -> None:
        super().__init__(" ".join(str(w) for w in warnings))
        self.warnings = warnings


def check_booking(definition: ProgrammeDefinition, request, ends_at: datetime, now: datetime) -> None:
    """Raise BookingError for the first rule the request breaks."""
    from portal.meetings.labels import LABELS

    enrolment = request.enrolment
    if enrolment.status is not EnrolmentStatus.ACTIVE:
        raise BookingError(MESSAGES["enrolment_ended"])
    contact_type = definition.contact_type(request.contact_type)
    if contact_type is None:
        raise BookingError(MESSAGES["unknown_type"])
    if request.modality not in contact_type.modalities:
        raise BookingError(MESSAGES["modality"])
    if not 5 <= request.minutes <= 480:
        raise BookingError(MESSAGES["length"])
    if request.starts_at <= now:
        raise BookingError(MESSAGES["past"])
    first = contact_type.first_contact_modality
    if first and request.modality is not first and not _has_earlier_contact(enrolment.id):
        raise BookingError(_("The first meeting in this programme is held as: %(how)s.", how=LABELS[first]))
    end_date = enrolment.planned_end_on
    if end_date and timeutil.local_date(ends_at) > end_date:
        raise BookingError(_("The booking would be after the service's planned end date (%(date)s).",
                              date=local_date(end_date, "short")))


def warnings_for(workers: list[User], starts_at: datetime, ends_at: datetime) -> list:
    """What a worker should see before booking at an unusual time."""
    warnings = []
    if timeutil.is_holiday(timeutil.local_date(starts_at)):
        warnings.append(MESSAGES["holiday"])
    day = timeutil.local_date(starts_at)
    windows = availability.working_windows([w.id for w in workers], day, day)
    away = _absent(workers, starts_at, ends_at)
    for worker in workers:
        inside = any(start <= starts_at and ends_at <= end for start, end in windows.get(worker.id, []))
        if not inside and not timeutil.is_holiday(day):
            warnings.append(_("The time is outside %(name)s's working hours.", name=worker.display_name))
        if worker.id in away:
            warnings.append(_("%(name)s is away at that time.", name=worker.display_name))
    return warnings


def _absent(workers: list[User], starts_at: datetime, ends_at: datetime) -> set[int]:
    return set(db.session.scalars(select(Absence.user_id).where(
        Absence.user_id.in_([w.id for w in workers]), Absence.starts_at < ends_at, Absence.ends_at > starts_at)))


def default_modality(contact_type: ContactType, enrolment: Enrolment) -> Modality:
    """The way of meeting a booking form offers first.

    Until the client has a contact, the programme's first-contact way (remote guidance: a home visit).
    Afterwards the client's own preference, where the contact type offers it: the way they last asked
    for in a change request, else a home visit for a client who said they would rather meet at home.
    Any offered way can still be chosen, so the client can always switch back to home visits.
    """
    first = contact_type.first_contact_modality
    if first and not _has_earlier_contact(enrolment.id):
        return first
    asked = db.session.scalar(
        select(ChangeRequest.wants_modality).join(Appointment, Appointment.id == ChangeRequest.appointment_id)
        .where(Appointment.enrolment_id == enrolment.id, ChangeRequest.wants_modality.is_not(None))
        .order_by(ChangeRequest.created_at.desc(), ChangeRequest.id.desc()).limit(1))
    if asked is None and enrolment.client.prefers_home_visits:
        asked = Modality.HOME_VISIT
    return asked if asked in contact_type.modalities else contact_type.modalities[0]


def _has_earlier_contact(enrolment_id: int) -> bool:
    counted = (*ACTIVE_STATUSES, AppointmentStatus.HELD)
    return bool(db.session.scalar(select(exists().where(
        Appointment.enrolment_id == enrolment_id, Appointment.status.in_(counted)))))
