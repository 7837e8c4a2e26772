"""Instrument versions, answers (drafts and submissions), audited corrections and per-enrolment settings."""

from __future__ import annotations

import enum
from datetime import datetime
from functools import cached_property

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import str_enum, utcnow
from portal.extensions import db
from portal.measures.definitions_schema import InstrumentDefinition
from portal.programmes.models import Enrolment


class InstrumentVersion(db.Model):
    """One version of an instrument exactly as it was asked; never changed once answers point at it."""

    __tablename__ = "measure_instruments"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    checksum: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @cached_property
    def parsed(self) -> InstrumentDefinition:
        # Validated once per loaded row: the row never changes once answers point at it.
        return InstrumentDefinition.model_validate(self.definition)


class AnswerStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class AnswerSource(enum.StrEnum):
    """Who put the scores in: the client in Silta, or a worker from paper or a phone call."""

    CLIENT = "client"
    PAPER = "paper"
    PHONE = "phone"


FIT_ANSWERS = "status = 'submitted' AND instrument_code IN ('ors', 'srs')"


class Answer(db.Model):
    """One client's answer to one occurrence (e.g. ORS before appointment 12, 3X10D at start)."""

    __tablename__ = "measure_answers"
    __table_args__ = (
        # One answer per occurrence: a second submission finds this row instead of adding one.
        UniqueConstraint("enrolment_id", "instrument_code", "occurrence"),
        CheckConstraint("(status = 'submitted') = (submitted_at IS NOT NULL)", name="submitted_has_time"),
        CheckConstraint("source = 'client' OR status = 'submitted'", name="entries_are_submitted"),
        # The reports read one instrument's answers in a period (FIT, 3X10D, feedback).
        Index("ix_measure_answers_instrument_answered", "instrument_code", "answered_on"),
        # A caseload's FIT series in one read (portal/tasks/attention.py): the submitted ORS and SRS totals
        # per enrolment, answered from the index alone on PostgreSQL (created by migration a17c0de00007).
        Index("ix_measure_answers_fit", "enrolment_id",
              postgresql_include=["appointment_id", "instrument_code", "total"],
              postgresql_where=text(FIT_ANSWERS), sqlite_where=text(FIT_ANSWERS)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("measure_instruments.id"))
    instrument_code: Mapped[str] = mapped_column(String(40))
    occurrence: Mapped[str] = mapped_column(String(40))
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"), index=True)
    status: Mapped[AnswerStatus] = mapped_column(str_enum(AnswerStatus, 16), default=AnswerStatus.DRAFT)
    source: Mapped[AnswerSource] = mapped_column(str_enum(AnswerSource, 16), default=AnswerSource.CLIENT)
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    total: Mapped[float | None] = mapped_column(Float)
    # The token of the form that submitted it: the same form sent again is the same submission.
    submission_token: Mapped[str | None] = mapped_column(String(64))
    answered_on: Mapped[datetime | None]  # when the client answered (paper: the date on the form)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    instrument: Mapped[InstrumentVersion] = relationship(lazy="joined")
    enrolment: Mapped[Enrolment] = relationship()
    corrections: Mapped[list[Correction]] = relationship(
        back_populates="answer", order_by="Correction.id", lazy="selectin"
    )

    @property
    def submitted(self) -> bool:
        return self.status is AnswerStatus.SUBMITTED


class Correction(db.Model):
    """A change to a submitted answer: who, when, why, and what the values were before."""

    __tablename__ = "measure_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("measure_answers.id"), index=True)
    corrected_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    previous_values: Mapped[dict] = mapped_column(JSON)
    previous_total: Mapped[float | None] = mapped_column(Float)

    answer: Mapped[Answer] = relationship(back_populates="corrections")


class MeasureSettings(db.Model):
    """Per-enrolment choices the worker makes (the FIT graph is not always good for a client to see)."""

    __tablename__ = "measure_settings"

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), primary_key=True)
    client_sees_fit_graph: Mapped[bool] = mapped_column(default=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class QuestionnaireLink(db.Model):
    """One questionnaire occurrence answerable from a link in an SMS or email, without signing in.

    The link's token is random (32 bytes); only its SHA-256 is kept, like the calendar feed's. It opens
    this one occurrence and nothing else, until ``expires_at``, once (``used_at``). The reminder is the
    second outbox message, queued with the first and withdrawn when the link is used.
    """

    __tablename__ = "questionnaire_links"
    __table_args__ = (Index("ix_questionnaire_links_occurrence", "enrolment_id", "instrument_code", "occurrence_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    instrument_code: Mapped[str] = mapped_column(String(40))
    occurrence_key: Mapped[str] = mapped_column(String(40))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    reminder_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id", ondelete="SET NULL"))

    enrolment: Mapped[Enrolment] = relationship()
