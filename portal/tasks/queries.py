"""Reads for the task list: the open requests of the clients the user is the contact person for now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Select, and_, bindparam, exists, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal.auth.models import User
from portal.extensions import db
from portal.messages.models import Thread
from portal.programmes import registry
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.scheduling.models import Absence
from portal.tasks.models import Task, TaskState


@dataclass
class TaskList:
    tasks: list[Task]  # open requests, oldest first
    threads: list[Thread]  # messages waiting for an answer, longest waiting first

    @property
    def count(self) -> int:
        return len(self.tasks) + len(self.threads)


def _coordinator_away(now):
    return exists().where(Absence.user_id == Enrolment.coordinator_id, Absence.starts_at <= now,
                          Absence.ends_at > now)


def contact_person_is(user_id, now):
    """The enrolments whose contact person is the user now: the coordinator, or the deputy while the
    coordinator is away (a coordinator without a deputy keeps their own). Values or bind parameters."""
    away = _coordinator_away(now)
    return and_(Enrolment.status == EnrolmentStatus.ACTIVE, or_(
        and_(Enrolment.coordinator_id == user_id, or_(~away, Enrolment.deputy_id.is_(None))),
        and_(Enrolment.deputy_id == user_id, away)))


def task_list(user: User, now: datetime) -> TaskList:
    tasks, threads = _task_list_statements()
    params = {"user_id": user.id, "now": now}
    return TaskList(list(db.session.scalars(tasks, params)), list(db.session.scalars(threads, params)))


@cache
def _task_list_statements() -> tuple[Select, Select]:
    """task_list's two statements, built once per process (parameters user_id and now): a case worker's
    daily page runs them, and building them cost more CPU than running them."""
    mine = contact_person_is(bindparam("user_id"), bindparam("now"))
    tasks = (select(Task).join(Enrolment, Enrolment.id == Task.enrolment_id)
             .where(mine, Task.state == TaskState.NEW)
             .options(joinedload(Task.enrolment).joinedload(Enrolment.client), joinedload(Task.appointment))
             .order_by(Task.created_at, Task.id))
    threads = (select(Thread).join(Enrolment, Enrolment.id == Thread.enrolment_id)
               .where(mine, Thread.waiting_since.is_not(None))
               .options(joinedload(Thread.enrolment).joinedload(Enrolment.client))
               .order_by(Thread.waiting_since, Thread.id))
    return tasks, threads


def of_client(enrolment_ids: list[int]) -> list[Task]:
    """A client's open requests (the client page), oldest first."""
    if not enrolment_ids:
        return []
    return list(db.session.scalars(select(Task).where(Task.enrolment_id.in_(enrolment_ids),
                                                      Task.state == TaskState.NEW)
                                   .options(joinedload(Task.appointment)).order_by(Task.created_at, Task.id)))


RECENT_DAYS = 30  # a handled request stays under the client's "Your requests" this long
HOME_DAYS = 7  # ... and on their home page
CLIENT_LIMIT = 20


def for_client(client_id: int, now: datetime, days: int = RECENT_DAYS) -> list[Task]:
    """The client's own requests, for the client: the open ones and those handled in the last ``days`` days,
    newest first, with who handled them and what came of it."""
    return list(db.session.scalars(_for_client(), {"client_id": client_id, "since": now - timedelta(days=days)}))


@cache
def _for_client() -> Select:
    """for_client's statement, built once per process (the client's home and messages pages run it)."""
    return (select(Task).where(Task.client_id == bindparam("client_id"),
                               or_(Task.state == TaskState.NEW, Task.handled_at >= bindparam("since")))
            .options(joinedload(Task.handled_by), joinedload(Task.appointment), joinedload(Task.new_appointment))
            .order_by(Task.created_at.desc(), Task.id.desc()).limit(CLIENT_LIMIT))


def replies_for(appointment_ids: list[int]) -> dict[int, Task]:
    """The handled request per appointment, for the client's card: on the old appointment and on the new one."""
    if not appointment_ids:
        return {}
    rows = db.session.scalars(_replies_for(), {"ids": appointment_ids})
    found: dict[int, Task] = {}
    for task in rows:
        for appointment_id in (task.appointment_id, task.new_appointment_id):
            if appointment_id in appointment_ids:
                found[appointment_id] = task
    return found


@cache
def _replies_for() -> Select:
    ids = bindparam("ids", expanding=True)
    return (select(Task).where(Task.state == TaskState.HANDLED,
                               or_(Task.appointment_id.in_(ids), Task.new_appointment_id.in_(ids)))
            .options(joinedload(Task.handled_by), selectinload(Task.new_appointment)).order_by(Task.handled_at))


def open_for_change_request(change_request_id: int) -> Task | None:
    return db.session.scalar(select(Task).where(Task.change_request_id == change_request_id))


def for_callback(callback_id: int) -> Task | None:
    return db.session.scalar(select(Task).where(Task.callback_id == callback_id))


def contact_people(enrolment: Enrolment) -> list[int]:
    """Whom to tell live of a new or handled task: the coordinator and the deputy (the page decides who sees it)."""
    return [i for i in (enrolment.coordinator_id, enrolment.deputy_id) if i is not None]


def ways_to_offer(task: Task) -> list[Modality]:
    """The ways of meeting the new time may take: the contact type's, and the one the client asked for."""
    definition = registry.definition(task.appointment.programme_code)
    kind = definition.contact_type(task.appointment.contact_type) if definition else None
    ways = list(kind.modalities) if kind else [task.appointment.modality]
    return ways if task.wants_modality is None or task.wants_modality in ways else [*ways, task.wants_modality]
