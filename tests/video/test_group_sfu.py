"""Group video through a real Janus (deploy/janus/ config) and a real Silta web process: aiortc peers
join a closed group's video session as browsers do (Silta's /rtc for the waiting room and admission,
then Janus's API with the token Silta issued), the leader mutes a member, the meeting's end records the
group's attendance from who actually joined. A small meeting stays a mesh; Janus away refuses the join
with a code the page turns into the phone way out."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta

import pytest
import requests
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from portal.auth.models import Role
from portal.db import utcnow
from portal.groups.models import Attendance, AttendanceStatus, Group, GroupMember, GroupSession
from portal.people.models import Client
from portal.programmes.definitions_schema import Modality
from portal.scheduling import availability
from portal.scheduling.models import Appointment, Participant
from portal.scheduling.models import ParticipantRole as AppointmentRole
from portal.video import operations, tickets
from portal.video.models import RoomMedia, VideoParticipant, VideoRoom
from rtc.janus import JanusError, JanusPeer, JanusSession
from rtc.peer import Peer
from tests.support import browsers
from tests.support.browsers import run_async
from tests.support.janus import start_janus
from tests.support.rtc import start_silta
from tests.support.services import ServiceUnavailable, require_or_skip

pytestmark = pytest.mark.rtc
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required",
    "--disable-features=WebRtcHideLocalIpsWithMdns",  # plain host candidates (the machine's own address)
]
# Per remote feed (group.js stats): framesDecoded of the feed of participant ``pid``.
FEED_FRAMES_JS = """async (pid) => {
  const stats = window.silta ? await window.silta.room.call.stats() : {};
  return Object.values(stats).filter(p => p.feed === pid).reduce((n, p) => n + p.framesDecoded, 0);
}"""

PROGRAMME = "intensive-rehabilitation"
TIMEOUT = 20  # seconds; a join through Janus takes well under one here


@pytest.fixture(scope="module")
def janus(host_addresses):
    try:
        server = start_janus(address=host_addresses[0])
    except ServiceUnavailable as exc:
        require_or_skip(exc)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def silta_sfu(video_db, janus):
    env = {f"PORTAL_{key}": value for key, value in janus.settings().items()}
    server = start_silta(video_db, env=env)
    yield server
    server.stop()


@pytest.fixture
def group_session(db, create_staff, create_client, create_enrolment):
    """A closed group's video session under way: the leader and five members (all with logins)."""

    def factory(members: int = 5):
        leader = create_staff(Role.WORKER, name="Anna Korhonen", locale="en")
        enrolments = [create_enrolment(create_client(), coordinator=leader, programme=PROGRAMME)
                      for _ in range(members)]
        group = Group(programme_code=PROGRAMME, unit_id=enrolments[0].unit_id, name="Tuesday group", capacity=8,
                      leader=leader)
        db.session.add(group)
        db.session.flush()
        for enrolment in enrolments:
            db.session.add(GroupMember(group=group, enrolment=enrolment))
        starts = utcnow().replace(second=0, microsecond=0) - timedelta(minutes=1)
        span = {"busy_from": starts, "busy_until": starts + timedelta(minutes=90)}
        appointment = Appointment(programme_code=PROGRAMME, contact_type="group-session", modality=Modality.VIDEO,
                                  starts_at=starts, ends_at=starts + timedelta(minutes=90), organizer=leader)
        appointment.participants = [
            Participant(role=AppointmentRole.HOST, user=leader, person_key=availability.user_key(leader.id), **span),
            *(Participant(role=AppointmentRole.CLIENT, client_id=e.client_id,
                          person_key=availability.client_key(e.client_id), **span) for e in enrolments)]
        db.session.add(appointment)
        db.session.flush()
        db.session.add(GroupSession(group_id=group.id, appointment_id=appointment.id))
        room = operations.open_room_for_appointment(db.session, appointment, leader)
        seats = [operations.participant_for_user(db.session, room, leader),
                 *(operations.participant_for_user(db.session, room, e.client.user) for e in enrolments)]
        db.session.commit()
        return room, appointment, seats, [tickets.participant_ticket(seat) for seat in seats]

    return factory


async def _join(peer: Peer, timeout: float = TIMEOUT) -> None:
    await peer.start()
    await peer.join()
    await asyncio.wait_for(asyncio.shield(_either(peer.joined, peer.waiting)), timeout)


async def _either(*events: asyncio.Event) -> None:
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    _done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    for waiter in pending:
        waiter.cancel()


async def _group_call(url: str, room_id: int, seats, tickets_, other_token: str, admin_url: str):
    """The leader in, four members admitted, a fifth left waiting; media, refusals, a mute, the end."""
    leader_feed = seats[0].id
    leader = JanusPeer(url, tickets_[0], label="leader")
    members = [JanusPeer(url, ticket, label=f"m{i}", subscribe_to={leader_feed})
               for i, ticket in enumerate(tickets_[1:5], 1)]
    waiting = JanusPeer(url, tickets_[5], label="waiting")
    peers = [leader, *members, waiting]
    found: dict = {}
    try:
        await _join(leader)
        assert leader.janus and leader.janus["room"] == room_id and leader.janus["feed"] == leader_feed
        await asyncio.wait_for(leader.published.wait(), TIMEOUT)
        for member in [*members, waiting]:
            await _join(member)
            assert member.waiting.is_set() and not member.joined.is_set()
        for seat in seats[1:5]:
            await leader.call("admit", {"pid": seat.id})
        await asyncio.wait_for(asyncio.gather(*(m.joined.wait() for m in members)), TIMEOUT)
        await asyncio.wait_for(asyncio.gather(*(m.published.wait() for m in members)), TIMEOUT)
        # Everyone receives the speaker (the leader); the leader receives the members.
        await asyncio.wait_for(asyncio.gather(*(m.first_frame.wait() for m in members)), TIMEOUT)
        await asyncio.wait_for(leader.first_frame.wait(), TIMEOUT)
        found["frames"] = [m.frames_from(leader_feed) for m in members]
        found["leader_feeds"] = sorted(leader.subscribed)
        found["errors"] = [str(e) for p in peers for e in p.janus_errors]
        # Not admitted: no token from Silta at all, so Janus refuses even a session.
        found["waiting_janus"] = waiting.janus
        async with _http() as http:
            try:
                await JanusSession(leader.janus["url"], "", http).create()
            except JanusError as exc:
                found["no_token"] = exc.code
            # Another room's token: Janus knows it, but this room's allowed list does not have it.
            stranger = JanusPeer(url, tickets_[5], label="stranger")
            stranger.configuration = leader.configuration
            stranger.janus = {**leader.janus, "feed": seats[5].id, "token": other_token, "display": "x"}
            try:
                await stranger.enter_janus(stranger.janus, publish=False)
            except JanusError as exc:
                found["other_room_join"] = exc.code
            try:
                await stranger.subscribe(leader_feed)
            except JanusError as exc:
                found["other_room_subscribe"] = exc.code
            await stranger.close()
        # The leader mutes member 1: Janus itself tells every publisher.
        await leader.call("mute", {"pid": seats[1].id})
        await asyncio.wait_for(asyncio.gather(*(p.moderated.wait() for p in [leader, *members])), TIMEOUT)
        found["moderation"] = [p.moderation.get(seats[1].id) for p in [leader, *members]]
        found["member_mutes"] = await _refused(members[1], "mute", {"pid": seats[2].id})
        # A member leaves Silta's call but not Janus (a modified page): Silta ends their Janus session too.
        leaving = members[3]._session.session_url.rsplit("/", 1)[1]
        found["session_before"] = leaving in await _janus_sessions(admin_url)
        await members[3].call("leave")
        found["session_after"] = leaving in await _janus_sessions(admin_url)
        await leader.call("end")
        return found
    finally:
        for peer in peers:
            await peer.close()


async def _janus_sessions(admin_url: str) -> set[str]:
    """The sessions Janus holds now (its admin API, as an operator would look)."""
    from tests.support.janus import ADMIN_SECRET

    async with _http() as http, http.post(admin_url, json={"janus": "list_sessions", "transaction": "s",
                                                           "admin_secret": ADMIN_SECRET}) as response:
        return {str(s) for s in (await response.json(content_type=None)).get("sessions", [])}


def _http():
    import aiohttp

    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))


async def _refused(peer: Peer, event: str, data: dict) -> str | None:
    reply = await peer.sio.call(event, data, namespace="/rtc", timeout=10)
    return None if reply.get("ok") else reply.get("error")


def test_a_closed_group_of_six_meets_through_janus(app, db, silta_sfu, janus, group_session):
    room, appointment, seats, tickets_ = group_session()
    other_room, _a, other_seats, _t = group_session(members=1)
    # Another group's member in their own call: a token Janus holds, for another room.
    other_token = _admit_elsewhere(app, db, janus, other_room, other_seats[0])

    found = run_async(_group_call(silta_sfu.url, room.id, seats, tickets_, other_token, janus.admin_url))

    assert found["errors"] == []
    assert all(frames > 0 for frames in found["frames"]), found["frames"]
    assert found["leader_feeds"] == sorted(s.id for s in seats[1:5])
    assert found["waiting_janus"] is None
    assert found["no_token"] == 403
    assert found["other_room_join"] == 433 and found["other_room_subscribe"] == 433  # not in the allowed list
    assert found["moderation"] == ["muted"] * 5
    assert found["member_mutes"] == "not_in_room"
    assert found["session_before"] and not found["session_after"]  # left Silta's call: out of Janus too
    db.session.expire_all()
    room = db.session.get(VideoRoom, room.id)
    assert room.media == RoomMedia.SFU and room.ended
    attended = {a.client_id: a.status for a in db.session.scalars(
        db.select(Attendance).where(Attendance.appointment_id == appointment.id))}
    # The seats after the leader's are the members in order: four admitted, the fifth left waiting.
    clients = [db.session.scalar(db.select(Client.id).where(Client.user_id == seat.user_id)) for seat in seats[1:]]
    assert attended == {**{c: AttendanceStatus.ATTENDED for c in clients[:4]}, clients[4]: AttendanceStatus.ABSENT}
    assert not _room_exists(janus, room.id)


def _admit_elsewhere(app, db, janus, room: VideoRoom, seat: VideoParticipant) -> str:
    from portal.video import sfu

    app.config.update(janus.settings())
    room.media = RoomMedia.SFU
    payload = sfu.admit_media(room, seat)
    db.session.commit()
    return payload["token"]


def _room_exists(janus, room_id: int) -> bool:
    from tests.support.janus import API_SECRET

    session = requests.post(janus.api_url, json={"janus": "create", "transaction": "a", "apisecret": API_SECRET},
                            timeout=5).json()["data"]["id"]
    base = f"{janus.api_url}/{session}"
    handle = requests.post(base, json={"janus": "attach", "plugin": "janus.plugin.videoroom", "transaction": "b",
                                       "apisecret": API_SECRET}, timeout=5).json()["data"]["id"]
    answer = requests.post(f"{base}/{handle}", json={"janus": "message", "transaction": "c", "apisecret": API_SECRET,
                                                     "body": {"request": "exists", "room": room_id}}, timeout=5).json()
    return answer["plugindata"]["data"]["exists"]


def test_a_small_meeting_stays_a_mesh(db, silta_sfu, make_room):
    key, tickets_ = make_room()

    async def scenario():
        peer = Peer(silta_sfu.url, tickets_[0], video=None, data_channel=False)
        try:
            await peer.start()
            await peer.join()
            await asyncio.wait_for(peer.joined.wait(), TIMEOUT)
            return next(data for event, data in peer.events if event == "joined")
        finally:
            await peer.close()

    joined = run_async(scenario())
    assert "janus" not in str(joined)
    db.session.expire_all()
    assert db.session.scalar(db.select(VideoRoom.media).where(VideoRoom.key == key)) == RoomMedia.MESH


class LoopThread:
    """An asyncio loop in a thread of its own, so aiortc peers stay in the call while Playwright's sync
    API drives the browsers from the test's thread."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="silta-group-peers", daemon=True)
        self.thread.start()

    def run(self, coroutine, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture(scope="module")
def chromium(silta_sfu):
    from tests.browser.conftest import CHROMIUM

    if not CHROMIUM.exists():
        require_or_skip(ServiceUnavailable(f"{CHROMIUM} is not installed (Debian package chromium)"))
    secure = f"--unsafely-treat-insecure-origin-as-secure={silta_sfu.url}"  # getUserMedia on plain http
    browser = browsers.playwright().chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, secure])
    yield browser
    browser.close()


def _page(chromium, errors: list):
    context = chromium.new_context(viewport={"width": 390, "height": 800}, locale="en-GB")  # a phone
    context.set_default_timeout(TIMEOUT * 1000)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_lines = []  # the last lines of the page's console, for a failure's message
    page.on("console", lambda message: page.console_lines.append(f"{message.type}: {message.text}"[:300]))
    return page


def _stage(page, stage: str, timeout: float = 45.0) -> None:
    """Wait for the room page's stage (generous: a busy CI box); on timeout say where the page stands."""
    try:
        page.wait_for_selector(f"body[data-stage={stage}]", state="attached", timeout=timeout * 1000)
    except PlaywrightTimeout:
        where = page.evaluate("""() => ({stage: document.body.dataset.stage,
            status: (document.querySelector('[role=status]') || {}).textContent || ''})""")
        pytest.fail(f"{page.url}: not at stage {stage!r} within {timeout} s; the page is at {where}; "
                    f"console: {page.console_lines[-15:]}", pytrace=False)


def _until(page, js: str, arg=None, what: str = "", timeout: float = TIMEOUT) -> object:
    deadline = time.monotonic() + timeout
    while not (value := page.evaluate(js, arg)):
        if time.monotonic() > deadline:
            console = getattr(page, "console_lines", [])[-15:]
            pytest.fail(f"{what or js[:60]} not true within {timeout} s; console: {console}", pytrace=False)
        time.sleep(0.25)
    return value


def _guests(db, room: VideoRoom, leader, names: list[str]) -> list[tuple[int, str]]:
    """Invite links (participant id, token) for network guests of the session, as the leader makes them."""
    out = []
    for name in names:
        invite, token = operations.create_invite(db.session, room, leader, name=name, hours=2)
        out.append((invite.participant_id, token))
    db.session.commit()
    return out


def test_two_browsers_and_four_aiortc_peers_meet_through_janus(db, silta_sfu, chromium, group_session):
    """Six people: the leader and three members (aiortc), two network guests in Chromium (phone-sized
    pages, invite links). Everyone decodes the leader's video; the guests see each other in the
    participant list, a raised hand, and the leader's mute."""
    room, appointment, seats, tickets_ = group_session(members=3)
    guests = _guests(db, room, seats[0].user, ["Tuula (sister)", "Pekka (friend)"])
    leader_pid = seats[0].id
    errors: list[str] = []
    peers = LoopThread()
    leader = JanusPeer(silta_sfu.url, tickets_[0], label="leader")
    members = [JanusPeer(silta_sfu.url, ticket, label=f"m{i}", subscribe_to={leader_pid})
               for i, ticket in enumerate(tickets_[1:])]

    async def everyone_in():
        await _join(leader)
        for member in members:
            await _join(member)
        for seat in seats[1:]:
            await leader.call("admit", {"pid": seat.id})
        await asyncio.wait_for(asyncio.gather(*(m.first_frame.wait() for m in members)), TIMEOUT)

    try:
        peers.run(everyone_in())
        pages = [_page(chromium, errors) for _ in guests]
        for page, (_pid, token) in zip(pages, guests, strict=True):
            page.goto(f"{silta_sfu.url}/video/i/{token}")
            page.click("#join-button")
            _stage(page, "wait")
        for pid, _token in guests:
            peers.run(leader.call("admit", {"pid": pid}))
        for page in pages:
            _stage(page, "call")
            assert page.evaluate("window.silta.room.config.media") == "sfu"
            _until(page, FEED_FRAMES_JS, leader_pid, "the guest decodes the leader's video")
        # The leader (aiortc) receives both browsers' video through Janus too.
        peers.run(asyncio.wait_for(_frames_from(leader, [pid for pid, _ in guests]), TIMEOUT))
        # Everyone is in the list; a raised hand shows on the other guest's page.
        _until(pages[1], "() => document.querySelectorAll('#group-people li').length === 6", what="six in the list")
        pages[0].click("#toggle-hand")
        _until(pages[1], "() => document.getElementById('group-people').textContent.includes('hand raised')",
               what="the raised hand in the other guest's list")
        # The leader mutes the first guest: Janus tells the publishers, Silta tells the pages.
        peers.run(leader.call("mute", {"pid": guests[0][0]}))
        peers.run(asyncio.wait_for(leader.moderated.wait(), TIMEOUT))
        assert leader.moderation[guests[0][0]] == "muted"
        _until(pages[1], "() => document.getElementById('group-people').textContent.includes('by the leader')",
               what="the mute in the other guest's list")
        assert errors == []
        assert pages[0].locator("#toggle-mic").is_visible()  # the call's own controls are there in a group room
        from tests.browser.test_accessibility import assert_no_axe_violations

        assert_no_axe_violations(pages[1])  # the group room on a phone: list, hand, mute notes
        # A reload: the same person comes back with the same feed id (Silta puts the old feed out first).
        pages[0].reload()
        _stage(pages[0], "call")
        # A reload starts the page, the camera, Janus's session, ICE and DTLS all over again: on a busy CI box
        # (two Chromiums, four aiortc encoders and Janus on two cores) that alone took over 20 s.
        _until(pages[0], FEED_FRAMES_JS, leader_pid, "the reloaded guest decodes the leader's video again", timeout=45)
        assert errors == []
        peers.run(leader.call("end"))
        for page in pages:
            _stage(page, "end")
            page.context.close()
    finally:
        for peer in [leader, *members]:
            peers.run(peer.close())
        peers.close()
    attended = set(db.session.scalars(db.select(Attendance.client_id).where(
        Attendance.appointment_id == appointment.id, Attendance.status == AttendanceStatus.ATTENDED)))
    assert attended == {p.client_id for p in appointment.participants if p.client_id}


async def _frames_from(peer: JanusPeer, feeds: list[int]) -> None:
    while not all(peer.frames_from(feed) > 0 for feed in feeds):
        await asyncio.sleep(0.1)


def test_janus_away_the_page_says_so_and_offers_the_phone(db, silta_sfu, janus, chromium, group_session):
    """Last in this module: Janus stops. The join is refused with a code, the page does not hang: it says
    what happened and the phone button tells the worker at once."""
    room, _appointment, seats, tickets_ = group_session(members=1)
    (_pid, token), = _guests(db, room, seats[0].user, ["Tuula (sister)"])
    room.auto_admit = True  # no leader in this call to let the guest in
    db.session.commit()
    janus.stop()

    async def aiortc_join():
        peer = JanusPeer(silta_sfu.url, tickets_[0], video=None)
        try:
            await peer.start()
            return await _refused(peer, "join", {})
        finally:
            await peer.close()

    assert run_async(aiortc_join()) == "sfu_unavailable"
    errors: list[str] = []
    page = _page(chromium, errors)
    page.goto(f"{silta_sfu.url}/video/i/{token}")
    page.click("#join-button")
    page.wait_for_selector("body[data-end-reason=sfu_unavailable]", state="attached")
    assert page.locator("#stage-end-heading").inner_text() == "The group video service is not answering right now."
    page.click("#group-phone")
    _until(page, "() => document.getElementById('group-phone-result').textContent.trim()", what="the phone answer")
    assert errors == []
    page.context.close()
    db.session.expire_all()
    assert operations.people_in_call(db.session, room.id) == 0
