"""Clients' details: who may read and change them, and what bad input gets."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditRecord
from portal.auth.models import Role
from portal.people.models import Client, ContactChannel


@pytest.fixture
def case(db, create_staff, create_client, create_enrolment):
    worker = create_staff(Role.WORKER)
    client_row = create_client()
    create_enrolment(client_row, coordinator=worker)
    db.session.commit()
    return worker, client_row


def _reload(db, client_row) -> Client:
    db.session.expire_all()
    return db.session.get(Client, client_row.id)


def test_client_changes_own_contact_details(client, db, login, case):
    _, client_row = case
    login(client_row.user)
    response = client.post("/me/profile", data={"phone": "+358 40 111 2222", "email": "Aino@Example.com",
                                                "preferred_channel": "email", "prefers_home_visits": "y"})
    assert response.status_code == 302
    row = _reload(db, client_row)
    assert (row.phone, row.email, row.preferred_channel, row.prefers_home_visits) == (
        "+358 40 111 2222", "aino@example.com", ContactChannel.EMAIL, True)


def test_bad_input_keeps_what_was_typed_and_saves_nothing(client, db, login, case):
    _, client_row = case
    login(client_row.user)
    response = client.post("/me/profile", data={"phone": "call me maybe", "email": "not-an-email",
                                                "preferred_channel": "email", "contact_notes": "aamuisin"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "call me maybe" in body and "aamuisin" in body and 'aria-invalid="true"' in body
    assert "hds-error-summary" in body
    row = _reload(db, client_row)
    assert (row.phone, row.contact_notes) == ("+358401234567", None)


def test_forged_choice_is_refused(client, db, login, case):
    _, client_row = case
    login(client_row.user)
    assert client.post("/me/profile", data={"preferred_channel": "carrier-pigeon"}).status_code == 400
    assert _reload(db, client_row).preferred_channel is ContactChannel.SMS


def test_client_cannot_set_worker_only_fields(client, db, login, case):
    _, client_row = case
    login(client_row.user)
    client.post("/me/profile", data={"preferred_channel": "sms", "pensioner": "y", "municipality_code": "049"})
    row = _reload(db, client_row)
    assert (row.pensioner, row.municipality_code) == (False, "091")


def test_worker_edits_background(client, db, login, case):
    worker, client_row = case
    login(worker)
    assert client.get(f"/work/clients/{client_row.id}/background").status_code == 200
    response = client.post(f"/work/clients/{client_row.id}/background", data={
        "municipality_code": "091", "language": "sv", "pensioner": "y", "diagnosis_group": "mood",
        "preferred_channel": "phone"})
    assert response.status_code == 302
    row = _reload(db, client_row)
    assert (row.language.value, row.pensioner, row.diagnosis_group.value) == ("sv", True, "mood")


def test_worker_gets_a_clear_error_for_an_unknown_municipality(client, db, login, case):
    worker, client_row = case
    login(worker)
    response = client.post(f"/work/clients/{client_row.id}/background", data={
        "municipality_code": "999", "language": "fi", "preferred_channel": "sms", "diagnosis_group": ""})
    assert response.status_code == 400
    assert _reload(db, client_row).municipality_code == "091"


def test_worker_cannot_open_someone_elses_client(client, db, login, case, create_client, create_enrolment,
                                                 create_staff):
    worker, _ = case
    other = create_client()
    create_enrolment(other, coordinator=create_staff(Role.WORKER))
    db.session.commit()
    login(worker)
    for url in (f"/work/clients/{other.id}", f"/work/clients/{other.id}/background"):
        assert client.get(url).status_code == 403
    assert client.post(f"/work/clients/{other.id}/background", data={"language": "sv"}).status_code == 403
    assert client.get("/work/clients/999999").status_code == 404
    assert client.get("/work/clients/abc").status_code == 404
    assert _name(other) not in client.get("/work").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditRecord).where(
        AuditRecord.client_id == other.id)) == 0


def _name(client_row) -> str:
    return client_row.last_name


def test_team_lead_sees_the_units_clients_and_access_ends_after_grace(
        client, db, login, create_staff, create_client, create_enrolment):
    from datetime import date, timedelta

    from portal.programmes.models import EnrolmentStatus

    lead = create_staff(Role.TEAM_LEAD)
    current = create_client()
    create_enrolment(current, coordinator=create_staff(Role.WORKER))
    long_ago = create_client()
    create_enrolment(long_ago, coordinator=lead, status=EnrolmentStatus.ENDED,
                     start_on=date.today() - timedelta(days=800), ended_on=date.today() - timedelta(days=400))
    db.session.commit()
    login(lead)
    assert client.get(f"/work/clients/{current.id}").status_code == 200
    assert client.get(f"/work/clients/{long_ago.id}").status_code == 403


def test_client_without_a_client_record_is_refused(client, db, login, case):
    _, client_row = case
    user = client_row.user
    client_row.user_id = None
    db.session.commit()
    login(user)
    assert client.get("/me").status_code == 403


def test_oversized_body_is_refused_cleanly(client, login, case):
    _, client_row = case
    login(client_row.user)
    response = client.post("/me/profile", data={"contact_notes": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413


def test_client_chooses_good_times_for_meetings(client, db, login, case):
    _, client_row = case
    login(client_row.user)
    response = client.post("/me/profile", data={"preferred_channel": "sms", "preferred_weekdays": ["3", "1"],
                                                "preferred_day_parts": ["morning"]})
    assert response.status_code == 302
    row = _reload(db, client_row)
    assert (row.preferred_weekdays, row.preferred_day_parts) == ([1, 3], ["morning"])
    page = client.get("/me/profile").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="morning"', page)
    assert not re.search(r'<input checked[^>]*value="evening"', page)


@pytest.mark.parametrize("data", [{"preferred_weekdays": ["6"]}, {"preferred_weekdays": ["x"]},
                                  {"preferred_day_parts": ["night"]}])
def test_a_forged_good_time_is_refused_and_nothing_saved(client, db, login, case, data):
    _, client_row = case
    login(client_row.user)
    assert client.post("/me/profile", data={"preferred_channel": "sms", **data}).status_code == 400
    row = _reload(db, client_row)
    assert (row.preferred_weekdays, row.preferred_day_parts) == ([], [])
