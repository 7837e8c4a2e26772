"""The audit trail: reads and changes are recorded, the client sees them, nobody can edit them."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from portal.audit.models import AuditAction, AuditImmutableError, AuditRecord
from portal.auth.models import Role


@pytest.fixture
def case(db, create_staff, create_client, create_enrolment):
    worker = create_staff(Role.WORKER, name="Sanna Virtanen")
    client_row = create_client()
    create_enrolment(client_row, coordinator=worker)
    db.session.commit()
    return worker, client_row


def test_worker_reading_the_overview_is_recorded(client, db, login, case):
    worker, client_row = case
    login(worker)
    assert client.get(f"/work/clients/{client_row.id}").status_code == 200
    entry = db.session.scalar(select(AuditRecord).where(AuditRecord.action == AuditAction.READ))
    assert (entry.actor_id, entry.client_id, entry.feature) == (worker.id, client_row.id, "caseload")


def test_change_is_recorded_with_field_names_only(client, db, login, case):
    worker, client_row = case
    login(worker)
    response = client.post(f"/work/clients/{client_row.id}/background", data={
        "municipality_code": "091", "language": "fi", "preferred_channel": "phone", "phone": "+358 40 765 4321",
        "diagnosis_group": "",
    })
    assert response.status_code == 302
    entry = db.session.scalar(select(AuditRecord).where(AuditRecord.action == AuditAction.UPDATE))
    assert set(entry.detail["fields"]) == {"phone", "preferred_channel"}
    assert "765" not in str(entry.detail)


def test_client_sees_who_read_their_data_but_not_themselves(client, db, login, case):
    worker, client_row = case
    login(worker)
    client.get(f"/work/clients/{client_row.id}")
    client.post("/logout")
    login(client_row.user)
    client.post("/me/profile", data={"preferred_channel": "email", "email": "me@example.com"})
    body = client.get("/me/access-log").get_data(as_text=True)
    assert "Sanna Virtanen" in body
    assert body.count("<tr>") == 2  # header + the worker's read; the client's own change is not listed


def test_client_never_sees_another_clients_log(client, db, login, case, create_client):
    worker, client_row = case
    login(worker)
    client.get(f"/work/clients/{client_row.id}")
    client.post("/logout")
    other = create_client()
    login(other.user)
    assert "Sanna Virtanen" not in client.get("/me/access-log").get_data(as_text=True)


def test_orm_refuses_to_change_or_delete(db, case):
    entry = AuditRecord(feature="test", action=AuditAction.READ, object_type="client", client_id=case[1].id)
    db.session.add(entry)
    db.session.commit()
    entry.feature = "edited"
    with pytest.raises(AuditImmutableError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(entry)
    with pytest.raises(AuditImmutableError):
        db.session.flush()
    db.session.rollback()


def test_database_refuses_to_change_or_delete(db, case):
    db.session.add(AuditRecord(feature="test", action=AuditAction.READ, object_type="client"))
    db.session.commit()
    for statement in ("UPDATE audit_records SET feature = 'x'", "DELETE FROM audit_records"):
        with pytest.raises(DatabaseError):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.scalar(select(AuditRecord.feature)) == "test"


def test_admin_search_filters_and_validates(client, db, login, case, create_staff):
    worker, client_row = case
    admin = create_staff(Role.ADMIN)
    login(worker)
    client.get(f"/work/clients/{client_row.id}")
    client.post("/logout")
    login(admin)
    assert client.get(f"/admin/audit?client_id={client_row.id}&action=read").status_code == 200
    assert client.get("/admin/audit?client_id=abc").status_code == 400
    assert client.get("/admin/audit?action=nonsense").status_code == 400
