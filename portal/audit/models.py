"""The audit trail: who read or changed which client's data, when, and from which feature."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from portal.auth.models import User
from portal.db import str_enum, utcnow
from portal.extensions import db


class AuditAction(enum.StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"


class AuditRecord(db.Model):
    """One event. Never updated or deleted: the ORM refuses it, PostgreSQL refuses it by trigger."""

    __tablename__ = "audit_records"
    __table_args__ = (Index("ix_audit_records_client_at", "client_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"))
    feature: Mapped[str] = mapped_column(String(40))
    action: Mapped[AuditAction] = mapped_column(str_enum(AuditAction, 16))
    # What was touched, as a type and an id: never the data itself (no personal data in the trail).
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    # Names of the fields changed, or a short machine-readable note; never values.
    detail: Mapped[dict | None] = mapped_column(JSON)
    # The tamper-evident chain (portal/audit/chain.py): NULL until the sealing job links the record to the one
    # before it; then fixed (the database lets this one column go from NULL to a value, nothing else).
    chain_hash: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship(lazy="joined")


class AuditRecordClient(db.Model):
    """A client named on a list page that one audit record stands for ("your name was on Sanna's caseload").

    A child table rather than a JSON array, so that the client's access log finds them by index on both
    databases; a page view writes them with one executemany (operations.record_list).
    """

    __tablename__ = "audit_record_clients"

    # The primary key's order is the access log's index: a client's records, by record.
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("audit_records.id"), primary_key=True, index=True)


class AuditNameReveal(db.Model):
    """An administrator's reasoned request to see a client's name in the audit search (break-glass)."""

    __tablename__ = "audit_name_reveals"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditImmutableError(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        immutable = isinstance(obj, AuditRecord | AuditRecordClient | AuditNameReveal)
        if immutable and (obj in session.deleted or session.is_modified(obj)):
            raise AuditImmutableError("audit records cannot be changed or deleted")
