"""Writing the audit trail. Every operation that reads or changes client data calls one of these."""

from __future__ import annotations

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import User
from portal.extensions import db


def record(actor: User | None, action: AuditAction, feature: str, object_type: str,
           object_id: object = None, client_id: int | None = None, detail: dict | None = None) -> AuditRecord:
    """Add an audit record to the current transaction (it commits or rolls back with the change)."""
    entry = AuditRecord(
        actor_id=actor.id if actor is not None else None,
        client_id=client_id,
        feature=feature,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        detail=detail,
    )
    db.session.add(entry)
    return entry


def record_read(actor: User, feature: str, object_type: str, object_id: object, client_id: int) -> AuditRecord:
    """A read of one client's data."""
    return record(actor, AuditAction.READ, feature, object_type, object_id, client_id)
