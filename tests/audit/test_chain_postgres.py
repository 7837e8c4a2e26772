"""The hash chain and the list records on a real PostgreSQL: the sealing lock, the trigger that allows only
the seal, a tampered row, and a list page's record written as one statement (its CTE)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from portal.audit import chain
from portal.audit.models import AuditAction, AuditRecord, AuditRecordClient
from portal.audit.operations import record, record_list
from portal.auth.models import Role
from tests.audit.test_chain import _tamper

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(pg_app):
    return pg_app


def test_chain_on_postgresql(db, create_staff, create_client):
    """The sealing lock, the trigger that allows only the seal, and a tampered row, on PostgreSQL."""
    assert db.session.get_bind().dialect.name == "postgresql"
    worker, someone = create_staff(Role.WORKER), create_client()
    for _ in range(3):
        record(worker, AuditAction.READ, "caseload", "client", someone.id, someone.id)
    other = create_client()
    listed = record_list(worker, "caseload", "caseload.index", [other.id, someone.id, other.id])
    db.session.commit()
    shown = select(AuditRecordClient.client_id).where(AuditRecordClient.record_id == listed)
    assert sorted(db.session.scalars(shown)) == sorted([someone.id, other.id])  # one statement's CTE wrote both
    assert chain.seal() == 4 and chain.verify().ok
    first = db.session.scalar(select(AuditRecord.id).order_by(AuditRecord.id))
    with pytest.raises(DatabaseError):
        db.session.execute(text(f"UPDATE audit_records SET chain_hash = 'x' WHERE id = {first}"))
    db.session.rollback()
    _tamper(db, f"UPDATE audit_records SET actor_id = NULL WHERE id = {first}")
    assert chain.verify().broken_id == first
