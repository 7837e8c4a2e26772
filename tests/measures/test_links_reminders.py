"""Reminders link to the questionnaire itself (issue 16): a one-questionnaire link by SMS or email, also for
confidential feedback about the service — once, for 4 days, nothing else revealed, 410 when used — or, for a
client without an account, that questionnaire's page in Silta. A worker cannot send a feedback link."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditRecord
from portal.db import utcnow
from portal.measures import links
from portal.measures.links import LinkRefused
from portal.measures.models import Answer, AnswerSource, QuestionnaireLink
from portal.measures.reminders import queue_questionnaire_reminders
from portal.notifications.models import OutboxMessage
from portal.scheduling.timeutil import local

TODAY = date.today()
YESTERDAY_AT_TEN = local(TODAY - timedelta(days=1), time(10, 0))  # in daytime, the hour's first scan
BASE = "http://127.0.0.1:5000"


@pytest.fixture
def person(person):
    person.user.locale = "en"  # the link texts follow the account's language; assertions read English
    return person


@pytest.fixture
def ending(db, worker, person, create_enrolment):
    """Intensive rehabilitation ending next week: the written feedback "at the end" is open (and 3X10D)."""
    enrolment = create_enrolment(person, coordinator=worker, programme="intensive-rehabilitation",
                                 start_on=TODAY - timedelta(days=90))
    enrolment.planned_end_on = TODAY + timedelta(days=7)
    db.session.commit()
    return enrolment


def _message(db, ending, code: str) -> OutboxMessage:
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"measure:{ending.id}:{code}:end"))


def test_feedback_is_answered_from_the_reminders_link_once_and_confidentially(app, db, client, person, ending):
    assert queue_questionnaire_reminders(YESTERDAY_AT_TEN) == 2  # the written feedback and the 3X10D at the end
    db.session.commit()  # as the job runner does
    message = _message(db, ending, "written-feedback")
    link_row = db.session.scalar(
        select(QuestionnaireLink).where(QuestionnaireLink.instrument_code == "written-feedback"))
    path = message.body.rsplit(" ", 1)[1].removeprefix(BASE)
    assert path.startswith("/q/") and "/me/measures" not in message.body
    assert "worker does not see your answer" in message.body and "Client feedback" not in message.body
    assert link_row.created_by_id is None and link_row.expires_at - link_row.created_at == timedelta(days=4)
    reminder = db.session.get(OutboxMessage, link_row.reminder_id)  # its one reminder, on day 2
    assert reminder.send_after - message.send_after == timedelta(days=2) and path in reminder.body
    made = db.session.scalar(select(AuditRecord).where(AuditRecord.object_type == "questionnaire_link",
                                                       AuditRecord.object_id == str(link_row.id)))
    assert made.actor_id is None and made.client_id == person.id
    reminder_id = reminder.id

    page = client.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Set-Cookie" not in page.headers and 'href="/me' not in text
    assert "Your answer is confidential. Your worker does not see it." in text and "Anything else" in text
    assert "as if you had signed in" not in text
    done = client.post(path, data={"version": str(_version(db)), "token": "t-1", "satisfied": "yes",
                                   "helped-toward-goals": "no", "comments": "Kiitos"})
    assert done.status_code == 200 and "Thank you for your feedback" in done.get_data(as_text=True)
    assert "sent to your worker" not in done.get_data(as_text=True)
    answer = db.session.scalar(select(Answer).where(Answer.instrument_code == "written-feedback"))
    assert answer.submitted and answer.source is AnswerSource.CLIENT and answer.entered_by_id == person.user_id
    db.session.expire_all()
    assert db.session.get(OutboxMessage, reminder_id) is None  # withdrawn once answered
    assert client.get(path).status_code == 410 and client.post(path, data={}).status_code == 410


def _version(db) -> int:
    from portal.measures import operations

    row = operations.instrument_version("written-feedback")
    db.session.commit()
    return row.id


def test_the_3x10d_reminder_opens_only_that_questionnaire(db, client, ending):
    queue_questionnaire_reminders(YESTERDAY_AT_TEN)
    db.session.commit()
    path = _message(db, ending, "3x10d").body.rsplit(" ", 1)[1].removeprefix(BASE)
    opened = links.open_link(path.removeprefix("/q/"))
    assert (opened.occurrence.instrument, opened.occurrence.key) == ("3x10d", "end")
    assert client.get(path + "?lang=en").status_code == 200


def test_without_an_account_the_reminder_links_to_the_questionnaires_page(db, person, ending):
    person.user_id = None
    db.session.commit()
    queue_questionnaire_reminders(YESTERDAY_AT_TEN)
    body = _message(db, ending, "written-feedback").body
    assert body.endswith(f"{BASE}/me/measures/{ending.id}/written-feedback/end")
    assert db.session.scalar(select(QuestionnaireLink)) is None


def test_a_worker_cannot_send_a_feedback_link_and_a_sent_link_is_not_reminded_twice(app, db, worker, ending):
    with app.test_request_context(), pytest.raises(LinkRefused):
        links.send_link(worker, ending, "written-feedback", "end")
    links.send_link(worker, ending, "3x10d", "end", now=utcnow() - timedelta(days=1, hours=2))
    db.session.commit()
    assert queue_questionnaire_reminders(YESTERDAY_AT_TEN) == 1  # only the feedback: the 3X10D has its link
    assert _message(db, ending, "3x10d") is None
