"""The worker: the FIT graph and alerts, 3X10D change, paper/phone entry, audited correction, access."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import Role
from portal.measures import operations, queries
from portal.measures.models import Answer, AnswerSource, Correction
from portal.scheduling.models import AppointmentStatus
from tests.appointments import hours_from_now, make_appointment
from tests.measures.conftest import ors_form


@pytest.fixture
def english_worker(worker):
    worker.locale = "en"
    return worker


def held_meeting(db, enrolment, worker, client_row, days_ago: int):
    row = make_appointment(db, hours_from_now(-24 * days_ago), (worker,), (client_row,),
                           status=AppointmentStatus.HELD)
    row.enrolment_id = enrolment.id
    db.session.flush()
    return row


def answer(db, worker, enrolment, code, meeting, **values):
    # Looked up as of the meeting's end: as of its start, a meeting that ends after midnight (Helsinki) had no SRS
    # yet (it opens at the end, after the day the lookup covers), and the test failed between 22 and 24 h.
    occurrence = queries.find_occurrence(enrolment, code, f"appt-{meeting.id}", meeting.ends_at, open_only=False)
    version = operations.instrument_version(code)
    items = [i.code for i in version.parsed.items]
    raw = dict(zip(items, [str(v) for v in values["scores"]], strict=True))
    return operations.submit(worker, enrolment, occurrence, version.id, raw, None, AnswerSource.PHONE,
                             meeting.starts_at)


@pytest.fixture
def history(db, enrolment, english_worker, client_row):
    """Three meetings: ORS 20 → 22 → 12.8 (a reliable worsening), SRS 38.8 → 38 → 34.8 (drops, below 36)."""
    for days_ago, ors, srs in ((21, 5, 9.7), (14, 5.5, 9.5), (7, 3.2, 8.7)):
        meeting = held_meeting(db, enrolment, english_worker, client_row, days_ago)
        answer(db, english_worker, enrolment, "ors", meeting, scores=[ors] * 4)
        answer(db, english_worker, enrolment, "srs", meeting, scores=[srs] * 4)
    db.session.commit()


def test_the_overview_shows_the_graph_its_table_and_the_alerts(db, client, login, enrolment, english_worker,
                                                               history):
    login(english_worker)
    response = client.get(f"/measures/enrolments/{enrolment.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<svg" in html and 'role="img"' in html and "<desc" in html
    assert "ORS first 20, latest 12.8." in html and "at or below the clinical cutoff 25." in html
    assert "ORS has fallen by 7.2 points since the first meeting" in html
    assert "SRS 34.8 is at or below 36" in html and "SRS fell from 38 to 34.8" in html
    assert "Clinical cutoff 25" in html and "first ORS ± 5" in html
    assert "<td>12.8</td><td>34.8</td>" in html  # the data table
    # The programme's KPIs are the reports feature's: the overview links there instead of repeating them.
    assert f'href="/reports/{enrolment.programme_code}"' in html
    read = db.session.scalar(select(AuditRecord).where(AuditRecord.feature == "measures",
                                                       AuditRecord.action == AuditAction.READ))
    assert read.client_id == enrolment.client_id


def test_paper_entry_is_marked_and_dated(db, client, login, enrolment, english_worker, client_row):
    meeting = held_meeting(db, enrolment, english_worker, client_row, 3)
    db.session.commit()
    login(english_worker)
    path = f"/measures/enrolments/{enrolment.id}/ors/appt-{meeting.id}/enter"
    assert client.get(path).status_code == 200
    version = operations.instrument_version("ors").id
    db.session.commit()
    future = (date.today() + timedelta(days=2)).isoformat()
    refused = client.post(path, data={**ors_form(version), "source": "paper", "answered_on": future})
    assert refused.status_code == 400 and db.session.scalar(select(Answer)) is None
    saved = client.post(path, data={**ors_form(version), "source": "paper",
                                    "answered_on": (date.today() - timedelta(days=3)).isoformat()})
    assert saved.status_code == 302
    row = db.session.scalar(select(Answer))
    assert row.source is AnswerSource.PAPER and row.entered_by_id == english_worker.id and row.total == 24.7


def test_a_correction_needs_a_reason_and_keeps_the_old_values(db, client, login, enrolment, english_worker,
                                                              history):
    login(english_worker)
    row = db.session.scalar(select(Answer).where(Answer.instrument_code == "ors").order_by(Answer.id))
    path = f"/measures/answers/{row.id}/correct"
    assert client.get(path).status_code == 200
    no_reason = client.post(path, data={"individually": "6", "interpersonally": "5", "socially": "5", "overall": "5"})
    assert no_reason.status_code == 400 and db.session.scalar(select(Correction)) is None
    done = client.post(path, data={"individually": "6", "interpersonally": "5", "socially": "5", "overall": "5",
                                   "reason": "Typed from the paper form wrongly"})
    assert done.status_code == 302
    db.session.expire_all()
    correction = db.session.scalar(select(Correction))
    assert correction.previous_total == 20 and correction.answer.total == 21
    assert correction.previous_values["individually"] == 5
    audit = db.session.scalar(select(AuditRecord).where(AuditRecord.action == AuditAction.UPDATE,
                                                        AuditRecord.object_type == "answer"))
    assert audit.detail["fields"] == ["individually"]


def test_the_worker_can_hide_the_graph_from_the_client(db, client, login, enrolment, english_worker, client_row,
                                                       history):
    login(english_worker)
    assert client.post(f"/measures/enrolments/{enrolment.id}/client-graph", data={"visible": "0"}).status_code == 302
    assert not queries.client_sees_fit_graph(enrolment.id)
    client.post("/logout")
    login(client_row.user)
    html = client.get("/me/measures").get_data(as_text=True)
    assert "<svg" not in html


def test_the_client_sees_their_own_graph_in_plain_language(db, client, login, client_row, history):
    login(client_row.user)
    html = client.get("/me/measures").get_data(as_text=True)
    assert "<svg" in html and "things have been harder lately" in html


@pytest.mark.parametrize("role", [Role.WORKER, Role.ADMIN, Role.REFERRER])
def test_staff_who_do_not_see_the_client_get_403(db, client, login, create_staff, enrolment, history, role):
    login(create_staff(role))
    row = db.session.scalar(select(Answer))
    for path in (f"/measures/enrolments/{enrolment.id}", f"/measures/answers/{row.id}/correct"):
        assert client.get(path).status_code == 403


def test_3x10d_start_and_six_months_show_the_mean_change(db, client, login, create_client, create_enrolment,
                                                         english_worker):
    young = create_client(birth_year=date.today().year - 22)
    start = date.today() - timedelta(days=190)
    enrolment = create_enrolment(young, coordinator=english_worker, programme="intensive-rehabilitation",
                                 start_on=start)
    version = operations.instrument_version("3x10d")
    codes = [i.code for i in version.parsed.items]
    for key, score in (("start", 4), ("month-6", 5)):
        occurrence = queries.find_occurrence(enrolment, "3x10d", key, hours_from_now(0), open_only=False)
        assert occurrence is not None, key
        operations.submit(english_worker, enrolment, occurrence, version.id, dict.fromkeys(codes, str(score)), None,
                          AnswerSource.PAPER)
    db.session.commit()
    login(english_worker)
    html = client.get(f"/measures/enrolments/{enrolment.id}").get_data(as_text=True)
    assert "Change in the mean: +25.0 %" in html
    assert "light--red" in html


def test_the_programme_csv_has_numbers_of_visible_clients_only(db, client, login, create_staff, enrolment,
                                                              english_worker, history):
    login(english_worker)
    response = client.get("/measures/export/remote-guidance.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].split(";")[:3] == ["client", "enrolment", "instrument"]
    assert len(lines) == 1 + 3 * 2 * 4  # three meetings, ORS and SRS, four items each
    assert all(line.split(";")[0] == str(enrolment.client_id) for line in lines[1:])
    exported = db.session.scalar(select(AuditRecord).where(AuditRecord.action == AuditAction.EXPORT))
    assert exported.client_id == enrolment.client_id
    client.post("/logout")
    login(create_staff(Role.WORKER))
    assert len(client.get("/measures/export/remote-guidance.csv").get_data(as_text=True).splitlines()) == 1
    assert client.get("/measures/export/no-such-programme.csv").status_code == 404


def test_the_client_page_shows_the_fit_alerts_and_the_fresh_ors(db, client, login, enrolment, english_worker,
                                                                 client_row, history, meeting):
    login(english_worker)
    html = client.get(f"/work/clients/{client_row.id}").get_data(as_text=True)
    assert "FIT alerts" in html and "SRS 34.8 is at or below 36" in html
    # The caseload shows what is due now: the coming meeting's ORS, with the worker's entry form.
    enter = f"/measures/enrolments/{enrolment.id}/ors/appt-{meeting.id}/enter"
    assert "Questionnaires open for the client now:" in html and enter in html
    assert queries.fresh_ors(enrolment, meeting) is None
    answer(db, english_worker, enrolment, "ors", meeting, scores=[7, 7, 7, 7])
    db.session.commit()
    assert queries.fresh_ors(enrolment, meeting).total == 28
    assert enter not in client.get(f"/work/clients/{client_row.id}").get_data(as_text=True)  # answered: not due
