"""An outside FHIR client — SMART's ``fhirclient`` (PyPI), with its own R4 models and HTTP — against Silta served
on a real port: it reads the CapabilityStatement, pages through a client's Appointments with ``_count=5``
following the Bundle's ``next`` links, resolves a Practitioner reference and a QuestionnaireResponse's canonical.

It reads first with the portal's session cookie (a worker's), then as a SMART backend service with a bearer
token got with a signed JWT (the rest of SMART: test_smart.py). Every body it gets is also checked against
HL7's R4 JSON schema (the module's ``fhir_schema`` fixture).
"""

from __future__ import annotations

import threading
from datetime import date, time

import pytest
import requests
from authlib.oauth2.rfc7523.assertion import private_key_jwt_sign
from fhirclient import client as fhirclient
from fhirclient.models.appointment import Appointment
from fhirclient.models.practitioner import Practitioner
from fhirclient.models.questionnaire import Questionnaire
from fhirclient.models.questionnaireresponse import QuestionnaireResponse
from joserfc.jwk import RSAKey
from werkzeug.serving import WSGIRequestHandler, make_server

from portal.auth.models import Role
from portal.measures import operations as measures
from portal.measures.models import AnswerSource
from portal.measures.schedule import Occurrence
from portal.scheduling.timeutil import local
from portal.smart import operations as smart_clients
from tests.appointments import make_appointment
from tests.conftest import PASSWORD
from tests.support.validators import fhir_schema  # noqa: F401 (the module's schema check)

pytestmark = pytest.mark.usefixtures("fhir_schema")


class Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def world(db, unit, create_staff, create_client, create_enrolment):
    worker = create_staff(Role.WORKER, name="Sanna Virtanen")
    me = create_client()
    enrolment = create_enrolment(me, coordinator=worker)
    rows = [make_appointment(db, local(date(2026, 5, day), time(9)), (worker,), (me,)) for day in range(4, 16)]
    occurrence = Occurrence("ors", f"appt-{rows[0].id}", rows[0].starts_at, rows[0].ends_at, rows[0].id)
    answer = measures.submit(worker, enrolment, occurrence, measures.instrument_version("ors").id,
                             {"individually": "5", "interpersonally": "6", "socially": "4", "overall": "5"}, None,
                             AnswerSource.PAPER)
    key = RSAKey.generate_key(2048)
    service = smart_clients.create_client("Warehouse", jwks={"keys": [key.as_dict(private=False)]},
                                          unit_codes=(unit.code,))
    db.session.commit()
    return {"worker": worker, "client": me, "appointments": rows, "answer": answer, "key": key,
            "service": service.client_id}


def test_fhirclient_reads_pages_and_resolves(served, world):
    session = requests.Session()
    signed_in = session.post(f"{served}/login", data={"email": world["worker"].email, "password": PASSWORD},
                             allow_redirects=False)
    assert signed_in.status_code == 302
    smart = fhirclient.FHIRClient(settings={"app_id": "silta-tests", "api_base": f"{served}/fhir/r4/"})
    smart.server.session.cookies.update(session.cookies)

    smart.prepare()  # reads the CapabilityStatement (with fhirclient's own R4 models); "ready" needs a token
    statement = smart.server.capabilityStatement
    assert statement.fhirVersion == "4.0.1"
    assert {"Appointment", "Practitioner", "QuestionnaireResponse"} <= {r.type for r in statement.rest[0].resource}

    search = Appointment.where(struct={"patient": f"Patient/{world['client'].id}", "_count": "5"})
    pages = list(search.perform_iter(smart.server))
    assert [len(page.entry) for page in pages] == [5, 5, 2] and pages[0].total == 12
    ids = [entry.resource.id for page in pages for entry in page.entry]
    assert ids == [str(row.id) for row in world["appointments"]]

    appointment = pages[0].entry[0].resource
    reference = next(p.actor.reference for p in appointment.participant if p.actor.reference.startswith("Pract"))
    practitioner = Practitioner.read(reference.split("/")[1], smart.server)
    assert practitioner.name[0].text == "Sanna Virtanen"

    response = QuestionnaireResponse.read(str(world["answer"].id), smart.server)
    url, version = response.questionnaire.split("|")
    found = next(Questionnaire.where(struct={"url": url, "version": version}).perform_iter(smart.server))
    assert found.total == 1
    questionnaire = found.entry[0].resource
    assert (questionnaire.url, questionnaire.version) == (url, version)
    assert {item.linkId for item in response.item} <= {item.linkId for item in questionnaire.item}
    canonical = Questionnaire.where(struct={"url": response.questionnaire})  # "<url>|<version>" as one value
    same = next(canonical.perform_iter(smart.server))
    assert [e.resource.id for e in same.entry] == [questionnaire.id]


def test_fhirclient_as_a_backend_service(served, world):
    assertion = private_key_jwt_sign(world["key"], world["service"], f"{served}/smart/token", alg="RS384",
                                     expires_in=240)
    got = requests.post(f"{served}/smart/token", timeout=10, data={
        "grant_type": "client_credentials", "scope": "system/*.rs",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion})
    assert got.status_code == 200, got.text[:300]
    smart = fhirclient.FHIRClient(settings={"app_id": "silta-tests", "api_base": f"{served}/fhir/r4/"})
    smart.server.session.headers["Authorization"] = f"Bearer {got.json()['access_token']}"
    smart.prepare()
    search = Appointment.where(struct={"patient": f"Patient/{world['client'].id}", "_count": "5"})
    assert [len(page.entry) for page in search.perform_iter(smart.server)] == [5, 5, 2]
    assert Practitioner.read(str(world["worker"].id), smart.server).name[0].text == "Sanna Virtanen"
