"""Axe and 320 px reflow on the 3X10D and written-feedback forms, on any day of the year; autosave over a
dropped connection.

The axe pass over the demo logins (tests/browser/test_accessibility.py) can only visit the forms a demo
client happens to have open on the day the demo is seeded. Here a client of intensive rehabilitation
starts today and ends in a week, so the 3X10D at the start and the written feedback at the end are open
whatever the date: both forms are checked as they first appear and with the errors of an empty send.
(ORS and SRS are checked in the real call flow, tests/browser/test_fit_call.py.)
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.auth.models import AccountKind, User
from portal.auth.passwords import hash_password
from portal.db import utcnow
from portal.demo.seed import DEMO_PASSWORD
from portal.extensions import db
from portal.people.models import Client, ClientLanguage, Gender
from portal.programmes import registry
from portal.programmes.models import Enrolment
from portal.scheduling.timeutil import local_date
from tests.browser.conftest import SERVED_APPS, browser, live_server, signed_in_page  # noqa: F401

pytestmark = pytest.mark.browser
EMAIL = "lomakkeet.testi@silta.example"
PROGRAMME = "intensive-rehabilitation"
FORMS = [("3x10d", "start"), ("written-feedback", "end")]


@pytest.fixture(scope="module")
def enrolment_id(live_server):  # noqa: F811
    """A new client of the demo's intensive rehabilitation: started today, planned to end in a week."""
    app = SERVED_APPS[live_server]
    with app.app_context():
        existing = db.session.scalar(select(User).where(User.email == EMAIL))
        if existing is None:
            like = db.session.scalar(select(Enrolment).where(Enrolment.programme_code == PROGRAMME))
            user = User(kind=AccountKind.CLIENT, email=EMAIL, display_name="Lomake Testi", locale="fi",
                        password_hash=hash_password(DEMO_PASSWORD))
            client = Client(user=user, first_name="Lomake", last_name="Testi", birth_year=2003,
                            gender=Gender.OTHER, municipality_code=like.client.municipality_code,
                            language=ClientLanguage.FI)
            today = local_date(utcnow())
            db.session.add(Enrolment(client=client, programme_code=PROGRAMME, unit_id=like.unit_id, start_on=today,
                                     planned_end_on=today + timedelta(days=7), coordinator_id=like.coordinator_id,
                                     phase=registry.definition(PROGRAMME).first_phase))
            db.session.commit()
        return db.session.scalar(select(Enrolment.id).join(Client).join(User).where(User.email == EMAIL))


@pytest.mark.parametrize(("code", "key"), FORMS)
def test_the_form_passes_axe_and_reflows_with_and_without_errors(browser, live_server, enrolment_id,  # noqa: F811
                                                                 code, key):
    from tests.browser.test_accessibility import assert_no_axe_violations, assert_no_horizontal_scroll

    page = signed_in_page(browser, live_server, EMAIL)
    try:
        assert page.goto(f"{live_server}/me/measures/{enrolment_id}/{code}/{key}").status == 200
        assert_no_axe_violations(page)
        with page.expect_navigation():
            page.click("#main form button[type=submit]:not([name])")  # nothing chosen: every item is missing
        assert page.locator(".hds-error-summary").count(), page.inner_text("#main")[:300]
        assert_no_axe_violations(page)
        page.set_viewport_size({"width": 320, "height": 640})
        assert_no_horizontal_scroll(page)
    finally:
        page.context.close()


def test_a_dropped_connection_loses_no_answer(browser, live_server, enrolment_id):  # noqa: F811
    """Offline while answering: the page says the save failed and keeps trying; back online, the draft is
    stored without the client doing anything."""
    from portal.measures.models import Answer, AnswerStatus

    app = SERVED_APPS[live_server]
    page = signed_in_page(browser, live_server, EMAIL)
    try:
        page.goto(f"{live_server}/me/measures/{enrolment_id}/3x10d/start")
        status = page.locator(".autosave-status")
        page.context.set_offline(True)
        choice = page.locator("input[type=radio][value='7']").first.get_attribute("id")
        page.click(f"label[for='{choice}']")  # HDS draws the label over the radio button: a person clicks it
        failed = page.locator("form[data-failed]").get_attribute("data-failed")
        page.wait_for_function("text => document.querySelector('.autosave-status').textContent === text", arg=failed)
        page.context.set_offline(False)
        saved = page.locator("form[data-saved]").get_attribute("data-saved")
        page.wait_for_function("text => document.querySelector('.autosave-status').textContent === text", arg=saved,
                               timeout=20_000)  # the retry comes within 10 s
        assert status.inner_text() == saved
        with app.app_context():
            draft = db.session.scalar(select(Answer).where(Answer.enrolment_id == enrolment_id,
                                                           Answer.instrument_code == "3x10d"))
            assert draft is not None and draft.status is AnswerStatus.DRAFT and 7 in draft.values.values()
            db.session.remove()
    finally:
        page.context.close()
