"""FIT around a real video call: ORS in the waiting room, the call, SRS on the end stage, the worker's graph.

Two headless Chromiums in two network namespaces, as in tests/browser/test_video_call.py (whose helpers
this file imports): the worker's Chromium sits with the Silta process in the first namespace, the
client's in the second. Aino (remote guidance, a programme that asks ORS before and SRS after every
meeting) opens the invite link her worker sent, answers ORS while she waits and comes back to the
waiting room; the worker sees her fresh ORS in the waiting list and lets her in; both decode each
other's video; the worker ends the meeting; Aino's end stage offers the SRS, which she answers; the
worker's FIT graph for her shows both totals. Axe checks the ORS and SRS pages on the way.

The tests form one story and run in file order on one module-scoped meeting.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, sign_in
from tests.browser.test_video_call import (
    MEDIA_FLAGS,
    PAGE_ERRORS,
    _page,
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

WORKER = "sanna.virtanen@silta.example"
CLIENT_EMAIL = "asiakas.aino@silta.example"
CLIENT_NAME = "Aino M."
ORS_PRESSES = (15, 10, 5, 20)  # arrow presses per line from the middle (5.0): 6.5, 6.0, 5.5, 7.0
ORS_TOTAL = 25.0


@pytest.fixture(autouse=True)
def _no_script_errors():
    PAGE_ERRORS.clear()  # the list _page() fills with the pages' uncaught exceptions
    yield
    assert not PAGE_ERRORS, PAGE_ERRORS


@dataclass
class FitMeeting:
    url: str
    invite_url: str
    appointment_id: int
    enrolment_id: int
    database_url: str
    worker: object  # Playwright pages
    client: object


def _book_meeting(database_url: str) -> tuple[str, int, int]:
    """A video meeting of Sanna with Aino in her remote-guidance enrolment, starting this minute (not
    blocking anyone's calendar: the demo may have Sanna busy now), its room and Aino's invite link."""
    from portal.auth.models import User
    from portal.people.models import Client
    from portal.programmes.models import Enrolment
    from portal.video import operations
    from portal.video.models import ParticipantRole
    from tests.appointments import make_appointment

    app = make_app(database_url, SECRET_KEY=SILTA_SECRET)
    with app.app_context():
        worker = db.session.scalar(select(User).where(User.email == WORKER))
        client = db.session.scalar(select(Client).join(User, Client.user_id == User.id)
                                   .where(User.email == CLIENT_EMAIL))
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.client_id == client.id,
                                                              Enrolment.programme_code == "remote-guidance"))
        appointment = make_appointment(db, utcnow().replace(second=0, microsecond=0), (worker,), (client,),
                                       minutes=45)
        appointment.enrolment_id = enrolment.id
        for participant in appointment.participants:
            participant.blocking = False
        room = operations.open_room_for_appointment(db.session, appointment, worker)
        _invite, token = operations.create_invite(db.session, room, worker, name=CLIENT_NAME,
                                                  role=ParticipantRole.CLIENT, hours=2)
        db.session.commit()
        ids = appointment.id, enrolment.id
        db.session.remove()
        db.engine.dispose()
    return token, *ids


def _submitted_total(database_url: str, appointment_id: int, code: str) -> float | None:
    from portal.measures.models import Answer, AnswerStatus

    app = make_app(database_url, SECRET_KEY=SILTA_SECRET)
    with app.app_context():
        total = db.session.scalar(select(Answer.total).where(
            Answer.appointment_id == appointment_id, Answer.instrument_code == code,
            Answer.status == AnswerStatus.SUBMITTED))
        db.session.remove()
        db.engine.dispose()
    return total


@pytest.fixture(scope="module")
def fit_meeting(tmp_path_factory):
    if not CHROMIUM.exists():
        require_or_skip(ServiceUnavailable(f"{CHROMIUM} is not installed (Debian package chromium)"))
    try:
        link = netns.create_link("f")
    except ServiceUnavailable as exc:
        require_or_skip(exc)
    server = None
    browsers = []
    try:
        database_url = f"sqlite:///{tmp_path_factory.mktemp('fit-call') / 'silta.sqlite3'}"
        server = start_silta(database_url, wrap=link.near.exec_prefix, host=link.near.address, seed_demo=True)
        token, appointment_id, enrolment_id = _book_meeting(database_url)
        playwright = shared_browsers.playwright()
        args = [*CHROMIUM_ARGS, *MEDIA_FLAGS, _secure_origin_flag(server.url)]
        for ns in (link.near, link.far):
            browsers.append(playwright.chromium.launch(executable_path=str(link.chromium_wrapper(ns)), args=args))
        yield FitMeeting(url=server.url, invite_url=f"{server.url}/video/i/{token}",
                         appointment_id=appointment_id, enrolment_id=enrolment_id, database_url=database_url,
                         worker=_page(browsers[0]), client=_page(browsers[1]))
    finally:
        for browser in browsers:
            browser.close()
        if server is not None:
            server.stop()
        link.delete()


def _move_lines(page, presses) -> None:
    lines = page.locator("input[type=range]")
    assert lines.count() == len(presses)
    for index, count in enumerate(presses):
        lines.nth(index).focus()
        for _ in range(count):
            page.keyboard.press("ArrowRight")


def _axe(page) -> None:
    from tests.browser.test_accessibility import assert_no_axe_violations

    assert_no_axe_violations(page)


# ---------------------------------------------------------------------------------------------


def test_client_answers_ors_in_the_waiting_room_and_comes_back(fit_meeting):
    client = fit_meeting.client
    sign_in(client, fit_meeting.url, CLIENT_EMAIL)  # she opens the SMS link on her own phone, signed in
    client.goto(fit_meeting.invite_url)
    _stage(client, "check")
    client.click("#join-button")  # the connection test never holds anyone back
    _stage(client, "wait")
    ors_link = client.locator(f"#while-you-wait a[href*='/ors/appt-{fit_meeting.appointment_id}']")
    assert ors_link.count() == 1, client.inner_text("#while-you-wait")
    with client.expect_navigation():
        ors_link.click()
    _axe(client)
    _move_lines(client, ORS_PRESSES)
    assert client.locator("input[type=range]").nth(0).get_attribute("aria-valuetext") == "6.5 / 10"
    with client.expect_navigation():
        client.click("#main form button[type=submit]:not([name])")
    assert "/video/" in client.url, f"ORS did not lead back to the room: {client.url}"
    assert _submitted_total(fit_meeting.database_url, fit_meeting.appointment_id, "ors") == ORS_TOTAL
    # Back in the room: straight to the waiting room again (or through the check, if the page asks).
    client.wait_for_selector("body[data-stage=wait], body[data-stage=check]", state="attached")
    if client.locator("body[data-stage=check]").count():
        client.click("#join-button")
    _stage(client, "wait")
    # Answered: the waiting room no longer asks it.
    assert client.locator(f"#while-you-wait a[href*='/ors/appt-{fit_meeting.appointment_id}']").count() == 0


def test_worker_sees_the_fresh_ors_and_admits_into_a_real_call(fit_meeting):
    worker, client = fit_meeting.worker, fit_meeting.client
    sign_in(worker, fit_meeting.url, WORKER)
    banner = worker.locator("#rtc-lobby")
    banner.wait_for(state="visible")
    with worker.expect_navigation():
        worker.click("#rtc-lobby .rtc-lobby__open")
    _stage(worker, "check")
    worker.click("#join-button")
    _stage(worker, "call")
    waiting = worker.locator(f"#waiting-list li:has-text('{CLIENT_NAME}')")
    ors = waiting.locator(".waiting__ors")
    ors.wait_for(state="visible")
    assert f"{ORS_TOTAL:.1f}" in ors.inner_text(), ors.inner_text()
    waiting.locator("[data-action=admit]").click()
    _stage(client, "call")
    _wait_decoding(client)
    _wait_decoding(worker)


def test_worker_ends_and_the_client_answers_srs_from_the_end_stage(fit_meeting):
    worker, client = fit_meeting.worker, fit_meeting.client
    worker.click("#end-button")
    with worker.expect_navigation():
        worker.click("#end-confirm-yes")
    client.wait_for_selector("body[data-end-reason=ended]", state="attached")
    srs_link = client.locator(f"#stage-end a[href*='/srs/appt-{fit_meeting.appointment_id}']")
    srs_link.wait_for(state="visible")
    with client.expect_navigation():
        srs_link.click()
    _axe(client)
    for index in range(4):  # a finger or the mouse: a tap at 90 % of each line
        line = client.locator("input[type=range]").nth(index)
        line.scroll_into_view_if_needed()
        box = line.bounding_box()
        client.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2)
    with client.expect_navigation():
        client.click("#main form button[type=submit]:not([name])")
    srs = _submitted_total(fit_meeting.database_url, fit_meeting.appointment_id, "srs")
    assert srs is not None and 30 <= srs <= 40, srs
    assert client.locator("body[data-stage=call]").count() == 0, "the ended meeting let the client back in"


def test_the_worker_fit_graph_shows_both_answers_of_the_call(fit_meeting):
    worker = fit_meeting.worker
    srs = _submitted_total(fit_meeting.database_url, fit_meeting.appointment_id, "srs")
    worker.goto(f"{fit_meeting.url}/measures/enrolments/{fit_meeting.enrolment_id}")
    last_row = worker.locator("#fit-caption ~ tbody tr").last.inner_text()
    # Finnish decimals ("37,6"), as Reports write them.
    assert f"{ORS_TOTAL:g}".replace(".", ",") in last_row and f"{srs:g}".replace(".", ",") in last_row, last_row
    assert worker.locator("svg[role=img] desc").count() == 1
