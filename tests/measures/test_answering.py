"""The client answers: drafts kept, one submission per occurrence, bad input refused with nothing stored."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditAction, AuditRecord
from portal.measures import operations, queries
from portal.measures.models import Answer, AnswerStatus, InstrumentVersion
from portal.measures.operations import MeasureRefused
from portal.programmes.models import EnrolmentStatus
from portal.scheduling.timeutil import local
from tests.measures.conftest import ors_form


def url(enrolment, meeting, code="ors"):
    return f"/me/measures/{enrolment.id}/{code}/appt-{meeting.id}"


def answers(db):
    return db.session.scalar(select(func.count()).select_from(Answer))


def version_id(db):
    row = operations.instrument_version("ors")
    db.session.commit()
    return row.id


def test_the_home_page_lists_the_open_ors_and_the_form_answers_it(db, client, login, enrolment, meeting, client_row):
    login(client_row.user)
    home = client.get("/me").get_data(as_text=True)
    assert url(enrolment, meeting) in home
    page = client.get(url(enrolment, meeting))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'type="range"' in html and 'step="0.1"' in html and "Placeholder wording" in html
    response = client.post(url(enrolment, meeting), data=ors_form(version_id(db)))
    assert response.status_code == 302
    answer = db.session.scalar(select(Answer))
    assert answer.status is AnswerStatus.SUBMITTED and answer.total == 24.7
    assert answer.instrument.code == "ors" and answer.instrument.version == 1
    assert url(enrolment, meeting) not in client.get("/me").get_data(as_text=True)
    assert "24.7" in client.get(url(enrolment, meeting)).get_data(as_text=True)
    audit = db.session.scalar(select(AuditRecord).where(AuditRecord.object_type == "answer"))
    assert audit.action is AuditAction.CREATE and audit.client_id == client_row.id
    assert "6.5" not in str(audit.detail)  # no values in the audit trail


def test_the_same_submission_twice_is_one_answer_and_a_second_form_is_refused(db, client, login, enrolment,
                                                                              meeting, client_row):
    login(client_row.user)
    vid = version_id(db)
    assert client.post(url(enrolment, meeting), data=ors_form(vid)).status_code == 302
    assert client.post(url(enrolment, meeting), data=ors_form(vid)).status_code == 302  # a double click
    again = client.post(url(enrolment, meeting), data=ors_form(vid, token="t-2", overall="1"))
    assert again.status_code == 409
    assert "already answered" in again.get_data(as_text=True)
    assert answers(db) == 1
    assert db.session.scalar(select(Answer)).values["overall"] == 6


def test_a_draft_is_kept_and_continued(db, client, login, enrolment, meeting, client_row):
    login(client_row.user)
    vid = version_id(db)
    draft = client.post(url(enrolment, meeting) + "/draft",
                        data={"version": str(vid), "js": "1", "individually": "3.3", "individually__set": "1",
                              "overall": "9", "socially": "banana", "socially__set": "1"})
    assert draft.status_code == 200 and draft.get_json()["saved"] is True
    row = db.session.scalar(select(Answer))
    assert row.status is AnswerStatus.DRAFT and row.values == {"individually": 3.3}  # untouched/invalid left out
    html = client.get(url(enrolment, meeting)).get_data(as_text=True)
    assert 'value="3.3"' in html
    assert "started, not sent yet" in client.get("/me").get_data(as_text=True)
    assert client.post(url(enrolment, meeting), data=ors_form(vid)).status_code == 302
    assert answers(db) == 1


@pytest.mark.parametrize(("change", "item"), [({"overall": "11"}, "overall"), ({"overall": "x"}, "overall"),
                                               ({"overall": ""}, "overall")])
def test_bad_values_are_refused_with_the_item_named_and_nothing_stored(db, client, login, enrolment, meeting,
                                                                       client_row, change, item):
    login(client_row.user)
    response = client.post(url(enrolment, meeting), data=ors_form(version_id(db), **change))
    assert response.status_code == 400
    assert f'href="#item-{item}"' in response.get_data(as_text=True)
    assert answers(db) == 0


def test_an_untouched_line_counts_as_unanswered_when_the_script_ran(db, client, login, enrolment, meeting, client_row):
    login(client_row.user)
    data = ors_form(version_id(db), js="1", individually__set="1", interpersonally__set="1", socially__set="1")
    response = client.post(url(enrolment, meeting), data=data)
    assert response.status_code == 400 and 'href="#item-overall"' in response.get_data(as_text=True)
    html = response.get_data(as_text=True)  # the answers given are kept; the untouched line stays empty
    assert html.count("vas vas--invalid vas--empty") == 1 and html.count('__set" value="1"') == 3


def test_a_forged_version_is_refused(db, client, login, enrolment, meeting, client_row):
    login(client_row.user)
    response = client.post(url(enrolment, meeting), data=ors_form(version_id(db) + 99))
    assert response.status_code == 400 and "has changed" in response.get_data(as_text=True)
    assert answers(db) == 0


def test_another_clients_questionnaire_is_403(db, client, login, create_client, enrolment, meeting):
    other = create_client()
    other.user.locale = "en"
    login(other.user)
    assert client.get(url(enrolment, meeting)).status_code == 403
    assert client.post(url(enrolment, meeting), data=ors_form(version_id(db))).status_code == 403
    assert client.post(url(enrolment, meeting) + "/draft", data=ors_form(version_id(db))).status_code == 403
    assert answers(db) == 0


def test_a_closed_or_unknown_occurrence_is_refused(db, client, login, enrolment, meeting, client_row):
    login(client_row.user)
    assert client.get(url(enrolment, meeting, "srs")).status_code == 404  # SRS opens when the meeting starts
    assert client.get(f"/me/measures/{enrolment.id}/ors/appt-999999").status_code == 404
    assert client.get(f"/me/measures/{enrolment.id}/3x10d/start").status_code == 404  # not in this programme
    assert client.post(url(enrolment, meeting, "srs"), data=ors_form(version_id(db))).status_code == 404
    enrolment.status, enrolment.ended_on = EnrolmentStatus.ENDED, enrolment.start_on
    db.session.commit()
    assert client.post(url(enrolment, meeting), data=ors_form(version_id(db))).status_code == 403
    assert answers(db) == 0


def test_answers_keep_the_version_they_were_given_on(app, db, enrolment, meeting, worker):
    occurrence = queries.find_occurrence(enrolment, "ors", f"appt-{meeting.id}", meeting.starts_at, open_only=True)
    v1 = operations.instrument_version("ors")
    answer = operations.submit(worker, enrolment, occurrence, v1.id, ors_form(v1.id), "x")
    db.session.commit()
    # An organisation installs its licensed wording as version 2: the old answer still points at version 1.
    v2 = InstrumentVersion(code="ors", version=2, checksum="0" * 64,
                           definition={**v1.definition, "version": 2, "placeholder_wording": False})
    db.session.add(v2)
    db.session.commit()
    assert answer.instrument.version == 1 and answer.instrument.parsed.placeholder_wording


def test_editing_a_definition_without_a_new_version_is_refused(app, db):
    row = operations.instrument_version("ors")
    row.definition = {**row.definition, "source": "edited"}
    db.session.commit()
    with pytest.raises(operations.InstrumentChangedWithoutNewVersion):
        operations.instrument_version("ors")


def test_refusals_carry_translated_messages(app):
    assert str(MeasureRefused("already"))


def test_3x10d_choices_then_the_traffic_light_reading(db, client, login, create_client, create_enrolment, worker):
    young = create_client(birth_year=2004)
    young.user.locale = "en"
    enrolment = create_enrolment(young, coordinator=worker, programme="intensive-rehabilitation",
                                 start_on=date.today() - timedelta(days=3))
    version = operations.instrument_version("3x10d")
    db.session.commit()
    login(young.user)
    path = f"/me/measures/{enrolment.id}/3x10d/start"
    assert path in client.get("/me").get_data(as_text=True)
    form = client.get(path).get_data(as_text=True)
    assert form.count('type="radio"') == 10 * 11 and "3X10D®" in form
    scores = dict(zip([i.code for i in version.parsed.items], "4 5 6 7 8 9 10 3 2 1".split(), strict=True))
    assert client.post(path, data={"version": str(version.id), "token": "t", **scores}).status_code == 302
    shown = client.get(path).get_data(as_text=True)
    assert "light--red" in shown and "light--yellow" in shown and "light--green" in shown
    assert db.session.scalar(select(Answer)).total is None  # 3X10D has no total score
    assert "Example wording" in shown  # the English is not Diak's text (yet)


def test_3x10d_in_finnish_is_diaks_wording_without_a_placeholder_notice(db, client, login, create_client,
                                                                         create_enrolment, worker):
    young = create_client(birth_year=2004)
    young.user.locale = "fi"
    enrolment = create_enrolment(young, coordinator=worker, programme="intensive-rehabilitation",
                                 start_on=date.today() - timedelta(days=3))
    db.session.commit()
    login(young.user)
    form = client.get(f"/me/measures/{enrolment.id}/3x10d/start").get_data(as_text=True)
    assert "kykyysi voittaa elämässä eteen tulevia vaikeuksia" in form and "erittäin tyytyväinen" in form
    assert "Diak" in form and "3X10D®" in form
    assert "Esimerkkisanamuoto" not in form and "ei ole tarkistettu" not in form


def test_feedback_with_yes_no_and_open_text(db, client, login, create_client, create_enrolment, worker):
    """Answered inside a past two-week period (the clock is the test's), then read back by the client."""
    young = create_client(birth_year=2004)
    young.user.locale = "en"
    today = date.today()
    this_quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    period = date(this_quarter.year - (this_quarter.month == 1), (this_quarter.month - 4) % 12 + 1, 1)
    enrolment = create_enrolment(young, coordinator=worker, programme="intensive-rehabilitation",
                                 start_on=period - timedelta(days=30))
    key = f"period-{period.year}q{(period.month - 1) // 3 + 1}"
    inside = local(period + timedelta(days=3), time(12))
    occurrence = queries.find_occurrence(enrolment, "written-feedback", key, inside, open_only=True)
    assert occurrence is not None
    assert queries.find_occurrence(enrolment, "written-feedback", key, inside + timedelta(days=14),
                                   open_only=True) is None  # a two-week period
    version = operations.instrument_version("written-feedback")
    with pytest.raises(MeasureRefused) as refused:
        operations.submit(young.user, enrolment, occurrence, version.id,
                          {"satisfied": "maybe", "helped-toward-goals": "yes"}, "t")
    assert refused.value.item_errors == {"satisfied": "choice"}
    operations.submit(young.user, enrolment, occurrence, version.id,
                      {"satisfied": "yes", "helped-toward-goals": "no", "comments": "Kiitos <b>paljon</b>"}, "t")
    db.session.commit()
    row = db.session.scalar(select(Answer))
    assert row.values == {"satisfied": True, "helped-toward-goals": False, "comments": "Kiitos <b>paljon</b>"}
    assert row.total is None
    login(young.user)
    shown = client.get(f"/me/measures/{enrolment.id}/written-feedback/{key}").get_data(as_text=True)
    assert "Kiitos &lt;b&gt;paljon&lt;/b&gt;" in shown and "<td>No</td>" in shown


def test_the_home_page_says_nothing_about_questionnaires_where_none_are_asked(db, client, login, create_client,
                                                                            create_enrolment, worker):
    housing = create_client()
    housing.user.locale = "en"
    create_enrolment(housing, coordinator=worker, programme="housing-guidance")
    login(housing.user)
    assert "Questionnaires" not in client.get("/me").get_data(as_text=True)


def test_after_a_phone_meeting_the_home_page_links_its_srs(db, client, login, enrolment, worker, client_row):
    """A phone contact has no call page to ask SRS on: the link waits on the client's home page (and the
    reminder, tests/measures/test_reminders.py, points there) for a week."""
    from portal.programmes.definitions_schema import Modality
    from tests.appointments import hours_from_now, make_appointment

    phone = make_appointment(db, hours_from_now(-2), (worker,), (client_row,), minutes=30, modality=Modality.PHONE)
    phone.enrolment_id = enrolment.id
    db.session.commit()
    login(client_row.user)
    home = client.get("/me").get_data(as_text=True)
    assert f"/me/measures/{enrolment.id}/srs/appt-{phone.id}" in home
    assert f"/ors/appt-{phone.id}" not in home  # ORS closed when the call ended
    assert client.get(f"/me/measures/{enrolment.id}/srs/appt-{phone.id}").status_code == 200
