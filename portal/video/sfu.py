"""Group video through Janus (Debian's ``janus``, VideoRoom plugin): Silta stays the authority.

Small meetings keep the browsers' full mesh (``operations.MAX_PEOPLE``); a group session, or a meeting
that expects ``SFU_MIN_PEOPLE`` or more, sends its media through Janus instead. Only the media path
differs: the waiting room, admission, invites, chat, "switch to phone", the meeting record and FIT are the
same ``/rtc`` flows for both kinds of room.

What Silta does with Janus, always with its API secret (browsers never hold it, nor the room's secret or
the plugin's admin key):

- **Rooms.** Janus room ``id`` = the video room's id. Created (private, with a secret derived from
  Silta's secret key, and an empty ``allowed`` list) when the first person joins, destroyed when the
  meeting ends.
- **Tokens.** A participant who is let into the call gets a Janus token: stored in Janus through the
  admin API (``add_token``, VideoRoom plugin only) and added to that one room's ``allowed`` list. It is
  taken away (``remove_token`` and ``allowed remove``) when they leave or the meeting ends, so a token is
  good for one room while its holder is in the call — a member not admitted has none, and another room's
  token is not on this room's list. Janus checks ``allowed`` when a publisher joins; subscribing needs
  the ``private_id`` Janus gives a publisher of *this* room (``require_pvtid``), so nobody receives a
  room's media without having joined it with a token of its own.
- **Feeds.** A participant publishes with the feed id of their participant id, so the leader's "mute" is
  a ``moderate`` of that feed's audio (``mid`` ``"0"``: Silta's clients put the microphone first).

Janus requests are short loopback HTTP calls (under gevent they yield); Janus away raises
``JanusUnavailable``, which the join turns into ``sfu_unavailable`` (the page offers the phone instead).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from flask import current_app, request
from sqlalchemy import func, select

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import User
from portal.extensions import db
from portal.groups import operations as groups
from portal.groups.operations import GroupError
from portal.people.models import Client
from portal.programmes import registry
from portal.video import bp
from portal.video.models import ParticipantRole, RoomKind, RoomMedia, VideoInvite, VideoParticipant, VideoRoom
from portal.video.operations import people_in_call
from portal.web import security

log = logging.getLogger(__name__)
FEATURE = "video"
PLUGIN = "janus.plugin.videoroom"
AUDIO_MID = "0"  # the microphone's m-line in a publisher's offer (static/js/video/janus.js, rtc peers)
ROOM_PUBLISHERS = 30  # groups.models.MAX_CAPACITY: the largest group, each person one feed


class JanusUnavailable(Exception):
    """Janus did not answer, or refused what Silta asked (the message says which request; no secrets)."""


@dataclass(frozen=True)
class Settings:
    url: str
    public_url: str
    admin_url: str
    api_secret: str
    admin_secret: str
    room_key: str
    timeout: float
    min_people: int

    @classmethod
    def of(cls, config) -> Settings:
        return cls(config["JANUS_URL"].rstrip("/"), config["JANUS_PUBLIC_URL"].rstrip("/"),
                   config["JANUS_ADMIN_URL"].rstrip("/"), config["JANUS_API_SECRET"], config["JANUS_ADMIN_SECRET"],
                   config["JANUS_ROOM_KEY"], float(config["JANUS_TIMEOUT_SECONDS"]), int(config["SFU_MIN_PEOPLE"]))

    @property
    def configured(self) -> bool:
        return bool(self.url)


def settings() -> Settings:
    return Settings.of(current_app.config)


class Janus:
    """A client of Janus's HTTP API (the Janus API with the API secret, the admin API with its secret)."""

    def __init__(self, config: Settings, http: requests.Session | None = None):
        self.config = config
        self.http = http or requests.Session()

    def _post(self, url: str, body: dict, *, admin: bool = False) -> dict:
        secret = {"admin_secret": self.config.admin_secret} if admin else {"apisecret": self.config.api_secret}
        payload = {**body, "transaction": secrets.token_hex(8), **secret}
        what = body.get("janus"), (body.get("body") or {}).get("request")
        try:
            response = self.http.post(url, json=payload, timeout=self.config.timeout)
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise JanusUnavailable(f"janus did not answer {what}: {type(exc).__name__}") from None
        if answer.get("janus") == "error":
            raise JanusUnavailable(f"janus refused {what}: {answer.get('error', {}).get('code')}")
        return answer

    def info(self) -> dict:
        return self._post(self.config.url, {"janus": "info"})

    def add_token(self, token: str) -> None:
        self._post(self.config.admin_url, {"janus": "add_token", "token": token, "plugins": [PLUGIN]}, admin=True)

    def remove_token(self, token: str) -> None:
        try:
            self._post(self.config.admin_url, {"janus": "remove_token", "token": token}, admin=True)
        except JanusUnavailable as exc:
            if "refused" not in str(exc):  # already gone is fine; Janus away is not
                raise

    def end_sessions_of(self, room_id: int, feed: int) -> int:
        """End the Janus sessions in which ``feed`` publishes in room ``room_id`` (admin API): with the
        session go its subscriptions, so a person put out stops receiving at once. Returns how many."""
        admin, ended = self.config.admin_url, 0
        for session in self._post(admin, {"janus": "list_sessions"}, admin=True).get("sessions", []):
            try:
                handles = self._post(f"{admin}/{session}", {"janus": "list_handles"}, admin=True).get("handles", [])
                for handle in handles:
                    info = self._post(f"{admin}/{session}/{handle}", {"janus": "handle_info"}, admin=True)
                    mine = info.get("info", {}).get("plugin_specific", {})
                    if mine.get("type") == "publisher" and mine.get("room") == room_id and mine.get("id") == feed:
                        self._post(f"{admin}/{session}", {"janus": "destroy_session"}, admin=True)
                        ended += 1
                        break
            except JanusUnavailable as exc:
                if "refused" not in str(exc):  # a session that ended meanwhile is fine; Janus away is not
                    raise
        return ended

    def videoroom(self, request: dict) -> dict:
        """One synchronous VideoRoom request on a throw-away session and handle; the plugin's answer."""
        return self.videorooms(request)[0]

    def videorooms(self, *requests: dict | None, tolerate: tuple[int, ...] = ()) -> list[dict]:
        """Synchronous VideoRoom requests, in order, on one throw-away session and handle (None: skipped).
        An error answer raises JanusUnavailable, unless its code is in ``tolerate`` (then it is returned)."""
        session = self._post(self.config.url, {"janus": "create"})["data"]["id"]
        base, answers = f"{self.config.url}/{session}", []
        try:
            handle = self._post(base, {"janus": "attach", "plugin": PLUGIN})["data"]["id"]
            for request in requests:
                if request is None:
                    continue
                answer = self._post(f"{base}/{handle}", {"janus": "message", "body": request})
                data = answer.get("plugindata", {}).get("data", {})
                code = data.get("error_code") if data.get("videoroom") == "event" else None
                if code and code not in tolerate:
                    raise JanusUnavailable(f"videoroom refused {request.get('request')}: {code}")
                answers.append(data)
        finally:
            try:
                self._post(base, {"janus": "destroy"})
            except JanusUnavailable:
                pass  # the session times out on its own
        return answers


# --- which rooms use Janus -----------------------------------------------------------------------


def room_secret(room: VideoRoom) -> str:
    """The Janus room's secret (edit, destroy, moderate): derived, so every process knows it unstored."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"janus-room:{room.id}:{room.key}".encode(), hashlib.sha256).hexdigest()


def participant_token(participant: VideoParticipant) -> str:
    """The participant's Janus token for this room (valid only while Janus holds it: see ``admit_media``)."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"janus-token:{participant.room_id}:{participant.id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def is_group_session(room: VideoRoom) -> bool:
    appointment = room.appointment
    if appointment is None:
        return False
    definition = registry.definition(appointment.programme_code)
    contact_type = definition.contact_type(appointment.contact_type) if definition else None
    return bool(contact_type and contact_type.group)


def expected_people(session, room: VideoRoom) -> int:
    """Who is expected in the call: the appointment's participants and everyone invited by a link."""
    booked = len(room.appointment.participants) if room.appointment is not None else 1
    invited = session.scalar(select(func.count()).select_from(VideoInvite).where(
        VideoInvite.room_id == room.id, VideoInvite.revoked_at.is_(None))) or 0
    return booked + invited


def wanted_media(session, room: VideoRoom, config: Settings) -> RoomMedia:
    """Janus for group sessions and big meetings when it is configured; the mesh otherwise."""
    if not config.configured or room.kind != RoomKind.MEETING:
        return RoomMedia.MESH
    if is_group_session(room) or expected_people(session, room) >= config.min_people:
        return RoomMedia.SFU
    return RoomMedia.MESH


def settle_media(session, room: VideoRoom, people_in_call: int) -> RoomMedia:
    """The room's media path, decided again only while nobody is in the call (never mid-call)."""
    if people_in_call == 0:
        room.media = wanted_media(session, room, settings())
        session.flush()
    return room.media


def page_media(session, room: VideoRoom) -> RoomMedia:
    """What the room page prepares for (read only): the join decides, and the page reloads if it differs."""
    return room.media if people_in_call(session, room.id) else wanted_media(session, room, settings())


# --- the room's life in Janus --------------------------------------------------------------------


def janus() -> Janus:
    return Janus(settings())


NO_SUCH_FEED = 428  # VideoRoom's error when a kick finds nobody publishing under that id


def _create_request(client: Janus, room: VideoRoom) -> dict:
    """The Janus room (created at the first join, and again after a Janus restart)."""
    return {
        "request": "create", "room": room.id, "admin_key": client.config.room_key, "permanent": False,
        "description": f"silta-{room.id}", "secret": room_secret(room), "is_private": True, "allowed": [],
        "require_pvtid": True,
        "publishers": ROOM_PUBLISHERS, "bitrate": 512_000, "fir_freq": 10, "audiolevel_event": True,
        "audio_active_packets": 50, "audio_level_average": 40, "videocodec": "vp8", "notify_joining": True,
    }


def admit_media(room: VideoRoom, participant: VideoParticipant) -> dict:
    """Let the participant into the Janus room: what their browser needs to publish and subscribe."""
    client, secret = janus(), room_secret(room)
    token = participant_token(participant)
    client.add_token(token)
    exists = client.videorooms({"request": "exists", "room": room.id})[0].get("exists")
    # One Janus session for the rest: the room when it is new, the token on its list, and the participant's
    # feed from an earlier connection (a reload, another tab) put out, so the new one can take its id.
    client.videorooms(None if exists else _create_request(client, room),
                      {"request": "allowed", "room": room.id, "secret": secret, "action": "add", "allowed": [token]},
                      {"request": "kick", "room": room.id, "secret": secret, "id": participant.id},
                      tolerate=(NO_SUCH_FEED,))
    return {"url": client.config.public_url, "room": room.id, "feed": participant.id, "token": token,
            "display": participant.display_name}


def release_media(room: VideoRoom, participant: VideoParticipant) -> None:
    """The participant left (or was put out: a revoked invite, the session ended): their token no longer
    opens this or any room, and their feed is kicked, so nobody receives it any more. Their own
    subscriptions end when Janus times out the session they can no longer keep alive without a token
    (``session_timeout``, 60 s) — unless Silta finds and ends that session first (``end_sessions_of``).
    Janus away: logged only."""
    client, token = janus(), participant_token(participant)
    try:
        client.remove_token(token)
        client.end_sessions_of(room.id, participant.id)
        secret = room_secret(room)
        client.videorooms({"request": "allowed", "room": room.id, "secret": secret, "action": "remove",
                           "allowed": [token]},
                          {"request": "kick", "room": room.id, "secret": secret, "id": participant.id},
                          tolerate=(NO_SUCH_FEED,))
    except JanusUnavailable as exc:
        log.warning("janus: releasing a participant failed (%s)", exc)


def close_room(room: VideoRoom) -> None:
    """The meeting ended: every token of the room goes, and the room with them."""
    client = janus()
    try:
        for participant in room.participants:
            if participant.role != ParticipantRole.BOT:
                client.remove_token(participant_token(participant))
        client.videoroom({"request": "destroy", "room": room.id, "secret": room_secret(room)})
    except JanusUnavailable as exc:
        log.warning("janus: closing room %s failed (%s)", room.id, exc)


def mute(room: VideoRoom, participant: VideoParticipant, actor: User, muted: bool = True) -> None:
    """The leader mutes (or unmutes) a participant's microphone in Janus: nobody receives it."""
    janus().videoroom({"request": "moderate", "room": room.id, "secret": room_secret(room), "id": participant.id,
                       "mid": AUDIO_MID, "mute": muted})
    record(actor, AuditAction.UPDATE, FEATURE, "video_participant", participant.id, room.client_id,
           {"muted": muted})
    db.session.flush()


def present_feeds(room: VideoRoom) -> set[int]:
    """The participant ids publishing in the Janus room now (who actually joined the media)."""
    data = janus().videoroom({"request": "listparticipants", "room": room.id})
    return {p["id"] for p in data.get("participants", []) if p.get("publisher")}


def record_attendance(room: VideoRoom, actor: User) -> None:
    """A group session's call ended: its attendance from the members who entered the call (admitted and
    joined: ``first_joined_at``), written by the groups feature as contact records."""
    if room.appointment is None or not is_group_session(room):
        return
    users = {p.user_id for p in room.participants if p.role == ParticipantRole.CLIENT and p.first_joined_at}
    came = set(db.session.scalars(select(Client.id).where(Client.user_id.in_(users)))) if users else set()
    try:
        groups.record_call_attendance(actor, room.appointment, came)
    except GroupError as exc:
        log.info("group attendance not recorded from the call: %s", exc.__class__.__name__)


# --- operations ----------------------------------------------------------------------------------


def stats(config: Settings) -> dict:
    """Rooms and forwarded streams in Janus now (for /metrics); raises JanusUnavailable."""
    client = Janus(config)
    rooms = [r for r in client.videoroom({"request": "list", "admin_key": config.room_key}).get("list", [])
             if str(r.get("description", "")).startswith("silta-")]
    publishers = sum(r.get("num_participants", 0) for r in rooms)
    forwarded = 0
    for room in rooms:
        count = sum(1 for p in client.videoroom({"request": "listparticipants", "room": room["room"]})
                    .get("participants", []) if p.get("publisher"))
        # At most each published feed to every other publisher: VideoRoom does not list subscriptions, and
        # counting them through the admin API (handle_info per handle) is too much work for every scrape.
        forwarded += count * max(count - 1, 0)
    return {"rooms": len(rooms), "participants": publishers, "forwarded_streams": forwarded}


def ready(config: Settings) -> bool:
    try:
        return Janus(config).info().get("janus") == "server_info"
    except JanusUnavailable:
        return False


# --- the room page -------------------------------------------------------------------------------


@bp.after_request
def _allow_janus_origin(response):
    """A Janus on another origin (PORTAL_JANUS_PUBLIC_URL absolute, e.g. in development and the tests): the
    group room page may connect to it. Production proxies /janus on Silta's own origin and needs nothing."""
    public = current_app.config["JANUS_PUBLIC_URL"]
    if request.endpoint == "video.room" and public.startswith(("http://", "https://")):
        parts = urlsplit(public)
        csp = response.headers.get("Content-Security-Policy", security.CSP)
        response.headers["Content-Security-Policy"] = csp.replace(
            "connect-src 'self'", f"connect-src 'self' {parts.scheme}://{parts.netloc}")
    return response
