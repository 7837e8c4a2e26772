"""Signing in and out, passwords (set, activate, reset), and binding identity-provider logins to accounts.

Every change of credentials ends the account's sessions (their rows in ``auth_sessions``,
portal/auth/session.py), except the one that made the change where it should stay signed in, and bumps
``User.auth_epoch``, which a half-finished two-step sign-in (totp_routes) is checked against.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, session
from flask_babel import force_locale
from flask_login import login_user, logout_user
from sqlalchemy import func, select

from portal import signals
from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth import session as sessions
from portal.auth import tokens
from portal.auth.models import AccountKind, OidcIdentity, TokenPurpose, User
from portal.auth.oidc import binder as oidc_binder
from portal.auth.passwords import MIN_LENGTH, hash_password, verify_password
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _, _l

FEATURE = "auth"
MAX_PASSWORD = 1024


class PasswordRefused(ValueError):
    """A new password the rules refuse; the message is translated for the form."""


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate_local(email: str, password: str) -> User | None:
    """The account for these credentials, or None; the same work is done whether the account exists or not."""
    user = find_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is not None and ok and user.active:
        return user
    if user is not None:
        record(user, AuditAction.LOGIN_FAILED, "auth", "user", user.id)
    signals.login_failed.send("password")  # counted for /metrics, known account or not
    return None


def sign_in(user: User, method: str) -> None:
    """Start a fresh server-side session for ``user`` (a new token: no fixation) and audit it."""
    sessions.start(user, method)
    login_user(user)
    user.last_login_at = utcnow()
    record(user, AuditAction.LOGIN, "auth", "user", user.id, detail={"method": method})


def sign_out(user: User) -> None:
    """End this browser's session on the server, and its real-time connections and tickets with it."""
    user_id = user.id  # ``user`` may be current_user, anonymous after logout_user
    record(user, AuditAction.LOGOUT, "auth", "user", user_id)
    session_id = sessions.end_current()
    logout_user()
    if session_id is not None:
        signals.session_ended.send(session_id, user_id=user_id)


def end_other_sessions(user: User) -> int:
    """The "sign out my other sessions" action: every session of ``user`` but this one ends, everywhere. Audited."""
    ended = end_sessions(user, keep=sessions.current_id())
    record(user, AuditAction.UPDATE, FEATURE, "user", user.id, detail={"sessions_ended": ended})
    return ended


def set_language(user: User | None, locale: str) -> None:
    session["locale"] = locale
    if user is not None and user.is_authenticated:
        user.locale = locale


def resolve_oidc_identity(provider: dict, claims: dict) -> User | None:
    """The account an identity-provider login belongs to, binding it on first use where allowed.

    A known (issuer, subject) pair wins. Otherwise, only a provider configured with
    ``match_email`` may bind the login to an existing account of the provider's kind, and only when
    the provider says the email is verified. Nobody gets an account just by logging in.
    """
    kind = AccountKind(provider.get("kind", "staff"))
    identity = db.session.scalar(
        select(OidcIdentity).where(OidcIdentity.issuer == claims["iss"], OidcIdentity.subject == claims["sub"])
    )
    if identity is not None:
        user = identity.user
    elif (bind := oidc_binder(kind)) is not None and (user := bind(provider, claims)) is not None:
        # A clients' provider (Suomi.fi): the identity code in the claims found the client.
        identity = OidcIdentity(user=user, issuer=claims["iss"], subject=claims["sub"])
        db.session.add(identity)
    elif provider.get("match_email") and claims.get("email") and claims.get("email_verified") is True:
        user = find_by_email(claims["email"])
        if user is None or user.kind is not kind:
            return None
        identity = OidcIdentity(user=user, issuer=claims["iss"], subject=claims["sub"])
        db.session.add(identity)
    else:
        return None
    if not user.active or user.kind is not kind:
        return None
    identity.last_used_at = utcnow()
    return user


# --- passwords ---------------------------------------------------------------------------------------

def check_new_password(user: User, password: str) -> None:
    """PasswordRefused unless the password may be used (length; not the email address)."""
    if len(password) < MIN_LENGTH:
        raise PasswordRefused(_l("The password must be at least %(count)s characters long.", count=MIN_LENGTH))
    if len(password) > MAX_PASSWORD:
        raise PasswordRefused(_l("The password is too long."))
    if user.email and password.strip().lower() == user.email.lower():
        raise PasswordRefused(_l("The password must not be your email address."))


def set_password(actor: User | None, user: User, password: str, reason: str, keep: str | None = None) -> None:
    """Set a new local password and end the account's sessions (but ``keep``); audited with ``reason`` only."""
    check_new_password(user, password)
    user.password_hash = hash_password(password)
    end_sessions(user, keep=keep)
    tokens.revoke(user, TokenPurpose.RESET)
    record(actor or user, AuditAction.UPDATE, FEATURE, "user", user.id, detail={"password": reason})
    db.session.flush()


def change_password(user: User, current: str, new: str) -> bool:
    """The signed-in user changes their own password; this session stays signed in. False: wrong current."""
    if not verify_password(user.password_hash, current):
        record(user, AuditAction.LOGIN_FAILED, FEATURE, "user", user.id, detail={"password": "change"})
        return False
    set_password(user, user, new, "changed", keep=sessions.current_id())
    return True


def end_sessions(user: User, keep: str | None = None) -> int:
    """End every session of ``user`` (but ``keep``) at once, with their real-time connections and tickets.
    Returns how many ended."""
    user.auth_epoch = (user.auth_epoch or 0) + 1  # a pending second sign-in step is void too
    ended = sessions.end_all(user, keep=keep)
    signals.sessions_ended.send(user, session_ids=ended, keep=keep)
    return len(ended)


def activate(token: str, password: str) -> User:
    """Redeem an invitation link by setting the first password (TokenError, PasswordRefused)."""
    row = tokens.lookup(token, TokenPurpose.ACTIVATE)
    check_new_password(row.user, password)
    user = tokens.redeem(token, TokenPurpose.ACTIVATE)
    set_password(user, user, password, "activated")
    return user


def reset_password(token: str, password: str) -> User:
    """Redeem a reset link by setting a new password; every old session ends (TokenError, PasswordRefused)."""
    row = tokens.lookup(token, TokenPurpose.RESET)
    check_new_password(row.user, password)
    user = tokens.redeem(token, TokenPurpose.RESET)
    set_password(user, user, password, "reset")
    return user


def request_password_reset(email: str) -> None:
    """Send a reset link if ``email`` belongs to an account that may use one; the caller answers the same
    whether or not it does. An OIDC-only account is told to sign in through its identity provider."""
    user = find_by_email(email)
    if user is None or not user.active or not user.email:
        return
    if user.oidc_only:
        _email(user, "reset-oidc", None)
    else:
        ttl = timedelta(minutes=current_app.config["PASSWORD_RESET_MINUTES"])
        _email(user, "reset", tokens.issue(user, TokenPurpose.RESET, ttl=ttl))
    record(None, AuditAction.UPDATE, FEATURE, "user", user.id, detail={"password": "reset_requested"})


def send_invitation(actor: User, user: User) -> None:
    """Email ``user`` an activation link (or, for an OIDC-only account, where to sign in); audited."""
    if user.oidc_only:
        tokens.revoke(user, TokenPurpose.ACTIVATE)
        _email(user, "invite-oidc", None)
    else:
        ttl = timedelta(days=current_app.config["INVITATION_DAYS"])
        _email(user, "invite", tokens.issue(user, TokenPurpose.ACTIVATE, ttl=ttl, actor=actor))
    record(actor, AuditAction.CREATE, "admin", "invitation", user.id)


def activation_link(token: str) -> str:
    return _base() + "/activate/" + token


def _base() -> str:
    # Messages may be composed outside a request (commands), so the public address, not url_for.
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def _email(user: User, kind: str, token: str | None) -> None:
    from portal.notifications.models import Channel
    from portal.notifications.operations import queue_message

    with force_locale(user.locale):
        subject, body = _compose(kind, user, token)
    queue_message(channel=Channel.EMAIL, recipient=user.email, subject=subject, body=body, user_id=user.id)


def _compose(kind: str, user: User, token: str | None) -> tuple[str, str]:
    login = _base() + "/login"
    if kind == "invite":
        days = current_app.config["INVITATION_DAYS"]
        return _("Your Silta account"), _(
            "Hello %(name)s,\n\na Silta account has been made for you. Set your password here within "
            "%(days)s days (the link works once):\n%(link)s\n\nIf you did not expect this, you can ignore "
            "this message.", name=user.display_name, days=days, link=activation_link(token))
    if kind == "invite-oidc":
        return _("Your Silta account"), _(
            "Hello %(name)s,\n\na Silta account has been made for you. Sign in through your organisation's "
            "identity provider on the sign-in page; you do not need a Silta password:\n%(link)s",
            name=user.display_name, link=login)
    if kind == "reset":
        minutes = current_app.config["PASSWORD_RESET_MINUTES"]
        return _("Resetting your Silta password"), _(
            "Someone asked to reset the password of your Silta account. Set a new password here within "
            "%(minutes)s minutes (the link works once):\n%(link)s\n\nIf it was not you, you can ignore this "
            "message: your password stays as it is.", minutes=minutes, link=_base() + "/password/reset/" + token)
    return _("Signing in to Silta"), _(
        "Someone asked to reset the password of your Silta account. Your account has no Silta password: "
        "sign in through your organisation's identity provider on the sign-in page:\n%(link)s", link=login)
