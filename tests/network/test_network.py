"""The client's network (seeds 003, 004): recorded by the client's team, audited, shown to the client as wished."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import Role
from portal.network.models import NetworkContact, NetworkRole
from portal.people.models import OrgUnit

DOCTOR = {"role": "doctor", "name": "Laura Lääkäri", "organisation": "Kalasataman terveysasema",
          "phone": "+358 9 123 4610", "consent_to_contact": "y", "shown_to_client": "y"}
PHARMACY = {"role": "pharmacy", "organisation": "Kalasataman apteekki", "phone": "+358 9 123 4710"}


@pytest.fixture
def case(db, create_staff, create_client, create_enrolment):
    worker = create_staff(Role.WORKER)
    client = create_client()
    create_enrolment(client, coordinator=worker, programme="many-services")
    db.session.commit()
    return worker, client


def _browser(app, user):
    from tests.conftest import PASSWORD

    browser = app.test_client()
    assert browser.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return browser


def _audits(db, action):
    return db.session.scalars(select(AuditRecord).where(AuditRecord.feature == "network",
                                                        AuditRecord.action == action)).all()


def test_the_team_records_the_network_and_the_client_sees_what_they_wished(app, db, case):
    worker, client = case
    staff = _browser(app, worker)
    for form in (DOCTOR, PHARMACY):
        assert staff.post(f"/work/clients/{client.id}/network", data=form).status_code == 302
    rows = db.session.scalars(select(NetworkContact).where(NetworkContact.client_id == client.id)).all()
    assert {(r.role, r.consent_to_contact, r.shown_to_client) for r in rows} == {
        (NetworkRole.DOCTOR, True, True), (NetworkRole.PHARMACY, False, False)}
    assert len(_audits(db, AuditAction.CREATE)) == 2
    page = staff.get(f"/work/clients/{client.id}?lang=en").get_data(as_text=True)  # the team sees it on the client page
    assert "Kalasataman terveysasema" in page and "Kalasataman apteekki" in page
    mine = _browser(app, client.user).get("/me/network?lang=en")
    assert mine.status_code == 200
    text = mine.get_data(as_text=True)
    assert "Laura Lääkäri" in text and "Kalasataman apteekki" not in text
    assert any(r.actor_id == client.user.id for r in _audits(db, AuditAction.READ))


def test_editing_and_removing_are_audited_and_a_refusal_keeps_what_was_typed(app, db, case):
    worker, client = case
    staff = _browser(app, worker)
    staff.post(f"/work/clients/{client.id}/network", data=DOCTOR)
    contact = db.session.scalar(select(NetworkContact))
    refused = staff.post(f"/work/network/{contact.id}", data={**DOCTOR, "role": "other", "title": ""})
    assert refused.status_code == 400 and "Kalasataman terveysasema" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(NetworkContact, contact.id).role is NetworkRole.DOCTOR  # nothing half-saved
    assert staff.post(f"/work/network/{contact.id}", data={**DOCTOR, "shown_to_client": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(NetworkContact, contact.id).shown_to_client is False
    assert staff.post(f"/work/network/{contact.id}/remove").status_code == 302
    assert db.session.scalar(select(NetworkContact)) is None
    assert [len(_audits(db, a)) for a in (AuditAction.UPDATE, AuditAction.DELETE)] == [1, 1]
    bad_phone = staff.post(f"/work/clients/{client.id}/network", data={**PHARMACY, "phone": "soita"})
    assert bad_phone.status_code == 400 and db.session.scalar(select(NetworkContact)) is None


def test_only_the_clients_team_sees_the_network(app, db, case, create_staff):
    worker, client = case
    _browser(app, worker).post(f"/work/clients/{client.id}/network", data=DOCTOR)
    contact = db.session.scalar(select(NetworkContact))
    elsewhere = OrgUnit(code="elsewhere", name_fi="Muu", name_sv="Annan", name_en="Other", county="X")
    db.session.add(elsewhere)
    stranger = create_staff(Role.WORKER, in_unit=elsewhere)
    db.session.commit()
    other = _browser(app, stranger)
    assert other.get(f"/work/clients/{client.id}/network").status_code == 403
    assert other.get(f"/work/network/{contact.id}").status_code == 403
    assert other.post(f"/work/network/{contact.id}/remove").status_code == 403
    assert db.session.scalar(select(NetworkContact)) is not None
