"""The referral pages through HTTP: forms that keep what was typed, translated errors, and every access rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import Role
from portal.db import utcnow
from portal.extensions import db
from portal.meetings.models import Contact, ContactOutcome
from portal.referrals import operations
from portal.referrals.models import Referral, ReferralKind, ReferralStatus
from portal.scheduling.timeutil import as_helsinki
from tests.referrals.conftest import TODAY


def referral_form(unit, **changes) -> dict:
    data = {"unit": str(unit.id), "urgency": "this_week", "situation": "Asumisen kustannukset huolettavat.",
            "first_name": "Eino", "last_name": "Pesonen", "birth_year": "1950", "gender": "male",
            "municipality": "091", "language": "fi", "phone": "+358401112223", "pensioner": "yes",
            "social_welfare_client": "no", "consent_by": "client", "consent_on": "2026-11-19",
            "consent_how": "verbal"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def relogin(client, login, user):
    """Sign out first: the login page sends a signed-in user on without switching."""
    db.session.commit()  # the test's own writes first: the request writes the audit trail
    client.post("/logout")
    return login(user)


def referrals(db) -> list[Referral]:
    db.session.expire_all()
    return list(db.session.scalars(select(Referral)))


def test_a_referrer_sends_a_referral_and_sees_its_status(client, db, login, referrer, unit):
    login(referrer)
    assert "New referral to health social work" in client.get("/referrals/new").get_data(as_text=True)
    response = client.post("/referrals/new", data=referral_form(unit))
    assert response.status_code == 302 and response.headers["Location"].endswith("/referrals/")
    [row] = referrals(db)
    assert (row.kind, row.pensioner, row.social_welfare_client) == (ReferralKind.REFERRAL, True, False)
    page = client.get("/referrals/").get_data(as_text=True)
    assert "Eino Pesonen" in page and "Waiting in the inbox" in page and "My referrals" in page


def test_without_consent_the_form_says_so_and_keeps_what_was_typed(client, db, login, referrer, unit):
    login(referrer)
    response = client.post("/referrals/new", data=referral_form(unit, consent_by=None, consent_on=None))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "A referral needs the client&#39;s consent: note who consented, when and how." in page
    assert 'value="Pesonen"' in page and "Asumisen kustannukset huolettavat." in page
    assert referrals(db) == []


def test_bad_input_is_refused_with_clear_messages(client, db, login, referrer, unit):
    login(referrer)
    response = client.post("/referrals/new", data=referral_form(unit, birth_year="vanha", pensioner=None,
                                                                urgency="whenever"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="Eino"' in page and 'value="+358401112223"' in page
    assert "Enter the year of birth, for example 1958." in page
    assert "Answer yes or no: the unit&#39;s statistics need it." in page
    assert "Choose how urgent it is." in page
    assert referrals(db) == []


def test_a_duplicate_referral_is_a_clear_error(client, db, login, referrer, unit):
    login(referrer)
    client.post("/referrals/new", data=referral_form(unit))
    response = client.post("/referrals/new", data=referral_form(unit, first_name="eino"))
    assert response.status_code == 400
    assert "This client already has an open referral to health social work" in response.get_data(as_text=True)
    assert len(referrals(db)) == 1


def test_an_anonymous_consultation_is_answered_and_the_referrer_sees_the_answer(client, db, login, referrer,
                                                                            worker, unit):
    login(referrer)
    response = client.post("/referrals/consult", data={"unit": str(unit.id), "urgency": "today",
                                                       "situation": "Omainen uupunut, mihin ohjata?"})
    assert response.status_code == 302
    [row] = referrals(db)
    relogin(client, login, worker)
    inbox = client.get("/referrals/inbox").get_data(as_text=True)
    assert "Not named" in inbox and f"/referrals/{row.id}" in inbox
    response = client.post(f"/referrals/{row.id}/answer", data={"answer": ""})
    assert response.status_code == 400 and "Write the answer." in response.get_data(as_text=True)
    response = client.post(f"/referrals/{row.id}/answer", data={"answer": "Omaishoidon ohjaus, p. 044 123"})
    assert response.status_code == 302
    relogin(client, login, referrer)
    page = client.get(f"/referrals/{row.id}").get_data(as_text=True)
    assert "Omaishoidon ohjaus, p. 044 123" in page and "Answered" in page


def test_the_worker_accepts_and_logs_a_contact_the_referrer_never_sees_it(client, db, login, referrer, worker,
                                                                           draft):
    referral = operations.send(referrer, draft(), TODAY)
    login(worker)
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Accept the referral" in page and "A new client, from the referral" in page
    response = client.post(f"/referrals/{referral.id}/accept", data={"client": "new"})
    assert response.status_code == 302 and "/referrals/contacts/" in response.headers["Location"]
    db.session.expire_all()
    assert referral.status is ReferralStatus.ACCEPTED
    enrolment_id = referral.enrolment_id
    start = as_helsinki(utcnow() - timedelta(hours=1))
    data = {"channel": "phone", "day": start.date().isoformat(), "start": start.strftime("%H:%M"), "minutes": "20",
            "outcome": "follow_up", "note": "Kelan asumistuki, soitto uudelleen"}
    response = client.post(f"/referrals/contacts/{enrolment_id}", data={**data, "outcome": ""})
    assert response.status_code == 400 and "Choose how the contact ended." in response.get_data(as_text=True)
    response = client.post(f"/referrals/contacts/{enrolment_id}", data=data)
    # A follow-up is booked through scheduling, for this enrolment.
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/book/{enrolment_id}")
    contact = db.session.scalar(select(Contact))
    assert contact.outcome is ContactOutcome.FOLLOW_UP and contact.modality.value == "phone"
    relogin(client, login, referrer)
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Accepted" in page and "Kelan asumistuki" not in page and "Log a contact" not in page
    assert client.get(f"/referrals/contacts/{enrolment_id}").status_code == 403
    assert client.get(f"/caseload/clients/{referral.client_id}").status_code in (403, 404)


def test_a_referrer_cannot_see_another_referrer_s_referral(client, db, login, referrer, create_staff, draft):
    referral = operations.send(referrer, draft(), TODAY)
    other = create_staff(Role.REFERRER)
    login(other)
    assert client.get(f"/referrals/{referral.id}").status_code == 403
    assert "Pesonen" not in client.get("/referrals/").get_data(as_text=True)
    assert client.get("/referrals/inbox").status_code == 403
    assert client.post(f"/referrals/{referral.id}/accept", data={"client": "new"}).status_code == 403


def test_a_worker_of_another_unit_cannot_open_or_handle(client, db, login, referrer, draft, create_staff):
    referral = operations.send(referrer, draft(), TODAY)
    outsider = create_staff(Role.WORKER, in_unit=None)
    login(outsider)
    assert client.get(f"/referrals/{referral.id}").status_code == 403
    assert client.post(f"/referrals/{referral.id}/accept", data={"client": "new"}).status_code == 403
    assert "Pesonen" not in client.get("/referrals/inbox").get_data(as_text=True)
    assert referrals(db)[0].status is ReferralStatus.OPEN


def test_a_worker_cannot_log_contacts_for_someone_else_s_client(client, db, login, referrer, worker, draft,
                                                                 create_staff):
    enrolment = operations.accept(worker, operations.send(referrer, draft(), TODAY), None, TODAY)
    db.session.commit()
    login(create_staff(Role.WORKER))  # same unit, not named on the client
    assert client.get(f"/referrals/contacts/{enrolment.id}").status_code == 403


@pytest.mark.parametrize("path", ["/referrals/", "/referrals/new", "/referrals/consult"])
def test_referrer_pages_are_for_referrers(client, login, worker, path):
    login(worker)
    assert client.get(path).status_code == 403


def test_every_view_that_names_a_person_is_audited(client, db, login, referrer, worker, draft):
    referral = operations.send(referrer, draft(), TODAY)
    operations.send(referrer, draft(kind=ReferralKind.CONSULTATION), TODAY)  # names nobody
    login(worker)
    client.get("/referrals/inbox")
    client.get(f"/referrals/{referral.id}")
    relogin(client, login, referrer)
    client.get("/referrals/")
    reads = db.session.scalars(select(AuditRecord).where(AuditRecord.feature == "referrals",
                                                         AuditRecord.action == AuditAction.READ)).all()
    assert [(r.actor_id, r.object_id) for r in reads] == [(worker.id, str(referral.id))] * 2 + [
        (referrer.id, str(referral.id))]


def test_the_contact_page_is_only_for_health_social_work(client, db, login, worker, create_client,
                                                         create_enrolment):
    other = create_enrolment(create_client(), coordinator=worker)
    login(worker)
    assert client.get(f"/referrals/contacts/{other.id}").status_code == 404
    assert db.session.scalar(select(func.count(Contact.id))) == 0


def test_the_header_links_to_the_right_list(client, login, referrer, worker, create_staff):
    login(referrer)
    assert 'href="/referrals/"' in client.get("/account").get_data(as_text=True)
    relogin(client, login, worker)  # the worker's unit has a referrer in it
    assert 'href="/referrals/inbox"' in client.get("/account").get_data(as_text=True)
    relogin(client, login, create_staff(Role.WORKER, in_unit=None))
    assert "/referrals/inbox" not in client.get("/account").get_data(as_text=True)
