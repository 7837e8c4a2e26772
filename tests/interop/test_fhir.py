"""The read-only FHIR R4 API: resources that parse back with the R4B models, access, audit, search."""

from __future__ import annotations

from datetime import date, time

import pytest
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient
from sqlalchemy import select

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import Role
from portal.interop.fhir import MUNICIPALITY_EXTENSION, MUNICIPALITY_SYSTEM
from portal.people.models import ClientLanguage
from portal.programmes.definitions_schema import Modality
from portal.scheduling.models import AppointmentStatus
from portal.scheduling.timeutil import local
from tests.appointments import hours_from_now, make_appointment
from tests.support.validators import fhir_schema  # noqa: F401 (every body against HL7's R4 JSON schema)

pytestmark = pytest.mark.usefixtures("fhir_schema")

BASE = "https://silta.example/fhir"


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER, name="Sanna Virtanen")


@pytest.fixture
def patient_row(db, create_client, create_enrolment, worker):
    client = create_client(birth_year=1980)
    create_enrolment(client, coordinator=worker)
    db.session.commit()
    return client


@pytest.fixture
def booked(db, worker, patient_row):
    row = make_appointment(db, local(date(2026, 7, 15), time(10)), (worker,), (patient_row,), minutes=45)
    db.session.commit()
    return row


def fhir_json(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/fhir+json"
    return response.get_data(as_text=True)


def outcome(response, status: int, code: str) -> OperationOutcome:
    parsed = OperationOutcome.model_validate_json(fhir_json(response, status))
    assert parsed.issue[0].severity == "error" and parsed.issue[0].code == code
    return parsed


# --- access ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/fhir/r4/Appointment/{a}", "/fhir/r4/Patient/{c}",
                                  "/fhir/r4/Appointment?patient=Patient/{c}", "/fhir/r4/Patient/999999"])
def test_anonymous_gets_401(client, booked, patient_row, path):
    outcome(client.get(path.format(a=booked.id, c=patient_row.id)), 401, "login")


@pytest.mark.parametrize("who", [Role.WORKER, Role.ADMIN, Role.REFERRER])
def test_staff_who_may_not_see_the_client_get_403(client, login, create_staff, booked, patient_row, who):
    login(create_staff(who))
    for path in (f"/fhir/r4/Appointment/{booked.id}", f"/fhir/r4/Patient/{patient_row.id}",
                 f"/fhir/r4/Appointment?patient=Patient/{patient_row.id}"):
        outcome(client.get(path), 403, "forbidden")


def test_another_client_gets_403(db, client, login, create_client, booked, patient_row):
    login(create_client().user)
    outcome(client.get(f"/fhir/r4/Appointment/{booked.id}"), 403, "forbidden")
    outcome(client.get(f"/fhir/r4/Patient/{patient_row.id}"), 403, "forbidden")


@pytest.mark.parametrize("path", ["/fhir/r4/Appointment/999999", "/fhir/r4/Patient/999999", "/fhir/r4/Patient/abc",
                                  "/fhir/r4/Appointment?patient=Patient/999999"])
def test_unknown_is_404(client, login, worker, path):
    login(worker)
    outcome(client.get(path), 404, "not-found")


def test_the_client_reads_their_own(client, login, booked, patient_row):
    login(patient_row.user)
    assert FhirAppointment.model_validate_json(fhir_json(client.get(f"/fhir/r4/Appointment/{booked.id}"))).id
    assert Patient.model_validate_json(fhir_json(client.get(f"/fhir/r4/Patient/{patient_row.id}"))).id


def test_team_lead_of_the_unit_reads(client, login, create_staff, booked):
    login(create_staff(Role.TEAM_LEAD))
    FhirAppointment.model_validate_json(fhir_json(client.get(f"/fhir/r4/Appointment/{booked.id}")))


def test_every_read_is_audited(db, client, login, worker, booked, patient_row):
    login(worker)
    client.get(f"/fhir/r4/Appointment/{booked.id}")
    client.get(f"/fhir/r4/Patient/{patient_row.id}")
    client.get(f"/fhir/r4/Appointment?patient=Patient/{patient_row.id}")
    rows = db.session.scalars(select(AuditRecord).where(AuditRecord.feature == "interop")
                              .order_by(AuditRecord.id)).all()
    assert [(r.action, r.object_type, r.object_id, r.client_id, r.actor_id) for r in rows] == [
        (AuditAction.READ, "Appointment", str(booked.id), patient_row.id, worker.id),
        (AuditAction.READ, "Patient", str(patient_row.id), patient_row.id, worker.id),
        (AuditAction.READ, "Appointment", str(booked.id), patient_row.id, worker.id),
    ]


def test_refused_reads_leave_no_audit(db, client, login, create_staff, booked):
    login(create_staff(Role.WORKER))
    client.get(f"/fhir/r4/Appointment/{booked.id}")
    assert db.session.scalar(select(AuditRecord).where(AuditRecord.feature == "interop")) is None


# --- Appointment ----------------------------------------------------------------------------------

def test_appointment_resource(client, login, worker, booked, patient_row):
    login(worker)
    resource = FhirAppointment.model_validate_json(fhir_json(client.get(f"/fhir/r4/Appointment/{booked.id}")))
    assert resource.id == str(booked.id) and resource.status == "booked"
    assert resource.start.isoformat() == "2026-07-15T07:00:00+00:00"  # 10:00 in Helsinki, summer time
    assert resource.end.isoformat() == "2026-07-15T07:45:00+00:00" and resource.minutesDuration == 45
    service = resource.serviceType[0].coding[0]
    assert (service.system, service.code) == (f"{BASE}/CodeSystem/contact-type", "remote-guidance:guidance-meeting")
    codings = {(c.system, c.code) for c in resource.appointmentType.coding}
    assert codings == {(f"{BASE}/CodeSystem/modality", "video"),
                       ("http://terminology.hl7.org/CodeSystem/v3-ActCode", "VR")}
    assert resource.serviceCategory[0].coding[0].code == "remote-guidance"
    actors = {p.actor.reference: p.status for p in resource.participant}
    assert actors == {f"Practitioner/{worker.id}": "accepted", f"Patient/{patient_row.id}": "needs-action"}


@pytest.mark.parametrize(("status", "fhir_status", "patient_status"), [
    (AppointmentStatus.BOOKED, "booked", "needs-action"),
    (AppointmentStatus.CONFIRMED, "booked", "accepted"),
    (AppointmentStatus.CANCELLED, "cancelled", "needs-action"),
    (AppointmentStatus.HELD, "fulfilled", "accepted"),
    (AppointmentStatus.NO_SHOW, "noshow", "needs-action"),
])
def test_status_mapping(db, client, login, worker, patient_row, status, fhir_status, patient_status):
    row = make_appointment(db, hours_from_now(48), (worker,), (patient_row,), status=status)
    login(worker)
    resource = FhirAppointment.model_validate_json(fhir_json(client.get(f"/fhir/r4/Appointment/{row.id}")))
    assert resource.status == fhir_status
    assert {p.actor.reference: p.status for p in resource.participant}[f"Patient/{patient_row.id}"] == patient_status


def test_home_visit_hides_the_address(db, client, login, worker, patient_row):
    row = make_appointment(db, hours_from_now(48), (worker,), (patient_row,), modality=Modality.HOME_VISIT,
                           place="Kotikatu 1")
    login(worker)
    body = fhir_json(client.get(f"/fhir/r4/Appointment/{row.id}"))
    assert "Kotikatu" not in body and '"HH"' in body


def test_group_session_shows_only_the_patients_the_reader_may_see(db, client, login, worker, patient_row,
                                                                   create_client):
    stranger = create_client()
    row = make_appointment(db, hours_from_now(48), (worker,), (patient_row, stranger))
    login(worker)
    resource = FhirAppointment.model_validate_json(fhir_json(client.get(f"/fhir/r4/Appointment/{row.id}")))
    references = {p.actor.reference for p in resource.participant}
    assert f"Patient/{patient_row.id}" in references and f"Patient/{stranger.id}" not in references


# --- search ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["patient=Patient/{c}", "patient={c}", "actor=Patient/{c}",
                                   "patient=Patient/{c}&_format=json"])
def test_search_by_patient(db, client, login, worker, booked, patient_row, create_client, query):
    make_appointment(db, hours_from_now(96), (worker,), (create_client(),))
    later = make_appointment(db, hours_from_now(24 * 300), (worker,), (patient_row,))
    login(worker)
    bundle = Bundle.model_validate_json(fhir_json(client.get("/fhir/r4/Appointment?" + query.format(c=patient_row.id))))
    assert bundle.type == "searchset" and bundle.total == 2
    assert [e.resource.id for e in bundle.entry] == [str(booked.id), str(later.id)]
    assert all(e.search.mode == "match" and e.fullUrl.endswith(f"/fhir/r4/Appointment/{e.resource.id}")
               for e in bundle.entry)
    assert isinstance(bundle.entry[0].resource, FhirAppointment)
    assert bundle.link[0].relation == "self"


@pytest.mark.parametrize("query", ["", "subject=Patient/{c}", "patient=Patient/{c}&_sort=date",
                                   "patient=Patient/{c}&patient=Patient/{c}", "actor=Practitioner/1"])
def test_search_refuses_what_it_does_not_do(client, login, worker, patient_row, query):
    login(worker)
    outcome(client.get("/fhir/r4/Appointment?" + query.format(c=patient_row.id)), 400, "not-supported")


def test_formats_other_than_json_are_406(client, login, worker, patient_row):
    login(worker)
    outcome(client.get(f"/fhir/r4/Patient/{patient_row.id}?_format=xml"), 406, "not-supported")
    outcome(client.get(f"/fhir/r4/Patient/{patient_row.id}", headers={"Accept": "application/fhir+xml"}), 406,
            "not-supported")


# --- Patient --------------------------------------------------------------------------------------

def test_patient_is_minimal(db, client, login, worker, patient_row):
    login(worker)
    body = fhir_json(client.get(f"/fhir/r4/Patient/{patient_row.id}"))
    resource = Patient.model_validate_json(body)
    assert resource.birthDate == "1980" and resource.gender == "female"
    assert resource.name[0].family == patient_row.last_name and resource.name[0].given == ["Asiakas"]
    assert resource.communication[0].language.coding[0].code == "fi" and resource.communication[0].preferred
    extension = resource.extension[0]
    assert extension.url == MUNICIPALITY_EXTENSION
    assert (extension.valueCoding.system, extension.valueCoding.code) == (MUNICIPALITY_SYSTEM, "091")
    assert resource.identifier[0].system == f"{BASE}/sid/client"
    assert resource.telecom is None and resource.address is None
    assert patient_row.phone not in body


def test_patient_language_other_is_left_out(db, client, login, worker, create_client, create_enrolment):
    row = create_client(language=ClientLanguage.OTHER)
    create_enrolment(row, coordinator=worker)
    login(worker)
    assert Patient.model_validate_json(fhir_json(client.get(f"/fhir/r4/Patient/{row.id}"))).communication is None


@pytest.mark.parametrize("app_config", [{"FHIR_CANONICAL_BASE": "https://sote.example/fhir/"}])
def test_canonical_base_is_configurable(client, login, worker, patient_row):
    login(worker)
    resource = Patient.model_validate_json(fhir_json(client.get(f"/fhir/r4/Patient/{patient_row.id}")))
    assert resource.identifier[0].system == "https://sote.example/fhir/sid/client"
