"""A worker registers a client: the identity code never kept in clear, the "same person?" step, bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import Role
from portal.people import identity
from portal.people.models import Client, ClientUnit, DiagnosisGroup, Gender, OrgUnit
from tests.people.test_identity import make

CODE = make("150390", "-", "123")  # a man born 15 March 1990


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER, locale="en")


def _form(**values) -> dict:
    data = {"first_name": "Matti", "last_name": "Meikäläinen", "identity_code": CODE, "birth_date": "",
            "birth_year": "", "gender": "", "municipality_code": "091", "language": "fi", "phone": "+358 40 555 1234",
            "email": "", "address": "", "preferred_channel": "sms"}
    return {**data, **values}


def _register(client, unit, **values):
    return client.post("/work/clients/new", data=_form(unit_id=unit.id, **values))


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Client))


def test_register_with_identity_code_keeps_only_its_keyed_hash(client, db, login, worker, unit):
    login(worker)
    response = _register(client, unit)
    assert response.status_code == 302
    row = db.session.scalar(select(Client).where(Client.last_name == "Meikäläinen"))
    assert row.identity_hash == identity.identity_hash(CODE)
    assert (row.birth_date.isoformat(), row.birth_year, row.gender) == ("1990-03-15", 1990, Gender.MALE)
    assert db.session.scalar(select(ClientUnit.unit_id).where(ClientUnit.client_id == row.id)) == unit.id
    assert response.headers["Location"].endswith(f"/work/clients/{row.id}")
    assert client.get(f"/work/clients/{row.id}").status_code == 200  # a worker of the unit sees the new client
    # The code is nowhere in the database: not in the client row, not in the audit trail.
    dump = "\n".join(str(r) for table in ("clients", "audit_records")
                     for r in db.session.execute(text(f"SELECT * FROM {table}")))  # noqa: S608
    assert CODE not in dump and CODE[:6] + CODE[7:] not in dump
    created = db.session.scalar(select(AuditRecord).where(AuditRecord.action == AuditAction.CREATE,
                                                          AuditRecord.object_type == "client"))
    assert created.client_id == row.id and created.actor_id == worker.id and "identity_hash" in created.detail["fields"]


def test_another_units_worker_does_not_see_the_client(client, db, login, worker, unit, create_staff):
    other_unit = OrgUnit(code="other", name_fi="Muu", name_sv="Annan", name_en="Other", county="Helsinki")
    db.session.add(other_unit)
    outsider = create_staff(Role.WORKER, in_unit=other_unit)
    db.session.commit()
    login(worker)
    _register(client, unit)
    row_id = db.session.scalar(select(Client.id).where(Client.last_name == "Meikäläinen"))
    client.post("/logout")
    login(outsider)
    assert client.get(f"/work/clients/{row_id}").status_code == 403
    assert client.get(f"/work/clients/{row_id}/activation").status_code == 403
    assert "Meikäläinen" not in client.get("/work/clients?q=meik").get_data(as_text=True)
    # Registering into a unit that is not one's own is not offered, and refused when forged.
    assert _register(client, unit, identity_code="", birth_year="1990").status_code == 400


BAD_INPUT = [
    ({"identity_code": CODE[:-1] + ("A" if CODE[-1] != "A" else "B")}, "check character does not match"),
    ({"identity_code": CODE[:6] + "G" + CODE[7:]}, "century sign"),
    ({"identity_code": make("310490", "-", "123")}, "not a real date"),
    ({"identity_code": "", "birth_date": "", "birth_year": ""}, "at least the year"),
    ({"identity_code": "", "birth_date": "2199-01-01"}, "between 1900 and today"),
    ({"birth_date": "1991-03-15"}, "does not match the identity code"),
]


def test_bad_input_is_refused_clearly_keeps_what_was_typed_and_saves_nothing(client, db, login, worker, unit):
    login(worker)
    before = _count(db)
    for values, message in BAD_INPUT:
        response = _register(client, unit, **values)
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and message in page, values
        assert 'value="Meikäläinen"' in page  # the form keeps what was typed
    assert _count(db) == before


def test_same_identity_code_is_the_same_person(client, db, login, worker, unit, create_staff):
    login(worker)
    _register(client, unit)
    first = db.session.scalar(select(Client).where(Client.last_name == "Meikäläinen"))
    other_unit = OrgUnit(code="second", name_fi="Toinen", name_sv="Andra", name_en="Second", county="Helsinki")
    db.session.add(other_unit)
    colleague = create_staff(Role.WORKER, in_unit=other_unit, locale="en")
    db.session.commit()
    client.post("/logout")
    login(colleague)
    # Another spelling of the name, the same code: the step shows the client, and only choosing them is possible.
    step = _register(client, other_unit, first_name="Matias")
    page = step.get_data(as_text=True)
    assert step.status_code == 200 and "Is this the same person?" in page and f"existing-{first.id}" in page
    assert 'value="new"' not in page
    refused = _register(client, other_unit, first_name="Matias", same_person="new", duplicate_reason="x")
    assert refused.status_code == 400 and "already registered" in refused.get_data(as_text=True)
    chosen = _register(client, other_unit, first_name="Matias", same_person=f"existing-{first.id}")
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith(f"/work/clients/{first.id}")
    assert _count(db) == 1
    assert set(db.session.scalars(select(ClientUnit.unit_id).where(ClientUnit.client_id == first.id))) == {
        unit.id, other_unit.id}
    # Showing the match to the colleague was a read of the client's data: it is in their access log.
    assert db.session.scalar(select(func.count()).select_from(AuditRecord).where(
        AuditRecord.object_type == "duplicate_check", AuditRecord.actor_id == colleague.id,
        AuditRecord.client_id == first.id)) >= 1


def test_same_name_and_birth_year_asks_and_a_new_client_needs_a_reason(client, db, login, worker, unit):
    login(worker)
    _register(client, unit, identity_code="", birth_year="1990")
    first = db.session.scalar(select(Client).where(Client.last_name == "Meikäläinen"))
    step = _register(client, unit, identity_code="", birth_date="1990-07-01", last_name="MEIKÄLÄINEN")
    assert step.status_code == 200 and f"existing-{first.id}" in step.get_data(as_text=True)
    no_reason = _register(client, unit, identity_code="", birth_date="1990-07-01", same_person="new")
    assert no_reason.status_code == 400 and "why this is a different person" in no_reason.get_data(as_text=True)
    assert _count(db) == 1
    created = _register(client, unit, identity_code="", birth_date="1990-07-01", same_person="new",
                        duplicate_reason="Different parents and address")
    assert created.status_code == 302 and _count(db) == 2
    # With a code on both sides that differ, they are certainly two people: no question asked.
    _register(client, unit, identity_code=make("150390", "-", "125"), same_person="", first_name="Pekka")
    assert _register(client, unit, identity_code=make("150390", "-", "127"), first_name="Pekka").status_code == 302


def test_a_worker_without_a_unit_is_told_so(client, login, create_staff):
    login(create_staff(Role.WORKER, in_unit=None, locale="en"))
    response = client.get("/work/clients/new")
    assert response.status_code == 403 and "not a worker of any unit" in response.get_data(as_text=True)


def test_a_new_organisation_without_municipalities_is_told_so(client, db, login, create_staff):
    unit = OrgUnit(code="empty", name_fi="Uusi", name_sv="Ny", name_en="New", county="Uusimaa")
    db.session.add(unit)
    worker = create_staff(Role.WORKER, in_unit=unit, locale="en")
    db.session.execute(text("DELETE FROM unit_municipalities"))
    db.session.execute(text("DELETE FROM municipalities"))
    login(worker)
    response = client.get("/work/clients/new")
    assert response.status_code == 409 and "No municipalities yet" in response.get_data(as_text=True)


def test_an_identity_code_entered_later_binds_and_another_clients_code_is_refused(client, db, login, worker, unit):
    login(worker)
    _register(client, unit, identity_code="", birth_year="1989")
    _register(client, unit, first_name="Liisa", identity_code=make("010101", "-", "122"))
    row = db.session.scalar(select(Client).where(Client.first_name == "Matti"))
    page = client.get(f"/work/clients/{row.id}/identity-code")
    assert page.status_code == 200 and "No identity code is on record" in page.get_data(as_text=True)
    taken = client.post(f"/work/clients/{row.id}/identity-code", data={"identity_code": make("010101", "-", "122")})
    assert taken.status_code == 400 and "Another client already has this identity code" in taken.get_data(as_text=True)
    bad = client.post(f"/work/clients/{row.id}/identity-code", data={"identity_code": CODE[:-1] + "Ö"})
    assert bad.status_code == 400
    saved = client.post(f"/work/clients/{row.id}/identity-code", data={"identity_code": CODE.lower()})
    assert saved.status_code == 302
    db.session.expire_all()
    row = db.session.get(Client, row.id)  # the code's birth date is the official one
    assert row.identity_hash == identity.identity_hash(CODE) and (row.birth_year, row.birth_date.day) == (1990, 15)
    audit = db.session.scalars(select(AuditRecord).where(AuditRecord.client_id == row.id,
                                                         AuditRecord.action == AuditAction.UPDATE)).all()[-1]
    assert audit.detail == {"fields": ["identity_hash", "birth_date", "birth_year"]}


def test_a_worker_of_the_unit_not_named_on_a_service_neither_sees_nor_changes_the_diagnosis_group(
        client, db, login, worker, unit, create_staff, create_enrolment):
    login(worker)
    _register(client, unit)
    row = db.session.scalar(select(Client).where(Client.last_name == "Meikäläinen"))
    row.diagnosis_group = DiagnosisGroup.PSYCHOSIS
    create_enrolment(row, coordinator=create_staff(Role.WORKER))  # someone else's service
    db.session.commit()
    page = client.get(f"/work/clients/{row.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Meikäläinen" in page and "Psychosis" not in page
    form = client.get(f"/work/clients/{row.id}/background").get_data(as_text=True)
    assert 'name="diagnosis_group"' not in form
    saved = client.post(f"/work/clients/{row.id}/background", data={
        "municipality_code": "091", "language": "fi", "preferred_channel": "sms", "diagnosis_group": "mood"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Client, row.id).diagnosis_group is DiagnosisGroup.PSYCHOSIS
