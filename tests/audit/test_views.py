"""List pages in the trail and the client's log; the administrator's pseudonymous search and its break-glass."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.audit import queries
from portal.audit.models import AuditAction, AuditNameReveal, AuditRecord, AuditRecordClient
from portal.auth.models import Role


def test_a_list_page_is_one_record_naming_every_client_shown(client, db, login, create_staff, create_client,
                                                              create_enrolment):
    worker = create_staff(Role.WORKER, name="Sanna Virtanen")
    shown = [create_client(), create_client()]
    for row in shown:
        create_enrolment(row, coordinator=worker)
    login(worker)
    assert client.get("/work").status_code == 200
    entry = db.session.scalar(select(AuditRecord).where(AuditRecord.object_type == "list"))
    assert (entry.actor_id, entry.object_id, entry.client_id) == (worker.id, "caseload.index", None)
    assert set(db.session.scalars(select(AuditRecordClient.client_id).where(
        AuditRecordClient.record_id == entry.id))) == {c.id for c in shown}
    reads = select(func.count()).select_from(AuditRecord).where(AuditRecord.action == AuditAction.READ)
    assert db.session.scalar(reads) == 1  # one record for the page view
    assert entry in db.session.scalars(queries.search(client_id=shown[0].id)).all()  # the admin finds it by number
    client.post("/logout")
    shown[1].user.locale = "en"
    login(shown[1].user)
    body = client.get("/me/access-log").get_data(as_text=True)
    assert "Sanna Virtanen" in body and "Your name was on a page listing clients" in body


def test_admin_sees_client_numbers_and_reveals_a_name_only_with_a_reason(client, db, login, create_staff,
                                                                         create_client):
    admin, someone = create_staff(Role.ADMIN), create_client()
    login(someone.user)
    client.post("/me/profile", data={"preferred_channel": "email", "email": "me@example.com"})
    client.post("/logout")
    login(admin)
    body = client.get(f"/admin/audit?client_id={someone.id}").get_data(as_text=True)
    assert someone.last_name not in body and someone.user.display_name not in body
    assert f"(user {someone.user.id})" in body or f"käyttäjä {someone.user.id}" in body

    refused = client.post(f"/admin/audit/clients/{someone.id}/reveal", data={"reason": "  "})
    assert refused.status_code == 400 and someone.last_name not in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditNameReveal)) == 0

    shown = client.post(f"/admin/audit/clients/{someone.id}/reveal", data={"reason": "Tietopyyntö 12/2026"})
    assert shown.status_code == 200 and someone.full_name in shown.get_data(as_text=True)
    reveal = db.session.scalar(select(AuditNameReveal))
    assert (reveal.user_id, reveal.client_id, reveal.reason) == (admin.id, someone.id, "Tietopyyntö 12/2026")
    logged = db.session.scalar(select(AuditRecord).where(AuditRecord.object_type == "name_reveal"))
    assert (logged.actor_id, logged.client_id) == (admin.id, someone.id)
    assert "Tietopyyntö" not in str(logged.detail)  # the reason stays with the reveal, not in the trail


def test_a_refused_form_that_shows_the_client_again_is_still_a_read(client, db, login, create_staff, create_client,
                                                                   create_enrolment):
    worker, someone = create_staff(Role.WORKER), create_client()
    create_enrolment(someone, coordinator=worker)
    login(worker)
    refused = client.post(f"/work/clients/{someone.id}/background", data={"municipality_code": "nowhere"})
    assert refused.status_code == 400 and someone.last_name in refused.get_data(as_text=True)
    listed = select(AuditRecordClient.client_id).join(AuditRecord, AuditRecord.id == AuditRecordClient.record_id)
    assert db.session.scalars(listed.where(AuditRecord.actor_id == worker.id)).all() == [someone.id]
    db.session.refresh(someone)
    assert someone.municipality_code == "091"  # nothing of the refused change was saved
