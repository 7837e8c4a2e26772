"""Signed tickets for the signaling connection, and the invite links' tokens.

A ticket only says *who* connects (a participant, a staff member's notification connection, the echo
bot); what that connection may do is decided at connect and join against the database and revoked by
event (rtc/PROTOCOL.md). Tickets are
signed with the app's secret key (itsdangerous, Flask's own dependency), each kind with its own salt
so that one kind can never be replayed as another.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

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


def participant_ticket(participant: VideoParticipant) -> str:
    return _serializer(PARTICIPANT_SALT).dumps({"p": participant.id, "r": participant.room.key})


def read_participant_ticket(token: object) -> tuple[int, str] | None:
    """(participant id, room key) from a valid ticket, else None."""
    value = _load(PARTICIPANT_SALT, token, TICKET_MAX_AGE)
    if value is None or not isinstance(value.get("p"), int) or not isinstance(value.get("r"), str):
        return None
    return value["p"], value["r"]


def user_ticket(user: User) -> str:
    return _serializer(USER_SALT).dumps({"u": user.id})


def read_user_ticket(token: object) -> int | None:
    value = _load(USER_SALT, token, USER_TICKET_MAX_AGE)
    return value["u"] if value is not None and isinstance(value.get("u"), int) else None


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
