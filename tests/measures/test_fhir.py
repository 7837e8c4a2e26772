"""FHIR R4 Questionnaire and QuestionnaireResponse: they parse back with the R4B models, access, audit, search."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from sqlalchemy import select

from portal.audit.models import AuditRecord
from portal.auth.models import Role
from portal.measures import operations, queries
from portal.measures.models import AnswerSource
from tests.measures.conftest import ors_form
from tests.support.validators import fhir_schema  # noqa: F401 (every body against HL7's R4 JSON schema)

pytestmark = pytest.mark.usefixtures("fhir_schema")


@pytest.fixture
def answered(db, enrolment, meeting, worker):
    occurrence = queries.find_occurrence(enrolment, "ors", f"appt-{meeting.id}", meeting.starts_at, open_only=True)
    version = operations.instrument_version("ors")
    row = operations.submit(worker, enrolment, occurrence, version.id, ors_form(version.id), None, AnswerSource.PAPER)
    db.session.commit()
    return row


def body(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/fhir+json"
    return response.get_data(as_text=True)


def test_a_questionnaire_validates_and_carries_the_scale(client, login, worker, answered):
    login(worker)
    parsed = Questionnaire.model_validate_json(body(client.get(f"/fhir/r4/Questionnaire/{answered.instrument_id}")))
    assert parsed.url.endswith("/Questionnaire/ors") and parsed.version == "1" and parsed.status == "active"
    assert [i.type for i in parsed.item] == ["decimal"] * 4
    assert {e.url.rsplit("/", 1)[-1]: e.valueDecimal for e in parsed.item[0].extension} == {"minValue": 0,
                                                                                         "maxValue": 10}
    assert "Esimerkkisanamuoto" in parsed.copyright  # the placeholder notice travels with it (fi default)
    bundle = Bundle.model_validate_json(body(client.get("/fhir/r4/Questionnaire")))
    assert bundle.type == "searchset" and bundle.total >= 1


def test_a_response_validates_and_keeps_its_version(client, login, worker, answered, client_row):
    login(worker)
    parsed = QuestionnaireResponse.model_validate_json(
        body(client.get(f"/fhir/r4/QuestionnaireResponse/{answered.id}")))
    assert parsed.status == "completed" and parsed.questionnaire.endswith("/Questionnaire/ors|1")
    assert parsed.subject.reference == f"Patient/{client_row.id}"
    assert parsed.author.reference == f"Practitioner/{worker.id}"  # entered from paper
    assert {i.linkId: i.answer[0].valueDecimal for i in parsed.item}["individually"] == 6.5
    records = list(AuditRecord.query.filter_by(feature="interop", object_type="QuestionnaireResponse"))
    assert [(r.client_id, r.object_id) for r in records] == [(client_row.id, str(answered.id))]


def test_search_by_subject(client, login, answered, client_row):
    login(client_row.user)  # the client reads their own
    for query in (f"subject=Patient/{client_row.id}", f"patient={client_row.id}"):
        bundle = Bundle.model_validate_json(body(client.get(f"/fhir/r4/QuestionnaireResponse?{query}")))
        assert bundle.total == 1 and bundle.entry[0].resource.id == str(answered.id)
    assert client.get("/fhir/r4/QuestionnaireResponse?subject=Group/1").status_code == 400
    assert client.get("/fhir/r4/QuestionnaireResponse?questionnaire=ors").status_code == 400
    assert client.get("/fhir/r4/QuestionnaireResponse").status_code == 400


@pytest.mark.parametrize("role", [Role.WORKER, Role.ADMIN, Role.REFERRER])
def test_others_get_403_anonymous_401_drafts_404(db, client, login, create_staff, answered, client_row, role):
    assert client.get(f"/fhir/r4/QuestionnaireResponse/{answered.id}").status_code == 401
    assert client.get("/fhir/r4/Questionnaire").status_code == 401
    login(create_staff(role))
    assert client.get(f"/fhir/r4/QuestionnaireResponse/{answered.id}").status_code == 403
    assert client.get(f"/fhir/r4/QuestionnaireResponse?subject=Patient/{client_row.id}").status_code == 403
    assert db.session.scalar(select(AuditRecord).where(AuditRecord.feature == "interop")) is None


def test_a_draft_is_not_served(db, client, login, worker, enrolment, meeting):
    occurrence = queries.find_occurrence(enrolment, "ors", f"appt-{meeting.id}", meeting.starts_at, open_only=True)
    version = operations.instrument_version("ors")
    draft = operations.save_draft(worker, enrolment, occurrence, version.id, {"overall": "4"})
    db.session.commit()
    login(worker)
    assert client.get(f"/fhir/r4/QuestionnaireResponse/{draft.id}").status_code == 404


def test_every_installed_instrument_is_a_valid_questionnaire(app, db, client, login, worker):
    from portal.measures import instruments

    versions = [operations.instrument_version(code) for code in instruments.codes()]
    assert {"ors", "srs", "3x10d"} <= {v.code for v in versions}
    db.session.commit()
    login(worker)
    for version in versions:
        parsed = Questionnaire.model_validate_json(body(client.get(f"/fhir/r4/Questionnaire/{version.id}")))
        assert parsed.url.endswith(f"/Questionnaire/{version.code}") and parsed.item, version.code
    bundle = Bundle.model_validate_json(body(client.get("/fhir/r4/Questionnaire")))
    assert bundle.total == len(versions)
