"""Tasks from clients' requests: made when the request comes (subscribers), handled by the contact person.

Handling is all or nothing: a move books the new time, cancels the old one, closes the request and
the task inside one savepoint, so a refusal (the time is taken, the appointment was cancelled
meanwhile, someone handled it first) leaves nothing half-saved. The client hears of the outcome
through the outbox (a move as one "changed" notice with both times) and reads it on the appointment card, or
for a callback under "Your requests" on their messages page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale

from portal.appointments import operations as appointments
from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _, _l
from portal.messages import live
from portal.messages import operations as messages
from portal.messages.models import CallbackRequest
from portal.notifications import jobs
from portal.notifications.operations import language_of, queue_message, recipient_for
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import EnrolmentStatus
from portal.scheduling import operations as scheduling
from portal.scheduling.models import Appointment, ChangeRequest
from portal.tasks import queries
from portal.tasks.models import TEXT_LIMIT, Task, TaskKind, TaskState

FEATURE = "tasks"
LIVE_EVENT = "task"

MESSAGES = {
    "cancelled": _l("The appointment was cancelled meanwhile, so it cannot be moved. "
                    "Book a new time from the client's page, or mark the request handled."),
    "no_appointment": _l("This request is not about an appointment: there is nothing to move."),
    "ended": _l("The client's service has ended."),
    "reply_long": _l("The reply can be at most %(max)s characters.", max=TEXT_LIMIT),
}


class TaskError(ValueError):
    """The task cannot be handled so; ``str()`` gives the translated reason."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class Move:
    """A new time (and way of meeting) for the appointment a change request is about."""

    starts_at: datetime
    modality: Modality
    urgent: bool = False


# --- made by the subscribers ------------------------------------------------------------------------

def from_change_request(actor: User, change: ChangeRequest) -> Task | None:
    """A client's change request (or "a home visit instead" from the waiting room) becomes a task."""
    appointment = change.appointment
    if appointment.enrolment_id is None or queries.open_for_change_request(change.id) is not None:
        return None
    return _create(actor, Task(kind=TaskKind.CHANGE_REQUEST, enrolment=appointment.enrolment,
                               client_id=change.client_id, appointment=appointment, change_request_id=change.id,
                               words=change.message, preferred_times=change.preferred_times,
                               wants_modality=change.wants_modality))


def from_callback(actor: User, callback: CallbackRequest) -> Task | None:
    if queries.for_callback(callback.id) is not None:
        return None
    enrolment = callback.enrolment
    return _create(actor, Task(kind=TaskKind.CALLBACK, enrolment=enrolment, client_id=enrolment.client_id,
                               callback_id=callback.id, preferred_times=callback.preferred_times,
                               phone=callback.phone))


def phone_instead(actor: User, appointment: Appointment) -> Task | None:
    """From the video waiting room: "call me instead" (a home visit comes as a change request)."""
    if appointment is None or appointment.enrolment_id is None:
        return None
    enrolment = appointment.enrolment
    return _create(actor, Task(kind=TaskKind.PHONE_INSTEAD, enrolment=enrolment, client_id=enrolment.client_id,
                               appointment=appointment, wants_modality=Modality.PHONE, phone=enrolment.client.phone))


def _create(actor: User, task: Task) -> Task:
    db.session.add(task)
    db.session.flush()
    record(actor, AuditAction.CREATE, FEATURE, "task", task.id, task.client_id, {"kind": task.kind.value})
    _tell(task)
    return task


def close_for_callback(actor: User, callback: CallbackRequest) -> None:
    """The callback was marked handled elsewhere (the message inbox): its task is handled too."""
    task = queries.for_callback(callback.id)
    if task is not None and task.state is TaskState.NEW:
        _mark(actor, task, None)
        _tell(task)


# --- handled by the worker --------------------------------------------------------------------------

def handle(actor: User, task: Task, reply: str | None) -> Task:
    """Mark the request handled, with an optional reply the client reads; the client is told."""
    reply = _require_open(task, reply)
    with db.session.begin_nested():
        _mark(actor, task, reply)  # first: closing the callback tells close_for_callback, which then skips it
        if task.kind is TaskKind.CALLBACK and task.callback_id is not None:
            messages.handle_callback(actor, db.session.get(CallbackRequest, task.callback_id))
        _close_change_request(actor, task)
    _notify_client(task)
    _tell(task)
    return task


def move(actor: User, task: Task, to: Move, reply: str | None) -> Appointment:
    """Book the new time the client asked for, cancel the old one, and close the request: all or nothing."""
    reply = _require_open(task, reply)
    old = task.appointment
    if old is None:
        raise TaskError(MESSAGES["no_appointment"])
    if not old.active:
        raise TaskError(MESSAGES["cancelled"])
    request = scheduling.BookingRequest(
        enrolment=task.enrolment, contact_type=old.contact_type, modality=to.modality, starts_at=to.starts_at,
        minutes=int((old.ends_at - old.starts_at).total_seconds() // 60), urgent=to.urgent,
        workers=[p.user for p in old.participants if p.user is not None and p.user_id != actor.id],
        place=old.place if to.modality is old.modality else None)
    with db.session.begin_nested():  # a refused booking leaves the old appointment and the task as they were
        new, _warnings = scheduling.move(actor, old, request,
                                         reason=reply or str(_l("Moved to another time at the client's request.")))
        _close_change_request(actor, task)
        task.new_appointment = new
        _mark(actor, task, reply)
    _tell(task)
    return new


def _require_open(task: Task, reply: str | None) -> str | None:
    if task.state is TaskState.HANDLED:
        name = task.handled_by.display_name if task.handled_by else "–"
        raise TaskError(_l("This request was already handled by %(name)s. The list has been updated.", name=name))
    if task.enrolment.status is not EnrolmentStatus.ACTIVE:
        raise TaskError(MESSAGES["ended"])
    reply = (reply or "").strip()
    if len(reply) > TEXT_LIMIT:
        raise TaskError(MESSAGES["reply_long"], "reply")
    return reply or None


def _close_change_request(actor: User, task: Task) -> None:
    if task.change_request_id is not None:
        appointments.close_change_request(actor, db.session.get(ChangeRequest, task.change_request_id))


def _mark(actor: User, task: Task, reply: str | None) -> None:
    task.state, task.handled_at, task.handled_by, task.reply = TaskState.HANDLED, utcnow(), actor, reply
    db.session.flush()
    record(actor, AuditAction.UPDATE, FEATURE, "task", task.id, task.client_id,
           {"fields": ["state", *(["reply"] if reply else []), *(["moved"] if task.new_appointment_id else [])]})


def _notify_client(task: Task) -> None:
    """"Your worker answered your request": no details in a text message, they are in Silta."""
    client = task.enrolment.client
    address = recipient_for(client)
    if address is None:
        return
    channel, recipient = address
    # A callback has no appointment card: its answer is under "Your requests" on the messages page.
    path = "/me/messages#requests" if task.appointment_id is None else "/me/appointments"
    link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
    with force_locale(language_of(client)):
        subject = _("Your worker answered your request")
        body = _("Silta: your worker has answered your request. Sign in to Silta to read the answer: %(link)s",
                 link=link)
    if queue_message(channel=channel, recipient=recipient, subject=subject, body=body, client_id=client.id,
                     dedupe_key=f"task-handled:{task.id}"):
        jobs.request_delivery()


def _tell(task: Task) -> None:
    """Tell the contact people's open task lists, once the transaction commits (ids only, never words)."""
    to, payload = queries.contact_people(task.enrolment), {"task_id": task.id}
    messages.after_commit(lambda: live.publish(to, LIVE_EVENT, payload))
