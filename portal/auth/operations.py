"""Signing in and out, and binding identity-provider logins to accounts."""

from __future__ import annotations

from flask import session
from flask_login import login_user, logout_user
from sqlalchemy import func, select

from portal import signals
from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import AccountKind, OidcIdentity, User
from portal.auth.oidc import binder as oidc_binder
from portal.auth.passwords import verify_password
from portal.db import utcnow
from portal.extensions import db


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
    """Start a fresh session for ``user`` (a new session id: no fixation) and audit it."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(user)
    user.last_login_at = utcnow()
    record(user, AuditAction.LOGIN, "auth", "user", user.id, detail={"method": method})


def sign_out(user: User) -> None:
    record(user, AuditAction.LOGOUT, "auth", "user", user.id)
    logout_user()
    session.clear()


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
