"""Questionnaires by link: sent by SMS through the outbox, one occurrence, once, until it expires; the answer
is the client's own; a wrong, expired or used link shows a plain page and no data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.audit.models import AuditRecord
from portal.auth.models import Role
from portal.db import utcnow
from portal.measures import links, operations
from portal.measures.links import LinkRefused, LinkState
from portal.measures.models import Answer, AnswerSource, QuestionnaireLink
from portal.notifications.models import Channel, OutboxMessage
from portal.people.models import ContactChannel
from tests.measures.conftest import ors_form


@pytest.fixture
def sent(db, worker, enrolment, meeting, client_row):
    """A link to the ORS before the meeting, sent by SMS: (url path, the link row, the message). No reminder:
    the ORS closes when the meeting ends, long before day 2 (test_links_reminders.py has one)."""
    client_row.preferred_channel = ContactChannel.SMS
    assert links.send_link(worker, enrolment, "ors", f"appt-{meeting.id}") is Channel.SMS
    db.session.commit()
    first, = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.send_after)).all()
    path = first.body.rsplit(" ", 1)[1].removeprefix("http://127.0.0.1:5000")
    return path, db.session.scalar(select(QuestionnaireLink)), first


def _vid(db):
    row = operations.instrument_version("ors")
    db.session.commit()
    return row.id


def test_the_sms_says_nothing_of_the_questionnaire(sent, client_row):
    path, link, first = sent
    assert first.channel is Channel.SMS and first.recipient == client_row.phone and path.startswith("/q/")
    assert "ORS" not in first.body and "Outcome" not in first.body
    assert link.expires_at - link.created_at == timedelta(days=4)
    assert link.token_hash not in first.body  # only the hash is stored


def test_answered_once_from_the_link_as_the_clients_own(db, client, sent, client_row, enrolment):
    path, link, _first = sent
    page = client.get(path)
    assert page.status_code == 200 and 'type="range"' in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in page.headers  # no session of any kind
    assert 'href="/me' not in page.get_data(as_text=True)  # no way on to the client's pages
    done = client.post(path, data=ors_form(_vid(db)))
    assert done.status_code == 200 and "Your answer was sent" in done.get_data(as_text=True)
    answer = db.session.scalar(select(Answer))
    assert answer.submitted and answer.source is AnswerSource.CLIENT and answer.entered_by_id == client_row.user_id
    audit = db.session.scalar(select(AuditRecord).where(AuditRecord.object_type == "answer"))
    assert audit.actor_id == client_row.user_id and audit.client_id == client_row.id
    used = client.get(path)
    assert used.status_code == 410 and "Kyselyyn on jo vastattu tällä linkillä" in used.get_data(as_text=True)
    assert "6.5" not in used.get_data(as_text=True)


def test_bad_input_keeps_the_answers_and_uses_nothing(db, client, sent):
    path, link, *_ = sent
    bad = client.post(path, data=ors_form(_vid(db), overall="11"))
    assert bad.status_code == 400 and 'value="6.5"' in bad.get_data(as_text=True)
    db.session.refresh(link)
    assert link.used_at is None and db.session.scalar(select(Answer)) is None


def test_an_expired_or_unknown_link_shows_nothing(db, client, sent):
    path, link, *_ = sent
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = client.get(path)
    assert expired.status_code == 410 and "Linkki on vanhentunut" in expired.get_data(as_text=True)
    assert client.post(path, data=ors_form(_vid(db))).status_code == 410
    assert db.session.scalar(select(Answer)) is None
    unknown = client.get("/q/" + "x" * 43)
    assert unknown.status_code == 404 and "Linkki ei ole oikea" in unknown.get_data(as_text=True)


def test_a_link_opens_only_its_own_occurrence(db, sent, enrolment, meeting):
    path, link, *_ = sent
    opened = links.open_link(path.removeprefix("/q/"))
    assert opened.state is LinkState.OPEN and opened.occurrence.key == f"appt-{meeting.id}"
    assert opened.occurrence.instrument == "ors"


def test_refusals_are_clear(app, db, worker, enrolment, meeting, client_row):
    client_row.preferred_channel = ContactChannel.PHONE
    with app.test_request_context(), force_locale("en"):
        with pytest.raises(LinkRefused, match="preferred way of contact"):
            links.send_link(worker, enrolment, "ors", f"appt-{meeting.id}")
        client_row.preferred_channel = ContactChannel.SMS
        with pytest.raises(LinkRefused, match="not open"):
            links.send_link(worker, enrolment, "srs", f"appt-{meeting.id}")  # the SRS opens after the meeting


def test_the_worker_sends_it_from_the_overview(db, client, login, worker, enrolment, meeting, client_row):
    client_row.preferred_channel = ContactChannel.SMS
    login(worker)
    page = client.get(f"/measures/enrolments/{enrolment.id}").get_data(as_text=True)
    url = f"/measures/enrolments/{enrolment.id}/ors/appt-{meeting.id}/link"
    assert url in page
    response = client.post(url, follow_redirects=True)
    assert "Linkki lähetettiin asiakkaalle tekstiviestillä" in response.get_data(as_text=True)
    assert db.session.scalar(select(QuestionnaireLink)).created_by_id == worker.id


@pytest.fixture
def worker_elsewhere(create_staff):
    return create_staff(Role.WORKER, in_unit=None)


def test_a_worker_outside_the_team_cannot_send(db, client, login, worker_elsewhere, enrolment, meeting):
    login(worker_elsewhere)
    assert client.post(f"/measures/enrolments/{enrolment.id}/ors/appt-{meeting.id}/link").status_code == 403


def test_the_language_is_chosen_in_the_address_not_a_session(client, sent):
    path, *_ = sent
    page = client.get(path + "?lang=sv")
    assert page.status_code == 200 and '<html lang="sv">' in page.get_data(as_text=True)
    assert "Set-Cookie" not in page.headers
    closed = client.get("/q/" + "x" * 43 + "?lang=en")
    assert '<html lang="en">' in closed.get_data(as_text=True) and "Set-Cookie" not in closed.headers
