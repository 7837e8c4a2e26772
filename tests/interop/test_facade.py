"""The FHIR facade's conformance: errors as OperationOutcome, paging, searches, versions and ETags, the
directory resources, compartments and the CapabilityStatement. Every body is checked against HL7's R4 JSON
schema when the module ends (tests/support/validators.py)."""

from __future__ import annotations

import json
from datetime import date, time
from urllib.parse import parse_qs, urlsplit

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole

from portal.auth.models import Role
from portal.interop.fhir import PROFILES
from portal.scheduling.models import AppointmentStatus
from portal.scheduling.timeutil import local
from tests.appointments import make_appointment
from tests.support.validators import fhir_schema  # noqa: F401 (the module's schema check)

pytestmark = pytest.mark.usefixtures("fhir_schema")


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER, name="Sanna Virtanen")


@pytest.fixture
def me(db, create_client, create_enrolment, worker):
    client = create_client()
    create_enrolment(client, coordinator=worker)
    db.session.commit()
    return client


@pytest.fixture
def twelve(db, worker, me):
    """Twelve appointments on twelve days of 2026 (the 3rd and the 8th cancelled)."""
    rows = [make_appointment(db, local(date(2026, 3, day), time(10)), (worker,), (me,),
                             status=AppointmentStatus.CANCELLED if day in (3, 8) else AppointmentStatus.BOOKED)
            for day in range(1, 13)]
    db.session.commit()
    return rows


def body(response, status=200) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:400]
    assert response.mimetype == "application/fhir+json"
    return response.get_data(as_text=True)


def outcome(response, status: int, code: str) -> OperationOutcome:
    parsed = OperationOutcome.model_validate_json(body(response, status))
    assert parsed.issue[0].code == code
    return parsed


def bundle(response) -> Bundle:
    return Bundle.model_validate_json(body(response))


def links(found: Bundle) -> dict[str, str]:
    return {link.relation: link.url for link in found.link}


# --- errors are OperationOutcome everywhere under /fhir/ ----------------------------------------------------

ERRORS = [
    ("GET", "/fhir/r4/Observation", 404, "not-found"),
    ("GET", "/fhir/r4/Patient/1/_history/1", 404, "not-found"),
    ("GET", "/fhir/r3/metadata", 404, "not-found"),
    ("POST", "/fhir/r4/Patient", 405, "not-supported"),
    ("PUT", "/fhir/r4/Appointment/1", 405, "not-supported"),
    ("DELETE", "/fhir/r4/Patient/1", 405, "not-supported"),
]


def test_every_error_is_an_operation_outcome(client, login, worker):
    assert client.get("/fhir/r4/Observation").status_code == 401
    login(worker)
    for method, path, status, code in ERRORS:
        response = client.open(path, method=method)
        outcome(response, status, code)
        assert status != 405 or response.headers["Allow"] == "GET", path


def test_bad_parameters_and_formats(client, login, worker, me):
    login(worker)
    base = f"/fhir/r4/Appointment?patient={me.id}"
    outcome(client.get(f"{base}&_count=-1"), 400, "invalid")
    outcome(client.get(f"{base}&_count=many"), 400, "invalid")
    outcome(client.get(f"{base}&date=tomorrow"), 400, "invalid")
    outcome(client.get(f"{base}&date=2026-02-30"), 400, "invalid")
    outcome(client.get(f"{base}&_sort=date"), 400, "not-supported")
    outcome(client.get(f"/fhir/r4/Patient/{me.id}?_format=xml"), 406, "not-supported")
    outcome(client.get(f"/fhir/r4/Patient/{me.id}", headers={"Accept": "text/html"}), 406, "not-supported")
    for accept in ("application/fhir+json", "application/json", "*/*", "application/json+fhir"):
        body(client.get(f"/fhir/r4/Patient/{me.id}", headers={"Accept": accept}))
    for fmt in ("json", "application/json", "application/fhir+json"):
        body(client.get(f"/fhir/r4/Patient/{me.id}?_format={fmt}"))


# --- paging and searches ----------------------------------------------------------------------------------

def test_paging_walks_every_appointment_once_in_order(client, login, worker, me, twelve):
    login(worker)
    url, seen = f"/fhir/r4/Appointment?patient=Patient/{me.id}&_count=5", []
    pages = 0
    while url:
        found = bundle(client.get(url))
        assert found.total == 12 and len(found.entry) <= 5
        seen += [entry.resource.id for entry in found.entry]
        url = links(found).get("next")
        pages += 1
    assert pages == 3 and seen == [str(row.id) for row in twelve]
    last = bundle(client.get(f"/fhir/r4/Appointment?patient=Patient/{me.id}&_count=5&_offset=10"))
    assert parse_qs(urlsplit(links(last)["previous"]).query)["_offset"] == ["5"] and "next" not in links(last)


def test_count_is_bounded_and_zero_gives_the_total(client, login, worker, me, twelve):
    login(worker)
    found = bundle(client.get(f"/fhir/r4/Appointment?patient={me.id}&_count=100000"))
    assert len(found.entry) == 12 and "_count=100&" in links(found)["self"]
    counted = bundle(client.get(f"/fhir/r4/Appointment?patient={me.id}&_count=0"))
    assert counted.total == 12 and counted.entry is None


FILTERS = [
    ("date=2026-03-05", [5]),
    ("date=ge2026-03-10", [10, 11, 12]),
    ("date=lt2026-03-03", [1, 2]),
    ("date=ge2026-03-04&date=le2026-03-06", [4, 5, 6]),
    ("date=2026-03-05T10:00:00%2B02:00", [5]),
    ("date=2026-03-05T08:00:00Z", [5]),
    ("date=2026-04", []),
    ("status=cancelled", [3, 8]),
    ("status=booked,noshow&date=le2026-03-04", [1, 2, 4]),
    ("_lastUpdated=ge2020-01-01&date=2026-03-12", [12]),
    ("_lastUpdated=lt2020-01-01", []),
]


def test_appointment_filters(client, login, worker, me, twelve):
    login(worker)
    for query, days in FILTERS:
        found = bundle(client.get(f"/fhir/r4/Appointment?patient={me.id}&{query}"))
        assert [entry.resource.id for entry in found.entry or []] == [str(twelve[d - 1].id) for d in days], query


def test_compartment_search_is_the_same_search(client, login, worker, me, twelve):
    login(worker)
    found = bundle(client.get(f"/fhir/r4/Patient/{me.id}/Appointment?status=cancelled"))
    assert [entry.resource.id for entry in found.entry] == [str(twelve[2].id), str(twelve[7].id)]
    bundle(client.get(f"/fhir/r4/Patient/{me.id}/CareTeam"))
    bundle(client.get(f"/fhir/r4/Patient/{me.id}/QuestionnaireResponse"))
    outcome(client.get(f"/fhir/r4/Patient/{me.id}/Appointment?patient={me.id}"), 400, "not-supported")
    outcome(client.get(f"/fhir/r4/Patient/{me.id}/Observation"), 404, "not-found")


def test_compartment_of_someone_else_is_refused(client, login, create_client, me, twelve):
    login(create_client().user)
    outcome(client.get(f"/fhir/r4/Patient/{me.id}/Appointment"), 403, "forbidden")


# --- versions and ETags -----------------------------------------------------------------------------------

def test_versions_etags_and_not_modified(db, client, login, worker, me, twelve):
    login(worker)
    row = twelve[0]
    first = client.get(f"/fhir/r4/Appointment/{row.id}")
    resource = json.loads(body(first))
    assert resource["meta"]["versionId"] == "1" and first.headers["ETag"] == 'W/"1"'
    assert resource["meta"]["profile"] == [PROFILES["Appointment"]] and resource["meta"]["lastUpdated"]
    assert client.get(f"/fhir/r4/Appointment/{row.id}", headers={"If-None-Match": 'W/"1"'}).status_code == 304
    row.status = AppointmentStatus.HELD
    db.session.commit()
    second = client.get(f"/fhir/r4/Appointment/{row.id}", headers={"If-None-Match": 'W/"1"'})
    assert second.status_code == 200 and second.headers["ETag"] == 'W/"2"'
    patient = client.get(f"/fhir/r4/Patient/{me.id}")
    assert patient.headers["ETag"] == 'W/"1"' and PROFILES["Patient"] in body(patient)


# --- the directory --------------------------------------------------------------------------------------

def test_practitioner_role_and_organization_resolve_the_references(client, login, worker, me, twelve, unit):
    login(me.user)
    appointment = bundle(client.get(f"/fhir/r4/Appointment?patient={me.id}&_count=1")).entry[0].resource
    reference = next(p.actor.reference for p in appointment.participant if p.actor.reference.startswith("Pract"))
    practitioner = Practitioner.model_validate_json(body(client.get(f"/fhir/r4/{reference}")))
    assert practitioner.name[0].text == "Sanna Virtanen" and practitioner.meta.profile == [PROFILES["Practitioner"]]
    assert worker.email not in body(client.get(f"/fhir/r4/{reference}"))
    roles = bundle(client.get(f"/fhir/r4/PractitionerRole?practitioner={reference}"))
    role = roles.entry[0].resource
    assert isinstance(role, PractitionerRole) and role.organization.reference == f"Organization/{unit.id}"
    PractitionerRole.model_validate_json(body(client.get(f"/fhir/r4/PractitionerRole/{role.id}")))
    organization = Organization.model_validate_json(body(client.get(f"/fhir/r4/{role.organization.reference}")))
    assert organization.name == unit.name_fi and organization.meta.profile == [PROFILES["Organization"]]


def test_a_client_reads_only_the_staff_they_meet(client, login, create_staff, worker, me, twelve):
    stranger = create_staff(Role.WORKER)
    login(me.user)
    outcome(client.get(f"/fhir/r4/Practitioner/{stranger.id}"), 403, "forbidden")
    outcome(client.get(f"/fhir/r4/Practitioner/{me.user_id}"), 404, "not-found")  # a client is no Practitioner
    outcome(client.get("/fhir/r4/PractitionerRole/abc"), 404, "not-found")


# --- the CapabilityStatement ----------------------------------------------------------------------------

def test_capability_statement_says_what_is_implemented(app, client):
    response = client.get("/fhir/r4/metadata")  # public, like every FHIR server's
    statement = CapabilityStatement.model_validate_json(body(response))
    assert statement.fhirVersion == "4.0.1" and statement.format == ["json"] and statement.kind == "instance"
    resources = {r.type: r for r in statement.rest[0].resource}
    assert set(resources) >= {"Patient", "Appointment", "Practitioner", "PractitionerRole", "Organization",
                              "Questionnaire", "QuestionnaireResponse", "CarePlan", "CareTeam"}
    assert {i.code for i in resources["Appointment"].interaction} == {"read", "search-type"}
    assert {i.code for i in resources["Patient"].interaction} == {"read"}
    assert {p.name for p in resources["Appointment"].searchParam} == {"patient", "actor", "date", "status",
                                                                      "_lastUpdated"}
    assert {p.name for p in resources["Questionnaire"].searchParam} >= {"url", "version"}
    assert resources["Patient"].profile == PROFILES["Patient"]
    for resource in resources.values():  # every declared search answers, every read route exists
        for param in resource.searchParam or []:
            assert param.type in {"reference", "date", "token", "uri"}
    if "smart" in app.blueprints:
        security = statement.rest[0].security
        assert security.service[0].coding[0].code == "SMART-on-FHIR"
        uris = {e.url: e.valueUri for e in security.extension[0].extension}
        assert uris["token"].endswith("/smart/token") and uris["authorize"].endswith("/smart/authorize")
