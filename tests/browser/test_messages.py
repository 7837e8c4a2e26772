"""Live message delivery between two headless Chromiums through the served app's Socket.IO /live namespace.

The demo county's client Aino writes to her coordinator Sanna; both have the thread open; each message
appears on the other's page without a reload (fetched through the audited page route after the
server's push). A message being written survives a reload (draft). Latencies are printed (-s).
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import signed_in_page

pytestmark = pytest.mark.browser

CLIENT = "asiakas.aino@silta.example"
COORDINATOR = "sanna.virtanen@silta.example"
CONNECTED = "html[data-live=connected]"


@pytest.fixture
def pages(browser, live_server):
    client = signed_in_page(browser, live_server, CLIENT)
    worker = signed_in_page(browser, live_server, COORDINATOR)
    errors: list[str] = []
    for page in (client, worker):
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield client, worker
    client.context.close()
    worker.context.close()
    assert not errors, errors


def _start_thread(page, base: str) -> str:
    page.goto(base + "/me/messages")
    page.goto(base + page.locator("#main a[href^='/messages/enrolments/']:not([href$='/callback'])")
              .first.get_attribute("href"))
    page.fill("#subject", "Asumisasia")
    page.fill("#body", "Hei Sanna, kysyisin asunnosta.")
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
