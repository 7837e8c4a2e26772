"""An ad-hoc meeting behaves like a call (issue 17): the worker ends it and reopens it, and the client rejoins.

Two headless Chromiums in two network namespaces, as in tests/browser/test_long_call.py (whose helpers
from tests/browser/test_video_call.py this file reuses): Sanna starts "a video meeting now" with Aino
from the video page, Aino joins from her own video page and is let in, both decode each other's video;
Sanna ends the meeting (her calendar keeps only the minutes used), reopens it from the video page, and
Aino joins again — straight into the call, as she was let in before — and the video flows again.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, sign_in
from tests.browser.test_fit_call import CLIENT_EMAIL, CLIENT_NAME, WORKER
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


def _free_the_hour(database_url: str) -> int:
    """Sanna's and Aino's demo bookings around now stop blocking (the demo may have them busy), so the
    meeting can be booked from this minute; returns the enrolment to choose in the form."""
    from portal.auth.models import User
    from portal.people.models import Client
    from portal.programmes.models import Enrolment
    from portal.scheduling.models import Participant

    app = make_app(database_url, SECRET_KEY=SILTA_SECRET)
    with app.app_context():
        worker = db.session.scalar(select(User).where(User.email == WORKER))
        client = db.session.scalar(select(Client).join(User, Client.user_id == User.id)
                                   .where(User.email == CLIENT_EMAIL))
        now = utcnow()
        for row in db.session.scalars(select(Participant).where(
                Participant.person_key.in_([f"u:{worker.id}", f"c:{client.id}"]),
                Participant.busy_from < now + timedelta(hours=2), Participant.busy_until > now - timedelta(hours=1))):
            row.blocking = False
        enrolment_id = db.session.scalar(select(Enrolment.id).where(
            Enrolment.client_id == client.id, Enrolment.programme_code == "remote-guidance"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return enrolment_id


def _client_opens(client, base_url: str) -> None:
    """Aino opens the meeting from her own video page."""
    client.goto(f"{base_url}/video/")
    with client.expect_navigation():
        client.locator("form[action^='/video/appointments/'] button[type=submit]").first.click()


def test_the_worker_ends_an_adhoc_meeting_reopens_it_and_the_client_rejoins(tmp_path):
    if not CHROMIUM.exists():
        require_or_skip(ServiceUnavailable(f"{CHROMIUM} is not installed (Debian package chromium)"))
    try:
        link = netns.create_link("a")
    except ServiceUnavailable as exc:
        require_or_skip(exc)
    PAGE_ERRORS.clear()
    server, browsers = None, []
    try:
        database_url = f"sqlite:///{tmp_path / 'silta.sqlite3'}"
        server = start_silta(database_url, wrap=link.near.exec_prefix, host=link.near.address, seed_demo=True)
        enrolment_id = _free_the_hour(database_url)
        args = [*CHROMIUM_ARGS, *MEDIA_FLAGS, _secure_origin_flag(server.url)]
        for ns in (link.near, link.far):
            browsers.append(shared_browsers.playwright().chromium.launch(
                executable_path=str(link.chromium_wrapper(ns)), args=args))
        worker, client = _page(browsers[0]), _page(browsers[1])

        sign_in(worker, server.url, WORKER)
        worker.goto(f"{server.url}/video/")
        worker.select_option("#enrolment_id", str(enrolment_id))
        with worker.expect_navigation():
            worker.click("form[action='/video/start'] button[type=submit]")
        assert "/video/r/" in worker.url, worker.locator("#main").inner_text()[:400]
        room_url = worker.url
        _stage(worker, "check")
        worker.click("#join-button")
        _stage(worker, "call")

        sign_in(client, server.url, CLIENT_EMAIL)
        _client_opens(client, server.url)
        _stage(client, "check")
        client.click("#join-button")
        _stage(client, "wait")
        worker.locator(f"#waiting-list li:has-text('{CLIENT_NAME}') [data-action=admit]").click()
        _stage(client, "call")
        _wait_decoding(client)
        _wait_decoding(worker)

        worker.click("#end-button")
        with worker.expect_navigation():
            worker.click("#end-confirm-yes")
        client.wait_for_selector("body[data-end-reason=ended]", state="attached")

        worker.goto(f"{server.url}/video/")
        with worker.expect_navigation():
            worker.locator(f"form[action='{room_url.removeprefix(server.url)}/reopen'] button").click()
        assert worker.url == room_url, worker.url
        _stage(worker, "call")  # this tab was in the call: no second device check

        _client_opens(client, server.url)
        _stage(client, "call")  # let in before: no second check or wait
        _wait_decoding(client)
        _wait_decoding(worker)
        assert not PAGE_ERRORS, PAGE_ERRORS
    finally:
        for browser in browsers:
            browser.close()
        if server is not None:
            server.stop()
        link.delete()
