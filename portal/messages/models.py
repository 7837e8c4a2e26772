"""Threads of messages per enrolment, attachments kept in the database, read marks, drafts, callback requests.

A thread belongs to one enrolment: whoever may read that enrolment's plan may read its messages (one
rule, ``plans.permissions``). ``waiting_since`` is when the client's oldest unanswered message came;
a worker's reply clears it, so the inbox can put whoever has waited longest first.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import str_enum, utcnow
from portal.extensions import db
from portal.programmes.models import Enrolment

MAX_SUBJECT = 200
MAX_BODY = 5000
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024


class Thread(db.Model):
    __tablename__ = "message_threads"
    __table_args__ = (Index("ix_message_threads_waiting", "waiting_since"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    subject: Mapped[str] = mapped_column(String(MAX_SUBJECT))
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    waiting_since: Mapped[datetime | None]

    enrolment: Mapped[Enrolment] = relationship()
    messages: Mapped[list[Message]] = relationship(back_populates="thread", order_by="Message.id")


class Message(db.Model):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_threads.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Plain text, always escaped when shown: HTML in a message is text, never markup.
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    thread: Mapped[Thread] = relationship(back_populates="messages")
    author: Mapped[User] = relationship(lazy="joined")
    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.id", lazy="selectin")


class AttachmentType(enum.StrEnum):
    """What the content is, sniffed from its first bytes (the browser's claim is not trusted)."""

    PNG = "image/png"
    JPEG = "image/jpeg"
    WEBP = "image/webp"
    PDF = "application/pdf"


class Attachment(db.Model):
    __tablename__ = "message_attachments"
    __table_args__ = (CheckConstraint(f"size > 0 AND size <= {MAX_ATTACHMENT_BYTES}", name="size_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[AttachmentType] = mapped_column(str_enum(AttachmentType, 40))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


class ReadMark(db.Model):
    """Up to when a user has read a thread."""

    __tablename__ = "message_read_marks"

    thread_id: Mapped[int] = mapped_column(ForeignKey("message_threads.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    read_at: Mapped[datetime]


class Draft(db.Model):
    """A reply being written, saved as the user types, so that it survives a reload."""

    __tablename__ = "message_drafts"
    __table_args__ = (UniqueConstraint("user_id", "thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_threads.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CallbackRequest(db.Model):
    """'Please call me', with the times that suit: a task for the client's contact person."""

    __tablename__ = "callback_requests"
    __table_args__ = (CheckConstraint("(handled_at IS NULL) = (handled_by_id IS NULL)", name="handled_by_whom"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    preferred_times: Mapped[str] = mapped_column(String(300))
    phone: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None]
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    enrolment: Mapped[Enrolment] = relationship()
