"""One-time, expiring, single-use tokens for links and codes sent to people (activation, reset …).

Only a keyed hash of a token is stored (HMAC-SHA256 with a key derived from the secret key), so a
copy of the database gives no usable link, and even short human-typed codes cannot be tried offline.
Changing ``PORTAL_SECRET_KEY`` invalidates every outstanding token (people ask for a new link).

Interface (reuse it for every purpose; add a member to ``TokenPurpose`` for a new one)::

    token = issue(user, TokenPurpose.RESET, ttl=timedelta(minutes=30), actor=None)
        # -> the plain token, to put in a link or a letter; never store or log it. Earlier unused
        #    tokens of the same user and purpose stop working (only the newest link counts).
    code = issue(user, TokenPurpose.CLIENT_ACTIVATE, ttl=timedelta(days=30), actor=worker, human=True)
        # -> a 12-character code without look-alike letters (XXXX-XXXX-XXXX) for a letter or an SMS;
        #    lookup() and redeem() accept it in any case, with or without the dashes.
    row = lookup(token, TokenPurpose.RESET)   # valid, not consumed (a GET showing the form); or TokenError
    user = redeem(token, TokenPurpose.RESET)  # consumed atomically: exactly one of two racing requests wins
    revoke(user, TokenPurpose.RESET)          # every unused token of that purpose (None: every purpose)

``TokenError.reason`` is ``invalid`` (unknown, forged or for another purpose — not told apart),
``expired``, ``used`` or ``inactive`` (the account was deactivated); ``str(error)`` is a translated
message for the page. Callers flush/commit with the request as usual; audit the change they make.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from portal.auth.models import AuthToken, TokenPurpose, User
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _l

__all__ = ["TokenError", "TokenPurpose", "issue", "lookup", "redeem", "revoke"]

# Human codes: no 0/O, 1/I/L, so a code read from paper is typed right.
HUMAN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
HUMAN_LENGTH = 12

_MESSAGES = {
    "invalid": _l("This link or code is not valid. Check it, or ask for a new one."),
    "expired": _l("This link or code has expired. Please ask for a new one."),
    "used": _l("This link or code has already been used. Please ask for a new one if you still need it."),
    "inactive": _l("This account is not in use. Please contact your service."),
}


class TokenError(ValueError):
    """A token that cannot be used; ``reason`` says why, ``str()`` gives the translated message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return str(_MESSAGES[self.reason])


def issue(user: User, purpose: TokenPurpose, *, ttl: timedelta, actor: User | None = None,
          human: bool = False) -> str:
    """A new token for ``user``; earlier unused tokens of this purpose are revoked. Returns the plain token."""
    revoke(user, purpose)
    plain = _human_code() if human else secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(AuthToken(user_id=user.id, purpose=purpose, token_hash=_digest(plain), created_at=now,
                             expires_at=now + ttl, created_by_id=actor.id if actor is not None else None))
    db.session.flush()
    return plain


def lookup(token: str, purpose: TokenPurpose, now: datetime | None = None) -> AuthToken:
    """The stored token if it may still be used; otherwise TokenError. Does not consume it."""
    row = db.session.scalar(select(AuthToken).where(AuthToken.token_hash == _digest(token or "")))
    if row is None or row.purpose is not purpose:
        raise TokenError("invalid")
    if row.used_at is not None:
        raise TokenError("used")
    if row.expires_at <= (now or utcnow()):
        raise TokenError("expired")
    if not row.user.active:
        raise TokenError("inactive")
    return row


def redeem(token: str, purpose: TokenPurpose, now: datetime | None = None) -> User:
    """Consume the token and return its user; TokenError when it cannot be used (or lost a race)."""
    now = now or utcnow()
    row = lookup(token, purpose, now)
    # A conditional update, not read-then-write: two requests with one token cannot both succeed.
    consumed = db.session.execute(
        update(AuthToken).where(AuthToken.id == row.id, AuthToken.used_at.is_(None)).values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if consumed != 1:
        raise TokenError("used")
    db.session.refresh(row)
    return row.user


def revoke(user: User, purpose: TokenPurpose | None = None) -> int:
    """Mark every unused token of ``user`` (of ``purpose``, or all) used; returns how many."""
    query = update(AuthToken).where(AuthToken.user_id == user.id, AuthToken.used_at.is_(None))
    if purpose is not None:
        query = query.where(AuthToken.purpose == purpose)
    return db.session.execute(query.values(used_at=utcnow()).execution_options(synchronize_session=False)).rowcount


def _human_code() -> str:
    raw = "".join(secrets.choice(HUMAN_ALPHABET) for _ in range(HUMAN_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, HUMAN_LENGTH, 4))


def normalise(token: str) -> str:
    """Human codes compare without case or dashes and spaces; URL tokens are left as they are."""
    compact = re.sub(r"[\s-]", "", token).upper()
    if len(compact) == HUMAN_LENGTH and all(c in HUMAN_ALPHABET for c in compact):
        return compact
    return token.strip()


def _digest(token: str) -> str:
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), b"silta-auth-tokens", hashlib.sha256).digest()
    return hmac.new(key, normalise(token).encode(), hashlib.sha256).hexdigest()
