"""The lifecycle pages: what a worker types reaches the operations, refusals come back on the form, nothing
half-saved, and only the service's own people run it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.auth.models import Role
from portal.people.models import ClientUnit
from portal.programmes.models import Enrolment, EnrolmentStatus, TeamMember


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER, name="Wilma Työntekijä", locale="en")


@pytest.fixture
def colleague(create_staff):
    return create_staff(Role.WORKER, name="Kalle Kollega", locale="en")


@pytest.fixture
def registered(db, unit, create_client):
    """A client registered in the unit, with no service yet."""
    def make(birth_year=1990):
        row = create_client(birth_year=birth_year)
        db.session.add(ClientUnit(client_id=row.id, unit_id=unit.id))
        db.session.commit()
        return row
    return make


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def start_form(unit, worker, **extra) -> dict:
    return {"unit_id": unit.id, "start_on": date.today().isoformat(), "coordinator_id": worker.id,
            "coordinator_role": "omatyontekija", "deputy_id": 0, "decided_by_id": 0, **extra}


def test_start_refusals_keep_the_form_and_save_nothing(db, client, login, unit, worker, registered):
    login(worker)
    older = registered(birth_year=date.today().year - 31)
    decision = {"decision_on": (date.today() - timedelta(days=1)).isoformat(),
                "decision_valid_until": (date.today() + timedelta(days=90)).isoformat(), "decided_by_id": worker.id}
    url = f"/work/clients/{older.id}/services/new/intensive-rehabilitation"
    response = client.post(url, data=start_form(unit, worker, **decision))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "this programme is for ages 18–29" in page
    assert f'value="{decision["decision_valid_until"]}"' in page  # what was typed stays
    assert count(db, Enrolment) == 0


def test_start_then_people_transfer_and_end(db, client, login, unit, worker, colleague, registered):
    login(worker)
    person = registered()
    response = client.post(f"/work/clients/{person.id}/services/new/remote-guidance", data=start_form(unit, worker))
    assert response.status_code == 302 and "/people" in response.headers["Location"]
    again = client.post(f"/work/clients/{person.id}/services/new/remote-guidance", data=start_form(unit, worker))
    assert again.status_code == 400 and "already has an ongoing service" in again.get_data(as_text=True)
    enrolment = db.session.scalar(select(Enrolment))
    people = f"/work/services/{enrolment.id}/people"
    bad = client.post(people, data={"form": "team", "user_id": colleague.id, "team_role": "friend"})
    assert bad.status_code == 400 and "role from the list" in bad.get_data(as_text=True)
    assert client.post(people, data={"form": "team", "user_id": colleague.id,
                                     "team_role": "social-counsellor"}).status_code == 302
    assert client.get(f"/work/clients/{person.id}").get_data(as_text=True).count("Social counsellor") == 1
    assert client.post(f"/work/services/{enrolment.id}/transfer",
                       data={"to_user_id": colleague.id, "note": "Toivoo iltapäiviä."}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).coordinator_id == colleague.id
    # The worker is no longer the coordinator: the service is not theirs to end.
    assert client.post(f"/work/services/{enrolment.id}/end", data={"reason": "moved"}).status_code == 403
    client.post("/logout")
    login(colleague)
    end = f"/work/services/{enrolment.id}/end"
    assert client.post(end, data={"reason": "", "ended_on": date.today().isoformat()}).status_code == 400
    assert client.post(end, data={"reason": "moved", "ended_on": date.today().isoformat()}).status_code == 302
    twice = client.post(end, data={"reason": "moved", "ended_on": date.today().isoformat()})
    assert twice.status_code == 400 and "already ended" in twice.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).status is EnrolmentStatus.ENDED
    assert count(db, TeamMember) == 1


def test_other_workers_cannot_run_someone_elses_service(db, client, login, worker, colleague, create_client,
                                                         create_enrolment):
    enrolment = create_enrolment(create_client(), coordinator=worker)
    db.session.commit()
    login(colleague)
    for path in ("people", "transfer", "end"):
        assert client.get(f"/work/services/{enrolment.id}/{path}").status_code == 403
    assert client.get(f"/work/clients/{enrolment.client_id}/services/new").status_code == 403


def test_a_004_contact_served_at_once_offers_to_close_the_case(db, client, login, worker, create_client,
                                                                create_enrolment):
    from portal.db import utcnow
    from portal.scheduling.timeutil import as_helsinki

    enrolment = create_enrolment(create_client(), coordinator=worker, programme="health-social-work")
    db.session.commit()
    login(worker)
    start = as_helsinki(utcnow() - timedelta(hours=1))
    response = client.post(f"/referrals/contacts/{enrolment.id}", data={
        "channel": "phone", "day": start.date().isoformat(), "start": start.strftime("%H:%M"), "minutes": "20",
        "outcome": "served", "note": "Kelan lomake täytetty yhdessä"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/work/services/{enrolment.id}/end?reason=served-in-one-contact")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<option selected value="served-in-one-contact">' in page


def test_the_pages_are_reads_in_the_clients_access_log(db, client, login, worker, create_client, create_enrolment):
    from portal.audit.models import AuditAction, AuditRecord

    enrolment = create_enrolment(create_client(), coordinator=worker)
    db.session.commit()
    login(worker)
    for path in ("people", "transfer", "end"):
        assert client.get(f"/work/services/{enrolment.id}/{path}").status_code == 200
    reads = db.session.scalars(select(AuditRecord).where(
        AuditRecord.client_id == enrolment.client_id, AuditRecord.action == AuditAction.READ,
        AuditRecord.feature == "programmes")).all()
    assert len(reads) == 3


def test_ending_003_leads_to_the_continuation_plan(db, client, login, worker, create_client, create_enrolment):
    enrolment = create_enrolment(create_client(), coordinator=worker, programme="many-services")
    db.session.commit()
    login(worker)
    response = client.post(f"/work/services/{enrolment.id}/end",
                           data={"reason": "goals-reached", "ended_on": date.today().isoformat()})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/plans/{enrolment.id}/continuation")
    assert client.get(response.headers["Location"]).status_code == 200  # allowed after the end too


def test_001_and_004_start_elsewhere(db, client, login, worker, registered):
    login(worker)
    person = registered()
    page = client.get(f"/work/clients/{person.id}/services/new").get_data(as_text=True)
    assert 'href="/intake"' in page and 'href="/referrals/inbox"' in page
    assert "/services/new/housing-guidance" not in page and "/services/new/remote-guidance" in page
    response = client.get(f"/work/clients/{person.id}/services/new/health-social-work")
    assert response.status_code == 302 and response.headers["Location"].endswith("/referrals/inbox")


def test_the_client_sees_their_new_contact_person(db, client, login, worker, colleague, create_client,
                                                   create_enrolment):
    from portal.programmes.operations import transfer

    person = create_client()
    person.user.locale = "en"
    enrolment = create_enrolment(person, coordinator=worker)
    assert "Your new contact person" not in _home(db, client, login, person)
    transfer(worker, enrolment, colleague, "Handover")
    assert "Your new contact person since" in _home(db, client, login, person) and "Kalle Kollega" in client.get(
        "/me").get_data(as_text=True)


def _home(db, client, login, person) -> str:
    db.session.commit()
    login(person.user)
    return client.get("/me").get_data(as_text=True)
