"""Administration: programmes and units are shown; roles change only through an audited operation."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import Role, User


def test_overview_lists_the_five_programmes(client, login, create_staff):
    login(create_staff(Role.ADMIN))
    body = client.get("/admin").get_data(as_text=True)
    for name in ("Kotiin annettava etäsosiaaliohjaus", "Paljon palvelua tarvitsevien tuki (PPT)",
                 "Terveyssosiaalityö perusterveydenhuollossa"):
        assert name in body
    assert client.get("/admin/programmes/intensive-rehabilitation").status_code == 200
    assert client.get("/admin/programmes/no-such").status_code == 404


def test_roles_change_and_are_audited(client, db, login, create_staff):
    admin, worker = create_staff(Role.ADMIN), create_staff(Role.WORKER)
    login(admin)
    response = client.post(f"/admin/users/{worker.id}", data={"roles": ["worker", "team_lead"], "active": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, worker.id).role_set == {Role.WORKER, Role.TEAM_LEAD}
    entry = db.session.scalar(select(AuditRecord).where(AuditRecord.action == AuditAction.UPDATE))
    assert entry.object_id == str(worker.id) and entry.client_id is None


def test_unknown_role_is_refused(client, db, login, create_staff):
    admin, worker = create_staff(Role.ADMIN), create_staff(Role.WORKER)
    login(admin)
    assert client.post(f"/admin/users/{worker.id}", data={"roles": ["superuser"], "active": "y"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, worker.id).role_set == {Role.WORKER}


def test_the_last_administrator_cannot_be_removed(client, db, login, create_staff):
    admin = create_staff(Role.ADMIN)
    login(admin)
    response = client.post(f"/admin/users/{admin.id}", data={"roles": ["worker"], "active": "y"})
    assert response.status_code == 400
    db.session.expire_all()
    assert Role.ADMIN in db.session.get(User, admin.id).role_set


def test_client_accounts_are_not_staff_accounts(client, login, create_staff, create_client):
    login(create_staff(Role.ADMIN))
    assert client.get(f"/admin/users/{create_client().user_id}").status_code == 404
    assert client.get("/admin/users/999999").status_code == 404
