"""In headless Chromium against the demo county: the client answers ORS before a meeting with the keyboard
(autosaved, kept when the tab is closed), the meeting happens, the client answers SRS with the mouse, and the worker
sees both in the FIT graph's data table.

Here the meeting simply takes place (its appointment is moved into the past, which is what opens SRS), as a
phone or home visit would; the same flow through a real video call is tests/browser/test_fit_call.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.measures.models import Answer, AnswerStatus
from portal.people.models import Client
from portal.programmes.models import Enrolment
from tests.appointments import make_appointment
from tests.browser.conftest import SERVED_APPS, browser, live_server, signed_in_page  # noqa: F401

pytestmark = pytest.mark.browser
AINO, SANNA = "asiakas.aino@silta.example", "sanna.virtanen@silta.example"


def _meeting_soon(app) -> tuple[int, int]:
    """A video meeting for Aino in half an hour (not blocking anyone's calendar: it is a test's)."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == AINO))
        client = db.session.scalar(select(Client).where(Client.user_id == user.id))
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.client_id == client.id,
                                                              Enrolment.programme_code == "remote-guidance"))
        worker = db.session.scalar(select(User).where(User.email == SANNA))
        starts = (utcnow() + timedelta(minutes=30)).replace(second=0, microsecond=0)
        appointment = make_appointment(db, starts, (worker,), (client,), minutes=45)
        appointment.enrolment_id = enrolment.id
        for participant in appointment.participants:
            participant.blocking = False
        db.session.commit()
        return appointment.id, enrolment.id


def _meeting_happened(app, appointment_id: int) -> None:
    from portal.scheduling.models import Appointment

    with app.app_context():
        row = db.session.get(Appointment, appointment_id)
        row.starts_at, row.ends_at = utcnow() - timedelta(minutes=50), utcnow() - timedelta(minutes=5)
        for participant in row.participants:
            participant.busy_from, participant.busy_until = row.starts_at, row.ends_at
        db.session.commit()


def _answer(app, appointment_id: int, code: str) -> Answer | None:
    with app.app_context():
        row = db.session.scalar(select(Answer).where(Answer.appointment_id == appointment_id,
                                                     Answer.instrument_code == code))
        if row is not None:
            db.session.expunge(row)
        return row


def test_ors_before_the_meeting_then_srs_after_and_the_worker_sees_them(browser, live_server):  # noqa: F811
    app = SERVED_APPS[live_server]
    appointment_id, enrolment_id = _meeting_soon(app)
    page = signed_in_page(browser, live_server, AINO)
    try:
        page.goto(f"{live_server}/me")
        with page.expect_navigation():
            page.click(f"#main a[href$='/ors/appt-{appointment_id}']")
        lines = page.locator("input[type=range]")
        assert lines.count() == 4
        # The keyboard: each arrow press moves a line by 0.1 from where it starts (the middle, 5).
        for index, presses in enumerate((15, 10, 5, 20)):
            lines.nth(index).focus()
            for _ in range(presses):
                page.keyboard.press("ArrowRight")
        assert lines.nth(0).get_attribute("aria-valuetext") == "6.5 / 10"
        expect(page.locator(".autosave-status")).not_to_be_empty()  # the draft was posted
        draft = _answer(app, appointment_id, "ors")
        assert draft.status is AnswerStatus.DRAFT and draft.values["overall"] == 7.0
        answer_url, context = page.url, page.context
        page.close()  # a closed tab loses nothing: the draft is on the server
        page = context.new_page()
        page.goto(answer_url)
        assert page.locator("input[type=range]").nth(0).input_value() == "6.5"
        with page.expect_navigation():
            page.click("#main form button[type=submit]:not([name])")
        ors = _answer(app, appointment_id, "ors")
        assert ors.status is AnswerStatus.SUBMITTED and ors.total == 6.5 + 6 + 5.5 + 7

        _meeting_happened(app, appointment_id)
        page.goto(f"{live_server}/me")
        with page.expect_navigation():
            page.click(f"#main a[href$='/srs/appt-{appointment_id}']")
        for index in range(4):  # the mouse (or a finger): a click at 90 % of each line
            line = page.locator("input[type=range]").nth(index)
            line.scroll_into_view_if_needed()
            box = line.bounding_box()
            page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2)
        with page.expect_navigation():
            page.click("#main form button[type=submit]:not([name])")
        srs = _answer(app, appointment_id, "srs")
        assert srs.status is AnswerStatus.SUBMITTED and 30 <= srs.total <= 40
    finally:
        page.context.close()

    worker = signed_in_page(browser, live_server, SANNA)
    try:
        worker.goto(f"{live_server}/measures/enrolments/{enrolment_id}")
        last_row = worker.locator("#fit-caption ~ tbody tr").last.inner_text()
        # Finnish decimals: "37,6" (the number format of Finland, as in Reports).
        assert "25" in last_row and f"{srs.total:g}".replace(".", ",") in last_row, last_row
        assert worker.locator("svg[role=img] desc").count() == 1
    finally:
        worker.context.close()
