"""Writing the audit trail. Every operation that reads or changes client data calls one of these."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from sqlalchemy import ARRAY, Insert, Integer, bindparam, func, insert, select, true

from portal.audit import pages
from portal.audit.models import AuditAction, AuditNameReveal, AuditRecord, AuditRecordClient
from portal.auth.models import Role, User
from portal.db import utcnow
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
    pages.note_recorded(client_id)
    return entry


def record_many(actor: User | None, action: AuditAction, feature: str, object_type: str, object_ids: Iterable,
                client_id: int | None = None) -> None:
    """One audit record per object changed together (a booked series), as one executemany."""
    _insert_records(actor, action, feature, object_type, [(object_id, client_id) for object_id in object_ids])


def record_reads(actor: User, feature: str, object_type: str, shown: dict[object, int]) -> None:
    """One read record per object shown with its client's name (a calendar's appointments: object id → client
    id), as one executemany."""
    _insert_records(actor, AuditAction.READ, feature, object_type, list(shown.items()))


def _insert_records(actor: User | None, action: AuditAction, feature: str, object_type: str,
                    objects: list[tuple[object, int | None]]) -> None:
    """Records of several objects (id, client id) in one executemany: no ORM objects, whose flush would fetch
    back ids nobody needs, one INSERT each."""
    at, actor_id = utcnow(), actor.id if actor is not None else None
    rows = [dict(at=at, actor_id=actor_id, client_id=client_id, feature=feature, action=action,
                 object_type=object_type, object_id=str(object_id)) for object_id, client_id in objects]
    if rows:
        db.session.execute(insert(AuditRecord.__table__), rows)
    for client_id in {client_id for _object_id, client_id in objects}:
        pages.note_recorded(client_id)


def record_read(actor: User, feature: str, object_type: str, object_id: object, client_id: int) -> AuditRecord:
    """A read of one client's data."""
    return record(actor, AuditAction.READ, feature, object_type, object_id, client_id)


def record_list(actor: User, feature: str, list_name: str, client_ids: Iterable[int | None]) -> int | None:
    """A page that named several clients (a caseload, an inbox, an agenda): one record for the page view and
    the clients it showed; the record's id (None when it named nobody).

    ``list_name`` says which page (the endpoint); the client's access log names the worker and the feature.
    Most staff pages write one, so it is Core, not an ORM object and its flush: on PostgreSQL one statement
    (the record's INSERT in a CTE, the clients from one array), on SQLite an INSERT … RETURNING and an
    executemany.
    """
    ids = sorted({c for c in client_ids if c is not None})
    if not ids:
        return None
    values = {"at": utcnow(), "actor_id": actor.id, "client_id": None, "feature": feature,
              "action": AuditAction.READ, "object_type": "list", "object_id": str(list_name),
              "detail": {"clients": len(ids)}}
    for client_id in ids:
        pages.note_recorded(client_id)
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.scalar(_list_statement(), {**values, "shown": ids})
    record_id = db.session.scalar(insert(AuditRecord.__table__).values(values).returning(AuditRecord.id))
    db.session.execute(insert(AuditRecordClient.__table__), [{"record_id": record_id, "client_id": c} for c in ids])
    return record_id


@cache
def _list_statement() -> Insert:
    """``WITH record AS (INSERT INTO audit_records … RETURNING id) INSERT INTO audit_record_clients SELECT
    record.id, unnest(:shown) …``, built once (its text is the same for any number of clients)."""
    records, shown = AuditRecord.__table__, AuditRecordClient.__table__
    names = ("at", "actor_id", "client_id", "feature", "action", "object_type", "object_id", "detail")
    record = (insert(records).values({name: bindparam(name, type_=records.c[name].type) for name in names})
              .returning(records.c.id).cte("record"))
    clients = func.unnest(bindparam("shown", type_=ARRAY(Integer))).table_valued("client_id").render_derived()
    rows = select(record.c.id, clients.c.client_id).select_from(record.join(clients, true()))  # one record, n clients
    return insert(shown).from_select(["record_id", "client_id"], rows).returning(shown.c.record_id)


def reveal_name(actor: User, client_id: int, reason: str) -> AuditNameReveal:
    """An administrator sees one client's name in the audit search: the reason is kept with the reveal, the trail
    (and so the client's own access log) says that it happened, never the text."""
    if not actor.has_role(Role.ADMIN):
        raise PermissionError("administrators only")
    reveal = AuditNameReveal(user_id=actor.id, client_id=client_id, reason=reason.strip()[:500])
    db.session.add(reveal)
    db.session.flush()
    record(actor, AuditAction.READ, "audit", "name_reveal", reveal.id, client_id, {"note": "name_reveal"})
    return reveal
