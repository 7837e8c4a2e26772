"""How Flask-Login finds the signed-in user, and what it says to someone who must sign in."""

from __future__ import annotations

from flask import Flask, session
from sqlalchemy.orm import joinedload

from portal.auth.models import User
from portal.extensions import db, login_manager
from portal.i18n import _l

EPOCH_KEY = "auth_epoch"  # the user's session generation when this session signed in


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    # "basic", not "strong": a client's phone that moves from home wifi to mobile data must not be
    # signed out mid-call. The session is renewed at sign-in and ends after the idle timeout.
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        # Roles joined in: one statement on every request instead of two (the relationship's selectin).
        user = db.session.get(User, int(user_id), options=[joinedload(User.roles)]) if user_id.isdigit() else None
        if user is None or not user.active:
            return None
        # A session from before a password change, a reset or a deactivation has an older generation.
        return user if session.get(EPOCH_KEY) == user.auth_epoch else None
