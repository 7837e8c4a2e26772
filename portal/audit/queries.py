"""Reading the audit trail: the client's own access log, and the administrator's search."""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from portal.audit.models import AuditAction, AuditRecord, AuditRecordClient
from portal.auth.models import User
from portal.people.models import Client

PAGE_SIZE = 50


def access_log_for_client(client: Client) -> Select:
    """Who else has read or changed this client's data (Client Data Act 703/2023), newest first; a list page
    that showed the client's name counts (audit_record_clients)."""
    query = select(AuditRecord).where(_names(client.id))
    if client.user_id is not None:
        query = query.where(AuditRecord.actor_id.is_distinct_from(client.user_id))
    return query.order_by(AuditRecord.at.desc(), AuditRecord.id.desc())


def _names(client_id: int):
    """Records about the client, and list pages that showed the client's name."""
    shown = select(AuditRecordClient.record_id).where(AuditRecordClient.client_id == client_id)
    return or_(AuditRecord.client_id == client_id, AuditRecord.id.in_(shown))


def search(client_id: int | None = None, actor_id: int | None = None, action: AuditAction | None = None) -> Select:
    query = select(AuditRecord).order_by(AuditRecord.at.desc(), AuditRecord.id.desc())
    if client_id is not None:
        query = query.where(_names(client_id))
    if actor_id is not None:
        query = query.where(AuditRecord.actor_id == actor_id)
    if action is not None:
        query = query.where(AuditRecord.action == action)
    return query


def actor_label(actor: User | None) -> str:
    return actor.display_name if actor else "Silta"
