"""Server-side sessions: how Flask-Login finds the signed-in user, and when a session ends.

Flask's signed cookie carries only a random session token (besides the language, the CSRF token and an
invite guest's seats); who is signed in is the ``auth_sessions`` row with that token's hash. So ending a
session — signing out, a password change or reset, a deactivation, "sign out my other sessions" —
deletes its row, and a copy of the cookie signs nobody in any more. A session ends after
``IDLE_TIMEOUT_MINUTES`` without a request and, however busy, ``SESSION_MAX_HOURS`` after sign-in.

Cost per page: one indexed query (the row with its user and roles, which Flask-Login needs anyway);
``last_seen_at`` is written at most once a minute, in its own short transaction, so a page keeps no lock.
Why not Flask-Session: its SQLAlchemy store pickles the whole session into a table of its own made
outside the migrations, writes it back on every request and knows nothing of users, so listing or ending
one person's sessions would need a second table anyway.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import Select, bindparam, delete, or_, select, update
from sqlalchemy.orm import joinedload

from portal import signals
from portal.auth.models import AuthSession, User
from portal.db import utcnow
from portal.extensions import db, login_manager
from portal.i18n import _, _l
from portal.people.models import Client
from portal.people.queries import keep_client_of_user

TOKEN_KEY = "sid"  # the session token in Flask's signed cookie
# Also in the cookie: whether the account signed in is a staff member's, so their pages do not load a client record
# with the session. A hint only: the row decides who is signed in, and a client's pages read the record anyway.
STAFF_KEY = "staff"
TOUCH_SECONDS = 60  # last_seen_at is written at most this often (and at most a quarter of the idle timeout)


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    # "basic", not "strong": a client's phone that moves from home wifi to mobile data must not be
    # signed out mid-call. The session is new at every sign-in and ends on the server (above).
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    app.before_request(_end_dead_session)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _limits() -> tuple[timedelta, timedelta]:
    idle = timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])
    return idle, timedelta(hours=current_app.config["SESSION_MAX_HOURS"])


def _load_user(user_id: str) -> User | None:
    token = session.get(TOKEN_KEY)
    if not isinstance(token, str) or not user_id.isdigit():
        return None
    with_client = not session.get(STAFF_KEY)
    found = db.session.execute(_session_statement(with_client), {"token_hash": _hash(token)}).unique().first()
    if found is None:
        return None
    row, client = found if with_client else (found[0], None)
    if row.user_id != int(user_id) or not row.user.active:
        return None
    now, (idle, _max) = utcnow(), _limits()
    if now >= row.expires_at or now - row.last_seen_at > idle:
        # Dead: refused, and never renewed by this request; the job deletes the row.
        g.dead_session = (row.id, row.user_id, "idle" if now < row.expires_at else "expired")
        return None
    g.auth_session_id = row.id
    if row.user.is_client and with_client:
        keep_client_of_user(row.user, client)
    if now - row.last_seen_at >= min(timedelta(seconds=TOUCH_SECONDS), idle / 4):
        with db.engine.begin() as connection:  # not the request's transaction: no lock held while it runs
            connection.execute(update(AuthSession).where(AuthSession.id == row.id).values(last_seen_at=now))
    return row.user


@cache
def _session_statement(with_client: bool) -> Select:
    """One statement: the session row, its user and the user's roles (instead of the relationship's selectin),
    and for a client's account the client record (nearly every client page asks for it: one statement less a
    page; a staff member's pages skip it, ~0.25 ms of CPU for mapping a record that is never there).

    Built once per process with the token's hash as a parameter: every request runs it, and building a
    statement and its cache key cost more than running it."""
    statement = (select(AuthSession).options(joinedload(AuthSession.user).joinedload(User.roles))
                 .where(AuthSession.token_hash == bindparam("token_hash")))
    if with_client:
        statement = statement.add_columns(Client).outerjoin(Client, Client.user_id == AuthSession.user_id)
    return statement


def _end_dead_session():
    if request.endpoint == "static":
        return None
    current_user._get_current_object()  # loads the session (once per request; Flask-Login caches it)
    dead = g.pop("dead_session", None)
    if dead is None:
        return None
    session_id, user_id, why = dead
    _clear_cookie()
    signals.session_ended.send(session_id, user_id=user_id)  # its live connections close too
    if why == "idle":
        flash(_("You were signed out because the session was idle. Please sign in again."), "info")
    else:
        flash(_("Your session reached its maximum length. Please sign in again."), "info")
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


def _clear_cookie() -> None:
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


# --- what the auth operations call ---------------------------------------------------------------------

def new_session(user: User, method: str, browser: str = "") -> tuple[AuthSession, str]:
    """A session row for ``user`` (added, not committed) and its token, which only the cookie keeps."""
    token = secrets.token_urlsafe(32)
    now, (_idle, lifetime) = utcnow(), _limits()
    row = AuthSession(id=secrets.token_hex(16), token_hash=_hash(token), user_id=user.id, created_at=now,
                      last_seen_at=now, expires_at=now + lifetime, method=method[:40], browser=browser[:20])
    db.session.add(row)
    return row, token


def start(user: User, method: str) -> AuthSession:
    """A new session for ``user`` in this browser (a new token: no fixation); the caller signs in."""
    _clear_cookie()
    row, token = new_session(user, method, browser_family(request.headers.get("User-Agent", "")))
    session[TOKEN_KEY] = token
    if user.is_staff:
        session[STAFF_KEY] = True
    session.permanent = True  # the cookie itself expires after the idle timeout (PERMANENT_SESSION_LIFETIME)
    g.auth_session_id = row.id
    return row


def current_id() -> str | None:
    """The public id of this request's session (tickets carry it), or None when nobody is signed in."""
    return g.get("auth_session_id") if current_user.is_authenticated else None


def touch_current() -> int:
    """Renew this request's session now (the idle warning's "keep me signed in"); returns the seconds it
    now lasts without a request: the idle timeout, or less where the maximum length comes first."""
    session_id, now, (idle, _max) = current_id(), utcnow(), _limits()
    with db.engine.begin() as connection:  # as _load_user: no lock held by the request's transaction
        connection.execute(update(AuthSession).where(AuthSession.id == session_id).values(last_seen_at=now))
    expires_at = db.session.scalar(select(AuthSession.expires_at).where(AuthSession.id == session_id))
    return int(min(idle, (expires_at or now) - now).total_seconds())


def end_current() -> str | None:
    """End this browser's session: its row goes, the cookie keeps only the language. Returns its id."""
    session_id = current_id()
    if session_id is not None:
        db.session.execute(delete(AuthSession).where(AuthSession.id == session_id))
    _clear_cookie()
    g.pop("auth_session_id", None)
    return session_id


def end_all(user: User, keep: str | None = None) -> list[str]:
    """End every session of ``user`` except ``keep``; returns the ids ended."""
    query = select(AuthSession.id).where(AuthSession.user_id == user.id)
    if keep is not None:
        query = query.where(AuthSession.id != keep)
    ended = list(db.session.scalars(query))
    if ended:
        db.session.execute(delete(AuthSession).where(AuthSession.id.in_(ended)))
    return ended


def active_for(user: User, now: datetime | None = None) -> list[AuthSession]:
    """The user's live sessions, newest first (the account page)."""
    now, (idle, _max) = now or utcnow(), _limits()
    return list(db.session.scalars(select(AuthSession).where(
        AuthSession.user_id == user.id, AuthSession.expires_at > now, AuthSession.last_seen_at >= now - idle)
        .order_by(AuthSession.created_at.desc())))


def alive(session_id: str, user_id: int | None = None, now: datetime | None = None) -> bool:
    """Whether a ticket's session still stands (signaling connect): one primary-key query."""
    row = db.session.execute(select(AuthSession.user_id, AuthSession.last_seen_at, AuthSession.expires_at)
                             .where(AuthSession.id == session_id)).first()
    now, (idle, _max) = now or utcnow(), _limits()
    return (row is not None and (user_id is None or row.user_id == user_id) and now < row.expires_at
            and now - row.last_seen_at <= idle)


@signals.jobs_due.connect
def _purge_job(_app, now: datetime | None = None, **_extra) -> None:
    purge(now)


def purge(now: datetime | None = None) -> int:
    """Delete the rows of sessions that ended by time (the job runner, every run), and close the real-time
    connections they still hold open (a tab left alone keeps its /live connection); returns how many."""
    now, (idle, _max) = now or utcnow(), _limits()
    over = or_(AuthSession.expires_at <= now, AuthSession.last_seen_at < now - idle)
    ended = db.session.execute(select(AuthSession.id, AuthSession.user_id).where(over)).all()
    if ended:
        db.session.execute(delete(AuthSession).where(AuthSession.id.in_([row.id for row in ended])))
    for row in ended:
        signals.session_ended.send(row.id, user_id=row.user_id)
    return len(ended)


_FAMILIES = (("Edg/", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser/", "Samsung Internet"), ("Firefox/", "Firefox"),
             ("FxiOS/", "Firefox"), ("CriOS/", "Chrome"), ("Chrome/", "Chrome"), ("Chromium/", "Chrome"),
             ("Safari/", "Safari"))


def browser_family(agent: str) -> str:
    """The browser's family from its User-Agent (the order matters: Edge and Opera also say Chrome)."""
    return next((family for marker, family in _FAMILIES if marker in agent), "")
