"""A client's request as a task for their contact person: what was asked, in the client's own words.

One row per request. The task list shows it to whoever is the enrolment's contact person *now* (the
coordinator; the deputy while the coordinator is away), so an absence that starts after the request
still moves it. Handling it records who, when and what came of it (a new time, a note) — the client
sees that on the appointment card. Unanswered messages are not copied here: their thread's
``waiting_since`` already is that state, and the task list reads it from there.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import str_enum, utcnow
from portal.extensions import db
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment
from portal.scheduling.models import Appointment

TEXT_LIMIT = 1000


class TaskKind(enum.StrEnum):
    CHANGE_REQUEST = "change_request"  # another time or another way of meeting (also "home visit instead")
    CALLBACK = "callback"  # "please call me"
    PHONE_INSTEAD = "phone_instead"  # from the video waiting room: call me instead


class TaskState(enum.StrEnum):
    NEW = "new"
    HANDLED = "handled"


class Task(db.Model):
    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint("(state = 'handled') = (handled_at IS NOT NULL)", name="handled_has_time"),
        CheckConstraint("(handled_at IS NULL) = (handled_by_id IS NULL)", name="handled_by_whom"),
        # The open requests of a caseload: a small part of all tasks once years of handled ones pile up.
        Index("ix_tasks_open_enrolment", "enrolment_id", postgresql_where=text("state = 'new'"),
              sqlite_where=text("state = 'new'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TaskKind] = mapped_column(str_enum(TaskKind, 24))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id", ondelete="SET NULL"),
                                                       index=True)
    # The source rows, at most one each: asking twice from one form makes no second task.
    change_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointment_change_requests.id", ondelete="CASCADE"), unique=True)
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callback_requests.id", ondelete="CASCADE"),
                                                    unique=True)
    words: Mapped[str | None] = mapped_column(Text)  # the client's own words, shown as text (never markup)
    preferred_times: Mapped[str | None] = mapped_column(Text)
    wants_modality: Mapped[Modality | None] = mapped_column(str_enum(Modality, 16))
    phone: Mapped[str | None] = mapped_column(Text)
    state: Mapped[TaskState] = mapped_column(str_enum(TaskState, 16), default=TaskState.NEW)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None]
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reply: Mapped[str | None] = mapped_column(Text)  # the worker's words to the client, on the card
    new_appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id", ondelete="SET NULL"))

    enrolment: Mapped[Enrolment] = relationship()
    appointment: Mapped[Appointment | None] = relationship(foreign_keys=[appointment_id])
    new_appointment: Mapped[Appointment | None] = relationship(foreign_keys=[new_appointment_id])
    handled_by: Mapped[User | None] = relationship()

    @property
    def handled(self) -> bool:
        return self.state is TaskState.HANDLED
