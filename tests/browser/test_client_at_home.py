"""The client at home (issue 16): from the home page into a video call and out to the SRS, on a phone and a
laptop, in Finnish and Swedish.

Two headless Chromiums in two network namespaces, as in tests/browser/test_video_call.py (whose helpers this
file imports): the worker's with the Silta process and its echo bot, the clients' in the other. Two walks
on one module-scoped server, each a meeting with Sanna starting now:

1. Aino (Finnish, 375 px): tests her camera on the practice page (echo bot, a good verdict) → the home page
   leads with "join the meeting with Sanna" → one tap → the check offers to skip → the waiting room names
   Sanna → Sanna lets her in → the phone layout (no site header, no screen share where the browser has
   none, own picture small) → "leave" asks first (Esc stays) → "join again" goes straight back in →
   leaves → the end stage's SRS for this very meeting, whose lines start empty with their end labels at
   their ends (in both walks).
2. Elsa (Swedish, 1280 px) turns calm mode on in the check step: camera off on joining, own picture hidden,
   no animations; Sanna is still in Aino's call, so the waiting room says she is finishing another meeting.

Screenshots of the phone call and of the home page at meeting time go to docs/screenshots/.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, sign_in
from tests.browser.test_video_call import (
    MEDIA_FLAGS,
    PAGE_ERRORS,
    TIMEOUT_MS,
    _secure_origin_flag,
    _stage,
    _wait_decoding,
)
from tests.conftest import make_app
from tests.support import browsers as shared_browsers
from tests.support import netns
from tests.support.rtc import SILTA_SECRET, start_silta
from tests.support.services import ServiceUnavailable, require_or_skip

pytestmark = [pytest.mark.browser, pytest.mark.rtc]

WORKER, WORKER_NAME = "sanna.virtanen@silta.example", "Sanna Virtanen"
AINO, ELSA = "asiakas.aino@silta.example", "klient.elsa@silta.example"
PHONE = {"width": 375, "height": 740}
LAPTOP = {"width": 1280, "height": 800}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
NO_SCREEN_SHARE = "delete MediaDevices.prototype.getDisplayMedia;"  # as on a phone's browser


@pytest.fixture(autouse=True)
def _no_script_errors():
    PAGE_ERRORS.clear()
    yield
    assert not PAGE_ERRORS, PAGE_ERRORS


@dataclass
class Home:
    url: str
    database_url: str
    appointments: dict  # client email → the appointment id of their meeting now
    worker_browser: object
    client_browser: object
    worker: object = None  # the worker's page, shared by both walks


def _in_db(database_url: str, work):
    app = make_app(database_url, SECRET_KEY=SILTA_SECRET)
    with app.app_context():
        try:
            return work()
        finally:
            db.session.remove()
            db.engine.dispose()


def _book_meetings(database_url: str) -> dict:
    """A video meeting now with Sanna for Aino (her remote guidance) and for Elsa (a remote-guidance service
    is started for her here: the walk needs a programme that asks SRS). Not blocking: the demo may have
    Sanna busy now."""
    from portal.auth.models import User
    from portal.people.models import Client
    from portal.programmes import registry
    from portal.programmes.models import Enrolment, EnrolmentStatus
    from tests.appointments import make_appointment

    def work():
        worker = db.session.scalar(select(User).where(User.email == WORKER))
        found = {}
        for offset, email in ((-5, AINO), (0, ELSA)):
            client = db.session.scalar(select(Client).join(User, Client.user_id == User.id).where(User.email == email))
            enrolment = db.session.scalar(select(Enrolment).where(
                Enrolment.client_id == client.id, Enrolment.programme_code == "remote-guidance",
                Enrolment.status == EnrolmentStatus.ACTIVE))
            if enrolment is None:
                other = db.session.scalar(select(Enrolment).where(Enrolment.client_id == client.id))
                enrolment = Enrolment(client=client, programme_code="remote-guidance", unit_id=other.unit_id,
                                      start_on=date.today() - timedelta(days=30), coordinator=worker,
                                      phase=registry.definition("remote-guidance").first_phase,
                                      status=EnrolmentStatus.ACTIVE)
                db.session.add(enrolment)
                db.session.flush()
            start = (utcnow() + timedelta(minutes=offset)).replace(microsecond=0)
            appointment = make_appointment(db, start, (worker,), (client,), minutes=45)
            appointment.enrolment_id = enrolment.id
            for participant in appointment.participants:
                participant.blocking = False
            found[email] = appointment.id
        db.session.commit()
        return found

    return _in_db(database_url, work)


def _srs_total(database_url: str, appointment_id: int) -> float | None:
    from portal.measures.models import Answer, AnswerStatus

    return _in_db(database_url, lambda: db.session.scalar(select(Answer.total).where(
        Answer.appointment_id == appointment_id, Answer.instrument_code == "srs",
        Answer.status == AnswerStatus.SUBMITTED)))


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    if not CHROMIUM.exists():
        require_or_skip(ServiceUnavailable(f"{CHROMIUM} is not installed (Debian package chromium)"))
    try:
        link = netns.create_link("h")
    except ServiceUnavailable as exc:
        require_or_skip(exc)
    server, browsers = None, []
    try:
        database_url = f"sqlite:///{tmp_path_factory.mktemp('client-at-home') / 'silta.sqlite3'}"
        server = start_silta(database_url, wrap=link.near.exec_prefix, host=link.near.address, bots=1,
                             seed_demo=True)
        appointments = _book_meetings(database_url)
        playwright = shared_browsers.playwright()
        args = [*CHROMIUM_ARGS, *MEDIA_FLAGS, _secure_origin_flag(server.url)]
        for ns in (link.near, link.far):
            browsers.append(playwright.chromium.launch(executable_path=str(link.chromium_wrapper(ns)), args=args))
        yield Home(server.url, database_url, appointments, browsers[0], browsers[1])
    finally:
        for browser in browsers:
            browser.close()
        if server is not None:
            server.stop()
        link.delete()


def _page(browser, viewport: dict, locale: str, init_script: str | None = None):
    context = browser.new_context(viewport=viewport, locale=locale)
    context.set_default_timeout(TIMEOUT_MS)
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    page.on("pageerror", lambda error: PAGE_ERRORS.append(f"{page.url}: {error}"))
    return page


def _axe(page) -> None:
    from tests.browser.test_accessibility import assert_no_axe_violations

    assert_no_axe_violations(page)


def _worker_admits(home: Home, client_name: str) -> None:
    """Sanna opens the room from the staff banner (first time: through the check) and lets the client in."""
    worker = home.worker
    if worker is None:
        worker = home.worker = _page(home.worker_browser, LAPTOP, "fi-FI")
        sign_in(worker, home.url, WORKER)
    else:
        worker.goto(f"{home.url}/video/")
    with worker.expect_navigation():
        worker.locator("#rtc-lobby .rtc-lobby__open").first.click()
    _stage(worker, "check")
    worker.click("#join-button")
    _stage(worker, "call")
    waiting = worker.locator(f"#waiting-list li:has-text('{client_name}')")
    waiting.locator("[data-action=admit]").click()


def _leave(client) -> None:
    """"Leave" asks in a modal dialog; Escape keeps the person in the call, "Yes, leave" leaves."""
    client.click("#leave-button")
    client.wait_for_selector("#leave-dialog[open]")
    assert client.evaluate("document.activeElement.id") == "leave-no"  # the safe choice has the focus
    client.keyboard.press("Escape")
    client.wait_for_selector("#leave-dialog:not([open])", state="attached")
    assert client.locator("body[data-stage=call]").count() == 1
    client.click("#leave-button")
    client.click("#leave-yes")
    client.wait_for_selector("body[data-end-reason=left]", state="attached")


def _answer_srs(home: Home, client, appointment_id: int) -> None:
    srs = client.locator(f"#stage-end a[href*='/srs/appt-{appointment_id}']")
    srs.wait_for(state="visible")
    with client.expect_navigation():
        srs.click()
    lines = client.locator("input[type=range]")
    assert lines.count() == 4 and client.locator(".vas--empty").count() == 4  # no marker until touched
    # Both end labels of a line sit at its two ends, at every width.
    line, low, high = (client.locator(selector).first.bounding_box()
                       for selector in ("input[type=range]", ".vas__end--low", ".vas__end--high"))
    assert abs(low["x"] - line["x"]) < 4 and abs(high["x"] + high["width"] - line["x"] - line["width"]) < 4, (
        line, low, high)
    calm = client.locator("form[data-one-at-a-time]").count() == 1  # calm mode: one line per screen
    for index in range(4):  # a finger's tap at 90 % of each line
        line = lines.nth(index)
        line.scroll_into_view_if_needed()
        box = line.bounding_box()
        client.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2)
        if calm and index < 3:
            client.click("[data-step-next]")
    assert client.locator(".vas--empty").count() == 0
    with client.expect_navigation():
        client.click("#main form button[type=submit]:not([name])")
    total = _srs_total(home.database_url, appointment_id)
    assert total is not None and 30 <= total <= 40, total  # this meeting's SRS, answered after leaving


# ---------------------------------------------------------------------------------------------


def test_aino_on_her_phone_in_finnish_from_home_to_the_srs(home):
    appointment_id = home.appointments[AINO]
    client = _page(home.client_browser, PHONE, "fi-FI", NO_SCREEN_SHARE)
    sign_in(client, home.url, AINO)

    # The day before, or now: the practice page with the echo bot. A good verdict is remembered.
    client.goto(f"{home.url}/me")
    with client.expect_navigation():
        client.locator("#main a[href$='/me/practice']").first.click()
    client.wait_for_selector("#network-status[data-verdict]", state="attached", timeout=30_000)
    if client.get_attribute("#network-status", "data-verdict") == "unavailable":  # a busy machine: "Test again"
        client.click("#network-retry")
        client.wait_for_selector("#network-status[data-verdict]", state="attached", timeout=30_000)
    assert client.get_attribute("#network-status", "data-verdict") == "video", client.inner_text("#network-status")
    _axe(client)

    # Home at meeting time: one large way in, with the worker's name.
    client.goto(f"{home.url}/me")
    join = client.locator("#join-now")
    assert WORKER_NAME in join.inner_text()
    assert client.evaluate("""() => {  // it comes before what is due and the next appointments
      const now = document.querySelector('.meeting-now'), next = document.getElementById('next-heading');
      return Boolean(now.compareDocumentPosition(next) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")
    client.evaluate("document.getElementById('main').scrollIntoView()")  # past the site's navigation
    client.screenshot(path=str(SCREENSHOTS / "home-meeting-time-375.png"))
    _axe(client)
    with client.expect_navigation():
        join.click()  # one tap

    # The check may be skipped after the good practice; the waiting room says who.
    _stage(client, "check")
    client.click("#skip-check")
    _stage(client, "wait")
    assert WORKER_NAME in client.inner_text(".wait-host__name")
    _worker_admits(home, "Aino M.")
    _stage(client, "call")
    _wait_decoding(client)

    # The phone layout: no site header, no screen sharing without getDisplayMedia, own picture small.
    assert not client.locator(".site-header").is_visible()
    assert client.locator("#toggle-share").is_hidden()
    own = client.locator(".tile--self").bounding_box()
    other = client.locator(".tile:not(.tile--self)").first.bounding_box()
    assert own["width"] < other["width"] / 2 and other["width"] > 300, (own, other)
    controls = client.locator(".call-controls").bounding_box()
    assert controls["y"] + controls["height"] <= PHONE["height"] + 1, controls  # within the thumb's reach
    client.screenshot(path=str(SCREENSHOTS / "call-phone-375.png"))

    _leave(client)
    # Back into the same meeting: no new check, no new admission.
    client.click("#rejoin-button")
    _stage(client, "call")
    assert client.locator("body[data-stage=check], body[data-stage=wait]").count() == 0
    _leave(client)
    _answer_srs(home, client, appointment_id)
    client.context.close()


def test_elsa_on_a_laptop_in_swedish_with_calm_mode(home):
    appointment_id = home.appointments[ELSA]
    client = _page(home.client_browser, LAPTOP, "sv-FI")
    sign_in(client, home.url, ELSA)
    client.goto(f"{home.url}/me")
    assert client.get_attribute("html", "lang") == "sv"
    join = client.locator("#join-now")
    assert WORKER_NAME in join.inner_text()
    with client.expect_navigation():
        join.click()

    _stage(client, "check")
    assert client.locator("#skip-check").is_hidden()  # Elsa has not practised on any device
    client.click("label[for=calm_mode]")
    with client.expect_navigation():
        client.click("form.calm-form button[type=submit]")
    assert client.locator("body.calm").count() == 1
    _stage(client, "check")
    client.click("#join-button")
    _stage(client, "wait")
    assert WORKER_NAME in client.inner_text(".wait-host__name")
    client.wait_for_selector("#wait-host-busy:not([hidden])", state="attached")  # Sanna is still in Aino's call
    _axe(client)
    _worker_admits(home, "Elsa H.")
    _stage(client, "call")
    _wait_decoding(home.worker)
    assert client.get_attribute("#toggle-camera", "aria-pressed") == "true"  # camera off on joining
    assert client.locator("#calm-camera-note").is_visible()
    assert client.locator("body.self-hidden").count() == 1 and client.locator(".tile--self").is_hidden()
    assert client.evaluate("getComputedStyle(document.querySelector('#leave-button')).transitionDuration") == "0s"
    _leave(client)
    _answer_srs(home, client, appointment_id)
    client.context.close()
