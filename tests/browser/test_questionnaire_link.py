"""The client at home (issue 16), in a real browser: an ORS answered on a phone from the link in the text
message the local SMS outbox holds (no sign-in, no cookie, axe finds nothing, the link then used up), and the
idle warning's "keep me signed in" renewing the server-side session.

Both on the session's demo server: Sanna sends the link from Aino's measures overview; the idle warning is
brought forward by setting the served app's IDLE_WARNING_SECONDS to just under its idle timeout (restored).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.auth.models import AuthSession, User
from portal.db import utcnow
from portal.extensions import db
from portal.measures.models import Answer
from portal.notifications.models import Channel, OutboxMessage
from portal.people.models import Client, ContactChannel
from portal.programmes.models import Enrolment, EnrolmentStatus
from tests.appointments import make_appointment
from tests.browser.conftest import SERVED_APPS, new_page, signed_in_page
from tests.browser.test_accessibility import assert_no_axe_violations

pytestmark = pytest.mark.browser

WORKER, AINO = "sanna.virtanen@silta.example", "asiakas.aino@silta.example"
PHONE = {"width": 375, "height": 740}


def _ors_before_a_meeting(app) -> tuple[int, int, int]:
    """Aino prefers text messages; a meeting with Sanna in an hour opens her ORS: (enrolment, meeting, client)."""
    with app.app_context():
        worker = db.session.scalar(select(User).where(User.email == WORKER))
        client = db.session.scalar(select(Client).join(User, Client.user_id == User.id).where(User.email == AINO))
        enrolment = db.session.scalar(select(Enrolment).where(
            Enrolment.client_id == client.id, Enrolment.programme_code == "remote-guidance",
            Enrolment.status == EnrolmentStatus.ACTIVE))
        client.preferred_channel, client.phone = ContactChannel.SMS, client.phone or "+358 40 765 4321"
        meeting = make_appointment(db, (utcnow() + timedelta(hours=1)).replace(microsecond=0), (worker,), (client,))
        meeting.enrolment_id = enrolment.id
        for participant in meeting.participants:
            participant.blocking = False
        db.session.commit()
        found = enrolment.id, meeting.id, client.id
        db.session.remove()
        return found


def _in_db(app, query):
    with app.app_context():
        try:
            return query()
        finally:
            db.session.remove()


def test_an_ors_answered_from_the_sms_link_on_a_phone(browser, live_server):
    app = SERVED_APPS[live_server]
    enrolment_id, meeting_id, client_id = _ors_before_a_meeting(app)
    worker = signed_in_page(browser, live_server, WORKER)
    try:
        worker.goto(f"{live_server}/measures/enrolments/{enrolment_id}")
        with worker.expect_navigation():
            worker.click(f"#main form[action$='/ors/appt-{meeting_id}/link'] button")
    finally:
        worker.context.close()
    sms = _in_db(app, lambda: db.session.scalar(
        select(OutboxMessage.body).where(OutboxMessage.client_id == client_id, OutboxMessage.channel == Channel.SMS,
                                         OutboxMessage.send_after <= utcnow(), OutboxMessage.body.contains("/q/"))
        .order_by(OutboxMessage.id.desc())))
    link = live_server + "/q/" + sms.rsplit("/q/", 1)[1]

    phone = new_page(browser, PHONE)
    try:
        assert phone.goto(link).status == 200
        assert phone.context.cookies() == []  # no session of any kind
        assert phone.locator("header nav, #main a[href^='/me']").count() == 0  # nothing else to reach
        assert_no_axe_violations(phone)
        for line in phone.locator("input[type=range]").all():
            line.focus()
            phone.keyboard.press("ArrowRight")  # each line is answered by moving it, as a person would
        with phone.expect_navigation() as sent:
            phone.click("#main button[type=submit]")
        assert sent.value.status == 200 and phone.locator("#main [role=status]").count() == 1
        answer = _in_db(app, lambda: db.session.scalar(select(Answer).where(
            Answer.appointment_id == meeting_id, Answer.instrument_code == "ors")))
        client_user = _in_db(app, lambda: db.session.get(Client, client_id).user_id)
        assert answer.submitted_at is not None and answer.entered_by_id == client_user  # the client's own
        assert phone.goto(link).status == 410  # used up: a plain page, no answers
        assert phone.locator("input[type=range]").count() == 0
        assert phone.context.cookies() == []
    finally:
        phone.context.close()


def test_the_idle_warning_keeps_the_session(browser, live_server):
    app = SERVED_APPS[live_server]
    idle = app.config["IDLE_TIMEOUT_MINUTES"] * 60
    before = app.config["IDLE_WARNING_SECONDS"]
    app.config["IDLE_WARNING_SECONDS"] = idle - 3  # the warning three seconds after the page loads
    page = signed_in_page(browser, live_server, AINO, PHONE)
    try:
        page.goto(f"{live_server}/me/access-log")
        dialog = page.locator("#idle-warning[role=alertdialog]")
        dialog.wait_for(state="visible")
        assert page.evaluate("document.activeElement.matches('[data-keep]')")  # focus moved into the dialog
        assert_no_axe_violations(page)
        seen_before = _in_db(app, lambda: db.session.scalar(select(AuthSession.last_seen_at).join(User).where(
            User.email == AINO).order_by(AuthSession.created_at.desc())))
        with page.expect_response(lambda r: r.url.endswith("/session/keepalive")) as kept:
            page.click("#idle-warning [data-keep]")
        assert kept.value.status == 200 and kept.value.json()["signed_in"] is True
        dialog.wait_for(state="hidden")
        seen_after = _in_db(app, lambda: db.session.scalar(select(AuthSession.last_seen_at).join(User).where(
            User.email == AINO).order_by(AuthSession.created_at.desc())))
        assert seen_after > seen_before  # renewed on the server now, not at the next page
    finally:
        app.config["IDLE_WARNING_SECONDS"] = before
        page.context.close()
