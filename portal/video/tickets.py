"""Signed tickets for the signaling connection, and the invite links' tokens.

A ticket only says *who* connects (a participant, a staff member's notification connection, the echo
bot); what that connection may do is decided at connect and join against the database and revoked by
event (rtc/PROTOCOL.md). Tickets are
signed with the app's secret key (itsdangerous, Flask's own dependency), each kind with its own salt
so that one kind can never be replayed as another.

A ticket minted for a signed-in browser carries its session's public id (``s``): when that session ends
(signed out, idle, past its lifetime, ended from another device) the ticket is refused at connect, and the
connections it opened are closed by the revocation. Tickets minted outside a session (an invite guest's,
the echo bot's seat, tests) carry none; a guest's ticket lives and dies with the invite instead.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import NamedTuple

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal.auth.models import User
from portal.video.models import VideoParticipant

PARTICIPANT_SALT = "silta-rtc-participant"
USER_SALT = "silta-rtc-user"
BOT_SALT = "silta-rtc-bot"
INVITE_SALT = "silta-video-invite"
TICKET_MAX_AGE = 12 * 3600
USER_TICKET_MAX_AGE = 12 * 3600


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _load(salt: str, token: object, max_age: int | None) -> dict | None:
    if not isinstance(token, str) or len(token) > 2048:
        return None
    try:
        value = _serializer(salt).loads(token, max_age=max_age)
    except BadSignature:  # also SignatureExpired
        return None
    return value if isinstance(value, dict) else None


class ParticipantTicket(NamedTuple):
    participant_id: int
    room_key: str
    session_id: str | None  # the session that was given it, if any


class UserTicket(NamedTuple):
    user_id: int
    session_id: str | None


def _with_session(value: dict, session_id: str | None) -> dict:
    return {**value, "s": session_id} if session_id else value


def _session_of(value: dict) -> str | None:
    return value["s"] if isinstance(value.get("s"), str) else None


def participant_ticket(participant: VideoParticipant, session_id: str | None = None) -> str:
    return _serializer(PARTICIPANT_SALT).dumps(_with_session({"p": participant.id, "r": participant.room.key},
                                                             session_id))


def read_participant_ticket(token: object) -> ParticipantTicket | None:
    """(participant id, room key, session id) from a valid ticket, else None."""
    value = _load(PARTICIPANT_SALT, token, TICKET_MAX_AGE)
    if value is None or not isinstance(value.get("p"), int) or not isinstance(value.get("r"), str):
        return None
    return ParticipantTicket(value["p"], value["r"], _session_of(value))


def user_ticket(user: User, session_id: str | None = None) -> str:
    return _serializer(USER_SALT).dumps(_with_session({"u": user.id}, session_id))


def read_user_ticket(token: object) -> UserTicket | None:
    value = _load(USER_SALT, token, USER_TICKET_MAX_AGE)
    if value is None or not isinstance(value.get("u"), int):
        return None
    return UserTicket(value["u"], _session_of(value))


def bot_token(name: str = "echo") -> str:
    """The echo bot's service credential; it has no expiry, rotating the secret key revokes it."""
    return _serializer(BOT_SALT).dumps({"bot": name})


def read_bot_token(token: object) -> str | None:
    value = _load(BOT_SALT, token, None)
    return value["bot"] if value is not None and isinstance(value.get("bot"), str) else None


@dataclass(frozen=True)
class InviteSecret:
    token: str  # goes into the link, never stored
    secret_hash: str  # stored


def new_invite_secret(invite_id: int) -> InviteSecret:
    secret = secrets.token_urlsafe(24)
    token = _serializer(INVITE_SALT).dumps({"i": invite_id, "s": secret})
    return InviteSecret(token, hash_secret(secret))


def read_invite_token(token: object) -> tuple[int, str] | None:
    """(invite id, secret hash) from a correctly signed link; expiry and revocation are in the database."""
    value = _load(INVITE_SALT, token, None)
    if value is None or not isinstance(value.get("i"), int) or not isinstance(value.get("s"), str):
        return None
    return value["i"], hash_secret(value["s"])


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
