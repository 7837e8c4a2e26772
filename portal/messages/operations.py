"""Every change to messages: each checks access and the enrolment, audits, flushes; live delivery and the
"you have a new message" notice go out only after the request's transaction commits."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, event, select

from portal import signals
from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _, _l
from portal.messages import attachments, live
from portal.messages.models import (
    MAX_BODY,
    MAX_SUBJECT,
    Attachment,
    CallbackRequest,
    Draft,
    Message,
    ReadMark,
    Thread,
)
from portal.notifications import operations as notifications
from portal.notifications.models import Channel
from portal.plans import permissions as plan_permissions
from portal.plans.queries import care_team
from portal.programmes.models import Enrolment

CLIENT_PATH, STAFF_PATH = "/me/messages", "/messages/inbox"


class MessageError(ValueError):
    """A message that cannot be sent; the text is translated. ``field`` names the form field."""

    def __init__(self, message, field: str = "body") -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Upload:
    filename: str
    data: bytes


def _require_open(actor: User, enrolment: Enrolment) -> None:
    if not plan_permissions.can_read(actor, enrolment):
        raise PermissionError("not this enrolment's client or worker")
    if not plan_permissions.is_active(enrolment):
        raise MessageError(_l("The service has ended, so messages can no longer be sent here. Contact the "
                              "unit by phone if you need help."))


def _text(value: str | None, limit: int, field: str, empty) -> str:
    value = (value or "").strip()
    if not value:
        raise MessageError(empty, field)
    if len(value) > limit:
        raise MessageError(_l("The text is too long: at most %(limit)s characters.", limit=limit), field)
    return value


def start_thread(actor: User, enrolment: Enrolment, subject: str, body: str, upload: Upload | None = None) -> Thread:
    """A new conversation in the enrolment, with its first message."""
    _require_open(actor, enrolment)
    subject = _text(subject, MAX_SUBJECT, "subject", _l("Write a subject."))
    thread = Thread(enrolment=enrolment, subject=subject, started_by_id=actor.id)
    db.session.add(thread)
    db.session.flush()
    record(actor, AuditAction.CREATE, "messages", "thread", thread.id, enrolment.client_id)
    post(actor, thread, body, upload)
    return thread


def post(actor: User, thread: Thread, body: str, upload: Upload | None = None) -> Message:
    """A message in a thread: stored, the sender's draft removed, waiting state updated, others told."""
    _require_open(actor, thread.enrolment)
    body = _text(body, MAX_BODY, "body", _l("Write your message."))
    try:
        checked = attachments.check(upload.filename, upload.data) if upload else None
    except attachments.AttachmentError as exc:
        raise MessageError(str(exc), "attachment") from exc
    now = utcnow()
    message = Message(thread=thread, author_id=actor.id, body=body, created_at=now)
    if checked:
        name, kind = checked
        message.attachments = [Attachment(filename=name, content_type=kind, size=len(upload.data), data=upload.data)]
    db.session.add(message)
    thread.last_message_at = now
    if actor.is_client:
        thread.waiting_since = thread.waiting_since or now
    else:
        thread.waiting_since = None
    db.session.execute(delete(Draft).where(Draft.user_id == actor.id, Draft.thread_id == thread.id))
    _mark_read(actor, thread, now)
    db.session.flush()
    record(actor, AuditAction.CREATE, "messages", "message", message.id, thread.enrolment.client_id,
           {"fields": ["attachment"]} if checked else None)
    _tell_others(actor, thread, message)
    return message


def _tell_others(actor: User, thread: Thread, message: Message) -> None:
    enrolment = thread.enrolment
    team = care_team(enrolment)
    workers = {u.id: u for u in [team.coordinator, team.deputy, *[m.user for m in team.members]] if u}
    client_user = enrolment.client.user
    readers = ({client_user.id} if client_user else set()) | set(workers)
    live_to = sorted(readers - {actor.id})
    payload = {"thread_id": thread.id, "message_id": message.id}
    after_commit(lambda: live.publish(live_to, "message", payload))
    if actor.is_client:
        if team.contact_person is not None:
            _notify_staff(team.contact_person, thread)
    elif client_user is not None:
        _notify_client(enrolment, thread)


def after_commit(callback) -> None:
    """Run ``callback`` once the outermost transaction commits; never for one that rolls back.

    (SQLAlchemy also fires ``after_commit`` when a savepoint is released — the outbox uses one — so
    the callbacks wait in the session's info until the real commit.)
    """
    session = db.session()
    if not session.info.get(_HOOKED):
        event.listen(session, "after_commit", _run_pending)
        event.listen(session, "after_transaction_end", _drop_pending)
        session.info[_HOOKED] = True
    session.info.setdefault(_PENDING, []).append(callback)


_HOOKED, _PENDING = "messages.hooked", "messages.after_commit"


def _run_pending(session) -> None:
    if session.in_nested_transaction():
        return
    for callback in session.info.pop(_PENDING, []):
        callback()


def _drop_pending(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _unread_key(thread: Thread, user_id: int) -> str:
    # One notice per thread until the person has read it: a burst of messages is one text message.
    read_at = db.session.scalar(select(ReadMark.read_at).where(ReadMark.thread_id == thread.id,
                                                               ReadMark.user_id == user_id))
    return f"message:{thread.id}:{user_id}:{read_at.isoformat() if read_at else 'never'}"


def _notify_client(enrolment: Enrolment, thread: Thread) -> None:
    client = enrolment.client
    target = notifications.recipient_for(client)
    if target is None:
        return
    subject, body = new_message_text(notifications.language_of(client), CLIENT_PATH)
    notifications.queue_message(channel=target[0], recipient=target[1], subject=subject, body=body,
                                dedupe_key=_unread_key(thread, client.user_id), client_id=client.id)


def _notify_staff(user: User, thread: Thread) -> None:
    if not user.email:
        return
    subject, body = new_message_text(user.locale, STAFF_PATH)
    notifications.queue_message(channel=Channel.EMAIL, recipient=user.email, subject=subject, body=body,
                                dedupe_key=_unread_key(thread, user.id), user_id=user.id)


def new_message_text(language: str, path: str) -> tuple[str, str]:
    """Only that there is a message, and where to read it: never who wrote it or what it says."""
    link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
    with force_locale(language):
        return _("New message in Silta"), _("Silta: you have a new message. Sign in to read it: %(link)s", link=link)


def _mark_read(user: User, thread: Thread, at) -> None:
    mark = db.session.get(ReadMark, (thread.id, user.id))
    if mark is None:
        db.session.add(ReadMark(thread_id=thread.id, user_id=user.id, read_at=at))
    elif mark.read_at < at:
        mark.read_at = at


def read_thread(actor: User, thread: Thread) -> list[Message]:
    """The thread's messages, marked read for the reader, the read audited."""
    _mark_read(actor, thread, utcnow())
    db.session.flush()
    record(actor, AuditAction.READ, "messages", "thread", thread.id, thread.enrolment.client_id)
    return list(thread.messages)


def save_draft(actor: User, thread: Thread, body: str) -> Draft | None:
    """Keep what the user is writing (an empty text removes the draft)."""
    if not plan_permissions.can_read(actor, thread.enrolment):
        raise PermissionError("not this thread's reader")
    body = (body or "")[:MAX_BODY]
    draft = db.session.scalar(select(Draft).where(Draft.user_id == actor.id, Draft.thread_id == thread.id))
    if not body.strip():
        if draft is not None:
            db.session.delete(draft)
        return None
    if draft is None:
        draft = Draft(user_id=actor.id, thread_id=thread.id, body=body)
        db.session.add(draft)
    draft.body, draft.updated_at = body, utcnow()
    db.session.flush()
    return draft


def request_callback(actor: User, enrolment: Enrolment, preferred_times: str, phone: str | None) -> CallbackRequest:
    """'Please call me': a task for the contact person, who is told there is something new (not what)."""
    _require_open(actor, enrolment)
    if not actor.is_client:
        raise PermissionError("clients ask for callbacks")
    times = _text(preferred_times, 300, "preferred_times", _l("Write when a call would suit you."))
    phone = (phone or "").strip() or (enrolment.client.phone or "")
    if not phone:
        raise MessageError(_l("Write the phone number to call."), "phone")
    if len(phone) > 32:
        raise MessageError(_l("The phone number is too long."), "phone")
    callback = CallbackRequest(enrolment=enrolment, requested_by_id=actor.id, preferred_times=times, phone=phone)
    db.session.add(callback)
    db.session.flush()
    record(actor, AuditAction.CREATE, "messages", "callback", callback.id, enrolment.client_id)
    signals.callback_requested.send(actor, callback=callback)  # the task list (portal/tasks) listens
    team = care_team(enrolment)
    if team.contact_person is not None:
        to, payload = [team.contact_person.id], {"callback_id": callback.id}
        after_commit(lambda: live.publish(to, "callback", payload))
        if team.contact_person.email:
            subject, body = new_message_text(team.contact_person.locale, STAFF_PATH)
            notifications.queue_message(channel=Channel.EMAIL, recipient=team.contact_person.email, subject=subject,
                                        body=body, dedupe_key=f"callback:{callback.id}",
                                        user_id=team.contact_person.id)
    return callback


def handle_callback(actor: User, callback: CallbackRequest) -> bool:
    if not plan_permissions.can_work(actor, callback.enrolment):
        raise PermissionError("not a worker on this enrolment")
    if callback.handled_at is not None:
        return False
    callback.handled_at, callback.handled_by_id = utcnow(), actor.id
    db.session.flush()
    record(actor, AuditAction.UPDATE, "messages", "callback", callback.id, callback.enrolment.client_id,
           {"fields": ["handled"]})
    signals.callback_handled.send(actor, callback=callback)
    return True


def record_attachment_read(actor: User, thread: Thread, attachment: Attachment) -> None:
    record(actor, AuditAction.READ, "messages", "attachment", attachment.id, thread.enrolment.client_id)
