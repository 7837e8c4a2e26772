"""Units, municipalities, housing units with their logins, and queue coordinators: CRUD, validation, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit.models import AuditRecord
from portal.auth.models import Role
from portal.people.models import Municipality, OrgUnit
from portal.queues.models import HousingQueue, HousingUnit

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def admin(db, create_staff, login):
    return login(create_staff(Role.ADMIN, locale="en"))


def test_municipality_added_and_renamed_with_clear_refusals(client, db, admin, municipality):
    bad = client.post("/admin/municipalities", data={"code": "12", "name_fi": "Kunta", "name_sv": "Kommun"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "three digits" in body and "Kunta" in body
    taken = client.post("/admin/municipalities", data={"code": "091", "name_fi": "X", "name_sv": "X"})
    assert taken.status_code == 400 and "exists already" in taken.get_data(as_text=True)
    lahti = {"code": "398", "name_fi": "Lahti", "name_sv": "Lahtis"}
    assert client.post("/admin/municipalities", data=lahti).status_code == 302
    assert client.post("/admin/municipalities/398", data={**lahti, "name_sv": "Lahtis stad"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Municipality, "398").name_sv == "Lahtis stad"
    assert client.get("/admin/municipalities/999").status_code == 404


def test_unit_created_and_edited(client, db, admin, municipality):
    form = {"code": "ph-sosku", "name_fi": "Sosiaalisen kuntoutuksen yksikkö", "name_sv": "Enheten", "name_en": "Unit",
            "county": "Päijät-Häme", "municipalities": ["091"]}
    assert client.post("/admin/units/new", data={**form, "municipalities": []}).status_code == 400
    bad_code = client.post("/admin/units/new", data={**form, "code": "Not OK!"})
    assert bad_code.status_code == 400 and "lower-case" in bad_code.get_data(as_text=True)
    response = client.post("/admin/units/new", data=form)
    assert response.status_code == 302
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "ph-sosku"))
    assert [m.code for m in unit.municipalities] == ["091"]
    again = client.post("/admin/units/new", data=form)
    assert again.status_code == 400 and "already uses this code" in again.get_data(as_text=True)
    assert client.post(f"/admin/units/{unit.id}", data={**form, "name_en": "Social rehabilitation"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(OrgUnit, unit.id).name_en == "Social rehabilitation"
    assert db.session.scalar(select(AuditRecord).where(AuditRecord.object_type == "unit")).client_id is None


def test_housing_unit_with_its_login(client, db, admin, municipality, create_staff):
    login_account, worker = create_staff(Role.HOUSING_UNIT, in_unit=None), create_staff(Role.WORKER)
    db.session.commit()
    form = {"name": "Vaahtera", "provider": "Palvelu Oy", "municipality": "091", "service_type": "communal",
            "places": "12", "staff": [str(login_account.id)]}
    assert client.post("/admin/housing-units/new", data={**form, "places": "0"}).status_code == 400
    response = client.post("/admin/housing-units/new", data=form)
    assert response.status_code == 302
    unit = db.session.scalar(select(HousingUnit))
    assert [u.id for u in unit.staff] == [login_account.id]
    wrong = client.post(f"/admin/housing-units/{unit.id}", data={**form, "staff": [str(worker.id)]})
    assert wrong.status_code == 400
    assert client.get("/admin/housing-units").status_code == 200


def test_queue_coordinator_must_be_a_queue_coordinator(client, db, admin, create_staff):
    jonna, camilla = create_staff(Role.QUEUE_COORDINATOR), create_staff(Role.WORKER, Role.QUEUE_COORDINATOR)
    worker = create_staff(Role.WORKER, name="Pelkkä Työntekijä")
    db.session.commit()
    assert client.get("/admin/queues").status_code == 200
    refused = client.post("/admin/queues/supported", data={"supported-coordinator": str(worker.id),
                                                           "supported-deputy": ""})
    assert refused.status_code == 302 and "from the lists" in client.get("/admin/queues").get_data(as_text=True)
    same = client.post("/admin/queues/supported", data={"supported-coordinator": str(jonna.id),
                                                        "supported-deputy": str(jonna.id)})
    assert same.status_code == 302
    assert "someone other than the coordinator" in client.get("/admin/queues").get_data(as_text=True)
    ok = client.post("/admin/queues/supported", data={"supported-coordinator": str(jonna.id),
                                                      "supported-deputy": str(camilla.id)})
    assert ok.status_code == 302
    queue = db.session.scalar(select(HousingQueue).where(HousingQueue.service_type == "supported"))
    assert (queue.coordinator_id, queue.deputy_id) == (jonna.id, camilla.id)
    assert client.post("/admin/queues/nonsense", data={}).status_code == 404


def test_set_keepers_refuses_someone_without_the_role(app, db, admin, create_staff):
    from portal.intake.models import HousingServiceType
    from portal.queues.operations import QueueError, set_keepers

    worker = create_staff(Role.WORKER, name="Pelkkä Työntekijä")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(QueueError, match="not a queue coordinator"):
            set_keepers(admin, HousingServiceType.communal, worker, None)
