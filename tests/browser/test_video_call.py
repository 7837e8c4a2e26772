"""A real video meeting between two headless Chromiums, through Silta's own server and echo bot.

Chromium ignores loopback for ICE (../shared/STACK.md), so everything runs in two private network
namespaces joined by a veth pair (tests/support/netns.py): the Silta web process (with its echo bot)
and the worker's Chromium in the first, the client's Chromium in the second. Nothing leaves the
machine, and taking the far end of the link down is a real network drop for the client.

The tests form one story and run in file order on one module-scoped meeting: the client opens an
invite link, passes the pre-call test against the echo bot and waits; the worker, on another page,
gets the cue and lets them in; both decode each other's video; screen share, chat, a network drop
and a reload follow.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, sign_in
from tests.conftest import make_app
from tests.support import browsers as shared_browsers
from tests.support import netns
from tests.support.rtc import SILTA_SECRET, start_silta
from tests.support.services import ServiceUnavailable, require_or_skip

pytestmark = [pytest.mark.browser, pytest.mark.rtc]

WORKER = "sanna.virtanen@silta.example"
CLIENT_EMAIL = "asiakas.aino@silta.example"  # the invite is for her, as a link from an SMS
CLIENT_NAME = "Aino M."
GUEST_NAME = "Tuula (sisar)"
TIMEOUT_MS = 20_000
MEDIA_FLAGS = [
    "--use-fake-device-for-media-stream",  # a test pattern and a beep as camera and microphone
    "--use-fake-ui-for-media-stream",  # grants camera/microphone and picks a fake screen for getDisplayMedia
    "--autoplay-policy=no-user-gesture-required",
    "--disable-features=WebRtcHideLocalIpsWithMdns",  # plain host candidates: no mDNS inside a namespace
]

# Per remote connection: what getStats says (peer.js mediaStats) and the ICE states seen.
STATS_JS = "async () => window.silta ? await window.silta.room.call.stats() : {}"
DECODING_JS = """async (min) => {
  const stats = window.silta ? await window.silta.room.call.stats() : {};
  const peers = Object.values(stats);
  const up = p => p.ice === 'connected' || p.ice === 'completed';
  return peers.length > 0 && peers.every(p => p.framesDecoded > min && up(p));
}"""


PAGE_ERRORS: list[str] = []  # uncaught exceptions in the pages' scripts: every test fails on one


@pytest.fixture(autouse=True)
def _no_script_errors():
    PAGE_ERRORS.clear()
    yield
    assert not PAGE_ERRORS, PAGE_ERRORS


@dataclass
class Meeting:
    url: str
    invite_url: str
    guest_invite_url: str
    link: netns.Link
    worker: object  # Playwright pages
    client: object
    guest_browser: object  # the client's Chromium: the guest gets a context of their own there


def _secure_origin_flag(url: str) -> str:
    # The pages are served over http on a private address: tell Chromium to treat it as a secure
    # context, as HTTPS would be in production (getUserMedia needs one).
    return f"--unsafely-treat-insecure-origin-as-secure={url}"


def _create_invites(database_url: str) -> tuple[str, str]:
    """A meeting of the worker with Aino, an invite link for her (as the worker would send by SMS) and
    one for a guest (a relative)."""
    from portal.auth.models import User
    from portal.people.models import Client
    from portal.programmes.models import Enrolment
    from portal.scheduling.rules import BookingError
    from portal.video import operations
    from portal.video.models import ParticipantRole

    app = make_app(database_url, SECRET_KEY=SILTA_SECRET)
    with app.app_context():
        worker = db.session.scalar(select(User).where(User.email == WORKER))
        client_user = db.session.scalar(select(User).where(User.email == CLIENT_EMAIL))
        enrolment = db.session.scalar(select(Enrolment).join(Client).where(
            Client.user_id == client_user.id, Enrolment.coordinator_id == worker.id))
        try:  # as "start a video meeting now" does: booked from this minute, so it has a record form
            appointment = operations.book_now(worker, enrolment, utcnow())
            room = operations.open_room_for_appointment(db.session, appointment, worker)
        except BookingError:  # the demo worker is busy right now: a room without an appointment
            db.session.rollback()
            room = operations.open_adhoc_room(db.session, enrolment, worker)
        _invite, token = operations.create_invite(db.session, room, worker, name=CLIENT_NAME,
                                                  role=ParticipantRole.CLIENT, hours=2)
        _invite, guest_token = operations.create_invite(db.session, room, worker, name=GUEST_NAME, hours=2)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return token, guest_token


def _page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fi-FI")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("pageerror", lambda error: PAGE_ERRORS.append(f"{page.url}: {error}"))
    return page


@pytest.fixture(scope="module")
def meeting(tmp_path_factory):
    if not CHROMIUM.exists():
        require_or_skip(ServiceUnavailable(f"{CHROMIUM} is not installed (Debian package chromium)"))
    try:
        link = netns.create_link("v")
    except ServiceUnavailable as exc:
        require_or_skip(exc)
    server = None
    browsers = []
    try:
        path = tmp_path_factory.mktemp("video-call") / "silta.sqlite3"
        database_url = f"sqlite:///{path}"
        server = start_silta(database_url, wrap=link.near.exec_prefix, host=link.near.address, bots=1,
                             seed_demo=True)
        token, guest_token = _create_invites(database_url)
        playwright = shared_browsers.playwright()
        args = [*CHROMIUM_ARGS, *MEDIA_FLAGS, _secure_origin_flag(server.url)]
        for ns in (link.near, link.far):
            browsers.append(playwright.chromium.launch(executable_path=str(link.chromium_wrapper(ns)), args=args))
        yield Meeting(url=server.url, invite_url=f"{server.url}/video/i/{token}",
                      guest_invite_url=f"{server.url}/video/i/{guest_token}", link=link,
                      worker=_page(browsers[0]), client=_page(browsers[1]), guest_browser=browsers[1])
    finally:
        for browser in browsers:
            browser.close()
        if server is not None:
            server.stop()
        link.delete()


def _stage(page, stage: str, timeout: int = TIMEOUT_MS) -> None:
    page.wait_for_selector(f"body[data-stage={stage}]", state="attached", timeout=timeout)


def _stats(page) -> dict:
    return page.evaluate(STATS_JS)


def _until(page, js: str, arg=None, timeout: int = TIMEOUT_MS, what: str = "") -> None:
    """Evaluate ``js`` (it may be async) every 250 ms until it is truthy; fail after ``timeout`` ms.

    Not ``wait_for_function``: that takes the Promise an async predicate returns as a truthy value.
    """
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(js, arg):
        if time.monotonic() > deadline:
            pytest.fail(f"{what or js[:80]} not true within {timeout / 1000:.0f} s; stats: {_stats(page)}",
                        pytrace=False)
        time.sleep(0.25)


def _wait_decoding(page, more_than: int = 0, timeout: int = TIMEOUT_MS) -> None:
    _until(page, DECODING_JS, more_than, timeout, f"decoding more than {more_than} frames from every peer")


def _frames(page) -> int:
    return min((p["framesDecoded"] for p in _stats(page).values()), default=0)


# ---------------------------------------------------------------------------------------------


def test_client_passes_the_check_waits_and_gets_no_media_before_admission(meeting):
    client = meeting.client
    client.goto(meeting.invite_url)
    _stage(client, "check")
    _until(client, "() => { const v = document.getElementById('preview'); "
                   "return v.srcObject && v.srcObject.getVideoTracks().length === 1 && v.readyState >= 2; }",
           what="the camera preview plays")
    # The echo bot answers: the echoed video decodes and the verdict is the best one on this link.
    client.wait_for_selector("#network-status[data-verdict]", timeout=30_000)
    verdict = client.get_attribute("#network-status", "data-verdict")
    assert verdict == "video", f"echo test verdict {verdict!r}: {client.inner_text('#network-status')}"
    assert client.locator("#figure-rtt").inner_text().strip()

    client.click("#join-button")
    _stage(client, "wait")
    assert client.locator("#wait-position").inner_text().strip()
    assert client.locator("#while-you-wait").count() == 1
    # The way out: the client asks for a phone call and is told how the worker will call.
    client.click("[data-fallback=phone]")
    _until(client, "() => document.getElementById('fallback-result').textContent.trim() !== ''",
           what="the answer to 'switch to a phone call'")
    assert client.inner_text("#fallback-result").strip() == client.text_content("#fallback-phone-text").strip()
    # Not admitted: no meeting peer connection, and the server refuses a signal sent anyway.
    ack = client.evaluate("""() => new Promise(resolve => window.silta.room.socket.timeout(5000)
        .emit('signal', {to: 'someone', description: {type: 'offer', sdp: 'v=0'}},
              (err, ack) => resolve(err ? 'timeout' : ack)))""")
    assert ack != "timeout" and ack["ok"] is False, ack
    assert client.evaluate("window.silta.room.call.peers.size") == 0


def test_worker_gets_the_cue_and_admits_then_both_decode_video(meeting):
    worker, client = meeting.worker, meeting.client
    sign_in(worker, meeting.url, WORKER)
    banner = worker.locator("#rtc-lobby")
    banner.wait_for(state="visible")
    assert CLIENT_NAME in banner.inner_text()
    worker.wait_for_function("name => document.getElementById('rtc-lobby-alert').textContent.includes(name)",
                             arg=CLIENT_NAME)

    with worker.expect_navigation():
        worker.click("#rtc-lobby .rtc-lobby__open")
    _stage(worker, "check")
    worker.click("#join-button")
    _stage(worker, "call")
    assert client.evaluate("window.silta.room.call.peers.size") == 0, "the client got a peer before admission"
    waiting = worker.locator(f"#waiting-list li:has-text('{CLIENT_NAME}')")
    preset = waiting.locator("select").input_value()
    waiting.locator("form button[type=submit]").click()  # "I will be with you in 5 minutes."
    client.wait_for_selector(f"#wait-notices li:has-text('{preset}')")
    waiting.locator("[data-action=admit]").click()

    _stage(client, "call")
    _wait_decoding(client)
    _wait_decoding(worker)
    for page in (worker, client):
        peers = _stats(page)
        assert len(peers) == 1, peers
        # Sound plays by itself here (autoplay allowed): the "turn on the sound" button stays hidden.
        assert not page.locator("#play-sound").is_visible()


def test_screen_share_reaches_the_other_side(meeting):
    worker, client = meeting.worker, meeting.client
    client.click("#toggle-share")
    # The fake screen is 16:9, the fake camera 4:3: the worker decodes the new shape.
    _until(worker, """async () => {
        const p = Object.values(await window.silta.room.call.stats())[0];
        return p && p.frameHeight > 0 && Math.abs(p.frameWidth / p.frameHeight - 16 / 9) < 0.05;
    }""", what="a 16:9 picture at the worker")
    worker.wait_for_selector(".tile--screen")
    client.click("#toggle-share")
    worker.wait_for_selector(".tile--screen", state="detached")


def test_chat_message_arrives(meeting):
    worker, client = meeting.worker, meeting.client
    client.fill("#chat-input", "Hei, kuuluuko?")
    client.press("#chat-input", "Enter")
    worker.wait_for_selector("#chat-log li:has-text('Hei, kuuluuko?')")
    assert CLIENT_NAME in worker.locator("#chat-log li").last.inner_text()


def test_sound_only_renegotiates_and_back(meeting):
    """'Sound only' stops video both ways (a renegotiation), the worker sees why; switching back restores it."""
    worker, client = meeting.worker, meeting.client
    client.click("#toggle-audio-only")
    assert client.get_attribute("#toggle-audio-only", "aria-pressed") == "true"
    worker.wait_for_selector(".tile--no-video", state="attached")
    _until(client, """async () => Object.values(await window.silta.room.call.stats()).length > 0 &&
        window.silta.room.call.peers.values().next().value.peer.pc.getTransceivers()
          .filter(t => t.receiver.track.kind === 'video').every(t => t.currentDirection === 'inactive')""",
           what="the video transceivers are inactive")
    stalled = _frames(worker)
    time.sleep(1)
    assert _frames(worker) - stalled < 5, "video still flows in sound-only mode"
    client.click("#toggle-audio-only")
    worker.wait_for_selector(".tile--no-video", state="detached")
    _wait_decoding(worker, stalled + 15)
    _wait_decoding(client, _frames(client) + 15)
    for page in (worker, client):
        assert page.locator("#quality").is_visible() and page.inner_text("#quality-text").strip()


def test_the_call_passes_axe_and_reflows_at_320_px(meeting):
    """Axe on the live call (tiles, chat, the waiting list), then the same pages 320 px wide and back."""
    from tests.browser.test_accessibility import assert_no_axe_violations, assert_no_horizontal_scroll

    for page in (meeting.worker, meeting.client):
        assert_no_axe_violations(page)
        page.set_viewport_size({"width": 320, "height": 640})
        try:
            assert_no_horizontal_scroll(page)
        finally:
            page.set_viewport_size({"width": 1280, "height": 800})


def test_network_drop_recovers_without_user_action(meeting):
    worker, client = meeting.worker, meeting.client
    meeting.link.drop()
    try:
        _until(client, """async () => Object.values(await window.silta.room.call.stats())
            .some(p => p.ice === 'disconnected' || p.ice === 'failed')""", what="the client notices the drop")
        time.sleep(3)
    finally:
        meeting.link.restore()
    started = time.monotonic()
    before = {"worker": _frames(worker), "client": _frames(client)}
    _wait_decoding(client, before["client"] + 30, timeout=30_000)
    _wait_decoding(worker, before["worker"] + 30, timeout=30_000)
    print(f"recovered {time.monotonic() - started:.1f} s after the link came back")


def test_media_outage_with_live_signaling_recovers_by_ice_restart(meeting):
    """UDP stops, the websocket stays: the same peer connections come back through an ICE restart."""
    worker, client = meeting.worker, meeting.client
    conns = {"worker": set(_stats(worker)), "client": set(_stats(client))}
    meeting.link.block_udp()
    try:
        _until(client, """async () => Object.values(await window.silta.room.call.stats())
            .some(p => p.ice === 'disconnected' || p.ice === 'failed')""", what="the client notices the outage")
        _until(client, """async () => Object.values(await window.silta.room.call.stats())
            .some(p => p.restarts > 0)""", what="an ICE restart")
    finally:
        meeting.link.unblock_udp()
    started = time.monotonic()
    before = {"worker": _frames(worker), "client": _frames(client)}
    _wait_decoding(client, before["client"] + 30, timeout=30_000)
    _wait_decoding(worker, before["worker"] + 30, timeout=30_000)
    assert {"worker": set(_stats(worker)), "client": set(_stats(client))} == conns, "the peers were rebuilt"
    print(f"ICE restart: media again {time.monotonic() - started:.1f} s after UDP came back")


def test_reload_returns_to_the_same_call(meeting):
    worker, client = meeting.worker, meeting.client
    client.reload()
    _stage(client, "call")
    _wait_decoding(client)
    _wait_decoding(worker)
    assert len(_stats(worker)) == 1, "the worker still holds the connection of the page before the reload"


def test_a_second_tab_takes_over_and_the_first_says_so(meeting):
    worker, first = meeting.worker, meeting.client
    second = first.context.new_page()
    second.on("pageerror", lambda error: PAGE_ERRORS.append(f"{second.url}: {error}"))
    second.goto(first.url)
    # Let in before, in this session and meeting: straight back into the call, no check (issue 16).
    _stage(second, "call")
    assert second.locator("#stage-check").is_hidden()
    first.wait_for_selector("body[data-end-reason=replaced]", state="attached")
    assert "continues in your other window" in first.inner_text("#stage-end-heading") or first.inner_text(
        "#stage-end-heading").strip(), "the replaced tab says nothing"
    first.close()
    meeting.client = second
    _wait_decoding(second)
    _wait_decoding(worker)
    assert len(_stats(worker)) == 1


def test_a_guest_joins_and_the_mesh_connects_all_three(meeting):
    """A third person: both who are in the call offer to the newcomer; everyone decodes two others."""
    worker, client = meeting.worker, meeting.client
    guest = _page(meeting.guest_browser)
    guest.goto(meeting.guest_invite_url)
    _stage(guest, "check")
    guest.click("#join-button")  # the connection test never holds anyone back
    _stage(guest, "wait")
    worker.locator(f"#waiting-list li:has-text('{GUEST_NAME}') [data-action=admit]").click()
    _stage(guest, "call")
    for page in (guest, worker, client):
        _until(page, "() => window.silta.room.call.peers.size === 2", what="two peers")
        _wait_decoding(page)
    guest.context.close()
    _until(worker, "() => window.silta.room.call.peers.size === 1", what="the guest's leaving")


def test_host_ends_the_meeting_for_everyone_and_goes_to_the_record(meeting):
    worker, client = meeting.worker, meeting.client
    record_url = worker.evaluate("window.silta.room.config.recordUrl")
    worker.click("#end-button")
    if record_url:
        with worker.expect_navigation():
            worker.click("#end-confirm-yes")
        assert worker.url.endswith(record_url), f"the host went to {worker.url}, not the record {record_url}"
    else:  # a room without an appointment has nothing to record
        worker.click("#end-confirm-yes")
        worker.wait_for_selector("body[data-end-reason=ended_by_me]", state="attached")
    client.wait_for_selector("body[data-end-reason=ended]", state="attached")
    client.reload()
    assert client.locator("body[data-stage=call]").count() == 0, "an ended meeting let the client back in"
