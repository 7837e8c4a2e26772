"""A call longer than the session's idle timeout ends on the SRS page, signed in (issue 15).

The idle timeout is set to its shortest (1 minute) on a production server (portal/serving.py) with the
demo county; two headless Chromiums in two network namespaces (as tests/browser/test_fit_call.py):
Aino waits, Sanna admits her, both decode each other's video, and nobody touches a page for longer than
the timeout — only the call runs (its page posts a keepalive while connected). Sanna ends the meeting and
lands on the meeting record; Aino's end stage offers the SRS, which opens signed in, not on the login page.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, sign_in
from tests.browser.test_fit_call import CLIENT_EMAIL, CLIENT_NAME, WORKER, _book_meeting
from tests.browser.test_video_call import (
    MEDIA_FLAGS,
    PAGE_ERRORS,
    _frames,
    _page,
    _secure_origin_flag,
    _stage,
    _wait_decoding,
)
from tests.support import browsers as shared_browsers
from tests.support import netns
from tests.support.rtc import start_silta
from tests.support.services import ServiceUnavailable, require_or_skip

pytestmark = [pytest.mark.browser, pytest.mark.rtc]

IDLE_MINUTES = 1
HOLD_MS = (IDLE_MINUTES * 60 + 10) * 1000  # the call outlasts the idle timeout


def test_a_call_longer_than_the_idle_timeout_ends_on_the_srs_page_signed_in(tmp_path):
    if not CHROMIUM.exists():
        require_or_skip(ServiceUnavailable(f"{CHROMIUM} is not installed (Debian package chromium)"))
    try:
        link = netns.create_link("l")
    except ServiceUnavailable as exc:
        require_or_skip(exc)
    PAGE_ERRORS.clear()
    server, browsers = None, []
    try:
        database_url = f"sqlite:///{tmp_path / 'silta.sqlite3'}"
        server = start_silta(database_url, wrap=link.near.exec_prefix, host=link.near.address, seed_demo=True,
                             env={"PORTAL_IDLE_TIMEOUT_MINUTES": str(IDLE_MINUTES)})
        token, appointment_id, _enrolment_id = _book_meeting(database_url)
        args = [*CHROMIUM_ARGS, *MEDIA_FLAGS, _secure_origin_flag(server.url)]
        for ns in (link.near, link.far):
            browsers.append(shared_browsers.playwright().chromium.launch(
                executable_path=str(link.chromium_wrapper(ns)), args=args))
        worker, client = _page(browsers[0]), _page(browsers[1])

        sign_in(client, server.url, CLIENT_EMAIL)
        client.goto(f"{server.url}/video/i/{token}")
        _stage(client, "check")
        client.click("#join-button")
        _stage(client, "wait")
        sign_in(worker, server.url, WORKER)
        worker.locator("#rtc-lobby").wait_for(state="visible")
        with worker.expect_navigation():
            worker.click("#rtc-lobby .rtc-lobby__open")
        _stage(worker, "check")
        worker.click("#join-button")
        _stage(worker, "call")
        worker.locator(f"#waiting-list li:has-text('{CLIENT_NAME}') [data-action=admit]").click()
        _stage(client, "call")
        _wait_decoding(client)
        _wait_decoding(worker)

        worker.wait_for_timeout(HOLD_MS)  # the call goes on; no page is touched
        _wait_decoding(client, more_than=_frames(client))  # still flowing after the timeout

        worker.click("#end-button")
        with worker.expect_navigation():
            worker.click("#end-confirm-yes")
        assert "/login" not in worker.url, f"the worker's meeting record asked for a password: {worker.url}"
        client.wait_for_selector("body[data-end-reason=ended]", state="attached")
        srs_link = client.locator(f"#stage-end a[href*='/srs/appt-{appointment_id}']")
        srs_link.wait_for(state="visible")
        with client.expect_navigation():
            srs_link.click()
        assert "/login" not in client.url and f"/srs/appt-{appointment_id}" in client.url, client.url
        assert client.locator("input[type=range]").count() == 4  # the SRS form itself, signed in
        assert not PAGE_ERRORS, PAGE_ERRORS
    finally:
        for browser in browsers:
            browser.close()
        if server is not None:
            server.stop()
        link.delete()
