"""The idle warning's "keep me signed in": one request that renews this browser's session (session.py)."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from portal.auth import bp, session


@bp.route("/session/keepalive", methods=["POST"])
def keepalive():
    """Renew the session now (however recently it was renewed) and say how long it lasts without a request.

    Anonymous or ended: 401, and the page tells the user they were signed out. A session cannot outlive its
    maximum length this way: ``expires_at`` never moves.
    """
    if not current_user.is_authenticated:
        return jsonify(signed_in=False), 401
    return jsonify(signed_in=True, idle_seconds=session.touch_current())
