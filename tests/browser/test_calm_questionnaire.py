"""Calm mode beyond the home page (issue 16): the client's questionnaire one question per screen, on a 375 px
phone, in English (only the catalog differs in Finnish and Swedish).

A new client in calm mode starts intensive social rehabilitation today, so the 3X10D (ten questions) is open.
With the script: one question and "Question n of N" at a time, Back and Next, the focus on that line (what a
screen reader then says), Enter in a question moves on rather than sending half an answer, going back keeps
the answer, the send buttons come with the last question, and axe finds nothing. Without the script the whole
form is there, as before.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.auth.models import AccountKind, User
from portal.demo.seed import DEMO_PASSWORD
from portal.extensions import db
from portal.measures.models import Answer
from portal.people.models import Client, ClientLanguage, Gender
from portal.programmes import registry
from portal.programmes.models import Enrolment
from tests.browser.conftest import SERVED_APPS, new_page, sign_in, signed_in_page
from tests.browser.test_accessibility import assert_no_axe_violations

pytestmark = pytest.mark.browser

JUHO = "client.juho@silta.example"  # his unit and worker serve the new client too
EMAIL = "calm.client@example.test"
PHONE = {"width": 375, "height": 740}
COUNT = ".measure-step:not([hidden]) .measure-step__count"
SEND = "form.measure-form .button-row"  # the send buttons (the idle dialog has a row of its own)


@pytest.fixture(scope="module")
def calm_client(live_server):
    """(enrolment id, client id) of a client in calm mode whose 3X10D "at the start" is open today."""
    app = SERVED_APPS[live_server]
    with app.app_context():
        juho = db.session.scalar(select(User).where(User.email == JUHO))
        his = db.session.scalar(select(Client).where(Client.user_id == juho.id))
        theirs = db.session.scalar(select(Enrolment).where(Enrolment.client_id == his.id,
                                                           Enrolment.programme_code == "intensive-rehabilitation"))
        user = User(kind=AccountKind.CLIENT, email=EMAIL, display_name="Calm Client", locale="en",
                    password_hash=juho.password_hash)  # the demo password, without hashing it again
        client = Client(user=user, first_name="Calm", last_name="Client", birth_year=1990, gender=Gender.FEMALE,
                        municipality_code=his.municipality_code, language=ClientLanguage.FI, calm_mode=True)
        enrolment = Enrolment(client=client, programme_code="intensive-rehabilitation", unit_id=theirs.unit_id,
                              start_on=date.today(), coordinator_id=theirs.coordinator_id,
                              phase=registry.definition("intensive-rehabilitation").first_phase)
        db.session.add_all([user, client, enrolment])
        db.session.commit()
        found = enrolment.id, client.id
        db.session.remove()
    assert DEMO_PASSWORD
    return found


def _focused_text(page) -> str:
    return page.evaluate("document.activeElement.textContent.trim()")


def test_without_the_script_the_whole_form_is_there(browser, live_server, calm_client):
    """First in the file: the questionnaire is still unanswered."""
    enrolment_id, _client_id = calm_client
    page = new_page(browser, PHONE, java_script_enabled=False)
    try:
        sign_in(page, live_server, EMAIL)
        page.goto(f"{live_server}/me/measures/{enrolment_id}/3x10d/start?lang=en")
        assert page.locator(".measure-step:visible").count() == 10
        assert page.locator(".measure-step__count:visible").nth(2).inner_text() == "Question 3 of 10"
        assert page.locator(".step-nav").is_hidden() and page.locator(SEND).is_visible()
    finally:
        page.context.close()


def test_one_question_per_screen_with_back_and_next(browser, live_server, calm_client):
    enrolment_id, _client_id = calm_client
    page = signed_in_page(browser, live_server, EMAIL, PHONE)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{live_server}/me/measures/{enrolment_id}/3x10d/start?lang=en")
        assert page.locator(".measure-step").count() == 10
        assert page.locator(".measure-step:not([hidden])").count() == 1
        assert page.inner_text(COUNT) == "Question 1 of 10"
        assert page.locator("[data-step-back]").is_hidden() and page.locator(SEND).is_hidden()
        assert_no_axe_violations(page)
        answers = {}
        for n in range(1, 11):
            step = page.locator(".measure-step:not([hidden])")
            choice = step.locator("input[type=radio]").nth(n % 11)
            choice.focus()
            page.keyboard.press("Space")  # chosen with the keyboard
            answers[n] = choice.get_attribute("value")
            if n == 3:
                page.keyboard.press("Enter")  # Enter in a question: the next one, nothing sent
                assert _focused_text(page) == "Question 4 of 10"
                page.click("[data-step-back]")  # back to 3: its answer is still there
                assert _focused_text(page) == "Question 3 of 10"
                assert page.locator(".measure-step:not([hidden]) input[type=radio]:checked").get_attribute(
                    "value") == answers[3]
            if n < 10:
                page.click("[data-step-next]")
                assert _focused_text(page) == f"Question {n + 1} of 10"  # said by a screen reader on arrival
        assert page.locator("[data-step-next]").is_hidden() and page.locator(SEND).is_visible()
        assert_no_axe_violations(page)
        with page.expect_navigation():
            page.click(SEND + " button[type=submit]:not([name])")
        app = SERVED_APPS[live_server]
        with app.app_context():
            answer = db.session.scalar(select(Answer).where(Answer.enrolment_id == enrolment_id,
                                                            Answer.instrument_code == "3x10d"))
            assert answer is not None and answer.submitted and len(answer.values) == 10
            db.session.remove()
        page.goto(f"{live_server}/me/appointments?lang=en")  # the past and the calendar link folded away
        assert page.locator("details.calm-more #calendar").count() == 1 and page.locator("#calendar").is_hidden()
        assert_no_axe_violations(page)
        assert errors == []
    finally:
        page.context.close()
