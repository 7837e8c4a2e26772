"""Seeds 000 and 002: feedback about the service is confidential, read only in the programme's reports.

The client's own worker never sees the answers (403), cannot enter or correct them, and the form tells the
client who does see what.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.db import utcnow
from portal.measures import operations
from portal.measures.models import Answer, AnswerSource, AnswerStatus
from portal.measures.operations import MeasureRefused

COMMENT = "Työntekijä ei kuunnellut minua"


@pytest.fixture
def feedback(db, create_client, create_enrolment, worker):
    young = create_client(birth_year=2004)
    young.user.locale = "en"
    enrolment = create_enrolment(young, coordinator=worker, programme="intensive-rehabilitation",
                                 start_on=date.today() - timedelta(days=40))
    version = operations.instrument_version("written-feedback")
    answer = Answer(enrolment_id=enrolment.id, client_id=young.id, instrument=version, instrument_code=version.code,
                    occurrence="end", status=AnswerStatus.SUBMITTED, source=AnswerSource.CLIENT,
                    values={"satisfied": False, "helped-toward-goals": False, "comments": COMMENT},
                    answered_on=utcnow(), submitted_at=utcnow())
    db.session.add(answer)
    db.session.commit()
    return answer


def test_the_clients_own_worker_cannot_read_enter_or_correct_feedback(db, client, login, worker, feedback):
    login(worker)
    enrolment_id = feedback.enrolment_id
    assert client.get(f"/measures/answers/{feedback.id}/correct").status_code == 403
    assert client.post(f"/measures/answers/{feedback.id}/correct", data={"reason": "x"}).status_code == 403
    assert client.get(f"/measures/enrolments/{enrolment_id}/written-feedback/end/enter").status_code == 403
    assert client.get(f"/fhir/r4/QuestionnaireResponse/{feedback.id}").status_code == 403
    overview = client.get(f"/measures/enrolments/{enrolment_id}").get_data(as_text=True)
    assert COMMENT not in overview and f"/measures/answers/{feedback.id}/correct" not in overview
    csv = client.get("/measures/export/intensive-rehabilitation.csv").get_data(as_text=True)
    assert "written-feedback" not in csv and COMMENT not in csv
    with pytest.raises(MeasureRefused) as refused:
        operations.correct(worker, feedback, {"satisfied": "yes", "helped-toward-goals": "yes"}, "typo")
    assert refused.value.key == "confidential"


def test_the_form_tells_the_client_who_sees_the_answers(client, login, feedback):
    login(feedback.enrolment.client.user)
    page = client.get(f"/me/measures/{feedback.enrolment_id}/written-feedback/end").get_data(as_text=True)
    assert "Your own worker does not see your answers" in page and "without your name" in page
    assert "handled confidentially" not in page
