"""Reading messages: a client's threads, a worker's inbox (longest waiting first), the team inbox, callbacks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Select, and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import contains_eager

from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.messages.models import CallbackRequest, Draft, Message, ReadMark, Thread
from portal.people.models import Client
from portal.plans.queries import absent_until
from portal.programmes.models import Enrolment, EnrolmentStatus, TeamMember
from portal.scheduling.models import Absence


@dataclass
class ThreadRow:
    thread: Thread
    unread: bool


def _unread(user_id):
    """True when someone else wrote after the user last read the thread (``user_id``: a value or a bind parameter)."""
    # Correlated to the message row explicitly: left to auto-correlation, the read mark's subquery pulled
    # in its own message_threads and compared every thread with whichever read mark came first.
    mark = (select(ReadMark.read_at).where(ReadMark.thread_id == Message.thread_id, ReadMark.user_id == user_id)
            .correlate(Message).scalar_subquery())
    return exists().where(Message.thread_id == Thread.id, Message.author_id != user_id,
                          or_(mark.is_(None), Message.created_at > mark))


def _rows(user: User, query) -> list[ThreadRow]:
    return _thread_rows(query.add_columns(_unread(user.id)))


def _thread_rows(statement: Select, params: dict | None = None) -> list[ThreadRow]:
    """(thread, unread) rows: ``statement`` selects the thread and its unread flag."""
    return [ThreadRow(thread, bool(unread)) for thread, unread in db.session.execute(statement, params)]


def _client_scope(user_id):
    return select(Thread).join(Enrolment).join(Client).where(Client.user_id == user_id)


def client_threads(user: User) -> list[ThreadRow]:
    return _thread_rows(_client_threads(), {"user_id": user.id})


@cache
def _client_threads() -> Select:
    """client_threads' statement, built once per process (the client's messages page)."""
    user_id = bindparam("user_id")
    return _client_scope(user_id).order_by(Thread.last_message_at.desc()).add_columns(_unread(user_id))


def inbox(user: User) -> list[ThreadRow]:
    """Threads of the clients the user is the contact person for now (coordinator; deputy while the
    coordinator is away): those waiting for an answer first, longest waiting at the top."""
    return _thread_rows(_inbox(), {"user_id": user.id, "now": utcnow()})


@cache
def _inbox() -> Select:
    """inbox's statement, built once per process (the case worker's inbox page)."""
    user_id = bindparam("user_id")
    return _ordered(_inbox_scope(user_id, bindparam("now"))).add_columns(_unread(user_id)).options(_WITH_CLIENT)


# The inbox lists name each thread's client: the enrolment (joined already) and its client come with the
# thread, not one lazy load per thread.
_WITH_CLIENT = contains_eager(Thread.enrolment).joinedload(Enrolment.client)


def _coordinator_away(now):
    return exists().where(Absence.user_id == Enrolment.coordinator_id, Absence.starts_at <= now, Absence.ends_at > now)


def _inbox_scope(user_id, now):
    mine = or_(and_(Enrolment.coordinator_id == user_id, ~_coordinator_away(now)),
               and_(Enrolment.deputy_id == user_id, _coordinator_away(now)))
    return select(Thread).join(Enrolment).where(mine, Enrolment.status == EnrolmentStatus.ACTIVE)


def team_inbox(user: User) -> list[ThreadRow]:
    """Threads waiting for an answer in the enrolments where the user is deputy or own-team member."""
    member = or_(Enrolment.deputy_id == user.id,
                 exists().where(TeamMember.enrolment_id == Enrolment.id, TeamMember.user_id == user.id))
    query = select(Thread).join(Enrolment).where(member, Enrolment.coordinator_id != user.id,
                                                 Enrolment.status == EnrolmentStatus.ACTIVE,
                                                 Thread.waiting_since.is_not(None))
    return _rows(user, _ordered(query).options(_WITH_CLIENT))


def _ordered(query):
    return query.order_by(Thread.waiting_since.is_(None), Thread.waiting_since, Thread.last_message_at.desc())


def enrolment_threads(user: User, enrolment: Enrolment) -> list[ThreadRow]:
    return _rows(user, select(Thread).where(Thread.enrolment_id == enrolment.id)
                 .order_by(Thread.last_message_at.desc()))


def open_callbacks(user: User) -> list[CallbackRequest]:
    """The callback requests waiting in the user's task list (as the contact person now), oldest first."""
    now = utcnow()
    rows = db.session.scalars(_open_callbacks(), {"user_id": user.id})
    return [c for c in rows if _is_contact(user, c.enrolment, now)]


@cache
def _open_callbacks() -> Select:
    """open_callbacks' statement, built once per process: a case worker's inbox runs it."""
    return (select(CallbackRequest).join(Enrolment).where(
        CallbackRequest.handled_at.is_(None), Enrolment.status == EnrolmentStatus.ACTIVE,
        or_(Enrolment.coordinator_id == bindparam("user_id"), Enrolment.deputy_id == bindparam("user_id")))
        .options(contains_eager(CallbackRequest.enrolment).joinedload(Enrolment.client))  # named on the page
        .order_by(CallbackRequest.created_at))


def _is_contact(user: User, enrolment: Enrolment, now: datetime) -> bool:
    away = absent_until(enrolment.coordinator, now) is not None
    if enrolment.coordinator_id == user.id:
        return not away or enrolment.deputy_id is None
    return away


def draft_of(user: User, thread: Thread) -> str:
    return db.session.scalar(select(Draft.body).where(Draft.user_id == user.id, Draft.thread_id == thread.id)) or ""


def messages_after(thread: Thread, message_id: int) -> list[Message]:
    return list(db.session.scalars(select(Message).where(Message.thread_id == thread.id, Message.id > message_id)
                                   .order_by(Message.id)))


def unread_count(user: User) -> int:
    """Threads with something unread: a client's own, a worker's inbox (as the navigation counts them). One query."""
    if user.is_client:
        return db.session.scalar(unread_count_statement(client=True), {"user_id": user.id})
    return db.session.scalar(unread_count_statement(client=False), {"user_id": user.id, "now": utcnow()})


@cache
def unread_count_statement(client: bool) -> Select:
    """The count, built once per process with the user and the time as parameters: the header asks on every
    page, and building the statement and its cache key cost more than running it (0.5-1.3 ms a page)."""
    user_id = bindparam("user_id")
    scope = _client_scope(user_id) if client else _inbox_scope(user_id, bindparam("now"))
    threads = scope.with_only_columns(Thread.id).where(_unread(user_id)).subquery()
    return select(func.count()).select_from(threads)
