"""Live message delivery between two headless Chromiums through the served app's Socket.IO /live namespace.

The demo county's client Aino writes to her coordinator Sanna; both have the thread open; each message
appears on the other's page without a reload (fetched through the audited page route after the
server's push). A message being written survives a reload (draft). Latencies are printed (-s).
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import signed_in_page

pytestmark = pytest.mark.browser

CLIENT = "asiakas.aino@silta.example"
COORDINATOR = "sanna.virtanen@silta.example"
CONNECTED = "html[data-live=connected]"


def _start_thread(page, base: str, sent_at: list | None = None) -> str:
    page.goto(base + "/me/messages")
    page.goto(base + page.locator("#main a[href^='/messages/enrolments/']:not([href$='/callback'])")
              .first.get_attribute("href"))
    page.fill("#subject", "Asumisasia")
    page.fill("#body", "Hei Sanna, kysyisin asunnosta.")
    if sent_at is not None:
        sent_at.append(time.perf_counter())
    with page.expect_navigation():
        page.click("#main form button[type=submit]")
    assert page.url.rstrip("/").split("/")[-1].isdigit(), page.url
    return page.url


def _send(page, text: str) -> float:
    page.fill("#body", text)
    started = time.perf_counter()
    with page.expect_navigation():
        page.click("#reply button[type=submit]")
    return started


def test_messages_arrive_live_both_ways(pages, live_server):
    client, worker = pages
    thread_url = _start_thread(client, live_server)
    worker.goto(thread_url)
    assert "Hei Sanna, kysyisin asunnosta." in worker.inner_text("#message-list")
    client.wait_for_selector(CONNECTED, state="attached")
    worker.wait_for_selector(CONNECTED, state="attached")

    started = _send(client, "Onko <b>huomenna</b> aikaa?")
    worker.locator("#message-list").get_by_text("Onko <b>huomenna</b> aikaa?").wait_for()
    to_worker = time.perf_counter() - started
    assert worker.locator("#message-list b").count() == 0  # markup in a message stays text
    assert worker.url == thread_url  # no reload: the message was appended
    # The page announces it a moment after appending (cleared first, so a repeat is read again).
    expect(worker.locator("#live-notice")).not_to_have_text("")

    client.wait_for_selector(CONNECTED, state="attached")  # the client's page reloaded after sending
    started = _send(worker, "On, soitan kello 10.")
    client.locator("#message-list").get_by_text("On, soitan kello 10.").wait_for()
    to_client = time.perf_counter() - started
    print(f"\nlive delivery, send click → shown on the other page: to worker {to_worker * 1000:.0f} ms, "
          f"to client {to_client * 1000:.0f} ms")
    assert client.locator("#message-list [data-message-id]").count() == 3


def test_a_message_elsewhere_is_announced(pages, live_server):
    client, worker = pages
    thread_url = _start_thread(client, live_server)
    worker.goto(live_server + "/messages/inbox")
    worker.wait_for_selector(CONNECTED, state="attached")
    client.goto(thread_url)
    _send(client, "Toinen viesti")
    worker.wait_for_selector("#live-banner")
    assert worker.locator("#live-banner a").count() == 1


def test_the_draft_survives_a_reload(pages, live_server):
    client, _worker = pages
    _start_thread(client, live_server)
    client.fill("#body", "Puolikas viesti, jatkan myöhemmin")
    client.wait_for_selector("#body[data-draft=saved]")
    client.reload()
    assert client.input_value("#body") == "Puolikas viesti, jatkan myöhemmin"
    _send(client, "Nyt lähetän")
    client.reload()
    assert client.input_value("#body") == ""  # sending removed the draft


DEPUTY = "laura.heikkinen@silta.example"  # Aino's named deputy in the demo county


@pytest.fixture
def coordinator_away(live_server):
    """An Absence row for Aino's coordinator Sanna in the served database, removed afterwards (one live
    server serves the whole session)."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import delete, select

    from portal.auth.models import User
    from portal.extensions import db
    from portal.scheduling.models import Absence
    from tests.browser.conftest import SERVED_APPS

    app = SERVED_APPS[live_server]
    with app.app_context():
        sanna = db.session.scalar(select(User).where(User.email == COORDINATOR))
        now = datetime.now(UTC)
        absence = Absence(user_id=sanna.id, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=2))
        db.session.add(absence)
        db.session.commit()
        absence_id = absence.id
        db.session.remove()
    yield
    with app.app_context():
        db.session.execute(delete(Absence).where(Absence.id == absence_id))
        db.session.commit()
        db.session.remove()


def test_the_deputy_takes_over_during_an_absence(browser, live_server, coordinator_away):
    client = signed_in_page(browser, live_server, CLIENT)
    deputy = signed_in_page(browser, live_server, DEPUTY)
    errors: list[str] = []
    for page in (client, deputy):
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        # The client's care-team card names the deputy as the one who stands in now.
        client.goto(live_server + "/me")
        notice = client.locator("#main .card .hds-notification--info", has_text="Laura Heikkinen")
        expect(notice).to_have_count(1)
        assert "Sanna Virtanen" in notice.inner_text()

        deputy.goto(live_server + "/messages/team")
        deputy.wait_for_selector(CONNECTED, state="attached")
        counter = deputy.locator("nav [data-unread-url]")
        before = int(counter.locator("[data-unread-number]").inner_text())

        sent_at: list[float] = []
        thread_url = _start_thread(client, live_server, sent_at)
        deputy.wait_for_selector("#live-banner")  # live, on the team inbox: no reload
        shown = time.perf_counter() - sent_at[0]
        assert deputy.url == live_server + "/messages/team"
        # The navigation's counter went up live, in the link's text for screen readers as well.
        expect(counter.locator("[data-unread-number]")).to_have_text(str(before + 1))
        assert str(before + 1) in counter.locator("[data-unread-text]").inner_text()

        deputy.click("#live-banner a")
        deputy.wait_for_load_state()
        path = thread_url.removeprefix(live_server)
        deputy.locator(f"#main table a[href='{path}']").click()  # the new thread is listed in the team inbox
        deputy.wait_for_selector("#message-list")
        assert deputy.url == thread_url
        assert "Hei Sanna, kysyisin asunnosta." in deputy.inner_text("#message-list")
        expect(counter.locator("[data-unread-number]")).to_have_text(str(before))  # read now

        client.wait_for_selector(CONNECTED, state="attached")
        _send(deputy, "Sanna on poissa, minä autan. Soitan huomenna.")
        client.locator("#message-list").get_by_text("Sanna on poissa, minä autan.").wait_for()
        assert "Laura Heikkinen" in client.inner_text("#message-list")
        print(f"\ndeputy: send click → announced on the deputy's team inbox: {shown * 1000:.0f} ms")
    finally:
        client.context.close()
        deputy.context.close()
    assert not errors, errors


def test_the_unread_counter_rises_live_on_any_page(pages, live_server):
    """On a page without the message script (the client's home page) the counter holds its own /live
    connection; the number and the link's screen-reader text follow an answer without a reload."""
    client, worker = pages
    thread_url = _start_thread(client, live_server)
    client.goto(live_server + "/me")
    counter = client.locator("nav [data-unread-url]")
    client.wait_for_selector("nav [data-unread-url][data-live=connected]", state="attached")
    before = int(counter.locator("[data-unread-number]").inner_text())
    worker.goto(thread_url)
    _send(worker, "Vastaus kotisivulle")
    expect(counter.locator("[data-unread-number]")).to_have_text(str(before + 1))
    expect(counter).to_be_visible()
    assert client.url == live_server + "/me"
    # The link's accessible name: "Viestit, lukemattomia 2" ("Messages, 2 unread"); the visible "(2)" is hidden
    # from screen readers so the number is not read twice. (Chromium puts a space around the visually
    # hidden parts: "Viestit , …"; a screen reader reads the comma as a pause all the same.)
    link = client.locator("nav a[href='/me/messages']")
    expect(link).to_have_accessible_name(re.compile(rf"^\w+\s*, \D*\b{before + 1}\b\D*$"))
